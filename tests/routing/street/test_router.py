"""One-to-one routes, matrices, isochrones and artefacts on a grid with known answers."""

from __future__ import annotations

import json
import mmap
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import polyline
import pytest
import shapely

from routing.errors import (
    CorruptArtefactError,
    InvalidCoordinateError,
    LocationOutsideNetworkError,
    NoRouteError,
)
from routing.street.artefact import load_artefact, mapped_npz, save_artefact
from routing.street.compile import compile_graph
from routing.street.hierarchy.ch import ContractionHierarchy
from routing.street.modes import Mode
from routing.street.router import StreetRouter
from routing.street.steps import Turn
from tests.routing.grids import STEP_M, grid_graph, node_id, position

WALK_MS = 4.8 / 3.6


@pytest.fixture(scope="module")
def router() -> StreetRouter:
    return StreetRouter(compile_graph(grid_graph(), Mode.WALK))


def test_route_along_one_street_is_one_step(router: StreetRouter) -> None:
    route = router.route(position(0, 0), position(0, 2))
    assert route.distance_m == pytest.approx(2 * STEP_M, rel=1e-3)
    assert route.duration_s == pytest.approx(2 * STEP_M / WALK_MS, rel=1e-3)
    assert [s.turn for s in route.steps] == [Turn.DEPART, Turn.ARRIVE]
    assert route.steps[0].street == "Rue du Sud"
    assert route.steps[0].bearing_after_deg == pytest.approx(90.0, abs=1.0)  # heading east


def test_route_with_a_corner_turns_left(router: StreetRouter) -> None:
    # East along the south row, then north up the east column: a left turn (the only
    # shortest path, 150 m against 250 m by the central avenue).
    route = router.route(position(0, 1.5), position(1, 2))
    assert route.distance_m == pytest.approx(1.5 * STEP_M, rel=1e-3)
    streets = [s.street for s in route.steps[:-1]]
    turns = [s.turn for s in route.steps]
    assert turns[0] is Turn.DEPART and turns[-1] is Turn.ARRIVE
    assert turns == [Turn.DEPART, Turn.LEFT, Turn.ARRIVE]
    assert streets == ["Rue du Sud", "Avenue Est"]


def test_points_between_nodes_snap_onto_the_edge(router: StreetRouter) -> None:
    # 10 m north of the middle of the south row's first block, to the middle of its second.
    start_lat, start_lon = position(0.1, 0.5)
    route = router.route((start_lat, start_lon), position(0, 1.5))
    assert route.origin.distance_m == pytest.approx(10.0, abs=0.5)
    assert route.distance_m == pytest.approx(STEP_M, rel=1e-2)
    assert route.coordinates[0] == pytest.approx(position(0, 0.5), abs=1e-7)


def test_destination_behind_on_the_same_edge(router: StreetRouter) -> None:
    route = router.route(position(0, 0.75), position(0, 0.25))
    assert route.distance_m == pytest.approx(0.5 * STEP_M, rel=1e-2)


def test_time_and_distance_agree_with_networkx(router: StreetRouter) -> None:
    graph = nx.DiGraph(grid_graph())
    for metric, weight in (("time", "travel_time"), ("distance", "length")):
        route = router.route(position(0, 0), position(2, 1), metric=metric)  # type: ignore[arg-type]
        expected = nx.shortest_path_length(graph, node_id(0, 0), node_id(2, 1), weight=weight)
        got = route.duration_s if metric == "time" else route.distance_m
        assert got == pytest.approx(expected, rel=1e-9)


def test_one_way_street_forces_a_detour() -> None:
    # The middle row's west block may only be driven eastwards.
    graph = grid_graph(speed_kmh=30, one_way=((1, 0), (1, 1)))
    router = StreetRouter(compile_graph(graph, Mode.DRIVE))
    east = router.route(position(1, 0), position(1, 1))
    west = router.route(position(1, 1), position(1, 0))
    assert east.distance_m == pytest.approx(STEP_M, rel=1e-3)
    assert west.distance_m == pytest.approx(3 * STEP_M, rel=1e-3)


def test_geojson_and_polyline_carry_the_path(router: StreetRouter) -> None:
    route = router.route(position(0, 0), position(1, 2))
    feature = route.geojson()
    assert feature["geometry"]["type"] == "LineString"
    line = feature["geometry"]["coordinates"]
    assert line[0] == pytest.approx([position(0, 0)[1], position(0, 0)[0]], abs=1e-7)
    assert feature["properties"]["distance_m"] == pytest.approx(route.distance_m, abs=0.1)
    decoded = polyline.decode(route.encoded_polyline())
    assert len(decoded) == len(route.coordinates)
    assert decoded[-1] == pytest.approx(position(1, 2), abs=1e-5)
    json.dumps(feature)  # serialisable as it is


