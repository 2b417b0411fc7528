"""Errors callers can act on; each carries the GraphQL ``extensions.code`` it maps to.

Domain functions raise these; the API lets them through unmasked (their messages are meant
for partners) and masks everything else. An error raised with a catalogue
:class:`~marketplace.i18n.Message` is worded in the caller's language when it reaches them
(:meth:`MarketplaceError.localized`); ``message`` holds its English wording, for logs and
the command line.
"""

from __future__ import annotations

from typing import Any, ClassVar

from marketplace.i18n import Language, Message

__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "MarketplaceError",
    "NotAuthenticated",
    "NotFound",
    "PlanTimedOut",
    "RateLimited",
    "SchemaOutOfDate",
    "StreetsUnavailable",
    "TooLargeToWait",
]


class MarketplaceError(Exception):
    """Base of the errors whose message is safe and useful to show a partner."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str | Message, **details: Any) -> None:
        self.worded: Message | None = message if isinstance(message, Message) else None
        text = message.render("en") if isinstance(message, Message) else message
        super().__init__(text)
        self.message = text
        self.details = details

    def localized(self, language: Language) -> str:
        """The message in ``language`` (as raised when it was not a catalogue message)."""
        return self.worded.render(language) if self.worded is not None else self.message

    @property
    def extensions(self) -> dict[str, Any]:
        """GraphQL error extensions: the code plus any details (graphql-core reads this)."""
        return {"code": self.code, **self.details}


class InvalidInput(MarketplaceError, ValueError):
    """The input breaks a rule; the message says which and what is accepted."""

    code = "BAD_USER_INPUT"


class NotAuthenticated(MarketplaceError):
    """No API key, or an unknown, revoked or expired one."""

    code = "UNAUTHENTICATED"


class Forbidden(MarketplaceError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"


class NotFound(MarketplaceError, LookupError):
    """Nothing by that id that the caller may see."""

    code = "NOT_FOUND"


class Conflict(MarketplaceError):
    """The change was based on a stale version, or clashes with existing data."""

    code = "CONFLICT"


class RateLimited(MarketplaceError):
    """Too many attempts or posts in a short time; the message says when to try again."""

    code = "RATE_LIMITED"


class PlanTimedOut(MarketplaceError):
    """A plan took longer than the server's time budget for one plan."""

    code = "PLAN_TIMEOUT"


class StreetsUnavailable(MarketplaceError):
    """No street network is loaded; the message names the fix."""

    code = "SERVICE_UNAVAILABLE"


class TooLargeToWait(MarketplaceError):
    """Too much work to do while the caller waits; the message names the mutation that
    queues it as a job, and the details give the limit."""

    code = "TOO_LARGE_TO_WAIT"


class SchemaOutOfDate(RuntimeError):
    """The database's schema revision is not the one this code needs (an operator's error,
    never a partner's: raised on start by servers and commands, see :mod:`marketplace.migrate`)."""

    def __init__(self, current: str | None, needed: str) -> None:
        self.current = current
        self.needed = needed
        super().__init__(
            f"database schema is at {current or 'no revision (empty database)'}, "
            f"the code needs {needed}: run `issy-mobility migrate`"
        )
