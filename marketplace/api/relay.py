"""Relay conventions: the ``Node`` interface, global ids, cursor connections, page sizes.

A global id is ``base64("<TypeName>:<database id>")``; a cursor is ``base64("cursor:<id>")``
of the last item of a page (lists are ordered by id).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from marketplace.errors import InvalidInput, NotFound
from marketplace.i18n import Message

__all__ = [
    "MAX_DATABASE_ID",
    "Connection",
    "Edge",
    "Node",
    "PageInfo",
    "check_page_size",
    "decode_cursor",
    "decode_global_id",
    "decode_opaque",
    "encode_cursor",
    "encode_global_id",
    "encode_opaque",
    "make_connection",
    "parse_database_id",
    "parse_integer",
]

T = TypeVar("T")


@strawberry.interface(description="An object with a global id, fetchable through `node(id)`.")
class Node:
    id: strawberry.ID


MAX_DATABASE_ID = 2**31 - 1
"""The largest row id of any table: PostgreSQL ``integer`` keys (SQLite's are wider, but both
databases answer the same)."""

_CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")


def encode_global_id(type_name: str, db_id: int) -> strawberry.ID:
    """The global id of a row."""
    return strawberry.ID(encode_opaque(f"{type_name}:{db_id}"))


def encode_opaque(text: str) -> str:
    """``text`` as the URL-safe, padded base64 every id and cursor of this API uses."""
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_opaque(token: str) -> str | None:
    """The text inside an id or cursor, or ``None`` unless ``token`` is exactly what
    :func:`encode_opaque` gives for it.

    Python's base64 decoder skips characters outside the alphabet and accepts unpadded or
    non-zero trailing bits, so many strings would decode to the same id: only the canonical
    spelling is accepted.
    """
    if len(token) > 200 or not token.isascii():
        return None
    try:
        text = base64.b64decode(token, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return text if encode_opaque(text) == token else None


def parse_integer(raw: str) -> int | None:
    """``raw`` as an integer if spelt in canonical ASCII digits (no space, sign ``+``, leading
    zero or other digit scripts: ``int()`` would read " 1" and "１" as 1), else ``None``."""
    # Beyond 4,000 digits int() itself refuses (CVE-2020-10735); no id comes near.
    return int(raw) if len(raw) <= 4000 and _CANONICAL_INTEGER.fullmatch(raw) else None


def parse_database_id(raw: str, *, what: str) -> int:
    """A row id written as a plain number (``/gbfs/42/...``, ``?run=7``).

    Raises
    ------
    InvalidInput
        Not a canonical decimal number.
    NotFound
        Outside 1 to :data:`MAX_DATABASE_ID`: no row can have it.
    """
    db_id = parse_integer(raw)
    if db_id is None:
        raise InvalidInput(Message("api.not_a_number_id", {"raw": repr(raw), "what": what}))
    if not 1 <= db_id <= MAX_DATABASE_ID:
        raise NotFound(Message("api.no_such_id", {"what": what, "raw": raw}))
    return db_id


def decode_global_id(global_id: str, expected: str | None = None) -> tuple[str, int]:
    """``(type name, database id)`` of a global id.

    Raises
    ------
    InvalidInput
        Not a global id (strictly as this API spells them), or one of another type than
        ``expected``.
    NotFound
        A well-formed id whose number no row can have (below 1 or above
        :data:`MAX_DATABASE_ID`).
    """
    text = decode_opaque(global_id)
    type_name, _, raw = (text or "").partition(":")
    db_id = parse_integer(raw)
    if text is None or not type_name.isidentifier() or db_id is None:
        example = repr(encode_global_id(expected or "MobilityService", 1))
        raise InvalidInput(
            Message("api.not_an_api_id", {"raw": repr(global_id), "example": example})
        )
    if expected is not None and type_name != expected:
        raise InvalidInput(
            Message(
                "api.wrong_id_type",
                {"raw": repr(global_id), "actual": type_name, "expected": expected},
            )
        )
    if not 1 <= db_id <= MAX_DATABASE_ID:
        raise NotFound(Message("api.no_such_id", {"what": type_name, "raw": repr(global_id)}))
    return type_name, db_id


def encode_cursor(db_id: int) -> str:
    """The cursor after the row ``db_id``."""
    return encode_opaque(f"cursor:{db_id}")


def decode_cursor(cursor: str | None) -> int | None:
    """The id a cursor points after, ``None`` for no cursor.

    Raises
    ------
    InvalidInput
        A string that no page of this API returned.
    """
    if cursor is None:
        return None
    prefix, _, raw = (decode_opaque(cursor) or "").partition(":")
    db_id = parse_integer(raw)
    if prefix != "cursor" or db_id is None or not 0 <= db_id <= MAX_DATABASE_ID:
        raise InvalidInput(Message("api.not_a_cursor", {"raw": repr(cursor)}), field="after")
    return db_id


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
            Message("api.page_size", {"first": first, "maximum": maximum}),
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
