"""Contraction hierarchies: point-to-point street routing in well under a millisecond.

A contraction hierarchy (Geisberger, Sanders, Schultes and Delling, 2008) orders the nodes by
"importance" and contracts them one by one, adding a shortcut ``u -> w`` whenever removing
``v`` would break the only shortest path ``u -> v -> w``. A query then runs two Dijkstra
searches that only ever climb the order, one from the sources and one (backwards) from the
targets, which settle a few hundred nodes on a city instead of the whole graph.

The input is a directed graph in CSR form over nodes ``0..n-1`` (``indptr``, ``heads``,
``weights``); the answer names the input's own edge ids so callers keep their geometry and
street names. Everything hot runs in ``numba`` (``cache=True``, so compilation happens once per
machine, not per process). The query kernel releases the GIL (``nogil=True``) and each running
query borrows scratch arrays from a pool: threads of one process query one hierarchy at once,
up to :func:`set_query_parallelism` queries at a time (the number of CPUs by default).

Internally nodes are renumbered by contraction rank: the top of the hierarchy, which every
query visits, then sits in a few contiguous cache lines.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from routing.errors import CorruptArtefactError
from routing.street.hierarchy._contract import (
    _breadth_first_labels,
    _contract_chunk,
    _hierarchy_arrays,
    _init_priorities,
)
from routing.street.hierarchy._heap import FloatArray, Int32Array, IntArray
from routing.street.hierarchy._query import _new_side, _query_kernel, _Side
from routing.street.hierarchy._state import _HEAP_SIZE, _NEXT_RANK, _init_state

__all__ = ["ContractionHierarchy", "RouteResult", "query_parallelism", "set_query_parallelism"]

_FORMAT_VERSION = 1


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RouteResult:
    """The cheapest route between a set of sources and a set of targets.

    Attributes
    ----------
    cost
        ``source_costs[source_index] + d(source, target) + target_costs[target_index]``.
    source_index, target_index
        Positions in the ``sources`` and ``targets`` arrays given to the query.
    edge_ids
        Input edge ids (positions in ``heads``/``weights``) in path order; empty when the
        source and the target are the same node.
    """

    cost: float
    source_index: int
    target_index: int
    edge_ids: IntArray


_parallelism = max(1, os.cpu_count() or 1)


def set_query_parallelism(queries: int) -> None:
    """How many queries one hierarchy runs at once in this process (its scratch pool's size).

    ``1`` serialises them (one query at a time per hierarchy, the behaviour of a global query
    lock). Hierarchies created afterwards use the new value; call it before loading.

    Raises
    ------
    ValueError
        When ``queries`` is below 1.
    """
    global _parallelism
    if queries < 1:
        raise ValueError(f"query parallelism must be at least 1, got {queries}")
    _parallelism = queries


def query_parallelism() -> int:
    """The value new hierarchies take (see :func:`set_query_parallelism`)."""
    return _parallelism


class _ScratchPool:
    """Per-query scratch arrays, lent to one running query at a time each.

    At most ``size`` queries run at once; a further query waits for a scratch to come back.
    Scratch is allocated on first need (two sides of n entries each), so a process that
    queries from one thread holds one.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._free: list[tuple[_Side, _Side]] = []

    def take(self, num_nodes: int) -> tuple[_Side, _Side]:
        self._slots.acquire()
        with self._lock:
            if self._free:
                return self._free.pop()
        return _new_side(num_nodes), _new_side(num_nodes)

    def give_back(self, sides: tuple[_Side, _Side] | None) -> None:
        """Return clean scratch to the pool, or ``None`` to drop scratch a query left dirty."""
        if sides is not None:
            with self._lock:
                self._free.append(sides)
        self._slots.release()


_ARRAY_NAMES = (
    "rank",
    "up_indptr",
    "up_heads",
    "up_weights",
    "up_edges",
    "down_indptr",
    "down_tails",
    "down_weights",
    "down_edges",
    "edge_original",
    "edge_first",
    "edge_second",
    "edge_hops",
)
_DTYPES = {
    "rank": np.int32,
    "up_heads": np.int32,
    "down_tails": np.int32,
    "up_weights": np.float64,
    "down_weights": np.float64,
}


@dataclass(frozen=True, eq=False)
class ContractionHierarchy:
    """A contraction hierarchy over a directed graph, ready for point-to-point queries.

    Nodes keep their input ids at the interface; inside, node ``v`` is ``rank[v]``, its
    position in the contraction order. Hierarchy edges (original edges and shortcuts) are
    numbered ``0..k-1``: ``edge_original[e]`` is the input edge id, or -1 for a shortcut made
    of ``edge_first[e]`` then ``edge_second[e]``; ``edge_hops[e]`` counts its input edges.

    Attributes
    ----------
    rank
        Contraction rank of each input node (int32, n).
    up_indptr, up_heads, up_weights, up_edges
        CSR by rank of the edges ``a -> b`` with ``rank a < rank b`` (forward search).
    down_indptr, down_tails, down_weights, down_edges
        CSR by rank of the edges ``a -> b`` with ``rank a > rank b``, stored at ``b`` with
        tail ``a`` (backward search).
    edge_original, edge_first, edge_second, edge_hops
        How to unpack each hierarchy edge into input edges.
    num_input_edges
        Number of edges of the input graph (``edge_original`` indexes them).

    Notes
    -----
    Queries borrow scratch arrays from a pool the hierarchy owns and release the GIL while
    they run: threads query at once, up to the pool's size (:func:`set_query_parallelism`).
    """

    rank: Int32Array
    up_indptr: IntArray
    up_heads: Int32Array
    up_weights: FloatArray
    up_edges: IntArray
    down_indptr: IntArray
    down_tails: Int32Array
    down_weights: FloatArray
    down_edges: IntArray
    edge_original: IntArray
    edge_first: IntArray
    edge_second: IntArray
    edge_hops: IntArray
    num_input_edges: int
    _scratch: _ScratchPool = field(
        default_factory=lambda: _ScratchPool(_parallelism), init=False, repr=False, compare=False
    )

    @property
    def num_nodes(self) -> int:
        """Number of nodes of the input graph."""
        return int(self.rank.shape[0])

    @property
    def num_shortcuts(self) -> int:
        """Number of shortcut edges the contraction added."""
        return int(np.count_nonzero(self.edge_original < 0))

    @classmethod
    def build(
        cls,
        indptr: npt.ArrayLike,
        heads: npt.ArrayLike,
        weights: npt.ArrayLike,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> ContractionHierarchy:
        """Contract a directed graph given in CSR form.

        Parameters
        ----------
        indptr
            int, length n + 1: the edges leaving node ``v`` are ``indptr[v]:indptr[v + 1]``.
        heads
            int, length m: head node of each edge.
        weights
            float, length m: finite, non-negative edge costs. Self-loops and parallel edges
            are allowed (only the cheapest of parallel edges is ever used).
        progress
            Called now and then with ``(contracted nodes, n)``.

        Returns
        -------
        ContractionHierarchy

        Raises
        ------
        ValueError
            When the arrays do not describe such a graph; the message says which and why.
        """
        indptr_a, heads_a, weights_a = _validated_csr(indptr, heads, weights)
        n = indptr_a.shape[0] - 1
        m = heads_a.shape[0]
        tails = np.repeat(np.arange(n, dtype=np.int32), np.diff(indptr_a))
        # Self-loops never lie on a shortest path; of parallel edges only the cheapest can.
        candidates = np.flatnonzero(tails != heads_a)
        order = np.lexsort((weights_a[candidates], heads_a[candidates], tails[candidates]))
        kept = candidates[order]
        is_first = np.ones(kept.shape[0], dtype=bool)
        is_first[1:] = (tails[kept[1:]] != tails[kept[:-1]]) | (
            heads_a[kept[1:]] != heads_a[kept[:-1]]
        )
        kept = kept[is_first]

        # Contract on a breadth-first numbering: neighbours then sit close in memory, which
        # more than halves the time witness searches spend waiting on cache misses.
        label = _breadth_first_labels(n, tails[kept], heads_a[kept])
        state = _init_state(
            n,
            label[tails[kept]],
            label[heads_a[kept]],
            weights_a[kept],
            kept.astype(np.int64),
        )
        state = _init_priorities(state)
        chunk = max(1000, n // 100)
        while state.counters[_HEAP_SIZE] > 0:
            state = _contract_chunk(state, chunk)
            if progress is not None:
                progress(int(state.counters[_NEXT_RANK]), n)
        return cls(**_hierarchy_arrays(state, label), num_input_edges=m)

    def to_arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """The arrays to store (e.g. with ``numpy.savez``); see ``from_arrays``."""
        arrays: dict[str, npt.NDArray[np.generic]] = {
            name: getattr(self, name) for name in _ARRAY_NAMES
        }
        arrays["num_input_edges"] = np.array(self.num_input_edges, dtype=np.int64)
        arrays["format_version"] = np.array(_FORMAT_VERSION, dtype=np.int64)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[np.generic]]) -> ContractionHierarchy:
        """Wrap arrays made by ``to_arrays`` (no recomputation; arrays are not copied).

        Raises
        ------
        CorruptArtefactError
            When an array is missing, of the wrong kind or inconsistent with the others.
        """
        missing = [
            n for n in (*_ARRAY_NAMES, "num_input_edges", "format_version") if n not in arrays
        ]
        if missing:
            raise CorruptArtefactError(
                f"contraction hierarchy arrays lack {', '.join(missing)}; rebuild the hierarchy"
            )
        version = int(arrays["format_version"])
        if version != _FORMAT_VERSION:
            raise CorruptArtefactError(
                f"contraction hierarchy format {version} is not the supported format "
                f"{_FORMAT_VERSION}; rebuild the hierarchy"
            )
        values: dict[str, Any] = {
            name: np.ascontiguousarray(arrays[name], dtype=_DTYPES.get(name, np.int64))
            for name in _ARRAY_NAMES
        }
        n = values["rank"].shape[0]
        k = values["edge_original"].shape[0]
        problems = []
        for prefix, other in (("up", "heads"), ("down", "tails")):
            ptr = values[f"{prefix}_indptr"]
            size = values[f"{prefix}_{other}"].shape[0]
            if ptr.shape[0] != n + 1 or ptr[0] != 0 or ptr[-1] != size:
                problems.append(f"{prefix}_indptr does not match {n} nodes and {size} edges")
            for name in (f"{prefix}_weights", f"{prefix}_edges"):
                if values[name].shape[0] != size:
                    problems.append(f"{name} has {values[name].shape[0]} entries, not {size}")
        for name in ("edge_first", "edge_second", "edge_hops"):
            if values[name].shape[0] != k:
                problems.append(f"{name} has {values[name].shape[0]} entries, not {k}")
        if problems:
            raise CorruptArtefactError("contraction hierarchy arrays: " + "; ".join(problems))
        return cls(**values, num_input_edges=int(arrays["num_input_edges"]))

    def query(
        self,
        sources: npt.ArrayLike,
        source_costs: npt.ArrayLike,
        targets: npt.ArrayLike,
        target_costs: npt.ArrayLike,
    ) -> RouteResult | None:
        """Cheapest route from any source to any target, counting their start/end costs.

        Minimises ``source_costs[i] + d(sources[i], targets[j]) + target_costs[j]``, which
        is what a location snapped onto an edge needs: both end nodes, each with the cost of
        reaching it along the edge.

        Parameters
        ----------
        sources, targets
            Node ids (non-empty, same length as their costs).
        source_costs, target_costs
            Finite costs added at the start and at the end.

        Returns
        -------
        RouteResult or None
            None when no target is reachable from any source.

        Raises
        ------
        ValueError
            When a node id is out of range, a cost is not finite or lengths differ.
        """
        src, src_costs = self._endpoints("sources", sources, source_costs)
        tgt, tgt_costs = self._endpoints("targets", targets, target_costs)
        cost, source_index, target_index, path = self._run(src, src_costs, tgt, tgt_costs, True)
        if source_index < 0:
            return None
        return RouteResult(float(cost), int(source_index), int(target_index), path)

    def distance(self, source: int, target: int) -> float:
        """Shortest-path cost from node ``source`` to node ``target``; ``math.inf`` if none.

        Raises
        ------
        ValueError
            When a node id is out of range.
        """
        src, src_costs = self._endpoints("sources", [source], [0.0])
        tgt, tgt_costs = self._endpoints("targets", [target], [0.0])
        cost, source_index, _, _ = self._run(src, src_costs, tgt, tgt_costs, False)
        return float(cost) if source_index >= 0 else math.inf

    def _endpoints(
        self, what: str, nodes: npt.ArrayLike, costs: npt.ArrayLike
    ) -> tuple[IntArray, FloatArray]:
        node_array = np.ascontiguousarray(nodes, dtype=np.int64).reshape(-1)
        cost_array = np.ascontiguousarray(costs, dtype=np.float64).reshape(-1)
        if node_array.shape[0] == 0:
            raise ValueError(f"{what} is empty; give at least one node")
        if node_array.shape[0] != cost_array.shape[0]:
            raise ValueError(
                f"{what} has {node_array.shape[0]} nodes but {cost_array.shape[0]} costs"
            )
        low, high = int(node_array.min()), int(node_array.max())
        if low < 0 or high >= self.num_nodes:
            bad = low if low < 0 else high
            raise ValueError(f"{what} holds node {bad}, outside 0..{self.num_nodes - 1}")
        if not np.isfinite(cost_array).all():
            raise ValueError(f"{what} costs must be finite, got {cost_array.tolist()}")
        return node_array, cost_array

    def _run(
        self,
        sources: IntArray,
        source_costs: FloatArray,
        targets: IntArray,
        target_costs: FloatArray,
        want_path: bool,
    ) -> tuple[float, int, int, IntArray]:
        fwd, bwd = sides = self._scratch.take(self.num_nodes)
        try:
            result: tuple[float, int, int, IntArray] = _query_kernel(
                self.up_indptr, self.up_heads, self.up_weights, self.up_edges,
                self.down_indptr, self.down_tails, self.down_weights, self.down_edges,
                self.edge_original, self.edge_first, self.edge_second, self.edge_hops,
                self.rank, sources, source_costs, targets, target_costs, fwd, bwd, want_path,
            )  # fmt: skip
        except BaseException:
            self._scratch.give_back(None)  # left halfway: its arrays are not clean
            raise
        self._scratch.give_back(sides)
        return result


def _validated_csr(
    indptr: npt.ArrayLike, heads: npt.ArrayLike, weights: npt.ArrayLike
) -> tuple[IntArray, IntArray, FloatArray]:
    indptr_a = np.ascontiguousarray(indptr, dtype=np.int64).reshape(-1)
    heads_a = np.ascontiguousarray(heads, dtype=np.int64).reshape(-1)
    weights_a = np.ascontiguousarray(weights, dtype=np.float64).reshape(-1)
    if indptr_a.shape[0] == 0 or indptr_a[0] != 0:
        raise ValueError("indptr must start with 0 (it has n + 1 entries for n nodes)")
    n = indptr_a.shape[0] - 1
    m = heads_a.shape[0]
    if n >= 2**31 - 1:
        raise ValueError(f"graph has {n} nodes; at most {2**31 - 2} are supported")
    if indptr_a[-1] != m or weights_a.shape[0] != m:
        raise ValueError(
            f"indptr ends at {indptr_a[-1]} but there are {m} heads and "
            f"{weights_a.shape[0]} weights; all three must agree"
        )
    if n > 0 and np.any(np.diff(indptr_a) < 0):
        raise ValueError("indptr must be non-decreasing")
    if m and (heads_a.min() < 0 or heads_a.max() >= n):
        raise ValueError(f"heads must lie in 0..{n - 1}, got {heads_a.min()}..{heads_a.max()}")
    bad = np.flatnonzero(~np.isfinite(weights_a) | (weights_a < 0))
    if bad.size:
        raise ValueError(
            f"weights must be finite and >= 0; edge {bad[0]} has weight {weights_a[bad[0]]}"
        )
    return indptr_a, heads_a, weights_a
