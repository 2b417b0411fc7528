"""Timetabled public transport as plain values: stops, routes, trips, calendars, journeys.

The marketplace stores GTFS rows in its database and hands the engine these values; the GTFS
reader (:mod:`routing.transit.gtfs`) builds them from a feed.
Times are whole seconds after midnight of
the *service day*, as GTFS counts them: a trip leaving at 24:30:00 belongs to the previous day's
service and leaves at 00:30 the next calendar day.

Every value checks itself at construction and raises :class:`TimetableError` naming the
offending id and field and what is accepted, so a bad row never reaches the search.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from scipy.spatial import cKDTree

from routing.geometry import EARTH_RADIUS_M
from routing.transit.errors import TimetableError
from routing.transit.fares import FareTable
from routing.transit.fares_v2 import FaresV2

__all__ = [
    "TRANSIT_MODES",
    "Journey",
    "ServiceCalendar",
    "StopCall",
    "Timetable",
    "TimetableError",
    "TransferLeg",
    "TransferRule",
    "TransitLeg",
    "TransitRoute",
    "TransitStop",
    "TransitTrip",
    "straight_line_transfers",
]

#: Modes a :class:`TransitRoute` may carry; ``shuttle`` is a partner's published timetable.
TRANSIT_MODES = frozenset(
    {"bus", "tram", "rail", "subway", "shuttle", "ferry", "cable_car", "funicular", "trolleybus"}
)

# GTFS lets a service day run past midnight; two days is the most any real feed needs and a
# bound catches times typed in minutes or milliseconds by mistake.
_MAX_SERVICE_TIME_S = 48 * 3600

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class TransitStop:
    """A place where passengers board or alight (GTFS ``location_type`` 0), or a station.

    ``parent_station`` is the id of the station (``location_type`` 1) grouping this stop, if
    any. ``wheelchair`` is ``None`` when the feed does not say. ``zone_id`` is the fare zone
    (GTFS ``zone_id``) that ``fare_rules.txt`` names, if any.
    """

    id: str
    name: str
    lat: float
    lon: float
    wheelchair: bool | None = None
    parent_station: str | None = None
    zone_id: str | None = None

    def __post_init__(self) -> None:
        _require_id(self.id, "stop", "id")
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise TimetableError(
                f"stop {self.id!r}: lat {self.lat!r} is out of range; expected degrees in [-90, 90]"
            )
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise TimetableError(
                f"stop {self.id!r}: lon {self.lon!r} is out of range; expected degrees in "
                "[-180, 180]"
            )


@dataclass(frozen=True, slots=True)
class TransitRoute:
    """A line as passengers know it (``short_name`` "169", ``long_name`` "Pont de Sèvres - ...").

    ``agency_id`` is the operator (a GTFS agency or a marketplace service id); ``color`` and
    ``text_color`` hex colours without ``#`` (the line's colour and its text's), or ``None``;
    ``timezone`` the agency's IANA ``agency_timezone`` its trips' times are written in
    (``None``: the searcher's own); ``route_type`` the feed's GTFS ``route_type`` (``None``:
    not from a feed), which service alerts may name.
    """

    id: str
    short_name: str
    long_name: str
    mode: str
    agency_id: str = ""
    color: str | None = None
    text_color: str | None = None
    timezone: str | None = None
    route_type: int | None = None

    def __post_init__(self) -> None:
        _require_id(self.id, "route", "id")
        if self.mode not in TRANSIT_MODES:
            raise TimetableError(
                f"route {self.id!r}: mode {self.mode!r} is not accepted; expected one of "
                f"{', '.join(sorted(TRANSIT_MODES))}"
            )
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise TimetableError(
                    f"route {self.id!r}: timezone {self.timezone!r} is not accepted; expected "
                    "an IANA time zone such as 'Europe/Paris'"
                ) from None
        for name, value in (("color", self.color), ("text_color", self.text_color)):
            if value is not None and not _is_hex_colour(value):
                raise TimetableError(
                    f"route {self.id!r}: {name} {value!r} is not accepted; expected six hex "
                    "digits such as '0055A4' (no '#')"
                )

    @property
    def name(self) -> str:
        """The short name if there is one, else the long name."""
        return self.short_name or self.long_name


@dataclass(frozen=True, slots=True)
class TransitTrip:
    """One vehicle's run along a route on the days its calendar ``service_id`` says.

    ``arrival_s[i]`` and ``departure_s[i]`` are seconds after midnight of the service day at
    ``stop_ids[i]``; they never decrease along the trip (equal times are fine, feeds round to
    the minute) and may exceed 86 400. ``pickup`` and ``drop_off`` say per stop whether
    passengers may board or alight there (GTFS ``pickup_type``/``drop_off_type`` 1 forbids);
    empty means everywhere. ``headway_s`` is set on a frequency-based trip (``frequencies.txt``
    with ``exact_times`` 0): vehicles come about that often, the times are nominal.
    ``wheelchair`` is GTFS ``wheelchair_accessible`` (None: the feed does not say).
    """

    id: str
    route_id: str
    service_id: str
    headsign: str
    stop_ids: tuple[str, ...]
    arrival_s: tuple[int, ...]
    departure_s: tuple[int, ...]
    pickup: tuple[bool, ...] = ()
    drop_off: tuple[bool, ...] = ()
    headway_s: int | None = None
    wheelchair: bool | None = None

    def __post_init__(self) -> None:
        _require_id(self.id, "trip", "id")
        if self.headway_s is not None and not 0 < self.headway_s <= 86_400:
            raise TimetableError(
                f"trip {self.id!r}: headway_s {self.headway_s!r}; expected seconds in (0, 86400]"
            )
        n = len(self.stop_ids)
        if n < 2:
            raise TimetableError(
                f"trip {self.id!r}: stop_ids has {n} stop(s); a trip needs at least 2"
            )
        if len(self.arrival_s) != n or len(self.departure_s) != n:
            raise TimetableError(
                f"trip {self.id!r}: {n} stop_ids but {len(self.arrival_s)} arrival_s and "
                f"{len(self.departure_s)} departure_s; expected one time of each per stop"
            )
        for name, flags in (("pickup", self.pickup), ("drop_off", self.drop_off)):
            if flags and len(flags) != n:
                raise TimetableError(
                    f"trip {self.id!r}: {n} stop_ids but {len(flags)} {name} flags; expected "
                    "one per stop, or none for everywhere"
                )
        previous_s = 0
        for i, (stop_id, arrival_s, departure_s) in enumerate(
            zip(self.stop_ids, self.arrival_s, self.departure_s, strict=True)
        ):
            for name, value in (("arrival_s", arrival_s), ("departure_s", departure_s)):
                if not isinstance(value, int | np.integer) or not 0 <= value <= _MAX_SERVICE_TIME_S:
                    raise TimetableError(
                        f"trip {self.id!r}: {name}[{i}] at stop {stop_id!r} is {value!r}; "
                        f"expected whole seconds in [0, {_MAX_SERVICE_TIME_S}]"
                    )
            if arrival_s < previous_s or departure_s < arrival_s:
                raise TimetableError(
                    f"trip {self.id!r}: times go backwards at stop {i} ({stop_id!r}): "
                    f"arrival {arrival_s} s, departure {departure_s} s after "
                    f"{previous_s} s; expected times that never decrease along the trip"
                )
            previous_s = departure_s


@dataclass(frozen=True, slots=True)
class ServiceCalendar:
    """The days a service runs: GTFS ``calendar.txt`` plus ``calendar_dates.txt`` exceptions.

    ``weekdays`` runs Monday to Sunday. A service defined only by ``calendar_dates.txt`` has no
    weekly pattern (all ``False``, no dates) and runs on its ``added_dates``.
    """

    service_id: str
    weekdays: tuple[bool, ...] = (False,) * 7
    start_date: date | None = None
    end_date: date | None = None
    added_dates: frozenset[date] = frozenset()
    removed_dates: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        _require_id(self.service_id, "calendar", "service_id")
        if len(self.weekdays) != 7:
            raise TimetableError(
                f"calendar {self.service_id!r}: weekdays has {len(self.weekdays)} entries; "
                "expected 7, Monday to Sunday"
            )
        if (self.start_date is None) != (self.end_date is None):
            raise TimetableError(
                f"calendar {self.service_id!r}: start_date and end_date go together; give "
                "both or neither"
            )
        if (
            self.start_date is not None
            and self.end_date is not None
            and self.end_date < self.start_date
        ):
            raise TimetableError(
                f"calendar {self.service_id!r}: end_date {self.end_date} is before "
                f"start_date {self.start_date}; expected start_date <= end_date"
            )
        both = self.added_dates & self.removed_dates
        if both:
            raise TimetableError(
                f"calendar {self.service_id!r}: {min(both)} is both added and removed; "
                "expected each exception date once"
            )

    def runs_on(self, day: date) -> bool:
        """Whether the service runs on ``day`` (exceptions win over the weekly pattern)."""
        if day in self.removed_dates:
            return False
        if day in self.added_dates:
            return True
        if self.start_date is None or self.end_date is None:
            return False
        return self.start_date <= day <= self.end_date and self.weekdays[day.weekday()]


@dataclass(frozen=True, slots=True)
class TransferRule:
    """A ``transfers.txt`` row between two boarding stops of one feed.

    ``kind`` is GTFS ``transfer_type``: 0 recommended, 1 timed (the vehicle waits), 2 needs
    at least ``min_transfer_s``, 3 impossible. Between two different stops, kinds 0 to 2 make
    a footpath (its walking time raised to ``min_transfer_s`` for kind 2) and kind 3 removes
    any; rules from a stop to itself are kept but not searched yet.
    """

    from_stop_id: str
    to_stop_id: str
    kind: int
    min_transfer_s: int | None = None

    def __post_init__(self) -> None:
        _require_id(self.from_stop_id, "transfer", "from_stop_id")
        _require_id(self.to_stop_id, "transfer", "to_stop_id")
        where = f"transfer {self.from_stop_id!r} -> {self.to_stop_id!r}"
        if self.kind not in (0, 1, 2, 3):
            raise TimetableError(
                f"{where}: transfer_type {self.kind!r}; expected 0 (recommended), 1 (timed), "
                "2 (minimum time) or 3 (not possible)"
            )
        if self.kind == 2 and self.min_transfer_s is None:
            raise TimetableError(f"{where}: transfer_type 2 needs min_transfer_time in seconds")
        if self.min_transfer_s is not None and not 0 <= self.min_transfer_s <= 86_400:
            raise TimetableError(
                f"{where}: min_transfer_time {self.min_transfer_s!r}; expected whole seconds "
                "in [0, 86400]"
            )


@dataclass(frozen=True)
class Timetable:
    """A whole feed: every reference between its parts checked at construction.

    ``stops`` are boarding points; ``stations`` the parents some of them name. ``source_id``
    says where the feed came from (a file name, a marketplace service id) for messages and
    caches. ``transfers`` are the feed's ``transfers.txt`` rules between its boarding stops;
    ``fares`` its GTFS fares v1 (empty: prices come from elsewhere or are unknown), ``fares_v2``
    its fares v2, which price its routes instead of v1 (one per feed of a merged network).
    """

    stops: tuple[TransitStop, ...]
    routes: tuple[TransitRoute, ...]
    trips: tuple[TransitTrip, ...]
    calendars: tuple[ServiceCalendar, ...]
    source_id: str = ""
    stations: tuple[TransitStop, ...] = ()
    transfers: tuple[TransferRule, ...] = ()
    fares: FareTable = field(default_factory=FareTable)
    fares_v2: tuple[FaresV2, ...] = ()
    stop_by_id: dict[str, TransitStop] = field(init=False, repr=False, compare=False)
    route_by_id: dict[str, TransitRoute] = field(init=False, repr=False, compare=False)
    trip_by_id: dict[str, TransitTrip] = field(init=False, repr=False, compare=False)
    calendar_by_id: dict[str, ServiceCalendar] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("stops", "routes", "trips", "calendars", "stations", "transfers"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        stops = _index(self.stops, "stop", lambda s: s.id)
        stations = _index(self.stations, "station", lambda s: s.id)
        routes = _index(self.routes, "route", lambda r: r.id)
        trips = _index(self.trips, "trip", lambda t: t.id)
        calendars = _index(self.calendars, "calendar", lambda c: c.service_id)
        for stop_id in stops.keys() & stations.keys():
            raise TimetableError(
                f"{self._where}stop {stop_id!r} is both a boarding stop and a station; "
                "expected distinct ids"
            )
        for stop in self.stops:
            if stop.parent_station is not None and stop.parent_station not in stations:
                raise TimetableError(
                    f"{self._where}stop {stop.id!r}: parent_station {stop.parent_station!r} "
                    "is not a known station"
                )
        for trip in self.trips:
            if trip.route_id not in routes:
                raise TimetableError(
                    f"{self._where}trip {trip.id!r}: route_id {trip.route_id!r} is not a "
                    "known route"
                )
            if trip.service_id not in calendars:
                raise TimetableError(
                    f"{self._where}trip {trip.id!r}: service_id {trip.service_id!r} is not a "
                    "known calendar"
                )
            for i, stop_id in enumerate(trip.stop_ids):
                if stop_id not in stops:
                    raise TimetableError(
                        f"{self._where}trip {trip.id!r}: stop_ids[{i}] {stop_id!r} is not a "
                        "known boarding stop"
                    )
        for rule in self.transfers:
            for stop_id in (rule.from_stop_id, rule.to_stop_id):
                if stop_id not in stops:
                    raise TimetableError(
                        f"{self._where}transfer {rule.from_stop_id!r} -> {rule.to_stop_id!r}: "
                        f"{stop_id!r} is not a known boarding stop"
                    )
        object.__setattr__(self, "stop_by_id", stops)
        object.__setattr__(self, "route_by_id", routes)
        object.__setattr__(self, "trip_by_id", trips)
        object.__setattr__(self, "calendar_by_id", calendars)

    @property
    def _where(self) -> str:
        return f"timetable {self.source_id!r}: " if self.source_id else ""

    def active_trips(self, day: date) -> tuple[TransitTrip, ...]:
        """The trips whose service runs on ``day`` (a service day, not a calendar day).

        Trips of the previous service day still running after midnight are not included; the
        search (:class:`routing.transit.raptor.RaptorIndex`) adds them itself.
        """
        running = {c.service_id for c in self.calendars if c.runs_on(day)}
        return tuple(trip for trip in self.trips if trip.service_id in running)


@dataclass(frozen=True, slots=True)
class StopCall:
    """A vehicle's call at a stop, seconds after midnight of the query day."""

    stop: TransitStop
    arrival_s: int
    departure_s: int


@dataclass(frozen=True, slots=True)
class TransitLeg:
    """A ride on one trip from ``board_stop`` to ``alight_stop``.

    ``service_date`` is the trip's service day (the day before the query day for a trip that
    runs past midnight); ``intermediate_stops`` lie strictly between boarding and alighting
    (stops a live trip skips are left out). On a trip with live times the scheduled ones are
    kept in ``scheduled_departure_s`` and ``scheduled_arrival_s`` (``None``: no live data).
    """

    route: TransitRoute
    trip: TransitTrip
    service_date: date
    board_stop: TransitStop
    alight_stop: TransitStop
    departure_s: int
    arrival_s: int
    intermediate_stops: tuple[StopCall, ...]
    scheduled_departure_s: int | None = None
    scheduled_arrival_s: int | None = None

    @property
    def duration_s(self) -> int:
        return self.arrival_s - self.departure_s

    @property
    def realtime(self) -> bool:
        """Whether the times are live (from a trip update), not the timetable's."""
        return self.scheduled_departure_s is not None


@dataclass(frozen=True, slots=True)
class TransferLeg:
    """A walk between two stops along a footpath transfer."""

    from_stop: TransitStop
    to_stop: TransitStop
    duration_s: int


@dataclass(frozen=True, slots=True)
class Journey:
    """Walk to ``access_stop``, ride (with transfers), walk from ``egress_stop``.

    ``departure_s`` is the latest time to leave the origin for this journey, ``arrival_s``
    the arrival at the destination; both include access and egress walking.
    """

    access_stop: TransitStop
    access_s: int
    egress_stop: TransitStop
    egress_s: int
    legs: tuple[TransitLeg | TransferLeg, ...]
    departure_s: int
    arrival_s: int

    @property
    def transit_legs(self) -> tuple[TransitLeg, ...]:
        return tuple(leg for leg in self.legs if isinstance(leg, TransitLeg))

    @property
    def transfers(self) -> int:
        """Vehicle changes: one fewer than the rides."""
        return len(self.transit_legs) - 1

    @property
    def walk_s(self) -> int:
        """Seconds on foot: access, egress and the footpaths between rides."""
        paths = sum(leg.duration_s for leg in self.legs if isinstance(leg, TransferLeg))
        return self.access_s + self.egress_s + paths

    @property
    def duration_s(self) -> int:
        return self.arrival_s - self.departure_s


def straight_line_transfers(
    stops: Iterable[TransitStop],
    *,
    max_distance_m: float = 400.0,
    walk_speed_mps: float = 1.2,
    detour_factor: float = 1.3,
) -> dict[str, list[tuple[str, float]]]:
    """Footpath transfers between stops closer than ``max_distance_m`` in a straight line.

    For when no street routing is at hand: walking time is the great-circle distance times
    ``detour_factor`` (streets are rarely straight) divided by ``walk_speed_mps``. Both
    directions are listed; a stop is not its own transfer.

    Parameters
    ----------
    stops
        The stops to pair (usually ``timetable.stops``).
    max_distance_m
        Straight-line distance limit, metres.
    walk_speed_mps
        Walking speed, metres per second.
    detour_factor
        Street distance over straight-line distance, at least 1.

    Returns
    -------
    dict
        ``stop id -> [(other stop id, walking seconds), ...]`` sorted by walking time, the
        ``transfers`` argument of :class:`routing.transit.raptor.RaptorIndex`.
    """
    if max_distance_m < 0 or walk_speed_mps <= 0 or detour_factor < 1:
        raise TimetableError(
            f"max_distance_m={max_distance_m}, walk_speed_mps={walk_speed_mps}, "
            f"detour_factor={detour_factor}: expected a distance >= 0, a speed > 0 and a "
            "detour factor >= 1"
        )
    stop_list = list(stops)
    result: dict[str, list[tuple[str, float]]] = {s.id: [] for s in stop_list}
    if len(stop_list) < 2:
        return result
    lat = np.radians([s.lat for s in stop_list])
    lon = np.radians([s.lon for s in stop_list])
    # An equirectangular projection is exact enough at a few hundred metres; a k-d tree
    # finds the pairs in well under a second even on all of Île-de-France's stops.
    xy_m = EARTH_RADIUS_M * np.column_stack((lon * math.cos(float(lat.mean())), lat))
    pairs = cKDTree(xy_m).query_pairs(max_distance_m, output_type="ndarray")
    walk_s = np.linalg.norm(xy_m[pairs[:, 0]] - xy_m[pairs[:, 1]], axis=1)
    walk_s *= detour_factor / walk_speed_mps
    for (a, b), seconds in zip(pairs.tolist(), walk_s.tolist(), strict=True):
        result[stop_list[a].id].append((stop_list[b].id, seconds))
        result[stop_list[b].id].append((stop_list[a].id, seconds))
    for transfers in result.values():
        transfers.sort(key=lambda pair: pair[1])
    return result


def _require_id(value: str, kind: str, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise TimetableError(f"{kind} {name} {value!r} is empty; expected a non-empty string")


def _is_hex_colour(value: str) -> bool:
    return len(value) == 6 and all(c in "0123456789abcdefABCDEF" for c in value)


def _index(items: tuple[_T, ...], kind: str, key: Callable[[_T], str]) -> dict[str, _T]:
    index: dict[str, _T] = {}
    for item in items:
        item_id = key(item)
        if item_id in index:
            raise TimetableError(f"{kind} id {item_id!r} appears twice; expected unique ids")
        index[item_id] = item
    return index
