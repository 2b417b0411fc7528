"""What-if scenarios on the drive network: close a street, remove a lane, change a speed.

A scenario is the base case (a compact drive graph, its capacities and a demand) plus a list
of edits; :func:`run_scenario` assigns both and compares them edge by edge.

Edits pick edges by one of three targets: a sequence of edge indices, an OSM way id (an
``int``) or a street name (a ``str``, every edge carrying that name).

- :func:`close_street` takes the edges **out of the network** (they are dropped from the CSR
  arrays the assignment runs on) rather than giving them a prohibitive time: a prohibitive
  time would still route trips through a closed street when it is their only way, hiding the
  problem, while removal makes such trips fail with
  :class:`ScenarioUnreachableError`, naming the zones cut off.
- :func:`remove_lane` scales capacity by ``(lanes - 1) / lanes``, lanes from the graph (or
  the capacity table's default for the class when unknown); a one-lane edge cannot lose one.
- :func:`set_speed` sets the free-flow speed (capacity unchanged).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from routing.errors import RoutingError
from routing.street.graph import CompactGraph
from routing.traffic.assignment import AssignmentNetwork, AssignmentResult, assign
from routing.traffic.capacity import DEFAULT_CAPACITY_TABLE, CapacityTable
from routing.traffic.demand import UnreachableDemandError
from routing.traffic.hotspots import DEFAULT_MIN_VOLUME_CAPACITY, Hotspot, find_hotspots
from routing.traffic.segments import SharedSegments

__all__ = [
    "EdgeTarget",
    "ScenarioComparison",
    "ScenarioEdit",
    "ScenarioError",
    "ScenarioInputs",
    "ScenarioUnreachableError",
    "apply_edits",
    "close_street",
    "remove_lane",
    "run_scenario",
    "select_edges",
    "set_speed",
]

EdgeTarget = Sequence[int] | NDArray[np.integer] | int | str
"""Edge indices, an OSM way id, or a street name."""


class ScenarioError(ValueError, RoutingError):
    """A scenario edit names a street, way or edge the network lacks, or cannot apply.

    ``reason`` says which as a code (``UNKNOWN_STREET``, ``ONE_LANE``...) and ``values``
    what it names, for a client to word; the message is the English sentence.
    """

    code = "INVALID_SCENARIO"

    def __init__(self, message: str, reason: str = "OTHER", **values: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


class ScenarioUnreachableError(UnreachableDemandError):
    """With the scenario's closures, some zone pairs with trips have no route left."""

    code = "SCENARIO_UNREACHABLE"

    def __init__(
        self,
        pairs: Sequence[tuple[int, int]],
        trips_veh_h: float,
        zone_ids: Sequence[str],
        edits: str,
    ) -> None:
        super().__init__(pairs, trips_veh_h)
        shown = ", ".join(f"{zone_ids[o]} -> {zone_ids[d]}" for o, d in pairs[:10])
        more = f" and {len(pairs) - 10} more" if len(pairs) > 10 else ""
        self.zone_ids = [zone_ids[o] for o, _ in pairs]
        # Replace the generic message: the planner needs to know which edit cut what.
        self.args = (
            f"with {edits}, {len(pairs)} zone pair(s) carrying {trips_veh_h:.1f} veh/h have "
            f"no route left: {shown}{more}; reopen a way out of those zones",
        )
        self.problems = [str(self.args[0])]


@dataclass(frozen=True, slots=True)
class ScenarioEdit:
    """One edit: ``kind`` applied to the edges ``target`` selects."""

    kind: Literal["close", "remove_lane", "set_speed"]
    target: Any
    speed_kmh: float | None = None

    def describe(self) -> str:
        what = (
            f"street {self.target!r}"
            if isinstance(self.target, str)
            else f"way {self.target}"
            if isinstance(self.target, int | np.integer)
            else f"{len(self.target)} edge(s)"
        )
        if self.kind == "close":
            return f"{what} closed"
        if self.kind == "remove_lane":
            return f"a lane removed on {what}"
        return f"{what} at {self.speed_kmh:g} km/h"


def close_street(target: EdgeTarget) -> ScenarioEdit:
    """Close the edges of ``target`` to cars (both directions when a name or way is given)."""
    return ScenarioEdit("close", target)


def remove_lane(target: EdgeTarget) -> ScenarioEdit:
    """Remove one lane per direction on ``target``: capacity times ``(lanes - 1) / lanes``."""
    return ScenarioEdit("remove_lane", target)


