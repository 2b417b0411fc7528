"""Which nodes of a customizable hierarchy each thread customizes.

Customizing node ``y`` (pulling its lower triangles) reads only arcs of ``y``'s descendants in
the elimination tree and writes only ``y``'s own arcs, so disjoint subtrees are independent.
The tree is opened from the roots down, always at the biggest subtree, until no subtree holds
more than a share of the nodes; the opened nodes (the top separators) are customized last, on
one thread, and the subtrees are dealt to the threads, biggest first to the least loaded.
"""

from __future__ import annotations

import heapq

import numba
import numpy as np
import numpy.typing as npt

from routing.street.hierarchy._heap import Int32Array, IntArray

BoolArray = npt.NDArray[np.bool_]

_SUBTREES_PER_THREAD = 4  # finer subtrees balance the threads better


def customization_schedule(parent: Int32Array, threads: int) -> tuple[list[IntArray], IntArray]:
    """(one rank-sorted node list per thread, the opened nodes in rank order, to run last).

    ``parent`` is the elimination-tree parent of each rank (-1 at roots); children always
    rank below their parent. With one thread every node is in the first list.
    """
    n = parent.shape[0]
    if threads <= 1 or n == 0:
        return [np.arange(n, dtype=np.int64)], np.empty(0, dtype=np.int64)
    size = _subtree_sizes(parent)
    has_parent = parent >= 0
    by_parent = np.argsort(parent, kind="stable")
    child_start = np.searchsorted(parent[by_parent], np.arange(n + 1))
    largest = max(1, n // (threads * _SUBTREES_PER_THREAD))
    heap = [(-int(size[r]), int(r)) for r in np.flatnonzero(~has_parent)]
    heapq.heapify(heap)
    opened: list[int] = []
    while heap and -heap[0][0] > largest:
        _, x = heapq.heappop(heap)
        opened.append(x)
        for child in by_parent[child_start[x] : child_start[x + 1]].tolist():
            heapq.heappush(heap, (-int(size[child]), child))
    label = np.full(n, -1, dtype=np.int64)
    load = [0] * threads
    for negative_size, root in sorted(heap):
        thread = load.index(min(load))
        load[thread] -= negative_size
        label[root] = thread
    is_open = np.zeros(n, dtype=bool)
    is_open[opened] = True
    _inherit_labels(parent, is_open, label)
    groups = [np.flatnonzero(label == t).astype(np.int64) for t in range(threads)]
    return groups, np.flatnonzero(is_open).astype(np.int64)


@numba.njit(cache=True, nogil=True)
def _subtree_sizes(parent: Int32Array) -> IntArray:
    size = np.ones(parent.shape[0], np.int64)
    for x in range(parent.shape[0]):  # children first: ranks grow upwards
        if parent[x] >= 0:
            size[parent[x]] += size[x]
    return size


@numba.njit(cache=True, nogil=True)
def _inherit_labels(parent: Int32Array, is_open: BoolArray, label: IntArray) -> None:
    for x in range(parent.shape[0] - 1, -1, -1):  # parents first: a subtree takes its root's
        if label[x] < 0 and not is_open[x] and parent[x] >= 0:
            label[x] = label[parent[x]]
