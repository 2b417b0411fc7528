"""Indexed binary min-heap over node ids, shared by the contraction and the query kernels.

``pos[node]`` is a node's slot in the heap, -1 if it was never pushed and -2 once popped.
Every function is ``inline="always"`` so the kernels that use it pay no call overhead.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
_INF = np.inf


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
