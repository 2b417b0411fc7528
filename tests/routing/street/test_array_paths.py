"""The array versions of a route's line, polyline, costs and station rankings give what the
per-edge Python versions gave, to the last bit, on real OSM (the west-Issy extract: cut-off
pieces, connectors, one-way streets).

Each reference below is the code the array version replaced, kept here as the definition: if
an array version drifted by one bit (a sum in another order, a dropped duplicate point), a
plan's answer would change and these would fail.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import polyline
import pytest

from routing.errors import LocationOutsideNetworkError, NoRouteError
from routing.geometry import BoundingBox, encode_polyline
from routing.street._ends import (
    LatLon,
    SnappedPath,
    Span,
    along_one_edge,
    arriving,
    cut,
    span_cost,
)
from routing.street.compile import compile_graph
from routing.street.modes import Mode
from routing.street.network import StreetNetwork, open_street_network
from routing.street.route_geometry import RouteGeometry, piece
from routing.street.router import StreetRouter
from routing.street.snap import Snap, drop_shared_fallbacks
from routing.street.steps import build_steps
from tests.routing.grids import grid_graph, node_id, position

OVERPASS = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"


@pytest.fixture(scope="module")
def west_issy(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetNetwork:
    return open_street_network(shared_data / OVERPASS, cache_dir=tmp_path_factory.mktemp("w"))


def random_snaps(router: StreetRouter, count: int, seed: int) -> list[Snap]:
    """Snaps of random points of the graph's box (those near no street left out)."""
    box = router.graph.bbox
    rng = np.random.default_rng(seed)
    snaps: list[Snap] = []
    while len(snaps) < count:
        lat, lon = rng.uniform((box.min_lat, box.min_lon), (box.max_lat, box.max_lon))
        try:
            snaps.append(router.snap(float(lat), float(lon)))
        except LocationOutsideNetworkError:
            continue
    return snaps


def routes(router: StreetRouter, snaps: list[Snap]) -> list[tuple[Snap, Snap]]:
    return [(a, b) for a, b in itertools.pairwise(snaps)]


def reference_coordinates(
    router: StreetRouter, spans: list[Span], origin: LatLon, destination: LatLon
) -> tuple[LatLon, ...]:
    """The line as it was built before: pieces cut span by span, repeated points dropped."""
    pieces = [
        piece(router.graph, span, router.graph.duration_s, turned=i > 0)
        for i, span in enumerate(spans)
    ]
    coordinates: list[LatLon] = [origin]
    for stretch in pieces:
        for point in stretch.coordinates:
            if point != coordinates[-1]:
                coordinates.append(point)
    if destination != coordinates[-1]:
        coordinates.append(destination)
    if len(coordinates) == 1:
        coordinates.append(coordinates[0])
    return tuple(coordinates)


def path_of(router: StreetRouter, a: Snap, b: Snap) -> SnappedPath | None:
    first, last = drop_shared_fallbacks(a, b)
    return router._best_spans(first, last, "time")


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_route_lines_and_steps_equal_the_piece_by_piece_reference(
    west_issy: StreetNetwork, mode: str
) -> None:
    router = west_issy.router(mode)
    checked = 0
    for a, b in routes(router, random_snaps(router, 41, seed=3)):
        try:
            route = router.route_between(a, b)
        except NoRouteError:
            continue
        path = path_of(router, a, b)
        assert path is not None
        spans = path.spans
        expected = reference_coordinates(
            router,
            spans,
            (route.origin.lat, route.origin.lon),
            (route.destination.lat, route.destination.lon),
        )
        assert route.coordinates == expected
        assert route.encoded_polyline() == polyline.encode(list(expected), 5)
        assert route.encoded_polyline(6) == polyline.encode(list(expected), 6)
        pieces = [
            piece(router.graph, span, router.graph.duration_s, turned=i > 0)
            for i, span in enumerate(spans)
        ]
        assert route.steps == tuple(build_steps(pieces))
        # The distance and duration: the span-by-span sums, in order, to the last bit.
        lengths = sum(float(router.graph.length_m[s.edge]) * (s.end - s.start) for s in spans) + (
            path.first.connector_m + path.last.connector_m
        )
        assert route.distance_m == lengths
        checked += 1
    assert checked >= 30


def test_a_line_of_one_point_has_it_twice(west_issy: StreetNetwork) -> None:
    router = west_issy.router("walk")
    graph = router.graph
    lat, lon = graph.edge_polyline(7)
    point = cut(lat, lon, 0.5, 0.5)[0]
    geometry = RouteGeometry(graph, [Span(7, 0.5, 0.5)], graph.duration_s, point, point)
    assert geometry.coordinates == (point, point)
    assert geometry.coordinates == reference_coordinates(router, [Span(7, 0.5, 0.5)], point, point)
    assert geometry.encoded_polyline() == polyline.encode([point, point], 5)


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_path_costs_equal_the_span_by_span_sum(west_issy: StreetNetwork, mode: str) -> None:
    router = west_issy.router(mode)
    graph = router.graph
    for a, b in routes(router, random_snaps(router, 31, seed=11)):
        path = path_of(router, a, b)
        if path is None:
            continue
        for weights, turns in ((graph.duration_s, graph.turn_s), (graph.length_m, None)):
            expected = sum(
                span_cost(weights, turns, s.edge, s.start, s.end, turned=i > 0)
                for i, s in enumerate(path.spans)
            )
            assert path.cost(weights, turns) == expected


