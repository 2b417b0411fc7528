"""GTFS import for shuttles and public transport: stops, routes, calendars, trips, times.

A feed missing a required file or column, or breaking the CSV rules, is rejected whole with
the reason before anything is written (:mod:`marketplace.ingest.gtfs_files`). Bad rows (a stop
40 km away, a trip of an unknown route, a repeated row) are skipped and reported, and so are
trips a planner cannot use, as the canonical GTFS validator rejects them: a time that is no
time (``25:99:99``), times going backwards, fewer than two timed stops. Such a trip is left
out whole, never kept with the stops that remain. Stops are upserted as the service's stations
(kind ``STOP``, matched on ``stop_id``); the timetable itself (routes, calendars, trips, stop
times) is replaced as a whole, so re-importing the same feed leaves the same data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from marketplace.catalogue.services import lock_owned_service
from marketplace.catalogue.stations import StationInput, upsert_stations
from marketplace.catalogue.validation import check_coordinates
from marketplace.errors import Conflict, InvalidInput
from marketplace.events.catalogue import ChangeKind
from marketplace.events.changes import record_service_change
from marketplace.events.version import scope_timetable_writes
from marketplace.identity.actors import Actor
from marketplace.ingest.gtfs_files import WEEKDAYS, GtfsFeed, parse_gtfs, read_gtfs
from marketplace.ingest.gtfs_rules import (
    agency_timezones,
    import_fares,
    import_fares_v2,
    import_stop_zones,
    import_transfers,
    read_feed_fares_v2,
)
from marketplace.ingest.report import ImportReport, SkippedRow
from marketplace.models import (
    Station,
    StationKind,
    TransitCalendar,
    TransitCalendarDate,
    TransitFare,
    TransitFaresV2,
    TransitRoute,
    TransitStopTime,
    TransitStopZone,
    TransitTransfer,
    TransitTrip,
)
from routing.transit.errors import TimetableError
from routing.transit.fares_v2 import FaresV2
from routing.transit.timetable import ServiceCalendar

__all__ = [
    "STOP_TIMES_PER_BATCH",
    "GtfsFeed",
    "PreparedGtfs",
    "StopTimesWritten",
    "import_gtfs",
    "parse_gtfs",
    "prepare_gtfs",
    "read_gtfs",
    "service_stop_ids",
    "write_gtfs",
]

STOP_TIMES_PER_BATCH = 20_000
"""Stop times inserted per statement: between two, the import reports how far it got."""

StopTimesWritten = Callable[[int, int], None]
"""Called with the stop times written so far and the total, before the first batch and after
each; whatever it raises (a cancelled job) rolls the caller's transaction back."""

MAX_HOURS = 48
"""Stop times are read from ``0:00:00`` to ``47:59:59`` (a trip may run past midnight of its
service day, not for days)."""

MAX_STOP_SEQUENCE = 2**31 - 1
"""Largest ``stop_sequence`` (the column is a 32-bit integer on PostgreSQL)."""

_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2}):([0-9]{2})")
_WHOLE = re.compile(r"0|[1-9][0-9]{0,9}")
_ACCEPTED_TIME = f"accepted: H:MM:SS from 0:00:00 to {MAX_HOURS - 1}:59:59"


def _seconds(value: str) -> int | None:
    """``H:MM:SS`` after midnight (hours may pass 24, up to :data:`MAX_HOURS`) to seconds."""
    match = _TIME.fullmatch(value)
    if match is None:
        return None
    hours, minutes, seconds = (int(p) for p in match.groups())
    if hours >= MAX_HOURS or minutes > 59 or seconds > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds


def _whole(value: str, maximum: int) -> int | None:
    """``value`` as a whole number from 0 to ``maximum`` in ASCII digits, else ``None``."""
    if _WHOLE.fullmatch(value) is None:
        return None
    number = int(value)
    return number if number <= maximum else None


def _clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True, slots=True)
class _StopTime:
    stop_sequence: int
    stop_id: str
    arrival_s: int
    departure_s: int


