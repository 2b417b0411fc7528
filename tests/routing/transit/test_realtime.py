"""GTFS-Realtime trip updates applied to a timetable, and alerts matched to rides.

The timetables are small hand-made ones with known answers (no real feed has live data to
ship): line L runs A-B-C-D at 08:00, 08:10, 08:20, 08:30 (trip T1) and ten minutes later (T2).
"""

from __future__ import annotations

import datetime as dt

import pytest

from routing.transit.raptor import RaptorIndex
from routing.transit.realtime import (
    Alert,
    AlertEntity,
    StopTimeUpdate,
    TripUpdate,
    live_trip,
)
from routing.transit.timetable import TimetableError, TransitLeg
from tests.routing.transit.timetables import DAY, make_timetable

H8 = 8 * 3600


def line() -> object:
    return make_timetable(
        {
            "T1": ("L", [(s, H8 + 600 * i, H8 + 600 * i) for i, s in enumerate("ABCD")]),
            "T2": (
                "L",
                [(s, H8 + 600 + 600 * i, H8 + 600 + 600 * i) for i, s in enumerate("ABCD")],
            ),
        },
        "ABCD",
    )


def trip_times(update: TripUpdate) -> tuple[tuple[int, ...], tuple[int, ...]]:
    timetable = line()
    live = live_trip(timetable.trip_by_id["T1"], update)  # type: ignore[attr-defined]
    assert live is not None
    return live.trip.arrival_s, live.trip.departure_s


def test_a_delay_propagates_downstream_and_not_upstream() -> None:
    arrivals, departures = trip_times(
        TripUpdate("T1", DAY, stop_updates=(StopTimeUpdate(1, arrival_delay_s=120),))
    )
    # A keeps its time; B and, by propagation, C and D are two minutes late.
    assert arrivals == (H8, H8 + 720, H8 + 1320, H8 + 1920)
    assert departures == arrivals


def test_a_later_update_replaces_the_propagated_delay_and_absolute_times_win() -> None:
    arrivals, _ = trip_times(
        TripUpdate(
            "T1",
            DAY,
            stop_updates=(
                StopTimeUpdate(1, departure_delay_s=300),
                StopTimeUpdate(2, arrival_s=H8 + 1260),  # 08:21, one minute late
            ),
        )
    )
    assert arrivals == (H8, H8 + 900, H8 + 1260, H8 + 1860)


def test_no_data_stops_the_propagation() -> None:
    arrivals, _ = trip_times(
        TripUpdate(
            "T1",
            DAY,
            stop_updates=(StopTimeUpdate(1, arrival_delay_s=300), StopTimeUpdate(2, no_data=True)),
        )
    )
    assert arrivals == (H8, H8 + 900, H8 + 1200, H8 + 1800)


def test_times_going_backwards_are_pushed_forward() -> None:
    arrivals, departures = trip_times(
        TripUpdate(
            "T1",
            DAY,
            stop_updates=(StopTimeUpdate(1, arrival_delay_s=900), StopTimeUpdate(2, arrival_s=H8)),
        )
    )
    assert list(arrivals) == sorted(arrivals)
    assert all(d >= a for a, d in zip(arrivals, departures, strict=True))


def test_a_position_past_the_trip_is_refused() -> None:
    with pytest.raises(TimetableError, match="position 7"):
        trip_times(TripUpdate("T1", DAY, stop_updates=(StopTimeUpdate(7, arrival_delay_s=1),)))


def only_ride(index: RaptorIndex, origin: str, destination: str, at_s: int) -> TransitLeg:
    journeys = index.depart_at({origin: 0}, {destination: 0}, at_s)
    assert len(journeys) == 1
    (leg,) = journeys[0].transit_legs
    return leg


def test_the_search_rides_the_live_times_and_keeps_the_schedule() -> None:
    timetable = line()
    update = TripUpdate("T1", DAY, stop_updates=(StopTimeUpdate(0, departure_delay_s=240),))
    live = {("T1", DAY): live_trip(timetable.trip_by_id["T1"], update)}  # type: ignore[attr-defined]
    planned = only_ride(RaptorIndex(timetable, DAY), "A", "D", H8)  # type: ignore[arg-type]
    moved = only_ride(RaptorIndex(timetable, DAY, live=live), "A", "D", H8)  # type: ignore[arg-type]
    assert (planned.trip.id, planned.departure_s, planned.realtime) == ("T1", H8, False)
    assert (moved.trip.id, moved.departure_s, moved.arrival_s) == ("T1", H8 + 240, H8 + 2040)
    assert (moved.scheduled_departure_s, moved.scheduled_arrival_s) == (H8, H8 + 1800)
    assert moved.realtime


