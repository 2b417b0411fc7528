"""Live metrics for one graph: a customizable hierarchy built once, customized per weight vector.

Congested times of a period, a profile's impassable classes, a closed street: each is a new
weight vector over the same edges. :class:`LiveMetrics` orders the graph once (lazily, on the
first such request) and keeps the few latest customizations, keyed by the weight array itself:
callers that keep their arrays (the congested times of the latest assignment, the avoid masks
a router caches) pay one customization, then answer from the hierarchy.

Weight arrays handed in must not be modified afterwards (give a new array for new weights).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

import numpy as np
from numpy.typing import NDArray

from routing.street.graph import CompactGraph
from routing.street.hierarchy.cch import CustomizableHierarchy, CustomizedMetric

__all__ = ["LiveMetrics"]

_KEPT_METRICS = 6


class LiveMetrics:
    """Customized metrics of one graph, built on demand and shared by threads."""

    def __init__(self, graph: CompactGraph) -> None:
        self._graph = graph
        self._lock = threading.Lock()
        self._hierarchy: CustomizableHierarchy | None = None
        self._metrics: OrderedDict[
            int, tuple[weakref.ref[NDArray[np.float64]], CustomizedMetric]
        ] = OrderedDict()
        self.customizations = 0  # how many times weights were customized (for tests and logs)

    @property
    def hierarchy(self) -> CustomizableHierarchy:
        """The graph's customizable hierarchy (ordered on first use)."""
        with self._lock:
            if self._hierarchy is None:
                graph = self._graph
                self._hierarchy = CustomizableHierarchy.build(
                    graph.indptr, graph.heads, graph.node_lat, graph.node_lon
                )
            return self._hierarchy

    def customized(self, weights: NDArray[np.float64]) -> CustomizedMetric:
        """The hierarchy under ``weights`` (one per edge, ``inf`` impassable), reused while the
        same array is alive and among the latest few asked for."""
        key = id(weights)
        with self._lock:
            kept = self._metrics.get(key)
            if kept is not None and kept[0]() is weights:
                self._metrics.move_to_end(key)
                return kept[1]
        metric = self.hierarchy.customize(weights)
        with self._lock:
            self.customizations += 1
            self._metrics[key] = (weakref.ref(weights), metric)
            while len(self._metrics) > _KEPT_METRICS:
                self._metrics.popitem(last=False)
        return metric
