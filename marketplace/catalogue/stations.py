"""Stations of a service and their live availability, written in validated batches.

A batch is checked as a whole before anything is written and runs in the caller's single
transaction, so one bad row leaves the database as it was. Partners address stations by
their own ``external_id`` (GBFS ``station_id``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from marketplace.catalogue.services import lock_owned_service
from marketplace.catalogue.validation import check_coordinates, check_text
from marketplace.errors import InvalidInput
from marketplace.events.catalogue import ChangeKind
from marketplace.events.changes import record_service_change
from marketplace.events.version import claim_live_sequence
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.models import (
    MobilityService,
    Station,
    StationAvailability,
    StationKind,
    utcnow,
)

__all__ = [
    "MAX_STATION_CAPACITY",
    "OVERFLOW_FACTOR",
    "AvailabilityInput",
    "StationInput",
    "UpsertCounts",
    "availability_for_stations",
    "count_problems",
    "stations_for_services",
    "update_availability",
    "upsert_stations",
]

MAX_ERRORS_REPORTED = 10
MAX_STATION_CAPACITY = 10_000
"""Most places a station may have, and most vehicles or docks it may report (the largest
car parks hold a few thousand)."""
OVERFLOW_FACTOR = 2
"""A station may report up to this many times its places in vehicles: Vélib' parks bikes
beyond the docks of busy stations (its 2025-10-18 snapshot has 40 bikes at a 25-dock
station), but 500 vehicles at a 10-place station is a broken counter."""
# Partner clocks drift; a reading from a little in the future is still believable.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class StationInput:
    """A station as a partner sends it."""

    external_id: str
    name: str
    lat: float
    lon: float
    kind: StationKind = StationKind.STATION
    capacity: int | None = None
    wheelchair_accessible: bool = False


@dataclass(frozen=True, slots=True)
class AvailabilityInput:
    """One station's live counts (GBFS ``station_status``)."""

    station_external_id: str
    vehicles_available: int | None = None
    docks_available: int | None = None
    is_renting: bool = True
    is_returning: bool = True
    reported_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What a batch did, and the station rows it touched."""

    created: int
    updated: int
    station_ids: tuple[int, ...]
    service: MobilityService


class _Errors:
    """Collects a batch's problems so the partner fixes them all in one go."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.messages: list[str] = []

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.messages.append(message)

    def raise_if_any(self, total: int) -> None:
        if not self.messages:
            return
        shown = "; ".join(self.messages[:MAX_ERRORS_REPORTED])
        more = len(self.messages) - MAX_ERRORS_REPORTED
        suffix = f"; and {more} more" if more > 0 else ""
        raise InvalidInput(
            f"{len(self.messages)} problem(s) in {self.what} of {total} rows, nothing was "
            f"written: {shown}{suffix}",
            problems=self.messages[:MAX_ERRORS_REPORTED],
        )


def _check_batch_size(what: str, size: int, max_batch: int) -> None:
    if not 1 <= size <= max_batch:
        values = {"field": what, "size": size, "maximum": max_batch}
        raise InvalidInput(Message("import.batch_size", values))


