"""Kernels of the customizable contraction hierarchy: chordal supergraph, customization, query.

Nodes are numbered by rank. The chordal supergraph is stored once, upward: arc ``i`` joins
``arc_tail[i]`` to ``up_heads[i]`` (higher rank), the arcs of each node sorted by head. Every
arc has two *half-arcs*: ``2 i`` runs upward (tail to head), ``2 i + 1`` downward. A metric is
two weights per arc, ``up[i]`` and ``down[i]`` (apart, so a search reads only its direction's),
plus how to unpack each half-arc in one int64: ``unpack[h] = ~e`` (negative) when it is input
edge ``e``, else the shortcut of half-arcs ``unpack[h] >> 32`` then ``unpack[h] & 0xFFFFFFFF``.

Every kernel is ``nogil``; queries take their scratch from the caller, one set per thread.
"""

from __future__ import annotations

import numba
import numpy as np

from routing.street.hierarchy._heap import _INF, FloatArray, Int32Array, IntArray


@numba.njit(cache=True, nogil=True)
def _chordal_supergraph(
    n: int, init_indptr: IntArray, init_heads: Int32Array
) -> tuple[IntArray, Int32Array, Int32Array]:
    """Eliminate nodes in rank order; return (up_indptr, up_heads, elimination-tree parent).

    ``init_*`` is the upward CSR of the input graph (undirected, heads sorted, no duplicates).
    The upper neighbours of ``x`` after elimination are its own plus those of the nodes whose
    elimination-tree parent is ``x`` (minus ``x``): children are eliminated first, so one pass
    in rank order suffices.
    """
    capacity = max(16, 3 * init_heads.shape[0])
    heads = np.empty(capacity, np.int32)
    indptr = np.zeros(n + 1, np.int64)
    parent = np.full(n, -1, np.int32)
    first_child = np.full(n, -1, np.int32)
    next_sibling = np.full(n, -1, np.int32)
    stamp = np.full(n, -1, np.int32)
    gathered = np.empty(n, np.int32)
    size = 0
    for x in range(n):
        count = 0
        stamp[x] = x
        for k in range(init_indptr[x], init_indptr[x + 1]):
            y = init_heads[k]
            if stamp[y] != x:
                stamp[y] = x
                gathered[count] = y
                count += 1
        c = first_child[x]
        while c != -1:
            for k in range(indptr[c], indptr[c + 1]):
                y = heads[k]
                if stamp[y] != x:
                    stamp[y] = x
                    gathered[count] = y
                    count += 1
            c = next_sibling[c]
        if size + count > capacity:
            capacity = max(2 * capacity, size + count)
            grown = np.empty(capacity, np.int32)
            grown[:size] = heads[:size]
            heads = grown
        ups = np.sort(gathered[:count])
        heads[size : size + count] = ups
        size += count
        indptr[x + 1] = size
        if count > 0:
            p = ups[0]
            parent[x] = p
            next_sibling[x] = first_child[p]
            first_child[p] = x
    return indptr, heads[:size].copy(), parent


@numba.njit(cache=True, nogil=True)
def _input_half_arcs(
    up_indptr: IntArray, up_heads: Int32Array, rank: Int32Array, tails: IntArray, heads: IntArray
) -> IntArray:
    """The half-arc each input edge lies on (-1 for self-loops)."""
    m = tails.shape[0]
    out = np.full(m, -1, np.int64)
    for e in range(m):
        a = rank[tails[e]]
        b = rank[heads[e]]
        if a == b:
            continue
        low = min(a, b)
        high = max(a, b)
        lo = up_indptr[low]
        hi = up_indptr[low + 1]
        # binary search of ``high`` among the sorted upper neighbours of ``low``
        while lo < hi:
            mid = (lo + hi) >> 1
            if up_heads[mid] < high:
                lo = mid + 1
            else:
                hi = mid
        out[e] = 2 * lo + (0 if a < b else 1)
    return out


