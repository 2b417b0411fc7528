"""Contraction hierarchies: point-to-point street routing in well under a millisecond.

A contraction hierarchy (Geisberger, Sanders, Schultes and Delling, 2008) orders the nodes by
"importance" and contracts them one by one, adding a shortcut ``u -> w`` whenever removing
``v`` would break the only shortest path ``u -> v -> w``. A query then runs two Dijkstra
searches that only ever climb the order, one from the sources and one (backwards) from the
targets, which settle a few hundred nodes on a city instead of the whole graph.

The input is a directed graph in CSR form over nodes ``0..n-1`` (``indptr``, ``heads``,
``weights``); the answer names the input's own edge ids so callers keep their geometry and
street names. Everything hot runs in ``numba`` (``cache=True``, so compilation happens once per
machine, not per process).

Internally nodes are renumbered by contraction rank: the top of the hierarchy, which every
query visits, then sits in a few contiguous cache lines.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numba
import numpy as np
import numpy.typing as npt

from routing.errors import CorruptArtefactError

__all__ = ["ContractionHierarchy", "RouteResult"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]

_FORMAT_VERSION = 1
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
_INF = np.inf


# ---------------------------------------------------------------------------------------------
# Indexed binary min-heap over node ids: ``pos[node]`` is the slot, -1 unseen, -2 popped.
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True, inline="always")
def _sift_up(keys: FloatArray, nodes: Int32Array, pos: Int32Array, i: int) -> None:
    key = keys[i]
    node = nodes[i]
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        nodes[i] = nodes[parent]
        pos[nodes[i]] = i
        i = parent
    keys[i] = key
    nodes[i] = node
    pos[node] = i


@numba.njit(cache=True, inline="always")
def _sift_down(keys: FloatArray, nodes: Int32Array, pos: Int32Array, i: int, size: int) -> None:
    key = keys[i]
    node = nodes[i]
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[i] = keys[child]
        nodes[i] = nodes[child]
        pos[nodes[i]] = i
        i = child
    keys[i] = key
    nodes[i] = node
    pos[node] = i


@numba.njit(cache=True, inline="always")
def _heap_push(
    keys: FloatArray, nodes: Int32Array, pos: Int32Array, size: int, node: int, key: float
) -> int:
    keys[size] = key
    nodes[size] = node
    _sift_up(keys, nodes, pos, size)
    return size + 1


@numba.njit(cache=True, inline="always")
def _heap_pop(keys: FloatArray, nodes: Int32Array, pos: Int32Array, size: int) -> int:
    """Remove the root (read it from ``nodes[0]``/``keys[0]`` first); return the new size."""
    pos[nodes[0]] = -2
    size -= 1
    if size > 0:
        keys[0] = keys[size]
        nodes[0] = nodes[size]
        _sift_down(keys, nodes, pos, 0, size)
    return size


@numba.njit(cache=True, inline="always")
def _heap_update(
    keys: FloatArray, nodes: Int32Array, pos: Int32Array, size: int, node: int, key: float
) -> None:
    i = pos[node]
    old = keys[i]
    keys[i] = key
    if key < old:
        _sift_up(keys, nodes, pos, i)
    else:
        _sift_down(keys, nodes, pos, i, size)


# ---------------------------------------------------------------------------------------------
# Contraction
# ---------------------------------------------------------------------------------------------


class _Lists(NamedTuple):
    """One adjacency list per node in a flat buffer (numba takes named tuples, not classes).

    Node ``v`` owns ``[start[v], start[v] + length[v])`` with room for ``cap[v]`` entries; a
    list that outgrows its room moves to the end of the buffer. Lists hold only uncontracted
    neighbours, so ``length`` is the current degree. ``end[0]`` is the used buffer size.
    """

    start: IntArray
    length: IntArray
    cap: IntArray
    nbr: Int32Array
    wt: FloatArray
    eid: IntArray
    end: IntArray


class _Pool(NamedTuple):
    """Every edge of the hierarchy: original edges (``orig >= 0``) and shortcuts."""

    tail: Int32Array
    head: Int32Array
    wt: FloatArray
    first: IntArray
    second: IntArray
    orig: IntArray
    hops: IntArray
    alive: npt.NDArray[np.bool_]
    size: IntArray


class _Shortcuts(NamedTuple):
    """Shortcuts found for the node being contracted: tail, head, weight and both halves."""

    tail: Int32Array
    head: Int32Array
    wt: FloatArray
    first: IntArray
    second: IntArray


class _BuildState(NamedTuple):
    """Everything the contraction carries from one chunk (and one helper) to the next."""

    out: _Lists
    inc: _Lists
    pool: _Pool
    sc: _Shortcuts
    rank: Int32Array
    level: IntArray
    heap_keys: FloatArray
    heap_nodes: Int32Array
    heap_pos: Int32Array
    # Witness-search scratch; ``mark`` flags its targets, ``seen`` dedups neighbours.
    w_dist: FloatArray
    w_pos: Int32Array
    w_keys: FloatArray
    w_nodes: Int32Array
    w_touched: Int32Array
    w_hops: Int32Array
    mark: IntArray
    seen: IntArray
    # [next rank, heap size, stamp]
    counters: IntArray


_NEXT_RANK, _HEAP_SIZE, _STAMP = range(3)


@numba.njit(cache=True)
def _with(s: _BuildState, out: _Lists, inc: _Lists, pool: _Pool, sc: _Shortcuts) -> _BuildState:
    return _BuildState(
        out,
        inc,
        pool,
        sc,
        s.rank,
        s.level,
        s.heap_keys,
        s.heap_nodes,
        s.heap_pos,
        s.w_dist,
        s.w_pos,
        s.w_keys,
        s.w_nodes,
        s.w_touched,
        s.w_hops,
        s.mark,
        s.seen,
        s.counters,
    )


@numba.njit(cache=True)
def _grown(arr: Any, needed: int) -> Any:
    if needed <= arr.shape[0]:
        return arr
    out = np.empty(max(needed, 2 * arr.shape[0]), arr.dtype)
    out[: arr.shape[0]] = arr
    return out


@numba.njit(cache=True)
def _append(lists: _Lists, node: int, x: int, w: float, e: int) -> _Lists:
    if lists.length[node] == lists.cap[node]:
        end = lists.end[0]
        new_cap = max(4, 2 * lists.cap[node])
        lists = _Lists(
            lists.start,
            lists.length,
            lists.cap,
            _grown(lists.nbr, end + new_cap),
            _grown(lists.wt, end + new_cap),
            _grown(lists.eid, end + new_cap),
            lists.end,
        )
        s = lists.start[node]
        for k in range(lists.length[node]):
            lists.nbr[end + k] = lists.nbr[s + k]
            lists.wt[end + k] = lists.wt[s + k]
            lists.eid[end + k] = lists.eid[s + k]
        lists.start[node] = end
        lists.cap[node] = new_cap
        lists.end[0] = end + new_cap
    p = lists.start[node] + lists.length[node]
    lists.nbr[p] = x
    lists.wt[p] = w
    lists.eid[p] = e
    lists.length[node] += 1
    return lists


@numba.njit(cache=True)
def _remove(lists: _Lists, node: int, x: int) -> None:
    s = lists.start[node]
    last = s + lists.length[node] - 1
    for k in range(s, last + 1):
        if lists.nbr[k] == x:
            lists.nbr[k] = lists.nbr[last]
            lists.wt[k] = lists.wt[last]
            lists.eid[k] = lists.eid[last]
            lists.length[node] -= 1
            return


@numba.njit(cache=True)
def _make_lists(n: int, owner: Int32Array, other: Int32Array, weights: FloatArray) -> _Lists:
    m = owner.shape[0]
    length = np.zeros(n, np.int64)
    for i in range(m):
        length[owner[i]] += 1
    # Two spare slots per list: most street nodes gain a shortcut or two while contracting.
    cap = length + 2
    start = np.zeros(n, np.int64)
    for v in range(1, n):
        start[v] = start[v - 1] + cap[v - 1]
    end = start[n - 1] + cap[n - 1] if n > 0 else 0
    nbr = np.empty(2 * end, np.int32)
    wt = np.empty(2 * end, np.float64)
    eid = np.empty(2 * end, np.int64)
    length[:] = 0
    for i in range(m):
        v = owner[i]
        p = start[v] + length[v]
        nbr[p] = other[i]
        wt[p] = weights[i]
        eid[p] = i
        length[v] += 1
    return _Lists(start, length, cap, nbr, wt, eid, np.array([end], np.int64))


@numba.njit(cache=True)
def _init_state(
    n: int, tails: Int32Array, heads: Int32Array, weights: FloatArray, orig: IntArray
) -> _BuildState:
    """State for the deduplicated, loop-free input graph."""
    m = tails.shape[0]
    size = 2 * m + 16
    pool = _Pool(
        np.empty(size, np.int32),
        np.empty(size, np.int32),
        np.empty(size, np.float64),
        np.full(size, -1, np.int64),
        np.full(size, -1, np.int64),
        np.full(size, -1, np.int64),
        np.ones(size, np.int64),
        np.zeros(size, np.bool_),
        np.array([m], np.int64),
    )
    pool.tail[:m] = tails
    pool.head[:m] = heads
    pool.wt[:m] = weights
    pool.orig[:m] = orig
    pool.alive[:m] = True
    sc = _Shortcuts(
        np.empty(64, np.int32),
        np.empty(64, np.int32),
        np.empty(64, np.float64),
        np.empty(64, np.int64),
        np.empty(64, np.int64),
    )
    return _BuildState(
        _make_lists(n, tails, heads, weights),
        _make_lists(n, heads, tails, weights),
        pool,
        sc,
        np.full(n, -1, np.int32),
        np.zeros(n, np.int64),
        np.empty(n, np.float64),
        np.empty(n, np.int32),
        np.full(n, -1, np.int32),
        np.full(n, _INF),
        np.full(n, -1, np.int32),
        np.empty(n, np.float64),
        np.empty(n, np.int32),
        np.empty(n, np.int32),
        np.empty(n, np.int32),
        np.zeros(n, np.int64),
        np.zeros(n, np.int64),
        np.zeros(3, np.int64),
    )


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
    return s.level[v] + added / removed + added_hops / removed_hops


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


# ---------------------------------------------------------------------------------------------
# Query
# ---------------------------------------------------------------------------------------------


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


@numba.njit(cache=True)
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


class _QueryScratch:
    """Lazily allocated per-hierarchy scratch and the lock that serialises its use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sides: tuple[_Side, _Side] | None = None


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
    Queries reuse scratch arrays owned by the hierarchy and take a lock around them, so one
    hierarchy answers one query at a time per process (a query takes well under a millisecond).
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
    _scratch: _QueryScratch = field(
        default_factory=_QueryScratch, init=False, repr=False, compare=False
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
        scratch = self._scratch
        with scratch.lock:
            if scratch.sides is None:
                scratch.sides = (_new_side(self.num_nodes), _new_side(self.num_nodes))
            fwd, bwd = scratch.sides
            result: tuple[float, int, int, IntArray] = _query_kernel(
                self.up_indptr, self.up_heads, self.up_weights, self.up_edges,
                self.down_indptr, self.down_tails, self.down_weights, self.down_edges,
                self.edge_original, self.edge_first, self.edge_second, self.edge_hops,
                self.rank, sources, source_costs, targets, target_costs, fwd, bwd, want_path,
            )  # fmt: skip
        return result


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
