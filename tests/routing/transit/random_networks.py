"""Random small networks and journey checks shared by the RAPTOR and McRAPTOR properties."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from routing.transit.timetable import Journey, Timetable, TransferLeg
from tests.routing.transit.timetables import make_timetable

__all__ = ["check_journey", "random_networks", "restrict", "stop_seconds"]


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


def restrict(seconds: dict[str, int], timetable: Timetable) -> dict[str, int]:
    return {s: v for s, v in seconds.items() if s in timetable.stop_by_id}
