"""Live metrics on the real west-Issy extract: congested times, closures and matrices go
through customization and agree with a plain Dijkstra on the same weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from routing.errors import NoRouteError
from routing.street._ends import along_one_edge, arriving, leaving
from routing.street.graph import Metric
from routing.street.live import hierarchy_file, load_hierarchy
from routing.street.network import StreetNetwork, open_street_network
from routing.street.router import StreetRouter
from routing.street.search import dijkstra_costs
from routing.street.snap import Snap

OVERPASS = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"


@pytest.fixture(scope="module")
def west_issy(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetNetwork:
    return open_street_network(shared_data / OVERPASS, cache_dir=tmp_path_factory.mktemp("l"))


def street_points(router: StreetRouter, count: int, seed: int) -> list[tuple[float, float]]:
    """Midpoints of random real edges of the network (every one lies on a street)."""
    graph = router.graph
    rng = np.random.default_rng(seed)
    points = []
    for edge in rng.choice(graph.edge_count, count, replace=False).tolist():
        lat, lon = graph.edge_polyline(edge)
        points.append((float(lat[len(lat) // 2]), float(lon[len(lon) // 2])))
    return points


def dijkstra_cost(
    router: StreetRouter, start: Snap, end: Snap, weights: np.ndarray, metric: Metric = "time"
) -> float:
    # The drive graph has turn costs (the default for tagged OSM, issue 17): the ends are
    # costed with the turn part of the metric (times hold it, lengths none), as the router
    # does (a start part-way along an edge made no turn onto it, an end there made it).
    graph = router.graph
    turns = graph.turn_part(metric)
    sources, source_costs = leaving(graph, start, weights, turns)
    keep = np.isfinite(source_costs)
    dist = dijkstra_costs(graph.indptr, graph.heads, weights, sources[keep], source_costs[keep])
    targets, target_costs = arriving(graph, end, weights, turns)
    best = along_one_edge(graph, start, end, weights, turns)[0]
    return float(min(best, float((dist[targets] + target_costs).min())))


def test_congested_times_and_a_closure_reach_the_route_by_customization(
    west_issy: StreetNetwork,
) -> None:
    router = west_issy.router("drive")
    graph = router.graph
    assert graph.turn_s is not None  # the default drive build turns, and the test says so
    rng = np.random.default_rng(7)
    congested = graph.duration_s * rng.uniform(1.0, 3.0, graph.edge_count)
    points = street_points(router, 24, seed=3)
    snaps = [router.snap(*p) for p in points]
    before = router.live.customizations
    checked = 0
    for start, end in zip(snaps[:12], snaps[12:], strict=True):
        expected = dijkstra_cost(router, start, end, congested)
        if not np.isfinite(expected):
            continue
        route = router.route_between(start, end, duration_s=congested)
        assert route.duration_s == pytest.approx(expected, rel=1e-9, abs=1e-6)
        checked += 1
    assert checked >= 8
    # One customization served every congested route: no rebuild, no Dijkstra per query.
    assert router.live.customizations == before + 1

    # Close the busiest street of one route: the next plan goes around it, as Dijkstra does.
    start, end = snaps[0], snaps[12]
    used = router.route_between(start, end, duration_s=congested)
    middle_edges = _route_edges(router, start, end, congested)[1:-1]
    assert middle_edges, "the route crosses at least one whole street"
    closed = congested.copy()
    closed[middle_edges[len(middle_edges) // 2]] = np.inf
    detour = router.route_between(start, end, duration_s=closed)
    expected = dijkstra_cost(router, start, end, closed)
    assert detour.duration_s == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert detour.duration_s >= used.duration_s
    assert router.live.customizations == before + 2


def _route_edges(router: StreetRouter, start: Snap, end: Snap, weights: np.ndarray) -> list[int]:
    path = router._spans_by_customization(start, end, weights)
    assert path is not None
    return [span.edge for span in path.spans]


def test_matrix_equals_one_dijkstra_per_origin(west_issy: StreetNetwork) -> None:
    cases: tuple[tuple[str, Metric], ...] = (("drive", "time"), ("walk", "distance"))
    for mode, metric in cases:
        router = west_issy.router(mode)
        points = street_points(router, 20, seed=11)
        matrix = router.travel_cost_matrix(points[:12], points[8:], metric=metric)
        starts = [router.snap(*p) for p in points[:12]]
        ends = [router.snap(*p) for p in points[8:]]
        for i, start in enumerate(starts):
            row = router.costs_to(start, router.costs_from(start, metric), ends, metric)
            assert np.allclose(matrix[i], row, rtol=1e-9, atol=1e-6, equal_nan=False)
            assert np.array_equal(np.isinf(matrix[i]), np.isinf(row))
        # The points shared by origins and destinations cost nothing to themselves.
        assert np.allclose(np.diagonal(matrix[8:, :4]), 0.0, atol=1e-6)


def test_the_artefact_stores_the_order_and_serving_loads_it(
    west_issy: StreetNetwork, tmp_path: Path
) -> None:
    stored = hierarchy_file(west_issy.path, "drive")
    assert stored.is_file()
    router = west_issy.router("drive")
    loaded = load_hierarchy(router.graph, west_issy.path)
    assert loaded is not None
    assert np.array_equal(loaded.rank, router.live.hierarchy.rank)
    # A file that does not fit the graph is ignored (and rebuilt on first use), not trusted.
    other = west_issy.router("walk").graph
    hierarchy_file(tmp_path, "walk").write_bytes(stored.read_bytes())
    assert load_hierarchy(other, tmp_path) is None
    hierarchy_file(tmp_path, "walk").write_bytes(b"not an npz")
    assert load_hierarchy(other, tmp_path) is None


def test_a_profile_is_customized_once_and_reused(west_issy: StreetNetwork) -> None:
    """Wheelchair walks (no steps) and cars avoiding trunk roads, on free-flow or congested
    times: each profile's weights are one array, so repeated requests reuse one customization."""
    walk, drive = west_issy.router("walk"), west_issy.router("drive")
    points = street_points(walk, 8, seed=21)
    wheelchair = frozenset({"steps"})
    no_trunk = frozenset({"trunk", "trunk_link"})
    congested = drive.graph.duration_s * 1.5
    for router, avoid, times in (
        (walk, wheelchair, None),
        (drive, no_trunk, None),
        (drive, no_trunk, congested),
    ):
        assert router.live_weights("time", avoid, times) is router.live_weights(
            "time", avoid, times
        )
        customized = router.live.customizations
        for a, b in zip(points[:4], points[4:], strict=True):
            try:
                router.route(a, b, avoid=avoid) if times is None else router.route_between(
                    router.snap(*a), router.snap(*b), avoid=avoid, duration_s=times
                )
            except NoRouteError:
                continue
        assert router.live.customizations <= customized + 1
    # Avoiding a class the walk network lacks changes nothing: the compiled hierarchy answers.
    assert walk.live_weights("time", frozenset({"motorway"})) is walk.graph.weights("time")


