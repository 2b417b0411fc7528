"""Turn restrictions as a graph transform: node splitting at restricted junctions.

The hierarchies (CH, CCH) search a plain directed graph where any edge into a node may be
followed by any edge out of it. A turn restriction breaks that at one junction, so the
junction is split: the restricted ``from`` edges arrive at a copy of the via node whose
edges out are the allowed ones only (copies of the original's: same way, geometry, length,
time). Nothing downstream needs to know: a copy has its original's coordinates and OSM id
(``osm_id``), so snapping, geometry, steps and OSM ids see the street as it is.

A via-way restriction copies the via way: the ``from`` edges arrive at a copy of its first
node, whose only way along the via way leads through copies to a copy of its last node,
where the ``to`` edges are banned (``no_*``) or the only ones kept (``only_*``); leaving the
via way half-way stays allowed. Via-node restrictions are split first, and each later split
follows the edges as they then are, so rules at the same junction compose.

Only junctions with a restriction grow (a few nodes and edges each), unlike an edge-based
graph; the price is that turn *costs* (angles, U-turns) have no place here: they need a node
per incoming edge at every junction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from routing.street.restrictions import TurnRestriction

__all__ = ["TurnSplitReport", "apply_turn_restrictions", "via_nodes"]

# Graph attribute: how many restrictions were read, applied, and left out (and why).
REPORT_KEY = "turn_restrictions"
# Node attribute marking junctions simplification must keep (a via or a via-way end).
VIA_KEY = "turn_via"


@dataclass(slots=True)
class TurnSplitReport:
    """What became of a mode's restrictions; ``skipped`` names the relations left out."""

    applied: int = 0
    skipped: list[int] | None = None

    def as_dict(self) -> dict[str, Any]:
        skipped = self.skipped or []
        return {"applied": self.applied, "skipped": len(skipped), "skipped_ids": skipped[:20]}


def via_nodes(
    restrictions: Iterable[TurnRestriction], way_nodes: Mapping[int, Sequence[int]]
) -> set[int]:
    """The OSM nodes a graph must keep as junctions for these restrictions to be applied."""
    kept: set[int] = set()
    for rule in restrictions:
        if rule.via_node is not None:
            kept.add(rule.via_node)
            continue
        ways = [rule.from_way, *rule.via_ways, rule.to_way]
        for a, b in itertools.pairwise(ways):
            joint = _joint(way_nodes, a, b)
            if joint is not None:
                kept.add(joint)
    return kept


def apply_turn_restrictions(
    graph: nx.MultiDiGraph,
    restrictions: Sequence[TurnRestriction],
    way_nodes: Mapping[int, Sequence[int]],
) -> TurnSplitReport:
    """Split ``graph``'s restricted junctions in place (edges need a single ``osmid``).

    A restriction whose ways or nodes are not in the graph (outside the extract, closed to
    the mode, or one-way the other way so no turn is possible) changes nothing and is
    counted in ``skipped``.
    """
    splitter = _Splitter(graph)
    report = TurnSplitReport(skipped=[])
    assert report.skipped is not None
    by_junction: dict[tuple[int, int], list[TurnRestriction]] = {}
    for rule in restrictions:
        if rule.via_node is not None:
            by_junction.setdefault((rule.from_way, rule.via_node), []).append(rule)
    for (from_way, via), rules in by_junction.items():
        applied = splitter.split_node(from_way, via, rules)
        report.applied += len(applied)
        report.skipped.extend(r.relation_id for r in rules if r not in applied)
    for rule in restrictions:
        if rule.via_node is None:
            if splitter.split_way(rule, way_nodes):
                report.applied += 1
            else:
                report.skipped.append(rule.relation_id)
    graph.graph[REPORT_KEY] = report.as_dict()
    return report


def _joint(way_nodes: Mapping[int, Sequence[int]], a: int, b: int) -> int | None:
    """The node where ways ``a`` and ``b`` meet, their ends first (None when they do not)."""
    nodes_a, nodes_b = way_nodes.get(a, ()), way_nodes.get(b, ())
    shared = set(nodes_a) & set(nodes_b)
    if not shared:
        return None
    ends = [n for n in (nodes_a[0], nodes_a[-1]) if n in shared]
    return ends[0] if ends else min(shared)


Edge = tuple[Any, Any, Any, dict[str, Any]]


