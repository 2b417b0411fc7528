"""Which stations may lie within walking reach of a point: a crow-fly bound, vectorised.

The strategies pick stations by their walking cost from the origin or to the destination
(:func:`routing.planning.access.nearest_by_walk`), one station at a time; with a city's bike
share (1,500 stations) that loop was most of a plan's CPU, though all but a few dozen stations
are far beyond the traveller's walking limit. :class:`WalkReach` drops those first, with one
vectorised distance per station, and never drops a reachable one:

a station is reachable when the bounded walking search (costs at most ``limit_s``) meets its
snapped position, so the straight line from the asked point to the station is at most the
asked point's snap distance, plus ``limit_s`` at the walking graph's fastest pace (every edge,
part of an edge and connector is walked at its street's pace, and a polyline is never shorter
than the straight line), plus the station's own end: the edge it sits on (arrival costs are
added after the bound) and its connector and snap distance. Stations on an edge the asked point
is snapped to are kept too (reached along that edge, with no bound). Stations off the walking
network are dropped: no strategy can use them. Order is kept, so ties rank as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.geometry import haversine_m
from routing.planning.access import PlaceT
from routing.street.graph import CompactGraph
from routing.street.snap import Snap

__all__ = ["WalkReach"]

# Slack for the spherical distance against the metric projection used to measure streets.
_MARGIN_FACTOR = 1.01
_MARGIN_M = 20.0
# Cached place lists (one per service of the current catalogue snapshot, a few old ones).
_MAX_CACHED = 256


@dataclass(frozen=True, slots=True)
class _Placed:
    """The places of one list that are on the walking network, as arrays."""

    kept: NDArray[np.int64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    slack_m: NDArray[np.float64]
    edge: NDArray[np.int64]
    edge_owner: NDArray[np.int64]


class WalkReach:
    """Filters place lists to those that may be within walking reach of two snapped points.

    Parameters
    ----------
    graph
        The walking graph.
    snap
        The planner's cached snap of a point on the walking network (None when off it).
    """

    def __init__(self, graph: CompactGraph, snap: Callable[[float, float], Snap | None]) -> None:
        self._graph = graph
        self._snap = snap
        length, duration = graph.length_m, graph.duration_s
        moving = (length > 0) & np.isfinite(duration)
        if np.any(moving & (duration <= 0)):
            self._max_speed_mps = np.inf  # an edge walked in no time: no bound holds
        else:
            positive = moving & (duration > 0)
            speeds = length[positive] / duration[positive]
            self._max_speed_mps = float(speeds.max()) if speeds.size else 0.0
        self._cache: dict[int, tuple[Sequence[object], _Placed]] = {}
        self._lock = threading.Lock()

    def _placed(self, places: Sequence[PlaceT]) -> _Placed:
        key = id(places)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] is places:
            return hit[1]
        kept, lat, lon, slack, edges, owners = [], [], [], [], [], []
        length = self._graph.length_m
        for i, place in enumerate(places):
            snap = self._snap(place.lat, place.lon)
            if snap is None:
                continue
            end_m = max(float(length[p.edge]) + p.connector_m for p in snap.positions)
            kept.append(i)
            lat.append(place.lat)
            lon.append(place.lon)
            slack.append(snap.distance_m + end_m)
            for p in snap.positions:
                edges.append(p.edge)
                owners.append(len(kept) - 1)
        placed = _Placed(
            np.array(kept, np.int64),
            np.array(lat, np.float64),
            np.array(lon, np.float64),
            np.array(slack, np.float64),
            np.array(edges, np.int64),
            np.array(owners, np.int64),
        )
        with self._lock:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()
            self._cache[key] = (places, placed)  # holding the list keeps its id unique
        return placed

    def near(
        self, places: Sequence[PlaceT], points: Sequence[Snap], limit_s: float
    ) -> list[PlaceT]:
        """The places (in their order) that may be within ``limit_s`` of walking (at the
        network's pace) of any of ``points``; ``places`` itself must not change afterwards
        (it is cached by identity: pass the service's own tuple)."""
        if not places or not np.isfinite(self._max_speed_mps) or not np.isfinite(limit_s):
            return list(places)
        placed = self._placed(places)
        keep = np.zeros(placed.kept.size, bool)
        for point in points:
            reach_m = point.distance_m + limit_s * self._max_speed_mps
            crow_m = np.asarray(
                haversine_m(point.query_lat, point.query_lon, placed.lat, placed.lon)
            )
            keep |= crow_m <= (reach_m + placed.slack_m) * _MARGIN_FACTOR + _MARGIN_M
            own_edges = np.array([p.edge for p in point.positions], np.int64)
            keep[placed.edge_owner[np.isin(placed.edge, own_edges)]] = True
        return [places[int(i)] for i in placed.kept[keep]]