def _date(value: str) -> date | None:
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _stops(feed: GtfsFeed, report: ImportReport) -> list[StationInput]:
    stops = []
    seen: set[str] = set()
    for line, row in feed.tables["stops.txt"]:
        sid = row["stop_id"]
        if row.get("location_type", "") not in ("", "0"):
            continue  # stations, entrances, nodes: not where a vehicle is boarded
        try:
            lat, lon = float(row["stop_lat"]), float(row["stop_lon"])
            check_coordinates("position", lat, lon)
        except ValueError as exc:
            reason = (
                exc.message if isinstance(exc, InvalidInput) else "stop_lat/stop_lon not numbers"
            )
            report.skip(SkippedRow("stops.txt", sid, f"line {line}: {reason}"))
            continue
        if not sid or sid in seen or not row["stop_name"]:
            report.skip(
                SkippedRow("stops.txt", sid, f"line {line}: empty or repeated stop_id, or no name")
            )
            continue
        seen.add(sid)
        stops.append(
            StationInput(
                external_id=sid[:100],
                name=row["stop_name"][:200],
                lat=lat,
                lon=lon,
                kind=StationKind.STOP,
                wheelchair_accessible=row.get("wheelchair_boarding") == "1",
            )
        )
    return stops


def _replace_timetable(session: Session, service_id: int) -> None:
    # Foreign keys cascade: trips take their stop times, calendars their exceptions.
    for table in (
        TransitTrip,
        TransitRoute,
        TransitCalendar,
        TransitFare,
        TransitFaresV2,
        TransitStopZone,
        TransitTransfer,
    ):
        session.execute(sa.delete(table).where(col(table.service_id) == service_id))


@dataclass(frozen=True, slots=True)
class _Calendar:
    weekdays: str = "0000000"  # a calendar of calendar_dates.txt only runs on no weekday
    start: date | None = None
    end: date | None = None


def _read_calendars(
    feed: GtfsFeed, report: ImportReport
) -> tuple[dict[str, _Calendar], dict[tuple[str, date], int]]:
    calendars: dict[str, _Calendar] = {}
    for line, row in feed.tables.get("calendar.txt", []):
        start, end = _date(row["start_date"]), _date(row["end_date"])
        flags = "".join("1" if row[day] == "1" else "0" for day in WEEKDAYS)
        if start is None or end is None or row["service_id"] in calendars:
            report.skip(
                SkippedRow(
                    "calendar.txt",
                    row["service_id"],
                    f"line {line}: bad dates (YYYYMMDD) or repeated service_id",
                )
            )
            continue
        calendars[row["service_id"]] = _Calendar(flags, start, end)
    exceptions: dict[tuple[str, date], int] = {}
    for line, row in feed.tables.get("calendar_dates.txt", []):
        day, kind = _date(row["date"]), row["exception_type"]
        if day is None or kind not in ("1", "2") or (row["service_id"], day) in exceptions:
            report.skip(
                SkippedRow(
                    "calendar_dates.txt",
                    row["service_id"],
                    f"line {line}: bad date (YYYYMMDD), exception_type not 1 or 2, or a date "
                    "repeated for its service_id",
                )
            )
            continue
        if row["service_id"] not in calendars:
            # A calendar defined only by its dates (common in French feeds).
            calendars[row["service_id"]] = _Calendar()
        exceptions[(row["service_id"], day)] = int(kind)
    return calendars, exceptions


def _service_calendars(
    calendars: dict[str, _Calendar], exceptions: dict[tuple[str, date], int]
) -> dict[str, ServiceCalendar]:
    """The feed's calendars as the planner reads them (fares v2 timeframes name them); one
    it cannot read (end before start) is left out, so a timeframe naming it is refused."""
    found: dict[str, ServiceCalendar] = {}
    for key, c in calendars.items():
        days = [(day, kind) for (service, day), kind in exceptions.items() if service == key]
        try:
            found[key] = ServiceCalendar(
                key,
                tuple(flag == "1" for flag in c.weekdays),
                c.start,
                c.end,
                frozenset(day for day, kind in days if kind == 1),
                frozenset(day for day, kind in days if kind == 2),
            )
        except TimetableError:
            continue
    return found


def _write_calendars(
    session: Session, service_id: int, prepared: PreparedGtfs, report: ImportReport
) -> dict[str, int]:
    calendars = {
        key: TransitCalendar(
            service_id=service_id,
            external_id=key[:100],
            weekdays=c.weekdays,
            start_date=c.start,
            end_date=c.end,
        )
        for key, c in prepared.calendars.items()
    }
    session.add_all(calendars.values())
    session.flush()
    ids = {key: c.id for key, c in calendars.items() if c.id is not None}
    session.add_all(
        TransitCalendarDate(calendar_id=ids[key], day=day, exception_type=kind)
        for (key, day), kind in prepared.exceptions.items()
    )
    report.count("calendar.txt", created=len(calendars))
    report.count("calendar_dates.txt", created=len(prepared.exceptions))
    return ids


