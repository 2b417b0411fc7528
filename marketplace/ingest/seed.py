"""Loading Issy's open data into the marketplace as the city's open-data partner.

One call of :func:`seed_open_data` runs in the caller's single transaction: the Vélib'
stations go through the GBFS importer, transit stops through the same station batches the
API uses, places and the boundary through :mod:`marketplace.catalogue.places`. Rows are
compared with what is stored first and only differences are written, so a second run with
the same files changes nothing (and publishes no change event).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlmodel import Session, col, select

from marketplace.catalogue.places import RegionFields, Upserted, upsert_places, upsert_region
from marketplace.catalogue.services import (
    ServiceFields,
    change_status,
    create_service,
    update_service,
)
from marketplace.catalogue.stations import AvailabilityInput, StationInput, upsert_stations
from marketplace.identity.actors import Actor
from marketplace.identity.partners import create_partner
from marketplace.ingest.gbfs import import_gbfs
from marketplace.ingest.open_data import Network, OpenData
from marketplace.models import (
    MobilityService,
    Partner,
    PartnerKind,
    ServiceKind,
    ServiceStatus,
    Station,
    StationAvailability,
)

__all__ = ["OPEN_DATA_PARTNER", "VELIB_SERVICE", "SeedReport", "seed_open_data"]

OPEN_DATA_PARTNER = "Issy open data"
VELIB_SERVICE = "Vélib' Métropole"
_STATION_FIELDS = ("name", "lat", "lon", "kind", "capacity", "wheelchair_accessible")
_STATUS_FIELDS = ("vehicles_available", "docks_available", "is_renting", "is_returning")


@dataclass
class SeedReport:
    """Per part of the seed (``"Vélib' stations"``, a network, ``"places"``…): what changed."""

    parts: dict[str, Upserted] = field(default_factory=dict)
    services_created: int = 0
    services_described: int = 0
    """Services whose description the seed rewrote (an older seed's wording)."""
    services_published: int = 0

    @property
    def changed(self) -> bool:
        """Whether the run wrote anything at all."""
        return (
            self.services_created > 0
            or self.services_described > 0
            or self.services_published > 0
            or any(p.created or p.updated for p in self.parts.values())
        )


def _partner(session: Session) -> Actor:
    partner = session.exec(select(Partner).where(Partner.name == OPEN_DATA_PARTNER)).first()
    if partner is None:
        partner = create_partner(session, name=OPEN_DATA_PARTNER, kind=PartnerKind.CITY)
    assert partner.id is not None
    return Actor(partner_id=partner.id, partner_name=partner.name, kind=partner.kind)


def _service(
    session: Session, actor: Actor, report: SeedReport, *, kind: ServiceKind, name: str, about: str
) -> MobilityService:
    service = session.exec(
        select(MobilityService).where(
            MobilityService.partner_id == actor.partner_id, MobilityService.name == name
        )
    ).first()
    if service is None:
        service = create_service(
            session, actor=actor, fields=ServiceFields(kind=kind, name=name, description=about)
        )
        report.services_created += 1
    elif service.description != about and service.status is not ServiceStatus.RETIRED:
        # An older seed described it in English: the city's language now, kept on reruns.
        assert service.id is not None
        service = update_service(
            session,
            actor=actor,
            service_id=service.id,
            expected_version=service.version,
            changes={"description": about},
        )
        report.services_described += 1
    return service


def _publish(session: Session, actor: Actor, service: MobilityService, report: SeedReport) -> None:
    if service.status is ServiceStatus.DRAFT:
        assert service.id is not None
        change_status(session, actor=actor, service_id=service.id, status=ServiceStatus.PUBLISHED)
        report.services_published += 1


def _changed_stations(
    session: Session, service_id: int, rows: Sequence[StationInput]
) -> tuple[list[StationInput], Upserted]:
    stored = {
        s.external_id: s
        for s in session.exec(select(Station).where(Station.service_id == service_id))
    }
    changed = [
        row
        for row in rows
        if row.external_id not in stored
        or any(getattr(stored[row.external_id], n) != getattr(row, n) for n in _STATION_FIELDS)
    ]
    created = sum(1 for row in changed if row.external_id not in stored)
    return changed, Upserted(created, len(changed) - created, len(rows) - len(changed))


def _changed_status(
    session: Session, service_id: int, rows: Sequence[AvailabilityInput]
) -> tuple[list[AvailabilityInput], Upserted]:
    stored = {
        external_id: availability
        for external_id, availability in session.exec(
            select(Station.external_id, StationAvailability)
            .join(StationAvailability, col(StationAvailability.station_id) == col(Station.id))
            .where(Station.service_id == service_id)
        )
    }
    changed = []
    for row in rows:
        old = stored.get(row.station_external_id)
        if (
            old is None
            or old.reported_at != row.reported_at
            or any(getattr(old, n) != getattr(row, n) for n in _STATUS_FIELDS)
        ):
            changed.append(row)
    created = sum(1 for row in changed if row.station_external_id not in stored)
    return changed, Upserted(created, len(changed) - created, len(rows) - len(changed))


def _seed_velib(session: Session, actor: Actor, data: OpenData, report: SeedReport) -> None:
    about = (
        "Stations Vélib' Métropole d'Issy-les-Moulineaux et de 1 km alentour, avec leur "
        "capacité et les vélos et places disponibles de l'instantané open data, chacun à "
        "son heure de relevé. Ces données ne publient pas de tarifs. Données : Vélib' "
        "Métropole (opendata.paris.fr, ODbL)."
    )
    service = _service(
        session, actor, report, kind=ServiceKind.BIKE_SHARE, name=VELIB_SERVICE, about=about
    )
    assert service.id is not None
    stations, station_counts = _changed_stations(session, service.id, data.velib.stations or [])
    if stations:
        feeds = replace(data.velib, stations=stations, status=None)
        import_gbfs(session, actor=actor, service_id=service.id, feeds=feeds)
    status, status_counts = _changed_status(session, service.id, data.velib.status or [])
    if status:
        feeds = replace(data.velib, stations=None, status=status)
        import_gbfs(session, actor=actor, service_id=service.id, feeds=feeds)
    report.parts["Vélib' stations"] = station_counts
    report.parts["Vélib' availability"] = status_counts
    _publish(session, actor, service, report)


def _seed_network(session: Session, actor: Actor, network: Network, report: SeedReport) -> None:
    service = _service(
        session,
        actor,
        report,
        kind=ServiceKind.PUBLIC_TRANSPORT,
        name=network.name,
        about=network.description,
    )
    assert service.id is not None
    changed, counts = _changed_stations(session, service.id, network.stations)
    if changed:
        upsert_stations(
            session, actor=actor, service_id=service.id, stations=changed, max_batch=len(changed)
        )
    report.parts[network.name] = counts
    _publish(session, actor, service, report)


def seed_open_data(session: Session, data: OpenData) -> SeedReport:
    """Write ``data`` as the open-data partner's services, places and region.

    Creates the partner (a ``CITY`` partner) and its services when missing; publishes them.
    Runs in the caller's transaction: call it through ``Database.call`` so a failure leaves
    nothing behind.
    """
    report = SeedReport()
    actor = _partner(session)
    boundary = data.boundary
    report.parts["boundary"] = upsert_region(
        session,
        RegionFields(
            name=boundary.name,
            source=data.datasets[0].file,
            boundary_geojson=boundary.geojson,
            centre_lat=boundary.centre_lat,
            centre_lon=boundary.centre_lon,
            attribution=boundary.attribution,
        ),
    )
    _seed_velib(session, actor, data, report)
    for network in data.networks:
        _seed_network(session, actor, network, report)
    report.parts["places"] = upsert_places(session, data.places)
    return report
