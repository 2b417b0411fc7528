"""Equilibrium assignment: known answers on tiny networks, then the Issy topology for scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from routing.street.compile import compile_graph
from routing.street.modes import Mode
from routing.traffic.assignment import (
    Algorithm,
    AssignmentNetwork,
    AssignmentResult,
    assign,
    bpr_time_s,
)
from routing.traffic.capacity import (
    DEFAULT_CAPACITY_TABLE,
    capacity_from_compact,
    capacity_from_graph,
)
from routing.traffic.demand import DemandError, UnreachableDemandError
from tests.routing.grids import grid_graph, node_id

ALGORITHMS = [pytest.param(a, id=a) for a in ("fw", "cfw", "bfw")]


def network_of(
    edges: list[tuple[int, int, float, float]], node_count: int
) -> tuple[AssignmentNetwork, list[tuple[int, int, float, float]]]:
    """A network from (tail, head, free-flow s, capacity veh/h) rows, and the rows sorted."""
    edges = sorted(edges, key=lambda e: (e[0], e[1]))
    tails = np.array([e[0] for e in edges])
    indptr = np.zeros(node_count + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=node_count), out=indptr[1:])
    network = AssignmentNetwork.from_arrays(
        indptr,
        np.array([e[1] for e in edges]),
        np.array([e[2] for e in edges], float),
        np.array([e[3] for e in edges], float),
    )
    return network, edges


def single_pair(origin: int, destination: int, trips_veh_h: float) -> tuple[np.ndarray, np.ndarray]:
    return np.array([origin, destination]), np.array([[0.0, trips_veh_h], [0.0, 0.0]])


def node_balance(network: AssignmentNetwork, volume: np.ndarray) -> np.ndarray:
    """Inflow minus outflow per node."""
    n = network.node_count
    return np.bincount(network.heads, volume, n) - np.bincount(network.tails, volume, n)


# --- known answers ----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_two_parallel_linear_links_split_as_the_closed_form_says(algorithm: Algorithm) -> None:
    # t_i = a_i + b_i v_i with BPR beta=1 (alpha = b_i c_i / a_i): equal times at equilibrium
    # give v_1 = (a_2 - a_1 + b_2 D) / (b_1 + b_2).
    a1, b1, a2, b2, demand = 600.0, 0.3, 900.0, 0.1, 3000.0
    network, _ = network_of([(0, 1, a1, 1000.0), (0, 1, a2, 1000.0)], 2)
    zones, trips = single_pair(0, 1, demand)
    result = assign(
        network, zones, trips, alpha=np.array([b1, b2]) * 1000.0 / [a1, a2], beta=1.0,
        algorithm=algorithm, relative_gap=1e-8, max_iterations=2000,
    )  # fmt: skip
    v1 = (a2 - a1 + b2 * demand) / (b1 + b2)
    assert result.converged
    np.testing.assert_allclose(result.volume_veh_h, [v1, demand - v1], rtol=1e-5)
    np.testing.assert_allclose(result.congested_time_s, a1 + b1 * v1, rtol=1e-5)


def test_two_bpr_routes_reach_equal_times() -> None:
    # Route 1: one link; route 2: two links through node 2. The root of t_1(v) = t_2(D - v).
    demand = 2500.0
    network, _ = network_of(
        [(0, 1, 300.0, 1200.0), (0, 2, 200.0, 1800.0), (2, 1, 200.0, 1800.0)], 3
    )
    zones, trips = single_pair(0, 1, demand)
    result = assign(network, zones, trips, relative_gap=1e-8, max_iterations=1000)

    def difference(v1: float) -> float:
        t1 = bpr_time_s(np.array([300.0]), np.array([v1]), np.array([1200.0]))[0]
        t2 = 2 * bpr_time_s(np.array([200.0]), np.array([demand - v1]), np.array([1800.0]))[0]
        return float(t1 - t2)

    v1 = brentq(difference, 0.0, demand, xtol=1e-9)
    assert result.converged and result.relative_gap <= 1e-8
    np.testing.assert_allclose(result.volume_veh_h, [v1, demand - v1, demand - v1], rtol=1e-4)
    t = result.congested_time_s
    assert t[0] == pytest.approx(t[1] + t[2], rel=1e-4)


def braess(bridge: bool) -> tuple[AssignmentNetwork, dict[tuple[int, int], int]]:
    """Braess's network s=0, a=1, b=2, t=3 for 4000 veh/h, with BPR instead of linear costs.

    s->a and b->t take 10 min free-flow and exactly 40 min at 4000 veh/h; s->b and a->t a fixed
    45 min (capacity too large to matter); the bridge a->b takes no time.
    """
    capacity = 4000.0 / 20.0**0.25  # 1 + 0.15 (4000 / c)^4 = 4
    rows = [(0, 1, 600.0, capacity), (1, 3, 2700.0, 1e12), (0, 2, 2700.0, 1e12)]
    rows.append((2, 3, 600.0, capacity))
    if bridge:
        rows.append((1, 2, 0.0, 1e12))
    network, rows = network_of(rows, 4)
    return network, {(u, v): i for i, (u, v, _, _) in enumerate(rows)}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_braess_bridge_draws_everyone_and_makes_everyone_slower(algorithm: Algorithm) -> None:
    zones, trips = single_pair(0, 3, 4000.0)
    network, edge = braess(bridge=True)
    result = assign(network, zones, trips, algorithm=algorithm)
    minutes = result.congested_time_s / 60
    assert result.converged
    for link in ((0, 1), (1, 2), (2, 3)):
        assert result.volume_veh_h[edge[link]] == pytest.approx(4000.0)
    assert result.volume_veh_h[edge[0, 2]] == pytest.approx(0.0, abs=1e-6)
    assert result.volume_veh_h[edge[1, 3]] == pytest.approx(0.0, abs=1e-6)
    route_min = minutes[edge[0, 1]] + minutes[edge[1, 2]] + minutes[edge[2, 3]]
    assert route_min == pytest.approx(80.0)
    # Leaving the bridge alone does not pay: 40 + 45 = 85 min.
    assert minutes[edge[0, 1]] + minutes[edge[1, 3]] == pytest.approx(85.0)

    network, edge = braess(bridge=False)
    without = assign(network, zones, trips, algorithm=algorithm)
    np.testing.assert_allclose(without.volume_veh_h, 2000.0, rtol=1e-6)
    without_min = (without.congested_time_s[edge[0, 1]] + without.congested_time_s[edge[1, 3]]) / 60
    assert without_min == pytest.approx(45.0 + 10.0 * (1 + 0.15 * (2000 / (4000 / 20**0.25)) ** 4))
    assert without_min < route_min


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_braess_with_linear_costs_has_the_interior_equilibrium(algorithm: Algorithm) -> None:
    # Costs 1 + 10v (s->a, b->t), 50 + v (s->b, a->t), 10 + v (bridge), demand 6: by symmetry
    # and equal route costs, 27/13 on each outer route and 24/13 over the bridge.
    rows = [(0, 1, 1.0, 10.0), (2, 3, 1.0, 10.0), (0, 2, 50.0, 1.0), (1, 3, 50.0, 1.0)]
    network, rows = network_of([*rows, (1, 2, 10.0, 1.0)], 4)
    slope = np.array([r[3] for r in rows])
    network = AssignmentNetwork.from_arrays(
        network.indptr, network.heads, network.free_flow_time_s, np.ones(5)
    )
    zones, trips = single_pair(0, 3, 6.0)
    result = assign(
        network, zones, trips, alpha=slope / network.free_flow_time_s, beta=1.0,
        algorithm=algorithm, relative_gap=1e-10, max_iterations=5000,
    )  # fmt: skip
    outer, bridge = 27 / 13, 24 / 13
    expected = {(0, 1): outer + bridge, (0, 2): outer, (1, 2): bridge, (1, 3): outer}
    expected[2, 3] = outer + bridge
    for i, (u, v, _, _) in enumerate(rows):
        assert result.volume_veh_h[i] == pytest.approx(expected[u, v], rel=1e-6)


# --- convergence ------------------------------------------------------------------------------


def grid_network(size: int = 7, seed: int = 5) -> AssignmentNetwork:
    """A size x size two-way grid with uneven free-flow times and capacities."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(size):
        for c in range(size):
            u = r * size + c
            for v in ([u + 1] if c + 1 < size else []) + ([u + size] if r + 1 < size else []):
                t0, cap = rng.uniform(30, 90), rng.choice([600.0, 900.0, 1800.0])
                rows += [(u, v, t0, cap), (v, u, t0, cap)]
    return network_of(rows, size * size)[0]