class _NoContraction:
    """Stands in for a contraction hierarchy that must not be asked."""

    def query(self, *args: object) -> None:
        raise AssertionError("a free-flow query went to the contraction hierarchy")


def test_free_flow_routes_come_from_the_customizable_hierarchy(
    west_issy: StreetNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the order stored in the artefact, free-flow time and distance routes come from the
    customizable hierarchy (measured faster than the contraction hierarchy), customized once
    per metric and kept, and they still equal Dijkstra's."""
    router = west_issy.router("drive")
    graph = router.graph
    assert router.live.ordered
    metrics: tuple[Metric, ...] = ("time", "distance")
    for metric in metrics:
        monkeypatch.setitem(graph.hierarchies, metric, _NoContraction())
    snaps = [router.snap(*p) for p in street_points(router, 16, seed=31)]
    before = router.live.customizations
    checked = 0
    for start, end in zip(snaps[:8], snaps[8:], strict=True):
        for metric in metrics:
            weights = graph.weights(metric)
            expected = dijkstra_cost(router, start, end, weights, metric)
            if not np.isfinite(expected):
                continue
            route = router.route_between(start, end, metric=metric)
            got = route.duration_s if metric == "time" else route.distance_m
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-6)
            checked += 1
        if np.isfinite(dijkstra_cost(router, start, end, graph.duration_s)):
            route = router.route_between(start, end)
            assert router.duration_between(start, end) == route.duration_s
    assert checked >= 10
    # One customization per metric at most, and an evicting stream of other weights keeps them.
    assert router.live.customizations <= before + 2
    for factor in range(8):
        router.live.customized(graph.duration_s * (1.1 + factor))
    kept = router.live.customizations
    router.route_between(snaps[0], snaps[8])
    router.route_between(snaps[0], snaps[8], metric="distance")
    assert router.live.customizations == kept