def test_a_cancelled_trip_is_not_ridden_that_day_only() -> None:
    timetable = line()
    cancel = TripUpdate("T1", DAY, cancelled=True)
    live = {("T1", DAY): live_trip(timetable.trip_by_id["T1"], cancel)}  # type: ignore[attr-defined]
    today = only_ride(RaptorIndex(timetable, DAY, live=live), "A", "D", H8)  # type: ignore[arg-type]
    assert today.trip.id == "T2"
    tomorrow = DAY + dt.timedelta(days=1)
    other = only_ride(RaptorIndex(timetable, tomorrow, live=live), "A", "D", H8)  # type: ignore[arg-type]
    assert other.trip.id == "T1"


def test_a_skipped_stop_is_neither_boarded_nor_shown() -> None:
    timetable = line()
    skip = TripUpdate("T1", DAY, stop_updates=(StopTimeUpdate(1, skipped=True),))
    live = {("T1", DAY): live_trip(timetable.trip_by_id["T1"], skip)}  # type: ignore[attr-defined]
    index = RaptorIndex(timetable, DAY, live=live)  # type: ignore[arg-type]
    # From B, T1 no longer stops: the next vehicle there is T2.
    assert only_ride(index, "B", "D", H8).trip.id == "T2"
    through = only_ride(index, "A", "D", H8)
    assert through.trip.id == "T1"
    assert [call.stop.id for call in through.intermediate_stops] == ["C"]


def test_a_skipped_stop_keeps_the_trip_in_its_pattern_and_the_next_trip_serves_it() -> None:
    timetable = line()
    skip = TripUpdate("T1", DAY, stop_updates=(StopTimeUpdate(1, skipped=True),))
    live = {("T1", DAY): live_trip(timetable.trip_by_id["T1"], skip)}  # type: ignore[attr-defined]
    index = RaptorIndex(timetable, DAY, live=live)  # type: ignore[arg-type]
    # The skip is carried per trip into the search: no pattern of its own for T1.
    assert index.pattern_count == RaptorIndex(timetable, DAY).pattern_count == 1  # type: ignore[arg-type]
    # T1 passes B without stopping: from A, B is reached by T2, ten minutes later, though
    # T1 (earlier, and still ridden to C and D) is the first trip to board at A.
    to_b = only_ride(index, "A", "B", H8)
    assert (to_b.trip.id, to_b.arrival_s) == ("T2", H8 + 1200)
    assert only_ride(index, "A", "C", H8).trip.id == "T1"
    (pareto,) = index.pareto_depart_at({"A": 0}, {"B": 0}, H8)
    assert [leg.trip.id for leg in pareto.transit_legs] == ["T2"]
    # Searched backwards (arrive by), the trip boarded at B must be T2 as well.
    (latest,) = index.arrive_by({"B": 0}, {"D": 0}, H8 + 3600)
    assert [leg.trip.id for leg in latest.transit_legs] == ["T2"]


WHEN = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        pytest.param(AlertEntity(route_id="L"), True, id="route"),
        pytest.param(AlertEntity(route_id="M"), False, id="other-route"),
        pytest.param(AlertEntity(trip_id="T1"), True, id="trip"),
        pytest.param(AlertEntity(stop_id="C"), True, id="stop-called-at"),
        pytest.param(AlertEntity(route_id="L", stop_id="Z"), False, id="route-but-not-stop"),
        pytest.param(AlertEntity(agency_id="ag"), True, id="agency"),
    ],
)
def test_an_alert_informs_a_ride_when_every_field_given_matches(
    entity: AlertEntity, expected: bool
) -> None:
    alert = Alert("a1", (("fr", "Travaux"),), entities=(entity,))
    assert alert.informs(agency_id="ag", route_id="L", trip_id="T1", stop_ids="ABC") is expected


def test_an_alert_is_active_only_in_its_periods() -> None:
    hour = dt.timedelta(hours=1)
    alert = Alert("a1", (("fr", "Travaux"),), active=((WHEN + hour, WHEN + 2 * hour),))
    assert not alert.active_during(WHEN, WHEN + hour / 2)
    assert alert.active_during(WHEN, WHEN + hour * 1.5)
    assert Alert("a2", ()).active_during(WHEN, WHEN)  # no period: always
    assert Alert("a3", (), active=((None, WHEN - hour),)).active_during(WHEN, WHEN) is False
