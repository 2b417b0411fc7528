"""Contraction hierarchy query kernels: the bidirectional upward search and path unpacking."""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from routing.street.hierarchy._heap import (
    _INF,
    FloatArray,
    Int32Array,
    IntArray,
    _heap_pop,
    _heap_push,
    _heap_update,
)


class _Side(NamedTuple):
    """Per-direction query scratch, all of length n and clean between queries.

    Clean means ``dist`` is inf and ``pos`` is -1 everywhere; a query resets only the nodes
    it touched, so it costs its search space, not n.
    """

    dist: FloatArray
    pred: Int32Array
    edge: IntArray
    origin: Int32Array
    pos: Int32Array
    keys: FloatArray
    nodes: Int32Array
    touched: Int32Array


def _new_side(n: int) -> _Side:
    return _Side(
        np.full(n, np.inf),
        np.empty(n, np.int32),
        np.empty(n, np.int64),
        np.empty(n, np.int32),
        np.full(n, -1, np.int32),
        np.empty(n, np.float64),
        np.empty(n, np.int32),
        np.empty(n, np.int32),
    )


@numba.njit(cache=True)
def _seed(side: _Side, rank: Int32Array, nodes: IntArray, costs: FloatArray) -> tuple[int, int]:
    """Put the sources (or targets) in the heap; return (heap size, touched count)."""
    size = 0
    n_touched = 0
    for i in range(nodes.shape[0]):
        v = rank[nodes[i]]
        c = costs[i]
        if c < side.dist[v]:
            side.dist[v] = c
            side.pred[v] = -1
            side.edge[v] = -1
            side.origin[v] = i
            if side.pos[v] == -1:
                side.touched[n_touched] = v
                n_touched += 1
                size = _heap_push(side.keys, side.nodes, side.pos, size, v, c)
            else:
                _heap_update(side.keys, side.nodes, side.pos, size, v, c)
    return size, n_touched


@numba.njit(cache=True)
def _settle_next(
    side: _Side,
    size: int,
    n_touched: int,
    other: _Side,
    relax_indptr: IntArray,
    relax_nbr: Int32Array,
    relax_wt: FloatArray,
    relax_edge: IntArray,
    stall_indptr: IntArray,
    stall_nbr: Int32Array,
    stall_wt: FloatArray,
    best: float,
    meet: int,
) -> tuple[int, int, float, int]:
    """Settle one node of ``side``; return (size, touched, best, meeting node).

    The forward search relaxes upward edges and stalls on downward ones; the backward
    search does the same with the two graphs swapped.
    """
    v = side.nodes[0]
    d = side.keys[0]
    size = _heap_pop(side.keys, side.nodes, side.pos, size)
    total = d + other.dist[v]
    if total < best:
        best = total
        meet = v
    # Stall on demand: a higher neighbour reaches v more cheaply, so v's label is not its
    # distance and nothing above v can be reached optimally through it.
    for k in range(stall_indptr[v], stall_indptr[v + 1]):
        if side.dist[stall_nbr[k]] + stall_wt[k] < d:
            return size, n_touched, best, meet
    for k in range(relax_indptr[v], relax_indptr[v + 1]):
        x = relax_nbr[k]
        nd = d + relax_wt[k]
        if nd < side.dist[x]:
            side.dist[x] = nd
            side.pred[x] = v
            side.edge[x] = relax_edge[k]
            side.origin[x] = side.origin[v]
            if side.pos[x] == -1:
                side.touched[n_touched] = x
                n_touched += 1
                size = _heap_push(side.keys, side.nodes, side.pos, size, x, nd)
            else:
                _heap_update(side.keys, side.nodes, side.pos, size, x, nd)
    return size, n_touched, best, meet


