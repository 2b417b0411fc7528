"""A route's polyline and turn-by-turn steps, built from its path the first time they are read.

A trip plan ranks a score of candidate routes on their costs alone and returns a handful:
cutting every candidate's end edges, naming its streets and merging its steps edge by edge was
a fifth of a plan's CPU (py-spy, ``benchmarks/README.md``), spent on routes nobody saw. A
:class:`RouteGeometry` keeps the route's spans and builds the same coordinates and steps as
before, once, when something reads them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from routing.geometry import encode_polyline
from routing.street._ends import LatLon, Span, cut, span_cost
from routing.street.graph import CompactGraph
from routing.street.steps import Piece, Step, build_steps

__all__ = ["RouteGeometry", "piece", "route_line"]


def piece(
    graph: CompactGraph, span: Span, durations: NDArray[np.float64], *, turned: bool
) -> Piece:
    """The stretch of street ``span`` covers: its name, length, time and polyline."""
    lat, lon = graph.edge_polyline(span.edge)
    fraction = span.end - span.start
    return Piece(
        name=graph.edge_name(span.edge),
        distance_m=float(graph.length_m[span.edge]) * fraction,
        duration_s=span_cost(
            durations, graph.turn_s, span.edge, span.start, span.end, turned=turned
        ),
        coordinates=cut(lat, lon, span.start, span.end),
    )


class RouteGeometry:
    """The coordinates (lat, lon) and steps of a route along ``spans``, from ``origin`` to
    ``destination`` (the snapped ends as the route used them), timed by ``durations``.

    Each is built on first read and kept: the line on arrays (the whole edges' points gathered
    from the graph at once), the steps from the spans' pieces only when asked (most answers
    draw the line and show no steps). Reading from several threads at once builds the same
    values, so no lock is needed. Two geometries are equal when their coordinates and steps
    are.
    """

    __slots__ = (
        "_coordinates",
        "_destination",
        "_durations",
        "_graph",
        "_line",
        "_origin",
        "_spans",
        "_steps",
    )

    def __init__(
        self,
        graph: CompactGraph,
        spans: Sequence[Span],
        durations: NDArray[np.float64],
        origin: LatLon,
        destination: LatLon,
    ) -> None:
        self._graph = graph
        self._spans = tuple(spans)
        self._durations = durations
        self._origin = origin
        self._destination = destination
        self._line: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
        self._coordinates: tuple[LatLon, ...] | None = None
        self._steps: tuple[Step, ...] | None = None

    @property
    def built(self) -> bool:
        """Whether the line or the steps were built (read) already."""
        return self._line is not None or self._steps is not None

    @property
    def coordinates(self) -> tuple[LatLon, ...]:
        coordinates = self._coordinates
        if coordinates is None:
            lat, lon = self.line
            coordinates = tuple(zip(lat.tolist(), lon.tolist(), strict=True))
            self._coordinates = coordinates
        return coordinates

    @property
    def line(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The coordinates as two arrays (latitudes, longitudes); read-only."""
        line = self._line
        if line is None:
            line = route_line(self._graph, self._spans, self._origin, self._destination)
            self._line = line
        return line

    def encoded_polyline(self, precision: int = 5) -> str:
        """The line as a Google encoded polyline, encoded from the arrays."""
        return encode_polyline(*self.line, precision)

    @property
    def steps(self) -> tuple[Step, ...]:
        steps = self._steps
        if steps is None:
            graph = self._graph
            # Every span but the first came onto its edge by a turn (paid with the edge's time).
            pieces = [
                piece(graph, span, self._durations, turned=i > 0)
                for i, span in enumerate(self._spans)
            ]
            steps = tuple(build_steps(pieces))
            self._steps = steps
        return steps

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RouteGeometry):
            return NotImplemented
        return self.coordinates == other.coordinates and self.steps == other.steps

    def __hash__(self) -> int:
        return hash((self.coordinates, self.steps))

    def __repr__(self) -> str:
        state = f"{self.line[0].shape[0]} points" if self._line is not None else "not built"
        return f"RouteGeometry({len(self._spans)} spans, {state})"


def route_line(
    graph: CompactGraph, spans: Sequence[Span], origin: LatLon, destination: LatLon
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The points (lat, lon arrays) of a route: ``origin``, each span's stretch of its edge's
    polyline, ``destination``, with every point equal to the one before it dropped (and the
    one point twice when that leaves one).

    Whole edges (all but the ends, usually) are gathered from the graph's geometry arrays in
    one indexing; the partly used ones are cut as :func:`cut` cuts them.
    """
    lats: list[NDArray[np.float64]] = [np.array([origin[0]])]
    lons: list[NDArray[np.float64]] = [np.array([origin[1]])]
    whole: list[int] = []
    for span in spans:
        if span.start <= 0.0 and span.end >= 1.0:
            whole.append(span.edge)
            continue
        if whole:
            _gather(graph, whole, lats, lons)
            whole = []
        lat, lon = graph.edge_polyline(span.edge)
        stretch = np.array(cut(lat, lon, span.start, span.end), np.float64).reshape(-1, 2)
        lats.append(stretch[:, 0])
        lons.append(stretch[:, 1])
    if whole:
        _gather(graph, whole, lats, lons)
    lats.append(np.array([destination[0]]))
    lons.append(np.array([destination[1]]))
    all_lat = np.concatenate(lats)
    all_lon = np.concatenate(lons)
    keep = np.ones(all_lat.shape[0], np.bool_)
    keep[1:] = (all_lat[1:] != all_lat[:-1]) | (all_lon[1:] != all_lon[:-1])
    line_lat, line_lon = all_lat[keep], all_lon[keep]
    if line_lat.shape[0] == 1:
        line_lat, line_lon = np.repeat(line_lat, 2), np.repeat(line_lon, 2)
    line_lat.flags.writeable = False
    line_lon.flags.writeable = False
    return line_lat, line_lon


def _gather(
    graph: CompactGraph,
    edges: list[int],
    lats: list[NDArray[np.float64]],
    lons: list[NDArray[np.float64]],
) -> None:
    """Append the whole polylines of ``edges``, in order, to ``lats`` and ``lons``."""
    ids = np.array(edges, np.int64)
    starts = graph.geometry_offsets[ids]
    counts = graph.geometry_offsets[ids + 1] - starts
    total = int(counts.sum())
    # Point k of the run: its edge's first point plus its rank within that edge.
    first_rank = np.cumsum(counts) - counts
    index = np.repeat(starts - first_rank, counts) + np.arange(total)
    lats.append(graph.geometry_lat[index])
    lons.append(graph.geometry_lon[index])
