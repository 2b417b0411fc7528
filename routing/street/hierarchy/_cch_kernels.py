"""Kernels of the customizable contraction hierarchy: chordal supergraph, customization, query.

Nodes are numbered by rank. The chordal supergraph is stored once, upward: arc ``i`` joins
``arc_tail[i]`` to ``up_heads[i]`` (higher rank), the arcs of each node sorted by head. Every
arc has two *half-arcs*: ``2 i`` runs upward (tail to head), ``2 i + 1`` downward. A metric is
one weight per half-arc plus how to unpack it: ``half_edge[h]`` is the input edge it stands
for, or -1 when it is the shortcut ``half_first[h]`` then ``half_second[h]``.

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


@numba.njit(cache=True, nogil=True)
def _input_weights(
    edge_half: IntArray, weights: FloatArray, arcs: int
) -> tuple[FloatArray, IntArray, Int32Array, Int32Array]:
    """Half-arc weights from the input edges alone (the cheapest edge of each), no shortcut."""
    weight = np.full(2 * arcs, _INF)
    half_edge = np.full(2 * arcs, -1, np.int64)
    first = np.full(2 * arcs, -1, np.int32)
    second = np.full(2 * arcs, -1, np.int32)
    for e in range(edge_half.shape[0]):
        h = edge_half[e]
        if h >= 0 and weights[e] < weight[h]:
            weight[h] = weights[e]
            half_edge[h] = e
    return weight, half_edge, first, second


@numba.njit(cache=True, nogil=True)
def _pull_triangles(
    nodes: IntArray,
    up_indptr: IntArray,
    up_heads: Int32Array,
    arc_tail: Int32Array,
    down_indptr: IntArray,
    down_arcs: IntArray,
    weight: FloatArray,
    half_edge: IntArray,
    first: Int32Array,
    second: Int32Array,
) -> None:
    """Finish the upward arcs of each node ``y`` of ``nodes`` (in this order) from its lower
    triangles: ``y -> x -> z`` and ``z -> x -> y`` for every lower neighbour ``x``.

    Only ``y``'s own arcs are written and only arcs of its elimination-tree descendants are
    read, so disjoint subtrees can be customized by different threads at once.
    """
    for t in range(nodes.shape[0]):
        y = nodes[t]
        for d in range(down_indptr[y], down_indptr[y + 1]):
            i = down_arcs[d]
            x = arc_tail[i]
            down_xy = weight[2 * i + 1]  # y -> x
            up_xy = weight[2 * i]  # x -> y
            if down_xy == _INF and up_xy == _INF:
                continue
            k = up_indptr[y]
            for j in range(i + 1, up_indptr[x + 1]):
                z = up_heads[j]
                while up_heads[k] < z:  # z is an upper neighbour of y: the graph is chordal
                    k += 1
                through = down_xy + weight[2 * j]  # y -> x -> z
                if through < weight[2 * k]:
                    weight[2 * k] = through
                    half_edge[2 * k] = -1
                    first[2 * k] = 2 * i + 1
                    second[2 * k] = 2 * j
                through = weight[2 * j + 1] + up_xy  # z -> x -> y
                if through < weight[2 * k + 1]:
                    weight[2 * k + 1] = through
                    half_edge[2 * k + 1] = -1
                    first[2 * k + 1] = 2 * j + 1
                    second[2 * k + 1] = 2 * i


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
    h: int,
    out: IntArray,
    p: int,
    stack: IntArray,
    half_edge: IntArray,
    first: Int32Array,
    second: Int32Array,
) -> tuple[IntArray, int]:
    """Append the input edges of half-arc ``h`` in path order at ``out[p:]`` (grows ``out``)."""
    top = 0
    stack[0] = h
    while top >= 0:
        x = stack[top]
        top -= 1
        if half_edge[x] >= 0:
            if p == out.shape[0]:
                grown = np.empty(2 * out.shape[0] + 8, np.int64)
                grown[:p] = out[:p]
                out = grown
            out[p] = half_edge[x]
            p += 1
        else:
            stack[top + 1] = second[x]
            stack[top + 2] = first[x]
            top += 2
    return out, p


@numba.njit(cache=True, nogil=True)
def _query(
    up_indptr: IntArray,
    up_heads: Int32Array,
    arc_tail: Int32Array,
    parent: Int32Array,
    rank: Int32Array,
    weight: FloatArray,
    half_edge: IntArray,
    first: Int32Array,
    second: Int32Array,
    sources: IntArray,
    source_costs: FloatArray,
    targets: IntArray,
    target_costs: FloatArray,
    dist_f: FloatArray,
    dist_b: FloatArray,
    pred_f: IntArray,
    pred_b: IntArray,
    origin_f: Int32Array,
    origin_b: Int32Array,
    seen: Int32Array,
    list_f: Int32Array,
    list_b: Int32Array,
    stack: IntArray,
    want_path: bool,
) -> tuple[float, int, int, IntArray]:
    """Elimination-tree search from both ends, meeting at the cheapest common ancestor.

    Scratch (``dist_*`` all inf on entry) is left clean on return.
    """
    count_f = _ancestors(parent, rank, sources, seen, list_f)
    count_b = _ancestors(parent, rank, targets, seen, list_b)
    for s in range(sources.shape[0]):
        x = rank[sources[s]]
        if source_costs[s] < dist_f[x]:
            dist_f[x] = source_costs[s]
            pred_f[x] = -1
            origin_f[x] = s
    for t in range(targets.shape[0]):
        x = rank[targets[t]]
        if target_costs[t] < dist_b[x]:
            dist_b[x] = target_costs[t]
            pred_b[x] = -1
            origin_b[x] = t
    best = _INF
    meet = -1
    i = 0
    j = 0
    while i < count_f or j < count_b:
        xf = list_f[i] if i < count_f else 2147483647
        xb = list_b[j] if j < count_b else 2147483647
        x = min(xf, xb)
        # Both labels of x are final here: every lower ancestor has been processed.
        if xf == x and xb == x:
            total = dist_f[x] + dist_b[x]
            if total < best:
                best = total
                meet = x
        if xf == x:
            i += 1
            d = dist_f[x]
            if d < best:
                for k in range(up_indptr[x], up_indptr[x + 1]):
                    y = up_heads[k]
                    nd = d + weight[2 * k]
                    if nd < dist_f[y]:
                        dist_f[y] = nd
                        pred_f[y] = 2 * k
                        origin_f[y] = origin_f[x]
        if xb == x:
            j += 1
            d = dist_b[x]
            if d < best:
                for k in range(up_indptr[x], up_indptr[x + 1]):
                    y = up_heads[k]
                    nd = d + weight[2 * k + 1]
                    if nd < dist_b[y]:
                        dist_b[y] = nd
                        pred_b[y] = 2 * k + 1
                        origin_b[y] = origin_b[x]

    source_index = -1
    target_index = -1
    path = np.empty(0, np.int64)
    if meet >= 0:
        source_index = origin_f[meet]
        target_index = origin_b[meet]
        if want_path:
            # The forward chain runs from the meeting node down to the source: reverse it.
            chain = 0
            x = meet
            while pred_f[x] >= 0:
                chain += 1
                x = arc_tail[pred_f[x] >> 1]
            halves = np.empty(chain, np.int64)
            x = meet
            for c in range(chain - 1, -1, -1):
                halves[c] = pred_f[x]
                x = arc_tail[pred_f[x] >> 1]
            path = np.empty(64, np.int64)
            p = 0
            for c in range(chain):
                path, p = _unpack_half(halves[c], path, p, stack, half_edge, first, second)
            x = meet
            while pred_b[x] >= 0:
                path, p = _unpack_half(pred_b[x], path, p, stack, half_edge, first, second)
                x = arc_tail[pred_b[x] >> 1]
            path = path[:p].copy()

    for c in range(count_f):
        dist_f[list_f[c]] = _INF
    for c in range(count_b):
        dist_b[list_b[c]] = _INF
    return best, source_index, target_index, path


@numba.njit(cache=True, nogil=True)
def _upward(
    up_indptr: IntArray,
    up_heads: Int32Array,
    parent: Int32Array,
    rank: Int32Array,
    weight: FloatArray,
    direction: int,
    nodes: IntArray,
    costs: FloatArray,
    dist: FloatArray,
    seen: Int32Array,
    out: Int32Array,
) -> int:
    """Elimination-tree search without pruning: ``dist`` over the ancestors listed in ``out``.

    ``direction`` 0 climbs upward half-arcs (from sources), 1 downward ones read backwards
    (towards targets). Returns how many ancestors ``out`` holds; the caller resets ``dist``.
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
            nd = d + weight[2 * k + direction]
            if nd < dist[y]:
                dist[y] = nd
    return count


@numba.njit(cache=True, nogil=True)
def _matrix(
    up_indptr: IntArray,
    up_heads: Int32Array,
    parent: Int32Array,
    rank: Int32Array,
    weight: FloatArray,
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
            up_indptr, up_heads, parent, rank, weight, 1,
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
            up_indptr, up_heads, parent, rank, weight, 0,
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