def upsert_stations(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    stations: Sequence[StationInput],
    max_batch: int,
) -> UpsertCounts:
    """Create or update the caller's stations, matched on ``external_id``.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden
        Caller does not own the service.
    Conflict
        The service is retired.
    InvalidInput
        Any bad row (all problems listed); nothing is written.
    """
    service = lock_owned_service(session, actor, service_id)
    _check_batch_size("stations", len(stations), max_batch)
    errors = _Errors("stations")
    seen: set[str] = set()
    for i, row in enumerate(stations):
        where = f"stations[{i}]"
        errors.check(
            0 < len(row.external_id.strip()) <= 100, f"{where}.externalId must be 1-100 chars"
        )
        errors.check(row.external_id not in seen, f"{where}.externalId {row.external_id!r} repeats")
        seen.add(row.external_id)
        errors.check(0 < len(row.name.strip()) <= 200, f"{where}.name must be 1-200 characters")
        errors.check(
            row.capacity is None or 0 <= row.capacity <= MAX_STATION_CAPACITY,
            f"{where}.capacity is {row.capacity}; accepted: 0 to {MAX_STATION_CAPACITY}",
        )
        try:
            check_coordinates(f"{where} position", row.lat, row.lon)
        except InvalidInput as exc:
            errors.messages.append(exc.message)
    errors.raise_if_any(len(stations))

    existing = {
        s.external_id: s
        for s in session.exec(select(Station).where(Station.service_id == service_id))
    }
    now = utcnow()
    created = updated = 0
    touched: list[Station] = []
    for row in stations:
        station = existing.get(row.external_id)
        if station is None:
            station = Station(
                service_id=service_id, external_id=row.external_id, name="", lat=0, lon=0
            )
            created += 1
        else:
            updated += 1
        station.name = check_text("name", row.name, max_len=200)
        station.lat, station.lon = row.lat, row.lon
        station.kind = row.kind
        station.capacity = row.capacity
        station.wheelchair_accessible = row.wheelchair_accessible
        station.updated_at = now
        session.add(station)
        touched.append(station)
    session.flush()
    ids = tuple(s.id for s in touched if s.id is not None)
    record_service_change(session, ChangeKind.STATIONS, service, ids)
    return UpsertCounts(created=created, updated=updated, station_ids=ids, service=service)


def count_problems(row: AvailabilityInput, capacity: int | None, *, where: str) -> list[str]:
    """What is wrong with a reading's counts: below zero, beyond :data:`MAX_STATION_CAPACITY`,
    or beyond the station when its capacity is known: more free docks than places, or more
    than :data:`OVERFLOW_FACTOR` times as many vehicles as places."""
    problems = []
    for label, value, highest, why in (
        (
            "vehiclesAvailable",
            row.vehicles_available,
            MAX_STATION_CAPACITY if capacity is None else OVERFLOW_FACTOR * capacity,
            f"the station has {capacity} places; accepted: 0 to {OVERFLOW_FACTOR} times that "
            "(vehicles parked beyond the docks)",
        ),
        (
            "docksAvailable",
            row.docks_available,
            MAX_STATION_CAPACITY if capacity is None else capacity,
            f"the station has {capacity} places",
        ),
    ):
        if value is None or 0 <= value <= highest:
            continue
        beyond_station = capacity is not None and value > highest
        limit = why if beyond_station else f"accepted: 0 to {highest}"
        problems.append(f"{where}.{label} is {value}; {limit}")
    return problems


def update_availability(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    rows: Sequence[AvailabilityInput],
    max_batch: int,
) -> UpsertCounts:
    """Record the latest counts of many stations of the caller's service at once.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden
        Caller does not own the service.
    Conflict
        The service is retired.
    InvalidInput
        Unknown stations, negative counts, readings from the future (all listed); nothing
        is written.
    """
    service = lock_owned_service(session, actor, service_id)
    _check_batch_size("availability", len(rows), max_batch)
    # The batch's stations only (50 of a city's 1,500), with whether each has a reading yet:
    # one Core ``SELECT`` of plain rows, no ORM objects.
    found: dict[str, tuple[int, int | None, bool]] = {
        external_id: (station_id, capacity, live_id is not None)
        for external_id, station_id, capacity, live_id in session.execute(
            _BATCH_STATIONS.where(
                _STATION.c.service_id == service_id,
                _STATION.c.external_id.in_({row.station_external_id for row in rows}),
            )
        )
    }
    now = utcnow()
    errors = _Errors("availability")
    seen: set[str] = set()
    for i, row in enumerate(rows):
        where = f"availability[{i}]"
        station = found.get(row.station_external_id)
        errors.check(
            station is not None,
            f"{where}.stationExternalId {row.station_external_id!r} is not a station of "
            f"service {service_id} (upsert it first)",
        )
        errors.check(
            row.station_external_id not in seen,
            f"{where}.stationExternalId {row.station_external_id!r} repeats",
        )
        seen.add(row.station_external_id)
        capacity = None if station is None else station[1]
        errors.messages.extend(count_problems(row, capacity, where=where))
        if row.reported_at is not None:
            errors.check(
                row.reported_at.tzinfo is not None,
                f"{where}.reportedAt needs a timezone, e.g. 2030-01-01T08:00:00Z",
            )
            errors.check(
                row.reported_at.tzinfo is None or row.reported_at <= now + CLOCK_SKEW,
                f"{where}.reportedAt {row.reported_at.isoformat()} is in the future",
            )
    errors.raise_if_any(len(rows))

    ids = [found[row.station_external_id][0] for row in rows]
    created = sum(not found[row.station_external_id][2] for row in rows)
    # Stamped with the batch's live sequence number: planners re-read only the rows stamped
    # since they last read, and patch their snapshot with them.
    sequence = claim_live_sequence(session)
    values = [
        {
            "station_id": station_id,
            "vehicles_available": row.vehicles_available,
            "docks_available": row.docks_available,
            "is_renting": row.is_renting,
            "is_returning": row.is_returning,
            "reported_at": row.reported_at or now,
            "received_at": now,
            "live_sequence": sequence,
        }
        for station_id, row in zip(ids, rows, strict=True)
    ]
    # One INSERT … ON CONFLICT UPDATE executed for many rows, on the table (Core, not the ORM's
    # bulk insert): live counts arrive every few seconds in batches of hundreds.
    session.execute(_upsert_availability(session), values)
    record_service_change(session, ChangeKind.AVAILABILITY, service, ids)
    return UpsertCounts(
        created=created, updated=len(rows) - created, station_ids=tuple(ids), service=service
    )


