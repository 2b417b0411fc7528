"""The published catalogue as plain values: what the trip planner reads.

The routing engine knows nothing of SQL; these functions hand it frozen dataclasses of the
services that are ``PUBLISHED`` now, with their stations, live availability, prices and
vehicle types. Pair them with :func:`marketplace.events.catalogue.subscribe` to refresh an
index when a :class:`~marketplace.events.catalogue.CatalogueEvent` arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from marketplace.catalogue.offers import plans_for_services, vehicle_types_for_services
from marketplace.catalogue.validation import OpeningPeriod, load_opening_hours
from marketplace.catalogue.vehicles import vehicles_for_services
from marketplace.models import (
    FormFactor,
    FreeVehicle,
    MobilityService,
    Propulsion,
    ServiceKind,
    ServiceStatus,
    Station,
    StationAvailability,
    StationKind,
)

__all__ = [
    "AvailabilityView",
    "FreeVehicleView",
    "PricingView",
    "ServiceView",
    "StationView",
    "VehicleTypeView",
    "live_availability",
    "live_vehicles",
    "published_availability",
    "published_service",
    "published_services",
]


@dataclass(frozen=True, slots=True)
class AvailabilityView:
    """Live counts of a station; ``docks_available`` is free docks or parking spaces."""

    station_id: int
    vehicles_available: int | None
    docks_available: int | None
    is_renting: bool
    is_returning: bool
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class StationView:
    """A station, stop or parking site (WGS 84), with its latest availability if any."""

    id: int
    service_id: int
    external_id: str
    name: str
    kind: StationKind
    lat: float
    lon: float
    capacity: int | None
    wheelchair_accessible: bool
    availability: AvailabilityView | None


@dataclass(frozen=True, slots=True)
class PricingView:
    """A pricing plan; amounts in minor units of ``currency`` (cents for EUR)."""

    external_id: str
    name: str
    currency: str
    unlock_fee_minor: int
    per_minute_minor: int
    per_km_minor: int
    per_hour_minor: int
    daily_cap_minor: int | None


@dataclass(frozen=True, slots=True)
class VehicleTypeView:
    """A vehicle type; ``max_range_m`` for motorised vehicles."""

    external_id: str
    name: str
    form_factor: FormFactor
    propulsion: Propulsion
    max_range_m: int | None


@dataclass(frozen=True, slots=True)
class FreeVehicleView:
    """A free-floating vehicle where it stands; ``available`` unless reserved or disabled."""

    external_id: str
    lat: float
    lon: float
    battery_pct: int | None
    available: bool
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class ServiceView:
    """A published service and everything the planner needs about it.

    ``service_area_geojson`` is a GeoJSON Polygon/MultiPolygon (lon/lat) or ``None``;
    ``opening_hours`` ``None`` means always open.
    """

    id: int
    version: int
    kind: ServiceKind
    name: str
    partner_id: int
    booking_url: str | None
    service_area_geojson: str | None
    no_parking_geojson: str | None
    opening_hours: tuple[OpeningPeriod, ...] | None
    wheelchair_accessible: bool
    co2_g_per_km: float | None
    stations: tuple[StationView, ...]
    pricing_plans: tuple[PricingView, ...]
    vehicle_types: tuple[VehicleTypeView, ...]
    vehicles: tuple[FreeVehicleView, ...] = ()


def _availability(row: StationAvailability) -> AvailabilityView:
    return AvailabilityView(
        station_id=row.station_id,
        vehicles_available=row.vehicles_available,
        docks_available=row.docks_available,
        is_renting=row.is_renting,
        is_returning=row.is_returning,
        reported_at=row.reported_at,
    )


_STATION = Station.__table__  # type: ignore[attr-defined]
_AVAILABILITY = StationAvailability.__table__  # type: ignore[attr-defined]
_STATION_ROWS = (
    sa.select(
        _STATION.c.id,
        _STATION.c.service_id,
        _STATION.c.external_id,
        _STATION.c.name,
        _STATION.c.kind,
        _STATION.c.lat,
        _STATION.c.lon,
        _STATION.c.capacity,
        _STATION.c.wheelchair_accessible,
        _AVAILABILITY.c.station_id,
        _AVAILABILITY.c.vehicles_available,
        _AVAILABILITY.c.docks_available,
        _AVAILABILITY.c.is_renting,
        _AVAILABILITY.c.is_returning,
        _AVAILABILITY.c.reported_at,
    )
    .select_from(_STATION.outerjoin(_AVAILABILITY, _AVAILABILITY.c.station_id == _STATION.c.id))
    .order_by(_STATION.c.service_id, _STATION.c.external_id)
)
"""Stations with their latest availability as plain rows: every plan server rebuilds its
snapshot after each availability batch (a city's 1,500 Vélib' stations), and ORM objects
per row cost five times what the views made from them do (benchmarks/http_cpu.py)."""


def station_views_for_services(
    session: Session, service_ids: Sequence[int]
) -> dict[int, list[StationView]]:
    """The stations of each service (by external id) with their latest availability.

    One query with an outer join, read as rows (the columns' types still apply: enums, aware
    UTC datetimes), not ORM objects.
    """
    result: dict[int, list[StationView]] = {sid: [] for sid in service_ids}
    if not service_ids:
        return result
    query = _STATION_ROWS.where(_STATION.c.service_id.in_(list(service_ids)))
    for row in session.execute(query).all():
        (sid, service_id, external_id, name, kind, lat, lon, capacity, wheelchair, live_id) = row[
            :10
        ]
        result[service_id].append(
            StationView(
                id=sid,
                service_id=service_id,
                external_id=external_id,
                name=name,
                kind=kind,
                lat=lat,
                lon=lon,
                capacity=capacity,
                wheelchair_accessible=wheelchair,
                availability=None
                if live_id is None
                else AvailabilityView(live_id, row[10], row[11], row[12], row[13], row[14]),
            )
        )
    return result


_LIVE_ROWS = sa.select(
    _AVAILABILITY.c.station_id,
    _AVAILABILITY.c.vehicles_available,
    _AVAILABILITY.c.docks_available,
    _AVAILABILITY.c.is_renting,
    _AVAILABILITY.c.is_returning,
    _AVAILABILITY.c.reported_at,
)

LiveRow = tuple[int, int | None, int | None, bool, bool, datetime]
"""A station's availability as read: station id, vehicles, docks, renting, returning,
reported at (the fields of :class:`AvailabilityView`, in order)."""


def live_availability(session: Session, *, since: int) -> dict[int, LiveRow]:
    """The availability rows written by batches after live sequence number ``since``
    (:func:`marketplace.events.version.claim_live_sequence`), by station id: what a planner
    holding the rest of the catalogue, read after that number, reads after a change of live
    counts only (one indexed ``SELECT`` of six small columns: the batch's rows, no join)."""
    query = _LIVE_ROWS.where(_AVAILABILITY.c.live_sequence > since)
    return {row[0]: tuple(row) for row in session.execute(query).all()}


def availability_view(row: LiveRow) -> AvailabilityView:
    """The view of a row of :func:`live_availability`."""
    return AvailabilityView(*row)


def _vehicle_view(v: FreeVehicle) -> FreeVehicleView:
    return FreeVehicleView(
        external_id=v.external_id,
        lat=v.lat,
        lon=v.lon,
        battery_pct=v.battery_pct,
        available=not (v.is_reserved or v.is_disabled),
        reported_at=v.reported_at,
    )


def live_vehicles(
    session: Session, service_ids: Sequence[int]
) -> dict[int, tuple[FreeVehicleView, ...]]:
    """The free-floating vehicles of each service as :attr:`ServiceView.vehicles` has them."""
    return {
        sid: tuple(_vehicle_view(v) for v in fleet)
        for sid, fleet in vehicles_for_services(session, service_ids).items()
    }


def published_services(
    session: Session,
    *,
    kinds: Sequence[ServiceKind] | None = None,
    service_ids: Sequence[int] | None = None,
) -> list[ServiceView]:
    """Every published service (optionally of some kinds, or some ids), by id.

    Parameters
    ----------
    session
        An open session (e.g. ``with database.session() as session``).
    kinds
        Keep only these kinds.
    service_ids
        Keep only these ids (refresh after an event); unpublished ones are left out.

    Returns
    -------
    list[ServiceView]
    """
    query = select(MobilityService).where(col(MobilityService.status) == ServiceStatus.PUBLISHED)
    if kinds:
        query = query.where(col(MobilityService.kind).in_(list(kinds)))
    if service_ids is not None:
        query = query.where(col(MobilityService.id).in_(list(service_ids)))
    services = list(session.exec(query.order_by(col(MobilityService.id))))
    ids = [s.id for s in services if s.id is not None]
    stations = station_views_for_services(session, ids)
    plans = plans_for_services(session, ids)
    vehicles = vehicle_types_for_services(session, ids)
    fleets = vehicles_for_services(session, ids)
    views = []
    for s in services:
        assert s.id is not None
        hours = load_opening_hours(s.opening_hours)
        views.append(
            ServiceView(
                id=s.id,
                version=s.version,
                kind=s.kind,
                name=s.name,
                partner_id=s.partner_id,
                booking_url=s.booking_url,
                service_area_geojson=s.service_area,
                no_parking_geojson=s.no_parking_area,
                opening_hours=tuple(hours) if hours is not None else None,
                wheelchair_accessible=s.wheelchair_accessible,
                co2_g_per_km=s.co2_g_per_km,
                stations=tuple(stations[s.id]),
                pricing_plans=tuple(
                    PricingView(
                        external_id=p.external_id,
                        name=p.name,
                        currency=p.currency,
                        unlock_fee_minor=p.unlock_fee_minor,
                        per_minute_minor=p.per_minute_minor,
                        per_km_minor=p.per_km_minor,
                        per_hour_minor=p.per_hour_minor,
                        daily_cap_minor=p.daily_cap_minor,
                    )
                    for p in plans[s.id]
                ),
                vehicle_types=tuple(
                    VehicleTypeView(
                        external_id=v.external_id,
                        name=v.name,
                        form_factor=v.form_factor,
                        propulsion=v.propulsion,
                        max_range_m=v.max_range_m,
                    )
                    for v in vehicles[s.id]
                ),
                vehicles=tuple(_vehicle_view(v) for v in fleets[s.id]),
            )
        )
    return views


def published_service(session: Session, service_id: int) -> ServiceView | None:
    """One published service, or ``None`` when it is unknown or not published."""
    found = published_services(session, service_ids=[service_id])
    return found[0] if found else None


def published_availability(
    session: Session, *, station_ids: Sequence[int]
) -> dict[int, AvailabilityView]:
    """Latest availability of the given stations, keyed by station id.

    Only stations of published services appear; call it after an ``AVAILABILITY`` event
    with the event's ``station_ids``.
    """
    query = (
        select(StationAvailability)
        .join(Station, col(Station.id) == col(StationAvailability.station_id))
        .join(MobilityService, col(MobilityService.id) == col(Station.service_id))
        .where(
            col(StationAvailability.station_id).in_(list(station_ids)),
            col(MobilityService.status) == ServiceStatus.PUBLISHED,
        )
    )
    return {row.station_id: _availability(row) for row in session.exec(query)}