def test_far_away_point_is_outside_the_network(router: StreetRouter) -> None:
    with pytest.raises(LocationOutsideNetworkError, match=r"origin .* km from the nearest street"):
        router.route((48.90, 2.35), position(0, 0))


@pytest.mark.parametrize(
    "point",
    [
        pytest.param((float("nan"), 2.26), id="nan"),
        pytest.param((2.2605, 48.8205), id="swapped"),
        pytest.param((123.0, 2.26), id="out-of-range"),
    ],
)
def test_invalid_coordinates_are_refused(router: StreetRouter, point: tuple[float, float]) -> None:
    with pytest.raises(InvalidCoordinateError):
        router.route(point, position(0, 0))


def test_disconnected_parts_raise_no_route() -> None:
    graph = grid_graph()
    graph.remove_edges_from(
        [(node_id(r, 1), node_id(r, 2)) for r in range(3)]
        + [(node_id(r, 2), node_id(r, 1)) for r in range(3)]
    )
    # Within 50 m of the points there is only the street of their own part.
    router = StreetRouter(compile_graph(graph, Mode.WALK), max_snap_distance_m=50)
    with pytest.raises(NoRouteError, match="no walk route"):
        router.route(position(0, 0), position(2, 2))


def test_a_point_near_a_cut_off_stub_also_gets_the_connected_street() -> None:
    # The east column is cut off from the rest: a point by it can still leave from the
    # connected network 100 m away (what a person would do), rather than find no route;
    # the 100 m to get there are counted, and reported as the snap distance used.
    graph = grid_graph()
    graph.remove_edges_from(
        [(node_id(r, 1), node_id(r, 2)) for r in range(3)]
        + [(node_id(r, 2), node_id(r, 1)) for r in range(3)]
    )
    router = StreetRouter(compile_graph(graph, Mode.WALK))
    snap = router.snap(*position(1.5, 2))
    assert snap.distance_m == pytest.approx(0.0, abs=0.5)
    assert any(router.graph.core_edge[p.edge] for p in snap.positions)
    route = router.route(position(1.5, 2), position(0, 0))
    assert route.distance_m == pytest.approx(3.5 * STEP_M, rel=1e-2)
    assert route.origin.distance_m == pytest.approx(STEP_M, rel=1e-2)
    assert route.duration_s == pytest.approx(3.5 * STEP_M / (4.8 / 3.6), rel=1e-2)


def test_two_points_on_one_cut_off_piece_route_along_it_not_through_the_network() -> None:
    graph = grid_graph()
    graph.remove_edges_from(
        [(node_id(r, 1), node_id(r, 2)) for r in range(3)]
        + [(node_id(r, 2), node_id(r, 1)) for r in range(3)]
    )
    router = StreetRouter(compile_graph(graph, Mode.WALK))
    route = router.route(position(0.5, 2), position(1.5, 2))
    assert route.distance_m == pytest.approx(STEP_M, rel=1e-2)
    assert route.origin.distance_m == pytest.approx(0.0, abs=0.5)


def test_a_stranded_point_names_the_snap_limit() -> None:
    graph = grid_graph()
    graph.remove_edges_from(
        [(node_id(r, 1), node_id(r, 2)) for r in range(3)]
        + [(node_id(r, 2), node_id(r, 1)) for r in range(3)]
    )
    router = StreetRouter(compile_graph(graph, Mode.WALK), max_snap_distance_m=50)
    with pytest.raises(NoRouteError, match="snap limit of 50 m"):
        router.route(position(1.5, 2), position(0, 0))


def test_matrix_matches_single_routes(router: StreetRouter) -> None:
    points = [position(0, 0), position(2, 2), position(1, 0.5)]
    matrix = router.travel_cost_matrix(points, points)
    assert matrix.shape == (3, 3)
    assert np.allclose(np.diag(matrix), 0.0, atol=1e-6)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            assert matrix[i, j] == pytest.approx(router.route(a, b).duration_s, rel=1e-6, abs=1e-6)


