"""Contraction hierarchy preprocessing kernels: node ordering, witness searches, shortcuts.

The entry points are :func:`_init_priorities` and :func:`_contract_chunk` over a state from
:func:`~routing.street.hierarchy._state._init_state`; :func:`_hierarchy_arrays` then turns
the contracted state into the arrays of a :class:`routing.street.hierarchy.ch.ContractionHierarchy`.
"""

from __future__ import annotations

from typing import Any

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
    _sift_down,
)
from routing.street.hierarchy._state import (
    _HEAP_SIZE,
    _NEXT_RANK,
    _STAMP,
    _append,
    _BuildState,
    _grown,
    _Pool,
    _remove,
    _Shortcuts,
    _with,
)

# Witness searches stop after settling this many nodes or going this many edges deep. A
# search cut short only costs a superfluous shortcut, never a wrong answer, so the limits trade
# build time against query time. A node's priority is re-estimated each time a neighbour is
# contracted, so those searches are cheaper than the contraction's own, and for dense
# late-stage nodes they start from a sample of the in-neighbours: on the Grand Paris streets
# this halves the build time for some 2 % more shortcuts.
_SIMULATE_SETTLE_LIMIT = 50
_SIMULATE_HOP_LIMIT = 3
_SIMULATE_SAMPLE = 4
_CONTRACT_SETTLE_LIMIT = 500
_CONTRACT_HOP_LIMIT = 1_000_000


@numba.njit(cache=True)
def _witness_search(
    s: _BuildState,
    source: int,
    skip: int,
    limit: float,
    max_settled: int,
    max_hops: int,
    stamp: int,
    targets: int,
) -> int:
    """Dijkstra from ``source`` avoiding ``skip``; leaves distances in ``w_dist``.

    Stops once every node marked with ``stamp`` is settled, the frontier passes ``limit`` or
    ``max_settled`` nodes are settled. Returns how many nodes it touched (for the reset).
    """
    dist, pos, keys, nodes, touched = s.w_dist, s.w_pos, s.w_keys, s.w_nodes, s.w_touched
    out = s.out
    hops = s.w_hops
    dist[source] = 0.0
    hops[source] = 0
    touched[0] = source
    n_touched = 1
    size = _heap_push(keys, nodes, pos, 0, source, 0.0)
    settled = 0
    while size > 0:
        v = nodes[0]
        d = keys[0]
        size = _heap_pop(keys, nodes, pos, size)
        if d > limit:
            break
        if s.mark[v] == stamp:
            targets -= 1
            if targets == 0:
                break
        settled += 1
        if settled > max_settled:
            break
        if hops[v] >= max_hops:
            continue
        start = out.start[v]
        for k in range(start, start + out.length[v]):
            x = out.nbr[k]
            if x == skip:
                continue
            nd = d + out.wt[k]
            if nd < dist[x]:
                dist[x] = nd
                hops[x] = hops[v] + 1
                if pos[x] == -1:
                    touched[n_touched] = x
                    n_touched += 1
                    size = _heap_push(keys, nodes, pos, size, x, nd)
                else:
                    _heap_update(keys, nodes, pos, size, x, nd)
    for i in range(n_touched):
        pos[touched[i]] = -1
    return n_touched


@numba.njit(cache=True)
def _find_shortcuts(
    s: _BuildState, v: int, max_settled: int, max_hops: int, stride: int = 1
) -> tuple[int, int]:
    """Shortcuts that contracting ``v`` needs, written to ``s.sc``: (count, total hops).

    With ``stride > 1`` only every stride-th in-neighbour is searched from (an estimate for
    the priority). ``s.sc`` must have room for ``in-degree * out-degree`` entries.
    """
    inc, out, sc = s.inc, s.out, s.sc
    in_s, in_l = inc.start[v], inc.length[v]
    out_s, out_l = out.start[v], out.length[v]
    count = 0
    hops = 0
    if in_l == 0 or out_l == 0:
        return 0, 0
    max_out = 0.0
    for j in range(out_s, out_s + out_l):
        max_out = max(max_out, out.wt[j])
    for i in range(in_s, in_s + in_l, stride):
        u = inc.nbr[i]
        wu = inc.wt[i]
        s.counters[_STAMP] += 1
        stamp = s.counters[_STAMP]
        targets = 0
        for j in range(out_s, out_s + out_l):
            if out.nbr[j] != u:
                s.mark[out.nbr[j]] = stamp
                targets += 1
        if targets == 0:
            continue
        n_touched = _witness_search(s, u, v, wu + max_out, max_settled, max_hops, stamp, targets)
        for j in range(out_s, out_s + out_l):
            w = out.nbr[j]
            if w == u:
                continue
            via = wu + out.wt[j]
            # A witness of equal length is enough: some shortest u-w path avoids v.
            if s.w_dist[w] > via:
                sc.tail[count] = u
                sc.head[count] = w
                sc.wt[count] = via
                sc.first[count] = inc.eid[i]
                sc.second[count] = out.eid[j]
                hops += s.pool.hops[inc.eid[i]] + s.pool.hops[out.eid[j]]
                count += 1
        for k in range(n_touched):
            s.w_dist[s.w_touched[k]] = _INF
    return count, hops


