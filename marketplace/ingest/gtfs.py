"""GTFS import for shuttles and public transport: stops, routes, calendars, trips, times.

A feed missing a required file or column is rejected whole, with the reason, before anything
is written. Bad rows (a stop 40 km away, a trip of an unknown route, a stop time without a
time) are skipped and reported. Stops are upserted as the service's stations (kind ``STOP``,
matched on ``stop_id``); the timetable itself (routes, calendars, trips, stop times) is
replaced as a whole, so re-importing the same feed leaves the same data.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from marketplace.catalogue.services import lock_owned_service
from marketplace.catalogue.stations import StationInput, upsert_stations
from marketplace.catalogue.validation import check_coordinates
from marketplace.errors import InvalidInput
from marketplace.events.catalogue import ChangeKind
from marketplace.events.changes import record_service_change
from marketplace.identity.actors import Actor
from marketplace.ingest.gtfs_frequencies import FREQUENCY_COLUMNS, expand_frequencies
from marketplace.ingest.report import ImportReport, SkippedRow
from marketplace.models import (
    Station,
    StationKind,
    TransitCalendar,
    TransitCalendarDate,
    TransitRoute,
    TransitStopTime,
    TransitTrip,
)
from marketplace.text import ACCEPTED_TEXT, forbidden_character

__all__ = ["GtfsFeed", "import_gtfs", "parse_gtfs", "read_gtfs"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_name", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar.txt": ("service_id", *_WEEKDAYS, "start_date", "end_date"),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "frequencies.txt": FREQUENCY_COLUMNS,
}


@dataclass(frozen=True, slots=True)
class GtfsFeed:
    """The feed's tables as lists of rows (column name to text)."""

    tables: dict[str, list[dict[str, str]]]


def read_gtfs(path: str | Path) -> dict[str, str]:
    """The text of each ``.txt`` file of a GTFS zip or folder.

    Raises
    ------
    InvalidInput
        Not a zip nor a folder, or unreadable.
    """
    source = Path(path)
    try:
        if source.is_dir():
            return {f.name: f.read_text(encoding="utf-8-sig") for f in source.glob("*.txt")}
        with zipfile.ZipFile(source) as archive:
            return {
                Path(name).name: archive.read(name).decode("utf-8-sig")
                for name in archive.namelist()
                if name.endswith(".txt")
            }
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is not a readable GTFS zip or folder: {exc}") from None


def _check_text(name: str, text: str) -> None:
    """A file holding text no database may store (NUL...) is refused whole, on both
    databases alike: its rows cannot be trusted to be what the producer meant."""
    found = forbidden_character(text)
    if found is not None:
        position, character = found
        line = text.count("\n", 0, position) + 1
        raise InvalidInput(
            f"{name} line {line} holds the character U+{ord(character):04X}; {ACCEPTED_TEXT}; "
            "nothing was imported"
        )


