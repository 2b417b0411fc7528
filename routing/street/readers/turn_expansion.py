"""Turn costs as a graph transform: one copy of a junction per edge arriving there.

The design is :mod:`routing.street.turn_costs`'s docstring; this module does the splitting
on a mode's networkx graph, after turn restrictions were applied (their copies are split
like any node, so what they forbid stays forbidden: a copy never gains an exit).

Every original edge ``f`` (u -> v) arrives at ``arrival[f]``: a copy of ``v`` of its own
when ``v`` is split, else ``v``. Each arrival at a split node gets copies of the node's
allowed exits, each arriving in turn at its own head's arrival node; the turn's cost is
added to the copy's ``travel_time`` and kept as ``turn_s``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from routing.street.turn_costs import TurnCostProfile, turn_angle_deg

__all__ = ["TurnExpansionReport", "expand_turns"]

# Graph attribute: what the expansion did (nodes and edges before and after, turns banned).
REPORT_KEY = "turn_costs"
# How far from the junction the bearing of a street is read: the last few metres of a way
# are often a short kink where it meets the other street.
_BEARING_REACH_M = 10.0
# Two edges back along one way are a U-turn when their lengths agree to this (m); a closed
# way leaving and coming back by its other half is not.
_SAME_LENGTH_M = 0.5

Edge = tuple[Any, Any, Any, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class TurnExpansionReport:
    """Sizes before and after, and how many U-turns were forbidden or allowed (dead ends)."""

    nodes_before: int
    edges_before: int
    nodes_after: int
    edges_after: int
    u_turns_forbidden: int
    u_turns_allowed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "nodes_before": self.nodes_before,
            "edges_before": self.edges_before,
            "nodes_after": self.nodes_after,
            "edges_after": self.edges_after,
            "u_turns_forbidden": self.u_turns_forbidden,
            "u_turns_allowed": self.u_turns_allowed,
        }


def expand_turns(graph: nx.MultiDiGraph, profile: TurnCostProfile) -> nx.MultiDiGraph:
    """A copy of ``graph`` in which every edge's ``travel_time`` includes its turn's cost.

    Edges need ``length`` and ``travel_time`` and may carry ``osmid`` and a shapely
    ``geometry``; nodes need ``x`` and ``y``. The new graph's ``graph["turn_costs"]`` is
    the :class:`TurnExpansionReport`.
    """
    edges: list[Edge] = list(graph.edges(keys=True, data=True))
    ids = {(u, v, k): i for i, (u, v, k, _) in enumerate(edges)}
    incoming: dict[Any, list[int]] = {}
    outgoing: dict[Any, list[int]] = {}
    for i, (u, v, _, _) in enumerate(edges):
        outgoing.setdefault(u, []).append(i)
        incoming.setdefault(v, []).append(i)
    assert len(ids) == len(edges)
    bearings = _Bearings(graph)
    osm = {n: graph.nodes[n].get("osm_id", n) for n in graph.nodes}

    def is_u_turn(e: int, f: int) -> bool:
        ue, _, _, de = edges[e]
        _, vf, _, df = edges[f]
        return (
            osm[vf] == osm[ue]
            and _way(de) == _way(df)
            and abs(float(de["length"]) - float(df["length"])) <= _SAME_LENGTH_M
        )

    # Per arriving edge, its allowed exits with their cost (U-turns decided here).
    turns: dict[int, list[tuple[int, float]]] = {}
    forbidden = allowed_u = 0
    for node, ins in incoming.items():
        outs = outgoing.get(node, [])
        for e in ins:
            kept: list[tuple[int, float]] = []
            u_turns = [f for f in outs if is_u_turn(e, f)]
            dead_end = len(u_turns) == len(outs)
            for f in outs:
                angle = turn_angle_deg(bearings.arriving(edges[e]), bearings.leaving(edges[f]))
                cost = profile.turn_s(angle)
                if f in u_turns:
                    if profile.u_turns == "dead_ends" and not dead_end:
                        forbidden += 1
                        continue
                    allowed_u += 1
                    cost = profile.max_turn_s + profile.u_turn_s
                kept.append((f, cost))
            turns[e] = kept
    split = {
        node
        for node, ins in incoming.items()
        if len(ins) > 1 or len(turns[ins[0]]) < len(outgoing.get(node, []))
    }

    expanded = nx.MultiDiGraph(**graph.graph)
    next_key = [min([0, *(n for n in graph.nodes if isinstance(n, int))]) - 1]

    def copy_of(node: Any) -> Any:
        key = next_key[0]
        next_key[0] -= 1
        data = graph.nodes[node]
        expanded.add_node(key, **{**data, "osm_id": osm[node]})
        return key

    for node, data in graph.nodes(data=True):
        if node not in split:
            expanded.add_node(node, **data)
    arrival: dict[int, Any] = {}
    for node in split:
        for n, e in enumerate(incoming[node]):
            # The first arrival keeps the node's own key: OSM ids stay node keys where they can.
            if n == 0:
                expanded.add_node(node, **graph.nodes[node])
                arrival[e] = node
            else:
                arrival[e] = copy_of(node)
    for i, (_, v, _, _) in enumerate(edges):
        arrival.setdefault(i, v)

    def add(tail: Any, f: int, cost: float) -> None:
        data = edges[f][3]
        expanded.add_edge(
            tail,
            arrival[f],
            **{**data, "travel_time": float(data["travel_time"]) + cost, "turn_s": cost},
        )

    reached: set[int] = set()
    for node, outs in outgoing.items():
        ins = incoming.get(node, [])
        if node in split:
            for e in ins:
                for f, cost in turns[e]:
                    add(arrival[e], f, cost)
                    reached.add(f)
            orphans = [f for f in outs if f not in reached]
            if orphans:
                # No arrival may take these exits, but a point on them must still leave by them.
                bare = copy_of(node)
                for f in orphans:
                    add(bare, f, 0.0)
        elif ins:
            for f, cost in turns[ins[0]]:
                add(node, f, cost)
        else:
            for f in outs:
                add(node, f, 0.0)
    expanded.remove_nodes_from([n for n in list(expanded.nodes) if expanded.degree(n) == 0])
    report = TurnExpansionReport(
        nodes_before=graph.number_of_nodes(),
        edges_before=graph.number_of_edges(),
        nodes_after=expanded.number_of_nodes(),
        edges_after=expanded.number_of_edges(),
        u_turns_forbidden=forbidden,
        u_turns_allowed=allowed_u,
    )
    expanded.graph[REPORT_KEY] = report.as_dict()
    return expanded


def _way(data: dict[str, Any]) -> Any:
    way = data.get("osmid")
    return way[0] if isinstance(way, list) and way else way


class _Bearings:
    """Compass bearings of edges where they leave their tail and reach their head."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph

    def _coords(self, edge: Edge) -> Sequence[tuple[float, float]]:
        u, v, _, data = edge
        nodes = self._graph.nodes
        start = (float(nodes[u]["x"]), float(nodes[u]["y"]))
        geometry = data.get("geometry")
        if geometry is None:
            return [start, (float(nodes[v]["x"]), float(nodes[v]["y"]))]
        coords = [(float(x), float(y)) for x, y in geometry.coords]
        # A geometry must run from tail to head; one stored the other way round is flipped.
        if _sq(coords[0], start) > _sq(coords[-1], start):
            coords.reverse()
        return coords

    def leaving(self, edge: Edge) -> float:
        return _bearing_along(self._coords(edge))

    def arriving(self, edge: Edge) -> float:
        coords = list(reversed(self._coords(edge)))
        return (_bearing_along(coords) + 180.0) % 360.0


def _sq(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _bearing_along(coords: Sequence[tuple[float, float]]) -> float:
    """The bearing from the first point to the first one ``_BEARING_REACH_M`` away (or the
    last), in degrees clockwise from north."""
    x0, y0 = coords[0]
    scale = math.cos(math.radians(y0))
    dx = dy = 0.0
    for x, y in coords[1:]:
        dx, dy = (x - x0) * scale * 111_320.0, (y - y0) * 111_320.0
        if math.hypot(dx, dy) >= _BEARING_REACH_M:
            break
    return math.degrees(math.atan2(dx, dy)) % 360.0