@numba.njit(cache=True, nogil=True)
def _lower_arcs(up_indptr: IntArray, up_heads: Int32Array) -> tuple[IntArray, IntArray]:
    """The arcs grouped by their upper end: ``down_arcs[down_indptr[y]:down_indptr[y + 1]]``
    are the arcs ``x -> y`` with ``x < y``, by ``x`` ascending."""
    n = up_indptr.shape[0] - 1
    arcs = up_heads.shape[0]
    down_indptr = np.zeros(n + 1, np.int64)
    for i in range(arcs):
        down_indptr[up_heads[i] + 1] += 1
    for y in range(n):
        down_indptr[y + 1] += down_indptr[y]
    fill = down_indptr[:-1].copy()
    down_arcs = np.empty(arcs, np.int64)
    for i in range(arcs):
        y = up_heads[i]
        down_arcs[fill[y]] = i
        fill[y] += 1
    return down_indptr, down_arcs


_NO_UNPACK = -(1 << 62)  # a half-arc that is neither an input edge nor a shortcut (inf)
_LOW32 = 0xFFFFFFFF
_BEYOND = 2147483647  # a cursor past the root of its elimination tree


@numba.njit(cache=True, nogil=True)
def _input_weights(
    edge_half: IntArray, weights: FloatArray, arcs: int
) -> tuple[FloatArray, FloatArray, IntArray]:
    """(upward, downward) arc weights and the unpacking of each half-arc from the input
    edges alone (the cheapest edge of each), no shortcut yet."""
    up = np.full(arcs, _INF)
    down = np.full(arcs, _INF)
    unpack = np.full(2 * arcs, _NO_UNPACK, np.int64)
    for e in range(edge_half.shape[0]):
        h = edge_half[e]
        if h < 0:
            continue
        side = down if h & 1 else up
        if weights[e] < side[h >> 1]:
            side[h >> 1] = weights[e]
            unpack[h] = ~e
    return up, down, unpack


@numba.njit(cache=True, nogil=True)
def _pull_triangles(
    nodes: IntArray,
    up_indptr: IntArray,
    up_heads: Int32Array,
    arc_tail: Int32Array,
    down_indptr: IntArray,
    down_arcs: IntArray,
    up: FloatArray,
    down: FloatArray,
    unpack: IntArray,
) -> None:
    """Finish the arcs of each node ``y`` of ``nodes`` (in this order) from its lower
    triangles: ``y -> x -> z`` and ``z -> x -> y`` for every lower neighbour ``x``.

    Only ``y``'s own arcs are written and only arcs of its elimination-tree descendants are
    read, so disjoint subtrees can be customized by different threads at once. A shortcut's
    unpacking is its two half-arcs packed in one int64 (first in the high 32 bits).
    """
    for t in range(nodes.shape[0]):
        y = nodes[t]
        for d in range(down_indptr[y], down_indptr[y + 1]):
            i = down_arcs[d]
            x = arc_tail[i]
            down_xy = down[i]  # y -> x
            up_xy = up[i]  # x -> y
            if down_xy == _INF and up_xy == _INF:
                continue
            k = up_indptr[y]
            for j in range(i + 1, up_indptr[x + 1]):
                z = up_heads[j]
                while up_heads[k] < z:  # z is an upper neighbour of y: the graph is chordal
                    k += 1
                through = down_xy + up[j]  # y -> x -> z
                if through < up[k]:
                    up[k] = through
                    unpack[2 * k] = ((2 * i + 1) << 32) | (2 * j)
                through = down[j] + up_xy  # z -> x -> y
                if through < down[k]:
                    down[k] = through
                    unpack[2 * k + 1] = ((2 * j + 1) << 32) | (2 * i)


