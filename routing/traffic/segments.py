"""Edge copies that share one street segment: the assignment on a turn-expanded graph.

A drive graph built with turn costs (:mod:`routing.street.turn_costs`) holds several copies
of a street segment, one per way of arriving at its tail, each with the cost of its turn. The
cars on every copy are on the same tarmac: the segment's BPR time depends on the copies'
volumes together, against the segment's one capacity, and a copy costs its turn on top.

The assignment then runs in a lifted space, one coordinate per segment (its volume, BPR
costed) and one per copy (its volume, costed its constant turn): Beckmann's objective stays
separable there, so the Frank-Wolfe family, its diagonal Hessian and the exact line search
apply unchanged. A copy's time is its segment's plus its turn. Scenarios edit and close
every copy of the segments they name (:mod:`routing.traffic.scenarios`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.street.graph import CompactGraph
from routing.street.turn_costs import segment_of_edges

__all__ = ["SharedSegments", "StreetCopies", "street_copies"]


@dataclass(frozen=True, eq=False)
class SharedSegments:
    """Per edge, its segment (0..count-1) and the turn cost its free-flow time includes."""

    segment: NDArray[np.int64]
    count: int
    turn_s: NDArray[np.float64]

    @classmethod
    def of(cls, graph: CompactGraph) -> SharedSegments | None:
        """The segments of a graph built with turn costs; None for a node-based graph."""
        if graph.turn_s is None:
            return None
        segment = segment_of_edges(
            graph.node_osm_id, graph.tails, graph.heads, graph.osm_way_id, graph.length_m
        )
        return cls(segment, int(segment.max()) + 1 if segment.size else 0, graph.turn_s)

    def subset(self, kept: NDArray[np.int64]) -> SharedSegments:
        """The segments of a network of the ``kept`` edges only (closures removed)."""
        labels, inverse = np.unique(self.segment[kept], return_inverse=True)
        return SharedSegments(
            np.asarray(inverse.reshape(-1), np.int64), int(labels.size), self.turn_s[kept]
        )

    def copies_of(self, edges: NDArray[np.int64]) -> NDArray[np.int64]:
        """Every copy of the segments of ``edges`` (sorted): what closing them closes."""
        found: NDArray[np.int64] = np.flatnonzero(np.isin(self.segment, self.segment[edges]))
        return found

    def lift(self, edge_volume: NDArray[np.float64]) -> NDArray[np.float64]:
        """Edge volumes -> (segment volumes, copy volumes)."""
        segments = np.bincount(self.segment, weights=edge_volume, minlength=self.count)
        return np.concatenate([segments, edge_volume])

    def edge_costs(self, lifted_cost: NDArray[np.float64]) -> NDArray[np.float64]:
        """Lifted costs -> each edge's: its segment's plus its own turn."""
        result: NDArray[np.float64] = (
            lifted_cost[: self.count][self.segment] + lifted_cost[self.count :]
        )
        return result

    def per_edge(self, lifted: NDArray[np.float64]) -> NDArray[np.float64]:
        """A segment value (volume, capacity) repeated on each of its copies."""
        result: NDArray[np.float64] = lifted[: self.count][self.segment]
        return result

    def bpr_inputs(
        self,
        free_flow_time_s: NDArray[np.float64],
        capacity_veh_h: NDArray[np.float64],
        alpha: NDArray[np.float64],
        beta: NDArray[np.float64],
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Lifted BPR inputs: the segments' street times, capacities and parameters (those of
        a copy: all copies agree), then per copy its turn at a constant cost."""
        first = np.full(self.count, -1, np.int64)
        first[self.segment[::-1]] = np.arange(self.segment.size)[::-1]
        street_s = free_flow_time_s[first] - self.turn_s[first]
        copies = self.segment.size
        return (
            np.concatenate([street_s, np.minimum(self.turn_s, free_flow_time_s)]),
            np.concatenate([capacity_veh_h[first], np.ones(copies)]),
            np.concatenate([alpha[first], np.zeros(copies)]),
            np.concatenate([beta[first], np.ones(copies)]),
        )


@dataclass(frozen=True, eq=False)
class StreetCopies:
    """One street segment of a result: its first copy, every copy, and that copy's turn (s)."""

    edge: int
    copies: NDArray[np.int64]
    turn_s: float


def street_copies(graph: CompactGraph, edges: NDArray[np.int64]) -> list[StreetCopies]:
    """The street segments of ``edges``, each once, in the order of their first edge there.

    On a node-based graph each edge is its own segment (no turn). On a graph with turn costs
    the copies of a street make one: its rows (exports, stored runs) sum the copies' volumes
    and delays, and take the street's times without the turn of ``edge``.
    """
    shared = SharedSegments.of(graph)
    chosen = np.asarray(edges, np.int64)
    if shared is None:
        return [StreetCopies(int(e), np.array([e], np.int64), 0.0) for e in chosen]
    order = np.argsort(shared.segment, kind="stable")
    starts = np.searchsorted(shared.segment[order], np.arange(shared.count + 1))
    streets: list[StreetCopies] = []
    seen: set[int] = set()
    for e in chosen:
        segment = int(shared.segment[e])
        if segment in seen:
            continue
        seen.add(segment)
        copies = np.sort(order[starts[segment] : starts[segment + 1]]).astype(np.int64)
        first = int(copies[0])
        streets.append(StreetCopies(first, copies, float(shared.turn_s[first])))
    return streets