def grid_demand(size: int = 7, seed: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    corners = [0, size - 1, size * (size - 1), size * size - 1, size * size // 2, size + 2]
    trips = rng.uniform(200, 900, (len(corners), len(corners)))
    return np.array(corners), trips


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_gap_falls_below_target_and_is_reported_each_iteration(algorithm: Algorithm) -> None:
    network = grid_network()
    zones, trips = grid_demand()
    seen: list[tuple[int, float]] = []
    result = assign(
        network,
        zones,
        trips,
        algorithm=algorithm,
        max_iterations=5000,
        progress=lambda i, g: seen.append((i, g)),
    )
    assert result.converged and result.relative_gap <= 1e-4
    assert [g for _, g in seen] == list(result.gap_history)
    assert [i for i, _ in seen] == list(range(1, result.iterations + 1))
    assert result.gap_history[-1] < result.gap_history[0]
    # Not monotone step by step, but every later stretch ends below where it started.
    half = len(result.gap_history) // 2
    assert min(result.gap_history[half:]) <= min(result.gap_history[: max(half, 1)])
    balance = node_balance(network, result.volume_veh_h)
    expected = np.zeros(network.node_count)
    # Intrazonal trips (the diagonal) load no street and cancel out of this difference.
    np.add.at(expected, zones, trips.sum(0) - trips.sum(1))
    np.testing.assert_allclose(balance, expected, atol=1e-6)


def test_conjugate_variants_agree_with_frank_wolfe_in_fewer_iterations() -> None:
    network = grid_network()
    zones, trips = grid_demand()
    trips *= 0.4  # lighter traffic, so that plain FW gets to a tight gap in a few seconds
    results = {
        a: assign(network, zones, trips, algorithm=a, relative_gap=1e-5, max_iterations=20000)
        for a in ("fw", "cfw", "bfw")
    }
    assert all(r.converged for r in results.values())
    scale = results["fw"].volume_veh_h.max()
    for algorithm in ("cfw", "bfw"):
        difference = np.abs(results[algorithm].volume_veh_h - results["fw"].volume_veh_h)
        assert difference.max() / scale < 1e-2
    assert results["bfw"].iterations < results["fw"].iterations


def test_two_iterations_are_not_enough_and_say_so() -> None:
    network = grid_network()
    zones, trips = grid_demand()
    result = assign(network, zones, trips, max_iterations=2)
    assert not result.converged
    assert result.iterations == 2 and len(result.gap_history) == 2
    assert result.relative_gap == result.gap_history[-1] > 1e-4


def test_result_figures_follow_from_volumes() -> None:
    network = grid_network()
    zones, trips = grid_demand()
    result = assign(network, zones, trips, period_h=2.0)
    assert isinstance(result, AssignmentResult)
    np.testing.assert_allclose(
        result.volume_capacity_ratio, result.volume_veh_h / network.capacity_veh_h
    )
    extra_s = result.congested_time_s - network.free_flow_time_s
    np.testing.assert_allclose(result.delay_veh_h, result.volume_veh_h * extra_s / 3600 * 2.0)
    assert result.total_demand_veh_h == pytest.approx(trips.sum() - np.trace(trips))
    with pytest.raises(AttributeError):
        result.converged = False  # type: ignore[misc]


def test_no_trips_is_an_equilibrium_at_once() -> None:
    network = grid_network()
    zones, _ = grid_demand()
    result = assign(network, zones, np.zeros((zones.size, zones.size)))
    assert result.converged and result.iterations == 0
    assert not result.volume_veh_h.any()


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zones", "trips", "message"),
    [
        pytest.param([0, 3], [[0, -5.0], [0, 0]], "is -5.0 veh/h", id="negative"),
        pytest.param([0, 3], [[0, np.nan], [0, 0]], "finite", id="nan"),
        pytest.param([0, 99], [[0, 5.0], [0, 0]], "node 99, which is not on the network", id="off"),
        pytest.param([0, 3], [[0, 5.0, 1.0]], "expected (2, 2)", id="shape"),
    ],
)
def test_bad_demand_is_refused_with_the_value(
    zones: list[int], trips: list[list[float]], message: str
) -> None:
    network, _ = braess(bridge=True)
    with pytest.raises(DemandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        assign(network, np.array(zones), np.array(trips, float))


def test_unreachable_pairs_are_listed() -> None:
    network, _ = braess(bridge=True)
    zones = np.array([0, 3, 1])
    trips = np.array([[0, 100.0, 0], [50.0, 0, 10.0], [0, 0, 0]])
    with pytest.raises(UnreachableDemandError) as caught:
        assign(network, zones, trips)
    assert sorted(caught.value.pairs) == [(1, 0), (1, 2)]
    assert "60.0 veh/h" in str(caught.value)


def test_bad_parameters_are_refused() -> None:
    network, _ = braess(bridge=True)
    zones, trips = single_pair(0, 3, 10.0)
    with pytest.raises(DemandError, match="algorithm 'msa'"):
        assign(network, zones, trips, algorithm="msa")  # type: ignore[arg-type]
    with pytest.raises(DemandError, match=r"beta=0\.5"):
        assign(network, zones, trips, beta=0.5)
    with pytest.raises(ValueError, match="capacity"):
        AssignmentNetwork.from_arrays(
            network.indptr, network.heads, network.free_flow_time_s, 0 * network.capacity_veh_h
        )


# --- capacities and compact graphs ------------------------------------------------------------


def test_capacity_table_by_class_lanes_and_speed() -> None:
    table = DEFAULT_CAPACITY_TABLE
    assert table.edge_capacity_veh_h("primary", 50.0) == 3200.0
    assert table.edge_capacity_veh_h("residential", 30.0) == 600.0
    assert table.edge_capacity_veh_h("residential", 30.0, lanes=2) == 1200.0
    assert table.edge_capacity_veh_h(None, 50.0) == 900.0
    assert table.edge_capacity_veh_h("unknown_class", 110.0) == 4000.0
    assert table.edge_capacity_veh_h(None, 20.0) == 300.0
    custom = table.with_overrides({"residential": 450.0}, {"secondary": 2})
    assert custom.edge_capacity_veh_h("residential", 30.0) == 450.0
    assert custom.edge_capacity_veh_h("secondary", 50.0) == 2400.0
    assert table.edge_capacity_veh_h("residential", 30.0) == 600.0  # the default is untouched
    with pytest.raises(ValueError, match="positive"):
        table.with_overrides({"primary": -1.0})


def test_capacities_follow_the_compact_graphs_edge_order() -> None:
    graph = grid_graph(speed_kmh=30.0)
    for i, (_, _, data) in enumerate(graph.edges(data=True)):
        data["highway"] = "secondary" if i % 3 == 0 else "residential"
        data["lanes"] = "2" if i % 5 == 0 else None
    compact = compile_graph(graph, Mode.DRIVE, contract=False)
    capacity = capacity_from_graph(graph, compact)
    expected = {}
    for u, v, data in graph.edges(data=True):
        lanes = 2 if data["lanes"] else 1
        expected[u, v] = (1200.0 if data["highway"] == "secondary" else 600.0) * lanes
    for e in range(compact.edge_count):
        u, v = compact.node_osm_id[compact.tails[e]], compact.node_osm_id[compact.heads[e]]
        assert capacity[e] == expected[int(u), int(v)]
    # The compact graph keeps classes and lanes, so it gives the same capacities on its own.
    np.testing.assert_array_equal(capacity_from_compact(compact), capacity)

    network = AssignmentNetwork.from_compact(compact, capacity)
    zones = np.array([compact.node_index(node_id(0, 0)), compact.node_index(node_id(2, 2))])
    result = assign(network, zones, np.array([[0, 800.0], [400.0, 0]]))
    assert result.converged


@pytest.mark.slow
def test_issy_topology_with_gravity_demand_converges_and_conserves_flow(
    shared_data: Path,
) -> None:
    from routing.street.readers.osm import street_graphs_from_file
    from routing.traffic.demand import Zone, gravity_model, zone_nodes, zone_travel_times_s

    graph = street_graphs_from_file(
        shared_data / "streets/grand_paris_carbike_topology_2023", (Mode.DRIVE,)
    )[Mode.DRIVE]
    inside = [
        n for n, d in graph.nodes(data=True) if 48.80 <= d["y"] <= 48.85 and 2.22 <= d["x"] <= 2.31
    ]
    compact = compile_graph(graph.subgraph(inside).copy(), Mode.DRIVE, contract=False)
    lats, lons = np.linspace(48.805, 48.845, 5), np.linspace(2.23, 2.30, 4)
    zones = [Zone(f"z{i}{j}", lat, lon) for i, lat in enumerate(lats) for j, lon in enumerate(lons)]
    nodes = zone_nodes(zones, compact)
    times_s = zone_travel_times_s(compact.indptr, compact.heads, compact.duration_s, nodes)
    ends = np.full(len(zones), 600.0)
    trips = gravity_model(ends, ends, times_s).trips
    network = AssignmentNetwork.from_compact(compact, capacity_from_compact(compact))
    result = assign(network, nodes, trips, max_iterations=500)
    assert result.converged and result.relative_gap <= 1e-4
    expected = np.zeros(network.node_count)
    np.add.at(expected, nodes, trips.sum(0) - trips.sum(1))
    np.testing.assert_allclose(node_balance(network, result.volume_veh_h), expected, atol=1e-5)
    assert result.volume_capacity_ratio.max() > 0.5  # the demand does congest some streets
