"""Timetables of published services as plain values, for the trip planner.

Stations are referred to by their database id (the ``id`` of
:class:`~marketplace.catalogue.published.StationView`); times are seconds after midnight of
the service day, as in GTFS.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from marketplace.catalogue.transit_rules import TransitRulesView, transit_rules
from marketplace.models import (
    MobilityService,
    ServiceStatus,
    TransitCalendar,
    TransitCalendarDate,
    TransitRoute,
    TransitStopTime,
    TransitTrip,
)

__all__ = ["CalendarView", "RouteView", "TimetableView", "TripView", "published_timetables"]


@dataclass(frozen=True, slots=True)
class CalendarView:
    """When trips run: weekdays between two dates, plus added and removed dates."""

    external_id: str
    weekdays: tuple[bool, ...]
    start_date: date | None
    end_date: date | None
    added: frozenset[date]
    removed: frozenset[date]

    def runs_on(self, day: date) -> bool:
        """Whether trips of this calendar run on ``day``."""
        if day in self.removed:
            return False
        if day in self.added:
            return True
        in_range = (
            self.start_date is not None
            and self.end_date is not None
            and self.start_date <= day <= self.end_date
        )
        return in_range and self.weekdays[day.weekday()]


@dataclass(frozen=True, slots=True)
class RouteView:
    """A line; ``route_type`` is GTFS's (3 bus, 0 tram, 1 metro, 2 rail…)."""

    external_id: str
    short_name: str
    long_name: str
    route_type: int
    color: str | None = None
    text_color: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class TripView:
    """One run of a route: ``(station id, arrival_s, departure_s)`` in stop order, and each
    call's GTFS ``stop_sequence`` (what GTFS-Realtime updates name)."""

    external_id: str
    route_external_id: str
    calendar_external_id: str
    headsign: str
    direction_id: int | None
    stop_times: tuple[tuple[int, int, int], ...]
    stop_sequences: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class TimetableView:
    """The timetable of one published service."""

    service_id: int
    routes: tuple[RouteView, ...]
    calendars: tuple[CalendarView, ...]
    trips: tuple[TripView, ...]
    rules: TransitRulesView = field(default_factory=TransitRulesView)


def published_timetables(
    session: Session, *, service_ids: Sequence[int] | None = None
) -> list[TimetableView]:
    """Timetables of published services that have one (optionally only some ids), by id."""
    query = select(MobilityService.id).where(
        col(MobilityService.status) == ServiceStatus.PUBLISHED,
        select(TransitTrip.id).where(TransitTrip.service_id == MobilityService.id).exists(),
    )
    if service_ids is not None:
        query = query.where(col(MobilityService.id).in_(list(service_ids)))
    ids = [i for i in session.exec(query.order_by(col(MobilityService.id))) if i is not None]
    if not ids:
        return []
    routes = list(session.exec(select(TransitRoute).where(col(TransitRoute.service_id).in_(ids))))
    calendars = list(
        session.exec(select(TransitCalendar).where(col(TransitCalendar.service_id).in_(ids)))
    )
    exceptions: dict[int, dict[int, set[date]]] = defaultdict(lambda: {1: set(), 2: set()})
    for exception in session.exec(
        select(TransitCalendarDate).where(
            col(TransitCalendarDate.calendar_id).in_([c.id for c in calendars])
        )
    ):
        exceptions[exception.calendar_id][exception.exception_type].add(exception.day)
    trips = list(
        session.exec(
            select(TransitTrip)
            .where(col(TransitTrip.service_id).in_(ids))
            .order_by(col(TransitTrip.external_id))
        )
    )
    times: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    sequences: dict[int, list[int]] = defaultdict(list)
    for call in session.exec(
        select(TransitStopTime)
        .where(col(TransitStopTime.trip_id).in_([t.id for t in trips]))
        .order_by(col(TransitStopTime.trip_id), col(TransitStopTime.stop_sequence))
    ):
        times[call.trip_id].append((call.station_id, call.arrival_s, call.departure_s))
        sequences[call.trip_id].append(call.stop_sequence)
    rules = transit_rules(session, ids)
    route_ids = {r.id: r.external_id for r in routes}
    calendar_ids = {c.id: c.external_id for c in calendars}
    views = []
    for sid in ids:
        views.append(
            TimetableView(
                service_id=sid,
                routes=tuple(
                    RouteView(
                        r.external_id,
                        r.short_name,
                        r.long_name,
                        r.route_type,
                        r.color,
                        r.text_color,
                        r.timezone,
                    )
                    for r in routes
                    if r.service_id == sid
                ),
                calendars=tuple(
                    CalendarView(
                        external_id=c.external_id,
                        weekdays=tuple(flag == "1" for flag in c.weekdays),
                        start_date=c.start_date,
                        end_date=c.end_date,
                        added=frozenset(exceptions[c.id or 0][1]),
                        removed=frozenset(exceptions[c.id or 0][2]),
                    )
                    for c in calendars
                    if c.service_id == sid
                ),
                trips=tuple(
                    TripView(
                        external_id=t.external_id,
                        route_external_id=route_ids[t.route_id],
                        calendar_external_id=calendar_ids[t.calendar_id],
                        headsign=t.headsign,
                        direction_id=t.direction_id,
                        stop_times=tuple(times[t.id or 0]),
                        stop_sequences=tuple(sequences[t.id or 0]),
                    )
                    for t in trips
                    if t.service_id == sid
                ),
                rules=rules.get(sid, TransitRulesView()),
            )
        )
    return views
