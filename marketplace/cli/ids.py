"""Row ids given on the command line: a plain number or a global id, strictly.

``int()`` reads " 7", "+7" and a full-width "７" as 7, and ``str.isdigit()`` lets through
digits of every script and numbers no row can have: an operator's typo must not reach
another partner's row nor end in a traceback.
"""

from __future__ import annotations

from marketplace.api.relay import (
    MAX_DATABASE_ID,
    decode_global_id,
    decode_opaque,
    parse_database_id,
)
from marketplace.errors import InvalidInput

__all__ = ["parse_cli_id"]


def parse_cli_id(value: str, *, type_name: str, option: str) -> int:
    """The database id that ``value`` (``42`` or an id given by the API) names.

    Raises
    ------
    InvalidInput
        Neither ASCII digits without leading zero nor a global id of ``type_name``.
    NotFound
        A number or global id beyond 1 to :data:`MAX_DATABASE_ID`: no row can have it.
    """
    if value.isascii() and value.isdigit():
        return parse_database_id(value, what=type_name)
    if decode_opaque(value) is None:
        raise InvalidInput(
            f"{option} {value!r} is neither a number from 1 to {MAX_DATABASE_ID} (ASCII digits) "
            f"nor a {type_name} id given by the API"
        )
    try:
        return decode_global_id(value, expected=type_name)[1]
    except InvalidInput as exc:
        raise InvalidInput(f"{option}: {exc.message}") from None
