"""Which closed streets stand between two places a car cannot join.

A car plan is answered ``NO_ROUTE`` when no street path joins its places; when the live drive
times close some streets (infinite time where the compiled graph has a finite one: a closure
a planner confirmed), the traveller should learn that the closure is why, and which street
it is. The route the car would take were the closed streets open tells it: the closed
streets it runs along are those to name. Asked only once a car plan has failed, so the extra
customization it costs is paid on that path alone, and once per live times: the opened
times are kept while the live ones live, so the next stranded plan reuses their metric.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from routing.street.router import StreetRouter
from routing.street.snap import Snap

__all__ = ["closed_streets_on_the_way"]

# The latest live times asked about and their opened copy (with the closed edges' mask).
_opened: tuple[weakref.ref[NDArray[np.float64]], NDArray[np.bool_], NDArray[np.float64]] | None
_opened = None
_opened_lock = threading.Lock()


def _opened_times(
    free_s: NDArray[np.float64], live_s: NDArray[np.float64]
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """The edges ``live_s`` closes and ``live_s`` with them open again (free-flow times)."""
    global _opened
    with _opened_lock:
        kept = _opened
        if kept is not None and kept[0]() is live_s and kept[2].shape == free_s.shape:
            return kept[1], kept[2]
        closed = np.isinf(live_s) & np.isfinite(free_s)
        opened = np.where(closed, free_s, live_s)
        _opened = (weakref.ref(live_s), closed, opened)
        return closed, opened


def closed_streets_on_the_way(
    router: StreetRouter,
    snaps: Sequence[Snap],
    duration_s: NDArray[np.float64] | None,
    avoid: frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    """The closed streets (names, else ``OSM <way id>``) a car from ``snaps[0]`` through the
    others would take were they open, in route order; empty when ``duration_s`` closes
    nothing or the places stay unjoined even with every street open (the ``avoid`` classes
    the traveller chose stay avoided)."""
    if duration_s is None:
        return ()
    graph = router.graph
    closed, opened = _opened_times(graph.duration_s, duration_s)
    if not closed.any():
        return ()
    found: list[str] = []
    for start, end in itertools.pairwise(snaps):
        if router.edges_between(start, end, avoid=avoid, duration_s=duration_s) is not None:
            continue  # this stretch is drivable despite the closures
        edges = router.edges_between(start, end, avoid=avoid, duration_s=opened)
        if edges is None:
            return ()  # not joined even with the closures lifted: they are not the cause
        for edge in edges[closed[edges]].tolist():
            name = graph.edge_name(edge) or f"OSM {int(graph.osm_way_id[edge])}"
            if name not in found:
                found.append(name)
    return tuple(found)