def parse_gtfs(files: Mapping[str, str]) -> GtfsFeed:
    """Parse the CSV files of a feed and check that the required files and columns exist.

    Raises
    ------
    InvalidInput
        A required file or column is missing (the message lists them), or a file holds a
        character no text may hold (:mod:`marketplace.text`).
    """
    core = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
    missing = [name for name in core if name not in files]
    if "calendar.txt" not in files and "calendar_dates.txt" not in files:
        missing.append("calendar.txt or calendar_dates.txt")
    if missing:
        raise InvalidInput(f"GTFS feed lacks {', '.join(missing)}; nothing was imported")
    tables: dict[str, list[dict[str, str]]] = {}
    for name, required in REQUIRED_COLUMNS.items():
        if name not in files:
            continue
        _check_text(name, files[name])
        reader = csv.DictReader(io.StringIO(files[name].lstrip("\ufeff")))
        columns = [c.strip() for c in reader.fieldnames or []]
        absent = [c for c in required if c not in columns]
        if absent:
            raise InvalidInput(f"{name} lacks column(s) {', '.join(absent)}; nothing was imported")
        tables[name] = [
            {(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader
        ]
    expand_frequencies(tables)
    return GtfsFeed(tables=tables)


def _seconds(value: str) -> int | None:
    """``H:MM:SS`` after midnight (hours may pass 24) to seconds."""
    parts = value.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    hours, minutes, seconds = (int(p) for p in parts)
    if minutes > 59 or seconds > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds


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
    for row in feed.tables["stops.txt"]:
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
            report.skipped.append(SkippedRow("stops.txt", sid, reason))
            continue
        if not sid or sid in seen or not row["stop_name"]:
            report.skipped.append(
                SkippedRow("stops.txt", sid, "empty or repeated stop_id, or no name")
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
    for table in (TransitTrip, TransitRoute, TransitCalendar):
        session.execute(sa.delete(table).where(col(table.service_id) == service_id))


def _calendars(
    session: Session, service_id: int, feed: GtfsFeed, report: ImportReport
) -> dict[str, int]:
    calendars: dict[str, TransitCalendar] = {}
    for row in feed.tables.get("calendar.txt", []):
        start, end = _date(row["start_date"]), _date(row["end_date"])
        flags = "".join("1" if row[day] == "1" else "0" for day in _WEEKDAYS)
        if start is None or end is None or row["service_id"] in calendars:
            report.skipped.append(
                SkippedRow("calendar.txt", row["service_id"], "bad dates or repeated service_id")
            )
            continue
        calendars[row["service_id"]] = TransitCalendar(
            service_id=service_id,
            external_id=row["service_id"][:100],
            weekdays=flags,
            start_date=start,
            end_date=end,
        )
    exceptions = []
    for row in feed.tables.get("calendar_dates.txt", []):
        day, kind = _date(row["date"]), row["exception_type"]
        if day is None or kind not in ("1", "2"):
            report.skipped.append(
                SkippedRow("calendar_dates.txt", row["service_id"], "bad date or exception_type")
            )
            continue
        if row["service_id"] not in calendars:
            # A calendar defined only by its dates (common in French feeds).
            calendars[row["service_id"]] = TransitCalendar(
                service_id=service_id, external_id=row["service_id"][:100]
            )
        exceptions.append((row["service_id"], day, int(kind)))
    session.add_all(calendars.values())
    session.flush()
    ids = {key: c.id for key, c in calendars.items() if c.id is not None}
    unique = {(ids[key], day): kind for key, day, kind in exceptions}
    session.add_all(
        TransitCalendarDate(calendar_id=cid, day=day, exception_type=kind)
        for (cid, day), kind in unique.items()
    )
    report.count("calendar.txt", created=len(calendars))
    report.count("calendar_dates.txt", created=len(unique))
    return ids


def import_gtfs(
    session: Session, *, actor: Actor | None, service_id: int, feed: GtfsFeed
) -> ImportReport:
    """Write a parsed GTFS feed into the caller's service, in the caller's transaction.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden, Conflict
        The caller may not change the service (or it is retired).
    """
    service = lock_owned_service(session, actor, service_id)
    report = ImportReport(service_id=service_id)
    stops = _stops(feed, report)
    if stops:
        result = upsert_stations(
            session, actor=actor, service_id=service_id, stations=stops, max_batch=len(stops)
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
    _replace_timetable(session, service_id)
    calendars = _calendars(session, service_id, feed, report)

    routes: dict[str, TransitRoute] = {}
    for row in feed.tables["routes.txt"]:
        if not row["route_id"] or row["route_id"] in routes or not row["route_type"].isdigit():
            report.skipped.append(
                SkippedRow("routes.txt", row["route_id"], "bad or repeated route")
            )
            continue
        routes[row["route_id"]] = TransitRoute(
            service_id=service_id,
            external_id=row["route_id"][:100],
            short_name=row.get("route_short_name", "")[:50],
            long_name=row.get("route_long_name", "")[:200],
            route_type=int(row["route_type"]),
            color=_hex_colour(row.get("route_color", "")),
            text_color=_hex_colour(row.get("route_text_color", "")),
        )
    session.add_all(routes.values())
    session.flush()
    report.count("routes.txt", created=len(routes))

    trips: dict[str, TransitTrip] = {}
    for row in feed.tables["trips.txt"]:
        route, calendar = routes.get(row["route_id"]), calendars.get(row["service_id"])
        if route is None or calendar is None or row["trip_id"] in trips or not row["trip_id"]:
            report.skipped.append(
                SkippedRow(
                    "trips.txt",
                    row["trip_id"],
                    "unknown route_id or service_id, or repeated trip_id",
                )
            )
            continue
        assert route.id is not None
        direction = row.get("direction_id", "")
        trips[row["trip_id"]] = TransitTrip(
            service_id=service_id,
            route_id=route.id,
            calendar_id=calendar,
            external_id=row["trip_id"][:100],
            headsign=row.get("trip_headsign", "")[:200],
            direction_id=int(direction) if direction.isdigit() else None,
        )
    session.add_all(trips.values())
    session.flush()
    report.count("trips.txt", created=len(trips))
    if trips:
        record_service_change(session, ChangeKind.TIMETABLE, service)

    times: dict[tuple[int, int], dict[str, Any]] = {}
    for row in feed.tables["stop_times.txt"]:
        trip, station = trips.get(row["trip_id"]), station_ids.get(row["stop_id"])
        arrival = _seconds(row["arrival_time"] or row["departure_time"])
        departure = _seconds(row["departure_time"] or row["arrival_time"])
        ident = f"{row['trip_id']}#{row['stop_sequence']}"
        if trip is None or station is None:
            report.skipped.append(SkippedRow("stop_times.txt", ident, "unknown trip_id or stop_id"))
        elif arrival is None or departure is None or not row["stop_sequence"].isdigit():
            report.skipped.append(
                SkippedRow("stop_times.txt", ident, "no time H:MM:SS (interpolation is not done)")
            )
        else:
            assert trip.id is not None
            times[(trip.id, int(row["stop_sequence"]))] = {
                "trip_id": trip.id,
                "stop_sequence": int(row["stop_sequence"]),
                "station_id": station,
                "arrival_s": arrival,
                "departure_s": departure,
            }
    if times:
        session.execute(sa.insert(TransitStopTime), list(times.values()))
    report.count("stop_times.txt", created=len(times))
    report.service = service
    return report


def _hex_colour(text: str) -> str | None:
    """A GTFS colour as six upper-case hex digits; None when blank or not a colour (a line
    without its colour is still worth riding)."""
    value = text.strip().lstrip("#").upper()
    if len(value) == 6 and all(c in "0123456789ABCDEF" for c in value):
        return value
    return None