@numba.njit(cache=True)
def _room(s: _BuildState, v: int) -> _BuildState:
    """``s`` with a shortcut buffer large enough for contracting ``v``."""
    needed = s.inc.length[v] * s.out.length[v]
    if needed <= s.sc.tail.shape[0]:
        return s
    size = max(needed, 2 * s.sc.tail.shape[0])
    sc = _Shortcuts(
        np.empty(size, np.int32),
        np.empty(size, np.int32),
        np.empty(size, np.float64),
        np.empty(size, np.int64),
        np.empty(size, np.int64),
    )
    return _with(s, s.out, s.inc, s.pool, sc)


@numba.njit(cache=True)
def _priority(s: _BuildState, v: int) -> float:
    """Level plus the added/removed quotients of edges and of hops (as RoutingKit does).

    Quotients rather than the plain edge difference keep dense late-stage nodes from being
    contracted too early; the level spreads contraction evenly over the map.
    """
    in_l = s.inc.length[v]
    stride = max(1, in_l // _SIMULATE_SAMPLE)
    added, added_hops = _find_shortcuts(s, v, _SIMULATE_SETTLE_LIMIT, _SIMULATE_HOP_LIMIT, stride)
    if stride > 1:
        searched = (in_l + stride - 1) // stride
        added = added * in_l // searched
        added_hops = added_hops * in_l // searched
    inc, out = s.inc, s.out
    removed = inc.length[v] + out.length[v]
    if removed == 0:
        return float(s.level[v])
    removed_hops = 0
    for k in range(inc.start[v], inc.start[v] + inc.length[v]):
        removed_hops += s.pool.hops[inc.eid[k]]
    for k in range(out.start[v], out.start[v] + out.length[v]):
        removed_hops += s.pool.hops[out.eid[k]]
    return float(s.level[v] + added / removed + added_hops / removed_hops)


@numba.njit(cache=True)
def _init_priorities(s: _BuildState) -> _BuildState:
    n = s.rank.shape[0]
    for v in range(n):
        s = _room(s, v)
        s.heap_keys[v] = _priority(s, v)
        s.heap_nodes[v] = v
        s.heap_pos[v] = v
    for i in range(n // 2 - 1, -1, -1):
        _sift_down(s.heap_keys, s.heap_nodes, s.heap_pos, i, n)
    s.counters[_HEAP_SIZE] = n
    return s


@numba.njit(cache=True)
def _add_shortcut(s: _BuildState, k: int) -> _BuildState:
    """Insert shortcut ``s.sc[k]`` in the pool and both lists, or lower an existing edge."""
    u, w, weight = s.sc.tail[k], s.sc.head[k], s.sc.wt[k]
    first, second = s.sc.first[k], s.sc.second[k]
    pool = s.pool
    ne = pool.size[0]
    if ne == pool.tail.shape[0]:
        pool = _Pool(
            _grown(pool.tail, ne + 1),
            _grown(pool.head, ne + 1),
            _grown(pool.wt, ne + 1),
            _grown(pool.first, ne + 1),
            _grown(pool.second, ne + 1),
            _grown(pool.orig, ne + 1),
            _grown(pool.hops, ne + 1),
            _grown(pool.alive, ne + 1),
            pool.size,
        )
    out, inc = s.out, s.inc
    existing = -1
    for j in range(out.start[u], out.start[u] + out.length[u]):
        if out.nbr[j] == w:
            existing = j
            break
    if existing >= 0:
        if out.wt[existing] <= weight:
            return _with(s, out, inc, pool, s.sc)
        # The old edge is dominated. Both its ends are uncontracted, so no shortcut refers to
        # it yet and it can leave the hierarchy.
        pool.alive[out.eid[existing]] = False
        out.wt[existing] = weight
        out.eid[existing] = ne
        for j in range(inc.start[w], inc.start[w] + inc.length[w]):
            if inc.nbr[j] == u:
                inc.wt[j] = weight
                inc.eid[j] = ne
                break
    else:
        out = _append(out, u, w, weight, ne)
        inc = _append(inc, w, u, weight, ne)
    pool.tail[ne] = u
    pool.head[ne] = w
    pool.wt[ne] = weight
    pool.first[ne] = first
    pool.second[ne] = second
    pool.orig[ne] = -1
    pool.hops[ne] = pool.hops[first] + pool.hops[second]
    pool.alive[ne] = True
    pool.size[0] = ne + 1
    return _with(s, out, inc, pool, s.sc)


@numba.njit(cache=True)
def _contract_chunk(s: _BuildState, max_nodes: int) -> _BuildState:
    """Contract up to ``max_nodes`` more nodes, cheapest first."""
    done = 0
    while s.counters[_HEAP_SIZE] > 0 and done < max_nodes:
        # No lazy re-evaluation: every neighbour is re-estimated right after each contraction,
        # so keys are fresh (lazy checks never fired on the Grand Paris streets).
        v = s.heap_nodes[0]
        s = _room(s, v)
        s.counters[_HEAP_SIZE] = _heap_pop(
            s.heap_keys, s.heap_nodes, s.heap_pos, s.counters[_HEAP_SIZE]
        )
        count, _ = _find_shortcuts(s, v, _CONTRACT_SETTLE_LIMIT, _CONTRACT_HOP_LIMIT)
        for k in range(count):
            s = _add_shortcut(s, k)
        s.rank[v] = s.counters[_NEXT_RANK]
        s.counters[_NEXT_RANK] += 1
        done += 1

        # Detach v, then refresh each neighbour once: its degree, level and priority changed.
        out, inc = s.out, s.inc
        s.counters[_STAMP] += 1
        stamp = s.counters[_STAMP]
        for k in range(out.start[v], out.start[v] + out.length[v]):
            _remove(inc, out.nbr[k], v)
            s.seen[out.nbr[k]] = stamp
        for k in range(inc.start[v], inc.start[v] + inc.length[v]):
            _remove(out, inc.nbr[k], v)
            s.seen[inc.nbr[k]] = stamp
        next_level = s.level[v] + 1
        for side in range(2):
            lists = out if side == 0 else inc
            for k in range(lists.start[v], lists.start[v] + lists.length[v]):
                x = lists.nbr[k]
                if s.seen[x] != stamp:
                    continue
                s.seen[x] = 0
                s.level[x] = max(s.level[x], next_level)
                s = _room(s, x)
                p = _priority(s, x)
                _heap_update(s.heap_keys, s.heap_nodes, s.heap_pos, s.counters[_HEAP_SIZE], x, p)
    return s


@numba.njit(cache=True)
def _breadth_first_labels(n: int, tails: Int32Array, heads: IntArray) -> Int32Array:
    """New node ids in breadth-first order over the undirected graph, component by component."""
    m = tails.shape[0]
    degree = np.zeros(n + 1, np.int64)
    for i in range(m):
        degree[tails[i] + 1] += 1
        degree[heads[i] + 1] += 1
    indptr = np.cumsum(degree)
    fill = indptr[:-1].copy()
    nbr = np.empty(2 * m, np.int32)
    for i in range(m):
        nbr[fill[tails[i]]] = heads[i]
        fill[tails[i]] += 1
        nbr[fill[heads[i]]] = tails[i]
        fill[heads[i]] += 1
    label = np.full(n, -1, np.int32)
    queue = np.empty(n, np.int32)
    count = 0
    for root in range(n):
        if label[root] >= 0:
            continue
        label[root] = count
        queue[count] = root
        count += 1
        head = count - 1
        while head < count:
            v = queue[head]
            head += 1
            for k in range(indptr[v], indptr[v + 1]):
                x = nbr[k]
                if label[x] < 0:
                    label[x] = count
                    queue[count] = x
                    count += 1
    return label


def _csr(
    owner: Int32Array, other: Int32Array, weights: FloatArray, edges: IntArray, n: int
) -> tuple[IntArray, Int32Array, FloatArray, IntArray]:
    order = np.lexsort((other, owner))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=indptr[1:])
    return indptr, other[order], weights[order], edges[order]


def _hierarchy_arrays(state: _BuildState, label: Int32Array) -> dict[str, Any]:
    """Number nodes by rank and the surviving edges densely; split them into up and down.

    ``label`` maps input node ids to the ids the contraction ran on.
    """
    pool = state.pool
    size = int(pool.size[0])
    n = state.rank.shape[0]
    alive = np.flatnonzero(pool.alive[:size])
    new_id = np.full(size, -1, dtype=np.int64)
    new_id[alive] = np.arange(alive.shape[0], dtype=np.int64)
    tail = state.rank[pool.tail[alive]]
    head = state.rank[pool.head[alive]]
    rank = state.rank[label]
    weight = pool.wt[alive]
    ids = np.arange(alive.shape[0], dtype=np.int64)
    up = tail < head
    down = ~up
    up_indptr, up_heads, up_weights, up_edges = _csr(tail[up], head[up], weight[up], ids[up], n)
    down_indptr, down_tails, down_weights, down_edges = _csr(
        head[down], tail[down], weight[down], ids[down], n
    )
    first = pool.first[alive]
    second = pool.second[alive]
    shortcut = first >= 0
    first[shortcut] = new_id[first[shortcut]]
    second[shortcut] = new_id[second[shortcut]]
    return {
        "rank": rank,
        "up_indptr": up_indptr,
        "up_heads": up_heads,
        "up_weights": up_weights,
        "up_edges": up_edges,
        "down_indptr": down_indptr,
        "down_tails": down_tails,
        "down_weights": down_weights,
        "down_edges": down_edges,
        "edge_original": pool.orig[alive],
        "edge_first": first,
        "edge_second": second,
        "edge_hops": pool.hops[alive],
    }
