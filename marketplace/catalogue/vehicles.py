"""Free-floating vehicles of a service: placed, moved, removed (by hand or GBFS vehicle_status).

A vehicle belongs to a service with a zone (bike, scooter or car share run free-floating) and
must stand inside that zone, outside its no-parking areas: where a ride may end is where a
vehicle may wait. A batch is checked whole before anything is written, in the caller's single
transaction; partners address vehicles by their own ``external_id`` (GBFS ``vehicle_id``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session, col, delete, select

from marketplace.catalogue.services import lock_owned_service
from marketplace.catalogue.validation import check_coordinates
from marketplace.errors import InvalidInput
from marketplace.events.catalogue import ChangeKind
from marketplace.events.changes import record_service_change
from marketplace.identity.actors import Actor
from marketplace.models import FreeVehicle, MobilityService, ServiceKind, utcnow

__all__ = [
    "FREE_FLOATING_KINDS",
    "VehicleInput",
    "VehiclesPlaced",
    "place_vehicles",
    "position_problem",
    "remove_vehicles",
    "service_zones",
    "vehicles_for_services",
]

FREE_FLOATING_KINDS = frozenset(
    {ServiceKind.BIKE_SHARE, ServiceKind.SCOOTER_SHARE, ServiceKind.CAR_SHARE}
)
MAX_PROBLEMS_REPORTED = 10
# Partner clocks drift; a position from a little in the future is still believable.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class VehicleInput:
    """A vehicle as a partner places it (GBFS ``vehicle_status`` row)."""

    external_id: str
    lat: float
    lon: float
    battery_pct: int | None = None
    is_reserved: bool = False
    is_disabled: bool = False
    reported_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class VehiclesPlaced:
    """What a batch did, and the service's vehicles after it."""

    created: int
    updated: int
    service: MobilityService
    vehicles: tuple[FreeVehicle, ...]


def service_zones(service: MobilityService) -> tuple[BaseGeometry, BaseGeometry | None]:
    """The service's zone and no-parking areas; refused when it runs no free-floating fleet."""
    if service.kind not in FREE_FLOATING_KINDS:
        kinds = ", ".join(sorted(k.name for k in FREE_FLOATING_KINDS))
        raise InvalidInput(
            f"service {service.id} is a {service.kind.name} service; vehicles are placed in "
            f"free-floating services of kind {kinds}",
            field="serviceId",
        )
    if not service.service_area:
        raise InvalidInput(
            f"service {service.id} has no service zone yet; draw its zone (serviceArea) "
            "before placing vehicles in it",
            field="serviceId",
        )
    zone = shape(json.loads(service.service_area))
    no_parking = shape(json.loads(service.no_parking_area)) if service.no_parking_area else None
    return zone, no_parking


def position_problem(
    where: str, lat: float, lon: float, zone: BaseGeometry, no_parking: BaseGeometry | None
) -> str | None:
    """Why a vehicle may not stand at (lat, lon), or ``None`` when it may."""
    try:
        check_coordinates(f"{where} position", lat, lon)
    except InvalidInput as exc:
        return exc.message
    point = Point(lon, lat)
    if not zone.covers(point):
        return (
            f"{where} ({lat:.5f}, {lon:.5f}) lies outside the service zone; place vehicles "
            "inside it"
        )
    if no_parking is not None and no_parking.intersects(point):
        return (
            f"{where} ({lat:.5f}, {lon:.5f}) lies in a no-parking area; place vehicles where "
            "rides may end"
        )
    return None


def _check(
    rows: Sequence[VehicleInput],
    zone: BaseGeometry,
    no_parking: BaseGeometry | None,
    max_batch: int,
) -> None:
    if not 1 <= len(rows) <= max_batch:
        raise InvalidInput(
            f"vehicles has {len(rows)} rows; send between 1 and {max_batch} per call",
            field="vehicles",
        )
    problems: list[str] = []
    seen: set[str] = set()
    latest = utcnow() + CLOCK_SKEW
    for i, row in enumerate(rows):
        where = f"vehicles[{i}]"
        if not 0 < len(row.external_id.strip()) <= 100:
            problems.append(f"{where}.externalId must be 1-100 characters")
        elif row.external_id in seen:
            problems.append(f"{where}.externalId {row.external_id!r} repeats")
        seen.add(row.external_id)
        if row.battery_pct is not None and not 0 <= row.battery_pct <= 100:
            problems.append(f"{where}.batteryPct is {row.battery_pct}; accepted: 0 to 100")
        if row.reported_at is not None and row.reported_at > latest:
            problems.append(
                f"{where}.reportedAt {row.reported_at.isoformat()} is in the future; send the "
                "time the position was read"
            )
        problem = position_problem(where, row.lat, row.lon, zone, no_parking)
        if problem:
            problems.append(problem)
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_REPORTED])
        more = len(problems) - MAX_PROBLEMS_REPORTED
        raise InvalidInput(
            f"{len(problems)} problem(s) in vehicles of {len(rows)} rows, nothing was written: "
            f"{shown}{f'; and {more} more' if more > 0 else ''}",
            problems=problems[:MAX_PROBLEMS_REPORTED],
        )


