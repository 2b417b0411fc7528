"""Congested graphs on the 3 x 3 test grid: car routes slow down and switch with known times.

From (0, 0) to (0, 2) at 30 km/h: 24 s along Rue du Sud (12 s a block), 48 s round by Rue
du Centre.
"""

from __future__ import annotations

import numpy as np
import pytest

from routing.street.compile import compile_graph
from routing.street.graph import CompactGraph
from routing.street.modes import Mode
from routing.street.router import StreetRouter
from routing.traffic.assignment import AssignmentResult
from routing.traffic.congestion import congested_graph, congested_graphs
from tests.routing.grids import grid_graph, node_id, position

WEST, EAST = position(0, 0), position(0, 2)


@pytest.fixture(scope="module")
def grid() -> CompactGraph:
    return compile_graph(grid_graph(speed_kmh=30.0), Mode.DRIVE)


def edge(graph: CompactGraph, a: tuple[int, int], b: tuple[int, int]) -> int:
    tail, head = graph.node_index(node_id(*a)), graph.node_index(node_id(*b))
    return int(np.flatnonzero((graph.tails == tail) & (graph.heads == head))[0])


def result_with(graph: CompactGraph, congested_s: dict[int, float]) -> AssignmentResult:
    times = graph.duration_s.copy()
    for e, seconds in congested_s.items():
        times[e] = seconds
    zeros = np.zeros(graph.edge_count)
    return AssignmentResult(
        volume_veh_h=zeros, free_flow_time_s=graph.duration_s, congested_time_s=times,
        capacity_veh_h=np.full(graph.edge_count, 600.0), volume_capacity_ratio=zeros,
        delay_veh_h=zeros, relative_gap=1e-5, gap_history=(1e-5,), iterations=3,
        converged=True, algorithm="bfw", period_h=2.0, total_demand_veh_h=0.0, elapsed_s=0.0,
    )  # fmt: skip


def test_free_flow_route_is_along_rue_du_sud(grid: CompactGraph) -> None:
    route = StreetRouter(grid).route(WEST, EAST)
    assert route.duration_s == pytest.approx(24.0, rel=0.01)
    assert route.distance_m == pytest.approx(200.0, rel=0.01)


def test_a_congested_link_slows_the_route(grid: CompactGraph) -> None:
    # 12 s -> 20 s on the first block: 32 s, still faster than the 48 s detour.
    slow = congested_graph(grid, result_with(grid, {edge(grid, (0, 0), (0, 1)): 20.0}))
    route = StreetRouter(slow).route(WEST, EAST)
    assert route.duration_s == pytest.approx(32.0, rel=0.01)
    assert route.distance_m == pytest.approx(200.0, rel=0.01)
    assert slow.info["congestion"]["relative_gap"] == 1e-5
    assert grid.duration_s[edge(grid, (0, 0), (0, 1))] == pytest.approx(12.0, rel=0.01)


def test_a_jammed_link_switches_the_route(grid: CompactGraph) -> None:
    # 12 s -> 100 s: 112 s along Rue du Sud, so the 48 s detour by Rue du Centre wins.
    jammed = congested_graph(grid, result_with(grid, {edge(grid, (0, 0), (0, 1)): 100.0}))
    route = StreetRouter(jammed).route(WEST, EAST)
    assert route.duration_s == pytest.approx(48.0, rel=0.01)
    assert route.distance_m == pytest.approx(400.0, rel=0.01)
    # Shortest by distance is unchanged: lengths do not congest.
    assert StreetRouter(jammed).route(WEST, EAST, metric="distance").distance_m == pytest.approx(
        200.0, rel=0.01
    )


def test_every_period_gets_its_graph(grid: CompactGraph) -> None:
    graphs = congested_graphs(
        grid,
        {
            "morning_peak": result_with(grid, {edge(grid, (0, 0), (0, 1)): 100.0}),
            "evening_peak": result_with(grid, {}),
        },
    )
    assert StreetRouter(graphs["morning_peak"]).route(WEST, EAST).duration_s > 40
    assert StreetRouter(graphs["evening_peak"]).route(WEST, EAST).duration_s < 30
    assert graphs["morning_peak"].info["congestion"]["period"] == "morning_peak"


def test_results_of_another_graph_or_faster_than_free_flow_are_refused(
    grid: CompactGraph,
) -> None:
    other = compile_graph(grid_graph(speed_kmh=30.0, size=4), Mode.DRIVE, contract=False)
    with pytest.raises(ValueError, match="pass the graph the assignment ran on"):
        congested_graph(grid, result_with(other, {}))
    with pytest.raises(ValueError, match="no faster than free flow"):
        congested_graph(grid, result_with(grid, {0: 1.0}))