def _read_routes(feed: GtfsFeed, report: ImportReport) -> dict[str, dict[str, Any]]:
    """Each route's columns, by ``route_id``."""
    timezones = agency_timezones(feed, report)
    routes: dict[str, dict[str, Any]] = {}
    for line, row in feed.tables["routes.txt"]:
        route_type = _whole(row["route_type"], 1999)
        if not row["route_id"] or row["route_id"] in routes or route_type is None:
            report.skip(
                SkippedRow(
                    "routes.txt",
                    row["route_id"],
                    f"line {line}: empty or repeated route_id, or route_type not 0-1999",
                )
            )
            continue
        routes[row["route_id"]] = {
            "external_id": row["route_id"][:100],
            "short_name": row.get("route_short_name", "")[:50],
            "long_name": row.get("route_long_name", "")[:200],
            "route_type": route_type,
            "color": _hex_colour(row.get("route_color", "")),
            "text_color": _hex_colour(row.get("route_text_color", "")),
            "timezone": timezones.get(row.get("agency_id", "")) or timezones.get(""),
        }
    return routes


def _write_routes(
    session: Session, service_id: int, prepared: PreparedGtfs, report: ImportReport
) -> dict[str, TransitRoute]:
    routes = {
        key: TransitRoute(service_id=service_id, **columns)
        for key, columns in prepared.routes.items()
    }
    session.add_all(routes.values())
    session.flush()
    report.count("routes.txt", created=len(routes))
    return routes


@dataclass
class _TripTimes:
    """The stop times read for one trip, or why the trip is rejected."""

    stops: dict[int, _StopTime]
    rejected: str | None = None


def _read_stop_times(
    feed: GtfsFeed, known_trips: set[str], known_stops: set[str], report: ImportReport
) -> dict[str, _TripTimes]:
    """Stop times grouped by trip; a time that is no time rejects its whole trip."""
    by_trip: defaultdict[str, _TripTimes] = defaultdict(lambda: _TripTimes(stops={}))
    for line, row in feed.tables["stop_times.txt"]:
        trip_id, sequence_text = row["trip_id"], row["stop_sequence"]
        ident = f"{trip_id}#{sequence_text}"
        if trip_id not in known_trips or row["stop_id"] not in known_stops:
            report.skip(
                SkippedRow("stop_times.txt", ident, f"line {line}: unknown trip_id or stop_id")
            )
            continue
        trip = by_trip[trip_id]
        if trip.rejected is not None:
            continue
        sequence = _whole(sequence_text, MAX_STOP_SEQUENCE)
        if sequence is None:
            trip.rejected = (
                f"stop_times.txt line {line}: stop_sequence {sequence_text!r} is not a whole "
                f"number from 0 to {MAX_STOP_SEQUENCE}"
            )
            continue
        texts = (row["arrival_time"] or row["departure_time"], row["departure_time"])
        if not texts[0]:
            report.skip(
                SkippedRow(
                    "stop_times.txt",
                    ident,
                    f"line {line}: no arrival_time nor departure_time (times are not interpolated)",
                )
            )
            continue
        arrival, departure = _seconds(texts[0]), _seconds(texts[1] or texts[0])
        if arrival is None or departure is None:
            bad = texts[0] if arrival is None else texts[1]
            trip.rejected = (
                f"stop_times.txt line {line}: {bad!r} at stop_sequence {sequence} is not a "
                f"time ({_ACCEPTED_TIME})"
            )
            continue
        if sequence in trip.stops:
            report.skip(
                SkippedRow(
                    "stop_times.txt",
                    ident,
                    f"line {line}: repeats stop_sequence {sequence} of trip {trip_id}",
                )
            )
            continue
        trip.stops[sequence] = _StopTime(sequence, row["stop_id"], arrival, departure)
    return by_trip


def _monotonic_problem(stops: list[_StopTime]) -> str | None:
    """Why times going along the trip's stops are unusable, or ``None``."""
    if len(stops) < 2:
        return f"has {len(stops)} timed stop(s); a trip needs at least two"
    previous: _StopTime | None = None
    for stop in stops:
        if stop.departure_s < stop.arrival_s:
            return (
                f"departs stop_sequence {stop.stop_sequence} at {_clock(stop.departure_s)}, "
                f"before arriving at {_clock(stop.arrival_s)}"
            )
        if previous is not None and stop.arrival_s < previous.departure_s:
            return (
                f"arrives at stop_sequence {stop.stop_sequence} at {_clock(stop.arrival_s)}, "
                f"before leaving stop_sequence {previous.stop_sequence} at "
                f"{_clock(previous.departure_s)}: times may not go backwards"
            )
        previous = stop
    return None


@dataclass(frozen=True, slots=True)
class _Trip:
    route: str
    calendar: str
    external_id: str
    headsign: str
    direction_id: int | None
    stops: list[_StopTime]


