"""A GTFS-Realtime absolute time lands on the timetable's own clock: GTFS counts a service
day from noon minus 12 h in the trip's agency timezone, so on a DST change day and for an
agency in another zone the live time must be counted from there, not from the city's midnight
(else a bus five minutes late would read as an hour early or late).

The timetable is a hand-made one-trip view (two stations, known times), not a real feed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from google.transit import gtfs_realtime_pb2 as rt

from marketplace.catalogue.timetables import CalendarView, RouteView, TimetableView, TripView
from marketplace.ingest.gtfs_rt import read_live_feeds
from tests.marketplace.feed_server import feed_message

PARIS = ZoneInfo("Europe/Paris")
EIGHT_S = 8 * 3600  # the trip's GTFS 08:00:00 at its first stop


def _timetable(route_timezone: str | None) -> TimetableView:
    return TimetableView(
        service_id=1,
        routes=(RouteView("L", "1", "Ligne", 3, timezone=route_timezone),),
        calendars=(
            CalendarView(
                external_id="all",
                weekdays=(True,) * 7,
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2028, 12, 31),
                added=frozenset(),
                removed=frozenset(),
            ),
        ),
        trips=(
            TripView(
                "t1",
                "L",
                "all",
                "Corentin Celton",
                None,
                ((10, EIGHT_S, EIGHT_S), (11, EIGHT_S + 600, EIGHT_S + 600)),
                (1, 2),
            ),
        ),
    )


@pytest.mark.parametrize(
    ("day", "route_timezone", "wall_clock"),
    [
        # Clocks go forward in Paris that night: GTFS 08:00:00 is 08:00 CEST, midnight+7 h.
        (dt.date(2027, 3, 28), None, dt.datetime(2027, 3, 28, 8, 5, tzinfo=PARIS)),
        # Clocks go back: GTFS 08:00:00 is 08:00 CET, midnight+9 h.
        (dt.date(2026, 10, 25), None, dt.datetime(2026, 10, 25, 8, 5, tzinfo=PARIS)),
        # An agency in London on a plain day: its 08:00 is 09:00 in Paris.
        (
            dt.date(2026, 12, 7),
            "Europe/London",
            dt.datetime(2026, 12, 7, 8, 5, tzinfo=ZoneInfo("Europe/London")),
        ),
    ],
)
def test_an_absolute_live_time_counts_from_the_trips_service_day_start(
    day: dt.date, route_timezone: str | None, wall_clock: dt.datetime
) -> None:
    message = feed_message(int(wall_clock.timestamp()))
    update = message.entity.add(id="e1").trip_update
    update.trip.trip_id = "t1"
    update.trip.start_date = day.strftime("%Y%m%d")
    update.trip.schedule_relationship = rt.TripDescriptor.SCHEDULED
    stop = update.stop_time_update.add()
    stop.stop_sequence = 1
    stop.departure.time = int(wall_clock.timestamp())

    reading = read_live_feeds(
        [(message.SerializeToString(), wall_clock.astimezone(dt.UTC))],
        service_id=1,
        timetable=_timetable(route_timezone),
        stations={"a": 10, "b": 11},
        timezone=PARIS,
    )

    assert reading.problems == ()
    (trip,) = reading.updates.trips
    assert trip.service_date == day
    (first,) = trip.stop_updates
    # Five minutes after the scheduled 08:00:00, on the timetable's clock.
    assert (first.position, first.departure_s) == (0, EIGHT_S + 300)
