"""Scenarios on the 3 x 3 test grid: closures, lane removal and speeds with known answers.

Demand runs from the south-west corner (0, 0) to the south-east corner (0, 2). Free flow at
30 km/h takes 12 s a block: 24 s along Rue du Sud, 48 s round by Rue du Centre.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from routing.street.compile import compile_graph
from routing.street.graph import CompactGraph
from routing.street.modes import Mode
from routing.traffic.capacity import capacity_from_compact
from routing.traffic.scenarios import (
    ScenarioError,
    ScenarioInputs,
    ScenarioUnreachableError,
    close_street,
    remove_lane,
    run_scenario,
    select_edges,
    set_speed,
)
from tests.routing.grids import grid_graph, node_id


def compiled(graph: nx.MultiDiGraph) -> CompactGraph:
    return compile_graph(graph, Mode.DRIVE, contract=False)


@pytest.fixture(scope="module")
def grid() -> CompactGraph:
    return compiled(grid_graph(speed_kmh=30.0))


def edge(graph: CompactGraph, a: tuple[int, int], b: tuple[int, int]) -> int:
    tail, head = graph.node_index(node_id(*a)), graph.node_index(node_id(*b))
    return int(np.flatnonzero((graph.tails == tail) & (graph.heads == head))[0])


def corner_to_corner(graph: CompactGraph, veh_h: float) -> ScenarioInputs:
    zones = np.array([graph.node_index(node_id(0, 0)), graph.node_index(node_id(0, 2))])
    trips = np.array([[0.0, veh_h], [0.0, 0.0]])
    return ScenarioInputs(
        graph=graph,
        capacity_veh_h=capacity_from_compact(graph),  # residential: 600 veh/h
        zone_nodes=zones,
        trips_veh_h=trips,
        zone_ids=("west", "east"),
        period="morning_peak",
        assign_options={"relative_gap": 1e-6},
    )


def test_closing_a_street_moves_its_traffic_round_the_block(grid: CompactGraph) -> None:
    sud = [edge(grid, (0, 0), (0, 1)), edge(grid, (0, 1), (0, 2))]
    detour = [
        edge(grid, (0, 0), (1, 0)),
        edge(grid, (1, 0), (1, 1)),
        edge(grid, (1, 1), (1, 2)),
        edge(grid, (1, 2), (0, 2)),
    ]
    comparison = run_scenario(corner_to_corner(grid, 100.0), [close_street("Rue du Sud")])
    assert comparison.base.volume_veh_h[sud] == pytest.approx([100.0, 100.0])
    assert comparison.scenario.volume_veh_h[sud] == pytest.approx([0.0, 0.0])
    assert comparison.scenario.volume_veh_h[detour] == pytest.approx([100.0] * 4)
    assert comparison.volume_change_veh_h[sud] == pytest.approx([-100.0, -100.0])
    assert set(comparison.closed_edges.tolist()) == set(select_edges(grid, "Rue du Sud").tolist())
    # Twice the distance: about twice the vehicle-hours (light traffic, BPR barely bites).
    assert comparison.base_vehicle_hours == pytest.approx(100 * 24 / 3600, rel=0.01)
    assert comparison.scenario_vehicle_hours == pytest.approx(100 * 48 / 3600, rel=0.01)
    summary = comparison.summary(grid)
    assert summary["edits"] == ["street 'Rue du Sud' closed"]
    assert summary["vehicle_hours_change"] > 0


def test_congestion_moves_from_one_street_to_the_other(grid: CompactGraph) -> None:
    # 700 veh/h on 600 veh/h: 15.4 s a block on Rue du Sud still beats the 48 s detour, so
    # Rue du Sud is the base hotspot; closed, the detour carries all and becomes one.
    comparison = run_scenario(corner_to_corner(grid, 700.0), [close_street("Rue du Sud")])
    assert [h.street_names[0] for h in comparison.base_hotspots] == ["Rue du Sud"]
    assert [h.street_names for h in comparison.disappeared] == [("Rue du Sud",)]
    assert len(comparison.appeared) == 1
    assert set(comparison.appeared[0].street_names) == {
        "Rue du Centre",
        "Avenue Ouest",
        "Avenue Est",
    }
    summary = comparison.summary(grid)
    assert summary["hotspots_appeared"][0]["rank"] == 1
    assert summary["base"]["hotspots"] == summary["scenario"]["hotspots"] == 1


def test_removing_a_lane_scales_capacity_by_lanes_minus_one_over_lanes() -> None:
    graph = grid_graph(speed_kmh=30.0)
    for _, _, data in graph.edges(data=True):
        if data["name"] == "Rue du Sud":
            data["lanes"] = "3"
    three_lanes = compiled(graph)
    sud = select_edges(three_lanes, "Rue du Sud")
    comparison = run_scenario(corner_to_corner(three_lanes, 100.0), [remove_lane("Rue du Sud")])
    assert comparison.base.capacity_veh_h[sud] == pytest.approx([1800.0] * 4)
    assert comparison.scenario.capacity_veh_h[sud] == pytest.approx([1200.0] * 4)


def test_a_single_lane_cannot_lose_one(grid: CompactGraph) -> None:
    with pytest.raises(ScenarioError, match=r"one lane in its direction; close it instead"):
        run_scenario(corner_to_corner(grid, 100.0), [remove_lane("Rue du Sud")])


def test_a_slower_street_loses_its_traffic(grid: CompactGraph) -> None:
    # 5 km/h: 144 s along Rue du Sud against 48 s round the block.
    comparison = run_scenario(corner_to_corner(grid, 100.0), [set_speed("Rue du Sud", 5.0)])
    assert comparison.scenario.volume_veh_h[edge(grid, (0, 0), (0, 1))] == pytest.approx(0.0)
    assert comparison.scenario.free_flow_time_s[edge(grid, (0, 0), (0, 1))] == pytest.approx(
        100.0 / (5 / 3.6), rel=0.01
    )


def test_closing_every_way_out_of_a_zone_names_the_zones_cut_off(grid: CompactGraph) -> None:
    edits = [close_street("Rue du Sud"), close_street("Avenue Ouest")]
    with pytest.raises(ScenarioUnreachableError) as caught:
        run_scenario(corner_to_corner(grid, 100.0), edits)
    message = str(caught.value)
    assert "street 'Rue du Sud' closed, street 'Avenue Ouest' closed" in message
    assert "1 zone pair(s) carrying 100.0 veh/h have no route left: west -> east" in message
    assert caught.value.pairs == [(0, 1)]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param("Rue du Sudd", r"no street named 'Rue du Sudd'.*'Rue du Sud'", id="name"),
        pytest.param(999_999, r"no OSM way 999999 in the drive network", id="way"),
        pytest.param([0, 10_000], r"edge 10000 is not in the drive network", id="edge"),
        pytest.param([], r"selects no edge", id="empty"),
        pytest.param(None, r"accepted: edge indices, an OSM way id or a street name", id="none"),
    ],
)
def test_unknown_targets_are_named(grid: CompactGraph, target: object, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        run_scenario(corner_to_corner(grid, 100.0), [close_street(target)])  # type: ignore[arg-type]


def test_ways_select_both_directions_and_bad_inputs_fail(grid: CompactGraph) -> None:
    assert len(select_edges(grid, 100)) == 4  # way 100: Rue du Sud, two blocks, two ways
    with pytest.raises(ScenarioError, match="at least one edit"):
        run_scenario(corner_to_corner(grid, 100.0), [])
    with pytest.raises(ScenarioError, match="accepted: a number > 0"):
        set_speed("Rue du Sud", 0.0)