def set_speed(target: EdgeTarget, speed_kmh: float) -> ScenarioEdit:
    """Set the free-flow speed of ``target`` (e.g. a 30 km/h zone); capacity is unchanged."""
    if not np.isfinite(speed_kmh) or speed_kmh <= 0:
        raise ScenarioError(f"speed {speed_kmh} km/h; accepted: a number > 0")
    return ScenarioEdit("set_speed", target, float(speed_kmh))


def select_edges(graph: CompactGraph, target: EdgeTarget) -> NDArray[np.int64]:
    """The edge indices ``target`` names.

    Raises
    ------
    ScenarioError
        An unknown street name (with the closest names the network has), an OSM way id the
        network lacks, or edge indices out of range.
    """
    if isinstance(target, str):
        names = [str(n) for n in graph.names]
        if target not in names:
            close = difflib.get_close_matches(target, names, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ScenarioError(
                f"no street named {target!r} in the drive network{hint}",
                "UNKNOWN_STREET" if close else "UNKNOWN_STREET_NO_HINT",
                street=target,
                close=", ".join(map(repr, close)),
            )
        return np.flatnonzero(graph.name_index == names.index(target)).astype(np.int64)
    if isinstance(target, int | np.integer):
        edges = np.flatnonzero(graph.osm_way_id == int(target)).astype(np.int64)
        if edges.size == 0:
            raise ScenarioError(f"no OSM way {int(target)} in the drive network")
        return edges
    try:
        edges = np.asarray(target, dtype=np.int64).ravel()
    except (TypeError, ValueError):
        raise ScenarioError(
            f"edit target {target!r}; accepted: edge indices, an OSM way id or a street name"
        ) from None
    bad = edges[(edges < 0) | (edges >= graph.edge_count)]
    if bad.size:
        raise ScenarioError(
            f"edge {int(bad[0])} is not in the drive network (edges 0..{graph.edge_count - 1})"
        )
    if edges.size == 0:
        raise ScenarioError("an edit selects no edge; give edges, a way id or a street name")
    shared = SharedSegments.of(graph)
    # With turn costs an edge is one copy of its street segment: the edit binds them all.
    return np.unique(edges) if shared is None else shared.copies_of(edges)


@dataclass(frozen=True, eq=False)
class ScenarioInputs:
    """The base case: a drive graph, its capacities and an hourly demand on zone nodes."""

    graph: CompactGraph
    capacity_veh_h: NDArray[np.float64]
    zone_nodes: NDArray[np.int64]
    trips_veh_h: NDArray[np.float64]
    zone_ids: Sequence[str] = ()
    period: str | None = None
    period_h: float = 1.0
    capacity_table: CapacityTable = DEFAULT_CAPACITY_TABLE
    assign_options: Mapping[str, Any] = field(default_factory=dict)
    """Extra keyword arguments for :func:`routing.traffic.assignment.assign` (algorithm, gap...)."""


@dataclass(frozen=True, eq=False)
class ScenarioComparison:
    """Base and scenario assignments on the same edges, and what changed."""

    base: AssignmentResult
    scenario: AssignmentResult
    """Aligned with the graph's edges; closed edges carry no volume."""
    edits: tuple[ScenarioEdit, ...]
    closed_edges: NDArray[np.int64]
    volume_change_veh_h: NDArray[np.float64]
    delay_change_veh_h: NDArray[np.float64]
    base_vehicle_hours: float
    scenario_vehicle_hours: float
    """Time all vehicles spend driving over the period (volume x congested time)."""
    base_hotspots: tuple[Hotspot, ...]
    scenario_hotspots: tuple[Hotspot, ...]
    appeared: tuple[Hotspot, ...]
    """Scenario hotspots sharing no edge with any base hotspot."""
    disappeared: tuple[Hotspot, ...]
    """Base hotspots sharing no edge with any scenario hotspot."""

    def summary(self, graph: CompactGraph, *, top: int = 10) -> dict[str, Any]:
        """A JSON-ready digest: totals, the most changed segments, hotspots in and out."""
        order = np.argsort(-np.abs(self.volume_change_veh_h), kind="stable")[:top]
        return {
            "edits": [edit.describe() for edit in self.edits],
            "closed_edges": int(self.closed_edges.size),
            "base": _totals(self.base, self.base_vehicle_hours, self.base_hotspots),
            "scenario": _totals(self.scenario, self.scenario_vehicle_hours, self.scenario_hotspots),
            "vehicle_hours_change": round(self.scenario_vehicle_hours - self.base_vehicle_hours, 3),
            "most_changed_segments": [
                {
                    "edge": int(e),
                    "street": graph.edge_name(int(e)),
                    "osm_way_id": int(graph.osm_way_id[e]),
                    "base_volume_veh_h": round(float(self.base.volume_veh_h[e]), 2),
                    "volume_change_veh_h": round(float(self.volume_change_veh_h[e]), 2),
                    "delay_change_veh_h": round(float(self.delay_change_veh_h[e]), 4),
                }
                for e in order
                if self.volume_change_veh_h[e] != 0
            ],
            "hotspots_appeared": [_hotspot_digest(h) for h in self.appeared],
            "hotspots_disappeared": [_hotspot_digest(h) for h in self.disappeared],
        }


def apply_edits(
    graph: CompactGraph,
    capacity_veh_h: NDArray[np.float64],
    edits: Sequence[ScenarioEdit],
    *,
    capacity_table: CapacityTable = DEFAULT_CAPACITY_TABLE,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """The edited network: free-flow seconds, capacities (veh/h) and which edges stay open.

    Cheap (no assignment): callers check a scenario's edits with it before queueing the run.

    Raises
    ------
    ScenarioError
        No edits, or an edit naming what the network lacks or cannot apply (an unknown street
        or way, a one-lane street asked to lose a lane).
    """
    if not edits:
        raise ScenarioError("a scenario needs at least one edit (close, remove lane, speed)")
    free_flow_s = graph.duration_s.astype(np.float64).copy()
    capacity = np.asarray(capacity_veh_h, np.float64).copy()
    open_edge = np.ones(graph.edge_count, bool)
    for edit in edits:
        edges = select_edges(graph, edit.target)
        if edit.kind == "close":
            open_edge[edges] = False
        elif edit.kind == "remove_lane":
            lanes = _lanes(graph, edges, capacity_table)
            single = edges[lanes < 2]
            if single.size:
                edge, street = int(single[0]), graph.edge_name(int(single[0]))
                raise ScenarioError(
                    f"{edit.describe()}: edge {edge} ({street}) has one lane in its direction; "
                    "close it instead",
                    "ONE_LANE",
                    edge=edge,
                    street=street or "?",
                )
            capacity[edges] *= (lanes - 1.0) / lanes
        else:
            assert edit.speed_kmh is not None  # set_speed always sets it
            free_flow_s[edges] = graph.length_m[edges] / (edit.speed_kmh / 3.6)
            if graph.turn_s is not None:
                free_flow_s[edges] += graph.turn_s[edges]  # the turns stay as they were
    return free_flow_s, capacity, open_edge


def run_scenario(
    base: ScenarioInputs,
    edits: Sequence[ScenarioEdit],
    *,
    base_result: AssignmentResult | None = None,
    min_volume_capacity: float = DEFAULT_MIN_VOLUME_CAPACITY,
) -> ScenarioComparison:
    """Assign the base case and the edited network, and compare them.

    Parameters
    ----------
    base
        The base case.
    edits
        Applied in order (a later speed on the same edge wins).
    base_result
        The base assignment when already computed (it must be on ``base.graph``).
    min_volume_capacity
        The hotspot threshold for both cases.

    Raises
    ------
    ScenarioError
        No edits, or an edit naming what the network lacks or cannot apply.
    ScenarioUnreachableError
        Closures cut some zones with trips off from their destinations.
    DemandError
        The base demand itself is invalid (see :func:`routing.traffic.assignment.assign`).
    """
    graph = base.graph
    free_flow_s, capacity, open_edge = apply_edits(
        graph, base.capacity_veh_h, edits, capacity_table=base.capacity_table
    )
    options = dict(base.assign_options)
    options.setdefault("period_h", base.period_h)
    shared = SharedSegments.of(graph)
    if base_result is None:
        network = AssignmentNetwork.from_arrays(
            graph.indptr, graph.heads, graph.duration_s, base.capacity_veh_h, shared
        )
        base_result = assign(network, base.zone_nodes, base.trips_veh_h, **options)
    kept = np.flatnonzero(open_edge)
    indptr = np.zeros(graph.node_count + 1, np.int64)
    np.cumsum(np.bincount(graph.tails[kept], minlength=graph.node_count), out=indptr[1:])
    network = AssignmentNetwork.from_arrays(
        indptr,
        graph.heads[kept],
        free_flow_s[kept],
        capacity[kept],
        None if shared is None else shared.subset(kept),
    )
    try:
        partial = assign(network, base.zone_nodes, base.trips_veh_h, **options)
    except UnreachableDemandError as error:
        zone_ids = list(base.zone_ids) or [str(i) for i in range(len(base.zone_nodes))]
        edits_text = ", ".join(edit.describe() for edit in edits)
        trips = float(sum(base.trips_veh_h[o, d] for o, d in error.pairs))
        raise ScenarioUnreachableError(error.pairs, trips, zone_ids, edits_text) from None
    scenario = _on_all_edges(partial, kept, free_flow_s, capacity)
    base_hotspots, scenario_hotspots = (
        tuple(
            find_hotspots(
                graph, result, min_volume_capacity=min_volume_capacity, period=base.period
            )
        )
        for result in (base_result, scenario)
    )
    return ScenarioComparison(
        base=base_result,
        scenario=scenario,
        edits=tuple(edits),
        closed_edges=np.flatnonzero(~open_edge).astype(np.int64),
        volume_change_veh_h=scenario.volume_veh_h - base_result.volume_veh_h,
        delay_change_veh_h=scenario.delay_veh_h - base_result.delay_veh_h,
        base_vehicle_hours=_vehicle_hours(base_result),
        scenario_vehicle_hours=_vehicle_hours(scenario),
        base_hotspots=base_hotspots,
        scenario_hotspots=scenario_hotspots,
        appeared=_unmatched(scenario_hotspots, base_hotspots),
        disappeared=_unmatched(base_hotspots, scenario_hotspots),
    )


def _lanes(
    graph: CompactGraph, edges: NDArray[np.int64], table: CapacityTable
) -> NDArray[np.float64]:
    """Lanes per direction: the graph's, else the table's default for the road class."""
    lanes = graph.lanes[edges].astype(np.float64)
    for k in np.flatnonzero(lanes <= 0):
        lanes[k] = float(table.default_lanes.get(graph.edge_highway(int(edges[k])) or "", 1))
    return lanes


def _on_all_edges(
    partial: AssignmentResult,
    kept: NDArray[np.int64],
    free_flow_s: NDArray[np.float64],
    capacity: NDArray[np.float64],
) -> AssignmentResult:
    """Spread a result on the open edges back onto every edge (closed ones carry nothing)."""

    def full(values: NDArray[np.float64], fill: NDArray[np.float64] | float) -> NDArray[np.float64]:
        out = np.array(np.broadcast_to(fill, free_flow_s.shape), np.float64)
        out[kept] = values
        return out

    return AssignmentResult(
        volume_veh_h=full(partial.volume_veh_h, 0.0),
        free_flow_time_s=free_flow_s.copy(),
        # Nobody drives a closed edge: its time stays at free flow so exports stay finite.
        congested_time_s=full(partial.congested_time_s, free_flow_s),
        capacity_veh_h=capacity.copy(),
        volume_capacity_ratio=full(partial.volume_capacity_ratio, 0.0),
        delay_veh_h=full(partial.delay_veh_h, 0.0),
        relative_gap=partial.relative_gap,
        gap_history=partial.gap_history,
        iterations=partial.iterations,
        converged=partial.converged,
        algorithm=partial.algorithm,
        period_h=partial.period_h,
        total_demand_veh_h=partial.total_demand_veh_h,
        elapsed_s=partial.elapsed_s,
    )


def _vehicle_hours(result: AssignmentResult) -> float:
    return float(result.volume_veh_h @ result.congested_time_s) / 3600.0 * result.period_h


def _unmatched(these: Sequence[Hotspot], others: Sequence[Hotspot]) -> tuple[Hotspot, ...]:
    other_edges = {e for h in others for e in h.edges}
    return tuple(h for h in these if not other_edges.intersection(h.edges))


def _totals(
    result: AssignmentResult, vehicle_hours: float, hotspots: Sequence[Hotspot]
) -> dict[str, Any]:
    return {
        "vehicle_hours": round(vehicle_hours, 3),
        "delay_veh_h": round(result.total_delay_veh_h, 3),
        "relative_gap": result.relative_gap,
        "iterations": result.iterations,
        "converged": result.converged,
        "hotspots": len(hotspots),
    }


def _hotspot_digest(hotspot: Hotspot) -> dict[str, Any]:
    return {
        "rank": hotspot.rank,
        "streets": list(hotspot.street_names),
        "lat": round(hotspot.centroid_lat, 6),
        "lon": round(hotspot.centroid_lon, 6),
        "total_delay_veh_h": round(hotspot.total_delay_veh_h, 4),
        "max_volume_capacity": round(hotspot.max_volume_capacity, 3),
    }