@dataclass(frozen=True, slots=True)
class PreparedGtfs:
    """A feed read, checked and mapped, all but the database ids: what
    :func:`write_gtfs` writes. Preparing reads no table, so a long import holds the
    database's write lock (SQLite has one) only while it writes."""

    feed: GtfsFeed
    stops: list[StationInput]
    calendars: dict[str, _Calendar]
    exceptions: dict[tuple[str, date], int]
    routes: dict[str, dict[str, Any]]
    trips: list[_Trip]
    stops_used: frozenset[str]
    """The stop_ids the kept stop times name (each must be a station of the service)."""
    before_rules: ImportReport
    """Rows skipped reading stops, calendars and routes (reported before fares and transfers)."""
    after_rules: ImportReport
    """Rows skipped reading trips and stop times."""
    fares_v2: FaresV2
    """The feed's Fares v2, checked whole (empty without ``fare_leg_rules.txt``)."""

    @property
    def stop_times(self) -> int:
        return sum(len(trip.stops) for trip in self.trips)


def service_stop_ids(session: Session, service_id: int) -> frozenset[str]:
    """The ``external_id`` of the service's stations (stop times may name them)."""
    return frozenset(
        session.exec(select(Station.external_id).where(Station.service_id == service_id))
    )


def prepare_gtfs(
    feed: GtfsFeed, *, service_id: int, known_stop_ids: frozenset[str]
) -> PreparedGtfs:
    """Check and map ``feed`` for ``service_id``, whose stations are ``known_stop_ids``
    (:func:`service_stop_ids`), writing nothing."""
    # Fares v2 whole before anything is written: a fare table half kept would price journeys
    # wrongly. Their timeframes name the feed's calendars, read (not written) before.
    before = ImportReport(service_id=service_id)
    after = ImportReport(service_id=service_id)
    stops = _stops(feed, before)
    calendars, exceptions = _read_calendars(feed, before)
    fares_v2 = read_feed_fares_v2(feed, _service_calendars(calendars, exceptions))
    routes = _read_routes(feed, before)
    known_stops = set(known_stop_ids) | {stop.external_id for stop in stops}

    trip_rows: dict[str, tuple[str, str, dict[str, str]]] = {}
    for line, row in feed.tables["trips.txt"]:
        route, calendar = row["route_id"], row["service_id"]
        if (
            route not in routes
            or calendar not in calendars
            or row["trip_id"] in trip_rows
            or not row["trip_id"]
        ):
            after.skip(
                SkippedRow(
                    "trips.txt",
                    row["trip_id"],
                    f"line {line}: unknown route_id or service_id, or empty or repeated trip_id",
                )
            )
            continue
        trip_rows[row["trip_id"]] = (route, calendar, row)

    times = _read_stop_times(feed, set(trip_rows), known_stops, after)
    trips: list[_Trip] = []
    used: set[str] = set()
    for trip_id, (route, calendar, row) in trip_rows.items():
        read = times.get(trip_id, _TripTimes(stops={}))
        ordered = [read.stops[s] for s in sorted(read.stops)]
        problem = read.rejected or _monotonic_problem(ordered)
        if problem is not None:
            after.skip(SkippedRow("trips.txt", trip_id, f"trip {trip_id} rejected: {problem}"))
            continue
        direction = row.get("direction_id", "")
        trips.append(
            _Trip(
                route=route,
                calendar=calendar,
                external_id=trip_id[:100],
                headsign=row.get("trip_headsign", "")[:200],
                direction_id=int(direction) if direction in ("0", "1") else None,
                stops=ordered,
            )
        )
        used.update(stop.stop_id for stop in ordered)
    return PreparedGtfs(
        feed=feed,
        stops=stops,
        calendars=calendars,
        exceptions=exceptions,
        routes=routes,
        trips=trips,
        stops_used=frozenset(used),
        before_rules=before,
        after_rules=after,
        fares_v2=fares_v2,
    )


def _merge(report: ImportReport, part: ImportReport) -> None:
    for row in part.skipped:
        report.skip(row)
    report.skipped_beyond_kept += part.skipped_beyond_kept


