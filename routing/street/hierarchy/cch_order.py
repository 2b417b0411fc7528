"""A metric-independent node order by nested dissection on coordinates.

A customizable contraction hierarchy (Dibbelt, Strasser and Wagner, 2014) contracts nodes in
an order that ignores the weights, so one order serves every metric of a mode. The order that
keeps the contracted (chordal) graph small comes from nested dissection: split the graph by a
small set of separator nodes, give the separator the highest ranks, and order both sides the
same way, recursively.

Separators come from inertial flow (Schild and Sommer, 2015, as RoutingKit uses it): project a
piece's nodes on four directions (east, north-east, north, north-west); for each, the first
and the last quarter along the line are joined to a source and a sink, and a minimum vertex
cut between them (unit-capacity max flow, :mod:`._vertex_cut`) is the candidate separator; the
smallest of the four wins. Small pieces, or pieces where no such cut exists, take the best
straight cut across the middle 40 % instead (the smaller set of endpoints of the edges it
crosses). Disconnected pieces are ordered one component at a time, tiny ones by degree. No
weight is ever read.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from routing.street.hierarchy._vertex_cut import _min_vertex_cut

__all__ = ["nested_dissection_order"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_LEAF_NODES = 24
_DIRECTIONS_RAD = np.radians([0.0, 45.0, 90.0, 135.0])
_BALANCE = 0.3  # each side of a straight cut keeps at least this share of the piece
_FLOW_MIN_NODES = 64  # smaller pieces take the straight cut
_TERMINAL_SHARE = 0.25  # the share of a piece tied to the source, and to the sink


def nested_dissection_order(
    n: int, tails: npt.ArrayLike, heads: npt.ArrayLike, lat: npt.ArrayLike, lon: npt.ArrayLike
) -> IntArray:
    """The contraction rank of every node (a permutation of ``0..n-1``).

    Parameters
    ----------
    n
        Number of nodes.
    tails, heads
        The graph's edges (direction, parallel edges and self-loops do not matter).
    lat, lon
        Coordinates of the nodes in degrees (any planar-ish embedding works).

    Raises
    ------
    ValueError
        When the arrays disagree in length or an edge names a node outside ``0..n-1``.
    """
    t = np.asarray(tails, dtype=np.int64).reshape(-1)
    h = np.asarray(heads, dtype=np.int64).reshape(-1)
    la = np.asarray(lat, dtype=np.float64).reshape(-1)
    lo = np.asarray(lon, dtype=np.float64).reshape(-1)
    if t.shape != h.shape:
        raise ValueError(f"{t.shape[0]} tails but {h.shape[0]} heads; they must pair up")
    if la.shape[0] != n or lo.shape[0] != n:
        raise ValueError(f"need {n} latitudes and longitudes, got {la.shape[0]} and {lo.shape[0]}")
    if t.size and (min(t.min(), h.min()) < 0 or max(t.max(), h.max()) >= n):
        raise ValueError(f"edges must join nodes in 0..{n - 1}")
    if not (np.isfinite(la).all() and np.isfinite(lo).all()):
        raise ValueError("coordinates must be finite")
    # One undirected edge per adjacent pair, no loops.
    low, high = np.minimum(t, h), np.maximum(t, h)
    keep = low != high
    pairs = np.unique(low[keep] * n + high[keep]) if n else np.empty(0, np.int64)
    eu, ev = pairs // max(n, 1), pairs % max(n, 1)
    cos_lat = np.cos(np.radians(float(la.mean()))) if n else 1.0
    x, y = lo * cos_lat, la

    rank = np.full(n, -1, dtype=np.int64)
    next_rank = n - 1  # separators take the highest ranks still free, then their sides
    stack: list[tuple[IntArray, IntArray, IntArray]] = [
        (np.arange(n, dtype=np.int64), eu.astype(np.int64), ev.astype(np.int64))
    ]
    while stack:
        nodes, u, v = stack.pop()  # u, v: local ids into ``nodes``
        k = nodes.shape[0]
        if k == 0:
            continue
        if k <= _LEAF_NODES:
            degree = np.bincount(np.r_[u, v], minlength=k)
            for local in np.argsort(-degree, kind="stable"):
                rank[nodes[local]] = next_rank
                next_rank -= 1
            continue
        count, labels = _components(k, u, v)
        if count > 1:
            for component in range(count):
                stack.append(_subpiece(nodes, u, v, labels == component))
            continue
        separator, left = _flow_separator(x[nodes], y[nodes], u, v)
        for local in separator:
            rank[nodes[local]] = next_rank
            next_rank -= 1
        in_separator = np.zeros(k, dtype=bool)
        in_separator[separator] = True
        stack.append(_subpiece(nodes, u, v, left & ~in_separator))
        stack.append(_subpiece(nodes, u, v, ~left & ~in_separator))
    return rank


def _subpiece(
    nodes: IntArray, u: IntArray, v: IntArray, keep: npt.NDArray[np.bool_]
) -> tuple[IntArray, IntArray, IntArray]:
    local = np.cumsum(keep) - 1
    inside = keep[u] & keep[v]
    return nodes[keep], local[u[inside]], local[v[inside]]


def _flow_separator(
    x: FloatArray, y: FloatArray, u: IntArray, v: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """(separator nodes, one side's mask) of a connected piece: the best inertial-flow cut."""
    k = x.shape[0]
    straight = _separator(x, y, u, v)
    if k < _FLOW_MIN_NODES:
        return straight
    tails, heads = np.r_[u, v], np.r_[v, u]
    order = np.lexsort((heads, tails))
    position = np.empty(order.shape[0], dtype=np.int64)
    position[order] = np.arange(order.shape[0])
    half = u.shape[0]
    twin = np.empty(order.shape[0], dtype=np.int64)
    twin[position] = position[(np.arange(order.shape[0]) + half) % order.shape[0]]
    indptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=k), out=indptr[1:])
    adj = heads[order]
    share = max(1, int(k * _TERMINAL_SHARE))
    # The straight cut bounds the flow: a direction whose cut would be larger stops early.
    best_size = int(straight[0].shape[0])
    best = straight
    for angle in _DIRECTIONS_RAD:
        along = np.argsort(x * np.cos(angle) + y * np.sin(angle), kind="stable")
        is_source = np.zeros(k, dtype=bool)
        is_sink = np.zeros(k, dtype=bool)
        is_source[along[:share]] = True
        is_sink[along[-share:]] = True
        if np.any(is_source[u] & is_sink[v]) or np.any(is_sink[u] & is_source[v]):
            continue  # a source touches a sink: no vertex cut exists
        flow, separator, source_side = _min_vertex_cut(
            indptr, adj, twin, is_source, is_sink, best_size - 1
        )
        if flow < best_size:
            best_size = flow
            best = (np.flatnonzero(separator).astype(np.int64), source_side)
    return best


