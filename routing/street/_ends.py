"""Getting on and off the network at snapped points: the end costs every search shares.

A snapped point lies part-way along an edge, possibly across a connector (when the nearest
street is a cut-off piece): a search leaves by the edges' heads and arrives by their tails,
each at the cost of the part of the edge (and the connector) in between. The router's
hierarchy queries, its Dijkstra fallbacks and its matrices all cost the ends here, so they
cannot disagree.

On a graph with turn costs (``graph.turn_s``) an edge's time includes the turn onto it at
its tail: a search that leaves a point part-way along the edge never made that turn, and one
that arrives at a point on it did, in full. The ``turns`` argument is the turn part of the
weights (``graph.turn_part(metric)``: the times', none in a length).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.geometry import haversine_m
from routing.street.graph import CompactGraph
from routing.street.snap import EdgePosition, Snap

LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Span:
    """Part of an edge, from ``start`` to ``end`` as fractions of its length."""

    edge: int
    start: float
    end: float


@dataclass(frozen=True, slots=True, eq=False)
class SnappedPath:
    """The spans of a route and the snap positions it leaves from and arrives at.

    The spans are kept as arrays (span ``i`` runs along ``edges[i]`` from fraction
    ``starts[i]`` to ``ends[i]``): a plan ranks many candidate paths on their costs alone,
    and a :class:`Span` per edge of each was a Python object per edge for nothing.
    """

    edges: NDArray[np.int64]
    starts: NDArray[np.float64]
    ends: NDArray[np.float64]
    first: EdgePosition
    last: EdgePosition

    @classmethod
    def through(
        cls, first: EdgePosition, middle: NDArray[np.int64], last: EdgePosition
    ) -> SnappedPath:
        """From ``first`` to the end of its edge, whole ``middle`` edges, then the start of
        ``last``'s edge to it."""
        count = middle.shape[0] + 2
        edges = np.empty(count, np.int64)
        edges[0], edges[1:-1], edges[-1] = first.edge, middle, last.edge
        starts = np.zeros(count)
        starts[0] = first.fraction
        ends = np.ones(count)
        ends[-1] = last.fraction
        return cls(edges, starts, ends, first, last)

    @classmethod
    def along(cls, first: EdgePosition, last: EdgePosition) -> SnappedPath:
        """Along one edge, from ``first`` to ``last`` further along it."""
        return cls(
            np.array([first.edge], np.int64),
            np.array([first.fraction]),
            np.array([last.fraction]),
            first,
            last,
        )

    @property
    def spans(self) -> list[Span]:
        return [
            Span(edge, start, end)
            for edge, start, end in zip(
                self.edges.tolist(), self.starts.tolist(), self.ends.tolist(), strict=True
            )
        ]

    def cost(self, weights: NDArray[np.float64], turns: Turns) -> float:
        """The spans' cost, every span but the first entered by a turn (:func:`spans_cost`)."""
        return along_edges_cost(weights, turns, self.edges, self.starts, self.ends)


Turns = NDArray[np.float64] | None


def along_one_edge(
    graph: CompactGraph,
    start: Snap,
    end: Snap,
    weights: NDArray[np.float64],
    turns: Turns = None,
) -> tuple[float, SnappedPath | None]:
    """Both points on one edge, the destination further along: the cost with no search."""
    best_cost, best = np.inf, None
    for a in start.positions:
        for b in end.positions:
            if a.edge == b.edge and a.fraction <= b.fraction:
                cost = (
                    span_cost(weights, turns, a.edge, a.fraction, b.fraction, turned=False)
                    + connector_cost(graph, a, weights, turns)
                    + connector_cost(graph, b, weights, turns)
                )
                if cost < best_cost:
                    best_cost = cost
                    best = SnappedPath.along(a, b)
    return best_cost, best


