"""Run an assignment or a scenario for planners, and store it: blocking, call in a thread.

The order is what keeps the previous results safe: read the demand (one short transaction),
assign and find hotspots in memory (no transaction open while the engine works), then write
the whole run in one transaction (:func:`marketplace.traffic.runs.store_run`). Any error
before that write leaves the database as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlmodel import Session

from marketplace.db import Database
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.i18n import MESSAGE_IDS, Message
from marketplace.models import DemandSource, TrafficRun
from marketplace.traffic.config import TrafficConfig, period_named
from marketplace.traffic.demand import (
    DemandCase,
    SourceRequest,
    check_scale_of,
    check_sources,
    combined_case,
    invalid_demand,
)
from marketplace.traffic.planned import check_scale
from marketplace.traffic.runs import RunInputs, latest_run, store_run
from routing.street.graph import CompactGraph
from routing.street.hierarchy.cch import CustomizedMetric
from routing.street.modes import Mode
from routing.street.network import StreetNetwork
from routing.traffic.assignment import ProgressCallback
from routing.traffic.capacity import capacity_from_compact
from routing.traffic.demand import DemandError, zone_nodes
from routing.traffic.hotspots import DEFAULT_MIN_VOLUME_CAPACITY
from routing.traffic.pipeline import AssignmentSettings, PeriodAssignment, assign_period
from routing.traffic.scenarios import (
    ScenarioEdit,
    ScenarioError,
    ScenarioInputs,
    apply_edits,
    close_street,
    remove_lane,
    run_scenario,
)

__all__ = [
    "AssignmentOptions",
    "ScenarioEdits",
    "ScenarioOutcome",
    "check_scenario_request",
    "drive_graph",
    "network_sha256",
    "requested_sources",
    "run_assignment",
    "run_scenario_against_latest",
]

# One heavy run at a time per process: two planners pressing "run" together should queue,
# not halve each other's speed and double the memory.
_RUN_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class AssignmentOptions:
    """A planner's choices for a run (validated by :meth:`checked`)."""

    algorithm: str = "bfw"
    relative_gap: float = 1e-4
    max_iterations: int = 500
    min_volume_capacity: float = DEFAULT_MIN_VOLUME_CAPACITY

    def checked(self, config: TrafficConfig) -> AssignmentOptions:
        """Itself, or :class:`InvalidInput` naming the value out of range."""
        if self.algorithm not in ("fw", "cfw", "bfw"):
            raise InvalidInput(
                Message("traffic.algorithm", {"value": repr(self.algorithm)}), field="algorithm"
            )
        if not 0 < self.relative_gap < 1:
            raise InvalidInput(
                Message("traffic.relative_gap", {"value": self.relative_gap}),
                field="relativeGap",
            )
        if not 1 <= self.max_iterations <= config.max_iterations:
            values = {"value": self.max_iterations, "maximum": config.max_iterations}
            raise InvalidInput(Message("traffic.max_iterations", values), field="maxIterations")
        if not 0 <= self.min_volume_capacity < 100:
            raise InvalidInput(
                Message("traffic.min_volume_capacity", {"value": self.min_volume_capacity}),
                field="minVolumeCapacity",
            )
        return self


def requested_sources(
    *,
    source: DemandSource | None = None,
    sources: Sequence[DemandSource] | None = None,
    scales: Sequence[tuple[DemandSource, float]] = (),
    planned_trip_scale: float = 1.0,
) -> tuple[SourceRequest, ...]:
    """The sources a planner asked for (``demandSource`` or ``demandSources``) with their
    scales (``sourceScales``; ``plannedTripScale`` is PLANNED_TRIPS's).

    Raises
    ------
    InvalidInput
        Neither or both of ``source`` and ``sources``; an empty list or a source twice; a
        scale twice, for a source not asked for, or not > 0.
    """
    accepted = ", ".join(s.name for s in DemandSource)
    if source is not None and sources is not None:
        raise InvalidInput("give demandSource or demandSources, not both", field="demandSources")
    if source is None and sources is None:
        raise InvalidInput(
            f"demandSources is missing; give one or more of {accepted}", field="demandSources"
        )
    chosen = [source] if source is not None else list(sources or [])
    given: dict[DemandSource, float] = {}
    for name, scale in scales:
        if name in given:
            raise InvalidInput(
                f"sourceScales gives {name.name} more than once; give each scale once",
                field="sourceScales",
            )
        if name not in chosen:
            raise InvalidInput(
                f"sourceScales gives a scale for {name.name}, which is not among the demand "
                f"sources ({', '.join(s.name for s in chosen) or 'none'})",
                field="sourceScales",
            )
        given[name] = check_scale_of(name, scale)
    check_scale(planned_trip_scale)
    if planned_trip_scale != 1.0 and DemandSource.PLANNED_TRIPS in chosen:
        if DemandSource.PLANNED_TRIPS in given:
            raise InvalidInput(
                "PLANNED_TRIPS is scaled by both plannedTripScale and sourceScales; give one",
                field="sourceScales",
            )
        given[DemandSource.PLANNED_TRIPS] = planned_trip_scale
    return check_sources([SourceRequest(s, given.get(s, 1.0)) for s in chosen])


