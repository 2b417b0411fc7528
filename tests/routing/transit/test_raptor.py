"""RAPTOR on small timetables with known answers, and against a brute-force search."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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

CROSSING = Path(__file__).parent / "fixtures" / "gtfs_crossing"
SUNDAY, MONDAY, TUESDAY_NO_WK, SUNDAY_WITH_WK = (
    date(2026, 3, 1),
    date(2026, 3, 2),
    date(2026, 3, 3),  # calendar_dates.txt removes the weekday service
    date(2026, 3, 8),  # calendar_dates.txt adds the weekday service
)
DAY = date(2026, 6, 1)


def hms(text: str) -> int:
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def summary(journeys: Sequence[Journey]) -> list[tuple[int, list[str], int]]:
    """(transfers, trip ids, arrival) per journey: what a reader checks first."""
    return [(j.transfers, [leg.trip.id for leg in j.transit_legs], j.arrival_s) for j in journeys]


@pytest.fixture(scope="module")
def crossing() -> Timetable:
    return read_gtfs(CROSSING)


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


def brute_force_arrival(
    timetable: Timetable,
    access: Mapping[str, int],
    egress: Mapping[str, int],
    depart_s: int,
    transfers: Mapping[str, Sequence[tuple[str, int]]],
    slack_s: int,
) -> int | None:
    """Dijkstra on the time-expanded graph; a walk follows the start or a ride, never a walk.

    Boarding after a ride (and any walk after it) needs ``slack_s`` more seconds.

    The earliest arrival with at least one ride, if it beats walking through a stop with none.
    """
    trips = timetable.trips
    heap: list[tuple[int, tuple[object, ...]]] = [
        (depart_s + seconds, ("stop", stop, False, True)) for stop, seconds in access.items()
    ]
    heapq.heapify(heap)
    done: set[tuple[object, ...]] = set()
    best: int | None = None
    walk_through: int | None = None
    while heap:
        time_s, state = heapq.heappop(heap)
        if state in done:
            continue
        done.add(state)
        if state[0] == "stop":
            _, stop, rode, may_walk = state
            if stop in egress:
                arrival = time_s + egress[stop]
                if rode:
                    best = arrival if best is None else min(best, arrival)
                else:
                    walk_through = arrival if walk_through is None else min(walk_through, arrival)
            for t, trip in enumerate(trips):
                for i, trip_stop in enumerate(trip.stop_ids[:-1]):
                    if (
                        trip_stop == stop
                        and trip.departure_s[i] >= time_s + rode * slack_s
                        and (not trip.pickup or trip.pickup[i])
                    ):
                        heapq.heappush(heap, (trip.departure_s[i], ("ride", t, i)))
            if may_walk:
                for other, walk_s in transfers.get(str(stop), ()):
                    heapq.heappush(heap, (time_s + walk_s, ("stop", other, rode, False)))
        else:
            _, t, i = state
            trip = trips[int(str(t))]
            following = int(str(i)) + 1
            if not trip.drop_off or trip.drop_off[following]:
                alighted = ("stop", trip.stop_ids[following], True, True)
                heapq.heappush(heap, (trip.arrival_s[following], alighted))
            if following < len(trip.stop_ids) - 1:
                heapq.heappush(heap, (trip.departure_s[following], ("ride", t, following)))
    if best is None or (walk_through is not None and walk_through <= best):
        return None
    return best


def check_journey(journey: Journey, slack_s: int) -> None:
    """Legs chain in space and time, and the totals add up."""
    at_stop = journey.access_stop
    time_s = journey.departure_s + journey.access_s
    rides = 0
    for leg in journey.legs:
        if isinstance(leg, TransferLeg):
            assert leg.from_stop == at_stop
            at_stop, time_s = leg.to_stop, time_s + leg.duration_s
        else:
            assert leg.board_stop == at_stop
            assert leg.departure_s >= time_s + (slack_s if rides else 0)
            i = leg.trip.stop_ids.index(leg.board_stop.id)
            j = leg.trip.stop_ids.index(leg.alight_stop.id)
            assert leg.trip.departure_s[i] == leg.departure_s and i < j
            assert not leg.trip.pickup or leg.trip.pickup[i]
            assert not leg.trip.drop_off or leg.trip.drop_off[j]
            at_stop, time_s = leg.alight_stop, leg.arrival_s
            rides += 1
    assert at_stop == journey.egress_stop
    assert time_s + journey.egress_s == journey.arrival_s


@st.composite
def random_networks(draw: st.DrawFn) -> tuple[Timetable, dict[str, list[tuple[str, int]]]]:
    stop_ids = [f"S{i}" for i in range(draw(st.integers(2, 6)))]
    trips: dict[str, tuple[str, list[tuple[str, int, int]]]] = {}
    for r in range(draw(st.integers(1, 4))):
        length = draw(st.integers(2, min(4, len(stop_ids))))
        sequence = draw(st.permutations(stop_ids))[:length]
        for t in range(draw(st.integers(1, 3))):
            time_s = draw(st.integers(0, 3000))
            calls = []
            for stop in sequence:
                arrival = time_s
                time_s += draw(st.integers(0, 120))  # dwell
                calls.append((stop, arrival, time_s))
                time_s += draw(st.integers(0, 900))
            trips[f"r{r}t{t}"] = (f"r{r}", calls)
    timetable = make_timetable(trips, stop_ids)
    if draw(st.booleans()):  # forbid boarding or alighting at some stops
        restricted = []
        for trip in timetable.trips:
            n = len(trip.stop_ids)
            flags = st.lists(st.sampled_from([True, True, False]), min_size=n, max_size=n)
            restricted.append(replace(trip, pickup=tuple(draw(flags)), drop_off=tuple(draw(flags))))
        timetable = replace(timetable, trips=tuple(restricted))
    transfers: dict[str, list[tuple[str, int]]] = {}
    for a, b, walk_s in draw(
        st.lists(
            st.tuples(st.sampled_from(stop_ids), st.sampled_from(stop_ids), st.integers(0, 600)),
            max_size=4,
        )
    ):
        if a != b:
            transfers.setdefault(a, []).append((b, walk_s))
    return timetable, transfers


stop_seconds = st.dictionaries(
    st.sampled_from([f"S{i}" for i in range(6)]), st.integers(0, 600), min_size=1, max_size=3
)


def _restrict(seconds: dict[str, int], timetable: Timetable) -> dict[str, int]:
    return {s: v for s, v in seconds.items() if s in timetable.stop_by_id}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    random_networks(),
    stop_seconds,
    stop_seconds,
    st.integers(0, 3600),
    st.sampled_from([0, 0, 60, 300]),
)
def test_earliest_arrival_matches_brute_force(
    network: tuple[Timetable, dict[str, list[tuple[str, int]]]],
    access: dict[str, int],
    egress: dict[str, int],
    depart_s: int,
    slack_s: int,
) -> None:
    timetable, transfers = network
    access, egress = _restrict(access, timetable), _restrict(egress, timetable)
    index = RaptorIndex(timetable, DAY, transfers=transfers)
    journeys = index.search(
        access,
        egress,
        depart_s,
        max_transfers=len(timetable.trips),
        min_transfer_s=slack_s,
        max_duration_s=None,
    )
    expected = brute_force_arrival(timetable, access, egress, depart_s, transfers, slack_s)
    assert min((j.arrival_s for j in journeys), default=None) == expected
    for journey in journeys:
        check_journey(journey, slack_s)
    # Pareto: more transfers only when strictly earlier.
    assert [j.transfers for j in journeys] == sorted({j.transfers for j in journeys})
    arrivals = [j.arrival_s for j in journeys]
    assert arrivals == sorted(arrivals, reverse=True) and len(set(arrivals)) == len(arrivals)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_networks(), stop_seconds, stop_seconds, st.integers(0, 6000))
def test_arrive_by_is_the_latest_departure_forward_search_agrees_with(
    network: tuple[Timetable, dict[str, list[tuple[str, int]]]],
    access: dict[str, int],
    egress: dict[str, int],
    arrive_by_s: int,
) -> None:
    timetable, transfers = network
    access, egress = _restrict(access, timetable), _restrict(egress, timetable)
    index = RaptorIndex(timetable, DAY, transfers=transfers)
    unlimited = len(timetable.trips)

    def earliest(depart_s: int) -> int | None:
        found = index.search(
            access, egress, depart_s, max_transfers=unlimited, min_transfer_s=0, max_duration_s=None
        )
        return min((j.arrival_s for j in found), default=None)

    journeys = index.arrive_by(
        access, egress, arrive_by_s, max_transfers=unlimited, min_transfer_s=0, max_duration_s=None
    )
    for journey in journeys:
        check_journey(journey, 0)
        assert journey.arrival_s <= arrive_by_s
    if not journeys:
        first = earliest(-10_000)
        assert first is None or first > arrive_by_s
        return
    latest_s = max(j.departure_s for j in journeys)
    assert (earliest(latest_s) or arrive_by_s + 1) <= arrive_by_s
    later = earliest(latest_s + 1)
    assert later is None or later > arrive_by_s
