"""The one in-process event bus: observers per event type, called after each commit.

Storage functions never publish directly: they record what changed on their session
(:mod:`marketplace.events.unit_of_work`) and the unit of work publishes here once the
transaction has committed, so no observer ever hears of a change that was rolled back.
The trip planner's service index and the live-update bridge
(:class:`~marketplace.events.live.LiveUpdates`, which feeds GraphQL subscriptions and relays
across processes through Redis) are the observers.

Callbacks run synchronously in the publisher's thread; they must be quick and must not
raise (an exception is logged and the other observers still run).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from marketplace.events.catalogue import CatalogueEvent
from marketplace.events.community import CommunityEvent

__all__ = ["Event", "clear", "publish", "subscribe", "unsubscribe"]

log = logging.getLogger(__name__)

Event = CatalogueEvent | CommunityEvent
"""Every kind of event the bus carries."""

E = TypeVar("E", CatalogueEvent, CommunityEvent)

_observers: list[tuple[type[Any], Callable[[Any], None]]] = []
_lock = threading.Lock()


def subscribe(event_type: type[E], callback: Callable[[E], None]) -> Callable[[], None]:
    """Call ``callback(event)`` after every committed event of ``event_type``.

    Returns
    -------
    Callable[[], None]
        A function that unsubscribes this callback.
    """
    with _lock:
        _observers.append((event_type, callback))
    return lambda: unsubscribe(callback)


def unsubscribe(callback: Callable[[Any], None]) -> None:
    """Stop calling ``callback``; unknown callbacks are ignored."""
    with _lock:
        _observers[:] = [(t, c) for t, c in _observers if c != callback]


def publish(event: Event) -> None:
    """Hand ``event`` to every observer of its type, in subscription order."""
    with _lock:
        observers = [callback for kind, callback in _observers if isinstance(event, kind)]
    for callback in observers:
        try:
            callback(event)
        except Exception:
            # One broken observer must not stop the others nor fail the caller's commit.
            log.exception("event observer %r failed on %s", callback, event)


def clear() -> None:
    """Forget every observer (tests, and app shutdown)."""
    with _lock:
        _observers.clear()