def drive_graph(network: StreetNetwork) -> CompactGraph:
    """The drive graph traffic is assigned on (raises the loader's error naming the fix)."""
    return network.router(Mode.DRIVE).graph


def _gravity_metric(
    network: StreetNetwork, requests: Sequence[SourceRequest]
) -> CustomizedMetric | None:
    """The drive hierarchy under free-flow times for the Issy model's gravity step, when it
    is asked for and the hierarchy is at hand (stored with the artefact): its many-to-many
    answers the zone times ~150x faster than a Dijkstra per zone on the 115k-node topology
    (``benchmarks/one_to_all.py``); the customization is shared with free-flow matrices."""
    if not any(r.source is DemandSource.ISSY_DEFAULT for r in requests):
        return None
    router = network.router(Mode.DRIVE)
    return router.live.customized(router.graph.duration_s) if router.live.ordered else None


def network_sha256(network: StreetNetwork) -> str:
    """The checksum of the drive graph's arrays: runs remember which graph they used."""
    modes: dict[str, Any] = dict(network.manifest.get("modes", {}))
    drive = modes.get(Mode.DRIVE.value, {})
    return str(drive.get("sha256") or network.manifest.get("source_sha256") or "unknown")[:64]


def _assign_case(
    graph: CompactGraph,
    case: DemandCase,
    options: AssignmentOptions,
    progress: ProgressCallback | None = None,
) -> PeriodAssignment:
    settings = AssignmentSettings(
        algorithm=options.algorithm,  # type: ignore[arg-type]
        relative_gap=options.relative_gap,
        max_iterations=options.max_iterations,
        min_volume_capacity=options.min_volume_capacity,
    )
    try:
        return assign_period(
            graph,
            zone_nodes(case.zones, graph),
            case.trips_veh_h,
            period=case.period.name,
            period_h=case.period.duration_h,
            settings=settings,
            progress=progress,
        )
    except DemandError as error:
        raise invalid_demand(error, "demandSource") from None


def run_assignment(
    db: Database,
    network: StreetNetwork,
    config: TrafficConfig,
    *,
    period: str,
    sources: Sequence[SourceRequest],
    options: AssignmentOptions = AssignmentOptions(),
    progress: ProgressCallback | None = None,
) -> TrafficRun:
    """Assign a period's demand from ``sources`` (summed on the graph's nodes when several:
    :func:`marketplace.traffic.demand.combined_case`) and store the run. ``progress`` is
    called after each iteration with the iteration and its relative gap; an exception it
    raises (a job's cancellation) stops the run before anything is stored.

    Returns
    -------
    TrafficRun
        ``status`` ``SUCCEEDED`` (now the latest of its period) or ``NOT_CONVERGED`` (the
        gap reached after ``max_iterations``; the previous results stay the latest).

    Raises
    ------
    InvalidInput
        Unknown period, bad options or sources, or a demand the network cannot carry (zones
        off the network, unreachable pairs, no trips in the period from any source).
    NotFound
        ``IMPORTED`` alone with nothing imported.
    """
    the_period = period_named(period)
    options = options.checked(config)
    requests = check_sources(sources)
    graph = drive_graph(network)
    case = db.call(
        combined_case, requests=requests, period=the_period, graph=graph, config=config,
        metric=_gravity_metric(network, requests),
    )  # fmt: skip
    with _RUN_LOCK:
        outcome = _assign_case(graph, case, options, progress)
    inputs = RunInputs(
        case=case,
        algorithm=options.algorithm,
        target_gap=options.relative_gap,
        max_iterations=options.max_iterations,
        min_volume_capacity=options.min_volume_capacity,
        network_sha256=network_sha256(network),
    )
    return db.call(
        store_run, graph=graph, result=outcome.result, hotspots=outcome.hotspots, inputs=inputs
    )


