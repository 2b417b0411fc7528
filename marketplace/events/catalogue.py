"""Catalogue change events: what changed about which service, and their wire format.

Storage functions record them (:func:`marketplace.events.changes.record_service_change`);
the unit of work publishes them on the bus after the commit. The trip planner's service
index subscribes to refresh itself, and the GraphQL subscriptions are fed from the same
events (through :mod:`marketplace.events.live`, which also relays them across processes).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.models import ServiceStatus, utcnow

__all__ = ["CatalogueEvent", "ChangeKind", "decode_event", "encode_event"]


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


def encode_event(event: CatalogueEvent, origin: str) -> str:
    """JSON for the wire, stamped with the sending process."""
    return json.dumps(
        {
            "kind": event.kind.value,
            "service_id": event.service_id,
            "partner_id": event.partner_id,
            "status": event.status.name,
            "version": event.version,
            "station_ids": list(event.station_ids),
            "at": event.at.isoformat(),
            "origin": origin,
        }
    )


def decode_event(message: str) -> CatalogueEvent:
    """The event of :func:`encode_event`.

    Raises
    ------
    KeyError, ValueError
        A malformed message.
    """
    data = json.loads(message)
    return CatalogueEvent(
        kind=ChangeKind(data["kind"]),
        service_id=data["service_id"],
        partner_id=data["partner_id"],
        status=ServiceStatus[data["status"]],
        version=data["version"],
        station_ids=tuple(data["station_ids"]),
        at=datetime.fromisoformat(data["at"]),
        origin=data["origin"],
    )
