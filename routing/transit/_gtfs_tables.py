"""The per-file GTFS parsers: stops, agency, routes, calendars, trips and stop times.

:class:`_Reader` turns a :class:`~routing.transit._gtfs_fields._Feed` into the value objects of a
:class:`~routing.transit.timetable.Timetable`, counting what it made and listing, as
``(file, line, reason)``, the rows it skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing.transit._gtfs_fares import read_fares
from routing.transit._gtfs_fields import (
    _at,
    _clock,
    _date,
    _Feed,
    _integer,
    _number,
    _required,
    _restrictions,
    _time,
)
from routing.transit.fares import FareTable
from routing.transit.gtfs_fares_v2 import read_fares_v2
from routing.transit.timetable import (
    ServiceCalendar,
    Timetable,
    TimetableError,
    TransferRule,
    TransitRoute,
    TransitStop,
    TransitTrip,
)

_REQUIRED_FILES = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
_UNREAD_FILES: dict[str, str] = {}
# A frequencies.txt row may not expand to more trips than this (one every 10 s all day).
_MAX_FREQUENCY_TRIPS = 8640
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# GTFS route_type -> engine mode; extended (Google "HVT") types by hundreds.
_BASIC_ROUTE_TYPES = {
    0: "tram",
    1: "subway",
    2: "rail",
    3: "bus",
    4: "ferry",
    5: "cable_car",
    6: "cable_car",
    7: "funicular",
    11: "trolleybus",
    12: "rail",
}
_EXTENDED_ROUTE_TYPES = {
    1: "rail",
    2: "bus",
    4: "subway",
    7: "bus",
    8: "trolleybus",
    9: "tram",
    10: "ferry",
    12: "ferry",
    13: "cable_car",
    14: "funicular",
}


class _Reader:
    """Reads the tables of one feed, in dependency order, into a :class:`Timetable`."""

    def __init__(self, feed: _Feed) -> None:
        self.feed = feed
        self.created: dict[str, int] = {}
        self.skipped: list[tuple[str, int, str]] = []  # file, line, reason
        self.interpolated = 0
        self.skipped_routes: set[str] = set()

    def read(self) -> Timetable:
        for name in _REQUIRED_FILES:
            if not self.feed.has(name):
                raise TimetableError(
                    f"{self.feed.source_id}: {name} is missing; a feed needs "
                    f"{', '.join(_REQUIRED_FILES)} and calendar.txt and/or "
                    "calendar_dates.txt"
                )
        for name, reason in _UNREAD_FILES.items():
            if self.feed.has(name):
                self._skip(name, 0, f"{name} is not read: {reason}")
        stops, stations = self._stops()
        calendars = self._calendars()
        agency, timezones = self._agencies()
        routes = self._routes(agency, timezones)
        trips = self._trips(routes, calendars)
        timed = self._frequencies(self._stop_times(trips, stops, stations))
        transfers = self._transfers(stops, stations)
        fares = read_fares(self._rows, set(routes) | self.skipped_routes)
        fares_v2 = read_fares_v2(self._rows, calendars)
        if fares_v2:
            if fares:
                self._skip("fare_attributes.txt", 0, "fares v2 price this feed; v1 is not read")
            fares = FareTable()  # a feed with both prices with v2, as the reference prefers
        self.created.update(
            stops=len(stops),
            stations=len(stations),
            routes=len(routes),
            trips=len(timed),
            calendars=len(calendars),
            transfers=len(transfers),
            fare_attributes=len(fares.attributes),
            fare_rules=len(fares.rules),
            fare_products=len(fares_v2.products),
            fare_leg_rules=len(fares_v2.leg_rules),
            fare_transfer_rules=len(fares_v2.transfer_rules),
        )
        return Timetable(
            stops=tuple(stops.values()),
            routes=tuple(routes.values()),
            trips=tuple(timed),
            calendars=tuple(calendars.values()),
            source_id=self.feed.source_id,
            stations=tuple(stations.values()),
            transfers=tuple(transfers),
            fares=fares,
            fares_v2=(fares_v2,) if fares_v2 else (),
        )

    # -- rows --------------------------------------------------------------------------------

    def _rows(self, name: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
        text = self.feed.read(name)
        if text is None:
            return
        if not text.strip():
            raise TimetableError(
                f"{name} line 1: the file is empty; expected a header naming the columns "
                f"{', '.join(required)}"
            )
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [column.strip() for column in next(reader)]
            missing = [column for column in required if column not in header]
            if missing:
                raise TimetableError(
                    f"{name} line 1: required column(s) {', '.join(missing)} missing; the "
                    f"header names {', '.join(header)}"
                )
            for record in reader:
                if not any(value.strip() for value in record):
                    continue  # blank lines, common at the end of hand-edited files
                if len(record) > len(header):
                    raise TimetableError(
                        f"{name} line {reader.line_num}: {len(record)} fields but the header "
                        f"names {len(header)} columns"
                    )
                values = [value.strip() for value in record]
                # Trailing optional fields may be left off entirely.
                yield reader.line_num, dict(zip(header, values + [""] * len(header), strict=False))
        except csv.Error as error:
            raise TimetableError(f"{name} line {reader.line_num}: {error}") from None

    def _skip(self, name: str, line: int, reason: str) -> None:
        self.skipped.append((name, line, reason))

    # -- tables ------------------------------------------------------------------------------

    def _stops(self) -> tuple[dict[str, TransitStop], dict[str, TransitStop]]:
        name = "stops.txt"
        stops: dict[str, TransitStop] = {}
        stations: dict[str, TransitStop] = {}
        parents: dict[str, tuple[int, str]] = {}
        unusable: set[str] = set()
        for line, row in self._rows(name, ("stop_id",)):
            stop_id = _required(row, "stop_id", name, line)
            if stop_id in stops or stop_id in stations or stop_id in unusable:
                raise TimetableError(f"{name} line {line}: stop_id {stop_id!r} appears twice")
            kind = _integer(row.get("location_type", ""), "location_type", name, line, default=0)
            if kind not in (0, 1):
                unusable.add(stop_id)
                self._skip(
                    name,
                    line,
                    f"stop {stop_id!r}: location_type {kind} is not a "
                    "stop or station (entrance, node or boarding area)",
                )
                continue
            wheelchair = {"1": True, "2": False}.get(row.get("wheelchair_boarding", ""))
            with _at(name, line):
                stop = TransitStop(
                    id=stop_id,
                    name=_required(row, "stop_name", name, line),
                    lat=_number(row, "stop_lat", name, line),
                    lon=_number(row, "stop_lon", name, line),
                    wheelchair=wheelchair,
                    parent_station=row.get("parent_station") or None,
                    zone_id=row.get("zone_id") or None,
                )
            if kind == 1:
                stations[stop_id] = stop
                self._skip(
                    name,
                    line,
                    f"stop {stop_id!r} is a station (location_type 1): "
                    "kept as a parent, not a boarding point",
                )
            else:
                stops[stop_id] = stop
                if stop.parent_station is not None:
                    parents[stop_id] = (line, stop.parent_station)
        for stop_id, (line, parent) in parents.items():
            if parent not in stations:
                raise TimetableError(
                    f"{name} line {line}: parent_station {parent!r} of stop {stop_id!r} is not "
                    "a station (location_type 1) of this file"
                )
            stop = stops[stop_id]
            if stop.wheelchair is None and stations[parent].wheelchair is not None:
                # GTFS: an unspecified child stop inherits its station's accessibility.
                stops[stop_id] = replace(stop, wheelchair=stations[parent].wheelchair)
        stations = {
            k: TransitStop(s.id, s.name, s.lat, s.lon, s.wheelchair) for k, s in stations.items()
        }
        return stops, stations

    def _agencies(self) -> tuple[str, dict[str, str]]:
        """The only agency's id (``""`` when several), and each agency's ``agency_timezone``
        (GTFS: every agency of a feed shares one)."""
        agencies: list[str] = []
        timezones: dict[str, str] = {}
        name = "agency.txt"
        for line, row in self._rows(name, ()):
            agency = row.get("agency_id") or row.get("agency_name", "")
            agencies.append(agency)
            zone = row.get("agency_timezone", "")
            if zone:
                try:
                    ZoneInfo(zone)
                except (ZoneInfoNotFoundError, ValueError):
                    raise TimetableError(
                        f"{name} line {line}: agency_timezone {zone!r} is not an IANA time "
                        "zone; expected one such as 'Europe/Paris'"
                    ) from None
                timezones[agency] = zone
        self.created["agencies"] = len(agencies)
        if len(agencies) == 1 and agencies[0] in timezones:
            timezones[""] = timezones[agencies[0]]
        return (agencies[0] if len(agencies) == 1 else ""), timezones

    def _routes(self, default_agency: str, timezones: dict[str, str]) -> dict[str, TransitRoute]:
        name = "routes.txt"
        routes: dict[str, TransitRoute] = {}
        for line, row in self._rows(name, ("route_id", "route_type")):
            route_id = _required(row, "route_id", name, line)
            if route_id in routes:
                raise TimetableError(f"{name} line {line}: route_id {route_id!r} appears twice")
            route_type = _integer(row["route_type"], "route_type", name, line)
            mode = _BASIC_ROUTE_TYPES.get(route_type) or _EXTENDED_ROUTE_TYPES.get(
                route_type // 100 if route_type >= 100 else -1
            )
            if mode is None:
                self.skipped_routes.add(route_id)
                self._skip(
                    name,
                    line,
                    f"route {route_id!r}: route_type {route_type} is not "
                    "a timetabled mode the engine plans with; its trips are skipped",
                )
                continue
            agency = row.get("agency_id") or default_agency
            with _at(name, line):
                routes[route_id] = TransitRoute(
                    id=route_id,
                    short_name=row.get("route_short_name", ""),
                    long_name=row.get("route_long_name", ""),
                    mode=mode,
                    agency_id=agency,
                    color=row.get("route_color", "").lstrip("#") or None,
                    text_color=row.get("route_text_color", "").lstrip("#") or None,
                    timezone=timezones.get(agency) or timezones.get(""),
                )
        return routes

    def _calendars(self) -> dict[str, ServiceCalendar]:
        if not (self.feed.has("calendar.txt") or self.feed.has("calendar_dates.txt")):
            raise TimetableError(
                f"{self.feed.source_id}: calendar.txt and calendar_dates.txt are both missing; "
                "a feed needs at least one"
            )
        calendars: dict[str, ServiceCalendar] = {}
        name = "calendar.txt"
        for line, row in self._rows(name, ("service_id", *_WEEKDAYS, "start_date", "end_date")):
            service_id = _required(row, "service_id", name, line)
            if service_id in calendars:
                raise TimetableError(f"{name} line {line}: service_id {service_id!r} appears twice")
            for weekday in _WEEKDAYS:
                if row[weekday] not in ("0", "1"):
                    raise TimetableError(
                        f"{name} line {line}: {weekday} {row[weekday]!r}; expected 0 or 1"
                    )
            with _at(name, line):
                calendars[service_id] = ServiceCalendar(
                    service_id,
                    tuple(row[weekday] == "1" for weekday in _WEEKDAYS),
                    _date(row, "start_date", name, line),
                    _date(row, "end_date", name, line),
                )
        exceptions: dict[tuple[str, date], bool] = {}  # (service, day) -> added
        name = "calendar_dates.txt"
        for line, row in self._rows(name, ("service_id", "date", "exception_type")):
            key = (_required(row, "service_id", name, line), _date(row, "date", name, line))
            if row["exception_type"] not in ("1", "2"):
                raise TimetableError(
                    f"{name} line {line}: exception_type {row['exception_type']!r}; expected 1 "
                    "(service added) or 2 (service removed)"
                )
            added = row["exception_type"] == "1"
            if exceptions.get(key, added) != added:
                raise TimetableError(
                    f"{name} line {line}: service {key[0]!r} is both added and removed on {key[1]}"
                )
            exceptions[key] = added
        for (service_id, day), added in exceptions.items():
            # A service known only from calendar_dates.txt has no weekly pattern.
            calendar = calendars.get(service_id) or ServiceCalendar(service_id)
            calendars[service_id] = (
                replace(calendar, added_dates=calendar.added_dates | {day})
                if added
                else replace(calendar, removed_dates=calendar.removed_dates | {day})
            )
        return dict(sorted(calendars.items()))

    def _trips(
        self, routes: dict[str, TransitRoute], calendars: dict[str, ServiceCalendar]
    ) -> dict[str, tuple[int, dict[str, str]]]:
        name = "trips.txt"
        trips: dict[str, tuple[int, dict[str, str]]] = {}
        for line, row in self._rows(name, ("route_id", "service_id", "trip_id")):
            trip_id = _required(row, "trip_id", name, line)
            if trip_id in trips:
                raise TimetableError(f"{name} line {line}: trip_id {trip_id!r} appears twice")
            route_id, service_id = row["route_id"], row["service_id"]
            if route_id in self.skipped_routes:
                self._skip(name, line, f"trip {trip_id!r}: its route {route_id!r} is skipped")
                trips[trip_id] = (line, {})
                continue
            if route_id not in routes:
                raise TimetableError(
                    f"{name} line {line}: route_id {route_id!r} of trip "
                    f"{trip_id!r} is not in routes.txt"
                )
            if service_id not in calendars:
                raise TimetableError(
                    f"{name} line {line}: service_id {service_id!r} of trip "
                    f"{trip_id!r} is in neither calendar.txt nor "
                    "calendar_dates.txt"
                )
            trips[trip_id] = (line, row)
        return trips

    def _stop_times(
        self,
        trips: dict[str, tuple[int, dict[str, str]]],
        stops: dict[str, TransitStop],
        stations: dict[str, TransitStop],
    ) -> list[TransitTrip]:
        name = "stop_times.txt"
        calls: dict[str, list[tuple[int, int, str, int | None, int | None, bool, bool]]] = {}
        required = ("trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time")
        count = 0
        for line, row in self._rows(name, required):
            trip_id, stop_id = row["trip_id"], row["stop_id"]
            if trip_id not in trips:
                raise TimetableError(f"{name} line {line}: trip_id {trip_id!r} is not in trips.txt")
            if stop_id not in stops:
                what = (
                    "is a station; stop times name boarding stops"
                    if stop_id in stations
                    else "is not a stop of stops.txt"
                )
                raise TimetableError(f"{name} line {line}: stop_id {stop_id!r} {what}")
            sequence = _integer(row["stop_sequence"], "stop_sequence", name, line)
            arrival = _time(row["arrival_time"], "arrival_time", name, line)
            departure = _time(row["departure_time"], "departure_time", name, line)
            # One of the two alone means the vehicle does not dwell.
            arrival = departure if arrival is None else arrival
            departure = arrival if departure is None else departure
            # pickup_type / drop_off_type 1: none; 2 and 3 (phone, ask the driver) still run.
            pickup = _integer(row.get("pickup_type", ""), "pickup_type", name, line, default=0)
            drop_off = _integer(
                row.get("drop_off_type", ""), "drop_off_type", name, line, default=0
            )
            calls.setdefault(trip_id, []).append(
                (sequence, line, stop_id, arrival, departure, pickup != 1, drop_off != 1)
            )
            count += 1
        self.created["stop_times"] = count
        result: list[TransitTrip] = []
        for trip_id, (trip_line, row) in trips.items():
            if not row:
                continue  # its route was skipped
            trip_calls = sorted(calls.get(trip_id, []))
            if len(trip_calls) < 2:
                self._skip(
                    "trips.txt",
                    trip_line,
                    f"trip {trip_id!r} has {len(trip_calls)} stop time(s); a trip needs at least 2",
                )
                continue
            for (seq_a, line_a, *_), (seq_b, line_b, *_) in pairwise(trip_calls):
                if seq_a == seq_b:
                    raise TimetableError(
                        f"{name} line {line_b}: stop_sequence {seq_b} of trip "
                        f"{trip_id!r} repeats line {line_a}"
                    )
            arrivals, departures = self._interpolate(trip_id, trip_calls)
            with _at(name, trip_calls[0][1]):
                result.append(
                    TransitTrip(
                        id=trip_id,
                        route_id=row["route_id"],
                        service_id=row["service_id"],
                        headsign=row.get("trip_headsign", ""),
                        stop_ids=tuple(call[2] for call in trip_calls),
                        arrival_s=arrivals,
                        departure_s=departures,
                        pickup=_restrictions(call[5] for call in trip_calls),
                        drop_off=_restrictions(call[6] for call in trip_calls),
                        wheelchair={"1": True, "2": False}.get(
                            row.get("wheelchair_accessible", "")
                        ),
                    )
                )
        return result

    def _frequencies(self, trips: list[TransitTrip]) -> list[TransitTrip]:
        """Trips of ``frequencies.txt`` repeated at their headways; the others unchanged.

        A frequency trip's stop times give its pattern only (GTFS): each row runs it from
        ``start_time`` every ``headway_secs`` while the first departure is before
        ``end_time``, its times shifted, as ``<trip id>@<H:MM:SS>``. ``exact_times`` 1 is a
        schedule written compactly and planned exactly; 0 says vehicles come about that
        often: the trips are planned at the nominal times and carry ``headway_s`` so a
        client can say "every N min".
        """
        name = "frequencies.txt"
        by_id = {trip.id: trip for trip in trips}
        runs: dict[str, list[TransitTrip]] = {}
        required = ("trip_id", "start_time", "end_time", "headway_secs")
        for line, row in self._rows(name, required):
            trip_id = _required(row, "trip_id", name, line)
            trip = by_id.get(trip_id)
            if trip is None:
                raise TimetableError(
                    f"{name} line {line}: trip_id {trip_id!r} is not a trip with stop times"
                )
            start = _time(_required(row, "start_time", name, line), "start_time", name, line)
            end = _time(_required(row, "end_time", name, line), "end_time", name, line)
            headway = _integer(row["headway_secs"], "headway_secs", name, line)
            exact = row.get("exact_times", "") or "0"
            if exact not in ("0", "1"):
                raise TimetableError(
                    f"{name} line {line}: exact_times {exact!r}; expected 0 (frequency-based) "
                    "or 1 (schedule-based)"
                )
            assert start is not None and end is not None
            if headway <= 0 or end <= start:
                raise TimetableError(
                    f"{name} line {line}: start_time {_clock(start)}, end_time {_clock(end)}, "
                    f"headway_secs {headway}; expected start before end and a headway > 0"
                )
            if (end - start) / headway > _MAX_FREQUENCY_TRIPS:
                raise TimetableError(
                    f"{name} line {line}: {(end - start) // headway} trips; at most "
                    f"{_MAX_FREQUENCY_TRIPS} per row are accepted"
                )
            first = trip.departure_s[0]
            for departure in range(start, end, headway):
                shift = departure - first
                with _at(name, line):
                    runs.setdefault(trip_id, []).append(
                        replace(
                            trip,
                            id=f"{trip_id}@{_clock(departure)}",
                            arrival_s=tuple(t + shift for t in trip.arrival_s),
                            departure_s=tuple(t + shift for t in trip.departure_s),
                            headway_s=None if exact == "1" else headway,
                        )
                    )
        self.created["frequency_trips"] = sum(len(r) for r in runs.values())
        result: list[TransitTrip] = []
        for trip in trips:
            result += runs.get(trip.id, [trip])
        return result

    def _transfers(
        self, stops: dict[str, TransitStop], stations: dict[str, TransitStop]
    ) -> list[TransferRule]:
        """``transfers.txt`` rules between stops; a station stands for each of its stops.

        Rules naming trips or routes (GTFS extensions ``from_trip_id``...) apply to every
        vehicle at those stops: the search has no per-trip transfers yet, so they are listed
        as skipped.
        """
        name = "transfers.txt"
        children: dict[str, list[str]] = {}
        for stop in stops.values():
            if stop.parent_station is not None:
                children.setdefault(stop.parent_station, []).append(stop.id)
        rules: dict[tuple[str, str], TransferRule] = {}
        for line, row in self._rows(name, ("from_stop_id", "to_stop_id", "transfer_type")):
            if any(row.get(c) for c in ("from_trip_id", "to_trip_id", "from_route_id")):
                self._skip(name, line, "trip- and route-specific transfers are not searched")
                continue
            kind = _integer(row["transfer_type"] or "0", "transfer_type", name, line)
            text = row.get("min_transfer_time", "")
            minimum = _integer(text, "min_transfer_time", name, line) if text else None
            ends = []
            for column in ("from_stop_id", "to_stop_id"):
                stop_id = _required(row, column, name, line)
                if stop_id in stops:
                    ends.append([stop_id])
                elif stop_id in stations:
                    ends.append(children.get(stop_id, []))
                else:
                    raise TimetableError(
                        f"{name} line {line}: {column} {stop_id!r} is not a stop or station "
                        "of stops.txt"
                    )
            with _at(name, line):
                for a in ends[0]:
                    for b in ends[1]:
                        # A stop-level rule written after a station-level one wins.
                        rules[(a, b)] = TransferRule(a, b, kind, minimum)
        return list(rules.values())

    def _interpolate(
        self,
        trip_id: str,
        calls: list[tuple[int, int, str, int | None, int | None, bool, bool]],
    ) -> tuple[tuple[int, ...], tuple[int, ...]]:
        name = "stop_times.txt"
        for position in (0, -1):
            if calls[position][3] is None:
                raise TimetableError(
                    f"{name} line {calls[position][1]}: the "
                    f"{'first' if position == 0 else 'last'} stop time of "
                    f"trip {trip_id!r} has no time; GTFS requires one"
                )
        arrivals = [call[3] for call in calls]
        departures = [call[4] for call in calls]
        previous_s, previous_line = 0, calls[0][1]
        known = [i for i, value in enumerate(arrivals) if value is not None]
        for a, b in pairwise(known):
            for i in range(a + 1, b):
                # Blank times at timepoint-less stops: spread evenly by stop index.
                value = departures[a] + (arrivals[b] - departures[a]) * (i - a) // (b - a)  # type: ignore[operator]
                arrivals[i] = departures[i] = value
                self.interpolated += 1
        for call, arrival, departure in zip(calls, arrivals, departures, strict=True):
            assert arrival is not None and departure is not None
            if arrival < previous_s or departure < arrival:
                raise TimetableError(
                    f"{name} line {call[1]}: trip {trip_id!r} at stop {call[2]!r} arrives "
                    f"{_clock(arrival)} and leaves {_clock(departure)} after "
                    f"{_clock(previous_s)} (line {previous_line}); expected times that never "
                    "decrease along the trip"
                )
            previous_s, previous_line = departure, call[1]
        return tuple(arrivals), tuple(departures)  # type: ignore[arg-type]