@numba.njit(cache=True, nogil=True)
def _endpoints_valid(nodes: IntArray, costs: FloatArray, n: int) -> bool:
    """Whether every node lies in ``0..n-1`` and every cost is finite (the fast check)."""
    for i in range(nodes.shape[0]):
        if nodes[i] < 0 or nodes[i] >= n or not np.isfinite(costs[i]):
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _ancestors(
    parent: Int32Array, rank: Int32Array, nodes: IntArray, seen: Int32Array, out: Int32Array
) -> int:
    """Write the union of the nodes' elimination-tree ancestors, sorted, to ``out``."""
    count = 0
    for s in range(nodes.shape[0]):
        x = rank[nodes[s]]
        while x != -1 and seen[x] == 0:
            seen[x] = 1
            out[count] = x
            count += 1
            x = parent[x]
    for i in range(count):
        seen[out[i]] = 0
    if nodes.shape[0] > 1:
        out[:count] = np.sort(out[:count])
    return count


@numba.njit(cache=True, nogil=True)
def _unpack_half(
    h: int, out: IntArray, p: int, stack: IntArray, unpack: IntArray
) -> tuple[IntArray, int]:
    """Append the input edges of half-arc ``h`` in path order at ``out[p:]`` (grows ``out``).

    Depth first: follow first halves down to an input edge, keeping the second ones on
    ``stack``; each step reads one packed entry, so one cache line.
    """
    top = 0
    while True:
        u = unpack[np.uint64(h)]  # unsigned indices: numba skips its wrap-around checks
        while u >= 0:
            stack[np.uint64(top)] = u & _LOW32
            top += 1
            u = unpack[np.uint64(u >> 32)]
        if p == out.shape[0]:
            grown = np.empty(2 * out.shape[0] + 8, np.int64)
            grown[:p] = out[:p]
            out = grown
        out[np.uint64(p)] = ~u
        p += 1
        if top == 0:
            return out, p
        top -= 1
        h = stack[np.uint64(top)]


@numba.njit(cache=True, nogil=True)
def _lowest(cursors: Int32Array) -> int:
    x = _BEYOND
    for c in range(cursors.shape[0]):
        x = min(x, int(cursors[c]))
    return x


@numba.njit(cache=True, nogil=True)
def _advance(cursors: Int32Array, x: int, parent: Int32Array) -> int:
    """Move every cursor at ``x`` to its parent (past a root: beyond every rank); return
    the lowest cursor."""
    for c in range(cursors.shape[0]):
        if cursors[c] == x:
            p = parent[x]
            cursors[c] = p if p >= 0 else _BEYOND
    return _lowest(cursors)


@numba.njit(cache=True, nogil=True)
def _seed(
    rank: Int32Array, nodes: IntArray, costs: FloatArray, dist: FloatArray, pred: Int32Array
) -> Int32Array:
    """Put the ends' costs at their ranks; return one cursor per end (its rank)."""
    cursors = np.empty(nodes.shape[0], np.int32)
    for i in range(nodes.shape[0]):
        x = rank[nodes[i]]
        cursors[i] = x
        if costs[i] < dist[x]:
            dist[x] = costs[i]
            pred[x] = -1 - i
    return cursors


@numba.njit(cache=True, nogil=True)
def _relax(
    x: int,
    d: float,
    up_indptr: IntArray,
    up_heads: Int32Array,
    weight: FloatArray,
    dist: FloatArray,
    pred: Int32Array,
) -> None:
    """Relax the arcs of ``x`` (at cost ``d``) to its upper neighbours. Indices are made
    unsigned: numba then skips its negative-index wrap-around, a third of the loop's time."""
    for k in range(np.uint64(up_indptr[x]), np.uint64(up_indptr[x + 1])):
        y = np.uint32(up_heads[k])
        nd = d + weight[k]
        if nd < dist[y]:
            dist[y] = nd
            pred[y] = k


