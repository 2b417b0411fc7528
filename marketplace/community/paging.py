"""Keyset paging over sorted lists: stable pages however many rows arrive meanwhile.

A list is sorted on one integer key (``vote_count``, ``rating`` or the id itself), ties
broken by id; the cursor of a row is its ``(key, id)`` pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, func, select

__all__ = ["Page", "SortKey", "keyset_page"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SortKey:
    """Sort on ``column`` (then on ``id``), descending unless told otherwise."""

    column: Any
    id_column: Any
    descending: bool = True


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page: the rows with their cursors, the total, and whether more follow."""

    items: list[T]
    cursors: list[tuple[int, int]]
    total: int
    has_next_page: bool


def keyset_page(
    session: Session,
    query: Any,
    *,
    sort: SortKey,
    first: int,
    after: tuple[int, int] | None,
) -> Page[Any]:
    """One page of ``query`` (a ``select`` of one model, already filtered).

    Parameters
    ----------
    query
        The filtered selection, without ordering or limits.
    sort
        The order of the list.
    first
        Page size (checked by the caller).
    after
        The ``(key, id)`` cursor of the last row of the previous page, or ``None``.
    """
    total = int(session.exec(select(func.count()).select_from(query.subquery())).one())
    key, ident = sort.column, sort.id_column
    if after is not None:
        value, last_id = after
        if sort.descending:
            query = query.where(sa.or_(key < value, sa.and_(key == value, ident < last_id)))
        else:
            query = query.where(sa.or_(key > value, sa.and_(key == value, ident > last_id)))
    if sort.descending:
        query = query.order_by(key.desc(), ident.desc())
    else:
        query = query.order_by(key.asc(), ident.asc())
    rows = list(session.exec(query.limit(first + 1)))
    items = rows[:first]
    key_name, id_name = key.key, ident.key
    cursors = [(int(getattr(row, key_name)), int(getattr(row, id_name))) for row in items]
    return Page(items=items, cursors=cursors, total=total, has_next_page=len(rows) > first)
