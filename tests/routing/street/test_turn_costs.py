"""Turn costs by angle and U-turn costs on a turn-expanded graph (issue 17, off by default).

The hand-made graphs (100 m blocks, synthetic: no real street) have known answers: a left
turn costs more than a right, a U-turn is avoided where a loop around the block exists, a
dead end allows it. On the real west-Issy extract the expanded graph answers exactly like
a plain Dijkstra over its own edges, in time and in distance, and its distances are the
node-based graph's.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.errors import NoRouteError
from routing.street.graph import Metric
from routing.street.modes import DEFAULT_PROFILES, Mode
from routing.street.network import StreetNetwork, build_artefact, open_street_network
from routing.street.router import StreetRouter
from routing.street.snap import Snap, drop_shared_fallbacks
from routing.street.turn_costs import (
    BIKE_TURN_COSTS,
    CAR_TURN_COSTS,
    TurnCostProfile,
    segment_of_edges,
    turn_angle_deg,
)
from tests.routing.street.test_turn_restrictions import (
    DIAGONAL_M,
    PLUS_NODES,
    PLUS_WAYS,
    at,
    write_osm,
)

DRIVE = Mode.DRIVE
OVERPASS = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
RIGHT_90_S = CAR_TURN_COSTS.turn_s(90.0)
LEFT_90_S = CAR_TURN_COSTS.turn_s(-90.0)
U_TURN_S = CAR_TURN_COSTS.max_turn_s + CAR_TURN_COSTS.u_turn_s


def with_turn_costs(
    source: Path,
    folder: Path,
    turn_costs: TurnCostProfile | None = CAR_TURN_COSTS,
    mode: Mode = DRIVE,
) -> StreetNetwork:
    """The ``mode`` network of ``source`` built with these turn costs (None: without)."""
    profiles = {
        **DEFAULT_PROFILES,
        mode: dataclasses.replace(DEFAULT_PROFILES[mode], turn_costs=turn_costs),
    }
    artefact = folder / f"{mode.value}-{'turns' if turn_costs else 'plain'}"
    build_artefact(source, artefact, modes=[mode], profiles=profiles)
    return open_street_network(artefact, cache_dir=folder)


# --- the cost of one turn ---------------------------------------------------------------------


def test_a_turn_costs_more_the_sharper_it_is_and_across_traffic_more_than_to_the_kerb() -> None:
    assert CAR_TURN_COSTS.turn_s(0.0) == 0.0
    assert CAR_TURN_COSTS.turn_s(180.0) == pytest.approx(CAR_TURN_COSTS.max_turn_s)
    costs = [CAR_TURN_COSTS.turn_s(a) for a in range(0, 181, 15)]
    assert costs == sorted(costs)
    # Right-hand traffic: a right turn (to the kerb) is cheaper than a left (across traffic).
    assert 2.0 < RIGHT_90_S < 3.0 < 4.5 < LEFT_90_S < 5.5
    left_hand = dataclasses.replace(CAR_TURN_COSTS, right_hand_traffic=False)
    assert left_hand.turn_s(-90.0) == pytest.approx(RIGHT_90_S)


@pytest.mark.parametrize(
    ("bearing_in", "bearing_out", "angle"),
    [
        pytest.param(0.0, 90.0, 90.0, id="north-then-east-is-right"),
        pytest.param(90.0, 0.0, -90.0, id="east-then-north-is-left"),
        pytest.param(350.0, 10.0, 20.0, id="across-north"),
        pytest.param(10.0, 190.0, 180.0, id="back"),
    ],
)
def test_turn_angles_are_clockwise_positive(
    bearing_in: float, bearing_out: float, angle: float
) -> None:
    assert turn_angle_deg(bearing_in, bearing_out) == pytest.approx(angle)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"max_turn_s": -1.0}, id="negative-cost"),
        pytest.param({"u_turn_s": 1000.0}, id="u-turn-too-dear"),
        pytest.param({"kerb_midpoint_deg": 200.0}, id="midpoint"),
        pytest.param({"steepness": 0.0}, id="flat"),
        pytest.param({"u_turns": "never"}, id="u-turn-policy"),
    ],
)
def test_a_bad_turn_profile_says_what_is_accepted(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="accepted"):
        TurnCostProfile(**fields)


# --- hand-made graphs with known answers ------------------------------------------------------

# A crossing J of two two-way streets, each arm 100 m then another way 100 m further.
CROSS_NODES = {
    1: (0.0, 0.0),
    2: (-100.0, 0.0),
    3: (100.0, 0.0),
    4: (0.0, 100.0),
    5: (0.0, -100.0),
    6: (-200.0, 0.0),
    7: (0.0, 200.0),
    8: (0.0, -200.0),
    9: (200.0, 0.0),
}
CROSS_WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    30: ([6, 2], {}),
    31: ([2, 1], {}),
    32: ([1, 3], {}),
    33: ([1, 4], {}),
    34: ([1, 5], {}),
    35: ([4, 7], {}),
    36: ([5, 8], {}),
    37: ([3, 9], {}),
}


@pytest.fixture(scope="module")
def crossing(tmp_path_factory: pytest.TempPathFactory) -> tuple[StreetRouter, StreetRouter]:
    folder = tmp_path_factory.mktemp("crossing")
    source = write_osm(folder, CROSS_NODES, CROSS_WAYS, [])
    turns = with_turn_costs(source, folder).router(DRIVE)
    plain = with_turn_costs(source, folder, None).router(DRIVE)
    return turns, plain


@pytest.mark.parametrize(
    ("destination", "turn_s"),
    [
        pytest.param((0.0, 150.0), LEFT_90_S, id="left"),
        pytest.param((0.0, -150.0), RIGHT_90_S, id="right"),
        pytest.param((150.0, 0.0), 0.0, id="straight-on"),
    ],
)
def test_a_left_turn_costs_more_than_a_right_one(
    crossing: tuple[StreetRouter, StreetRouter], destination: tuple[float, float], turn_s: float
) -> None:
    turns, plain = crossing
    origin = at(-150, 0)
    route = turns.route(origin, at(*destination))
    before = plain.route(origin, at(*destination))
    # Same path, same metres; the time of the one turn at J added, nothing for the U-turn
    # that was not made at the dead end behind the origin.
    assert route.distance_m == pytest.approx(300, rel=2e-3)
    assert route.distance_m == pytest.approx(before.distance_m, rel=1e-9)
    assert route.duration_s == pytest.approx(before.duration_s + turn_s, abs=0.01)
    matrix = turns.travel_cost_matrix([origin], [at(*destination)])
    assert matrix[0, 0] == pytest.approx(route.duration_s, rel=1e-9)


def test_bikes_pay_their_own_turn_costs_and_may_turn_back_anywhere(tmp_path: Path) -> None:
    source = write_osm(tmp_path, CROSS_NODES, CROSS_WAYS, [])
    turns = with_turn_costs(source, tmp_path, BIKE_TURN_COSTS, Mode.BIKE).router(Mode.BIKE)
    plain = with_turn_costs(source, tmp_path, None, Mode.BIKE).router(Mode.BIKE)
    assert turns.graph.info["turn_costs"]["u_turns_forbidden"] == 0
    origin = at(-150, 0)
    left, right = BIKE_TURN_COSTS.turn_s(-90), BIKE_TURN_COSTS.turn_s(90)
    for destination, turn_s in (((0, 150), left), ((0, -150), right)):
        route = turns.route(origin, at(*destination))
        before = plain.route(origin, at(*destination))
        assert route.duration_s == pytest.approx(before.duration_s + turn_s, abs=0.01)
        assert route.distance_m == pytest.approx(before.distance_m, rel=1e-9)
    # A right turn is nearly free on a bike; a left one across traffic is not.
    assert right < 0.5 < 1.5 < left


def test_an_isochrone_pays_the_turn_before_the_street(
    crossing: tuple[StreetRouter, StreetRouter],
) -> None:
    turns, _ = crossing
    origin = at(-150, 0)
    # Half a left turn's cost beyond J: enough for 2.5 s straight on (about 24 m at 35 km/h)
    # or a right turn (2.5 s), not for the left one (5 s).
    budget_s = turns.route(origin, at(0, 0)).duration_s + LEFT_90_S / 2
    area = shapely.geometry.shape(turns.isochrone(origin, budget_s, buffer_m=5)["geometry"])

    def inside(x_m: float, y_m: float) -> bool:
        lat, lon = at(x_m, y_m)
        return bool(area.contains(shapely.Point(lon, lat)))

    assert inside(15, 0)
    assert not inside(0, 15) and not inside(0, -15)


def test_the_crossing_is_split_per_arriving_street_and_maps_back_to_its_osm_nodes(
    crossing: tuple[StreetRouter, StreetRouter],
) -> None:
    turns, plain = crossing
    report = turns.graph.info["turn_costs"]
    assert report["nodes_before"] == plain.graph.node_count == len(CROSS_NODES)
    # J: one copy per arriving street (4); each 2-way middle node: one per direction (2).
    assert turns.graph.node_count == 4 + 4 * 2 + 4
    assert set(turns.graph.node_osm_id.tolist()) == set(CROSS_NODES)
    # Forbidden: back from each arm at J, and both ways at each middle node.
    assert report["u_turns_forbidden"] == 4 + 4 * 2
    assert report["u_turns_allowed"] == 4  # at the four dead ends
    segments = segment_of_edges(
        turns.graph.node_osm_id,
        turns.graph.tails,
        turns.graph.heads,
        turns.graph.osm_way_id,
        turns.graph.length_m,
    )
    assert np.unique(segments).size == plain.graph.edge_count
    # The distance hierarchy is the plain one's in metres: turn costs are time only.
    assert float(turns.graph.length_m.sum()) > 0
    assert turns.graph.turn_s is not None and plain.graph.turn_s is None


def test_a_u_turn_is_avoided_when_a_loop_around_the_block_exists(tmp_path: Path) -> None:
    # No right turn from the west arm onto the one-way south arm: the node-split graph of
    # the restrictions turned back at N for free (300 m); with U-turns forbidden but at
    # dead ends the car goes round the block by E and N (or N and E).
    relation = (
        {"type": "restriction", "restriction": "no_right_turn"},
        [("way", 10, "from"), ("node", 1, "via"), ("way", 13, "to")],
    )
    source = write_osm(tmp_path, PLUS_NODES, PLUS_WAYS, [relation])
    turns = with_turn_costs(source, tmp_path).router(DRIVE)
    plain = with_turn_costs(source, tmp_path, None).router(DRIVE)
    origin, destination = at(-50, 0), at(0, -50)
    assert plain.route(origin, destination, metric="distance").distance_m == pytest.approx(
        300, rel=2e-3
    )
    around_m = 50 + 100 + DIAGONAL_M + 100 + 50
    metrics: tuple[Metric, ...] = ("distance", "time")
    for metric in metrics:
        route = turns.route(origin, destination, metric=metric)
        assert route.distance_m == pytest.approx(around_m, rel=2e-3), metric
    assert turns.graph.info["turn_restrictions"]["applied"] == 1


def test_a_dead_end_allows_the_u_turn_at_its_cost(tmp_path: Path) -> None:
    # Without the diagonal E-N, N is a dead end: the only way onto the south arm from the
    # west is to turn left to N, turn back there, and go straight on through J.
    ways = {k: v for k, v in PLUS_WAYS.items() if k != 15}
    relation = (
        {"type": "restriction", "restriction": "no_right_turn"},
        [("way", 10, "from"), ("node", 1, "via"), ("way", 13, "to")],
    )
    source = write_osm(tmp_path, PLUS_NODES, ways, [relation])
    turns = with_turn_costs(source, tmp_path).router(DRIVE)
    plain = with_turn_costs(source, tmp_path, None).router(DRIVE)
    origin, destination = at(-50, 0), at(0, -50)
    route = turns.route(origin, destination)
    before = plain.route(origin, destination)
    assert route.distance_m == pytest.approx(300, rel=2e-3)
    assert route.duration_s == pytest.approx(before.duration_s + LEFT_90_S + U_TURN_S, abs=0.01)
    # Turned back at N: the route passes N's coordinates (OSM node 4) and comes back.
    north = (at(0, 100)[0], at(0, 100)[1])
    assert min(math.dist(north, p) for p in route.coordinates) < 1e-6


# --- real OSM: west Issy ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def west_issy_turns(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[StreetRouter, StreetRouter]:
    folder = tmp_path_factory.mktemp("west-turns")
    turns = with_turn_costs(shared_data / OVERPASS, folder).router(DRIVE)
    plain = with_turn_costs(shared_data / OVERPASS, folder, None).router(DRIVE)
    return turns, plain


def dijkstra_least_cost(router: StreetRouter, start: Snap, end: Snap, metric: str) -> float:
    """Least cost by scipy's Dijkstra over the expanded graph's own edges, the ends costed
    as turn costs say: a start part-way along an edge made no turn onto it, an end did."""
    graph = router.graph
    weights = graph.weights(metric)  # type: ignore[arg-type]
    turn = np.zeros_like(weights) if metric == "distance" else np.asarray(graph.turn_s)
    order = np.lexsort((weights, graph.heads, graph.tails))
    tails, heads = graph.tails[order], graph.heads[order]
    first = np.ones(order.size, np.bool_)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    cheapest = order[first]
    matrix = csr_matrix(
        (weights[cheapest] + 1e-12, (graph.tails[cheapest], graph.heads[cheapest])),
        shape=(graph.node_count,) * 2,
    )
    start, end = drop_shared_fallbacks(start, end)
    assert all(p.connector_m == 0 for p in (*start.positions, *end.positions))
    a_edges = np.array([p.edge for p in start.positions])
    b_edges = np.array([p.edge for p in end.positions])
    a_fraction = np.array([p.fraction for p in start.positions])
    b_fraction = np.array([p.fraction for p in end.positions])
    leave = (weights[a_edges] - turn[a_edges]) * (1 - a_fraction)
    arrive = np.where(
        b_fraction > 0, turn[b_edges] + (weights[b_edges] - turn[b_edges]) * b_fraction, 0
    )
    between = dijkstra(matrix, indices=graph.heads[a_edges])[:, graph.tails[b_edges]]
    best = float((leave[:, None] + between + arrive[None, :]).min())
    for a in start.positions:
        for b in end.positions:
            if a.edge == b.edge and a.fraction <= b.fraction:
                along = (weights[a.edge] - turn[a.edge]) * (b.fraction - a.fraction)
                best = min(best, float(along))
    return best


def test_west_issy_routes_are_least_cost_on_the_expanded_graph_and_as_long_as_before(
    west_issy_turns: tuple[StreetRouter, StreetRouter],
) -> None:
    turns, plain = west_issy_turns
    graph = plain.graph
    assert turns.graph.node_count > 1.5 * graph.node_count
    assert set(turns.graph.node_osm_id.tolist()) == set(graph.node_osm_id.tolist())
    rng = np.random.default_rng(17)
    core = np.flatnonzero(graph.core_edge)
    compared = slower = 0
    for a, b in rng.choice(core, size=(60, 2)):
        points = [
            (
                float(graph.node_lat[graph.tails[e]] * 0.6 + graph.node_lat[graph.heads[e]] * 0.4),
                float(graph.node_lon[graph.tails[e]] * 0.6 + graph.node_lon[graph.heads[e]] * 0.4),
            )
            for e in (a, b)
        ]
        try:
            shortest = turns.route(points[0], points[1], metric="distance")
            fastest = turns.route(points[0], points[1])
        except NoRouteError:
            continue
        compared += 1
        start, end = turns.snap(*points[0]), turns.snap(*points[1])
        for metric, found in (("distance", shortest.distance_m), ("time", fastest.duration_s)):
            expected = dijkstra_least_cost(turns, start, end, metric)
            assert found == pytest.approx(expected, rel=1e-6, abs=1e-3), (points, metric)
        # Turn costs are time only: the shortest route is as long as on the plain graph.
        before_m = plain.route(points[0], points[1], metric="distance").distance_m
        assert shortest.distance_m == pytest.approx(before_m, rel=1e-6, abs=1e-3), points
        before_s = plain.route(points[0], points[1]).duration_s
        assert fastest.duration_s >= before_s - 1e-6
        slower += fastest.duration_s > before_s + 1.0
        matrix = turns.travel_cost_matrix([points[0]], [points[1]])
        assert matrix[0, 0] == pytest.approx(fastest.duration_s, rel=1e-6, abs=1e-3)
    assert compared >= 50
    assert slower >= compared // 2  # most routes turn somewhere


def test_closing_a_way_closes_every_copy_of_it(
    west_issy_turns: tuple[StreetRouter, StreetRouter],
) -> None:
    turns, _ = west_issy_turns
    graph = turns.graph
    core = np.flatnonzero(graph.core_edge)
    first, last = (
        core[0],
        core[
            np.argmax(
                np.hypot(
                    *(
                        np.array([graph.node_lat, graph.node_lon])[:, graph.tails[core]]
                        - np.array(
                            [
                                [graph.node_lat[graph.tails[core[0]]]],
                                [graph.node_lon[graph.tails[core[0]]]],
                            ]
                        )
                    )
                )
            )
        ],
    )
    start, end = (
        turns.snap(float(graph.node_lat[graph.heads[e]]), float(graph.node_lon[graph.heads[e]]))
        for e in (first, last)
    )
    edges = turns.edges_between(start, end)
    assert edges is not None and edges.size > 4
    ways, counts = np.unique(graph.osm_way_id[edges[1:-1]], return_counts=True)
    closed_way = int(ways[counts.argmax()])
    assert (graph.osm_way_id == closed_way).sum() > counts.max()  # copies of its segments
    closed = np.where(graph.osm_way_id == closed_way, np.inf, graph.duration_s)
    detour = turns.edges_between(start, end, duration_s=closed)
    assert detour is not None
    assert closed_way not in set(graph.osm_way_id[detour].tolist())


def test_a_connector_is_paced_by_its_street_not_by_the_turn_onto_it(
    west_issy_turns: tuple[StreetRouter, StreetRouter],
) -> None:
    # The planning tests' pair: the destination's nearest street is a cut-off piece, so the
    # route ends by a counted connector to a connected street; its pace once included the
    # turn onto that street (32 s too many through the app).
    turns, plain = west_issy_turns
    origin, destination = (48.8150, 2.2420), (48.8240, 2.2520)
    route = turns.route(origin, destination)
    before = plain.route(origin, destination)
    assert route.destination.distance_m > 100
    edges = turns.edges_between(turns.snap(*origin), turns.snap(*destination))
    assert edges is not None and turns.graph.turn_s is not None
    # Every edge after the first was turned onto; the last one only if the route goes along it.
    last = route.destination.positions[0]
    assert int(edges[-1]) == last.edge
    turned_s = float(turns.graph.turn_s[edges[1:-1]].sum())
    turned_s += float(turns.graph.turn_s[last.edge]) if last.fraction > 0 else 0.0
    assert 5 < turned_s < 30
    assert route.distance_m == pytest.approx(before.distance_m, rel=1e-9)
    assert route.duration_s == pytest.approx(before.duration_s + turned_s, abs=1e-6)
    assert turns.duration_between(turns.snap(*origin), turns.snap(*destination)) == pytest.approx(
        route.duration_s, rel=1e-12
    )