_STATION = Station.__table__  # type: ignore[attr-defined]
_AVAILABILITY = StationAvailability.__table__  # type: ignore[attr-defined]
_BATCH_STATIONS = sa.select(
    _STATION.c.external_id,
    _STATION.c.id,
    _STATION.c.capacity,
    _AVAILABILITY.c.station_id,
).select_from(_STATION.outerjoin(_AVAILABILITY, _AVAILABILITY.c.station_id == _STATION.c.id))
_UPSERTS: dict[str, Any] = {}


def _upsert_availability(session: Session) -> Any:
    """The availability upsert of the session's dialect, built once per dialect (the same
    statement object each time, so its compiled form is cached)."""
    dialect = session.get_bind().dialect.name
    statement = _UPSERTS.get(dialect)
    if statement is None:
        insert = _dialect_insert(session)(_AVAILABILITY)
        statement = insert.on_conflict_do_update(
            index_elements=[_AVAILABILITY.c.station_id],
            set_={
                name: insert.excluded[name]
                for name in (
                    "vehicles_available",
                    "docks_available",
                    "is_renting",
                    "is_returning",
                    "reported_at",
                    "received_at",
                    "live_sequence",
                )
            },
        )
        _UPSERTS[dialect] = statement
    return statement


def _dialect_insert(session: Session) -> Any:
    """``insert`` of the session's dialect, which knows ``ON CONFLICT`` (both do)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def stations_for_services(
    session: Session, service_ids: Sequence[int]
) -> dict[int, list[tuple[Station, StationAvailability | None]]]:
    """Stations of each service, by external id, each with its latest availability.

    One query with an outer join: the API and the planner always want both.
    """
    result: dict[int, list[tuple[Station, StationAvailability | None]]] = {
        sid: [] for sid in service_ids
    }
    if not service_ids:
        return result
    query = (
        select(Station, StationAvailability)
        .join(
            StationAvailability,
            col(StationAvailability.station_id) == col(Station.id),
            isouter=True,
        )
        .where(col(Station.service_id).in_(list(service_ids)))
        .order_by(col(Station.service_id), col(Station.external_id))
    )
    for station, availability in session.exec(query):
        result[station.service_id].append((station, availability))
    return result


def availability_for_stations(
    session: Session, station_ids: Sequence[int]
) -> dict[int, StationAvailability]:
    """The latest availability of each station that has one."""
    if not station_ids:
        return {}
    query = select(StationAvailability).where(
        col(StationAvailability.station_id).in_(list(station_ids))
    )
    return {a.station_id: a for a in session.exec(query)}
