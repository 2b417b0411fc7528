"""Customizable contraction hierarchies: known answers, scipy's Dijkstra as the oracle, real
streets under time and distance, and re-customizing with closed streets."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.errors import CorruptArtefactError
from routing.street.hierarchy._vertex_cut import _min_vertex_cut
from routing.street.hierarchy.cch import CustomizableHierarchy, CustomizedMetric
from routing.street.hierarchy.cch_order import nested_dissection_order
from routing.street.hierarchy.ch import RouteResult

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Edge = tuple[int, int, float]


class Graph:
    """An edge list as CSR arrays, edge ids kept in CSR order."""

    def __init__(self, n: int, edges: list[Edge]) -> None:
        order = sorted(range(len(edges)), key=lambda i: edges[i][0])
        self.n = n
        self.tails = np.array([edges[i][0] for i in order], dtype=np.int64)
        self.heads = np.array([edges[i][1] for i in order], dtype=np.int64)
        self.weights = np.array([edges[i][2] for i in order], dtype=np.float64)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.tails, minlength=n), out=self.indptr[1:])

    def edge(self, tail: int, head: int, weight: float) -> int:
        """The CSR id of edge ``tail -> head`` of that weight."""
        ids = np.flatnonzero((self.tails == tail) & (self.heads == head) & (self.weights == weight))
        return int(ids[0])


def assert_valid_path(graph: Graph, result: RouteResult, source: int, target: int) -> None:
    """``edge_ids`` walk from ``source`` to ``target``."""
    node = source
    for edge in result.edge_ids:
        assert graph.tails[edge] == node, f"edge {edge} does not leave node {node}"
        node = int(graph.heads[edge])
    assert node == target


def coords(n: int, seed: int = 0) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    return 48.8 + rng.random(n) * 0.05, 2.2 + rng.random(n) * 0.1


def build(graph: Graph, seed: int = 0) -> CustomizableHierarchy:
    lat, lon = coords(graph.n, seed)
    return CustomizableHierarchy.build(graph.indptr, graph.heads, lat, lon)


def route(metric: CustomizedMetric, source: int, target: int) -> RouteResult | None:
    return metric.query(np.array([source]), np.zeros(1), np.array([target]), np.zeros(1))


def scipy_distances(n: int, tails: IntArray, heads: IntArray, weights: FloatArray) -> FloatArray:
    """All-pairs Dijkstra on the cheapest of parallel edges (csr_matrix would add them up);
    infinite weights are closed edges and left out."""
    open_ = np.isfinite(weights) & (tails != heads)
    t, h, w = tails[open_], heads[open_], weights[open_]
    order = np.lexsort((w, h, t))
    first = np.r_[True, (np.diff(t[order]) != 0) | (np.diff(h[order]) != 0)]
    cheapest = order[first]
    # scipy drops explicit zeros from a sparse matrix: lift zero weights by a hair.
    matrix = csr_matrix((np.maximum(w[cheapest], 1e-300), (t[cheapest], h[cheapest])), shape=(n, n))
    result: FloatArray = dijkstra(matrix)
    return result


# --- tiny graphs with known answers ------------------------------------------------------------


def test_line_and_its_path() -> None:
    graph = Graph(4, [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 3.0), (3, 2, 3.0), (2, 1, 2.0), (1, 0, 1.0)])
    metric = build(graph).customize(graph.weights)
    result = route(metric, 0, 3)
    assert result is not None
    assert result.cost == 6.0
    assert result.edge_ids.tolist() == [
        graph.edge(0, 1, 1.0),
        graph.edge(1, 2, 2.0),
        graph.edge(2, 3, 3.0),
    ]
    assert metric.distance(3, 0) == 6.0


def test_diamond_one_ways_and_a_closure() -> None:
    # 0 -> 1 -> 3 costs 2, 0 -> 2 -> 3 costs 5; nothing leads back to 0.
    graph = Graph(4, [(0, 1, 1.0), (1, 3, 1.0), (0, 2, 2.0), (2, 3, 3.0)])
    hierarchy = build(graph)
    metric = hierarchy.customize(graph.weights)
    assert metric.distance(0, 3) == 2.0
    assert metric.distance(3, 0) == math.inf
    assert route(metric, 3, 0) is None
    closed = graph.weights.copy()
    closed[graph.edge(1, 3, 1.0)] = np.inf
    detour = hierarchy.customize(closed)
    result = route(detour, 0, 3)
    assert result is not None
    assert result.cost == 5.0
    assert result.edge_ids.tolist() == [graph.edge(0, 2, 2.0), graph.edge(2, 3, 3.0)]
    # The first metric is untouched by the second customization.
    assert metric.distance(0, 3) == 2.0


def test_parallel_edges_self_loops_and_zero_weights() -> None:
    graph = Graph(3, [(0, 1, 5.0), (0, 1, 2.0), (1, 1, 0.0), (1, 2, 0.0), (2, 0, 0.0)])
    metric = build(graph).customize(graph.weights)
    result = route(metric, 0, 2)
    assert result is not None
    assert result.cost == 2.0
    assert result.edge_ids.tolist() == [graph.edge(0, 1, 2.0), graph.edge(1, 2, 0.0)]
    same = route(metric, 1, 1)
    assert same is not None and same.cost == 0.0 and same.edge_ids.size == 0


def test_multi_source_multi_target_with_offsets() -> None:
    graph = Graph(5, [(0, 2, 10.0), (1, 2, 1.0), (2, 3, 1.0), (2, 4, 1.0)])
    metric = build(graph).customize(graph.weights)
    result = metric.query(np.array([0, 1]), np.array([0.0, 20.0]), np.array([3, 4]), [5.0, 0.5])
    assert result is not None
    assert (result.cost, result.source_index, result.target_index) == (11.5, 0, 1)
    assert_valid_path(graph, result, 0, 4)


def test_bad_input_is_refused_with_what_is_accepted() -> None:
    graph = Graph(2, [(0, 1, 1.0)])
    hierarchy = build(graph)
    with pytest.raises(ValueError, match="1 edges"):
        hierarchy.customize([1.0, 2.0])
    with pytest.raises(ValueError, match=">= 0"):
        hierarchy.customize([-1.0])
    metric = hierarchy.customize([1.0])
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        metric.distance(0, 2)
    with pytest.raises(ValueError, match="1 nodes but 2 costs"):
        metric.query([0], [0.0, 1.0], [1], [0.0])
    with pytest.raises(ValueError, match="targets costs must be finite"):
        metric.query([0], [0.0], [1], [np.nan])
    with pytest.raises(ValueError, match="sources is empty"):
        metric.query([], [], [1], [0.0])
    assert metric.distance(0, 1) == 1.0  # a refused query leaves the scratch clean
    with pytest.raises(ValueError, match="permutation"):
        CustomizableHierarchy.build(graph.indptr, graph.heads, [0, 0], [0, 0], rank=[0, 0])


def test_round_trip_and_corrupt_arrays() -> None:
    graph = Graph(4, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 1.0)])
    hierarchy = build(graph)
    again = CustomizableHierarchy.from_arrays(hierarchy.to_arrays())
    assert again.customize(graph.weights).distance(1, 0) == 3.0
    arrays = hierarchy.to_arrays()
    del arrays["parent"]
    with pytest.raises(CorruptArtefactError, match="parent"):
        CustomizableHierarchy.from_arrays(arrays)
    arrays = hierarchy.to_arrays()
    arrays["arc_tail"] = arrays["arc_tail"][:-1]
    with pytest.raises(CorruptArtefactError, match="arc_tail"):
        CustomizableHierarchy.from_arrays(arrays)


def test_order_is_a_permutation_with_separators_on_top() -> None:
    # A 3 x 9 grid: the best straight cut is a column in the middle, which ranks highest.
    nodes = [(r, c) for r in range(3) for c in range(9)]
    index = {p: i for i, p in enumerate(nodes)}
    tails, heads = [], []
    for (r, c), i in index.items():
        for dr, dc in ((0, 1), (1, 0)):
            j = index.get((r + dr, c + dc))
            if j is not None:
                tails.append(i)
                heads.append(j)
    lat = np.array([r * 0.001 for r, _ in nodes])
    lon = np.array([c * 0.001 for _, c in nodes])
    n = len(nodes)
    rank = nested_dissection_order(n, tails, heads, lat, lon)
    assert sorted(rank.tolist()) == list(range(n))
    top = {nodes[i] for i in np.argsort(rank)[-3:]}
    assert len({c for _, c in top}) == 1 and 2 <= next(iter(top))[1] <= 6


@pytest.mark.parametrize("seed", range(6))
def test_every_pair_of_random_graphs_matches_dijkstra(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    m = 120
    tails = rng.integers(0, n, m)
    heads = rng.integers(0, n, m)
    weights = rng.integers(0, 20, m).astype(np.float64)
    graph = Graph(n, list(zip(tails.tolist(), heads.tolist(), weights.tolist(), strict=True)))
    hierarchy = build(graph, seed)
    for w in (graph.weights, np.where(rng.random(m) < 0.2, np.inf, graph.weights)):
        expected = scipy_distances(n, graph.tails, graph.heads, w)
        metric = hierarchy.customize(w)
        for s in range(n):
            for t in range(n):
                result = route(metric, s, t)
                if math.isinf(expected[s, t]):
                    assert result is None
                    continue
                assert result is not None
                assert result.cost == pytest.approx(expected[s, t], abs=1e-9)
                assert_valid_path(graph, result, s, t)
                assert w[result.edge_ids].sum() == pytest.approx(result.cost, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_sets_of_ends_with_costs_match_dijkstra_and_leave_the_scratch_clean(seed: int) -> None:
    # Ends that share ancestors, repeat a node, or lie on each other's chain: the merged walk
    # of several chains, then a one-to-one query on the same scratch, must both stay exact.
    rng = np.random.default_rng(100 + seed)
    n, m = 40, 120
    tails, heads = rng.integers(0, n, m), rng.integers(0, n, m)
    weights = rng.integers(1, 20, m).astype(np.float64)
    graph = Graph(n, list(zip(tails.tolist(), heads.tolist(), weights.tolist(), strict=True)))
    metric = build(graph, seed).customize(graph.weights)
    expected = scipy_distances(n, graph.tails, graph.heads, graph.weights)
    for _ in range(200):
        sources = rng.integers(0, n, int(rng.integers(1, 5)))
        targets = rng.integers(0, n, int(rng.integers(1, 5)))
        start: FloatArray = rng.random((sources.shape[0],)) * 5.0
        end: FloatArray = rng.random((targets.shape[0],)) * 5.0
        totals = start[:, None] + expected[np.ix_(sources, targets)] + end[None, :]
        result = metric.query(sources, start, targets, end)
        if np.isinf(totals).all():
            assert result is None
            continue
        assert result is not None
        assert result.cost == pytest.approx(totals.min(), abs=1e-9)
        i, j = result.source_index, result.target_index
        assert result.cost == pytest.approx(totals[i, j], abs=1e-9)  # the ends it names
        assert_valid_path(graph, result, int(sources[i]), int(targets[j]))
        s, t = (int(x) for x in rng.integers(0, n, 2))
        assert metric.distance(s, t) == expected[s, t]  # nothing left over from the sets


# --- real streets ----------------------------------------------------------------------------


def issy_topology(streets: Path) -> tuple[Graph, FloatArray, FloatArray]:
    """Both directions of the Grand Paris segments around Issy, with their coordinates."""
    stem = streets / "grand_paris_carbike_topology_2023"
    ids = np.loadtxt(f"{stem}.nodes.csv.gz", delimiter=",", skiprows=1, usecols=0, dtype=np.int64)
    lat, lon = np.loadtxt(
        f"{stem}.nodes.csv.gz", delimiter=",", skiprows=1, usecols=(1, 2), unpack=True
    )
    edges = np.loadtxt(
        f"{stem}.edges.csv.gz", delimiter=",", skiprows=1, usecols=(1, 2), dtype=np.int64
    )
    inside = (lat >= 48.80) & (lat <= 48.85) & (lon >= 2.22) & (lon <= 2.31)
    order = np.argsort(ids)
    u = order[np.searchsorted(ids, edges[:, 0], sorter=order)]
    v = order[np.searchsorted(ids, edges[:, 1], sorter=order)]
    keep = inside[u] & inside[v]
    local = np.cumsum(inside) - 1
    u, v = local[u[keep]], local[v[keep]]
    la, lo = lat[inside], lon[inside]
    p1, p2 = np.radians(la[u]), np.radians(la[v])
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lo[v] - lo[u]) / 2) ** 2
    )
    length_m = 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))
    edge_list = list(
        zip(
            np.r_[u, v].tolist(),
            np.r_[v, u].tolist(),
            np.r_[length_m, length_m].tolist(),
            strict=True,
        )
    )
    return Graph(int(inside.sum()), edge_list), la, lo


@pytest.mark.slow
def test_issy_streets_match_dijkstra_for_distance_time_and_closures(shared_data: Path) -> None:
    graph, lat, lon = issy_topology(shared_data / "streets")
    n = graph.n
    assert n > 3_000
    hierarchy = CustomizableHierarchy.build(graph.indptr, graph.heads, lat, lon)
    rng = np.random.default_rng(2023)
    # Time: a speed per segment as a street class would give, then a fifth of them closed.
    speed_ms = rng.choice([30 / 3.6, 50 / 3.6, 70 / 3.6], graph.weights.shape[0])
    time_s = graph.weights / speed_ms
    closed = np.where(rng.random(time_s.shape[0]) < 0.2, np.inf, time_s)
    sources = rng.integers(0, n, 150)
    targets = rng.integers(0, n, 150)
    unique_sources, row = np.unique(sources, return_inverse=True)
    for weights in (graph.weights, time_s, closed):
        metric = hierarchy.customize(weights)
        expected = scipy_distances_from(n, graph, weights, unique_sources)
        for i, (s, t) in enumerate(zip(sources.tolist(), targets.tolist(), strict=True)):
            result = route(metric, s, t)
            if math.isinf(expected[row[i], t]):
                assert result is None
                continue
            assert result is not None
            assert result.cost == pytest.approx(expected[row[i], t], rel=1e-9)
            assert_valid_path(graph, result, s, t)
            assert weights[result.edge_ids].sum() == pytest.approx(result.cost, rel=1e-9)


def scipy_distances_from(
    n: int, graph: Graph, weights: FloatArray, sources: IntArray
) -> FloatArray:
    open_ = np.isfinite(weights)
    t, h, w = graph.tails[open_], graph.heads[open_], weights[open_]
    order = np.lexsort((w, h, t))
    first = np.r_[True, (np.diff(t[order]) != 0) | (np.diff(h[order]) != 0)]
    cheapest = order[first]
    matrix = csr_matrix((w[cheapest], (t[cheapest], h[cheapest])), shape=(n, n))
    result: FloatArray = dijkstra(matrix, indices=sources)
    return result


def test_vertex_cut_finds_the_bridge_node_and_the_narrow_column() -> None:
    # Two squares with diagonals (0-3 and 5-8) joined only through node 4.
    pairs = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (1, 3), (3, 4), (4, 5)]
    pairs += [(5, 6), (6, 7), (7, 8), (8, 5), (5, 7), (6, 8)]
    u = np.array([a for a, _ in pairs], dtype=np.int64)
    v = np.array([b for _, b in pairs], dtype=np.int64)
    tails, heads = np.r_[u, v], np.r_[v, u]
    order = np.lexsort((heads, tails))
    position = np.empty(order.shape[0], dtype=np.int64)
    position[order] = np.arange(order.shape[0])
    twin = np.empty(order.shape[0], dtype=np.int64)
    twin[position] = position[(np.arange(order.shape[0]) + u.shape[0]) % order.shape[0]]
    indptr = np.zeros(10, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=9), out=indptr[1:])
    is_source = np.isin(np.arange(9), [0, 1])
    is_sink = np.isin(np.arange(9), [7, 8])
    flow, separator, source_side = _min_vertex_cut(
        indptr, heads[order], twin, is_source, is_sink, 9
    )
    # Nodes 3, 4 and 5 each cut the graph alone; the search stops at the first from the source.
    assert flow == 1
    assert separator.sum() == 1 and int(np.flatnonzero(separator)[0]) in (3, 4, 5)
    assert source_side[[0, 1]].all() and not source_side[[7, 8]].any()
    # Giving up: a limit below the true cut says so with a flow above the limit.
    assert _min_vertex_cut(indptr, heads[order], twin, is_source, is_sink, 0)[0] == 1


def test_nested_dissection_on_a_grid_keeps_the_chordal_graph_small() -> None:
    side = 30
    index = np.arange(side * side).reshape(side, side)
    tails = np.r_[index[:, :-1].ravel(), index[:-1, :].ravel()]
    heads = np.r_[index[:, 1:].ravel(), index[1:, :].ravel()]
    lat = np.repeat(np.arange(side), side) * 1e-3
    lon = np.tile(np.arange(side), side) * 1e-3
    graph = Graph(
        side * side,
        [
            (int(a), int(b), 1.0)
            for a, b in zip(np.r_[tails, heads], np.r_[heads, tails], strict=True)
        ],
    )
    hierarchy = CustomizableHierarchy.build(graph.indptr, graph.heads, lat, lon)
    # A grid's nested dissection fill is O(n log n); a bad order (row by row) gives O(n^1.5).
    row_by_row = CustomizableHierarchy.build(
        graph.indptr, graph.heads, lat, lon, rank=np.arange(side * side)
    )
    assert hierarchy.num_arcs < 0.6 * row_by_row.num_arcs
    metric = hierarchy.customize(graph.weights)
    assert metric.distance(0, side * side - 1) == 2 * (side - 1)


@pytest.mark.parametrize("seed", range(3))
def test_matrix_matches_dijkstra_on_every_pair_and_with_closures(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n, m = 50, 150
    tails = rng.integers(0, n, m)
    heads = rng.integers(0, n, m)
    weights = rng.random(m) * 10
    graph = Graph(n, list(zip(tails.tolist(), heads.tolist(), weights.tolist(), strict=True)))
    hierarchy = build(graph, seed)
    for w in (graph.weights, np.where(rng.random(m) < 0.25, np.inf, graph.weights)):
        expected = scipy_distances(n, graph.tails, graph.heads, w)
        metric = hierarchy.customize(w)
        everyone = np.arange(n)
        assert np.allclose(metric.matrix(everyone, everyone), expected, rtol=1e-12, atol=0)
        rows, cols = rng.integers(0, n, 7), rng.integers(0, n, 5)
        got = metric.matrix(rows, cols)
        assert np.array_equal(np.isinf(got), np.isinf(expected[np.ix_(rows, cols)]))


def test_matrix_of_sets_counts_start_and_end_costs() -> None:
    # 0 -> 1 -> 2 -> 3, one way, each edge 1.
    graph = Graph(4, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)])
    metric = build(graph).customize(graph.weights)
    got = metric.matrix_of_sets(
        [([0, 1], [5.0, 0.5]), ([3], [0.0])],
        [([2], [0.25]), ([3, 0], [0.0, 0.0])],
    )
    assert got.tolist() == [[1.75, 2.5], [math.inf, 0.0]]
    nowhere = metric.matrix_of_sets([([], [])], [([2], [0.0])])
    assert nowhere.tolist() == [[math.inf]]
    with pytest.raises(ValueError, match="destination 0 costs must be finite"):
        metric.matrix_of_sets([([0], [0.0])], [([2], [math.inf])])
    assert metric.matrix_of_sets([], [([2], [0.0])]).shape == (0, 1)


def _random_grid(side: int, seed: int) -> tuple[Graph, FloatArray, FloatArray]:
    """A hand-made two-way grid with random weights and a few one-way streets removed."""
    rng = np.random.default_rng(seed)
    index = np.arange(side * side).reshape(side, side)
    a = np.r_[index[:, :-1].ravel(), index[:-1, :].ravel()]
    b = np.r_[index[:, 1:].ravel(), index[1:, :].ravel()]
    tails, heads = np.r_[a, b], np.r_[b, a]
    keep = rng.random(tails.shape[0]) > 0.05
    weights = rng.random(tails.shape[0]) * 100
    edges = list(
        zip(tails[keep].tolist(), heads[keep].tolist(), weights[keep].tolist(), strict=True)
    )
    lat = np.repeat(np.arange(side), side) * 1e-3 + rng.random(side * side) * 1e-4
    lon = np.tile(np.arange(side), side) * 1e-3 + rng.random(side * side) * 1e-4
    return Graph(side * side, edges), lat, lon


def test_threaded_order_gives_the_ranks_of_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import routing.street.hierarchy.cch_order as cch_order

    graph, lat, lon = _random_grid(40, 7)
    monkeypatch.setattr(cch_order, "_PARALLEL_MIN_NODES", 10**9)
    alone = nested_dissection_order(graph.n, graph.tails, graph.heads, lat, lon)
    assert cch_order._workers(graph.n) == 1
    monkeypatch.setattr(cch_order, "_PARALLEL_MIN_NODES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert cch_order._workers(graph.n) == 2
    threaded = nested_dissection_order(graph.n, graph.tails, graph.heads, lat, lon)
    assert np.array_equal(np.sort(threaded), np.arange(graph.n))
    assert np.array_equal(threaded, alone)


def test_threaded_customization_matches_dijkstra_on_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import routing.street.hierarchy.cch as cch
    from routing.street.hierarchy._cch_schedule import customization_schedule

    graph, lat, lon = _random_grid(25, 3)
    monkeypatch.setattr(cch, "_PARALLEL_MIN_NODES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    hierarchy = CustomizableHierarchy.build(graph.indptr, graph.heads, lat, lon)
    groups, opened = customization_schedule(hierarchy.parent, 2)
    # Every node once; a thread's nodes never have an ancestor on the other thread.
    everyone = np.sort(np.concatenate([*groups, opened]))
    assert np.array_equal(everyone, np.arange(graph.n))
    assert all(group.shape[0] > 0 for group in groups) and opened.shape[0] > 0
    owner = np.full(graph.n, -1)
    for thread, group in enumerate(groups):
        owner[group] = thread
    for x in range(graph.n):
        p = int(hierarchy.parent[x])
        if p >= 0 and owner[p] >= 0:
            assert owner[p] == owner[x]
    assert len(hierarchy._schedule[2]) == 2
    closed = np.where(np.arange(graph.weights.shape[0]) % 9 == 0, np.inf, graph.weights)
    for weights in (graph.weights, closed):
        expected = scipy_distances(graph.n, graph.tails, graph.heads, weights)
        metric = hierarchy.customize(weights)
        everyone_nodes = np.arange(graph.n)
        got = metric.matrix(everyone_nodes, everyone_nodes)
        assert np.allclose(got, expected, rtol=1e-12, atol=0)
        assert np.array_equal(np.isinf(got), np.isinf(expected))
        for s, t in ((0, graph.n - 1), (graph.n - 1, 3), (17, 400)):
            found = route(metric, s, t)
            if found is None:
                assert math.isinf(expected[s, t])
            else:
                assert found.cost == pytest.approx(expected[s, t], rel=1e-12)
                assert_valid_path(graph, found, s, t)
