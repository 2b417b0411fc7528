"""Small timetables the RAPTOR tests build by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from routing.transit.timetable import (
    ServiceCalendar,
    Timetable,
    TransitRoute,
    TransitStop,
    TransitTrip,
)

DAY = date(2026, 6, 1)


def make_timetable(
    trips: Mapping[str, tuple[str, Sequence[tuple[str, int, int]]]], stop_ids: Sequence[str]
) -> Timetable:
    """A one-calendar timetable: trip id -> (route id, [(stop, arrival_s, departure_s), ...])."""
    stops = [TransitStop(s, s, 48.82 + i * 0.001, 2.26) for i, s in enumerate(stop_ids)]
    routes = sorted({route for route, _ in trips.values()})
    return Timetable(
        stops=tuple(stops),
        routes=tuple(TransitRoute(r, r, "", "bus") for r in routes),
        trips=tuple(
            TransitTrip(
                trip_id,
                route,
                "ALL",
                "",
                tuple(c[0] for c in calls),
                tuple(c[1] for c in calls),
                tuple(c[2] for c in calls),
            )
            for trip_id, (route, calls) in trips.items()
        ),
        calendars=(ServiceCalendar("ALL", (True,) * 7, date(2026, 1, 1), date(2026, 12, 31)),),
        source_id="test",
    )
