"""The traffic assignment on a drive graph with turn costs: copies share their segment.

The hand-made crossing of the turn-cost tests (synthetic 100 m arms, no real street) has one
route between any two of its dead ends, so the assignment must load every street exactly as
on the node-based graph: each copy of a segment (one per way of arriving at its tail) carries
its share, and the segment's volume/capacity, delay and hotspot are the street's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from routing.street.graph import CompactGraph
from routing.traffic.assignment import AssignmentNetwork, AssignmentResult, assign
from routing.traffic.capacity import capacity_from_compact
from routing.traffic.demand import UnreachableDemandError
from routing.traffic.exports import segment_records, segments_geojson
from routing.traffic.hotspots import find_hotspots
from routing.traffic.scenarios import ScenarioInputs, close_street, run_scenario, set_speed
from tests.routing.street.test_turn_costs import CROSS_NODES, CROSS_WAYS, DRIVE, with_turn_costs
from tests.routing.street.test_turn_restrictions import write_osm

DEAD_ENDS = (6, 7, 8, 9)
Segments = dict[tuple[int, int], tuple[float, float, float]]


def demand(graph: CompactGraph) -> tuple[np.ndarray, np.ndarray]:
    """400 veh/h between every two dead ends (zones on their nodes)."""
    zones = np.array([graph.node_index(osm) for osm in DEAD_ENDS])
    trips = np.full((len(zones), len(zones)), 400.0)
    np.fill_diagonal(trips, 0.0)
    return zones, trips


def assigned(graph: CompactGraph) -> AssignmentResult:
    network = AssignmentNetwork.from_compact(graph, capacity_from_compact(graph))
    return assign(network, *demand(graph), relative_gap=1e-8)


def by_street(graph: CompactGraph, result: AssignmentResult) -> Segments:
    """Per (tail, head) OSM node pair: volume summed over copies, largest v/c, delay summed."""
    out: Segments = {}
    for e in range(graph.edge_count):
        key = (int(graph.node_osm_id[graph.tails[e]]), int(graph.node_osm_id[graph.heads[e]]))
        volume, ratio, delay = out.get(key, (0.0, 0.0, 0.0))
        out[key] = (
            volume + float(result.volume_veh_h[e]),
            max(ratio, float(result.volume_capacity_ratio[e])),
            delay + float(result.delay_veh_h[e]),
        )
    return out


def test_copies_of_a_segment_share_its_volume_and_capacity(tmp_path: Path) -> None:
    source = write_osm(tmp_path, CROSS_NODES, CROSS_WAYS, [])
    turns = with_turn_costs(source, tmp_path).router(DRIVE).graph
    plain = with_turn_costs(source, tmp_path, None).router(DRIVE).graph
    assert turns.edge_count > plain.edge_count
    on_turns, on_plain = assigned(turns), assigned(plain)
    streets, expected = by_street(turns, on_turns), by_street(plain, on_plain)
    assert streets.keys() == expected.keys()
    for key, (volume, ratio, delay) in expected.items():
        assert streets[key] == pytest.approx((volume, ratio, delay), rel=1e-6, abs=1e-9), key
    # The arm J -> N carries 3 x 400 veh/h, arriving by three copies: its v/c is theirs together.
    assert expected[(1, 4)][0] == pytest.approx(1200.0)
    assert on_turns.total_delay_veh_h == pytest.approx(on_plain.total_delay_veh_h, rel=1e-6)
    hotspots = find_hotspots(turns, on_turns, min_volume_capacity=0.5)
    before = find_hotspots(plain, on_plain, min_volume_capacity=0.5)
    assert len(hotspots) == len(before) >= 1
    for found, wanted in zip(hotspots, before, strict=True):
        assert len(found.edges) == len(wanted.edges)  # each street once, not once per copy
        assert found.length_m == pytest.approx(wanted.length_m, rel=1e-9)
        assert found.volume_veh_h == pytest.approx(wanted.volume_veh_h, rel=1e-6)
        assert found.total_delay_veh_h == pytest.approx(wanted.total_delay_veh_h, rel=1e-6)


@pytest.fixture(scope="module")
def crossing_graphs(tmp_path_factory: pytest.TempPathFactory) -> tuple[CompactGraph, CompactGraph]:
    folder = tmp_path_factory.mktemp("scenario")
    source = write_osm(folder, CROSS_NODES, CROSS_WAYS, [])
    turns = with_turn_costs(source, folder).router(DRIVE).graph
    plain = with_turn_costs(source, folder, None).router(DRIVE).graph
    return turns, plain


def edge_from(graph: CompactGraph, tail_osm: int, head_osm: int) -> int:
    """The first edge (one copy) from OSM node ``tail_osm`` to ``head_osm``."""
    ids = graph.node_osm_id
    found = np.flatnonzero((ids[graph.tails] == tail_osm) & (ids[graph.heads] == head_osm))
    return int(found[0])


def test_a_scenario_edit_on_one_copy_binds_its_whole_segment(
    crossing_graphs: tuple[CompactGraph, CompactGraph],
) -> None:
    turns, plain = crossing_graphs
    comparisons = []
    for graph in (turns, plain):
        zones, trips = demand(graph)
        inputs = ScenarioInputs(graph, capacity_from_compact(graph), zones, trips)
        edit = set_speed([edge_from(graph, 1, 4)], 10.0)  # J -> N at walking-bike pace
        comparisons.append(run_scenario(inputs, [edit], min_volume_capacity=0.5))
    on_turns, on_plain = comparisons
    ids = turns.node_osm_id
    copies = np.flatnonzero((ids[turns.tails] == 1) & (ids[turns.heads] == 4))
    assert copies.size == 3  # J -> N, arriving at J from W, S or E
    # Every copy slowed (100 m at 10 km/h), its turn kept on top.
    assert turns.turn_s is not None
    street_s = on_turns.scenario.free_flow_time_s[copies] - turns.turn_s[copies]
    assert street_s == pytest.approx(turns.length_m[copies] / (10 / 3.6))
    streets, expected = by_street(turns, on_turns.scenario), by_street(plain, on_plain.scenario)
    for key, values in expected.items():
        assert streets[key] == pytest.approx(values, rel=1e-6, abs=1e-9), key
    zones, trips = demand(turns)
    inputs = ScenarioInputs(turns, capacity_from_compact(turns), zones, trips)
    with pytest.raises(UnreachableDemandError):
        # Every copy of J -> N closed, not the one named only: N2 cannot be reached any more.
        run_scenario(inputs, [close_street([int(copies[0])])])


def test_exports_have_one_row_per_street_not_one_per_copy(
    crossing_graphs: tuple[CompactGraph, CompactGraph],
) -> None:
    turns, plain = crossing_graphs
    rows = {}
    for graph in (turns, plain):
        result = assigned(graph)
        records = segment_records(graph, result)
        ids = graph.node_osm_id
        keyed = {
            (int(ids[graph.tails[r["edge"]]]), int(ids[graph.heads[r["edge"]]])): r for r in records
        }
        assert len(keyed) == len(records)  # no street twice
        assert len(segments_geojson(graph, result)["features"]) == len(records)
        rows[graph is turns] = keyed
    on_turns, on_plain = rows[True], rows[False]
    assert on_turns.keys() == on_plain.keys()
    # J -> N arrives by three copies on the turn graph; its row holds their 1,200 veh/h.
    assert on_turns[(1, 4)]["volume_veh_h"] == pytest.approx(1200.0, abs=0.01)
    for key, wanted in on_plain.items():
        found = on_turns[key]
        for column in ("volume_veh_h", "volume_capacity", "delay_veh_h", "length_m"):
            assert found[column] == pytest.approx(wanted[column], abs=0.02), (key, column)
        # The street's own times: the turn onto it is not part of the street.
        for column in ("free_flow_time_s", "congested_time_s"):
            assert found[column] == pytest.approx(wanted[column], abs=0.02), (key, column)
