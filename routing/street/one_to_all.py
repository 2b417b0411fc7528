"""One-to-all costs on a customized hierarchy: two linear sweeps instead of a Dijkstra.

PHAST (Delling, Goldberg, Nowatzyk and Werneck, "PHAST: Hardware-accelerated shortest path
trees", 2011) on a customizable hierarchy: every shortest path climbs upward arcs, then goes
down downward arcs. So the costs from a set of sources to every node are

1. an upward sweep over the nodes in rank order, relaxing the upward arcs of every node the
   sources reach (only their elimination-tree ancestors are reached), then
2. a downward sweep in decreasing rank order, each node pulling its cost down from its upper
   neighbours, which are final by then.

No priority queue and no pruning: the cost is linear in the arcs of the hierarchy whatever the
weights (congested times, closures, a profile's impassable classes), and the weights are those
of the customized metric, so isochrones and the gravity model's costs honour live metrics.
A bounded Dijkstra stays cheaper for small budgets; :func:`costs_from_all` applies the same
``limit`` afterwards, so both answer the same array.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from routing.street.hierarchy.cch import CustomizedMetric

__all__ = ["costs_from_all"]


@numba.njit(cache=True, nogil=True)
def _sweeps(
    up_indptr: NDArray[np.int64],
    up_heads: NDArray[np.int32],
    rank: NDArray[np.int32],
    up: NDArray[np.float64],
    down: NDArray[np.float64],
    nodes: NDArray[np.int64],
    costs: NDArray[np.float64],
    limit: float,
) -> NDArray[np.float64]:
    n = up_indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    lowest = n
    for s in range(nodes.shape[0]):
        x = rank[nodes[s]]
        lowest = min(lowest, x)
        if costs[s] < dist[x]:
            dist[x] = costs[s]
    for x in range(lowest, n):  # upward: arcs lead to higher ranks, so dist[x] is final here
        d = dist[x]
        if d == np.inf:
            continue
        for k in range(up_indptr[x], up_indptr[x + 1]):
            nd = d + up[k]
            y = up_heads[k]
            if nd < dist[y]:
                dist[y] = nd
    for x in range(n - 1, -1, -1):  # downward: upper neighbours are final before x
        d = dist[x]
        for k in range(up_indptr[x], up_indptr[x + 1]):
            nd = dist[up_heads[k]] + down[k]
            if nd < d:
                d = nd
        dist[x] = d
    out = np.empty(n)
    for v in range(n):
        d = dist[rank[v]]
        out[v] = d if d <= limit else np.inf
    return out


def costs_from_all(
    metric: CustomizedMetric,
    sources: npt.ArrayLike,
    source_costs: npt.ArrayLike,
    *,
    limit: float = np.inf,
) -> NDArray[np.float64]:
    """Least cost from the best source to every node, as :func:`dijkstra_costs` gives it.

    ``source_costs[i]`` is what reaching ``sources[i]`` already cost; nodes costing more than
    ``limit`` (and unreachable ones) are ``inf``.

    Raises
    ------
    ValueError
        When a node id is out of range, a cost is not finite, or lengths differ.
    """
    nodes = np.ascontiguousarray(sources, dtype=np.int64).reshape(-1)
    costs = np.ascontiguousarray(source_costs, dtype=np.float64).reshape(-1)
    n = metric.num_nodes
    if nodes.shape[0] != costs.shape[0]:
        raise ValueError(f"sources has {nodes.shape[0]} nodes but {costs.shape[0]} costs")
    if nodes.size and (int(nodes.min()) < 0 or int(nodes.max()) >= n):
        bad = int(nodes.min()) if int(nodes.min()) < 0 else int(nodes.max())
        raise ValueError(f"sources holds node {bad}, outside 0..{n - 1}")
    if not np.isfinite(costs).all():
        raise ValueError(f"source costs must be finite, got {costs.tolist()}")
    h = metric.hierarchy
    result: NDArray[np.float64] = _sweeps(
        h.up_indptr, h.up_heads, h.rank, metric.up, metric.down, nodes, costs, float(limit)
    )
    return result