def write_gtfs(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    prepared: PreparedGtfs,
    written: StopTimesWritten | None = None,
) -> ImportReport:
    """Write a prepared feed into the caller's service, in the caller's transaction,
    telling ``written`` how far the stop times got.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden, Conflict
        The caller may not change the service (or it is retired), or a station the stop
        times name was deleted since the feed was prepared (nothing is written).
    InvalidInput
        The feed's fares v2 break the reference (file, line and field named); nothing is
        written.
    """
    service = lock_owned_service(session, actor, service_id)
    # Its stop times and calendar dates name trips and calendars, not the service: the
    # planner re-reads this service's timetable only (see marketplace.events.version).
    scope_timetable_writes(session, service_id)
    report = ImportReport(service_id=service_id)
    _merge(report, prepared.before_rules)
    feed = prepared.feed
    if prepared.stops:
        result = upsert_stations(
            session,
            actor=actor,
            service_id=service_id,
            stations=prepared.stops,
            max_batch=len(prepared.stops),
        )
        report.count("stops.txt", created=result.created, updated=result.updated)
        report.station_ids = result.station_ids
    station_ids = {
        external_id: station_id
        for external_id, station_id in session.exec(
            select(Station.external_id, Station.id).where(Station.service_id == service_id)
        )
        if station_id is not None
    }
    gone = sorted(prepared.stops_used - station_ids.keys())
    if gone:
        raise Conflict(
            f"{len(gone)} stop(s) the timetable names ({', '.join(gone[:5])}) were deleted from "
            "the service while the feed was read; import it again; nothing was imported"
        )
    _replace_timetable(session, service_id)
    calendars = _write_calendars(session, service_id, prepared, report)
    routes = _write_routes(session, service_id, prepared, report)
    import_stop_zones(session, service_id, feed, station_ids, report)
    import_fares(session, service_id, feed, set(routes), report)
    import_fares_v2(session, service_id, feed, prepared.fares_v2, report)
    import_transfers(session, service_id, feed, station_ids, report)
    _merge(report, prepared.after_rules)

    # One INSERT ... RETURNING per batch, ids in the rows' order: building an ORM object per
    # trip was most of the time the write lock was held (benchmarks/gtfs_write_lock.py).
    trip_rows = []
    for trip in prepared.trips:
        route_id = routes[trip.route].id
        assert route_id is not None
        trip_rows.append(
            {
                "service_id": service_id,
                "route_id": route_id,
                "calendar_id": calendars[trip.calendar],
                "external_id": trip.external_id,
                "headsign": trip.headsign,
                "direction_id": trip.direction_id,
            }
        )
    trip_ids: list[int] = []
    insert_trips = sa.insert(TransitTrip).returning(
        col(TransitTrip.id), sort_by_parameter_order=True
    )
    for start in range(0, len(trip_rows), STOP_TIMES_PER_BATCH):
        batch = trip_rows[start : start + STOP_TIMES_PER_BATCH]
        # (an id is never None: zip(strict=True) below would catch a row without one)
        trip_ids.extend(i for i in session.scalars(insert_trips, batch).all() if i is not None)
    report.count("trips.txt", created=len(trip_ids))
    if trip_ids:
        record_service_change(session, ChangeKind.TIMETABLE, service)
    rows: list[dict[str, Any]] = [
        {
            "trip_id": trip_id,
            "stop_sequence": stop.stop_sequence,
            "station_id": station_ids[stop.stop_id],
            "arrival_s": stop.arrival_s,
            "departure_s": stop.departure_s,
        }
        for trip_id, trip in zip(trip_ids, prepared.trips, strict=True)
        for stop in trip.stops
    ]
    for start in range(0, len(rows), STOP_TIMES_PER_BATCH):
        if written is not None:
            written(start, len(rows))
        session.execute(sa.insert(TransitStopTime), rows[start : start + STOP_TIMES_PER_BATCH])
    if written is not None:
        written(len(rows), len(rows))
    report.count("stop_times.txt", created=len(rows))
    report.service = service
    return report


def import_gtfs(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    feed: GtfsFeed,
    written: StopTimesWritten | None = None,
) -> ImportReport:
    """Prepare and write a parsed GTFS feed in the caller's transaction (a small feed, a
    caller that waits); a long import prepares first, outside (:func:`prepare_gtfs`).

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden, Conflict
        The caller may not change the service (or it is retired).
    """
    lock_owned_service(session, actor, service_id)
    prepared = prepare_gtfs(
        feed, service_id=service_id, known_stop_ids=service_stop_ids(session, service_id)
    )
    return write_gtfs(
        session, actor=actor, service_id=service_id, prepared=prepared, written=written
    )


def _hex_colour(text: str) -> str | None:
    """A GTFS colour as six upper-case hex digits; None when blank or not a colour (a line
    without its colour is still worth riding)."""
    value = text.strip().lstrip("#").upper()
    if len(value) == 6 and all(c in "0123456789ABCDEF" for c in value):
        return value
    return None
