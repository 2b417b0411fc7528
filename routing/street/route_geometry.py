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

from routing.street._ends import LatLon, Span, cut, span_cost
from routing.street.graph import CompactGraph
from routing.street.steps import Piece, Step, build_steps

__all__ = ["RouteGeometry", "piece"]


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

    Built on first read and kept; reading from several threads at once builds the same
    tuples, so no lock is needed. Two geometries are equal when their coordinates and steps
    are.
    """

    __slots__ = ("_built", "_destination", "_durations", "_graph", "_origin", "_spans")

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
        self._built: tuple[tuple[LatLon, ...], tuple[Step, ...]] | None = None

    @property
    def built(self) -> bool:
        """Whether the coordinates and steps were built (read) already."""
        return self._built is not None

    @property
    def coordinates(self) -> tuple[LatLon, ...]:
        return self._build()[0]

    @property
    def steps(self) -> tuple[Step, ...]:
        return self._build()[1]

    def _build(self) -> tuple[tuple[LatLon, ...], tuple[Step, ...]]:
        built = self._built
        if built is not None:
            return built
        graph = self._graph
        # Every span but the first came onto its edge by a turn (paid with the edge's time).
        pieces = [
            piece(graph, span, self._durations, turned=i > 0) for i, span in enumerate(self._spans)
        ]
        coordinates: list[LatLon] = [self._origin]
        for stretch in pieces:
            for point in stretch.coordinates:
                if point != coordinates[-1]:
                    coordinates.append(point)
        if self._destination != coordinates[-1]:
            coordinates.append(self._destination)
        if len(coordinates) == 1:
            coordinates.append(coordinates[0])
        built = (tuple(coordinates), tuple(build_steps(pieces)))
        self._built = built
        return built

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RouteGeometry):
            return NotImplemented
        return self._build() == other._build()

    def __hash__(self) -> int:
        return hash(self._build())

    def __repr__(self) -> str:
        state = f"{len(self.coordinates)} points" if self.built else "not built"
        return f"RouteGeometry({len(self._spans)} spans, {state})"