@numba.njit(cache=True)
def _unpack_into(
    e: int,
    out: IntArray,
    p: int,
    stack: IntArray,
    edge_original: IntArray,
    edge_first: IntArray,
    edge_second: IntArray,
) -> int:
    """Write the original edges of hierarchy edge ``e`` in path order at ``out[p:]``."""
    top = 0
    stack[0] = e
    while top >= 0:
        x = stack[top]
        top -= 1
        if edge_original[x] >= 0:
            out[p] = edge_original[x]
            p += 1
        else:
            stack[top + 1] = edge_second[x]
            stack[top + 2] = edge_first[x]
            top += 2
    return p


# nogil: queries of one hierarchy run in parallel on several threads, each with its own scratch.
@numba.njit(cache=True, nogil=True)
def _query_kernel(
    up_indptr: IntArray,
    up_heads: Int32Array,
    up_weights: FloatArray,
    up_edges: IntArray,
    down_indptr: IntArray,
    down_tails: Int32Array,
    down_weights: FloatArray,
    down_edges: IntArray,
    edge_original: IntArray,
    edge_first: IntArray,
    edge_second: IntArray,
    edge_hops: IntArray,
    rank: Int32Array,
    sources: IntArray,
    source_costs: FloatArray,
    targets: IntArray,
    target_costs: FloatArray,
    fwd: _Side,
    bwd: _Side,
    want_path: bool,
) -> tuple[float, int, int, IntArray]:
    size_f, touched_f = _seed(fwd, rank, sources, source_costs)
    size_b, touched_b = _seed(bwd, rank, targets, target_costs)
    best = _INF
    meet = -1
    while True:
        # Each search stops once its smallest key cannot improve on the best meeting.
        key_f = fwd.keys[0] if size_f > 0 and fwd.keys[0] < best else _INF
        key_b = bwd.keys[0] if size_b > 0 and bwd.keys[0] < best else _INF
        if key_f == _INF and key_b == _INF:
            break
        if key_f <= key_b:
            size_f, touched_f, best, meet = _settle_next(
                fwd, size_f, touched_f, bwd, up_indptr, up_heads, up_weights, up_edges,
                down_indptr, down_tails, down_weights, best, meet,
            )  # fmt: skip
        else:
            size_b, touched_b, best, meet = _settle_next(
                bwd, size_b, touched_b, fwd, down_indptr, down_tails, down_weights, down_edges,
                up_indptr, up_heads, up_weights, best, meet,
            )  # fmt: skip

    source_index = -1
    target_index = -1
    path = np.empty(0, np.int64)
    if meet >= 0:
        source_index = fwd.origin[meet]
        target_index = bwd.origin[meet]
        if want_path:
            hops = 0
            deepest = 0
            chain_f = 0
            x = meet
            while fwd.edge[x] >= 0:
                hops += edge_hops[fwd.edge[x]]
                deepest = max(deepest, edge_hops[fwd.edge[x]])
                chain_f += 1
                x = fwd.pred[x]
            x = meet
            while bwd.edge[x] >= 0:
                hops += edge_hops[bwd.edge[x]]
                deepest = max(deepest, edge_hops[bwd.edge[x]])
                x = bwd.pred[x]
            path = np.empty(hops, np.int64)
            # The unpacking stack never holds more entries than the edge has hops, plus one.
            stack = np.empty(deepest + 2, np.int64)
            # The forward chain is read from the meeting node back to the source.
            chain = np.empty(chain_f, np.int64)
            x = meet
            for i in range(chain_f - 1, -1, -1):
                chain[i] = fwd.edge[x]
                x = fwd.pred[x]
            p = 0
            for i in range(chain_f):
                p = _unpack_into(chain[i], path, p, stack, edge_original, edge_first, edge_second)
            x = meet
            while bwd.edge[x] >= 0:
                p = _unpack_into(
                    bwd.edge[x], path, p, stack, edge_original, edge_first, edge_second
                )
                x = bwd.pred[x]

    for i in range(touched_f):
        fwd.dist[fwd.touched[i]] = _INF
        fwd.pos[fwd.touched[i]] = -1
    for i in range(touched_b):
        bwd.dist[bwd.touched[i]] = _INF
        bwd.pos[bwd.touched[i]] = -1
    return best, source_index, target_index, path