def place_vehicles(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    vehicles: Sequence[VehicleInput],
    max_batch: int,
) -> VehiclesPlaced:
    """Create or move the caller's vehicles, matched on ``external_id``; others stay.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden
        Caller does not own the service.
    Conflict
        The service is retired.
    InvalidInput
        Not a free-floating service with a zone, or any bad row (all problems listed: outside
        the zone, in a no-parking area, battery beyond 0-100, ids repeated); nothing is written.
    """
    service = lock_owned_service(session, actor, service_id)
    zone, no_parking = service_zones(service)
    _check(vehicles, zone, no_parking, max_batch)
    existing = {
        v.external_id: v
        for v in session.exec(select(FreeVehicle).where(FreeVehicle.service_id == service_id))
    }
    now = utcnow()
    created = updated = 0
    for row in vehicles:
        vehicle = existing.get(row.external_id)
        if vehicle is None:
            vehicle = FreeVehicle(service_id=service_id, external_id=row.external_id, lat=0, lon=0)
            existing[row.external_id] = vehicle
            created += 1
        else:
            updated += 1
        vehicle.lat, vehicle.lon = row.lat, row.lon
        vehicle.battery_pct = row.battery_pct
        vehicle.is_reserved = row.is_reserved
        vehicle.is_disabled = row.is_disabled
        vehicle.reported_at = row.reported_at or now
        vehicle.updated_at = now
        session.add(vehicle)
    session.flush()
    # Positions are live state, like station counts: plans read them at once.
    record_service_change(session, ChangeKind.AVAILABILITY, service)
    return VehiclesPlaced(
        created=created,
        updated=updated,
        service=service,
        vehicles=tuple(sorted(existing.values(), key=lambda v: v.external_id)),
    )


def remove_vehicles(
    session: Session, *, actor: Actor | None, service_id: int, external_ids: Sequence[str]
) -> int:
    """Take the caller's vehicles off the street; returns how many were removed.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden
        Caller does not own the service.
    InvalidInput
        An id the service has no vehicle by (all listed); nothing is removed.
    """
    service = lock_owned_service(session, actor, service_id)
    if not external_ids:
        raise InvalidInput("externalIds is empty; name at least one vehicle", field="externalIds")
    known = set(
        session.exec(
            select(FreeVehicle.external_id).where(
                FreeVehicle.service_id == service_id,
                col(FreeVehicle.external_id).in_(list(external_ids)),
            )
        )
    )
    unknown = [i for i in dict.fromkeys(external_ids) if i not in known]
    if unknown:
        raise InvalidInput(
            f"service {service_id} has no vehicle {', '.join(map(repr, unknown[:10]))}; "
            "nothing was removed",
            field="externalIds",
        )
    session.exec(
        delete(FreeVehicle).where(
            col(FreeVehicle.service_id) == service_id,
            col(FreeVehicle.external_id).in_(list(known)),
        )
    )
    record_service_change(session, ChangeKind.AVAILABILITY, service)
    return len(known)


def vehicles_for_services(
    session: Session, service_ids: Sequence[int]
) -> dict[int, list[FreeVehicle]]:
    """Vehicles of each service, by external id (one query)."""
    result: dict[int, list[FreeVehicle]] = {sid: [] for sid in service_ids}
    if not service_ids:
        return result
    query = (
        select(FreeVehicle)
        .where(col(FreeVehicle.service_id).in_(list(service_ids)))
        .order_by(col(FreeVehicle.service_id), col(FreeVehicle.external_id))
    )
    for vehicle in session.exec(query):
        result[vehicle.service_id].append(vehicle)
    return result
