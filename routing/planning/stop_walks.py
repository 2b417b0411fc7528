"""Walks between a fixed point (a docking station, a car park, a bike rack) and nearby stops.

Access and egress by another mode than walking end (or begin) with a short walk between the
place the vehicle is left (or taken) and a stop. Such places and stops rarely move, so the
walks are measured on the walking network once, with one bounded search from the place, and
cached by coordinates; the stops near a place come from a k-d tree over the network's stops,
built once per transit network.
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

__all__ = ["MAX_STOP_WALK_M", "StopWalks"]

#: A place farther than this in a straight line from a stop is not paired with it: a station
#: "near a stop" is one a traveller would walk from, a few minutes at most.
MAX_STOP_WALK_M = 400.0
# A walk may be this much longer than the straight line before it is dropped.
_MAX_DETOUR = 2.0
_MAX_TREES = 8

_Point = tuple[float, float]


class StopWalks:
    """Walking seconds (at ``network``'s walking pace) from places to stops nearby, cached."""

    def __init__(self, network: StreetNetwork, *, max_distance_m: float = MAX_STOP_WALK_M) -> None:
        self.network = network
        self.max_distance_m = max_distance_m
        self._trees: dict[int, tuple[Sequence[TransitStop], cKDTree, float]] = {}
        self._walks: dict[tuple[frozenset[str], _Point], dict[_Point, float]] = {}
        self._lock = threading.Lock()
        self.searches = 0  # bounded walking searches run so far: the cache's misses

    def near(
        self,
        points: Sequence[tuple[float, float]],
        stops: Sequence[TransitStop],
        *,
        avoid: frozenset[str] = frozenset(),
    ) -> list[list[tuple[TransitStop, float]]]:
        """Per point (lat, lon), the stops of ``stops`` within walking reach, with walking
        seconds, nearest first (stops off the network left out).

        Walking is symmetric here (pedestrians use streets both ways), so the seconds serve a
        walk to the stop and from it alike. The stops near each point are found in one k-d
        tree query for all points; only points with a stop in reach cost walking searches,
        once each.
        """
        if not stops or not points:
            return [[] for _ in points]
        stops_tree, tree, cos_lat = self._tree(stops)
        lat = np.array([p[0] for p in points])
        lon = np.array([p[1] for p in points])
        candidates = tree.query_ball_point(_xy(lat, lon, cos_lat), self.max_distance_m)
        result: list[list[tuple[TransitStop, float]]] = []
        for here, found_at in zip(points, candidates, strict=True):
            if not found_at:
                result.append([])
                continue
            found = [stops_tree[i] for i in found_at]
            with self._lock:
                known = self._walks.setdefault((avoid, here), {})
                missing = [s for s in found if (s.lat, s.lon) not in known]
                if missing:
                    self._measure(here, missing, known, avoid)
                pairs = [(s, known[(s.lat, s.lon)]) for s in found]
            near = [(s, seconds) for s, seconds in pairs if math.isfinite(seconds)]
            near.sort(key=lambda item: (item[1], item[0].id))
            result.append(near)
        return result

    def _tree(self, stops: Sequence[TransitStop]) -> tuple[Sequence[TransitStop], cKDTree, float]:
        with self._lock:
            entry = self._trees.get(id(stops))
            if entry is None or entry[0] is not stops:
                lat = np.array([s.lat for s in stops])
                lon = np.array([s.lon for s in stops])
                cos_lat = math.cos(math.radians(float(lat.mean())))
                entry = (stops, cKDTree(_xy(lat, lon, cos_lat)), cos_lat)
                while len(self._trees) >= _MAX_TREES:
                    self._trees.pop(next(iter(self._trees)))
                self._trees[id(stops)] = entry  # holds ``stops``, so its id is not reused
            return entry

    def _measure(
        self,
        here: _Point,
        stops: list[TransitStop],
        known: dict[_Point, float],
        avoid: frozenset[str],
    ) -> None:
        walk = self.network.router(Mode.WALK)
        for stop in stops:
            known[(stop.lat, stop.lon)] = math.inf
        start = _snap(self.network, here)
        ends = [(stop, _snap(self.network, (stop.lat, stop.lon))) for stop in stops]
        reachable = [(stop, snap) for stop, snap in ends if snap is not None]
        if start is None or not reachable:
            return
        profiles = self.network.manifest.get("profiles", {})
        speed_mps = float(profiles.get("walk", DEFAULT_PROFILES[Mode.WALK].speed_kmh)) / 3.6
        limit_s = self.max_distance_m * _MAX_DETOUR / speed_mps
        self.searches += 1
        costs = walk.costs_from(start, limit=limit_s, avoid=avoid)
        seconds = walk.costs_to(start, costs, [snap for _, snap in reachable], avoid=avoid)
        for (stop, _), value in zip(reachable, seconds.tolist(), strict=True):
            known[(stop.lat, stop.lon)] = float(value) if value <= limit_s else math.inf


def _xy(lat: np.ndarray, lon: np.ndarray, cos_lat: float) -> np.ndarray:
    return EARTH_RADIUS_M * np.column_stack((np.radians(lon) * cos_lat, np.radians(lat)))


def _snap(network: StreetNetwork, point: _Point) -> Snap | None:
    try:
        return network.router(Mode.WALK).snap(*point, name="stop")
    except (InvalidCoordinateError, LocationOutsideNetworkError):
        return None
