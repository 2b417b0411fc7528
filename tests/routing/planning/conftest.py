"""The planner on the 5 x 5 grid, built once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.planning.planner import TripPlanner
from routing.street.compile import compile_graph
from routing.street.modes import Mode
from routing.street.network import StreetNetwork
from routing.street.router import StreetRouter
from tests.routing.grids import grid_graph
from tests.routing.planning.grid_trips import NOW


@pytest.fixture(scope="module")
def planner() -> TripPlanner:
    speeds = {Mode.WALK: 4.8, Mode.BIKE: 15.0, Mode.DRIVE: 30.0}
    routers = {
        mode: StreetRouter(compile_graph(grid_graph(size=5, step_m=400, speed_kmh=kmh), mode))
        for mode, kmh in speeds.items()
    }
    network = StreetNetwork(routers=routers, manifest={}, path=Path("grid"))
    return TripPlanner(network, clock=lambda: NOW)
