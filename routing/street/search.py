"""One-to-all shortest paths over compact graphs: a compiled Dijkstra, pure and I/O-free.

One-to-one queries go through the contraction hierarchy (:mod:`routing.street.hierarchy.ch`);
reachability within a budget (isochrones) and travel-time matrix rows need distances to many
nodes, which a plain Dijkstra bounded by ``limit`` gives directly. Sources carry initial costs
because a snapped coordinate lies part-way along an edge.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["dijkstra_costs", "dijkstra_tree", "path_edges"]


@numba.njit(cache=True)
def _heap_push(keys: np.ndarray, items: np.ndarray, size: int, key: float, item: int) -> int:
    i = size
    keys[i] = key
    items[i] = item
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        items[parent], items[i] = items[i], items[parent]
        i = parent
    return size + 1


@numba.njit(cache=True)
def _heap_pop(keys: np.ndarray, items: np.ndarray, size: int) -> tuple[float, int, int]:
    key, item = keys[0], items[0]
    size -= 1
    keys[0], items[0] = keys[size], items[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[i] <= keys[child]:
            break
        keys[i], keys[child] = keys[child], keys[i]
        items[i], items[child] = items[child], items[i]
        i = child
    return key, item, size


@numba.njit(cache=True)
def _dijkstra(
    indptr: np.ndarray,
    heads: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    source_costs: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, np.int64)  # the edge each node was last reached by
    # Lazy deletion: a node may sit in the heap several times; at most one entry per edge.
    capacity = heads.shape[0] + sources.shape[0] + 1
    keys = np.empty(capacity, np.float64)
    items = np.empty(capacity, np.int64)
    size = 0
    for i in range(sources.shape[0]):
        s, c = sources[i], source_costs[i]
        if c < dist[s] and c <= limit:
            dist[s] = c
            size = _heap_push(keys, items, size, c, s)
    while size > 0:
        d, u, size = _heap_pop(keys, items, size)
        if d > dist[u]:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            v = heads[e]
            nd = d + weights[e]
            if nd < dist[v] and nd <= limit:
                dist[v] = nd
                pred[v] = e
                size = _heap_push(keys, items, size, nd, v)
    return dist, pred


def dijkstra_costs(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int32],
    weights: NDArray[np.float64],
    sources: NDArray[np.int64],
    source_costs: NDArray[np.float64],
    *,
    limit: float = np.inf,
) -> NDArray[np.float64]:
    """Least cost from the best source to every node (``inf`` beyond ``limit`` or unreachable).

    Parameters
    ----------
    indptr, heads, weights
        The graph in CSR form; weights must be finite and non-negative.
    sources, source_costs
        Start nodes and the cost already spent to reach each of them.
    limit
        Nodes whose cost would exceed this are not expanded (isochrone budgets).
    """
    return dijkstra_tree(indptr, heads, weights, sources, source_costs, limit=limit)[0]


def dijkstra_tree(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int32],
    weights: NDArray[np.float64],
    sources: NDArray[np.int64],
    source_costs: NDArray[np.float64],
    *,
    limit: float = np.inf,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Like :func:`dijkstra_costs`, plus the edge each node is reached by (-1: a source or
    unreached), so paths can be read back. Edges of infinite weight are never used."""
    dist, pred = _dijkstra(
        indptr,
        heads,
        weights,
        np.asarray(sources, np.int64),
        np.asarray(source_costs, np.float64),
        float(limit),
    )
    return dist, pred


def path_edges(pred: NDArray[np.int64], tails: NDArray[np.int32], node: int) -> list[int]:
    """The edges from the search's source to ``node``, in travel order."""
    edges: list[int] = []
    edge = int(pred[node])
    while edge >= 0:
        edges.append(edge)
        edge = int(pred[int(tails[edge])])
    edges.reverse()
    return edges
