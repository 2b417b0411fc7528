"""The contraction's state: per-node adjacency lists, the edge pool and the search scratch.

numba passes named tuples, not classes, so the state is a tree of named tuples rebuilt (not
mutated) whenever one of its buffers has to grow.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np
import numpy.typing as npt

from routing.street.hierarchy._heap import _INF, FloatArray, Int32Array, IntArray


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
