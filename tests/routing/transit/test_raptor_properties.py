"""RAPTOR against a brute-force search on the time-expanded graph of random networks."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import (
    Journey,
    Timetable,
    TransferLeg,
)
from tests.routing.transit.timetables import DAY, make_timetable


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
            _, stop, rode, may_walk = cast(tuple[str, str, bool, bool], state)
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
            _, t, i = cast(tuple[str, int, int], state)
            trip = trips[t]
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
