"""Transfer walks between stops, measured on the walking network and cached.

OpenTripPlanner precomputes street transfers between nearby stops when it builds its graph;
here they are measured lazily, per stop, the first time a network holding that stop is built,
and cached by the two stops' coordinates: a service republished with one new stop costs one
bounded walking search from that stop (and one from each neighbour that never saw it), not a
rebuild of every walk. Walking is measured at the network's walking pace, avoiding what the
traveller must (steps for wheelchair users).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree

from routing.errors import InvalidCoordinateError, LocationOutsideNetworkError
from routing.geometry import EARTH_RADIUS_M
from routing.street.modes import DEFAULT_PROFILES, Mode
from routing.street.network import StreetNetwork
from routing.street.snap import Snap
from routing.transit.timetable import TransitStop

__all__ = ["MAX_TRANSFER_WALK_M", "StreetTransfers"]

#: Stops farther apart than this in a straight line are not paired (OpenTripPlanner's default
#: transfer search reaches a similar distance).
MAX_TRANSFER_WALK_M = 500.0
# A transfer walk may be this much longer than the straight line before it is dropped.
_MAX_DETOUR = 2.0

_Point = tuple[float, float]


class StreetTransfers:
    """Walking seconds between nearby stops on ``network``'s walking graph, cached."""

    def __init__(
        self, network: StreetNetwork, *, max_distance_m: float = MAX_TRANSFER_WALK_M
    ) -> None:
        self.network = network
        self.max_distance_m = max_distance_m
        self._walks: dict[tuple[frozenset[str], _Point, _Point], float] = {}
        self._snaps: dict[_Point, Snap | None] = {}
        self._lock = threading.Lock()
        self.searches = 0  # bounded walking searches run so far: the cache's misses

    def walks(
        self, stops: Sequence[TransitStop], *, avoid: frozenset[str] = frozenset()
    ) -> dict[tuple[str, str], float]:
        """Walking seconds ``(from id, to id) -> s`` between stops closer than the limit.

        Pairs the walking network does not connect within ``_MAX_DETOUR`` times the limit are
        left out; stops at the same coordinates (two services sharing a pole) get 0 s.
        """
        if len(stops) < 2:
            return {}
        points = [(stop.lat, stop.lon) for stop in stops]
        lat = np.radians([p[0] for p in points])
        lon = np.radians([p[1] for p in points])
        xy_m = EARTH_RADIUS_M * np.column_stack((lon * math.cos(float(lat.mean())), lat))
        neighbours: dict[int, list[int]] = {}
        for a, b in cKDTree(xy_m).query_pairs(self.max_distance_m, output_type="ndarray"):
            neighbours.setdefault(int(a), []).append(int(b))
            neighbours.setdefault(int(b), []).append(int(a))
        result: dict[tuple[str, str], float] = {}
        with self._lock:
            for a, others in neighbours.items():
                here = points[a]
                missing = [b for b in others if (avoid, here, points[b]) not in self._walks]
                if missing:
                    self._measure(here, [points[b] for b in missing], avoid)
                for b in others:
                    seconds = self._walks[(avoid, here, points[b])]
                    if math.isfinite(seconds):
                        result[(stops[a].id, stops[b].id)] = seconds
        return result

    def _snap(self, point: _Point) -> Snap | None:
        if point not in self._snaps:
            try:
                self._snaps[point] = self.network.router(Mode.WALK).snap(*point, name="stop")
            except (InvalidCoordinateError, LocationOutsideNetworkError):
                self._snaps[point] = None
        return self._snaps[point]

    def _measure(self, here: _Point, there: list[_Point], avoid: frozenset[str]) -> None:
        start = self._snap(here)
        ends = [self._snap(point) for point in there]
        reachable = [(point, snap) for point, snap in zip(there, ends, strict=True) if snap]
        costs = np.full(len(reachable), np.inf)
        if start is not None and reachable:
            walk = self.network.router(Mode.WALK)
            speed_mps = _walk_speed_mps(self.network)
            limit_s = self.max_distance_m * _MAX_DETOUR / speed_mps
            self.searches += 1
            from_here = walk.costs_from(start, limit=limit_s, avoid=avoid)
            costs = walk.costs_to(start, from_here, [snap for _, snap in reachable], avoid=avoid)
            costs[costs > limit_s] = np.inf
        for point in there:
            self._walks[(avoid, here, point)] = 0.0 if point == here else math.inf
        for (point, _), seconds in zip(reachable, costs.tolist(), strict=True):
            if point != here:
                self._walks[(avoid, here, point)] = float(seconds)


def _walk_speed_mps(network: StreetNetwork) -> float:
    profiles = network.manifest.get("profiles", {})
    return float(profiles.get("walk", DEFAULT_PROFILES[Mode.WALK].speed_kmh)) / 3.6