class _Splitter:
    """Node copies on one graph; copies get negative keys and remember their OSM node."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self._next_key = min((n for n in graph.nodes if isinstance(n, int)), default=0)
        self._next_key = min(self._next_key, 0) - 1
        self._copies: dict[int, list[Any]] = {}

    def osm_id(self, node: Any) -> int:
        return int(self.graph.nodes[node].get("osm_id", node))

    def versions(self, osm_id: int) -> list[Any]:
        """The graph's nodes standing for one OSM node: itself (if present) and its copies."""
        found = [osm_id] if osm_id in self.graph else []
        return found + self._copies.get(osm_id, [])

    def copy(self, node: Any) -> Any:
        key = self._next_key
        self._next_key -= 1
        data = self.graph.nodes[node]
        osm_id = self.osm_id(node)
        self.graph.add_node(key, x=data["x"], y=data["y"], osm_id=osm_id)
        self._copies.setdefault(osm_id, []).append(key)
        return key

    def out_edges(self, node: Any) -> list[Edge]:
        return list(self.graph.out_edges(node, keys=True, data=True))

    def redirect(self, edge: Edge, new_head: Any) -> None:
        u, v, key, data = edge
        self.graph.remove_edge(u, v, key)
        self.graph.add_edge(u, new_head, **data)

    def split_node(
        self, from_way: int, via: int, rules: list[TurnRestriction]
    ) -> list[TurnRestriction]:
        """Arrivals from ``from_way`` at ``via`` go to one copy keeping the allowed exits."""
        arrivals = [
            e
            for node in self.versions(via)
            for e in self.graph.in_edges(node, keys=True, data=True)
            if e[3].get("osmid") == from_way
        ]
        if not arrivals:
            return []
        heads = list(dict.fromkeys(e[1] for e in arrivals))
        exit_ways = {data.get("osmid") for head in heads for _, _, _, data in self.out_edges(head)}
        applied = [r for r in rules if r.to_way in exit_ways]
        if not applied:
            return []
        for head in heads:
            kept = [e for e in self.out_edges(head) if _allowed(e[3].get("osmid"), applied)]
            copy = self.copy(head)
            for edge in [e for e in arrivals if e[1] == head]:
                self.redirect(edge, copy)
            for _, w, _, data in kept:
                self.graph.add_edge(copy, w, **data)
        return applied

    def split_way(self, rule: TurnRestriction, way_nodes: Mapping[int, Sequence[int]]) -> bool:
        """Arrivals from ``from_way`` follow a copy of the via ways, barred from ``to_way``."""
        ways = [rule.from_way, *rule.via_ways, rule.to_way]
        found = [_joint(way_nodes, a, b) for a, b in itertools.pairwise(ways)]
        joints = [j for j in found if j is not None]
        if len(joints) != len(found):
            return False
        arrivals = [
            e
            for node in self.versions(joints[0])
            for e in self.graph.in_edges(node, keys=True, data=True)
            if e[3].get("osmid") == rule.from_way
        ]
        done = False
        for arrival in arrivals:
            path = self._along(arrival[1], rule.via_ways, joints[1:])
            if path is None:
                continue
            last_exits = self.out_edges(path[-1][1])
            if rule.to_way not in {data.get("osmid") for _, _, _, data in last_exits}:
                continue
            self._copy_path(arrival, path, last_exits, rule)
            done = True
        return done

    def _along(self, start: Any, via_ways: Sequence[int], ends: Sequence[int]) -> list[Edge] | None:
        """The edges from ``start`` along each via way in turn to its end joint (OSM ids)."""
        path: list[Edge] = []
        node = start
        for way, end in zip(via_ways, ends, strict=True):
            seen = {node}
            while self.osm_id(node) != end:
                step = [
                    e for e in self.out_edges(node) if e[3].get("osmid") == way and e[1] not in seen
                ]
                if not step:
                    return None
                path.append(step[0])
                node = step[0][1]
                seen.add(node)
        return path or None

    def _copy_path(
        self, arrival: Edge, path: list[Edge], last_exits: list[Edge], rule: TurnRestriction
    ) -> None:
        copies = [self.copy(arrival[1])]
        for edge in path:
            copies.append(self.copy(edge[1]))
        on_path = [edge[:3] for edge in path]
        for i, edge in enumerate(path):
            node = edge[0]
            for u, w, key, data in self.out_edges(node):
                if (u, w, key) == on_path[i]:
                    self.graph.add_edge(copies[i], copies[i + 1], **data)
                else:
                    self.graph.add_edge(copies[i], w, **data)
        for _, w, _, data in last_exits:
            if _allowed(data.get("osmid"), [rule]):
                self.graph.add_edge(copies[-1], w, **data)
        self.redirect(arrival, copies[0])


def _allowed(way: Any, rules: Iterable[TurnRestriction]) -> bool:
    """Whether leaving by ``way`` breaks none of ``rules`` (``no_*`` bans; ``only_*`` keeps)."""
    return all((way == r.to_way) == r.only for r in rules)
