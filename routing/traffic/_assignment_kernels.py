"""Compiled kernels of the traffic assignment: all-or-nothing loads and the exact line search.

Kept apart from :mod:`routing.traffic.assignment` so the algorithm reads without the numba plumbing.
Shortest-path trees use the binary heap with lazy deletion of :mod:`routing.street.search`.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from routing.street.search import _heap_pop, _heap_push

__all__ = ["all_or_nothing", "line_search"]


@numba.njit(cache=True)
def _tree_load(
    indptr: np.ndarray,
    heads: np.ndarray,
    tails: np.ndarray,
    cost_s: np.ndarray,
    origin: int,
    dest_nodes: np.ndarray,
    dest_trips: np.ndarray,
    volume: np.ndarray,
    pair_cost_s: np.ndarray,
    dist: np.ndarray,
    pred: np.ndarray,
    node_flow: np.ndarray,
    wanted: np.ndarray,
    settled: np.ndarray,
    keys: np.ndarray,
    items: np.ndarray,
) -> None:
    """One origin's shortest-path tree, grown until every destination is settled, then loaded."""
    remaining = 0
    for k in range(dest_nodes.shape[0]):
        if not wanted[dest_nodes[k]]:
            wanted[dest_nodes[k]] = True
            remaining += 1
    dist[origin] = 0.0
    size = _heap_push(keys, items, 0, 0.0, origin)
    count = 0
    while size > 0 and remaining > 0:
        d, u, size = _heap_pop(keys, items, size)
        if d > dist[u]:
            continue  # stale entry (lazy deletion)
        settled[count] = u
        count += 1
        if wanted[u]:
            wanted[u] = False
            remaining -= 1
        for e in range(indptr[u], indptr[u + 1]):
            v = heads[e]
            nd = d + cost_s[e]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = e
                size = _heap_push(keys, items, size, nd, v)
    for k in range(dest_nodes.shape[0]):
        node = dest_nodes[k]
        pair_cost_s[k] = dist[node]
        wanted[node] = False
        if dist[node] < np.inf:
            node_flow[node] += dest_trips[k]
    # Settled in order of cost, so walking back pushes each node's flow onto its tree edge
    # after all its descendants have added theirs: one pass loads every destination.
    for position in range(count - 1, -1, -1):
        v = settled[position]
        flow = node_flow[v]
        if flow > 0.0 and pred[v] >= 0:
            e = pred[v]
            volume[e] += flow
            node_flow[tails[e]] += flow
        node_flow[v] = 0.0
    # Reset only what this tree touched; reachable nodes beyond the settled ones too.
    for position in range(count):
        v = settled[position]
        for e in range(indptr[v], indptr[v + 1]):
            dist[heads[e]] = np.inf
            pred[heads[e]] = -1
    dist[origin] = np.inf
    pred[origin] = -1


@numba.njit(cache=True)
def _load_chunk(
    indptr: np.ndarray,
    heads: np.ndarray,
    tails: np.ndarray,
    cost_s: np.ndarray,
    origins: np.ndarray,
    dest_ptr: np.ndarray,
    dest_nodes: np.ndarray,
    dest_trips: np.ndarray,
    chunk: int,
    n_chunks: int,
    volume: np.ndarray,
    pair_cost_s: np.ndarray,
) -> None:
    """Load the origins ``chunk, chunk + n_chunks, ...`` onto ``volume``, with own scratch."""
    n = indptr.shape[0] - 1
    m = heads.shape[0]
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, np.int64)
    node_flow = np.zeros(n)
    wanted = np.zeros(n, np.bool_)
    settled = np.empty(n, np.int64)
    keys = np.empty(m + 1, np.float64)
    items = np.empty(m + 1, np.int64)
    for r in range(chunk, origins.shape[0], n_chunks):
        lo, hi = dest_ptr[r], dest_ptr[r + 1]
        _tree_load(
            indptr, heads, tails, cost_s, origins[r], dest_nodes[lo:hi], dest_trips[lo:hi],
            volume, pair_cost_s[lo:hi], dist, pred, node_flow, wanted, settled, keys, items,
        )  # fmt: skip


@numba.njit(cache=True, parallel=True)
def _all_or_nothing_parallel(
    indptr: np.ndarray,
    heads: np.ndarray,
    tails: np.ndarray,
    cost_s: np.ndarray,
    origins: np.ndarray,
    dest_ptr: np.ndarray,
    dest_nodes: np.ndarray,
    dest_trips: np.ndarray,
    n_chunks: int,
) -> tuple[np.ndarray, np.ndarray]:
    volumes = np.zeros((n_chunks, heads.shape[0]))
    pair_cost_s = np.empty(dest_nodes.shape[0])
    # Each chunk owns its scratch arrays and volume row, so threads never write shared memory.
    for chunk in numba.prange(n_chunks):
        _load_chunk(
            indptr, heads, tails, cost_s, origins, dest_ptr, dest_nodes, dest_trips,
            chunk, n_chunks, volumes[chunk], pair_cost_s,
        )  # fmt: skip
    return volumes.sum(axis=0), pair_cost_s


def all_or_nothing(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int32],
    tails: NDArray[np.int32],
    cost_s: NDArray[np.float64],
    origins: NDArray[np.int64],
    dest_ptr: NDArray[np.int64],
    dest_nodes: NDArray[np.int64],
    dest_trips: NDArray[np.float64],
    n_chunks: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """All-or-nothing load of every origin's trips on its shortest-path tree at ``cost_s``."""
    if n_chunks > 1:
        return _all_or_nothing_parallel(  # type: ignore[no-any-return,unused-ignore]
            indptr, heads, tails, cost_s, origins, dest_ptr, dest_nodes, dest_trips, n_chunks
        )
    # One chunk: skip the thread pool, whose wake-up costs more than a small tree.
    volume = np.zeros(heads.shape[0])
    pair_cost_s = np.empty(dest_nodes.shape[0])
    _load_chunk(
        indptr, heads, tails, cost_s, origins, dest_ptr, dest_nodes, dest_trips,
        0, 1, volume, pair_cost_s,
    )  # fmt: skip
    return volume, pair_cost_s


@numba.njit(cache=True)
def _slope(
    volume: np.ndarray,
    direction: np.ndarray,
    step: float,
    t0: np.ndarray,
    capacity: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
) -> float:
    """Derivative of Beckmann's objective along ``direction`` at ``volume + step * direction``."""
    total = 0.0
    for e in range(volume.shape[0]):
        if direction[e] != 0.0:
            v = volume[e] + step * direction[e]
            total += t0[e] * (1.0 + alpha[e] * (v / capacity[e]) ** beta[e]) * direction[e]
    return total


@numba.njit(cache=True)
def line_search(
    volume: np.ndarray,
    direction: np.ndarray,
    t0: np.ndarray,
    capacity: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
) -> float:
    """Exact step in [0, 1]: the objective is convex, so bisect on the sign of its slope."""
    if _slope(volume, direction, 0.0, t0, capacity, alpha, beta) >= 0.0:
        return 0.0
    if _slope(volume, direction, 1.0, t0, capacity, alpha, beta) <= 0.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(60):  # 2**-60: below float resolution of any step that matters
        mid = 0.5 * (lo + hi)
        if _slope(volume, direction, mid, t0, capacity, alpha, beta) < 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
