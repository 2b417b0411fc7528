"""RAPTOR against a brute-force search on the time-expanded graph of random networks."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import (
    Timetable,
)
from tests.routing.transit.random_networks import (
    check_journey,
    random_networks,
    restrict,
    stop_seconds,
)
from tests.routing.transit.timetables import DAY


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
    access, egress = restrict(access, timetable), restrict(egress, timetable)
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
    access, egress = restrict(access, timetable), restrict(egress, timetable)
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
