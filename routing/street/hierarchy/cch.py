"""Customizable contraction hierarchies: one order per graph, a cheap customization per metric.

A customizable contraction hierarchy (Dibbelt, Strasser and Wagner, "Customizable Contraction
Hierarchies", 2014; RoutingKit implements it) splits the work of a contraction hierarchy in
two:

- :meth:`CustomizableHierarchy.build` orders the nodes by nested dissection
  (:mod:`routing.street.hierarchy.cch_order`) and eliminates them in that order, which gives a
  chordal supergraph of the street graph. Nothing of it depends on the weights, so one build
  serves time, distance, a period's congested times, closures and profiles alike.
- :meth:`CustomizableHierarchy.customize` takes one weight per input edge (``inf`` closes an
  edge) and relaxes every lower triangle once, bottom-up: a new metric costs a fraction of a
  second instead of a new contraction.

A :class:`CustomizedMetric` answers queries by an elimination-tree search: both ends walk up
their ancestors in the elimination tree (no priority queue) and meet at the cheapest common
ancestor; the path is unpacked into the input's edge ids. Queries take scratch arrays from a
small pool, so threads run them in parallel (the kernels release the GIL).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from routing.errors import CorruptArtefactError
from routing.street.hierarchy._cch_kernels import (
    _chordal_supergraph,
    _endpoints_valid,
    _input_half_arcs,
    _input_weights,
    _lower_arcs,
    _matrix,
    _pull_triangles,
    _query,
)
from routing.street.hierarchy._cch_schedule import customization_schedule
from routing.street.hierarchy._heap import FloatArray, Int32Array, IntArray
from routing.street.hierarchy.cch_order import nested_dissection_order
from routing.street.hierarchy.ch import RouteResult, _validated_csr

__all__ = ["CustomizableHierarchy", "CustomizedMetric"]

_FORMAT_VERSION = 1
_ZERO = np.zeros(1)
_INT64 = np.dtype(np.int64)
_FLOAT64 = np.dtype(np.float64)
_PARALLEL_MIN_NODES = 20_000  # smaller hierarchies customize on the calling thread
_ARRAY_NAMES = ("rank", "up_indptr", "up_heads", "arc_tail", "parent", "edge_half")
_DTYPES = {
    "rank": np.int32,
    "up_heads": np.int32,
    "arc_tail": np.int32,
    "parent": np.int32,
}


class _Scratch(NamedTuple):
    dist_f: FloatArray
    dist_b: FloatArray
    pred_f: Int32Array
    pred_b: Int32Array
    stack: IntArray


def _new_scratch(n: int) -> _Scratch:
    return _Scratch(
        np.full(n, np.inf),
        np.full(n, np.inf),
        np.empty(n, np.int32),
        np.empty(n, np.int32),
        np.empty(n + 2, np.int64),
    )


@dataclass(frozen=True, eq=False)
class CustomizableHierarchy:
    """The metric-independent part: node order, chordal supergraph, elimination tree.

    Attributes
    ----------
    rank
        Rank of each input node (int32, n).
    up_indptr, up_heads
        Upward CSR by rank of the chordal supergraph; arc ``i`` is ``arc_tail[i] -> up_heads[i]``.
    arc_tail
        Lower end of each arc (int32).
    parent
        Elimination-tree parent of each rank (its lowest upper neighbour), -1 at roots.
    edge_half
        For each input edge the half-arc it lies on (``2 arc`` upward, ``2 arc + 1``
        downward), -1 for self-loops.
    """

    rank: Int32Array
    up_indptr: IntArray
    up_heads: Int32Array
    arc_tail: Int32Array
    parent: Int32Array
    edge_half: IntArray

    @property
    def num_nodes(self) -> int:
        return int(self.rank.shape[0])

    @property
    def num_arcs(self) -> int:
        return int(self.up_heads.shape[0])

    @property
    def num_input_edges(self) -> int:
        return int(self.edge_half.shape[0])

    @classmethod
    def build(
        cls,
        indptr: npt.ArrayLike,
        heads: npt.ArrayLike,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        *,
        rank: npt.ArrayLike | None = None,
    ) -> CustomizableHierarchy:
        """Order (unless ``rank`` is given) and eliminate a directed graph in CSR form.

        Parameters
        ----------
        indptr, heads
            The graph as for :meth:`ContractionHierarchy.build` (weights come later).
        lat, lon
            Node coordinates in degrees, for the nested dissection.
        rank
            A ready order (a permutation of ``0..n-1``) to use instead.

        Raises
        ------
        ValueError
            When the arrays do not describe such a graph or ``rank`` is not a permutation.
        """
        heads_in = np.asarray(heads, dtype=np.int64).reshape(-1)
        indptr_a, heads_a, _ = _validated_csr(indptr, heads_in, np.zeros(heads_in.shape[0]))
        n = indptr_a.shape[0] - 1
        tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr_a))
        if rank is None:
            order = nested_dissection_order(n, tails, heads_a, lat, lon)
        else:
            order = np.asarray(rank, dtype=np.int64).reshape(-1)
            if order.shape[0] != n or not np.array_equal(np.sort(order), np.arange(n)):
                raise ValueError(f"rank must be a permutation of 0..{n - 1}")
        rank32 = order.astype(np.int32)
        a, b = rank32[tails], rank32[heads_a]
        low, high = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
        keep = low != high
        pairs = np.unique(low[keep] * max(n, 1) + high[keep])
        init_tails = pairs // max(n, 1)
        init_heads = (pairs % max(n, 1)).astype(np.int32)
        init_indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(init_tails, minlength=n), out=init_indptr[1:])
        up_indptr, up_heads, parent = _chordal_supergraph(n, init_indptr, init_heads)
        arc_tail = np.repeat(np.arange(n, dtype=np.int32), np.diff(up_indptr))
        edge_half = _input_half_arcs(up_indptr, up_heads, rank32, tails, heads_a)
        return cls(rank32, up_indptr, up_heads, arc_tail, parent, edge_half)

    def customize(self, weights: npt.ArrayLike) -> CustomizedMetric:
        """The hierarchy under one weight per input edge (``inf`` closes the edge).

        Raises
        ------
        ValueError
            When the weights do not match the edges or one is negative or NaN.
        """
        w = np.ascontiguousarray(weights, dtype=np.float64).reshape(-1)
        if w.shape[0] != self.num_input_edges:
            raise ValueError(
                f"{w.shape[0]} weights for {self.num_input_edges} edges; give one per edge"
            )
        bad = np.flatnonzero(np.isnan(w) | (w < 0))
        if bad.size:
            raise ValueError(
                f"weights must be >= 0 (inf closes an edge); edge {bad[0]} has {w[bad[0]]}"
            )
        down_indptr, down_arcs, groups, opened = self._schedule
        up, down, unpack = _input_weights(self.edge_half, w, self.num_arcs)

        def pull(nodes: IntArray) -> None:
            _pull_triangles(
                nodes, self.up_indptr, self.up_heads, self.arc_tail, down_indptr, down_arcs,
                up, down, unpack,
            )  # fmt: skip

        if len(groups) > 1:
            with ThreadPoolExecutor(max_workers=len(groups)) as pool:
                list(pool.map(pull, groups))
        else:
            pull(groups[0])
        pull(opened)  # the top separators, above every subtree
        return CustomizedMetric(self, up, down, unpack)

    @cached_property
    def _schedule(self) -> tuple[IntArray, IntArray, list[IntArray], IntArray]:
        """(lower arcs CSR, one node list per thread, the opened top nodes): see
        :mod:`._cch_schedule`; made at the first customization, kept for the next ones."""
        down_indptr, down_arcs = _lower_arcs(self.up_indptr, self.up_heads)
        threads = 1 if self.num_nodes < _PARALLEL_MIN_NODES else min(2, os.cpu_count() or 1)
        groups, opened = customization_schedule(self.parent, threads)
        return down_indptr, down_arcs, groups, opened

    def to_arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """The arrays to store beside the artefact; see :meth:`from_arrays`."""
        arrays: dict[str, npt.NDArray[np.generic]] = {
            name: getattr(self, name) for name in _ARRAY_NAMES
        }
        arrays["format_version"] = np.array(_FORMAT_VERSION, dtype=np.int64)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[np.generic]]) -> CustomizableHierarchy:
        """Wrap arrays made by :meth:`to_arrays` (no recomputation).

        Raises
        ------
        CorruptArtefactError
            When an array is missing, of another format or inconsistent with the others.
        """
        missing = [name for name in (*_ARRAY_NAMES, "format_version") if name not in arrays]
        if missing:
            raise CorruptArtefactError(
                f"customizable hierarchy arrays lack {', '.join(missing)}; rebuild it"
            )
        version = int(arrays["format_version"])
        if version != _FORMAT_VERSION:
            raise CorruptArtefactError(
                f"customizable hierarchy format {version} is not the supported format "
                f"{_FORMAT_VERSION}; rebuild it"
            )
        values: dict[str, Any] = {
            name: np.ascontiguousarray(arrays[name], dtype=_DTYPES.get(name, np.int64))
            for name in _ARRAY_NAMES
        }
        n = values["rank"].shape[0]
        arcs = values["up_heads"].shape[0]
        problems = []
        ptr = values["up_indptr"]
        if ptr.shape[0] != n + 1 or (n and (ptr[0] != 0 or ptr[-1] != arcs)):
            problems.append(f"up_indptr does not match {n} nodes and {arcs} arcs")
        if values["arc_tail"].shape[0] != arcs:
            problems.append(f"arc_tail has {values['arc_tail'].shape[0]} entries, not {arcs}")
        if values["parent"].shape[0] != n:
            problems.append(f"parent has {values['parent'].shape[0]} entries, not {n}")
        half = values["edge_half"]
        if half.size and int(half.max()) >= 2 * arcs:
            problems.append("edge_half names a half-arc beyond the arcs")
        if problems:
            raise CorruptArtefactError("customizable hierarchy arrays: " + "; ".join(problems))
        return cls(**values)


@dataclass(frozen=True, eq=False)
class CustomizedMetric:
    """A :class:`CustomizableHierarchy` customized for one metric; answers queries.

    ``up[i]`` is the cost of arc ``i`` upward (``arc_tail[i] -> up_heads[i]``), ``down[i]``
    downward; ``unpack`` turns each half-arc into input edges (see :mod:`._cch_kernels`).
    """

    hierarchy: CustomizableHierarchy
    up: FloatArray
    down: FloatArray
    unpack: IntArray
    # Clean scratch sets, one taken per running query and given back after (list.pop and
    # list.append are atomic, so threads share it without a lock).
    _free: list[_Scratch] = field(default_factory=list, init=False, repr=False)

    @property
    def nbytes(self) -> int:
        """Memory of the metric's own arrays (the hierarchy's not counted)."""
        return int(self.up.nbytes + self.down.nbytes + self.unpack.nbytes)

    @property
    def num_nodes(self) -> int:
        return self.hierarchy.num_nodes

    def query(
        self,
        sources: npt.ArrayLike,
        source_costs: npt.ArrayLike,
        targets: npt.ArrayLike,
        target_costs: npt.ArrayLike,
    ) -> RouteResult | None:
        """Cheapest route from any source to any target, counting their start/end costs.

        Same contract as :meth:`ContractionHierarchy.query`: minimises
        ``source_costs[i] + d(sources[i], targets[j]) + target_costs[j]``; None when no
        target is reachable.

        Raises
        ------
        ValueError
            When a node id is out of range, a cost is not finite or lengths differ.
        """
        cost, source_index, target_index, path = self._run(
            sources, source_costs, targets, target_costs, True
        )
        if source_index < 0:
            return None
        return RouteResult(cost, source_index, target_index, path)

    def distance(self, source: int, target: int) -> float:
        """Shortest-path cost from node ``source`` to node ``target``; ``math.inf`` if none."""
        cost, source_index, _, _ = self._run([source], _ZERO, [target], _ZERO, False)
        return cost if source_index >= 0 else math.inf

    def matrix(self, sources: npt.ArrayLike, targets: npt.ArrayLike) -> FloatArray:
        """Shortest-path cost from every source node to every target node (``inf``: none).

        Raises
        ------
        ValueError
            When a node id is out of range.
        """
        src = np.ascontiguousarray(sources, dtype=np.int64).reshape(-1)
        tgt = np.ascontiguousarray(targets, dtype=np.int64).reshape(-1)
        return self.matrix_of_sets(
            [(src[i : i + 1], np.zeros(1)) for i in range(src.shape[0])],
            [(tgt[j : j + 1], np.zeros(1)) for j in range(tgt.shape[0])],
        )

    def matrix_of_sets(
        self,
        origins: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]],
        destinations: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]],
    ) -> FloatArray:
        """Many-to-many costs where each point is a set of nodes with start or end costs.

        Cell ``[i, j]`` is the least ``cost_i[a] + d(a, b) + cost_j[b]`` over the nodes ``a``
        of origin ``i`` and ``b`` of destination ``j`` (a snapped point has two nodes: its
        edge's ends). One search per point, not per pair; a cell's path is then one
        :meth:`query` away.

        A point with no node (all its ends impassable) gets a row or column of ``inf``.

        Raises
        ------
        ValueError
            When a node id is out of range or a cost is not finite.
        """
        src_ptr, src_nodes, src_costs = self._sets("origin", origins)
        tgt_ptr, tgt_nodes, tgt_costs = self._sets("destination", destinations)
        h = self.hierarchy
        result: FloatArray = _matrix(
            h.up_indptr, h.up_heads, h.parent, h.rank, self.up, self.down,
            src_ptr, src_nodes, src_costs, tgt_ptr, tgt_nodes, tgt_costs,
        )  # fmt: skip
        return result

    def _sets(
        self, what: str, points: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]]
    ) -> tuple[IntArray, IntArray, FloatArray]:
        checked = [
            self._endpoints(f"{what} {i}", n, c)
            if np.size(n)
            else (np.empty(0, np.int64), np.empty(0, np.float64))
            for i, (n, c) in enumerate(points)
        ]
        ptr = np.zeros(len(checked) + 1, dtype=np.int64)
        np.cumsum([nodes.shape[0] for nodes, _ in checked], out=ptr[1:])
        if not checked:
            return ptr, np.empty(0, np.int64), np.empty(0, np.float64)
        return (
            ptr,
            np.concatenate([nodes for nodes, _ in checked]),
            np.concatenate([costs for _, costs in checked]),
        )

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
        if _endpoints_valid(node_array, cost_array, self.num_nodes):
            return node_array, cost_array
        low, high = int(node_array.min()), int(node_array.max())
        if low < 0 or high >= self.num_nodes:
            bad = low if low < 0 else high
            raise ValueError(f"{what} holds node {bad}, outside 0..{self.num_nodes - 1}")
        raise ValueError(f"{what} costs must be finite, got {cost_array.tolist()}")

    def _run(
        self,
        sources: npt.ArrayLike,
        source_costs: npt.ArrayLike,
        targets: npt.ArrayLike,
        target_costs: npt.ArrayLike,
        want_path: bool,
    ) -> tuple[float, int, int, IntArray]:
        """One search; the kernel checks the ends itself, and only a refused one pays for
        :meth:`_endpoints` and its message. The common call (1-d arrays of the right types)
        converts nothing."""
        src, src_costs = _vector(sources, _INT64), _vector(source_costs, _FLOAT64)
        tgt, tgt_costs = _vector(targets, _INT64), _vector(target_costs, _FLOAT64)
        if src.shape[0] != src_costs.shape[0] or tgt.shape[0] != tgt_costs.shape[0]:
            self._endpoints("sources", src, src_costs)
            self._endpoints("targets", tgt, tgt_costs)
        h = self.hierarchy
        free = self._free
        try:
            scratch = free.pop()
        except IndexError:
            scratch = _new_scratch(self.num_nodes)
        result: tuple[float, int, int, IntArray] = _query(
            h.up_indptr, h.up_heads, h.arc_tail, h.parent, h.rank, self.up, self.down,
            self.unpack, src, src_costs, tgt, tgt_costs, *scratch, want_path,
        )  # fmt: skip
        free.append(scratch)  # the kernel leaves it clean, even when it refuses the ends
        if result[1] == -2:
            self._endpoints("sources", src, src_costs)
            self._endpoints("targets", tgt, tgt_costs)
            raise AssertionError("the query kernel refused ends that _endpoints accepts")
        return result


def _vector(values: npt.ArrayLike, dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """``values`` as a contiguous 1-d array of ``dtype`` (itself when it already is one)."""
    if type(values) is np.ndarray and values.dtype is dtype and values.ndim == 1:
        return values  # strided views too: the kernels read any layout
    return np.ascontiguousarray(values, dtype=dtype).reshape(-1)
