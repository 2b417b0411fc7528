"""What storage functions call to announce a change once their transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from marketplace.events.catalogue import CatalogueEvent, ChangeKind
from marketplace.events.community import CommunityEvent
from marketplace.events.unit_of_work import defer
from marketplace.events.version import mark_catalogue_changed, mark_live_changed
from marketplace.models import MobilityService

__all__ = ["record_community_event", "record_service_change"]

_STATION_IDS = "marketplace.events.station_ids"


def record_service_change(
    session: Session,
    kind: ChangeKind,
    service: MobilityService,
    station_ids: Iterable[int] = (),
) -> None:
    """Announce a ``kind`` change of ``service`` after the commit.

    Several records of the same kind and service in one transaction make one event, naming
    every station touched; it carries the service's status and version after the commit.
    An ``AVAILABILITY`` change (live counts, vehicles' positions) leaves the static version
    alone (:func:`marketplace.events.version.mark_live_changed`).
    """
    assert service.id is not None, "flush the service before recording its change"
    key = (kind, service.id)
    touched: dict[int, None] = session.info.setdefault(_STATION_IDS, {}).setdefault(key, {})
    touched.update(dict.fromkeys(station_ids))
    service_id = service.id
    if kind is ChangeKind.AVAILABILITY:
        mark_live_changed(session)
    else:
        mark_catalogue_changed(session)

    def build() -> CatalogueEvent:
        return CatalogueEvent(
            kind=kind,
            service_id=service_id,
            partner_id=service.partner_id,
            status=service.status,
            version=service.version,
            station_ids=tuple(touched),
        )

    defer(session, ("catalogue", *key), build)


def record_community_event(session: Session, event: CommunityEvent) -> None:
    """Announce ``event`` to the followers of its suggestion after the commit."""
    defer(session, ("community", id(event)), lambda: event)
