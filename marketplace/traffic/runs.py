"""The run store: assignment results written whole, read back as the latest per period.

:func:`store_run` writes a run, its loaded segments and its hotspots in the caller's single
transaction (:meth:`Database.call`), after the assignment has finished: there is never a
half-written run. A run that did not converge keeps only its summary row, and the readers
(:func:`latest_run`) look at ``SUCCEEDED`` base runs only, so such a run, or a failure
before storing, leaves the previous results in place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polyline as polyline_codec
from numpy.typing import NDArray
from sqlmodel import Session, col, select

from marketplace.errors import NotFound
from marketplace.models import RunStatus, TrafficHotspot, TrafficRun, TrafficSegment
from marketplace.traffic.demand import DemandCase
from routing.street.graph import CompactGraph
from routing.traffic.assignment import AssignmentResult
from routing.traffic.demand import DEFAULT_PERIODS
from routing.traffic.hotspots import Hotspot, hotspot_radius_m
from routing.traffic.segments import StreetCopies, street_copies

__all__ = [
    "RunInputs",
    "get_run",
    "get_segment",
    "latest_hotspots",
    "latest_run",
    "latest_segment_delays",
    "list_runs",
    "peak_period",
    "run_hotspots",
    "run_segments",
    "segment_keys",
    "store_run",
]


@dataclass(frozen=True, eq=False)
class RunInputs:
    """How a run was asked for, stored beside its results."""

    case: DemandCase
    algorithm: str
    target_gap: float
    max_iterations: int
    min_volume_capacity: float
    network_sha256: str
    scenario: tuple[str, ...] | None = None
    base_run_id: int | None = None


def segment_keys(graph: CompactGraph, edges: NDArray[np.int64]) -> list[str]:
    """``<way>:<from node>:<to node>`` (OSM ids) per edge; ``#k`` marks parallel edges."""
    tails = graph.node_osm_id[graph.tails[edges]]
    heads = graph.node_osm_id[graph.heads[edges]]
    ways = graph.osm_way_id[edges]
    keys: list[str] = []
    seen: dict[str, int] = {}
    for way, tail, head in zip(ways.tolist(), tails.tolist(), heads.tolist(), strict=True):
        key = f"{way}:{tail}:{head}"
        # Two edges of one way between the same nodes (a loop split in two) need telling apart.
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


def _vehicle_hours(result: AssignmentResult) -> float:
    return float(result.volume_veh_h @ result.congested_time_s) / 3600.0 * result.period_h


def store_run(
    session: Session,
    *,
    graph: CompactGraph,
    result: AssignmentResult,
    hotspots: Sequence[Hotspot],
    inputs: RunInputs,
) -> TrafficRun:
    """Write a finished run: with segments and hotspots if it converged, else its summary.

    Call it inside one transaction (:meth:`marketplace.db.Database.call`).
    """
    status = RunStatus.SUCCEEDED if result.converged else RunStatus.NOT_CONVERGED
    # One row per street segment: on a drive graph with turn costs the copies of a street
    # (one per way of arriving at it) are one row, keyed, volumed and delayed together.
    streets = street_copies(graph, np.flatnonzero(result.volume_veh_h > 0).astype(np.int64))
    run = TrafficRun(
        period=inputs.case.period.name,
        period_h=result.period_h,
        demand_source=inputs.case.source,
        demand_import_id=inputs.case.import_id,
        algorithm=inputs.algorithm,
        target_gap=inputs.target_gap,
        relative_gap=result.relative_gap,
        max_iterations=inputs.max_iterations,
        iterations=result.iterations,
        converged=result.converged,
        status=status,
        zone_count=len(inputs.case.zones),
        total_demand_veh_h=result.total_demand_veh_h,
        total_vehicle_hours=_vehicle_hours(result),
        total_delay_veh_h=result.total_delay_veh_h,
        max_volume_capacity=float(result.volume_capacity_ratio.max(initial=0.0)),
        loaded_segments=len(streets),
        hotspot_count=len(hotspots),
        min_volume_capacity=inputs.min_volume_capacity,
        elapsed_s=result.elapsed_s,
        network_sha256=inputs.network_sha256,
        demand=inputs.case.to_json(),
        scenario=json.dumps(list(inputs.scenario)) if inputs.scenario is not None else None,
        base_run_id=inputs.base_run_id,
    )
    session.add(run)
    session.flush()
    if status is RunStatus.NOT_CONVERGED:
        return run
    assert run.id is not None
    street_keys = segment_keys(graph, np.array([s.edge for s in streets], np.int64))
    keys = {int(e): key for s, key in zip(streets, street_keys, strict=True) for e in s.copies}
    rank_of = {keys[e]: h.rank for h in hotspots for e in h.edges}
    session.add_all(
        _segment(graph, result, run.id, s, key, rank_of.get(key))
        for s, key in zip(streets, street_keys, strict=True)
    )
    session.add_all(
        TrafficHotspot(
            run_id=run.id,
            rank=h.rank,
            streets=json.dumps(list(h.street_names), ensure_ascii=False),
            centroid_lat=h.centroid_lat,
            centroid_lon=h.centroid_lon,
            radius_m=hotspot_radius_m(graph, h),
            total_delay_veh_h=h.total_delay_veh_h,
            max_volume_capacity=h.max_volume_capacity,
            volume_veh_h=h.volume_veh_h,
            length_m=h.length_m,
            segment_keys=json.dumps([keys[e] for e in h.edges]),
        )
        for h in hotspots
    )
    session.flush()
    return run


