"""Hotspots: congested segments grouped by shared nodes, ranked by delay, on the test grid."""

from __future__ import annotations

import numpy as np
import pytest

from routing.street.compile import compile_graph
from routing.street.graph import CompactGraph
from routing.street.modes import Mode
from routing.traffic.assignment import AssignmentNetwork, AssignmentResult, assign, bpr_time_s
from routing.traffic.capacity import capacity_from_graph
from routing.traffic.hotspots import find_hotspots, hotspot_radius_m
from tests.routing.grids import grid_graph, node_id, position


@pytest.fixture(scope="module")
def grid() -> CompactGraph:
    return compile_graph(grid_graph(speed_kmh=30.0), Mode.DRIVE, contract=False)


def edge(graph: CompactGraph, a: tuple[int, int], b: tuple[int, int]) -> int:
    tail, head = graph.node_index(node_id(*a)), graph.node_index(node_id(*b))
    return int(np.flatnonzero((graph.tails == tail) & (graph.heads == head))[0])


def result_with(graph: CompactGraph, volume_capacity: dict[int, float]) -> AssignmentResult:
    """An assignment result with the given v/c on some edges (600 veh/h capacity) and 0.2 else."""
    capacity = np.full(graph.edge_count, 600.0)
    volume = 0.2 * capacity
    for e, ratio in volume_capacity.items():
        volume[e] = ratio * capacity[e]
    congested = bpr_time_s(graph.duration_s, volume, capacity)
    return AssignmentResult(
        volume_veh_h=volume,
        free_flow_time_s=graph.duration_s,
        congested_time_s=congested,
        capacity_veh_h=capacity,
        volume_capacity_ratio=volume / capacity,
        delay_veh_h=volume * (congested - graph.duration_s) / 3600,
        relative_gap=0.0,
        gap_history=(0.0,),
        iterations=1,
        converged=True,
        algorithm="bfw",
        period_h=1.0,
        total_demand_veh_h=0.0,
        elapsed_s=0.0,
    )


def test_segments_sharing_a_node_form_one_hotspot_ranked_by_delay(grid: CompactGraph) -> None:
    # West: two blocks of Rue du Sud meeting at (0, 1), plus the Avenue Ouest block at (0, 0).
    west = [edge(grid, (0, 0), (0, 1)), edge(grid, (0, 1), (0, 2)), edge(grid, (0, 0), (1, 0))]
    # North-east: one block of Rue du Nord, alone but worse.
    north = edge(grid, (2, 1), (2, 2))
    result = result_with(grid, {west[0]: 1.1, west[1]: 1.0, west[2]: 0.95, north: 1.6})
    hotspots = find_hotspots(grid, result, period="morning_peak")
    assert [h.rank for h in hotspots] == [1, 2]
    first, second = hotspots
    assert first.edges == (north,)
    assert first.street_names == ("Rue du Nord",)
    assert first.max_volume_capacity == pytest.approx(1.6)
    assert second.edges == tuple(west)  # most delay first
    assert second.street_names == ("Rue du Sud", "Avenue Ouest")
    assert first.total_delay_veh_h > second.total_delay_veh_h
    assert second.total_delay_veh_h == pytest.approx(result.delay_veh_h[west].sum())
    assert second.length_m == pytest.approx(300.0, rel=1e-3)
    assert second.period == "morning_peak"
    # The west cluster's centre: the mean of its three block midpoints.
    lat, lon = np.mean([position(0, 0.5), position(0, 1.5), position(0.5, 0)], axis=0)
    assert (second.centroid_lat, second.centroid_lon) == pytest.approx((lat, lon), abs=1e-7)
    assert second.nodes == tuple(
        sorted(grid.node_index(node_id(*p)) for p in ((0, 0), (0, 1), (0, 2), (1, 0)))
    )
    assert hotspot_radius_m(grid, second) == pytest.approx(np.hypot(400 / 3, 100 / 6), rel=1e-2)


def test_threshold_limit_and_minimum_delay(grid: CompactGraph) -> None:
    a, b = edge(grid, (1, 0), (1, 1)), edge(grid, (1, 2), (2, 2))
    result = result_with(grid, {a: 1.2, b: 0.85})
    assert [h.edges for h in find_hotspots(grid, result)] == [(a,)]
    assert len(find_hotspots(grid, result, min_volume_capacity=0.8)) == 2
    assert len(find_hotspots(grid, result, min_volume_capacity=0.8, limit=1)) == 1
    big = find_hotspots(grid, result, min_volume_capacity=0.8, min_delay_veh_h=1e9)
    assert big == []
    assert find_hotspots(grid, result_with(grid, {})) == []
    with pytest.raises(ValueError, match="limit=-1"):
        find_hotspots(grid, result, limit=-1)


def test_two_directions_of_one_street_are_one_hotspot(grid: CompactGraph) -> None:
    there, back = edge(grid, (1, 1), (1, 2)), edge(grid, (1, 2), (1, 1))
    hotspots = find_hotspots(grid, result_with(grid, {there: 1.3, back: 1.1}))
    assert len(hotspots) == 1 and set(hotspots[0].edges) == {there, back}
    assert hotspots[0].street_names == ("Rue du Centre",)


def test_hotspots_from_an_assignment_on_the_grid(grid: CompactGraph) -> None:
    capacity = capacity_from_graph(grid_graph(speed_kmh=30.0), grid)  # residential: 600 veh/h
    network = AssignmentNetwork.from_compact(grid, capacity)
    zones = np.array([grid.node_index(node_id(0, 0)), grid.node_index(node_id(2, 2))])
    result = assign(network, zones, np.array([[0, 1500.0], [0, 0]]))
    hotspots = find_hotspots(grid, result)
    # 750 veh/h on each block leaving the origin and entering the destination (v/c 1.25); the
    # middle blocks share the flow below the threshold, so the two ends are apart.
    assert result.converged and len(hotspots) == 2
    leaving = {edge(grid, (0, 0), (0, 1)), edge(grid, (0, 0), (1, 0))}
    entering = {edge(grid, (1, 2), (2, 2)), edge(grid, (2, 1), (2, 2))}
    assert sorted([set(h.edges) for h in hotspots], key=min) == sorted([leaving, entering], key=min)
    assert hotspots[0].total_delay_veh_h == pytest.approx(hotspots[1].total_delay_veh_h, rel=1e-2)
    assert hotspots[0].max_volume_capacity == pytest.approx(1.25, rel=1e-3)
