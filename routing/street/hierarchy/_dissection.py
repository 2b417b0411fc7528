"""The nested dissection of :mod:`.cch_order`, run in one compiled loop.

The recursion is an explicit stack of node ranges: every piece is a contiguous slice of one
permutation array, split in place into [left | right | separator]. A piece's local graph is
read from the global undirected CSR through a piece stamp, so no Python object is made per
piece (the Python version spent half its time making them). The four projections of a piece
are sorted once and serve both the straight cut and the inertial-flow terminals.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from routing.street.hierarchy._vertex_cut import _min_vertex_cut

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@numba.njit(cache=True, nogil=True)
def _local_graph(
    nodes: IntArray,
    lo: int,
    hi: int,
    indptr: IntArray,
    adj: IntArray,
    piece: IntArray,
    local: IntArray,
    stamp: int,
) -> tuple[IntArray, IntArray, IntArray]:
    """(indptr, adj, twin) of the piece ``nodes[lo:hi]`` in local ids, both directions."""
    k = hi - lo
    for i in range(k):
        g = nodes[lo + i]
        piece[g] = stamp
        local[g] = i
    ptr = np.zeros(k + 1, np.int64)
    for i in range(k):
        g = nodes[lo + i]
        c = 0
        for a in range(indptr[g], indptr[g + 1]):
            if piece[adj[a]] == stamp:
                c += 1
        ptr[i + 1] = ptr[i] + c
    out = np.empty(ptr[k], np.int64)
    for i in range(k):
        g = nodes[lo + i]
        p = ptr[i]
        for a in range(indptr[g], indptr[g + 1]):
            if piece[adj[a]] == stamp:
                out[p] = local[adj[a]]
                p += 1
    twin = np.empty(ptr[k], np.int64)
    for i in range(k):
        for a in range(ptr[i], ptr[i + 1]):
            j = out[a]
            for b in range(ptr[j], ptr[j + 1]):
                if out[b] == i:
                    twin[a] = b
                    break
    return ptr, out, twin


@numba.njit(cache=True, nogil=True)
def _component_labels(ptr: IntArray, out: IntArray, labels: IntArray, queue: IntArray) -> int:
    """Label the connected components of a local graph; return their number."""
    k = ptr.shape[0] - 1
    labels[:k] = -1
    count = 0
    for start in range(k):
        if labels[start] >= 0:
            continue
        labels[start] = count
        head = 0
        tail = 1
        queue[0] = start
        while head < tail:
            v = queue[head]
            head += 1
            for a in range(ptr[v], ptr[v + 1]):
                w = out[a]
                if labels[w] < 0:
                    labels[w] = count
                    queue[tail] = w
                    tail += 1
        count += 1
    return count


@numba.njit(cache=True, nogil=True)
def _straight_cut(
    ptr: IntArray, out: IntArray, along: IntArray, balance: float
) -> tuple[IntArray, BoolArray]:
    """(separator, left mask): the best cut across the middle of one sorted projection.

    The separator is the smaller set of endpoints of the edges the cut crosses.
    """
    k = ptr.shape[0] - 1
    position = np.empty(k, np.int64)
    for i in range(k):
        position[along[i]] = i
    change = np.zeros(k + 2, np.int64)
    for v in range(k):
        for a in range(ptr[v], ptr[v + 1]):
            w = out[a]
            if v < w:
                pa = min(position[v], position[w])
                pb = max(position[v], position[w])
                change[pa + 1] += 1
                change[pb + 1] -= 1
    low = int(k * balance)
    high = int(k * (1 - balance))
    crossing = 0
    best = -1
    cut_at = low
    for c in range(high + 1):
        crossing += change[c]
        if c >= low and (best < 0 or crossing < best):
            best = crossing
            cut_at = c
    left = np.empty(k, np.bool_)
    for v in range(k):
        left[v] = position[v] < cut_at
    on_left = np.zeros(k, np.bool_)
    on_right = np.zeros(k, np.bool_)
    for v in range(k):
        for a in range(ptr[v], ptr[v + 1]):
            w = out[a]
            if left[v] and not left[w]:
                on_left[v] = True
                on_right[w] = True
    n_left = 0
    n_right = 0
    for v in range(k):
        n_left += on_left[v]
        n_right += on_right[v]
    chosen = on_left if n_left <= n_right else on_right
    separator = np.flatnonzero(chosen).astype(np.int64)
    return separator, left


@numba.njit(cache=True, nogil=True)
def _piece_separator(
    ptr: IntArray,
    out: IntArray,
    twin: IntArray,
    x: FloatArray,
    y: FloatArray,
    cosines: FloatArray,
    sines: FloatArray,
    balance: float,
    flow_min_nodes: int,
    terminal_share: float,
) -> tuple[IntArray, BoolArray]:
    """(separator, one side's mask) of a connected piece: the best of four inertial cuts."""
    k = ptr.shape[0] - 1
    directions = cosines.shape[0]
    orders = np.empty((directions, k), np.int64)
    projection = np.empty(k)
    for d in range(directions):
        for i in range(k):
            projection[i] = x[i] * cosines[d] + y[i] * sines[d]
        orders[d] = np.argsort(projection, kind="mergesort")
    best_sep, best_left = _straight_cut(ptr, out, orders[0], balance)
    for d in range(1, directions):
        sep, left = _straight_cut(ptr, out, orders[d], balance)
        if sep.shape[0] < best_sep.shape[0]:
            best_sep = sep
            best_left = left
    if k < flow_min_nodes:
        return best_sep, best_left
    share = max(1, int(k * terminal_share))
    best_size = best_sep.shape[0]
    is_source = np.zeros(k, np.bool_)
    is_sink = np.zeros(k, np.bool_)
    for d in range(directions):
        is_source[:] = False
        is_sink[:] = False
        for i in range(share):
            is_source[orders[d, i]] = True
            is_sink[orders[d, k - 1 - i]] = True
        touching = False
        for v in range(k):
            if is_source[v]:
                for a in range(ptr[v], ptr[v + 1]):
                    if is_sink[out[a]]:
                        touching = True
        if touching:
            continue  # a source touches a sink: no vertex cut exists
        flow, separator, source_side = _min_vertex_cut(
            ptr, out, twin, is_source, is_sink, best_size - 1
        )
        if flow < best_size:
            best_size = flow
            best_sep = np.flatnonzero(separator).astype(np.int64)
            best_left = source_side
    return best_sep, best_left


@numba.njit(cache=True, nogil=True)
def _dissect(
    indptr: IntArray,
    adj: IntArray,
    x_all: FloatArray,
    y_all: FloatArray,
    nodes: IntArray,
    rank: IntArray,
    piece: IntArray,
    local: IntArray,
    lo_first: int,
    hi_first: int,
    rank_first: int,
    stamp_first: int,
    stamp_step: int,
    split_until: int,
    cosines: FloatArray,
    sines: FloatArray,
    leaf_nodes: int,
    balance: float,
    flow_min_nodes: int,
    terminal_share: float,
) -> tuple[IntArray, IntArray, IntArray, int]:
    """Rank the nodes of ``nodes[lo_first:hi_first]``, whose highest rank is ``rank_first``.

    Stops early once ``split_until`` (> 1) pieces wait, and returns them as ``(lo, hi,
    highest rank)`` rows plus the last piece stamp used: a piece takes a contiguous block of
    ranks, so the waiting pieces can be ranked independently (by threads: ``nodes``,
    ``rank``, ``piece`` and ``local`` are only touched at the piece's own nodes, and piece
    stamps ``stamp_first + c * stamp_step`` differ between calls given distinct first stamps).
    """
    size = hi_first - lo_first
    scratch = np.empty(size, np.int64)
    labels = np.empty(size, np.int64)
    queue = np.empty(size, np.int64)
    stack_lo = np.empty(size + 1, np.int64)
    stack_hi = np.empty(size + 1, np.int64)
    stack_rank = np.empty(size + 1, np.int64)
    top = 0
    if size > 0:
        stack_lo[0] = lo_first
        stack_hi[0] = hi_first
        stack_rank[0] = rank_first
        top = 1
    stamp = stamp_first - stamp_step
    while top > 0 and (split_until <= 1 or top < split_until):
        top -= 1
        lo = stack_lo[top]
        hi = stack_hi[top]
        next_rank = stack_rank[top]  # separators take the highest ranks, then their sides
        k = hi - lo
        stamp += stamp_step
        ptr, out, twin = _local_graph(nodes, lo, hi, indptr, adj, piece, local, stamp)
        if k <= leaf_nodes:
            degree = np.empty(k, np.int64)
            for i in range(k):
                degree[i] = -(ptr[i + 1] - ptr[i])
            for i in np.argsort(degree, kind="mergesort"):
                rank[nodes[lo + i]] = next_rank
                next_rank -= 1
            continue
        base = lo - lo_first  # where this piece sits in ``scratch``
        count = _component_labels(ptr, out, labels, queue)
        if count > 1:
            # Components side by side in the slice, each a piece of its own.
            sizes = np.zeros(count + 1, np.int64)
            for i in range(k):
                sizes[labels[i] + 1] += 1
            for c in range(count):
                sizes[c + 1] += sizes[c]
            fill = sizes[:count].copy()
            for i in range(k):
                scratch[base + fill[labels[i]]] = nodes[lo + i]
                fill[labels[i]] += 1
            nodes[lo:hi] = scratch[base : base + k]
            # The last pushed is ranked first, from the top of the block down.
            above = 0
            for c in range(count - 1, -1, -1):
                stack_lo[top + c] = lo + sizes[c]
                stack_hi[top + c] = lo + sizes[c + 1]
                stack_rank[top + c] = next_rank - above
                above += sizes[c + 1] - sizes[c]
            top += count
            continue
        x = np.empty(k)
        y = np.empty(k)
        for i in range(k):
            x[i] = x_all[nodes[lo + i]]
            y[i] = y_all[nodes[lo + i]]
        separator, left = _piece_separator(
            ptr, out, twin, x, y, cosines, sines, balance, flow_min_nodes, terminal_share
        )
        in_separator = np.zeros(k, np.bool_)
        for s in separator:
            in_separator[s] = True
            rank[nodes[lo + s]] = next_rank
            next_rank -= 1
        p = base
        for i in range(k):
            if left[i] and not in_separator[i]:
                scratch[p] = nodes[lo + i]
                p += 1
        middle = p - base + lo
        for i in range(k):
            if not left[i] and not in_separator[i]:
                scratch[p] = nodes[lo + i]
                p += 1
        for s in separator:
            scratch[p] = nodes[lo + s]
            p += 1
        nodes[lo:hi] = scratch[base : base + k]
        right_end = hi - separator.shape[0]
        stack_lo[top] = lo
        stack_hi[top] = middle
        stack_rank[top] = next_rank - (right_end - middle)
        top += 1
        stack_lo[top] = middle
        stack_hi[top] = right_end
        stack_rank[top] = next_rank
        top += 1
    return stack_lo[:top].copy(), stack_hi[:top].copy(), stack_rank[:top].copy(), stamp
