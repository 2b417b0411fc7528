"""McRAPTOR: known Pareto sets over arrival, transfers and walking, and a brute force."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.transit.options import StopOption
from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import Journey, Timetable, TimetableError
from tests.routing.transit.random_networks import (
    check_journey,
    random_networks,
    restrict,
    stop_seconds,
)
from tests.routing.transit.timetables import DAY, make_timetable

Triple = tuple[int, int, int]  # (arrival or -departure, transfers, walking seconds)


def options(journeys: Sequence[Journey]) -> list[tuple[list[str], int, int]]:
    return [([leg.trip.id for leg in j.transit_legs], j.arrival_s, j.walk_s) for j in journeys]


@pytest.fixture(scope="module")
def three_ways() -> RaptorIndex:
    """From A or B (400 s walk) to Z: a slow direct line, a fast pair with a change at M,
    and a quick direct line from B."""
    timetable = make_timetable(
        {
            "slow": ("S", [("A", 0, 0), ("Z", 3000, 3000)]),
            "f1": ("F1", [("A", 100, 100), ("M", 700, 700)]),
            "f2": ("F2", [("M", 900, 900), ("Z", 1500, 1500)]),
            "quick": ("Q", [("B", 500, 500), ("Z", 1200, 1200)]),
        },
        ["A", "B", "M", "Z"],
    )
    return RaptorIndex(timetable, DAY)


def test_pareto_set_keeps_fewer_changes_and_less_walking(three_ways: RaptorIndex) -> None:
    access, egress = {"A": 0, "B": 400}, {"Z": 0}
    # Earliest arrival alone answers the quick line only: nothing with fewer transfers
    # arrives earlier.
    assert options(three_ways.depart_at(access, egress, 0)) == [(["quick"], 1200, 400)]
    assert options(three_ways.pareto_depart_at(access, egress, 0)) == [
        (["quick"], 1200, 400),  # earliest, walks 400 s
        (["slow"], 3000, 0),  # no change, no walk
        (["f1", "f2"], 1500, 0),  # no walk, earlier than the slow line, one change
    ]
    # At most zero transfers: the change is gone.
    assert options(three_ways.pareto_depart_at(access, egress, 0, max_transfers=0)) == [
        (["quick"], 1200, 400),
        (["slow"], 3000, 0),
    ]


def test_arrive_by_pareto_set_prefers_late_departures(three_ways: RaptorIndex) -> None:
    journeys = three_ways.pareto_arrive_by({"A": 0, "B": 400}, {"Z": 0}, 3600)
    assert [(o[0], j.departure_s) for o, j in zip(options(journeys), journeys, strict=True)] == [
        (["quick"], 100),
        (["slow"], 0),
        (["f1", "f2"], 100),
    ]


def test_a_window_over_the_fastest_drops_only_the_much_slower_options(
    three_ways: RaptorIndex,
) -> None:
    walks = [StopOption("A", 0), StopOption("B", 400)], [StopOption("Z", 0)]

    def found(**window: object) -> list[list[str]]:
        journeys = three_ways.pareto_options(*walks, **window)  # type: ignore[arg-type]
        return [[leg.trip.id for leg in one.journey.transit_legs] for one in journeys]

    # The fastest (quick) arrives at 1200 s: 600 s more lets the change at M (1500 s) in,
    # not the slow line (3000 s); a wider window lets every option of the Pareto set in.
    assert found(time_s=0, max_slower=(0.5, 600)) == [["quick"], ["f1", "f2"]]
    assert found(time_s=0, max_slower=(0.5, 2000)) == [["quick"], ["slow"], ["f1", "f2"]]
    assert found(time_s=0) == found(time_s=0, max_slower=(0.5, 2000))
    # Arriving by 3600 s, the latest departure is 100 s: leaving at 0 s is 100 s too early.
    assert found(time_s=3600, arrive_by=True, max_slower=(0.0, 50)) == [["quick"], ["f1", "f2"]]
    with pytest.raises(TimetableError, match="max_slower"):
        found(time_s=0, max_slower=(-1.0, 0))


def test_footpath_walking_counts_and_a_longer_ride_can_win_on_it() -> None:
    # X -> Y then walk 300 s to Z', or ride on to Z (later, no walk).
    timetable = make_timetable(
        {
            "t": ("L", [("X", 0, 0), ("Y", 600, 600), ("Z", 1500, 1500)]),
            "u": ("M", [("W", 1000, 1000), ("V", 1200, 1200)]),
        },
        ["X", "Y", "Z", "W", "V"],
    )
    index = RaptorIndex(timetable, DAY, transfers={"Y": [("W", 300)]})
    journeys = index.pareto_depart_at({"X": 0}, {"Z": 0, "V": 0}, 0)
    assert options(journeys) == [(["t"], 1500, 0), (["t", "u"], 1200, 300)]
    assert journeys[1].transfers == 1


def brute_force_pareto(
    timetable: Timetable,
    access: Mapping[str, int],
    egress: Mapping[str, int],
    depart_s: int,
    transfers: Mapping[str, Sequence[tuple[str, int]]],
    slack_s: int,
) -> set[Triple]:
    """Every (arrival, transfers, walking) a journey reaches, Pareto-filtered, by exhaustion.

    Labels (time, rides, walking) per (stop, may walk on); a walk follows the start or a
    ride, never a walk; boarding after a ride needs ``slack_s``. Walking through a stop with
    no ride is a rival, never an answer.
    """
    labels: dict[tuple[str, bool], list[Triple]] = {}
    todo: list[tuple[str, bool, Triple]] = [
        (stop, True, (depart_s + s, 0, s)) for stop, s in access.items()
    ]
    while todo:
        stop, may_walk, label = todo.pop()
        bag = labels.setdefault((stop, may_walk), [])
        if any(all(x <= y for x, y in zip(o, label, strict=True)) for o in bag):
            continue
        bag.append(label)
        time_s, rides, walk_s = label
        if may_walk:
            for other, seconds in transfers.get(stop, []):
                todo.append((other, False, (time_s + seconds, rides, walk_s + seconds)))
        ready = time_s + (slack_s if rides else 0)
        for trip in timetable.trips:
            for i, here in enumerate(trip.stop_ids[:-1]):
                if here != stop or trip.departure_s[i] < ready:
                    continue
                if trip.pickup and not trip.pickup[i]:
                    continue
                for j in range(i + 1, len(trip.stop_ids)):
                    if trip.drop_off and not trip.drop_off[j]:
                        continue
                    todo.append((trip.stop_ids[j], True, (trip.arrival_s[j], rides + 1, walk_s)))
    ends: set[Triple] = set()
    for (stop, _), bag in labels.items():
        if stop in egress:
            for time_s, rides, walk_s in bag:
                ends.add((time_s + egress[stop], max(rides - 1, -1), walk_s + egress[stop]))
    front = {
        e
        for e in ends
        if not any(o != e and all(x <= y for x, y in zip(o, e, strict=True)) for o in ends)
    }
    return {e for e in front if e[1] >= 0}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    random_networks(),
    stop_seconds,
    stop_seconds,
    st.integers(0, 3600),
    st.sampled_from([0, 60, 300]),
)
def test_pareto_set_matches_brute_force(
    network: tuple[Timetable, dict[str, list[tuple[str, int]]]],
    access: dict[str, int],
    egress: dict[str, int],
    depart_s: int,
    slack_s: int,
) -> None:
    timetable, transfers = network
    access, egress = restrict(access, timetable), restrict(egress, timetable)
    index = RaptorIndex(timetable, DAY, transfers=transfers)
    journeys = index.pareto_depart_at(
        access,
        egress,
        depart_s,
        max_transfers=len(timetable.trips),
        min_transfer_s=slack_s,
        max_duration_s=None,
    )
    for journey in journeys:
        check_journey(journey, slack_s)
    found = {(j.arrival_s, j.transfers, j.walk_s) for j in journeys}
    assert len(found) == len(journeys)
    assert found == brute_force_pareto(timetable, access, egress, depart_s, transfers, slack_s)


def test_a_paid_or_car_access_option_stands_beside_the_walk_to_the_same_stop() -> None:
    """Two ways to A: walk 900 s, or a shared bike in 300 s (120 s on foot, 150 cents) that
    catches the earlier trip; and a car to a park-and-ride at A in 200 s, free. The bike does
    not hide the walk (it costs), the car hides neither (it needs a car)."""
    timetable = make_timetable(
        {
            "early": ("L", [("A", 600, 600), ("Z", 1200, 1200)]),
            "late": ("L", [("A", 1200, 1200), ("Z", 1800, 1800)]),
        },
        ["A", "Z"],
    )
    index = RaptorIndex(timetable, DAY)
    access = [
        StopOption("A", 900),
        StopOption("A", 300, walk_s=120, price_minor=150),
        StopOption("A", 200, walk_s=60, price_minor=0, vehicles=2),
    ]
    egress = [StopOption("Z", 60)]
    found = index.pareto_options(access, egress, 0)
    by_access = {
        one.access: (one.journey.transit_legs[0].trip.id, one.walk_s, one.price_minor)
        for one in found
    }
    assert by_access == {
        0: ("late", 960, 0),  # on foot: 900 s, misses the 600 s trip
        1: ("early", 180, 150),  # the bike catches it, walking 120 s, for 150 cents
        2: ("early", 120, 0),  # the car: free here, but only for one who has a car
    }
    assert all(one.egress == 0 for one in found)
    # Arrive-by answers the same options, latest departure first among equals.
    late = index.pareto_options(access, egress, 1900, arrive_by=True)
    assert {one.access for one in late} == {0, 1, 2}
    assert {one.journey.transit_legs[0].trip.id for one in late} == {"late"}


def test_an_option_out_of_range_is_refused_with_its_stop() -> None:
    timetable = make_timetable({"t": ("L", [("A", 0, 0), ("Z", 60, 60)])}, ["A", "Z"])
    index = RaptorIndex(timetable, DAY)
    with pytest.raises(TimetableError, match=r"access stop 'A': 300 s on foot in a 200 s"):
        index.pareto_options([StopOption("A", 200, walk_s=300)], [StopOption("Z", 0)], 0)
    with pytest.raises(TimetableError, match=r"egress stop 'Q' is not a stop"):
        index.pareto_options([StopOption("A", 0)], [StopOption("Q", 0)], 0)
