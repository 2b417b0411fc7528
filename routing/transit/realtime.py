"""Live changes to a timetable, as GTFS-Realtime describes them: delays, cancellations,
skipped stops, and service alerts.

The values here are the engine's: plain, with the feed's own trip and stop ids already
matched to the timetable's (the marketplace reads the protobuf and does the matching).
:func:`live_trip` applies one :class:`TripUpdate` to its scheduled trip the way the GTFS-RT
specification says a consumer must:

- a stop's arrival or departure is the absolute time given, else the scheduled time plus the
  delay given; a stop with only one of them takes the other's delay;
- a delay propagates downstream to the stops without an update, up to the next update; the
  stops before the first update keep their scheduled times;
- a ``NO_DATA`` stop has no live time and stops the propagation (the stops after it run to
  schedule until the next update);
- a ``SKIPPED`` stop is neither boarded nor alighted at; the delay before it propagates over
  it, and it is not shown among the stops a ride passes;
- a ``CANCELED`` trip does not run that day.

Times that a producer gives going backwards (a vehicle leaving a stop before it arrived) are
pushed forward so that the trip still never goes back in time, as every consumer must.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from routing.transit.timetable import TimetableError, TransitTrip

__all__ = [
    "Alert",
    "AlertEntity",
    "LiveTrip",
    "StopTimeUpdate",
    "TripUpdate",
    "TripUpdates",
    "live_trip",
]

# Seconds after midnight of the service day a live time may reach (as the timetable's limit).
_MAX_SERVICE_TIME_S = 48 * 3600


@dataclass(frozen=True, slots=True)
class StopTimeUpdate:
    """A live time for the stop at ``position`` (0-based) along the trip.

    Absolute times (``arrival_s``, ``departure_s``) are on the trip's own clock (seconds
    after its service day's start, as its schedule) and win over delays; ``skipped`` is
    GTFS-RT ``SKIPPED``, ``no_data`` is ``NO_DATA``.
    """

    position: int
    arrival_delay_s: int | None = None
    departure_delay_s: int | None = None
    arrival_s: int | None = None
    departure_s: int | None = None
    skipped: bool = False
    no_data: bool = False

    def __post_init__(self) -> None:
        if self.position < 0:
            raise TimetableError(
                f"stop time update position {self.position}; expected a position >= 0"
            )


@dataclass(frozen=True, slots=True)
class TripUpdate:
    """The live state of trip ``trip_id`` on its service day ``service_date``.

    ``stop_updates`` are sorted by position, at most one per stop; ``delay_s`` is the trip's
    own delay (GTFS-RT ``TripUpdate.delay``), used for the stops no stop update reaches.
    """

    trip_id: str
    service_date: dt.date
    cancelled: bool = False
    stop_updates: tuple[StopTimeUpdate, ...] = ()
    delay_s: int | None = None

    def __post_init__(self) -> None:
        positions = [u.position for u in self.stop_updates]
        if positions != sorted(set(positions)):
            raise TimetableError(
                f"trip update {self.trip_id!r}: stop updates at positions {positions}; "
                "expected one update per stop, in stop order"
            )


@dataclass(frozen=True, slots=True)
class AlertEntity:
    """Who or what an alert is about (GTFS-RT ``EntitySelector``): every field given must
    match; ``agency_id`` matches a route's ``agency_id``, ``route_type`` its GTFS
    ``route_type`` (an alert about every tram of an agency, say)."""

    agency_id: str | None = None
    route_id: str | None = None
    trip_id: str | None = None
    stop_id: str | None = None
    route_type: int | None = None

    def matches(
        self,
        *,
        agency_id: str,
        route_id: str,
        trip_id: str,
        stop_ids: Iterable[str],
        route_type: int | None = None,
    ) -> bool:
        if self.agency_id is not None and self.agency_id != agency_id:
            return False
        if self.route_type is not None and self.route_type != route_type:
            return False
        if self.route_id is not None and self.route_id != route_id:
            return False
        if self.trip_id is not None and self.trip_id != trip_id:
            return False
        return self.stop_id is None or self.stop_id in set(stop_ids)


@dataclass(frozen=True, slots=True)
class Alert:
    """A service alert: texts per language (``(language, text)`` pairs, ``""`` when the
    feed names none), the entities it informs about, and when it is active.

    ``active`` holds ``(start, end)`` pairs of aware datetimes, either end ``None`` when open;
    no period means always active.
    """

    id: str
    header: tuple[tuple[str, str], ...]
    description: tuple[tuple[str, str], ...] = ()
    url: str | None = None
    cause: str | None = None
    effect: str | None = None
    entities: tuple[AlertEntity, ...] = ()
    active: tuple[tuple[dt.datetime | None, dt.datetime | None], ...] = ()

    def active_during(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether the alert is active at some moment between ``start`` and ``end``."""
        if not self.active:
            return True
        return any(
            (begin is None or begin <= end) and (until is None or start <= until)
            for begin, until in self.active
        )

    def informs(
        self,
        *,
        agency_id: str,
        route_id: str,
        trip_id: str,
        stop_ids: Iterable[str],
        route_type: int | None = None,
    ) -> bool:
        """Whether one of the alert's entities matches a ride of ``trip_id``."""
        stops = tuple(stop_ids)
        return any(
            entity.matches(
                agency_id=agency_id,
                route_id=route_id,
                trip_id=trip_id,
                stop_ids=stops,
                route_type=route_type,
            )
            for entity in self.entities
        )


