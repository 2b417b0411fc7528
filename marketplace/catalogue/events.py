"""Catalogue change notifications: an in-process observer list.

Storage functions return what changed; the API publishes a :class:`CatalogueEvent` here
once the transaction has committed. The trip planner's service index subscribes to refresh
itself, and the GraphQL subscriptions are fed from the same events (through
:mod:`marketplace.api.live`, which also relays them across processes when Redis is set up).

Callbacks run synchronously in the publisher's thread; they must be quick and must not
raise (an exception is logged and the other observers still run).
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.models import ServiceStatus, utcnow

__all__ = [
    "CatalogueEvent",
    "ChangeKind",
    "Observer",
    "clear",
    "publish",
    "subscribe",
    "unsubscribe",
]

log = logging.getLogger(__name__)


class ChangeKind(enum.Enum):
    """What changed about a service."""

    SERVICE = "service"  # fields or status of the service itself
    STATIONS = "stations"  # stations added, moved or renamed
    AVAILABILITY = "availability"  # live counts of stations
    OFFER = "offer"  # pricing plans or vehicle types
    TIMETABLE = "timetable"  # routes, trips and stop times (GTFS)


@dataclass(frozen=True, slots=True)
class CatalogueEvent:
    """One committed change to one service.

    ``status`` is the service's status after the change: a planner drops the service from
    its index unless it is published. ``origin`` is ``None`` for changes made in this
    process, else the id of the server process that relayed it.
    """

    kind: ChangeKind
    service_id: int
    partner_id: int
    status: ServiceStatus
    version: int
    station_ids: tuple[int, ...] = ()
    at: datetime = field(default_factory=utcnow)
    origin: str | None = None

    @property
    def published(self) -> bool:
        """Whether the service is published after the change."""
        return self.status is ServiceStatus.PUBLISHED


Observer = Callable[[CatalogueEvent], None]

_observers: list[Observer] = []
_lock = threading.Lock()


def subscribe(callback: Observer) -> Callable[[], None]:
    """Call ``callback(event)`` after every catalogue change.

    Returns
    -------
    Callable[[], None]
        A function that unsubscribes this callback.
    """
    with _lock:
        _observers.append(callback)
    return lambda: unsubscribe(callback)


def unsubscribe(callback: Observer) -> None:
    """Stop calling ``callback``; unknown callbacks are ignored."""
    with _lock:
        if callback in _observers:
            _observers.remove(callback)


def publish(event: CatalogueEvent) -> None:
    """Hand ``event`` to every observer, in subscription order."""
    with _lock:
        observers = list(_observers)
    for callback in observers:
        try:
            callback(event)
        except Exception:
            # One broken observer must not stop the others nor fail the partner's mutation.
            log.exception("catalogue observer %r failed on %s", callback, event)


def clear() -> None:
    """Forget every observer (tests, and app shutdown)."""
    with _lock:
        _observers.clear()