@numba.njit(cache=True, nogil=True)
def _clear(
    cursors: Int32Array, rank: Int32Array, nodes: IntArray, parent: Int32Array, dist: FloatArray
) -> None:
    """Reset ``dist`` on the ancestors of ``nodes`` (chains walked again, merged)."""
    for i in range(nodes.shape[0]):
        cursors[i] = rank[nodes[i]]
    x = _lowest(cursors)
    while x != _BEYOND:
        dist[x] = _INF
        x = _advance(cursors, x, parent)


@numba.njit(cache=True, nogil=True)
def _origin(pred: Int32Array, arc_tail: Int32Array, x: int) -> int:
    """The index of the end a search label came from: follow ``pred`` down to the seed."""
    while pred[x] >= 0:
        x = arc_tail[pred[x]]
    return -1 - int(pred[x])


@numba.njit(cache=True, nogil=True)
def _one_to_one(
    up_indptr: IntArray,
    up_heads: Int32Array,
    parent: Int32Array,
    up: FloatArray,
    down: FloatArray,
    s: int,
    s_cost: float,
    t: int,
    t_cost: float,
    dist_f: FloatArray,
    dist_b: FloatArray,
    pred_f: Int32Array,
    pred_b: Int32Array,
) -> tuple[float, int]:
    """The search of :func:`_query` from one rank ``s`` to one rank ``t``: each side walks a
    single chain, so no cursor is needed (a quarter of the query's time at 115k nodes)."""
    x = s
    dist_f[x] = s_cost
    pred_f[x] = -1
    while x != -1:
        d = dist_f[x]
        if d < _INF:
            _relax(x, d, up_indptr, up_heads, up, dist_f, pred_f)
        x = parent[x]
    best = _INF
    meet = -1
    x = t
    dist_b[x] = t_cost
    pred_b[x] = -1
    while x != -1:
        d = dist_b[x]
        dist_b[x] = _INF
        total = d + dist_f[x]
        if total < best:
            best = total
            meet = x
        if d < best:
            _relax(x, d, up_indptr, up_heads, down, dist_b, pred_b)
        x = parent[x]
    x = s
    while x != -1:
        dist_f[x] = _INF
        x = parent[x]
    return best, meet


@numba.njit(cache=True, nogil=True)
def _sets_to_sets(
    up_indptr: IntArray,
    up_heads: Int32Array,
    parent: Int32Array,
    rank: Int32Array,
    up: FloatArray,
    down: FloatArray,
    sources: IntArray,
    source_costs: FloatArray,
    targets: IntArray,
    target_costs: FloatArray,
    dist_f: FloatArray,
    dist_b: FloatArray,
    pred_f: Int32Array,
    pred_b: Int32Array,
) -> tuple[float, int]:
    """The search of :func:`_query` from several ends: the chains of each side are walked
    merged, one cursor per end, in increasing rank."""
    cursors_f = _seed(rank, sources, source_costs, dist_f, pred_f)
    cursors_b = _seed(rank, targets, target_costs, dist_b, pred_b)
    x = _lowest(cursors_f)
    while x != _BEYOND:
        d = dist_f[x]
        if d < _INF:
            _relax(x, d, up_indptr, up_heads, up, dist_f, pred_f)
        x = _advance(cursors_f, x, parent)
    best = _INF
    meet = -1
    x = _lowest(cursors_b)
    while x != _BEYOND:
        d = dist_b[x]
        dist_b[x] = _INF
        total = d + dist_f[x]
        if total < best:
            best = total
            meet = x
        if d < best:
            _relax(x, d, up_indptr, up_heads, down, dist_b, pred_b)
        x = _advance(cursors_b, x, parent)
    _clear(cursors_f, rank, sources, parent, dist_f)
    return best, meet


