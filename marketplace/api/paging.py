"""Relay connections over keyset pages: cursors that carry the sort key and the id."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

from marketplace.api.relay import Connection, Edge, PageInfo, check_page_size
from marketplace.community.paging import Page
from marketplace.errors import InvalidInput
from marketplace.settings import Settings

__all__ = ["decode_keyset_cursor", "encode_keyset_cursor", "keyset_connection", "page_size"]

T = TypeVar("T")


def encode_keyset_cursor(key: int, db_id: int) -> str:
    """The cursor after a row sorted on ``key``."""
    return base64.urlsafe_b64encode(f"k:{key}:{db_id}".encode()).decode()


def decode_keyset_cursor(cursor: str | None) -> tuple[int, int] | None:
    """``(key, id)`` of a cursor, ``None`` for no cursor.

    Raises
    ------
    InvalidInput
        A string that no page of these lists returned.
    """
    if cursor is None:
        return None
    try:
        prefix, key, db_id = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if prefix != "k":
            raise ValueError(prefix)
        return int(key), int(db_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(
            f"after {cursor!r} is not a cursor of this list; pass pageInfo.endCursor of the "
            "previous page (with the same sort)",
            field="after",
        ) from None


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
