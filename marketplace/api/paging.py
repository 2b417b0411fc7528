"""Relay connections over keyset pages: cursors that carry the sort key and the id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from marketplace.api.relay import (
    MAX_DATABASE_ID,
    Connection,
    Edge,
    PageInfo,
    check_page_size,
    decode_opaque,
    encode_opaque,
    parse_integer,
)
from marketplace.community.paging import Page
from marketplace.errors import InvalidInput
from marketplace.settings import Settings

__all__ = ["decode_keyset_cursor", "encode_keyset_cursor", "keyset_connection", "page_size"]

T = TypeVar("T")


def encode_keyset_cursor(key: int, db_id: int) -> str:
    """The cursor after a row sorted on ``key``."""
    return encode_opaque(f"k:{key}:{db_id}")


def decode_keyset_cursor(cursor: str | None) -> tuple[int, int] | None:
    """``(key, id)`` of a cursor, ``None`` for no cursor.

    Raises
    ------
    InvalidInput
        A string that no page of these lists returned.
    """
    if cursor is None:
        return None
    prefix, _, rest = (decode_opaque(cursor) or "").partition(":")
    key, _, db_id = rest.partition(":")
    parsed_key, parsed_id = parse_integer(key), parse_integer(db_id)
    if (
        prefix != "k"
        or parsed_key is None
        or not -(2**63) <= parsed_key < 2**63
        or parsed_id is None
        or not 0 <= parsed_id <= MAX_DATABASE_ID
        or encode_keyset_cursor(parsed_key, parsed_id) != cursor
    ):
        raise InvalidInput(
            f"after {cursor!r} is not a cursor of this list; pass pageInfo.endCursor of the "
            "previous page (with the same sort)",
            field="after",
        )
    return parsed_key, parsed_id


def page_size(settings: Settings, first: int | None) -> int:
    """The page size to use (see :func:`marketplace.api.relay.check_page_size`)."""
    return check_page_size(
        first, default=settings.default_page_size, maximum=settings.max_page_size
    )


def keyset_connection(
    page: Page[Any], convert: Callable[[Any], T], *, after: tuple[int, int] | None
) -> Connection[T]:
    """Wrap a keyset page in a Relay :class:`Connection`."""
    edges = [
        Edge(cursor=encode_keyset_cursor(*cursor), node=convert(item))
        for item, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )
