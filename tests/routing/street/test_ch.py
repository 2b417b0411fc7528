"""Contraction hierarchies: tiny graphs with known answers, networkx as the oracle, real streets."""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from routing.errors import CorruptArtefactError
from routing.street.hierarchy.ch import (
    ContractionHierarchy,
    RouteResult,
    query_parallelism,
    set_query_parallelism,
)

Edge = tuple[int, int, float]


class Graph:
    """An edge list turned into the CSR arrays the hierarchy takes, edge ids kept in order."""

    def __init__(self, n: int, edges: list[Edge]) -> None:
        order = sorted(range(len(edges)), key=lambda i: edges[i][0])
        self.n = n
        self.tails = np.array([edges[i][0] for i in order], dtype=np.int64)
        self.heads = np.array([edges[i][1] for i in order], dtype=np.int64)
        self.weights = np.array([edges[i][2] for i in order], dtype=np.float64)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.tails, minlength=n), out=self.indptr[1:])

    def hierarchy(self) -> ContractionHierarchy:
        return ContractionHierarchy.build(self.indptr, self.heads, self.weights)

    def edge(self, tail: int, head: int, weight: float) -> int:
        """The CSR id of edge ``tail -> head`` of that weight."""
        ids = np.flatnonzero((self.tails == tail) & (self.heads == head) & (self.weights == weight))
        return int(ids[0])

    def networkx(self) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(range(self.n))
        for t, h, w in zip(self.tails, self.heads, self.weights, strict=True):
            graph.add_edge(int(t), int(h), weight=float(w))
        return graph


def assert_valid_path(graph: Graph, result: RouteResult, source: int, target: int) -> None:
    """``edge_ids`` walk from ``source`` to ``target`` and weigh what the cost says."""
    node = source
    for edge in result.edge_ids:
        assert graph.tails[edge] == node, f"edge {edge} does not leave node {node}"
        node = int(graph.heads[edge])
    assert node == target
    assert result.edge_ids.dtype == np.int64


def route(ch: ContractionHierarchy, source: int, target: int) -> RouteResult | None:
    return ch.query(np.array([source]), np.zeros(1), np.array([target]), np.zeros(1))


# --- tiny graphs with known answers ------------------------------------------------------------


def test_line() -> None:
    graph = Graph(4, [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 3.0), (3, 2, 3.0), (2, 1, 2.0), (1, 0, 1.0)])
    ch = graph.hierarchy()
    result = route(ch, 0, 3)
    assert result is not None
    assert result.cost == 6.0
    assert result.edge_ids.tolist() == [
        graph.edge(0, 1, 1.0),
        graph.edge(1, 2, 2.0),
        graph.edge(2, 3, 3.0),
    ]
    assert ch.distance(3, 0) == 6.0
    assert ch.distance(1, 3) == 5.0


def test_diamond_takes_the_cheaper_side() -> None:
    # 0 -> 1 -> 3 costs 2, 0 -> 2 -> 3 costs 4, and the direct edge 0 -> 3 costs 5.
    graph = Graph(4, [(0, 1, 1.0), (1, 3, 1.0), (0, 2, 2.0), (2, 3, 2.0), (0, 3, 5.0)])
    result = route(graph.hierarchy(), 0, 3)
    assert result is not None
    assert result.cost == 2.0
    assert result.edge_ids.tolist() == [graph.edge(0, 1, 1.0), graph.edge(1, 3, 1.0)]


def test_one_way_edges_are_not_taken_backwards() -> None:
    graph = Graph(3, [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 10.0)])
    ch = graph.hierarchy()
    assert ch.distance(0, 2) == 2.0
    assert ch.distance(2, 1) == 11.0
    assert ch.distance(1, 0) == 11.0


def test_parallel_edges_use_the_cheapest() -> None:
    graph = Graph(3, [(0, 1, 5.0), (0, 1, 2.0), (0, 1, 7.0), (1, 2, 1.0), (1, 2, 0.5)])
    result = route(graph.hierarchy(), 0, 2)
    assert result is not None
    assert result.cost == 2.5
    assert result.edge_ids.tolist() == [graph.edge(0, 1, 2.0), graph.edge(1, 2, 0.5)]


def test_self_loops_are_ignored() -> None:
    graph = Graph(2, [(0, 0, 0.0), (0, 1, 3.0), (1, 1, 1.0)])
    result = route(graph.hierarchy(), 0, 1)
    assert result is not None
    assert result.cost == 3.0
    assert result.edge_ids.tolist() == [graph.edge(0, 1, 3.0)]


def test_zero_weights() -> None:
    graph = Graph(4, [(0, 1, 0.0), (1, 0, 0.0), (1, 2, 0.0), (2, 3, 1.0), (0, 3, 1.0)])
    ch = graph.hierarchy()
    assert ch.distance(0, 2) == 0.0
    result = route(ch, 1, 3)
    assert result is not None
    assert result.cost == 1.0
    assert_valid_path(graph, result, 1, 3)


def test_unreachable_is_none_and_inf() -> None:
    graph = Graph(4, [(0, 1, 1.0), (2, 3, 1.0)])
    ch = graph.hierarchy()
    assert route(ch, 0, 3) is None
    assert route(ch, 1, 0) is None
    assert ch.distance(0, 2) == math.inf


def test_same_source_and_target_is_an_empty_path() -> None:
    graph = Graph(2, [(0, 1, 1.0)])
    result = graph.hierarchy().query(
        np.array([1]), np.array([0.25]), np.array([1]), np.array([0.5])
    )
    assert result is not None
    assert result.cost == 0.75
    assert result.edge_ids.shape == (0,)


def test_multi_source_multi_target_with_offsets() -> None:
    # A snapped origin on edge 0-1 and a snapped destination on edge 3-4 of a two-way line.
    edges: list[Edge] = []
    for a in range(4):
        edges += [(a, a + 1, 10.0), (a + 1, a, 10.0)]
    graph = Graph(5, edges)
    ch = graph.hierarchy()
    result = ch.query(
        np.array([0, 1]), np.array([2.0, 8.0]), np.array([3, 4]), np.array([9.0, 1.0])
    )
    assert result is not None
    # 0 -> 3: 2 + 30 + 9 = 41, 0 -> 4: 2 + 40 + 1 = 43, 1 -> 3: 8 + 20 + 9 = 37, 1 -> 4: 39.
    assert result.cost == 37.0
    assert (result.source_index, result.target_index) == (1, 0)
    assert result.edge_ids.tolist() == [graph.edge(1, 2, 10.0), graph.edge(2, 3, 10.0)]


@pytest.mark.parametrize(
    ("indptr", "heads", "weights", "message"),
    [
        pytest.param([1, 2], [0], [1.0], "start with 0", id="indptr-start"),
        pytest.param([0, 2], [0], [1.0], "must agree", id="lengths"),
        pytest.param([0, 1], [3], [1.0], "heads must lie", id="head-range"),
        pytest.param([0, 1], [0], [-1.0], "finite and >= 0", id="negative-weight"),
        pytest.param([0, 1], [0], [np.nan], "finite and >= 0", id="nan-weight"),
    ],
)
def test_build_rejects_bad_graphs(
    indptr: list[int], heads: list[int], weights: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ContractionHierarchy.build(np.array(indptr), np.array(heads), np.array(weights))


def test_query_rejects_bad_endpoints() -> None:
    ch = Graph(2, [(0, 1, 1.0)]).hierarchy()
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        ch.distance(0, 2)
    with pytest.raises(ValueError, match="empty"):
        ch.query(np.array([], dtype=np.int64), np.array([]), np.array([1]), np.array([0.0]))
    with pytest.raises(ValueError, match="finite"):
        ch.query(np.array([0]), np.array([np.inf]), np.array([1]), np.array([0.0]))


def test_empty_graph_builds() -> None:
    ch = ContractionHierarchy.build(np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0))
    assert ch.num_nodes == 0


# --- storage ---------------------------------------------------------------------------------


def test_round_trip_through_npz_gives_identical_answers() -> None:
    rng = np.random.default_rng(7)
    edges = [
        (int(a), int(b), float(w))
        for a, b, w in zip(
            rng.integers(0, 30, 90), rng.integers(0, 30, 90), rng.integers(0, 5, 90), strict=True
        )
    ]
    graph = Graph(30, edges)
    ch = graph.hierarchy()
    buffer = io.BytesIO()
    np.savez(buffer, **ch.to_arrays())  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
    buffer.seek(0)
    with np.load(buffer) as stored:
        loaded = ContractionHierarchy.from_arrays(dict(stored))
    for s in range(30):
        for t in range(30):
            a, b = route(ch, s, t), route(loaded, s, t)
            assert (a is None) == (b is None)
            if a is not None and b is not None:
                assert (a.cost, a.edge_ids.tolist()) == (b.cost, b.edge_ids.tolist())


def test_from_arrays_names_what_is_missing() -> None:
    arrays = Graph(2, [(0, 1, 1.0)]).hierarchy().to_arrays()
    del arrays["up_heads"]
    with pytest.raises(CorruptArtefactError, match="up_heads"):
        ContractionHierarchy.from_arrays(arrays)


def test_from_arrays_rejects_inconsistent_arrays() -> None:
    arrays = Graph(3, [(0, 1, 1.0), (1, 2, 1.0)]).hierarchy().to_arrays()
    arrays["edge_first"] = arrays["edge_first"][:-1]
    with pytest.raises(CorruptArtefactError, match="edge_first"):
        ContractionHierarchy.from_arrays(arrays)


# --- networkx as the oracle ------------------------------------------------------------------


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    n = draw(st.integers(min_value=2, max_value=60))
    node = st.integers(min_value=0, max_value=n - 1)
    # Few distinct weights, zeros included, so ties and zero-weight cycles are common.
    weight = st.one_of(
        st.sampled_from([0.0, 1.0, 2.0, 3.0, 10.0]),
        st.floats(min_value=0.0, max_value=100.0, allow_nan=False),
    )
    edges = draw(st.lists(st.tuples(node, node, weight), max_size=4 * n))
    return Graph(n, edges)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=graphs(), data=st.data())
def test_distances_and_paths_match_networkx(graph: Graph, data: st.DataObject) -> None:
    ch = graph.hierarchy()
    expected = dict(nx.all_pairs_dijkstra_path_length(graph.networkx(), weight="weight"))
    pairs = [(s, t) for s in range(graph.n) for t in range(graph.n)]
    if len(pairs) > 400:
        pairs = data.draw(st.lists(st.sampled_from(pairs), min_size=400, max_size=400))
    for s, t in pairs:
        result = route(ch, s, t)
        if t not in expected[s]:
            assert result is None, (s, t)
            continue
        assert result is not None, (s, t)
        assert result.cost == pytest.approx(expected[s][t], rel=1e-9, abs=1e-12)
        assert_valid_path(graph, result, s, t)
        assert graph.weights[result.edge_ids].sum() == pytest.approx(
            result.cost, rel=1e-9, abs=1e-9
        )


@settings(max_examples=100, deadline=None)
@given(graph=graphs(), data=st.data())
def test_multi_source_query_minimises_over_all_pairs(graph: Graph, data: st.DataObject) -> None:
    node = st.integers(min_value=0, max_value=graph.n - 1)
    cost = st.floats(min_value=0.0, max_value=20.0, allow_nan=False)
    sources = data.draw(st.lists(st.tuples(node, cost), min_size=1, max_size=4))
    targets = data.draw(st.lists(st.tuples(node, cost), min_size=1, max_size=4))
    expected = dict(nx.all_pairs_dijkstra_path_length(graph.networkx(), weight="weight"))
    best = min(
        (sc + expected[s][t] + tc for s, sc in sources for t, tc in targets if t in expected[s]),
        default=math.inf,
    )
    result = graph.hierarchy().query(
        np.array([s for s, _ in sources]),
        np.array([c for _, c in sources]),
        np.array([t for t, _ in targets]),
        np.array([c for _, c in targets]),
    )
    if best == math.inf:
        assert result is None
        return
    assert result is not None
    assert result.cost == pytest.approx(best, rel=1e-9, abs=1e-9)
    source, source_cost = sources[result.source_index]
    target, target_cost = targets[result.target_index]
    assert_valid_path(graph, result, source, target)
    walked = graph.weights[result.edge_ids].sum()
    assert source_cost + walked + target_cost == pytest.approx(result.cost, rel=1e-9, abs=1e-9)


# --- real streets ----------------------------------------------------------------------------


