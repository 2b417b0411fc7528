"""Minimum vertex cut between two node sets of an undirected graph, by unit-capacity max flow.

Every node but the terminals carries at most one unit of flow (the usual split of a node into
an "in" and an "out" half joined by capacity 1); edges have no limit. Augmenting paths are
found by breadth-first search over the halves until none is left; the nodes whose "in" half is
reachable from the sources but whose "out" half is not then form a minimum vertex separator
(max-flow min-cut). Used by the nested dissection to find inertial-flow separators.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
Int32Array = npt.NDArray[np.int32]
IntArray = npt.NDArray[np.int64]

_ROOT = -3
_THROUGH = -1  # in -> out inside a node
_BACK = -2  # out -> in inside a node, cancelling its flow


@numba.njit(cache=True, nogil=True)
def _min_vertex_cut(
    indptr: IntArray,
    adj: IntArray,
    twin: IntArray,
    is_source: BoolArray,
    is_sink: BoolArray,
    max_flow: int,
) -> tuple[int, BoolArray, BoolArray]:
    """(flow, separator mask, source-side mask); flow > max_flow means "gave up".

    The sources and the sinks must not be adjacent (no finite cut would exist).
    """
    k = indptr.shape[0] - 1
    used = np.zeros(k, np.bool_)
    flow = np.zeros(adj.shape[0], np.int32)
    parent = np.empty(2 * k, np.int64)
    parent_arc = np.empty(2 * k, np.int64)
    visited = np.zeros(2 * k, np.int32)
    queue = np.empty(2 * k, np.int64)
    # Flow never enters a source, so a search starts at the "out" halves of the sources
    # that touch another node (the frontier); the others are only marked as reached.
    sources = np.flatnonzero(is_source)
    frontier = np.empty(sources.shape[0], np.int64)
    fronts = 0
    for src in sources:
        for a in range(indptr[src], indptr[src + 1]):
            if not is_source[adj[a]]:
                frontier[fronts] = src
                fronts += 1
                break
    stamp = 0
    total = 0
    while True:
        stamp += 1
        head = 0
        tail = 0
        for src in sources:
            visited[2 * src] = stamp
            visited[2 * src + 1] = stamp
            parent_arc[2 * src] = _ROOT
            parent_arc[2 * src + 1] = _ROOT
        for f in range(fronts):
            queue[tail] = 2 * frontier[f] + 1
            tail += 1
        found = -1
        while head < tail and found < 0:
            s = queue[head]
            head += 1
            v = s >> 1
            if s & 1 == 0:  # the "in" half of v
                if is_sink[v]:
                    found = s
                    break
                out = 2 * v + 1
                if (is_source[v] or not used[v]) and visited[out] != stamp:
                    visited[out] = stamp
                    parent[out] = s
                    parent_arc[out] = _THROUGH
                    queue[tail] = out
                    tail += 1
                for a in range(indptr[v], indptr[v + 1]):
                    u_out = 2 * adj[a] + 1
                    if flow[a] < 0 and visited[u_out] != stamp:  # cancel flow u -> v
                        visited[u_out] = stamp
                        parent[u_out] = s
                        parent_arc[u_out] = a
                        queue[tail] = u_out
                        tail += 1
            else:  # the "out" half of v
                back = 2 * v
                if used[v] and not is_source[v] and visited[back] != stamp:
                    visited[back] = stamp
                    parent[back] = s
                    parent_arc[back] = _BACK
                    queue[tail] = back
                    tail += 1
                for a in range(indptr[v], indptr[v + 1]):
                    u_in = 2 * adj[a]
                    if visited[u_in] != stamp:
                        visited[u_in] = stamp
                        parent[u_in] = s
                        parent_arc[u_in] = a
                        queue[tail] = u_in
                        tail += 1
        if found < 0:
            break
        total += 1
        if total > max_flow:
            break
        s = found
        while parent_arc[s] != _ROOT:
            a = parent_arc[s]
            if a == _THROUGH:
                used[s >> 1] = True
            elif a == _BACK:
                used[s >> 1] = False
            else:
                flow[a] += 1
                flow[twin[a]] -= 1
            s = parent[s]
    separator = np.zeros(k, np.bool_)
    source_side = np.zeros(k, np.bool_)
    for v in range(k):
        reach_in = visited[2 * v] == stamp
        reach_out = visited[2 * v + 1] == stamp
        separator[v] = reach_in and not reach_out
        source_side[v] = reach_out
    return total, separator, source_side
