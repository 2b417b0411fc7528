"""The catalogue lookup: a message id and its parameters -> text in one language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from marketplace.i18n.en import MESSAGES as EN
from marketplace.i18n.fr import MESSAGES as FR

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "MESSAGE_IDS",
    "Language",
    "Message",
    "id_of_english",
    "language_of",
    "render",
]

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
DEFAULT_LANGUAGE: Language = "fr"
"""French: Issy's own language, for callers that ask for none."""

CATALOGUES: Mapping[Language, Mapping[str, str]] = {"fr": FR, "en": EN}
MESSAGE_IDS = frozenset(EN) & frozenset(FR)
"""Every id both languages word."""


# Parameterless English texts back to their ids: for messages a library words for us (the
# permission classes' ``message``), which reach the error handler as plain strings.
_ENGLISH_IDS = {text: key for key, text in EN.items() if "{" not in text}


def id_of_english(text: str) -> str | None:
    """The id of a parameterless catalogue message given its English text, if any."""
    return _ENGLISH_IDS.get(text)


def language_of(value: str | None) -> Language | None:
    """``fr`` or ``en`` for a language tag such as ``en-GB`` or ``FR``; ``None`` otherwise."""
    if not value:
        return None
    primary = value.strip().split("-")[0].split("_")[0].lower()
    return primary if primary in LANGUAGES else None


def render(language: Language, message_id: str, /, **params: Any) -> str:
    """The text of ``message_id`` in ``language`` with ``params`` filled in.

    Raises
    ------
    KeyError
        An id the catalogue does not hold (a programming error: a test checks every id used).

    A parameter that is itself a :class:`Message` is worded in the same language.
    """
    worded = {k: v.render(language) if isinstance(v, Message) else v for k, v in params.items()}
    return CATALOGUES[language][message_id].format(**worded)


@dataclass(frozen=True, slots=True)
class Message:
    """A message not yet worded: its id and parameters, rendered once the reader is known."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.id not in MESSAGE_IDS:
            raise KeyError(f"message id {self.id!r} is not in the catalogue")

    def render(self, language: Language) -> str:
        return render(language, self.id, **self.params)