@numba.njit(cache=True, nogil=True)
def _query(
    up_indptr: IntArray,
    up_heads: Int32Array,
    arc_tail: Int32Array,
    parent: Int32Array,
    rank: Int32Array,
    up: FloatArray,
    down: FloatArray,
    unpack: IntArray,
    sources: IntArray,
    source_costs: FloatArray,
    targets: IntArray,
    target_costs: FloatArray,
    dist_f: FloatArray,
    dist_b: FloatArray,
    pred_f: Int32Array,
    pred_b: Int32Array,
    stack: IntArray,
    want_path: bool,
) -> tuple[float, int, int, IntArray]:
    """Elimination-tree search from both ends, meeting at the cheapest common ancestor.

    The forward search walks the sources' ancestor chains in increasing rank (one cursor per
    end, merged: no list, no sort), so a node's label is final when its turn comes. The
    backward search then walks the targets' chains the same way, checks each node as a meeting
    point, and relaxes no label at or above the best meeting found. ``pred_*`` holds the arc a
    label came through, or ``-1 - i`` at end ``i`` itself. The scratch (``dist_*`` all inf on
    entry) is clean on return.

    Returns ``(cost, source index, target index, path)``; indices -1 when no target is
    reachable, -2 when an end is invalid (out of range, cost not finite, none given): the
    caller then says what was wrong, and nothing was written.
    """
    n = rank.shape[0]
    none = np.empty(0, np.int64)
    if sources.shape[0] == 0 or targets.shape[0] == 0:
        return _INF, -2, -2, none
    if not _endpoints_valid(sources, source_costs, n) or not _endpoints_valid(
        targets, target_costs, n
    ):
        return _INF, -2, -2, none
    if sources.shape[0] == 1 and targets.shape[0] == 1:
        best, meet = _one_to_one(
            up_indptr, up_heads, parent, up, down, rank[sources[0]], source_costs[0],
            rank[targets[0]], target_costs[0], dist_f, dist_b, pred_f, pred_b,
        )  # fmt: skip
    else:
        best, meet = _sets_to_sets(
            up_indptr, up_heads, parent, rank, up, down, sources, source_costs, targets,
            target_costs, dist_f, dist_b, pred_f, pred_b,
        )  # fmt: skip
    if meet < 0:
        return best, -1, -1, none
    source_index = _origin(pred_f, arc_tail, meet)
    target_index = _origin(pred_b, arc_tail, meet)
    if not want_path:
        return best, source_index, target_index, none
    # The forward chain runs from the meeting node down to the source: read it backwards.
    chain = 0
    x = meet
    while pred_f[x] >= 0:
        chain += 1
        x = arc_tail[pred_f[x]]
    arcs = np.empty(chain, np.int64)
    x = meet
    for c in range(chain - 1, -1, -1):
        arcs[c] = pred_f[x]
        x = arc_tail[pred_f[x]]
    path = np.empty(256, np.int64)
    p = 0
    for c in range(chain):
        path, p = _unpack_half(2 * arcs[c], path, p, stack, unpack)
    x = meet
    while pred_b[x] >= 0:
        path, p = _unpack_half(2 * pred_b[x] + 1, path, p, stack, unpack)
        x = arc_tail[pred_b[x]]
    return best, source_index, target_index, path[:p]


@numba.njit(cache=True, nogil=True)
def _upward(
    up_indptr: IntArray,
    up_heads: Int32Array,
    parent: Int32Array,
    rank: Int32Array,
    weight: FloatArray,
    nodes: IntArray,
    costs: FloatArray,
    dist: FloatArray,
    seen: Int32Array,
    out: Int32Array,
) -> int:
    """Elimination-tree search without pruning: ``dist`` over the ancestors listed in ``out``.

    ``weight``: the upward arc weights to climb from sources, the downward ones (read
    backwards) towards targets. Returns how many ancestors ``out`` holds; the caller resets
    ``dist``.
    """
    count = _ancestors(parent, rank, nodes, seen, out)
    for s in range(nodes.shape[0]):
        x = rank[nodes[s]]
        if costs[s] < dist[x]:
            dist[x] = costs[s]
    for c in range(count):
        x = out[c]
        d = dist[x]
        if d == _INF:
            continue
        for k in range(up_indptr[x], up_indptr[x + 1]):
            y = up_heads[k]
            nd = d + weight[k]
            if nd < dist[y]:
                dist[y] = nd
    return count


