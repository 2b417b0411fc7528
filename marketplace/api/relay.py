"""Relay conventions: the ``Node`` interface, global ids, cursor connections, page sizes.

A global id is ``base64("<TypeName>:<database id>")``; a cursor is ``base64("cursor:<id>")``
of the last item of a page (lists are ordered by id).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from marketplace.errors import InvalidInput

__all__ = [
    "Connection",
    "Edge",
    "Node",
    "PageInfo",
    "check_page_size",
    "decode_cursor",
    "decode_global_id",
    "encode_cursor",
    "encode_global_id",
    "make_connection",
]

T = TypeVar("T")


@strawberry.interface(description="An object with a global id, fetchable through `node(id)`.")
class Node:
    id: strawberry.ID


def encode_global_id(type_name: str, db_id: int) -> strawberry.ID:
    """The global id of a row."""
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{db_id}".encode()).decode())


def decode_global_id(global_id: str, expected: str | None = None) -> tuple[str, int]:
    """``(type name, database id)`` of a global id.

    Raises
    ------
    InvalidInput
        Not a global id, or one of another type than ``expected``.
    """
    try:
        type_name, _, raw = base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")
        db_id = int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(
            f"{global_id!r} is not an id given by this API (ids are opaque strings such as "
            f"{encode_global_id(expected or 'MobilityService', 1)!r})"
        ) from None
    if expected is not None and type_name != expected:
        raise InvalidInput(f"id {global_id!r} is a {type_name}, not a {expected}")
    return type_name, db_id


def encode_cursor(db_id: int) -> str:
    """The cursor after the row ``db_id``."""
    return base64.urlsafe_b64encode(f"cursor:{db_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    """The id a cursor points after, ``None`` for no cursor.

    Raises
    ------
    InvalidInput
        A string that no page of this API returned.
    """
    if cursor is None:
        return None
    try:
        prefix, _, raw = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix != "cursor":
            raise ValueError(prefix)
        return int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(
            f"after {cursor!r} is not a cursor; pass pageInfo.endCursor of the previous page",
            field="after",
        ) from None


def check_page_size(first: int | None, *, default: int, maximum: int) -> int:
    """The page size to use.

    Raises
    ------
    InvalidInput
        ``first`` below 1 or above ``maximum``.
    """
    if first is None:
        return default
    if not 1 <= first <= maximum:
        raise InvalidInput(
            f"first={first} is out of range: ask for 1 to {maximum} items per page and follow "
            "pageInfo.endCursor for more",
            field="first",
            maxPageSize=maximum,
        )
    return first


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def make_connection(
    items: Sequence[T],
    *,
    db_id: Callable[[T], int],
    total: int,
    has_next_page: bool,
    after: int | None,
) -> Connection[T]:
    """Wrap one page of items in a :class:`Connection`."""
    edges = [Edge(cursor=encode_cursor(db_id(item)), node=item) for item in items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
