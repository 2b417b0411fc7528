"""RAPTOR on small timetables with known answers, and against a brute-force search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from routing.transit.gtfs import read_gtfs
from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import (
    Journey,
    ServiceCalendar,
    Timetable,
    TimetableError,
    TransferLeg,
    TransitLeg,
    TransitRoute,
    TransitStop,
    TransitTrip,
    straight_line_transfers,
)
from tests.routing.transit.timetables import DAY, make_timetable

CROSSING = Path(__file__).parent / "fixtures" / "gtfs_crossing"
SUNDAY, MONDAY, TUESDAY_NO_WK, SUNDAY_WITH_WK = (
    date(2026, 3, 1),
    date(2026, 3, 2),
    date(2026, 3, 3),  # calendar_dates.txt removes the weekday service
    date(2026, 3, 8),  # calendar_dates.txt adds the weekday service
)


def hms(text: str) -> int:
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def summary(journeys: Sequence[Journey]) -> list[tuple[int, list[str], int]]:
    """(transfers, trip ids, arrival) per journey: what a reader checks first."""
    return [(j.transfers, [leg.trip.id for leg in j.transit_legs], j.arrival_s) for j in journeys]


@pytest.fixture(scope="module")
def crossing() -> Timetable:
    return read_gtfs(CROSSING)


def test_fast_line_with_a_transfer_and_slow_direct_line_are_both_pareto(
    crossing: Timetable,
) -> None:
    index = RaptorIndex(crossing, MONDAY)
    journeys = index.search({"A": 0}, {"Z": 0}, hms("07:55:00"), min_transfer_s=60)
    # F2a reaches M 30 s after F1a: too short for a 60 s transfer, so F2b.
    assert summary(journeys) == [
        (0, ["S1"], hms("09:00:00")),
        (1, ["F1a", "F2b"], hms("08:40:00")),
    ]
    direct, fast = journeys
    (ride,) = direct.legs
    assert isinstance(ride, TransitLeg)
    assert (ride.route.id, ride.board_stop.id, ride.alight_stop.id) == ("S", "A", "Z")
    assert (ride.departure_s, ride.arrival_s) == (hms("08:00:00"), hms("09:00:00"))
    assert [(c.stop.id, c.arrival_s, c.departure_s) for c in ride.intermediate_stops] == [
        ("C", hms("08:29:00"), hms("08:30:00"))
    ]
    assert ride.service_date == MONDAY
    first, second = fast.legs
    assert isinstance(first, TransitLeg) and isinstance(second, TransitLeg)
    assert (first.alight_stop.id, second.board_stop.id) == ("M", "M")
    assert first.intermediate_stops == second.intermediate_stops == ()
    assert (fast.departure_s, fast.access_stop.id, fast.egress_stop.id) == (
        hms("08:05:00"),
        "A",
        "Z",
    )


def test_zero_transfer_time_catches_the_tight_connection(crossing: Timetable) -> None:
    journeys = RaptorIndex(crossing, MONDAY).search(
        {"A": 0}, {"Z": 0}, hms("07:55:00"), min_transfer_s=0
    )
    assert summary(journeys)[1] == (1, ["F1a", "F2a"], hms("08:35:30"))


def test_missed_connection_leaves_only_the_direct_line(crossing: Timetable) -> None:
    journeys = RaptorIndex(crossing, MONDAY).search(
        {"A": 0}, {"Z": 0}, hms("07:55:00"), min_transfer_s=600
    )
    assert summary(journeys) == [(0, ["S1"], hms("09:00:00"))]


def test_max_transfers_zero_keeps_direct_rides_only(crossing: Timetable) -> None:
    journeys = RaptorIndex(crossing, MONDAY).search(
        {"A": 0}, {"Z": 0}, hms("07:55:00"), max_transfers=0
    )
    assert summary(journeys) == [(0, ["S1"], hms("09:00:00"))]


@pytest.mark.parametrize(
    ("day", "trips"),
    [
        pytest.param(MONDAY, [["S1"], ["F1a", "F2b"]], id="monday"),
        pytest.param(SUNDAY, [["S1"]], id="no-weekday-trips-on-sunday"),
        pytest.param(TUESDAY_NO_WK, [["S1"]], id="calendar-dates-removal"),
        pytest.param(SUNDAY_WITH_WK, [["S1"], ["F1a", "F2b"]], id="calendar-dates-addition"),
        pytest.param(date(2027, 3, 1), [], id="after-the-calendar-ends"),
    ],
)
def test_calendars_decide_which_trips_run(
    crossing: Timetable, day: date, trips: list[list[str]]
) -> None:
    journeys = RaptorIndex(crossing, day).search({"A": 0}, {"Z": 0}, hms("07:55:00"))
    assert [names for _, names, _ in summary(journeys)] == trips


def test_trip_after_midnight_runs_on_the_next_calendar_day(crossing: Timetable) -> None:
    # S_NIGHT leaves A at 24:30:00 on Monday's service: 00:30 on Tuesday.
    (journey,) = RaptorIndex(crossing, TUESDAY_NO_WK).search({"A": 0}, {"Z": 0}, hms("00:20:00"))
    (ride,) = journey.transit_legs
    assert ride.trip.id == "S_NIGHT"
    assert ride.service_date == MONDAY
    assert (journey.departure_s, journey.arrival_s) == (hms("00:30:00"), hms("01:10:00"))
    # The same trip seen from its own service day, in GTFS's times past 24:00:00.
    (journey,) = RaptorIndex(crossing, MONDAY).search({"A": 0}, {"Z": 0}, hms("24:20:00"))
    assert journey.arrival_s == hms("25:10:00")
    assert journey.transit_legs[0].service_date == MONDAY


def test_access_and_egress_walking_count_and_a_station_stands_for_its_stops(
    crossing: Timetable,
) -> None:
    index = RaptorIndex(crossing, MONDAY)
    journeys = index.search({"A": 300}, {"Z": 120, "B": 2400}, hms("07:55:00"))
    assert [(j.departure_s, j.arrival_s, j.egress_stop.id, j.egress_s) for j in journeys] == [
        (hms("07:55:00"), hms("09:02:00"), "Z", 120),  # S1 at 08:00 after a 5 min walk
        (hms("08:00:00"), hms("08:42:00"), "Z", 120),
    ]
    # A shorter walk from B makes F1a alone beat everything.
    journeys = index.search({"A": 300}, {"Z": 120, "B": 900}, hms("07:55:00"))
    assert summary(journeys) == [(0, ["F1a"], hms("08:40:00"))]
    # A station id means all its platforms (M and M2); F2a left M at 08:15:30.
    (journey,) = index.search({"M_STATION": 0}, {"Z": 0}, hms("08:16:00"))
    assert summary([journey]) == [(0, ["F2b"], hms("08:40:00"))]


def test_no_journey_gives_an_empty_list(crossing: Timetable) -> None:
    index = RaptorIndex(crossing, MONDAY)
    assert index.search({"Z": 0}, {"A": 0}, hms("07:00:00")) == []  # no line runs Z -> A
    assert index.search({"C": 0}, {"B": 0}, hms("09:00:00")) == []  # after the last trips


def test_footpath_transfer_between_platforms() -> None:
    timetable = make_timetable(
        {
            "in": ("L1", [("A", 0, 0), ("M", 600, 600)]),
            "out_early": ("L2", [("M2", 780, 780), ("Z", 1200, 1200)]),  # 600 + 120 + 60 = 780
            "out_missed": ("L2", [("M2", 779, 779), ("Z", 1100, 1100)]),
        },
        ["A", "M", "M2", "Z"],
    )
    index = RaptorIndex(timetable, DAY, transfers={"M": [("M2", 120.0)]})
    (journey,) = index.search({"A": 0}, {"Z": 0}, 0, min_transfer_s=60)
    _, walk, ride_out = journey.legs
    assert isinstance(walk, TransferLeg)
    assert (walk.from_stop.id, walk.to_stop.id, walk.duration_s) == ("M", "M2", 120)
    assert isinstance(ride_out, TransitLeg) and ride_out.trip.id == "out_early"
    assert journey.arrival_s == 1200
    # Without the footpath there is no way from M to M2.
    assert RaptorIndex(timetable, DAY).search({"A": 0}, {"Z": 0}, 0) == []


def test_walk_after_the_last_ride_reaches_an_egress_stop() -> None:
    timetable = make_timetable({"t": ("L", [("A", 100, 100), ("B", 300, 300)])}, ["A", "B", "C"])
    index = RaptorIndex(timetable, DAY, transfers={"B": [("C", 90)]})
    (journey,) = index.search({"A": 10}, {"C": 5}, 0)
    assert [type(leg) for leg in journey.legs] == [TransitLeg, TransferLeg]
    assert (journey.egress_stop.id, journey.arrival_s, journey.departure_s) == ("C", 395, 90)


def test_overtaking_trips_are_split_into_patterns() -> None:
    stops = ["A", "B", "C"]
    timetable = make_timetable(
        {
            "slow": ("L", [("A", 100, 100), ("B", 1000, 1000), ("C", 3000, 3000)]),
            "express": ("L", [("A", 200, 200), ("B", 500, 500), ("C", 800, 800)]),
        },
        stops,
    )
    index = RaptorIndex(timetable, DAY)
    assert index.pattern_count == 2
    (journey,) = index.search({"A": 0}, {"C": 0}, 0)
    assert summary([journey]) == [(0, ["express"], 800)]


def test_pickup_and_drop_off_restrictions() -> None:
    trip = TransitTrip(
        "t", "L", "ALL", "", ("A", "B", "C"), (0, 100, 200), (0, 100, 200),
        pickup=(True, False, True),
        drop_off=(True, False, True),
    )  # fmt: skip
    timetable = Timetable(
        stops=tuple(TransitStop(s, s, 48.82, 2.26) for s in "ABC"),
        routes=(TransitRoute("L", "L", "", "bus"),),
        trips=(trip,),
        calendars=(ServiceCalendar("ALL", (True,) * 7, date(2026, 1, 1), date(2026, 12, 31)),),
    )
    index = RaptorIndex(timetable, DAY)
    for search in (index.search, index.arrive_by):
        start_s = 0 if search == index.search else 300
        assert search({"A": 0}, {"B": 0}, start_s) == []  # no alighting at B
        assert search({"B": 0}, {"C": 0}, start_s) == []  # no boarding at B
        assert summary(search({"A": 0}, {"C": 0}, start_s)) == [(0, ["t"], 200)]


def test_arrive_by_gives_the_latest_departure_per_transfer_count(crossing: Timetable) -> None:
    index = RaptorIndex(crossing, MONDAY)
    journeys = index.arrive_by({"A": 0}, {"Z": 0}, hms("08:45:00"))
    assert summary(journeys) == [(1, ["F1a", "F2b"], hms("08:40:00"))]
    assert journeys[0].departure_s == hms("08:05:00")
    journeys = index.arrive_by({"A": 0}, {"Z": 0}, hms("09:00:00"))
    assert [(j.transfers, j.departure_s) for j in journeys] == [
        (0, hms("08:00:00")),
        (1, hms("08:05:00")),
    ]
    ride = journeys[0].transit_legs[0]
    assert [c.stop.id for c in ride.intermediate_stops] == ["C"]
    assert index.arrive_by({"A": 0}, {"Z": 0}, hms("08:30:00")) == []


def test_max_duration_bounds_the_search(crossing: Timetable) -> None:
    index = RaptorIndex(crossing, MONDAY)
    # Unbounded, the latest direct ride arriving by 08:45 is last night's S_NIGHT.
    journeys = index.arrive_by({"A": 0}, {"Z": 0}, hms("08:45:00"), max_duration_s=None)
    assert summary(journeys) == [
        (0, ["S_NIGHT"], hms("01:10:00")),
        (1, ["F1a", "F2b"], hms("08:40:00")),
    ]
    assert journeys[0].transit_legs[0].service_date == SUNDAY
    # Leaving at 07:55, F1a + F2b take 45 min (2700 s) and S1 65 min.
    depart_s = hms("07:55:00")
    assert index.search({"A": 0}, {"Z": 0}, depart_s, max_duration_s=2699) == []
    journeys = index.search({"A": 0}, {"Z": 0}, depart_s, max_duration_s=2700)
    assert summary(journeys) == [(1, ["F1a", "F2b"], hms("08:40:00"))]


def test_rides_must_beat_walking_through_a_stop(crossing: Timetable) -> None:
    index = RaptorIndex(crossing, MONDAY)
    # Z is both an access and an egress stop: walking through it beats any ride.
    assert index.search({"A": 0, "Z": 600}, {"Z": 0}, hms("07:55:00")) == []
    # A long walk through Z leaves room for the rides that beat it.
    journeys = index.search({"A": 0, "Z": 3600}, {"Z": 0}, hms("07:55:00"))
    assert summary(journeys) == [(1, ["F1a", "F2b"], hms("08:40:00"))]


def test_arrive_by_walks_in_the_right_direction() -> None:
    timetable = make_timetable(
        {"t": ("L", [("A", 100, 100), ("B", 300, 300)])}, ["O", "A", "B", "C"]
    )
    index = RaptorIndex(timetable, DAY, transfers={"O": [("A", 30)], "B": [("C", 50)]})
    (journey,) = index.arrive_by({"O": 20}, {"C": 10}, 400)
    assert [type(leg) for leg in journey.legs] == [TransferLeg, TransitLeg, TransferLeg]
    walk_in, _, walk_out = journey.legs
    assert isinstance(walk_in, TransferLeg) and isinstance(walk_out, TransferLeg)
    assert (walk_in.from_stop.id, walk_in.to_stop.id) == ("O", "A")
    assert (walk_out.from_stop.id, walk_out.to_stop.id) == ("B", "C")
    assert (journey.departure_s, journey.arrival_s) == (50, 360)


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        pytest.param({"NOPE": 0}, "access stop 'NOPE' is not a stop", id="unknown-stop"),
        pytest.param({"A": -5}, r"access stop 'A': -5 s; expected finite", id="negative"),
        pytest.param({"A": float("nan")}, "access stop 'A': nan s", id="nan"),
    ],
)
def test_bad_access_is_a_timetable_error(
    crossing: Timetable, access: dict[str, float], expected: str
) -> None:
    with pytest.raises(TimetableError, match=expected):
        RaptorIndex(crossing, MONDAY).search(access, {"Z": 0}, 0)


def test_bad_transfer_is_a_timetable_error(crossing: Timetable) -> None:
    with pytest.raises(TimetableError, match="stop 'Q' is not a boarding stop"):
        RaptorIndex(crossing, MONDAY, transfers={"A": [("Q", 60)]})


def test_straight_line_transfers_pair_close_stops_both_ways(crossing: Timetable) -> None:
    transfers = straight_line_transfers(crossing.stops, max_distance_m=100)
    assert [other for other, _ in transfers["M"]] == ["M2"]
    assert [other for other, _ in transfers["M2"]] == ["M"]
    assert transfers["A"] == []
    (_, walk_s), (_, back_s) = transfers["M"][0], transfers["M2"][0]
    # 0.0002° of latitude and longitude apart: about 26.6 m, x 1.3 detour / 1.2 m/s.
    assert walk_s == back_s == pytest.approx(26.6 * 1.3 / 1.2, rel=0.02)


# -- against brute force ---------------------------------------------------------------------
