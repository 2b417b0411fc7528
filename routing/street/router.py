"""Street routing for one mode: one-to-one routes, travel-time matrices and isochrones.

A :class:`StreetRouter` wraps one compiled graph. Coordinates are snapped onto edges, so a
search starts part-way along an edge: the contraction hierarchy takes several sources and
targets with initial costs, and the route's first and last pieces are cut from their edges.
A snap position reached by a connector (the nearest street being a cut-off piece) costs the
connector too, in the metric's unit, and the route counts and reports it.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import shapely
from numpy.typing import NDArray

from routing.errors import NoRouteError
from routing.street._ends import (
    LatLon,
    SnappedPath,
    along_one_edge,
    arrival_costs,
    arriving,
    connector_cost,
    cut,
    leaving,
)
from routing.street.graph import CompactGraph, Metric
from routing.street.hierarchy.cch import CustomizableHierarchy
from routing.street.live import LiveMetrics
from routing.street.one_to_all import costs_from_all
from routing.street.route_geometry import RouteGeometry
from routing.street.search import dijkstra_costs
from routing.street.snap import (
    DEFAULT_MAX_SNAP_DISTANCE_M,
    EdgePosition,
    Snap,
    Snapper,
    drop_shared_fallbacks,
)
from routing.street.steps import Step

__all__ = ["LatLon", "OneToAll", "StreetRoute", "StreetRouter"]

OneToAll = Literal["dijkstra", "hierarchy"]
"""How :meth:`StreetRouter.costs_from` searches: a bounded Dijkstra or a hierarchy sweep."""

SWEEP_FROM_SHARE = 0.1
"""The share of the graph's nodes a budget is expected to reach from which the hierarchy sweep
beats a bounded Dijkstra: the sweep costs the whole graph, the Dijkstra what it reaches.
``benchmarks/one_to_all.py`` on the 115k-node topology: break-even near 11 % (13k nodes)."""

# What a snap depends on (Snapper): the nodes' box, the edges' geometry and ends, which
# edges are on the connected network.
_SNAP_ARRAYS = (
    "node_lat",
    "node_lon",
    "tails",
    "heads",
    "core_edge",
    "geometry_offsets",
    "geometry_lat",
    "geometry_lon",
)

_CIRCUITY = 1.3  # street distance over straight-line distance, for the reach estimate


@dataclass(frozen=True, slots=True)
class StreetRoute:
    """A route along streets for one mode, from a snapped origin to a snapped destination."""

    mode: str
    metric: Metric
    distance_m: float
    duration_s: float
    geometry: RouteGeometry
    origin: Snap
    destination: Snap
    warnings: tuple[str, ...] = ()

    @property
    def coordinates(self) -> tuple[LatLon, ...]:
        """The path's points (lat, lon), from the origin's snap to the destination's."""
        return self.geometry.coordinates

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.geometry.steps

    def encoded_polyline(self, precision: int = 5) -> str:
        """The path as a Google encoded polyline (precision 5 by default; OSRM uses 5 too)."""
        return self.geometry.encoded_polyline(precision)

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
                        "bearing_after_deg": round(step.bearing_after_deg, 1),
                        "distance_m": round(step.distance_m, 1),
                        "duration_s": round(step.duration_s, 1),
                        "location": [step.lon, step.lat],
                    }
                    for step in self.steps
                ],
            },
        }