@numba.njit(cache=True, nogil=True)
def _matrix(
    up_indptr: IntArray,
    up_heads: Int32Array,
    parent: Int32Array,
    rank: Int32Array,
    up: FloatArray,
    down: FloatArray,
    source_ptr: IntArray,
    source_nodes: IntArray,
    source_costs: FloatArray,
    target_ptr: IntArray,
    target_nodes: IntArray,
    target_costs: FloatArray,
) -> FloatArray:
    """Many-to-many costs by buckets on the elimination tree.

    Origin ``i`` is the node set ``source_nodes[source_ptr[i]:source_ptr[i + 1]]`` with its
    start costs, destination ``j`` likewise. Each destination's backward search leaves
    ``(j, cost to j)`` in a bucket at every ancestor it reaches; each origin's forward search
    then scans the buckets of its own ancestors. Two searches per point instead of one per pair.
    """
    n = up_indptr.shape[0] - 1
    rows = source_ptr.shape[0] - 1
    cols = target_ptr.shape[0] - 1
    dist = np.full(n, _INF)
    seen = np.zeros(n, np.int32)
    ancestors = np.empty(n, np.int32)
    # Bucket entries, first gathered in target order, then sorted by node.
    capacity = 1024
    entry_node = np.empty(capacity, np.int32)
    entry_target = np.empty(capacity, np.int32)
    entry_cost = np.empty(capacity, np.float64)
    size = 0
    for j in range(cols):
        a, b = target_ptr[j], target_ptr[j + 1]
        count = _upward(
            up_indptr, up_heads, parent, rank, down,
            target_nodes[a:b], target_costs[a:b], dist, seen, ancestors,
        )  # fmt: skip
        for c in range(count):
            x = ancestors[c]
            if dist[x] < _INF:
                if size == capacity:
                    capacity *= 2
                    grown_node = np.empty(capacity, np.int32)
                    grown_target = np.empty(capacity, np.int32)
                    grown_cost = np.empty(capacity, np.float64)
                    grown_node[:size] = entry_node[:size]
                    grown_target[:size] = entry_target[:size]
                    grown_cost[:size] = entry_cost[:size]
                    entry_node, entry_target, entry_cost = grown_node, grown_target, grown_cost
                entry_node[size] = x
                entry_target[size] = j
                entry_cost[size] = dist[x]
                size += 1
            dist[x] = _INF
    bucket_ptr = np.zeros(n + 1, np.int64)
    for e in range(size):
        bucket_ptr[entry_node[e] + 1] += 1
    for x in range(n):
        bucket_ptr[x + 1] += bucket_ptr[x]
    fill = bucket_ptr[:-1].copy()
    bucket_target = np.empty(size, np.int32)
    bucket_cost = np.empty(size, np.float64)
    for e in range(size):
        slot = fill[entry_node[e]]
        fill[entry_node[e]] += 1
        bucket_target[slot] = entry_target[e]
        bucket_cost[slot] = entry_cost[e]
    out = np.full((rows, cols), _INF)
    for i in range(rows):
        a, b = source_ptr[i], source_ptr[i + 1]
        count = _upward(
            up_indptr, up_heads, parent, rank, up,
            source_nodes[a:b], source_costs[a:b], dist, seen, ancestors,
        )  # fmt: skip
        for c in range(count):
            x = ancestors[c]
            d = dist[x]
            if d < _INF:
                for e in range(bucket_ptr[x], bucket_ptr[x + 1]):
                    total = d + bucket_cost[e]
                    if total < out[i, bucket_target[e]]:
                        out[i, bucket_target[e]] = total
            dist[x] = _INF
    return out
