"""The one rule for text the marketplace stores: no NUL, no control characters, no lone
surrogates.

PostgreSQL refuses NUL in text (``psycopg.DataError`` deep in a transaction) while SQLite
stores it, and an unpaired surrogate (JSON allows ``"\\ud800"``) cannot be encoded for either
database. Every boundary (GraphQL variables and string literals, GBFS and GTFS feeds) checks
text with this rule, so both databases accept exactly the same input. Tab, line feed and
carriage return stay allowed: reviews and descriptions have lines.
"""

from __future__ import annotations

import re

from marketplace.errors import InvalidInput

__all__ = ["ACCEPTED_TEXT", "check_text", "forbidden_character"]

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

ACCEPTED_TEXT = (
    "text may hold any Unicode character but NUL, control characters (tab and line breaks "
    "are fine) and unpaired surrogates"
)


def forbidden_character(text: str) -> tuple[int, str] | None:
    """``(position, character)`` of the first character no text may hold, else ``None``."""
    found = _FORBIDDEN.search(text)
    return None if found is None else (found.start(), found.group())


def check_text(text: str, *, field: str) -> str:
    """``text`` unchanged when it follows the rule.

    Raises
    ------
    InvalidInput
        ``text`` holds NUL, another control character or an unpaired surrogate; the message
        names the field, the character and its position.
    """
    found = forbidden_character(text)
    if found is not None:
        position, character = found
        raise InvalidInput(
            f"{field} holds the character U+{ord(character):04X} at position {position}; "
            f"{ACCEPTED_TEXT}",
            field=field,
        )
    return text
