"""Street routing for one mode: one-to-one routes, travel-time matrices and isochrones.

A :class:`StreetRouter` wraps one compiled graph. Coordinates are snapped onto edges, so a
search starts part-way along an edge: the contraction hierarchy takes several sources and
targets with initial costs, and the route's first and last pieces are cut from their edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polyline as polyline_codec
import shapely
from numpy.typing import NDArray

from routing.errors import NoRouteError
from routing.geometry import haversine_m
from routing.street.graph import CompactGraph, Metric
from routing.street.search import dijkstra_costs, dijkstra_tree, path_edges
from routing.street.snap import DEFAULT_MAX_SNAP_DISTANCE_M, Snap, Snapper
from routing.street.steps import Piece, Step, build_steps

__all__ = ["LatLon", "StreetRoute", "StreetRouter"]

LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class StreetRoute:
    """A route along streets for one mode, from a snapped origin to a snapped destination."""

    mode: str
    metric: Metric
    distance_m: float
    duration_s: float
    coordinates: tuple[LatLon, ...]
    steps: tuple[Step, ...]
    origin: Snap
    destination: Snap
    warnings: tuple[str, ...] = ()

    def encoded_polyline(self, precision: int = 5) -> str:
        """The path as a Google encoded polyline (precision 5 by default; OSRM uses 5 too)."""
        return str(polyline_codec.encode(list(self.coordinates), precision))

    def geojson(self) -> dict[str, Any]:
        """The path as a GeoJSON Feature with a LineString (lon, lat order, as GeoJSON wants)."""
        return {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [[lon, lat] for lat, lon in self.coordinates],
            },
            "properties": {
                "mode": self.mode,
                "metric": self.metric,
                "distance_m": round(self.distance_m, 1),
                "duration_s": round(self.duration_s, 1),
                "warnings": list(self.warnings),
                "steps": [
                    {
                        "turn": step.turn.value,
                        "street": step.street,
                        "instruction": step.instruction,
                        "distance_m": round(step.distance_m, 1),
                        "duration_s": round(step.duration_s, 1),
                        "location": [step.lon, step.lat],
                    }
                    for step in self.steps
                ],
            },
        }


@dataclass(frozen=True, slots=True)
class _Span:
    """Part of an edge, from ``start`` to ``end`` as fractions of its length."""

    edge: int
    start: float
    end: float


class StreetRouter:
    """Routes on one mode's compact graph. Thread-safe for queries after construction."""

    def __init__(
        self, graph: CompactGraph, *, max_snap_distance_m: float = DEFAULT_MAX_SNAP_DISTANCE_M
    ):
        self.graph = graph
        self.max_snap_distance_m = max_snap_distance_m
        self._snapper: Snapper | None = None
        self._avoid_cache: dict[tuple[str, frozenset[str]], NDArray[np.float64]] = {}

    @property
    def snapper(self) -> Snapper:
        # Built on first use: the STR-tree costs a few hundred ms on a metropolis, and a
        # server that only serves cached answers should not pay it at start.
        if self._snapper is None:
            self._snapper = Snapper(self.graph)
        return self._snapper

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.graph.info.get("warnings", ()))

    def snap(self, lat: float, lon: float, *, name: str = "coordinate") -> Snap:
        """Snap a coordinate onto this mode's network (see :meth:`Snapper.snap`)."""
        return self.snapper.snap(lat, lon, max_distance_m=self.max_snap_distance_m, name=name)

    def route(
        self,
        origin: LatLon,
        destination: LatLon,
        *,
        metric: Metric = "time",
        avoid: frozenset[str] = frozenset(),
    ) -> StreetRoute:
        """The fastest (``metric="time"``) or shortest (``"distance"``) route between two points.

        Raises
        ------
        InvalidCoordinateError
            When a coordinate is NaN, out of range or looks swapped.
        LocationOutsideNetworkError
            When a point is farther than ``max_snap_distance_m`` from a usable street.
        NoRouteError
            When no path joins the two points for this mode (one-way dead ends, islands).
        """
        start = self.snap(*origin, name="origin")
        end = self.snap(*destination, name="destination")
        return self.route_between(start, end, metric=metric, avoid=avoid)

    def route_between(
        self,
        start: Snap,
        end: Snap,
        *,
        metric: Metric = "time",
        avoid: frozenset[str] = frozenset(),
        duration_s: NDArray[np.float64] | None = None,
    ) -> StreetRoute:
        """Like :meth:`route`, from points already snapped onto this network.

        ``avoid`` names OSM ``highway`` classes not to use (``{"steps"}`` for wheelchairs).
        ``duration_s`` replaces the edges' free-flow times (a period's congested times, say):
        the fastest route and its duration then follow those times.
        """
        durations = self.graph.duration_s if duration_s is None else duration_s
        if duration_s is not None and metric == "time":
            weights = duration_s
            if avoid:
                weights = np.where(self._weights(metric, avoid) == np.inf, np.inf, weights)
            spans = self._spans_by_dijkstra(start, end, weights)
        else:
            weights = self._weights(metric, avoid)
            if weights is self.graph.weights(metric):
                spans = self._best_spans(start, end, metric)
            else:
                spans = self._spans_by_dijkstra(start, end, weights)
        if spans is None:
            raise NoRouteError(
                f"no {self.graph.mode.value} route joins origin ({start.query_lat:.5f}, "
                f"{start.query_lon:.5f}) and destination ({end.query_lat:.5f}, "
                f"{end.query_lon:.5f}) on this street network (one-way streets or "
                "disconnected parts); try another mode or nearby points"
            )
        pieces = [self._piece(span, durations) for span in spans]
        coordinates: list[LatLon] = [(start.lat, start.lon)]
        for piece in pieces:
            for point in piece.coordinates:
                if point != coordinates[-1]:
                    coordinates.append(point)
        if (end.lat, end.lon) != coordinates[-1]:
            coordinates.append((end.lat, end.lon))
        if len(coordinates) == 1:
            coordinates.append(coordinates[0])
        return StreetRoute(
            mode=self.graph.mode.value,
            metric=metric,
            distance_m=sum(p.distance_m for p in pieces),
            duration_s=sum(p.duration_s for p in pieces),
            coordinates=tuple(coordinates),
            steps=tuple(build_steps(pieces)),
            origin=start,
            destination=end,
            warnings=self.warnings,
        )

    def _best_spans(self, start: Snap, end: Snap, metric: Metric) -> list[_Span] | None:
        graph = self.graph
        weights = graph.weights(metric)
        best_cost, best = _along_one_edge(start, end, weights)
        sources, source_costs = _leaving(graph, start, weights)
        targets = np.array([graph.tails[p.edge] for p in end.positions], np.int64)
        target_costs = np.array([_part(weights[p.edge], p.fraction) for p in end.positions])
        found = graph.hierarchies[metric].query(sources, source_costs, targets, target_costs)
        if found is not None:
            # A shared hierarchy (time for distance) answers in its own unit: recompute.
            a = start.positions[found.source_index]
            b = end.positions[found.target_index]
            cost = (
                source_costs[found.source_index]
                + float(weights[found.edge_ids].sum())
                + target_costs[found.target_index]
            )
            if cost < best_cost:
                best = [
                    _Span(a.edge, a.fraction, 1.0),
                    *(_Span(int(e), 0.0, 1.0) for e in found.edge_ids),
                    _Span(b.edge, 0.0, b.fraction),
                ]
        return best

    def _weights(self, metric: Metric, avoid: frozenset[str]) -> NDArray[np.float64]:
        """The metric's weights, with edges of the avoided classes made impassable."""
        base = self.graph.weights(metric)
        if not avoid:
            return base
        key = (metric, avoid)
        cached = self._avoid_cache.get(key)
        if cached is None:
            graph = self.graph
            classes = [i for i, h in enumerate(graph.highways.tolist()) if h in avoid]
            mask = np.isin(graph.highway_index, classes)
            cached = base if not mask.any() else np.where(mask, np.inf, base)
            self._avoid_cache[key] = cached
        return cached

    def _spans_by_dijkstra(
        self, start: Snap, end: Snap, weights: NDArray[np.float64]
    ) -> list[_Span] | None:
        """One-to-one on modified weights, where the hierarchy (built on the originals) can't go."""
        graph = self.graph
        best_cost, best = _along_one_edge(start, end, weights)
        sources, source_costs = _leaving(graph, start, weights)
        dist, pred = dijkstra_tree(graph.indptr, graph.heads, weights, sources, source_costs)
        for b in end.positions:
            node = int(graph.tails[b.edge])
            cost = dist[node] + _part(weights[b.edge], b.fraction)
            if cost < best_cost:
                edges = path_edges(pred, graph.tails, node)
                first = int(graph.tails[edges[0]]) if edges else node
                a = min(
                    (p for p in start.positions if int(graph.heads[p.edge]) == first),
                    key=lambda p: _part(weights[p.edge], 1 - p.fraction),
                )
                best_cost = cost
                best = [
                    _Span(a.edge, a.fraction, 1.0),
                    *(_Span(e, 0.0, 1.0) for e in edges),
                    _Span(b.edge, 0.0, b.fraction),
                ]
        return best

    def _piece(self, span: _Span, duration_s: NDArray[np.float64] | None = None) -> Piece:
        graph = self.graph
        durations = graph.duration_s if duration_s is None else duration_s
        lat, lon = graph.edge_polyline(span.edge)
        fraction = span.end - span.start
        return Piece(
            name=graph.edge_name(span.edge),
            distance_m=float(graph.length_m[span.edge]) * fraction,
            duration_s=float(durations[span.edge]) * fraction,
            coordinates=_cut(lat, lon, span.start, span.end),
        )

    # --- one-to-many -----------------------------------------------------------------------

    def costs_from(
        self,
        snap: Snap,
        metric: Metric = "time",
        limit: float = np.inf,
        *,
        avoid: frozenset[str] = frozenset(),
    ) -> NDArray[np.float64]:
        """Least cost from a snapped point to every node (``inf`` beyond ``limit``)."""
        graph = self.graph
        weights = self._weights(metric, avoid)
        sources, costs = _leaving(graph, snap, weights)
        return dijkstra_costs(graph.indptr, graph.heads, weights, sources, costs, limit=limit)

    def costs_to(
        self,
        start: Snap,
        costs: NDArray[np.float64],
        ends: Sequence[Snap],
        metric: Metric = "time",
        *,
        avoid: frozenset[str] = frozenset(),
    ) -> NDArray[np.float64]:
        """Least cost from ``start`` to each of ``ends``, given ``costs = costs_from(start)``."""
        graph = self.graph
        weights = self._weights(metric, avoid)
        out = np.full(len(ends), np.inf)
        for j, end in enumerate(ends):
            best = _along_one_edge(start, end, weights)[0]  # ahead on the start's own edge
            for b in end.positions:
                best = min(best, costs[graph.tails[b.edge]] + _part(weights[b.edge], b.fraction))
            out[j] = best
        return out

    def travel_cost_matrix(
        self,
        origins: Sequence[LatLon],
        destinations: Sequence[LatLon],
        *,
        metric: Metric = "time",
    ) -> NDArray[np.float64]:
        """Least cost (seconds or metres) from every origin to every destination.

        Unreachable pairs are ``inf``. Points are snapped as for :meth:`route`, so the same
        errors apply; a point on the same edge ahead of an origin is reached along the edge.
        """
        starts = [self.snap(*p, name=f"origin {i}") for i, p in enumerate(origins)]
        ends = [self.snap(*p, name=f"destination {j}") for j, p in enumerate(destinations)]
        matrix = np.full((len(starts), len(ends)), np.inf)
        for i, start in enumerate(starts):
            matrix[i] = self.costs_to(start, self.costs_from(start, metric), ends, metric)
        return matrix

    def isochrone(
        self, origin: LatLon, budget_s: float, *, buffer_m: float | None = None
    ) -> dict[str, Any]:
        """The area reachable from ``origin`` within ``budget_s`` seconds, as a GeoJSON Feature.

        The polygon is the union of the reachable street stretches (partly reachable edges
        cut where the budget runs out) widened by ``buffer_m`` (default: what the mode covers
        in 30 s, between 25 and 150 m), the usual way to draw network isochrones.
        """
        if not np.isfinite(budget_s) or not 0 < budget_s <= 4 * 3600:
            raise ValueError(
                f"budget_s={budget_s!r} is out of range; accepted: 0 < budget <= 14400"
            )
        graph = self.graph
        start = self.snap(*origin, name="origin")
        costs = self.costs_from(start, "time", limit=budget_s)
        tails_cost = costs[graph.tails]
        reached = tails_cost < budget_s
        edges = np.flatnonzero(reached)
        remaining = budget_s - tails_cost[edges]
        with np.errstate(divide="ignore", invalid="ignore"):
            ends = np.where(graph.duration_s[edges] > 0, remaining / graph.duration_s[edges], 1.0)
        ends = np.clip(ends, 0.0, 1.0)
        projection = self.snapper.projection
        lines = []
        for edge, end in zip(edges, ends, strict=True):
            lat, lon = graph.edge_polyline(int(edge))
            cut = _cut(lat, lon, 0.0, float(end))
            lats = np.array([p[0] for p in cut])
            lons = np.array([p[1] for p in cut])
            x, y = projection.to_xy(lats, lons)
            lines.append(shapely.linestrings(np.column_stack([x, y])))
        for a in start.positions:  # the stretch of the origin's own edge, ahead of the origin
            lat, lon = graph.edge_polyline(a.edge)
            cut = _cut(lat, lon, a.fraction, 1.0)
            x, y = projection.to_xy(np.array([p[0] for p in cut]), np.array([p[1] for p in cut]))
            lines.append(shapely.linestrings(np.column_stack([x, y])))
        mean_speed_ms = float(graph.length_m.sum() / max(graph.duration_s.sum(), 1e-9))
        width_m = buffer_m if buffer_m is not None else float(np.clip(30 * mean_speed_ms, 25, 150))
        area = shapely.buffer(shapely.multilinestrings(lines), width_m, quad_segs=3)
        area = shapely.simplify(area, width_m / 5)
        polygon = shapely.transform(area, lambda xy: _to_lonlat(projection, xy))
        reached_nodes = int(np.isfinite(costs).sum())
        return {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(polygon),
            "properties": {
                "mode": graph.mode.value,
                "budget_s": budget_s,
                "origin": [start.lon, start.lat],
                "reachable_nodes": reached_nodes,
                "area_km2": round(float(area.area) / 1e6, 3),
            },
        }


