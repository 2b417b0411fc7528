"""The walking-reach filter of station lists on the 5 x 5 grid of 400 m blocks: it keeps
every station the bounded walking search reaches (the exact answer, computed here station by
station as the strategies did) and drops the far ones, in the list's order."""

from __future__ import annotations

import numpy as np

from routing.errors import LocationOutsideNetworkError
from routing.planning.planner import TripPlanner
from routing.planning.services import Station
from routing.planning.walk_reach import WalkReach
from routing.street.modes import Mode
from routing.street.snap import Snap
from tests.routing.planning.grid_trips import at


def test_the_filter_keeps_every_reachable_station_and_drops_far_ones(
    planner: TripPlanner,
) -> None:
    walk = planner.network.router(Mode.WALK)

    def snap(lat: float, lon: float) -> Snap | None:
        try:
            return walk.snap(lat, lon, name="station")
        except LocationOutsideNetworkError:
            return None

    # A station every 100 m over the grid and beyond it, some off the streets (mid-block).
    stations = tuple(
        Station(f"s{r}-{c}", f"Station {r}-{c}", *at(r / 4, c / 4))
        for r in range(-2, 19)
        for c in range(-2, 19)
    )
    reach = WalkReach(walk.graph, snap)
    origin, destination = walk.snap(*at(0.1, 0.6)), walk.snap(*at(3.3, 4))
    limit_s = 500 / (4.8 / 3.6)  # 500 m at the network's walking pace
    kept = reach.near(stations, (origin, destination), limit_s)

    reachable = []
    for end in (origin, destination):
        costs = walk.costs_from(end, limit=limit_s)
        for station in stations:
            target = snap(station.lat, station.lon)
            if target is not None and np.isfinite(walk.costs_to(end, costs, [target])[0]):
                reachable.append(station)
    assert len(reachable) > 10
    assert set(reachable) <= set(kept)  # never drops a reachable station
    assert kept == [s for s in stations if s in set(kept)]  # in the list's order
    # Around one end, most of the grid's stations are dropped (the bound counts the 400 m
    # edge a station sits on and its distance from the street: loose on long blocks), the
    # far corner's first.
    near_origin = reach.near(stations, (origin,), limit_s)
    assert len(near_origin) < len(stations) / 2
    assert "s16-16" not in {s.id for s in near_origin}
    # Cached by the list's identity: a second plan reads the same arrays.
    assert reach.near(stations, (origin, destination), limit_s) == kept