def reference_costs_to(
    router: StreetRouter, start: Snap, costs: np.ndarray, ends: list[Snap]
) -> list[float]:
    """``costs_to`` as it was: one end at a time."""
    graph = router.graph
    weights, turns = graph.duration_s, graph.turn_s
    out = []
    for end in ends:
        first, last = drop_shared_fallbacks(start, end)
        best = along_one_edge(graph, first, last, weights, turns)[0]
        targets, target_costs = arriving(graph, last, weights, turns)
        out.append(min(best, float((costs[targets] + target_costs).min())))
    return out


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_costs_to_many_ends_equal_the_end_by_end_reference(
    west_issy: StreetNetwork, mode: str
) -> None:
    router = west_issy.router(mode)
    snaps = random_snaps(router, 120, seed=17)
    # Ends on the start's own edge and on cut-off pieces take the general way: include some.
    start = snaps[0]
    ends = [*snaps[1:], start, *(s for s in snaps if s.on_cut_off_piece)]
    assert any(s.on_cut_off_piece for s in snaps)
    for limit in (np.inf, 600.0):
        costs = router.costs_from(start, limit=limit)
        found = router.costs_to(start, costs, ends).tolist()
        assert found == reference_costs_to(router, start, costs, ends)
        assert np.isfinite(found).any()
        if limit < np.inf:
            assert not np.isfinite(found).all()


@pytest.mark.parametrize("mode", ["walk", "bike", "drive"])
def test_durations_between_estimate_every_pair(west_issy: StreetNetwork, mode: str) -> None:
    if mode not in {m.value for m in west_issy.routers}:
        pytest.skip(f"no {mode} graph in the extract")
    router = west_issy.router(mode)
    snaps = random_snaps(router, 16, seed=23)
    starts, ends = snaps[:8], [*snaps[8:], snaps[0]]  # one pair on one point
    matrix = router.durations_between(starts, ends)
    assert matrix.shape == (8, 9)
    routed = 0
    for (i, a), (j, b) in itertools.product(enumerate(starts), enumerate(ends)):
        try:
            exact = router.duration_between(a, b)
        except NoRouteError:
            assert matrix[i, j] == np.inf
            continue
        assert matrix[i, j] == pytest.approx(exact, rel=1e-9, abs=1e-9)
        routed += 1
    assert routed >= 40
    assert router.durations_between([], ends).shape == (0, 9)


def test_the_bbox_is_kept_and_equals_the_nodes_box(west_issy: StreetNetwork) -> None:
    graph = west_issy.router("walk").graph
    box = graph.bbox
    assert box is graph.bbox
    assert box == BoundingBox(
        float(graph.node_lat.min()),
        float(graph.node_lon.min()),
        float(graph.node_lat.max()),
        float(graph.node_lon.max()),
    )


def test_geometry_builds_the_line_without_the_steps(west_issy: StreetNetwork) -> None:
    router = west_issy.router("walk")
    a, b = random_snaps(router, 2, seed=29)
    geometry = router.route_between(a, b).geometry
    assert not is_built(geometry)
    lat, lon = geometry.line
    assert is_built(geometry) and geometry._steps is None
    assert geometry.coordinates == tuple(zip(lat.tolist(), lon.tolist(), strict=True))
    with pytest.raises(ValueError, match="read-only"):
        lat[0] = 0.0


def is_built(geometry: RouteGeometry) -> bool:
    return geometry.built


@pytest.mark.parametrize("precision", [5, 6])
def test_encode_polyline_equals_the_reference_encoder(precision: int) -> None:
    rng = np.random.default_rng(31)
    for size in (1, 2, 7, 500):
        lat = rng.uniform(-90, 90, size)
        lon = rng.uniform(-180, 180, size)
        # Halves at the precision (rounded away from zero), negatives, near-repeats.
        halves = np.round(lat, precision) + 0.5 * 10.0**-precision
        for a, b in ((lat, lon), (halves, -halves), (48.8 + lat / 1e5, 2.2 + lon / 1e6)):
            expected = polyline.encode(list(zip(a.tolist(), b.tolist(), strict=True)), precision)
            assert encode_polyline(a, b, precision) == expected
    assert encode_polyline(np.array([]), np.array([])) == ""
    with pytest.raises(ValueError, match="1-D arrays of one length"):
        encode_polyline(np.zeros(3), np.zeros(2))


def test_routers_on_one_topology_snap_alike() -> None:
    walk = StreetRouter(compile_graph(grid_graph(), Mode.WALK))
    bike = StreetRouter(compile_graph(grid_graph(speed_kmh=15.0), Mode.BIKE))
    assert walk.graph is not bike.graph
    assert bike.snaps_like(walk) and walk.snaps_like(bike) and walk.snaps_like(walk)
    for point in (position(0.3, 1), position(1, 1.7), position(2.2, 0.4)):
        assert bike.snap(*point) == walk.snap(*point)
    # Another snap limit, or a street fewer: the snaps may differ, so each router snaps.
    near = StreetRouter(walk.graph, max_snap_distance_m=50)
    assert not near.snaps_like(walk)
    fewer = grid_graph()
    fewer.remove_edges_from([(node_id(0, 0), node_id(0, 1)), (node_id(0, 1), node_id(0, 0))])
    assert not StreetRouter(compile_graph(fewer, Mode.WALK)).snaps_like(walk)
