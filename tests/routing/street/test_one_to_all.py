"""One-to-all costs by sweeping the customized hierarchy equal a Dijkstra's, on the real
west-Issy extract and under live weights (congested times, a closure, avoided classes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from routing.street.graph import Metric
from routing.street.network import StreetNetwork, open_street_network
from routing.street.one_to_all import costs_from_all
from routing.street.search import dijkstra_costs
from routing.traffic.demand import zone_travel_times_s

OVERPASS = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"


@pytest.fixture(scope="module")
def west_issy(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetNetwork:
    return open_street_network(shared_data / OVERPASS, cache_dir=tmp_path_factory.mktemp("a"))


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert np.array_equal(np.isinf(a), np.isinf(b))
    finite = np.isfinite(a)
    assert np.allclose(a[finite], b[finite], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    ("mode", "metric"), [("drive", "time"), ("walk", "distance"), ("bike", "time")]
)
def test_sweep_equals_dijkstra_from_every_sampled_node(
    west_issy: StreetNetwork, mode: str, metric: Metric
) -> None:
    graph = west_issy.router(mode).graph
    weights = graph.weights(metric)
    customized = west_issy.router(mode).live.customized(weights)
    rng = np.random.default_rng(5)
    reached = []
    for source in rng.choice(graph.node_count, 8, replace=False).tolist():
        expected = dijkstra_costs(
            graph.indptr, graph.heads, weights, np.array([source]), np.zeros(1)
        )
        _same(costs_from_all(customized, [source], [0.0]), expected)
        reached.append(int(np.isfinite(expected).sum()))
    assert max(reached) > graph.node_count // 2  # real trees, not only stubs' (extract edges)


def test_live_weights_limits_and_several_sources(west_issy: StreetNetwork) -> None:
    router = west_issy.router("drive")
    graph = router.graph
    rng = np.random.default_rng(9)
    congested = graph.duration_s * rng.uniform(1.0, 3.0, graph.edge_count)
    congested[rng.choice(graph.edge_count, 40, replace=False)] = np.inf  # closed edges
    customized = router.live.customized(congested)
    sources, costs = np.array([3, 50, 400]), np.array([0.0, 12.5, 40.0])
    for limit in (np.inf, 60.0, 240.0):
        expected = dijkstra_costs(graph.indptr, graph.heads, congested, sources, costs, limit=limit)
        _same(costs_from_all(customized, sources, costs, limit=limit), expected)


def test_router_searches_and_isochrones_agree(west_issy: StreetNetwork) -> None:
    walk = west_issy.router("walk")
    start = walk.snap(48.8150, 2.2420)
    for avoid in (frozenset(), frozenset({"steps"})):
        by_dijkstra = walk.costs_from(start, limit=900, avoid=avoid)
        by_sweep = walk.costs_from(start, limit=900, avoid=avoid, search="hierarchy")
        _same(by_sweep, by_dijkstra)
    one = walk.isochrone((48.8150, 2.2420), 600, search="dijkstra")
    other = walk.isochrone((48.8150, 2.2420), 600, search="hierarchy")
    assert one == other
    assert one["properties"]["reachable_nodes"] > 100


def test_bad_sources_are_refused_with_what_is_accepted(west_issy: StreetNetwork) -> None:
    router = west_issy.router("drive")
    customized = router.live.customized(router.graph.duration_s)
    n = router.graph.node_count
    with pytest.raises(ValueError, match=rf"outside 0\.\.{n - 1}"):
        costs_from_all(customized, [n], [0.0])
    with pytest.raises(ValueError, match="2 nodes but 1 costs"):
        costs_from_all(customized, [0, 1], [0.0])
    with pytest.raises(ValueError, match="must be finite"):
        costs_from_all(customized, [0], [np.nan])


def test_gravity_zone_times_by_the_hierarchy_equal_one_dijkstra_per_zone(
    west_issy: StreetNetwork,
) -> None:
    router = west_issy.router("drive")
    graph = router.graph
    zones = np.random.default_rng(3).choice(graph.node_count, 25, replace=False)
    by_dijkstra = zone_travel_times_s(graph.indptr, graph.heads, graph.duration_s, zones)
    metric = router.live.customized(graph.duration_s)
    by_hierarchy = zone_travel_times_s(
        graph.indptr, graph.heads, graph.duration_s, zones, metric=metric
    )
    _same(by_hierarchy.ravel(), by_dijkstra.ravel())
    assert np.isfinite(by_dijkstra).sum() > 25  # zones that reach each other, not only islands
