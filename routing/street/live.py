"""Live metrics for one graph: a customizable hierarchy built once, customized per weight vector.

Congested times of a period, a profile's impassable classes, a closed street: each is a new
weight vector over the same edges. :class:`LiveMetrics` orders the graph once (the artefact
stores the order; without it, on the first such request) and keeps the few latest
customizations, keyed by the weight array itself: callers that keep their arrays (the
congested times of the latest assignment, the avoid masks a router caches) pay one
customization, then answer from the hierarchy. The metrics of the graph's own weights
(free-flow times, lengths) answer every free-flow one-to-one query, so they are kept apart and
never evicted.

Weight arrays handed in must not be modified afterwards (give a new array for new weights).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import OrderedDict
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from routing.errors import CorruptArtefactError
from routing.street.graph import CompactGraph
from routing.street.hierarchy.cch import CustomizableHierarchy, CustomizedMetric

__all__ = ["LiveMetrics", "hierarchy_file", "load_hierarchy", "save_hierarchy"]

log = logging.getLogger(__name__)

_KEPT_METRICS = 6


def hierarchy_file(folder: Path, mode: str) -> Path:
    """Where an artefact keeps a mode's customizable hierarchy (beside its other arrays)."""
    return folder / f"cch-{mode}.npz"


def save_hierarchy(graph: CompactGraph, folder: Path) -> CustomizableHierarchy:
    """Order and eliminate ``graph`` and store the result in the artefact ``folder``."""
    hierarchy = CustomizableHierarchy.build(
        graph.indptr, graph.heads, graph.node_lat, graph.node_lon
    )
    path = hierarchy_file(folder, graph.mode.value)
    partial = path.with_name(f".{path.name}.partial.npz")
    np.savez(partial, **hierarchy.to_arrays())  # type: ignore[arg-type]
    partial.replace(path)
    return hierarchy


def load_hierarchy(graph: CompactGraph, folder: Path) -> CustomizableHierarchy | None:
    """The stored hierarchy of ``graph``'s mode, or None when there is none or it does not
    fit the graph (then it is built again on first use, and the log says why)."""
    path = hierarchy_file(folder, graph.mode.value)
    if not path.is_file():
        return None
    try:
        with np.load(path) as npz:
            hierarchy = CustomizableHierarchy.from_arrays({k: npz[k] for k in npz.files})
    except (OSError, ValueError, CorruptArtefactError) as exc:
        log.warning("ignoring %s (%s); it will be rebuilt on first use", path, exc)
        return None
    if (hierarchy.num_nodes, hierarchy.num_input_edges) != (graph.node_count, graph.edge_count):
        log.warning("ignoring %s: it was built for another graph", path)
        return None
    return hierarchy


class LiveMetrics:
    """Customized metrics of one graph, built on demand and shared by threads."""

    def __init__(self, graph: CompactGraph, hierarchy: CustomizableHierarchy | None = None) -> None:
        self._graph = graph
        self._lock = threading.Lock()
        self._hierarchy = hierarchy
        self._metrics: OrderedDict[
            int, tuple[weakref.ref[NDArray[np.float64]], CustomizedMetric]
        ] = OrderedDict()
        # The metrics of the graph's own weights (free-flow times, lengths), never evicted.
        self._base: dict[int, CustomizedMetric] = {}
        self.customizations = 0  # how many times weights were customized (for tests and logs)

    @property
    def ordered(self) -> bool:
        """Whether the hierarchy is at hand (stored with the artefact or built already), so a
        customization costs no ordering: callers choose the hierarchy over Dijkstra then."""
        return self._hierarchy is not None

    @property
    def hierarchy(self) -> CustomizableHierarchy:
        """The graph's customizable hierarchy (ordered on first use)."""
        with self._lock:
            if self._hierarchy is None:
                graph = self._graph
                # The one costly step (seconds to a minute): say so, a stored order avoids it.
                log.info(
                    "ordering the %s graph for its customizable hierarchy (none stored with "
                    "the artefact)",
                    graph.mode.value,
                )
                self._hierarchy = CustomizableHierarchy.build(
                    graph.indptr, graph.heads, graph.node_lat, graph.node_lon
                )
            return self._hierarchy

    def customized(self, weights: NDArray[np.float64]) -> CustomizedMetric:
        """The hierarchy under ``weights`` (one per edge, ``inf`` impassable), reused while the
        same array is alive and among the latest few asked for."""
        key = id(weights)
        base = any(weights is self._graph.weights(m) for m in ("time", "distance"))
        with self._lock:
            if base and key in self._base:
                return self._base[key]
            kept = self._metrics.get(key)
            if kept is not None and kept[0]() is weights:
                self._metrics.move_to_end(key)
                return kept[1]
        started = time.perf_counter()
        metric = self.hierarchy.customize(weights)
        log.debug(
            "customized the %s hierarchy for new weights in %.3f s",
            self._graph.mode.value,
            time.perf_counter() - started,
        )
        with self._lock:
            self.customizations += 1
            if base:  # the graph's own weights serve every free-flow query: kept for good
                self._base[key] = metric
                return metric
            self._metrics[key] = (weakref.ref(weights), metric)
            while len(self._metrics) > _KEPT_METRICS:
                self._metrics.popitem(last=False)
        return metric