def issy_streets(
    streets: Path,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Both directions of every Grand Paris street segment around Issy, largest component."""
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
    n = int(inside.sum())
    u, v = local[u[keep]], local[v[keep]]
    la, lo = lat[inside], lon[inside]
    p1, p2 = np.radians(la[u]), np.radians(la[v])
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lo[v] - lo[u]) / 2) ** 2
    )
    length_m = 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))
    tails, heads, weights = np.r_[u, v], np.r_[v, u], np.r_[length_m, length_m]
    _, labels = connected_components(csr_matrix((weights, (tails, heads)), shape=(n, n)))
    main = labels == np.bincount(labels).argmax()
    renumber = np.cumsum(main) - 1
    kept = main[tails]
    tails, heads, weights = renumber[tails[kept]], renumber[heads[kept]], weights[kept]
    order = np.argsort(tails, kind="stable")
    indptr = np.zeros(int(main.sum()) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=int(main.sum())), out=indptr[1:])
    return indptr, heads[order], weights[order]


@pytest.mark.slow
def test_issy_streets_match_scipy_dijkstra(shared_data: Path) -> None:
    indptr, heads, weights = issy_streets(shared_data / "streets")
    n = indptr.shape[0] - 1
    assert n > 3_000  # Issy, Vanves, Boulogne and the south-west of Paris, simplified
    ch = ContractionHierarchy.build(indptr, heads, weights)
    tails = np.repeat(np.arange(n), np.diff(indptr))
    rng = np.random.default_rng(2023)
    sources = rng.integers(0, n, 200)
    targets = rng.integers(0, n, 200)
    unique_sources, row = np.unique(sources, return_inverse=True)
    # csr_matrix would add up parallel edges: hand scipy only the cheapest of each.
    order = np.lexsort((weights, heads, tails))
    first = np.r_[True, (np.diff(tails[order]) != 0) | (np.diff(heads[order]) != 0)]
    cheapest = order[first]
    matrix = csr_matrix((weights[cheapest], (tails[cheapest], heads[cheapest])), shape=(n, n))
    expected = dijkstra(matrix, indices=unique_sources)
    for i, (s, t) in enumerate(zip(sources, targets, strict=True)):
        result = route(ch, int(s), int(t))
        assert result is not None
        assert result.cost == pytest.approx(expected[row[i], t], rel=1e-9)
        node = int(s)
        for edge in result.edge_ids:
            assert tails[edge] == node
            node = int(heads[edge])
        assert node == t
        assert weights[result.edge_ids].sum() == pytest.approx(result.cost, rel=1e-9)


@pytest.fixture
def two_queries_at_once() -> Iterator[None]:
    """Hierarchies built in the test run two queries at once (restored afterwards)."""
    before = query_parallelism()
    set_query_parallelism(2)
    yield
    set_query_parallelism(before)


def test_parallelism_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1, got 0"):
        set_query_parallelism(0)


@pytest.mark.slow
def test_two_threads_query_one_hierarchy_at_once_with_single_thread_answers(
    shared_data: Path, two_queries_at_once: None
) -> None:
    indptr, heads, weights = issy_streets(shared_data / "streets")
    n = indptr.shape[0] - 1
    ch = ContractionHierarchy.build(indptr, heads, weights)
    rng = np.random.default_rng(13)
    pairs = [rng.integers(0, n, (400, 2)) for _ in range(2)]

    def answers(chunk: npt.NDArray[np.int64]) -> list[tuple[float, list[int]]]:
        out = []
        for s, t in chunk:
            found = route(ch, int(s), int(t))
            assert found is not None
            out.append((found.cost, found.edge_ids.tolist()))
        return out

    expected = [answers(chunk) for chunk in pairs]  # one thread, one query at a time
    assert ch._scratch.size == 2
    got: list[list[tuple[float, list[int]]]] = [[], []]
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def worker(i: int) -> None:
        start.wait()
        try:
            for _ in range(3):
                got[i] = answers(pairs[i])
        except BaseException as exc:  # handed to the main thread
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert got == expected
    # The second thread found the first one's scratch lent out: queries overlapped in time
    # (with the former global lock a hierarchy only ever held one scratch).
    assert len(ch._scratch._free) == 2
