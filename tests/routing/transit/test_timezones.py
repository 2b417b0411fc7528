"""Agency time zones and DST days: GTFS counts a service day from noon minus 12 h in the
agency's zone. Hand-made one-trip timetables (known answers, not real timetables)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from routing.transit.raptor import RaptorIndex
from routing.transit.service_day import service_day_start
from routing.transit.timetable import Timetable, TimetableError, TransitRoute
from tests.routing.transit.timetables import make_timetable

PARIS = ZoneInfo("Europe/Paris")
H = 3600


def one_trip(departure_s: int, timezone: str | None) -> Timetable:
    timetable = make_timetable(
        {
            "t": (
                "R",
                [("A", departure_s, departure_s), ("B", departure_s + 600, departure_s + 600)],
            )
        },
        ["A", "B"],
    )
    routes = tuple(dataclasses.replace(r, timezone=timezone) for r in timetable.routes)
    return dataclasses.replace(timetable, routes=routes)


def test_service_day_starts_an_hour_early_when_clocks_go_forward() -> None:
    # 29 March 2026: Paris goes from 02:00 CET to 03:00 CEST.
    start = service_day_start(date(2026, 3, 29), PARIS)
    assert start == dt.datetime(2026, 3, 28, 22, 0, tzinfo=dt.UTC)  # 23:00 CET the eve
    assert service_day_start(date(2026, 6, 1), PARIS) == dt.datetime(
        2026, 5, 31, 22, 0, tzinfo=dt.UTC
    )
    # 25 October 2026, clocks go back: noon CET is 11:00 UTC, minus 12 h is 23:00 UTC the
    # eve (01:00 CEST on the wall): an hour after midnight.
    assert service_day_start(date(2026, 10, 25), PARIS) == dt.datetime(
        2026, 10, 24, 23, 0, tzinfo=dt.UTC
    )


def test_a_trip_on_the_dst_day_leaves_at_its_wall_clock_time() -> None:
    day = date(2026, 3, 29)
    index = RaptorIndex(one_trip(8 * H, None), day, timezone="Europe/Paris")
    start = service_day_start(day, PARIS)
    # The traveller asks at 07:30 on the wall clock (CEST).
    asked = dt.datetime(2026, 3, 29, 7, 30, tzinfo=PARIS)
    seconds = int((asked - start).total_seconds())
    (journey,) = index.depart_at({"A": 0}, {"B": 0}, seconds)
    leaves = (start + dt.timedelta(seconds=journey.transit_legs[0].departure_s)).astimezone(PARIS)
    assert leaves.replace(tzinfo=None) == dt.datetime(2026, 3, 29, 8, 0)
    # Counting elapsed seconds from midnight instead would have said 09:00.
    midnight = dt.datetime(2026, 3, 29, tzinfo=PARIS).astimezone(dt.UTC)
    wrong = midnight + dt.timedelta(seconds=journey.transit_legs[0].departure_s)
    assert wrong.astimezone(PARIS).hour == 9


def test_another_agency_s_zone_is_converted() -> None:
    # 8 March 2026: New York springs forward (Paris does not). A New York trip at 08:00 EDT
    # is 12:00 UTC, 13:00 in Paris.
    day = date(2026, 3, 8)
    index = RaptorIndex(one_trip(8 * H, "America/New_York"), day, timezone="Europe/Paris")
    (journey,) = index.depart_at({"A": 0}, {"B": 0}, 12 * H)
    start = service_day_start(day, PARIS)
    leaves = start + dt.timedelta(seconds=journey.transit_legs[0].departure_s)
    assert leaves == dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)
    # Without zones the times are taken as they are written.
    plain = RaptorIndex(one_trip(8 * H, "America/New_York"), day)
    (journey,) = plain.depart_at({"A": 0}, {"B": 0}, 7 * H)
    assert journey.transit_legs[0].departure_s == 8 * H


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(TimetableError, match="timezone 'Europe/Issy' is not accepted"):
        TransitRoute("R", "R", "", "bus", timezone="Europe/Issy")