def leaving(
    graph: CompactGraph, snap: Snap, weights: NDArray[np.float64], turns: Turns = None
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The nodes a search leaves a snapped point by, and the cost of reaching each."""
    return _ends(graph, snap, weights, turns, leave=True)


def arriving(
    graph: CompactGraph, snap: Snap, weights: NDArray[np.float64], turns: Turns = None
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The nodes a search reaches a snapped point from, and the cost from each to the point."""
    return _ends(graph, snap, weights, turns, leave=False)


def _ends(
    graph: CompactGraph,
    snap: Snap,
    weights: NDArray[np.float64],
    turns: Turns,
    *,
    leave: bool,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    ends = graph.heads if leave else graph.tails
    nodes = np.array([ends[p.edge] for p in snap.positions], np.int64)
    costs = np.array(
        [
            (
                span_cost(weights, turns, p.edge, p.fraction, 1.0, turned=False)
                if leave
                else span_cost(weights, turns, p.edge, 0.0, p.fraction, turned=True)
            )
            + connector_cost(graph, p, weights, turns)
            for p in snap.positions
        ]
    )
    return nodes, costs


def arrival_costs(
    graph: CompactGraph,
    weights: NDArray[np.float64],
    turns: Turns,
    edges: NDArray[np.int64],
    fractions: NDArray[np.float64],
    connectors_m: NDArray[np.float64],
) -> NDArray[np.float64]:
    """What :func:`arriving` costs each position (``edges[i]``, ``fractions[i]``,
    ``connectors_m[i]``) from its edge's tail, for many positions at once: the same operations
    as :func:`span_cost` (turned) plus :func:`connector_cost`, to the last bit.

    A position with a connector must lie on an edge of positive length (the connector of a
    zero-length edge is costed at the network's average pace: use :func:`arriving`).
    """
    weight = weights[edges]
    turn = np.zeros_like(weight) if turns is None else np.minimum(turns[edges], weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        along = np.where(fractions > 0.0, turn + (weight - turn) * fractions, 0.0)
        connector = np.where(
            connectors_m == 0, 0.0, connectors_m * (weight - turn) / graph.length_m[edges]
        )
    result: NDArray[np.float64] = along + connector
    return result


def span_cost(
    weights: NDArray[np.float64],
    turns: Turns,
    edge: int,
    start: float,
    end: float,
    *,
    turned: bool,
) -> float:
    """The cost of an edge from fraction ``start`` to ``end``; ``turned``: the route came
    onto the edge at its tail (so made the turn there), rather than starting on it."""
    weight = float(weights[edge])
    turn = 0.0 if turns is None else min(float(turns[edge]), weight)
    if end <= start:
        return 0.0
    return (turn if turned else 0.0) + part(weight - turn, end - start)


def spans_cost(weights: NDArray[np.float64], turns: Turns, spans: Sequence[Span]) -> float:
    """The cost of a route along ``spans``, every span but the first entered by a turn:
    ``sum(span_cost(..., turned=i > 0) for i, span in enumerate(spans))`` to the last bit (the
    same operations per span on arrays, then added one by one in the same order), without a
    Python call per span."""
    if not spans:
        return 0
    edges = np.fromiter((span.edge for span in spans), np.int64, len(spans))
    starts = np.fromiter((span.start for span in spans), np.float64, len(spans))
    ends = np.fromiter((span.end for span in spans), np.float64, len(spans))
    return along_edges_cost(weights, turns, edges, starts, ends)


def along_edges_cost(
    weights: NDArray[np.float64],
    turns: Turns,
    edges: NDArray[np.int64],
    starts: NDArray[np.float64],
    ends: NDArray[np.float64],
) -> float:
    """:func:`spans_cost` of the spans (``edges[i]``, ``starts[i]``, ``ends[i]``)."""
    weight = weights[edges]
    fraction = ends - starts
    with np.errstate(invalid="ignore"):
        if turns is None:
            costs = weight * fraction  # (weight - 0.0) * fraction
        else:
            turn = np.minimum(turns[edges], weight)
            costs = (weight - turn) * fraction
            # Every span but the first came by a turn: turn + part (the first: 0.0 + part).
            costs[1:] += turn[1:]
    # An empty span (end <= start) costs nothing, its turn included.
    costs[fraction <= 0.0] = 0.0
    return float(sum(costs.tolist()))


def connector_cost(
    graph: CompactGraph,
    position: EdgePosition,
    weights: NDArray[np.float64],
    turns: Turns = None,
) -> float:
    """What the straight connector to a position costs: its length at its street's pace.

    In metres for lengths, in seconds for times (the street's own speed, its turn cost left
    out: the connector is travelled like the street it joins); impassable streets make it
    impassable.
    """
    if position.connector_m == 0:
        return 0.0
    edge = position.edge
    length = float(graph.length_m[edge])
    if length > 0:
        weight = float(weights[edge])
        turn = 0.0 if turns is None else min(float(turns[edge]), weight)
        return position.connector_m * (weight - turn) / length
    # A zero-length edge has no pace of its own: use the network's average.
    finite = np.isfinite(weights)
    return position.connector_m * float(weights[finite].sum() / graph.length_m[finite].sum())


def part(weight: float, fraction: float) -> float:
    """The cost of a fraction of an edge; nothing of an impassable edge costs nothing."""
    return 0.0 if fraction <= 0.0 else float(weight) * fraction


def cut(
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