def test_isochrone_grows_with_the_budget(router: StreetRouter) -> None:
    small = router.isochrone(position(1, 1), 60)
    large = router.isochrone(position(1, 1), 240)
    small_area = shapely.geometry.shape(small["geometry"])
    large_area = shapely.geometry.shape(large["geometry"])
    assert small_area.is_valid and large_area.is_valid
    assert large_area.area > small_area.area
    centre = shapely.Point(position(1, 1)[1], position(1, 1)[0])
    corner = shapely.Point(position(0, 0)[1], position(0, 0)[0])
    assert small_area.contains(centre)
    assert not small_area.contains(corner)  # 200 m away: beyond 80 m of walking
    assert large_area.contains(corner)
    with pytest.raises(ValueError, match="budget_s"):
        router.isochrone(position(1, 1), -5)


def test_artefact_round_trip_and_checksum(tmp_path: Path) -> None:
    graph = compile_graph(grid_graph(), Mode.WALK)
    manifest = save_artefact([graph], tmp_path / "grid.streets", source="test grid")
    assert manifest["modes"]["walk"]["nodes"] == 9
    assert manifest["modes"]["walk"]["edges"] == 24
    loaded = load_artefact(tmp_path / "grid.streets")[Mode.WALK]
    a = StreetRouter(graph).route(position(0, 0), position(2, 2))
    b = StreetRouter(loaded).route(position(0, 0), position(2, 2))
    assert a.coordinates == b.coordinates and a.duration_s == b.duration_s
    npz = tmp_path / "grid.streets" / "walk.npz"
    npz.write_bytes(npz.read_bytes()[:-10])
    with pytest.raises(CorruptArtefactError, match="checksum"):
        load_artefact(tmp_path / "grid.streets")
    with pytest.raises(CorruptArtefactError, match=r"no manifest\.json"):
        load_artefact(tmp_path / "missing")


def mapped_file(array: npt.NDArray[Any]) -> bool:
    """Whether ``array``'s memory is a file mapping (not a copy on the heap)."""
    base: Any = array
    while base is not None:
        if isinstance(base, mmap.mmap):
            return True
        base = getattr(base, "base", None)
    return False


def test_artefact_arrays_are_mapped_from_the_file_read_only(tmp_path: Path) -> None:
    graph = compile_graph(grid_graph(), Mode.WALK)
    save_artefact([graph], tmp_path / "grid.streets", source="test grid")
    loaded = load_artefact(tmp_path / "grid.streets")[Mode.WALK]
    hierarchy = loaded.hierarchies["time"]
    assert isinstance(hierarchy, ContractionHierarchy)
    for array in (loaded.heads, loaded.geometry_lat, loaded.names, hierarchy.up_heads):
        assert mapped_file(array)  # N processes opening the artefact share these pages
        assert not array.flags.writeable
    assert not mapped_file(graph.heads)  # the freshly compiled graph is on the heap
    np.testing.assert_array_equal(loaded.heads, graph.heads)
    np.testing.assert_array_equal(loaded.names, graph.names)
    first = StreetRouter(loaded).route(position(0, 0), position(2, 2))
    assert (
        first.coordinates == StreetRouter(graph).route(position(0, 0), position(2, 2)).coordinates
    )


def test_mapped_npz_refuses_what_is_not_a_zip(tmp_path: Path) -> None:
    junk = tmp_path / "walk.npz"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(CorruptArtefactError, match="cannot be read"):
        mapped_npz(junk)


def test_avoiding_steps_takes_the_way_round() -> None:
    graph = grid_graph()
    steps = {node_id(0, 0), node_id(0, 1)}
    for u, v, data in graph.edges(data=True):
        if {u, v} == steps:
            data["highway"] = "steps"
    router = StreetRouter(compile_graph(graph, Mode.WALK))
    direct = router.route(position(0, 0), position(0, 1))
    around = router.route(position(0, 0), position(0, 1), avoid=frozenset({"steps"}))
    assert direct.distance_m == pytest.approx(STEP_M, rel=1e-3)
    assert around.distance_m == pytest.approx(3 * STEP_M, rel=1e-3)
    assert [s.street for s in around.steps[:-1]] == [
        "Avenue Ouest",
        "Rue du Centre",
        "Avenue Centrale",
    ]
    # The bounded searches see the same detour.
    start = router.snap(*position(0, 0))
    costs = router.costs_from(start, "distance", avoid=frozenset({"steps"}))
    end = router.snap(*position(0, 1))
    assert router.costs_to(start, costs, [end], "distance", avoid=frozenset({"steps"}))[
        0
    ] == pytest.approx(3 * STEP_M, rel=1e-3)
    # Nothing to avoid on this network: the hierarchy answers as usual.
    same = router.route(position(0, 0), position(2, 2), avoid=frozenset({"motorway"}))
    assert same.distance_m == pytest.approx(4 * STEP_M, rel=1e-3)