def _segment(
    graph: CompactGraph,
    result: AssignmentResult,
    run_id: int,
    street: StreetCopies,
    key: str,
    hotspot_rank: int | None,
) -> TrafficSegment:
    edge, copies = street.edge, street.copies
    lat, lon = graph.edge_polyline(edge)
    return TrafficSegment(
        run_id=run_id,
        edge=edge,
        segment_key=key,
        osm_way_id=int(graph.osm_way_id[edge]),
        street=graph.edge_name(edge),
        highway=graph.edge_highway(edge),
        length_m=float(graph.length_m[edge]),
        volume_veh_h=float(result.volume_veh_h[copies].sum()),
        capacity_veh_h=float(result.capacity_veh_h[edge]),
        volume_capacity=float(result.volume_capacity_ratio[edge]),
        free_flow_time_s=float(result.free_flow_time_s[edge]) - street.turn_s,
        congested_time_s=float(result.congested_time_s[edge]) - street.turn_s,
        delay_veh_h=float(result.delay_veh_h[copies].sum()),
        mid_lat=float((lat[0] + lat[-1]) / 2),
        mid_lon=float((lon[0] + lon[-1]) / 2),
        geometry=polyline_codec.encode(list(zip(lat.tolist(), lon.tolist(), strict=True)), 6),
        hotspot_rank=hotspot_rank,
    )


def latest_run(session: Session, period: str) -> TrafficRun | None:
    """The newest successful base run of ``period`` (what planners see by default)."""
    query = (
        select(TrafficRun)
        .where(
            TrafficRun.period == period,
            TrafficRun.status == RunStatus.SUCCEEDED,
            col(TrafficRun.scenario).is_(None),
        )
        .order_by(col(TrafficRun.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def get_run(session: Session, run_id: int) -> TrafficRun:
    """The run of that id.

    Raises
    ------
    NotFound
    """
    run = session.get(TrafficRun, run_id)
    if run is None:
        raise NotFound(f"no traffic run with id {run_id}")
    return run


def list_runs(session: Session, *, period: str | None = None, limit: int = 50) -> list[TrafficRun]:
    """Runs newest first, of every status and kind, optionally of one period."""
    query = select(TrafficRun).order_by(col(TrafficRun.id).desc()).limit(limit)
    if period is not None:
        query = query.where(TrafficRun.period == period)
    return list(session.exec(query))


def run_segments(
    session: Session,
    run_id: int,
    *,
    min_volume_capacity: float = 0.0,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[TrafficSegment]:
    """A run's segments, most saturated first, within ``bbox`` (west, south, east, north)."""
    query = select(TrafficSegment).where(
        TrafficSegment.run_id == run_id, TrafficSegment.volume_capacity >= min_volume_capacity
    )
    if bbox is not None:
        west, south, east, north = bbox
        query = query.where(
            TrafficSegment.mid_lon >= west,
            TrafficSegment.mid_lon <= east,
            TrafficSegment.mid_lat >= south,
            TrafficSegment.mid_lat <= north,
        )
    query = query.order_by(col(TrafficSegment.volume_capacity).desc(), col(TrafficSegment.id))
    return list(session.exec(query))


def get_segment(session: Session, segment_id: int) -> TrafficSegment:
    """One segment row.

    Raises
    ------
    NotFound
    """
    segment = session.get(TrafficSegment, segment_id)
    if segment is None:
        raise NotFound(f"no traffic segment with id {segment_id}")
    return segment


def latest_hotspots(session: Session, period: str) -> list[TrafficHotspot]:
    """The hotspots of the latest successful run of ``period``; none before its first run."""
    run = latest_run(session, period)
    return run_hotspots(session, run.id) if run is not None and run.id else []


def run_hotspots(session: Session, run_id: int, limit: int | None = None) -> list[TrafficHotspot]:
    """A run's hotspots by rank (most delay first)."""
    query = (
        select(TrafficHotspot)
        .where(TrafficHotspot.run_id == run_id)
        .order_by(col(TrafficHotspot.rank))
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def latest_segment_delays(session: Session) -> dict[str, dict[str, float]]:
    """Per period with a successful base run: the delay of each delayed segment of its
    latest run, by segment key, in vehicle-hours per hour of the period.

    Per hour, so periods of different lengths compare by how congested they are, not by
    how long they last (the eight-hour off-peak would otherwise outweigh a two-hour peak).
    """
    delays: dict[str, dict[str, float]] = {}
    for period in DEFAULT_PERIODS:
        run = latest_run(session, period.name)
        if run is None:
            continue
        rows = session.exec(
            select(TrafficSegment.segment_key, TrafficSegment.delay_veh_h).where(
                TrafficSegment.run_id == run.id, TrafficSegment.delay_veh_h > 0
            )
        )
        delays[period.name] = {key: delay / run.period_h for key, delay in rows}
    return delays


def peak_period(segment_keys: Sequence[str], delays: dict[str, dict[str, float]]) -> str | None:
    """The period whose latest run has the most delay per hour on these segments (the first
    period of :data:`routing.traffic.demand.DEFAULT_PERIODS` on a tie); ``None`` if none has any."""
    best: str | None = None
    most = 0.0
    for period, by_key in delays.items():
        total = sum(by_key.get(key, 0.0) for key in segment_keys)
        if total > most:
            best, most = period, total
    return best