class StreetRouter:
    """Routes on one mode's compact graph. Thread-safe for queries after construction."""

    def __init__(
        self,
        graph: CompactGraph,
        *,
        max_snap_distance_m: float = DEFAULT_MAX_SNAP_DISTANCE_M,
        customizable: CustomizableHierarchy | None = None,
    ):
        self.graph = graph
        self.max_snap_distance_m = max_snap_distance_m
        self._snapper: Snapper | None = None
        self._snaps_like: dict[int, tuple[weakref.ref[StreetRouter], bool]] = {}
        self._avoid_cache: dict[tuple[str, frozenset[str]], NDArray[np.float64]] = {}
        # Given times with avoided classes closed, per (id of the times, avoided classes):
        # the same array while the times live, so their customization is reused.
        self._avoid_live: dict[
            tuple[int, frozenset[str]],
            tuple[weakref.ref[NDArray[np.float64]], NDArray[np.float64]],
        ] = {}
        # Weights other than the compiled ones (congested times, avoided classes, closures)
        # and matrices go through a customizable hierarchy, never a Dijkstra per query.
        self.live = LiveMetrics(graph, customizable)

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

    def snaps_like(self, other: StreetRouter) -> bool:
        """Whether a snap by ``other`` is the snap this router would make of the same point.

        True when both snap within the same limit onto the same edges, numbered alike, with
        the same geometry and the same connected network (a topology shared by several modes,
        as the Issy-wide one): a plan then snaps its ends once for all those modes. Checked
        once per pair of routers (the graphs never change).
        """
        if other is self:
            return True
        known = self._snaps_like.get(id(other))
        if known is None or known[0]() is not other:
            same = self.max_snap_distance_m == other.max_snap_distance_m and (
                self.graph is other.graph
                or all(
                    np.array_equal(getattr(self.graph, name), getattr(other.graph, name))
                    for name in _SNAP_ARRAYS
                )
            )
            known = (weakref.ref(other), same)
            self._snaps_like[id(other)] = known
        return known[1]

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
        start, end = drop_shared_fallbacks(start, end)
        weights = self.live_weights(metric, avoid, duration_s)
        if weights is self.graph.weights(metric):
            path = self._best_spans(start, end, metric)
        else:
            path = self._spans_by_customization(start, end, weights, self.graph.turn_part(metric))
        if path is None:
            raise NoRouteError(self._no_route_message(start, end))
        origin = self._used_snap(start, path.first)
        destination = self._used_snap(end, path.last)
        graph = self.graph
        turns = graph.turn_s
        spans = path.spans
        # The sums the pieces of the geometry would give, in the same order, to the last bit;
        # the geometry itself is built only if read (a plan ranks many routes, shows few).
        pieces_m = sum((graph.length_m[path.edges] * (path.ends - path.starts)).tolist())
        pieces_s = path.cost(durations, turns)
        connectors_m = path.first.connector_m + path.last.connector_m
        connectors_s = connector_cost(graph, path.first, durations, turns) + connector_cost(
            graph, path.last, durations, turns
        )
        return StreetRoute(
            mode=graph.mode.value,
            metric=metric,
            distance_m=pieces_m + connectors_m,
            duration_s=pieces_s + connectors_s,
            geometry=RouteGeometry(
                graph,
                spans,
                durations,
                (origin.lat, origin.lon),
                (destination.lat, destination.lon),
            ),
            origin=origin,
            destination=destination,
            warnings=self.warnings,
        )

    def duration_between(self, start: Snap, end: Snap) -> float:
        """``route_between(start, end).duration_s`` (free-flow times, nothing avoided), without
        building the route's geometry and steps: for ranking many candidate pairs.

        Raises
        ------
        NoRouteError
            When no path joins the two points for this mode.
        """
        start, end = drop_shared_fallbacks(start, end)
        path = self._best_spans(start, end, "time")
        if path is None:
            raise NoRouteError(self._no_route_message(start, end))
        durations = self.graph.duration_s
        turns = self.graph.turn_s
        # The same sums, in the same order, as route_between: equal to the last bit.
        pieces_s = path.cost(durations, turns)
        connectors_s = connector_cost(self.graph, path.first, durations, turns) + connector_cost(
            self.graph, path.last, durations, turns
        )
        return pieces_s + connectors_s

    def durations_between(
        self, starts: Sequence[Snap], ends: Sequence[Snap]
    ) -> NDArray[np.float64]:
        """:meth:`duration_between` for every pair of ``starts`` and ``ends`` (``inf`` where
        no route joins them), from one many-to-many search of the hierarchy rather than a
        query per pair: for ranking many candidate pairs.

        A cell equals :meth:`duration_between` up to float rounding (the search adds the same
        edge times in another order); pairs on one edge or one cut-off piece are answered by
        :meth:`duration_between` itself. Rank on these, then take the exact durations of the
        pairs within rounding of the best.
        """
        out = np.full((len(starts), len(ends)), np.inf)
        if not starts or not ends:
            return out
        if not self.live.ordered:
            for i, start in enumerate(starts):
                for j, end in enumerate(ends):
                    out[i, j] = self._duration_or_inf(start, end)
            return out
        graph = self.graph
        weights = graph.weights("time")
        turns = graph.turn_part("time")
        leaving_sets = [_finite(*leaving(graph, start, weights, turns)) for start in starts]
        arriving_sets = [_finite(*arriving(graph, end, weights, turns)) for end in ends]
        # The ends' costs include their connectors, as duration_between counts them.
        out = self.live.customized(weights).matrix_of_sets(leaving_sets, arriving_sets)
        for i, start in enumerate(starts):
            edges = {p.edge for p in start.positions}
            for j, end in enumerate(ends):
                if (start.on_cut_off_piece and start.piece == end.piece) or any(
                    p.edge in edges for p in end.positions
                ):
                    out[i, j] = self._duration_or_inf(start, end)
        return out

    def _duration_or_inf(self, start: Snap, end: Snap) -> float:
        try:
            return self.duration_between(start, end)
        except NoRouteError:
            return np.inf

    def _used_snap(self, snap: Snap, used: EdgePosition) -> Snap:
        """The snap as the route used it: on the connected street when it took the connector."""
        if used.connector_m == 0:
            return snap
        lat, lon = self.graph.edge_polyline(used.edge)
        point = cut(lat, lon, used.fraction, used.fraction)[0]
        return Snap(
            snap.query_lat,
            snap.query_lon,
            point[0],
            point[1],
            used.connector_m,
            (used,),
            snap.piece,
        )

    def _no_route_message(self, start: Snap, end: Snap) -> str:
        mode = self.graph.mode.value
        where = (
            f"origin ({start.query_lat:.5f}, {start.query_lon:.5f}) and destination "
            f"({end.query_lat:.5f}, {end.query_lon:.5f})"
        )
        if start.on_cut_off_piece and start.piece == end.piece:
            cause = (
                "both lie on one piece of street cut off from the rest of the network (an "
                "island or a one-way stub at the data's edge), and its streets do not lead "
                "from one to the other"
            )
        else:
            stranded = [
                f"the {name} lies on a piece of street cut off from the network and no "
                f"connected street is within the snap limit of {self.max_snap_distance_m:.0f} m"
                for name, snap in (("origin", start), ("destination", end))
                if snap.on_cut_off_piece and not snap.has_connector
            ]
            cause = "; ".join(stranded) or (
                "no path joins them on this street network (one-way streets or disconnected parts)"
            )
        return f"no {mode} route joins {where}: {cause}; try another mode or nearby points"

    def _best_spans(self, start: Snap, end: Snap, metric: Metric) -> SnappedPath | None:
        """The best path on the graph's own weights (free-flow times or lengths).

        With the customizable hierarchy at hand (stored with the artefact) its metric for
        these weights answers: measured against the contraction hierarchy on the same pairs,
        its query with path takes well under half the time (``benchmarks/README.md``, issue
        14). The contraction hierarchy answers only when no order is stored (an artefact built
        before the order was saved, a graph compiled in memory): ordering costs seconds to a
        minute, the contraction hierarchy is already there.
        """
        if self.live.ordered:
            return self._spans_by_customization(
                start, end, self.graph.weights(metric), self.graph.turn_part(metric)
            )
        graph = self.graph
        weights = graph.weights(metric)
        hierarchy = graph.hierarchies[metric]
        # Where times are proportional to lengths (walking, cycling at one speed) the time
        # hierarchy also serves distances; it must then be asked in its own unit, seconds,
        # ends included, or metres and seconds get mixed and the answer is not shortest.
        shared = metric != "time" and hierarchy is graph.hierarchies.get("time")
        search_weights = graph.weights("time") if shared else weights
        turns = graph.turn_part(metric)
        search_turns = graph.turn_part("time") if shared else turns
        best_cost, best = along_one_edge(graph, start, end, weights, turns)
        sources, source_costs = leaving(graph, start, search_weights, search_turns)
        targets, target_costs = arriving(graph, end, search_weights, search_turns)
        found = hierarchy.query(sources, source_costs, targets, target_costs)
        if found is not None:
            a = start.positions[found.source_index]
            b = end.positions[found.target_index]
            cost = (
                leaving(graph, start, weights, turns)[1][found.source_index]
                + float(weights[found.edge_ids].sum())
                + arriving(graph, end, weights, turns)[1][found.target_index]
            )
            if cost < best_cost:
                best = SnappedPath.through(a, np.asarray(found.edge_ids, np.int64), b)
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

    def edges_between(
        self,
        start: Snap,
        end: Snap,
        *,
        avoid: frozenset[str] = frozenset(),
        duration_s: NDArray[np.float64] | None = None,
    ) -> NDArray[np.int64] | None:
        """The edges the fastest route from ``start`` to ``end`` runs along (the partly
        used first and last ones included), or None when no route joins them."""
        start, end = drop_shared_fallbacks(start, end)
        weights = self.live_weights("time", avoid, duration_s)
        if weights is self.graph.weights("time"):
            path = self._best_spans(start, end, "time")
        else:
            path = self._spans_by_customization(start, end, weights, self.graph.turn_part("time"))
        if path is None:
            return None
        return path.edges.copy()

    def live_weights(
        self,
        metric: Metric = "time",
        avoid: frozenset[str] = frozenset(),
        duration_s: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        """The edge weights a request uses: the metric's, or ``duration_s`` (times only), with
        the ``avoid`` classes impassable.

        The same inputs give the same array object (cached), so the hierarchy customized for
        them (:class:`LiveMetrics`, keyed by the array) serves every repeated request.
        """
        if duration_s is None or metric != "time":
            return self._weights(metric, avoid)
        if not avoid or self._weights(metric, avoid) is self.graph.weights(metric):
            return duration_s
        key = (id(duration_s), avoid)
        kept = self._avoid_live.get(key)
        if kept is not None and kept[0]() is duration_s:
            return kept[1]
        closed = np.where(self._weights(metric, avoid) == np.inf, np.inf, duration_s)
        self._avoid_live = {
            k: v for k, v in self._avoid_live.items() if v[0]() is not None and k != key
        }
        self._avoid_live[key] = (weakref.ref(duration_s), closed)
        return closed

    def _spans_by_customization(
        self,
        start: Snap,
        end: Snap,
        weights: NDArray[np.float64],
        turns: NDArray[np.float64] | None = None,
    ) -> SnappedPath | None:
        """One-to-one on modified weights: the hierarchy customized for them answers.

        ``turns``: the turn costs the weights hold (times on a graph with turn costs)."""
        graph = self.graph
        best_cost, best = along_one_edge(graph, start, end, weights, turns)
        sources, source_costs = leaving(graph, start, weights, turns)
        targets, target_costs = arriving(graph, end, weights, turns)
        # An end on an impassable edge cannot be left or reached through it.
        usable_sources = np.flatnonzero(np.isfinite(source_costs))
        usable_targets = np.flatnonzero(np.isfinite(target_costs))
        if usable_sources.size == 0 or usable_targets.size == 0:
            return best
        found = self.live.customized(weights).query(
            sources[usable_sources],
            source_costs[usable_sources],
            targets[usable_targets],
            target_costs[usable_targets],
        )
        if found is not None and found.cost < best_cost:
            a = start.positions[int(usable_sources[found.source_index])]
            b = end.positions[int(usable_targets[found.target_index])]
            best = SnappedPath.through(a, np.asarray(found.edge_ids, np.int64), b)
        return best

    def _sweep_pays(self, budget_s: float, times_s: NDArray[np.float64]) -> bool:
        """Whether the hierarchy sweep should beat a bounded Dijkstra for ``budget_s``: only
        with the hierarchy at hand (ordering one costs far more than any search)."""
        if not self.live.ordered:
            return False
        return _expected_share(self.graph, budget_s, times_s) >= SWEEP_FROM_SHARE

    # --- one-to-many -----------------------------------------------------------------------

    def costs_from(
        self,
        snap: Snap,
        metric: Metric = "time",
        limit: float = np.inf,
        *,
        avoid: frozenset[str] = frozenset(),
        duration_s: NDArray[np.float64] | None = None,
        search: OneToAll = "dijkstra",
    ) -> NDArray[np.float64]:
        """Least cost from a snapped point to every node (``inf`` beyond ``limit``).

        ``duration_s`` and ``avoid`` as for :meth:`route_between`. ``search="hierarchy"``
        sweeps the customized hierarchy once (:func:`costs_from_all`): linear in the graph
        whatever ``limit``, so cheaper than a Dijkstra for large budgets and whole-graph
        costs; ``"dijkstra"`` stops at ``limit``, cheaper for small ones. Both give the same
        array.
        """
        graph = self.graph
        weights = self.live_weights(metric, avoid, duration_s)
        sources, costs = _finite(*leaving(graph, snap, weights, graph.turn_part(metric)))
        if search == "hierarchy":
            metric_weights = self.live.customized(weights)
            return costs_from_all(metric_weights, sources, costs, limit=limit)
        return dijkstra_costs(graph.indptr, graph.heads, weights, sources, costs, limit=limit)

    def costs_to(
        self,
        start: Snap,
        costs: NDArray[np.float64],
        ends: Sequence[Snap],
        metric: Metric = "time",
        *,
        avoid: frozenset[str] = frozenset(),
        duration_s: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        """Least cost from ``start`` to each of ``ends``, given ``costs = costs_from(start)``
        with the same ``metric``, ``avoid`` and ``duration_s``."""
        graph = self.graph
        weights = self.live_weights(metric, avoid, duration_s)
        turns = graph.turn_part(metric)
        out = np.full(len(ends), np.inf)
        # Most ends are reached by their edges' tails only: their arrival costs for all ends
        # at once, on arrays (a plan looks at a hundred stations). An end sharing an edge with
        # the start (reached along it), on the start's cut-off piece or across a connector to
        # a zero-length edge goes the general way, one by one.
        start_edges = {p.edge for p in start.positions}
        shared_piece = start.piece if start.on_cut_off_piece else None
        rows: list[int] = []
        edges: list[int] = []
        fractions: list[float] = []
        connectors: list[float] = []
        length_m = graph.length_m
        for j, end in enumerate(ends):
            positions = end.positions
            if end.piece == shared_piece or any(
                p.edge in start_edges or (p.connector_m != 0 and not length_m[p.edge] > 0)
                for p in positions
            ):
                first, last = drop_shared_fallbacks(start, end)
                # ahead on the start's edge
                best = along_one_edge(graph, first, last, weights, turns)[0]
                targets, target_costs = arriving(graph, last, weights, turns)
                out[j] = min(best, float((costs[targets] + target_costs).min()))
                continue
            for p in positions:
                rows.append(j)
                edges.append(p.edge)
                fractions.append(p.fraction)
                connectors.append(p.connector_m)
        if rows:
            found = costs[graph.tails[edges]] + arrival_costs(
                graph,
                weights,
                turns,
                np.array(edges, np.int64),
                np.array(fractions),
                np.array(connectors),
            )
            at = np.array(rows, np.int64)
            np.minimum.at(out, at, found)
            # As min() over the end's costs, then min(inf, that): a NaN among them gives inf.
            out[np.isnan(out)] = np.inf
        return out

    def travel_cost_matrix(
        self,
        origins: Sequence[LatLon],
        destinations: Sequence[LatLon],
        *,
        metric: Metric = "time",
        avoid: frozenset[str] = frozenset(),
        duration_s: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        """Least cost (seconds or metres) from every origin to every destination.

        Unreachable pairs are ``inf``. Points are snapped as for :meth:`route`, so the same
        errors apply; a point on the same edge ahead of an origin is reached along the edge.
        ``duration_s`` (the live car times: congestion, closures) and ``avoid`` as for
        :meth:`route_between`: the hierarchy customized for those weights answers, once per
        weights, not once per matrix.
        """
        starts = [self.snap(*p, name=f"origin {i}") for i, p in enumerate(origins)]
        ends = [self.snap(*p, name=f"destination {j}") for j, p in enumerate(destinations)]
        graph = self.graph
        weights = self.live_weights(metric, avoid, duration_s)
        turns = graph.turn_part(metric)
        leaving_sets = [_finite(*leaving(graph, start, weights, turns)) for start in starts]
        arriving_sets = [_finite(*arriving(graph, end, weights, turns)) for end in ends]
        matrix = self.live.customized(weights).matrix_of_sets(leaving_sets, arriving_sets)
        on_edge: dict[int, list[int]] = {}
        for j, end in enumerate(ends):
            for position in end.positions:
                on_edge.setdefault(position.edge, []).append(j)
        for i, start in enumerate(starts):
            # Points on one cut-off piece are joined by its own streets only (see
            # drop_shared_fallbacks); a destination ahead on the origin's edge needs no search.
            pairs = {j for p in start.positions for j in on_edge.get(p.edge, ())}
            if start.on_cut_off_piece:
                pairs |= {j for j, end in enumerate(ends) if end.piece == start.piece}
            for j in pairs:
                first, last = drop_shared_fallbacks(start, ends[j])
                if first is not start:
                    costs = self.costs_from(first, metric, avoid=avoid, duration_s=duration_s)
                    matrix[i, j] = self.costs_to(
                        first, costs, [last], metric, avoid=avoid, duration_s=duration_s
                    )[0]
                else:
                    ahead = along_one_edge(graph, first, last, weights, turns)[0]
                    matrix[i, j] = min(matrix[i, j], ahead)
        return matrix

    def isochrone(
        self,
        origin: LatLon,
        budget_s: float,
        *,
        buffer_m: float | None = None,
        avoid: frozenset[str] = frozenset(),
        duration_s: NDArray[np.float64] | None = None,
        search: OneToAll | None = None,
    ) -> dict[str, Any]:
        """The area reachable from ``origin`` within ``budget_s`` seconds, as a GeoJSON Feature.

        The polygon is the union of the reachable street stretches (partly reachable edges
        cut where the budget runs out) widened by ``buffer_m`` (default: what the mode covers
        in 30 s, between 25 and 150 m), the usual way to draw network isochrones.
        ``duration_s`` and ``avoid`` as for :meth:`route_between` (live car times, a
        wheelchair's steps). ``search`` as for :meth:`costs_from`; by default the hierarchy
        sweep when the budget should reach more than ``SWEEP_FROM_SHARE`` of the graph and
        the hierarchy is at hand (where it is faster, measured by
        ``benchmarks/one_to_all.py``), else a bounded Dijkstra. Both give the same area.
        """
        if not np.isfinite(budget_s) or not 0 < budget_s <= 4 * 3600:
            raise ValueError(
                f"budget_s={budget_s!r} is out of range; accepted: 0 < budget <= 14400"
            )
        graph = self.graph
        start = self.snap(*origin, name="origin")
        times_s = self.live_weights("time", avoid, duration_s)
        if search is None:
            search = "hierarchy" if self._sweep_pays(budget_s, times_s) else "dijkstra"
        costs = self.costs_from(
            start, "time", limit=budget_s, avoid=avoid, duration_s=duration_s, search=search
        )
        tails_cost = costs[graph.tails]
        reached = (tails_cost < budget_s) & np.isfinite(times_s)
        edges = np.flatnonzero(reached)
        remaining = budget_s - tails_cost[edges]
        street_s = times_s[edges]
        if graph.turn_s is not None:
            # The turn onto an edge is made at its tail, before any of the street is driven.
            turn_s = np.minimum(graph.turn_s[edges], street_s)
            remaining, street_s = remaining - turn_s, street_s - turn_s
        with np.errstate(divide="ignore", invalid="ignore"):
            ends = np.where(street_s > 0, remaining / street_s, 1.0)
        ends = np.clip(ends, 0.0, 1.0)
        projection = self.snapper.projection
        lines = []
        for edge, end in zip(edges, ends, strict=True):
            lat, lon = graph.edge_polyline(int(edge))
            stretch = cut(lat, lon, 0.0, float(end))
            lats = np.array([p[0] for p in stretch])
            lons = np.array([p[1] for p in stretch])
            x, y = projection.to_xy(lats, lons)
            lines.append(shapely.linestrings(np.column_stack([x, y])))
        for a in start.positions:  # the stretch of the origin's own edge, ahead of the origin
            lat, lon = graph.edge_polyline(a.edge)
            start_piece = cut(lat, lon, a.fraction, 1.0)
            x, y = projection.to_xy(
                np.array([p[0] for p in start_piece]), np.array([p[1] for p in start_piece])
            )
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


def _expected_share(graph: CompactGraph, budget_s: float, times_s: NDArray[np.float64]) -> float:
    """Roughly which share of ``graph``'s area (so of its nodes) ``budget_s`` reaches at the
    mean speed of ``times_s``, streets being ``_CIRCUITY`` times longer than the crow flies."""
    usable = np.isfinite(times_s)
    speed_ms = float(graph.length_m[usable].sum() / max(float(times_s[usable].sum()), 1e-9))
    box = graph.bbox
    height_m = (box.max_lat - box.min_lat) * 111_320.0
    width_m = (
        (box.max_lon - box.min_lon)
        * 111_320.0
        * math.cos(math.radians((box.max_lat + box.min_lat) / 2))
    )
    reach_m = speed_ms * budget_s / _CIRCUITY
    return math.pi * reach_m**2 / max(height_m * width_m, 1.0)


def _finite(
    nodes: NDArray[np.int64], costs: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The ends a search can use: those not behind an impassable edge."""
    usable = np.isfinite(costs)
    return nodes[usable], costs[usable]


def _to_lonlat(projection: Any, xy: NDArray[np.float64]) -> NDArray[np.float64]:
    lat, lon = projection.to_latlon(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])