@numba.njit(cache=True, nogil=True)
def _components(k: int, u: IntArray, v: IntArray) -> tuple[int, IntArray]:
    """(number of connected components, component of each node), by union-find."""
    root = np.arange(k)
    for e in range(u.shape[0]):
        a = u[e]
        while root[a] != a:
            root[a] = root[root[a]]
            a = root[a]
        b = v[e]
        while root[b] != b:
            root[b] = root[root[b]]
            b = root[b]
        if a != b:
            root[max(a, b)] = min(a, b)
    labels = np.empty(k, np.int64)
    count = 0
    for x in range(k):
        r = x
        while root[r] != r:
            r = root[r]
        if r == x:
            labels[x] = count
            count += 1
        else:
            labels[x] = labels[r]
    return count, labels


def _separator(
    x: FloatArray, y: FloatArray, u: IntArray, v: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """(separator nodes, left side mask) of a connected piece: the best straight cut."""
    k = x.shape[0]
    low, high = int(k * _BALANCE), int(k * (1 - _BALANCE))
    best: tuple[int, IntArray, npt.NDArray[np.bool_]] | None = None
    for angle in _DIRECTIONS_RAD:
        projection = x * np.cos(angle) + y * np.sin(angle)
        order = np.argsort(projection, kind="stable")
        position = np.empty(k, dtype=np.int64)
        position[order] = np.arange(k)
        a = np.minimum(position[u], position[v])
        b = np.maximum(position[u], position[v])
        # Edge (a, b) crosses the cut "positions < c are left" for a < c <= b.
        change = np.bincount(a + 1, minlength=k + 2) - np.bincount(b + 1, minlength=k + 2)
        crossing = np.cumsum(change)[: k + 1]
        cut_at = low + int(np.argmin(crossing[low : high + 1]))
        left = position < cut_at
        cut = left[u] != left[v]
        left_ends = np.unique(np.where(left[u[cut]], u[cut], v[cut]))
        right_ends = np.unique(np.where(left[u[cut]], v[cut], u[cut]))
        separator = left_ends if left_ends.shape[0] <= right_ends.shape[0] else right_ends
        if best is None or separator.shape[0] < best[0]:
            best = (int(separator.shape[0]), separator, left)
    assert best is not None
    return best[1], best[2]