@dataclass(frozen=True)
class TripUpdates:
    """One service's live data: trip updates by ``(trip id, service date)`` and alerts.

    ``received_at`` says when the feed was read (for "times are live as of").
    """

    trips: tuple[TripUpdate, ...] = ()
    alerts: tuple[Alert, ...] = ()
    received_at: dt.datetime | None = None

    def by_trip(self) -> dict[tuple[str, dt.date], TripUpdate]:
        return {(update.trip_id, update.service_date): update for update in self.trips}


@dataclass(frozen=True, slots=True)
class LiveTrip:
    """A trip as it runs today: ``trip`` with live times (closed at skipped stops), the
    ``scheduled`` one it came from, and the positions of the stops it skips."""

    trip: TransitTrip
    scheduled: TransitTrip
    skipped: frozenset[int] = frozenset()


def live_trip(scheduled: TransitTrip, update: TripUpdate) -> LiveTrip | None:
    """``scheduled`` with ``update`` applied, or ``None`` when the trip is cancelled.

    Raises
    ------
    TimetableError
        When an update names a position past the trip's last stop.
    """
    if update.cancelled:
        return None
    n = len(scheduled.stop_ids)
    by_position = {u.position: u for u in update.stop_updates}
    if by_position and max(by_position) >= n:
        raise TimetableError(
            f"trip update {update.trip_id!r}: a stop update at position {max(by_position)} but "
            f"the trip has {n} stops; expected positions 0 to {n - 1}"
        )
    arrivals: list[int] = []
    departures: list[int] = []
    skipped: set[int] = set()
    # Before the first stop update only the trip-level delay applies (else the schedule).
    delay_s: int | None = update.delay_s
    for i in range(n):
        planned_arr, planned_dep = scheduled.arrival_s[i], scheduled.departure_s[i]
        stop = by_position.get(i)
        if stop is not None and stop.no_data:
            delay_s = None
            arrivals.append(planned_arr)
            departures.append(planned_dep)
            continue
        if stop is None or stop.skipped:
            if stop is not None:
                skipped.add(i)
            shift = delay_s or 0
            arrivals.append(planned_arr + shift)
            departures.append(planned_dep + shift)
            continue
        arrival = _live_time(stop.arrival_s, stop.arrival_delay_s, planned_arr)
        departure = _live_time(stop.departure_s, stop.departure_delay_s, planned_dep)
        if arrival is None:
            arrival = planned_arr + (
                departure - planned_dep if departure is not None else (delay_s or 0)
            )
        if departure is None:
            departure = planned_dep + (arrival - planned_arr)
        arrivals.append(arrival)
        departures.append(departure)
        delay_s = departure - planned_dep
    previous = 0
    for i in range(n):
        arrivals[i] = min(max(arrivals[i], previous, 0), _MAX_SERVICE_TIME_S)
        departures[i] = min(max(departures[i], arrivals[i]), _MAX_SERVICE_TIME_S)
        previous = departures[i]
    pickup = scheduled.pickup or (True,) * n
    drop_off = scheduled.drop_off or (True,) * n
    trip = TransitTrip(
        id=scheduled.id,
        route_id=scheduled.route_id,
        service_id=scheduled.service_id,
        headsign=scheduled.headsign,
        stop_ids=scheduled.stop_ids,
        arrival_s=tuple(arrivals),
        departure_s=tuple(departures),
        pickup=tuple(flag and i not in skipped for i, flag in enumerate(pickup)),
        drop_off=tuple(flag and i not in skipped for i, flag in enumerate(drop_off)),
        headway_s=scheduled.headway_s,
        wheelchair=scheduled.wheelchair,
    )
    return LiveTrip(trip, scheduled, frozenset(skipped))


def _live_time(absolute_s: int | None, delay_s: int | None, planned_s: int) -> int | None:
    if absolute_s is not None:
        return absolute_s
    if delay_s is not None:
        return planned_s + delay_s
    return None