def _along_one_edge(
    start: Snap, end: Snap, weights: NDArray[np.float64]
) -> tuple[float, list[_Span] | None]:
    """Both points on one edge, the destination further along: the cost with no search."""
    best_cost, best = np.inf, None
    for a in start.positions:
        for b in end.positions:
            if a.edge == b.edge and a.fraction <= b.fraction:
                cost = _part(weights[a.edge], b.fraction - a.fraction)
                if cost < best_cost:
                    best_cost, best = cost, [_Span(a.edge, a.fraction, b.fraction)]
    return best_cost, best


def _leaving(
    graph: CompactGraph, snap: Snap, weights: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The nodes a search leaves a snapped point by, and the cost of reaching each."""
    nodes = np.array([graph.heads[p.edge] for p in snap.positions], np.int64)
    costs = np.array([_part(weights[p.edge], 1 - p.fraction) for p in snap.positions])
    return nodes, costs


def _part(weight: float, fraction: float) -> float:
    """The cost of a fraction of an edge; nothing of an impassable edge costs nothing."""
    return 0.0 if fraction <= 0.0 else float(weight) * fraction


def _to_lonlat(projection: Any, xy: NDArray[np.float64]) -> NDArray[np.float64]:
    lat, lon = projection.to_latlon(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _cut(
    lat: NDArray[np.float64], lon: NDArray[np.float64], start: float, end: float
) -> tuple[LatLon, ...]:
    """The part of a polyline between two fractions of its length (lat, lon pairs)."""
    if start <= 0.0 and end >= 1.0:
        return tuple(zip(lat.tolist(), lon.tolist(), strict=True))
    seg = np.asarray(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]))
    cumulative = np.concatenate([[0.0], np.cumsum(seg)])
    total = cumulative[-1]
    if total <= 0:
        return ((float(lat[0]), float(lon[0])), (float(lat[-1]), float(lon[-1])))
    a, b = start * total, end * total
    inside = (cumulative > a) & (cumulative < b)
    distances = np.concatenate([[a], cumulative[inside], [b]])
    return tuple(
        zip(
            np.interp(distances, cumulative, lat).tolist(),
            np.interp(distances, cumulative, lon).tolist(),
            strict=True,
        )
    )