@dataclass(frozen=True, slots=True)
class ScenarioEdits:
    """Streets (by name) and OSM ways to close or take a lane from."""

    close_streets: Sequence[str] = ()
    close_ways: Sequence[int] = ()
    remove_lane_streets: Sequence[str] = ()
    remove_lane_ways: Sequence[int] = ()

    def edits(self) -> list[ScenarioEdit]:
        """The engine's edits, closures first."""
        return [
            *(close_street(name) for name in self.close_streets),
            *(close_street(int(way)) for way in self.close_ways),
            *(remove_lane(name) for name in self.remove_lane_streets),
            *(remove_lane(int(way)) for way in self.remove_lane_ways),
        ]


@dataclass(frozen=True, eq=False)
class ScenarioOutcome:
    """The stored scenario run, its base run, and what changed."""

    run: TrafficRun
    base_run: TrafficRun
    summary: dict[str, Any]


def check_scenario_request(
    session: Session, network: StreetNetwork, *, period: str, edits: ScenarioEdits
) -> TrafficRun:
    """The base run a scenario of ``period`` would compare with, once the request is checked.

    Raises
    ------
    InvalidInput
        Unknown period, or no edit.
    NotFound
        No successful base run of ``period`` yet.
    Conflict
        The base run was computed on another street network than the loaded one.
    """
    the_period = period_named(period)
    if not edits.edits():
        raise InvalidInput(Message("traffic.scenario_needs_edit"), field="edits")
    base = latest_run(session, the_period.name)
    if base is None:
        raise NotFound(Message("traffic.no_base_run", {"period": the_period.name}))
    if base.network_sha256 != network_sha256(network):
        raise Conflict(
            Message("traffic.other_network", {"run": base.id, "period": the_period.name})
        )
    # Unknown streets and one-lane removals are refused now, in the caller's words, rather
    # than failing the queued job minutes later.
    graph = drive_graph(network)
    try:
        apply_edits(graph, capacity_from_compact(graph), edits.edits())
    except ScenarioError as error:
        raise _scenario_refusal(error) from None
    return base


def _scenario_refusal(error: ScenarioError) -> InvalidInput:
    reason = f"scenario.{error.reason}"
    worded = Message(reason, error.values) if reason in MESSAGE_IDS else str(error)
    return InvalidInput(worded, field="edits")


def run_scenario_against_latest(
    db: Database, network: StreetNetwork, *, period: str, edits: ScenarioEdits
) -> ScenarioOutcome:
    """Apply ``edits`` to the latest base run of ``period``, with its demand and options.

    Raises
    ------
    NotFound
        No successful base run of ``period`` yet.
    Conflict
        The base run was computed on another street network than the loaded one.
    InvalidInput
        No edit, an unknown street or way (with the closest names), a one-lane street asked
        to lose a lane, or closures that cut zones with trips off (naming them).
    """
    the_period = period_named(period)
    engine_edits = edits.edits()
    base = db.call(check_scenario_request, network, period=period, edits=edits)
    graph = drive_graph(network)
    # The base run's own demand, sources combined as they were: later imports change nothing.
    case = DemandCase.from_json(
        base.demand, source=base.demand_source, period=the_period, import_id=base.demand_import_id
    )
    inputs = ScenarioInputs(
        graph=graph,
        capacity_veh_h=capacity_from_compact(graph),
        zone_nodes=zone_nodes(case.zones, graph, max_distance_m=np.inf),
        trips_veh_h=case.trips_veh_h,
        zone_ids=case.zone_ids,
        period=the_period.name,
        period_h=the_period.duration_h,
        assign_options={
            "algorithm": base.algorithm,
            "relative_gap": base.target_gap,
            "max_iterations": base.max_iterations,
        },
    )
    try:
        with _RUN_LOCK:
            comparison = run_scenario(
                inputs, engine_edits, min_volume_capacity=base.min_volume_capacity
            )
    except ScenarioError as error:
        raise _scenario_refusal(error) from None
    except DemandError as error:  # closures cutting zones off: ScenarioUnreachableError
        raise invalid_demand(error, "edits") from None
    summary = comparison.summary(graph)
    stored = RunInputs(
        case=case,
        algorithm=base.algorithm,
        target_gap=base.target_gap,
        max_iterations=base.max_iterations,
        min_volume_capacity=base.min_volume_capacity,
        network_sha256=base.network_sha256,
        scenario=tuple(summary["edits"]),
        base_run_id=base.id,
    )
    run = db.call(
        store_run,
        graph=graph,
        result=comparison.scenario,
        hotspots=comparison.scenario_hotspots,
        inputs=stored,
    )
    summary["base_run_id"] = base.id
    return ScenarioOutcome(run=run, base_run=base, summary=summary)
