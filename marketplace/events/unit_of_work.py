"""Changes recorded on a session during a transaction, published once it has committed.

A storage function calls :func:`defer` with a key and a builder; recording the same key
again in the same transaction keeps one event (a GBFS import that upserts stations in
several batches announces its stations once). :meth:`marketplace.db.Database.call` calls
:func:`publish_pending` after the commit; a rolled-back transaction publishes nothing.
Builders run after the commit, so events carry the service's final version and status.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from sqlmodel import Session

from marketplace.events.bus import Event, publish

__all__ = ["defer", "discard_pending", "publish_pending"]

_PENDING = "marketplace.events.pending"


def _pending(session: Session) -> dict[Hashable, Callable[[], Event]]:
    pending: dict[Hashable, Callable[[], Event]] = session.info.setdefault(_PENDING, {})
    return pending


def defer(session: Session, key: Hashable, build: Callable[[], Event]) -> None:
    """Publish ``build()`` after ``session``'s transaction commits (once per ``key``)."""
    _pending(session)[key] = build


def publish_pending(session: Session) -> None:
    """Publish what the committed transaction recorded, in the order first recorded."""
    pending = session.info.pop(_PENDING, {})
    discard_pending(session)
    for build in pending.values():
        publish(build())


def discard_pending(session: Session) -> None:
    """Forget what a rolled-back transaction recorded (and what its records gathered)."""
    for key in [k for k in session.info if str(k).startswith("marketplace.events.")]:
        del session.info[key]
