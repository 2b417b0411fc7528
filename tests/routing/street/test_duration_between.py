"""``duration_between``: a route's duration without its geometry and steps, on the grid with
known answers; it must equal ``route_between(...).duration_s`` exactly (the docked-share
planner ranks station pairs with it, then builds the chosen pair's route)."""

from __future__ import annotations

import itertools

import pytest

from routing.errors import NoRouteError
from routing.street.compile import compile_graph
from routing.street.modes import Mode
from routing.street.router import StreetRouter
from tests.routing.grids import STEP_M, grid_graph, node_id, position

WALK_MS = 4.8 / 3.6


def test_it_equals_the_built_route_duration_for_every_pair() -> None:
    router = StreetRouter(compile_graph(grid_graph(), Mode.WALK))
    points = [position(0, 0), position(0, 1.5), position(1.2, 2), position(2, 0.3)]
    snaps = [router.snap(*p) for p in points]
    for a, b in itertools.permutations(snaps, 2):
        assert router.duration_between(a, b) == router.route_between(a, b).duration_s
    one_street = router.duration_between(snaps[0], router.snap(*position(0, 2)))
    assert one_street == pytest.approx(2 * STEP_M / WALK_MS, rel=1e-3)


def test_unconnected_points_raise_no_route() -> None:
    graph = grid_graph()
    graph.remove_edges_from(
        [(node_id(r, 1), node_id(r, 2)) for r in range(3)]
        + [(node_id(r, 2), node_id(r, 1)) for r in range(3)]
    )
    router = StreetRouter(compile_graph(graph, Mode.WALK), max_snap_distance_m=50)
    with pytest.raises(NoRouteError, match="no walk route"):
        router.duration_between(router.snap(*position(0, 0)), router.snap(*position(2, 2)))
