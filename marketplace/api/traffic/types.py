"""GraphQL types of the planners' traffic features: runs, segments, hotspots, demand, incidents.

Object types are built from rows by ``from_row``; fields that need the database or the
caller (a report's author, the hotspot a report falls in) resolve in
:mod:`marketplace.api.traffic.queries`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any, cast

import polyline as polyline_codec
import strawberry
from sqlmodel import Session
from strawberry.scalars import JSON

from marketplace.api.relay import PageInfo, encode_global_id
from marketplace.models import (
    DemandImport,
    DemandSource,
    IncidentCategory,
    RunStatus,
    TrafficRun,
    TrafficSegment,
)
from marketplace.traffic.demand import SourceTotal
from marketplace.traffic.planned import DemandCell, DemandMatrix, cell_centre
from marketplace.traffic.runs import (
    latest_run,
)

# DemandSource, IncidentCategory and RunStatus are the storage enums, registered with GraphQL
# descriptions below and exported so the inputs and hotspot types use the registered ones.
__all__ = [
    "ChangedSegment",
    "DemandCellType",
    "DemandImportType",
    "DemandMatrixType",
    "DemandSource",
    "DemandSourceTotalType",
    "GridCell",
    "HotspotDigest",
    "IncidentCategory",
    "PeriodTrips",
    "RunStatus",
    "ScenarioResult",
    "TrafficAlgorithm",
    "TrafficRunType",
    "TrafficSegmentConnection",
    "TrafficSegmentEdge",
    "TrafficSegmentType",
    "run_type",
]

strawberry.enum(DemandSource, description="Where a run's demand comes from.")
strawberry.enum(RunStatus, description="SUCCEEDED: results stored; NOT_CONVERGED: summary only.")
strawberry.enum(IncidentCategory, description="What was seen on the street.")


@strawberry.enum(description="Frank-Wolfe (FW), conjugate (CFW) or bi-conjugate (BFW).")
class TrafficAlgorithm(enum.Enum):
    FW = "fw"
    CFW = "cfw"
    BFW = "bfw"


@strawberry.type(
    name="DemandSourceTotal",
    description="What one demand source contributed to a run: trips between distinct street "
    "nodes (trips whose two ends snap to one node load no street and are not counted).",
)
class DemandSourceTotalType:
    source: DemandSource
    scale: float = strawberry.field(description="The factor its trips were multiplied by.")
    trips: float = strawberry.field(description="Trips in the period, after scaling.")
    trips_veh_h: float = strawberry.field(description="The same as an hourly flow.")
    zones: int = strawberry.field(description="Zones (or grid cells) of the source used.")
    note: str | None = strawberry.field(
        description="Why the source contributed no trips in the period; null otherwise."
    )

    @classmethod
    def from_total(cls, total: SourceTotal, period_h: float) -> DemandSourceTotalType:
        return cls(
            source=total.source,
            scale=total.scale,
            trips=round(total.trips_veh_h * period_h, 3),
            trips_veh_h=round(total.trips_veh_h, 3),
            zones=total.zones,
            note=total.note,
        )


def run_source_totals(run: TrafficRun) -> list[SourceTotal]:
    """The per-source totals stored with a run (one for runs stored before sources combined)."""
    stored = json.loads(run.demand).get("sources")
    if stored:
        return [SourceTotal.from_json(s) for s in stored]
    return [SourceTotal(run.demand_source, 1.0, run.total_demand_veh_h, run.zone_count)]


@strawberry.type(name="TrafficRun", description="One assignment of a period's demand.")
class TrafficRunType:
    id: strawberry.ID
    period: str
    period_hours: float
    demand_source: DemandSource = strawberry.field(
        description="The demand's source; the first of `sources` when several were combined."
    )
    algorithm: str
    target_gap: float
    relative_gap: float
    iterations: int
    max_iterations: int
    converged: bool
    status: RunStatus
    zone_count: int
    total_demand_veh_h: float
    total_vehicle_hours: float
    total_delay_veh_h: float
    max_volume_capacity: float
    loaded_segments: int
    hotspot_count: int
    min_volume_capacity: float
    elapsed_s: float
    created_at: dt.datetime
    scenario: list[str] | None = strawberry.field(
        description="The edits of a scenario run; null for a base run."
    )
    base_run_id: strawberry.ID | None
    is_latest: bool = strawberry.field(
        description="Whether this is the run planners see for its period (the newest "
        "successful base run)."
    )
    row: strawberry.Private[TrafficRun]

    @strawberry.field(
        description="Each demand source of the run, in the order asked, with its trips; they "
        "add up to totalDemandVehH. A source empty in the period has trips 0 and a note."
    )
    def sources(self) -> list[DemandSourceTotalType]:
        return [
            DemandSourceTotalType.from_total(t, self.row.period_h)
            for t in run_source_totals(self.row)
        ]

    @classmethod
    def from_row(cls, run: TrafficRun, *, latest_id: int | None) -> TrafficRunType:
        assert run.id is not None
        return cls(
            id=encode_global_id("TrafficRun", run.id),
            period=run.period,
            period_hours=run.period_h,
            demand_source=run.demand_source,
            algorithm=run.algorithm.upper(),
            target_gap=run.target_gap,
            relative_gap=run.relative_gap,
            iterations=run.iterations,
            max_iterations=run.max_iterations,
            converged=run.converged,
            status=run.status,
            zone_count=run.zone_count,
            total_demand_veh_h=round(run.total_demand_veh_h, 3),
            total_vehicle_hours=round(run.total_vehicle_hours, 3),
            total_delay_veh_h=round(run.total_delay_veh_h, 4),
            max_volume_capacity=round(run.max_volume_capacity, 4),
            loaded_segments=run.loaded_segments,
            hotspot_count=run.hotspot_count,
            min_volume_capacity=run.min_volume_capacity,
            elapsed_s=round(run.elapsed_s, 3),
            created_at=run.created_at,
            scenario=json.loads(run.scenario) if run.scenario is not None else None,
            base_run_id=encode_global_id("TrafficRun", run.base_run_id)
            if run.base_run_id is not None
            else None,
            is_latest=run.id == latest_id,
            row=run,
        )


@strawberry.type(name="TrafficSegment", description="A directed street segment of a run.")
class TrafficSegmentType:
    id: strawberry.ID
    run_id: strawberry.ID
    segment_key: str = strawberry.field(
        description="'<OSM way id>:<from OSM node>:<to OSM node>', stable across rebuilds."
    )
    edge: int = strawberry.field(description="Edge index in the run's drive graph.")
    osm_way_id: str
    street: str | None
    highway: str | None
    length_m: float
    volume_veh_h: float
    capacity_veh_h: float
    volume_capacity: float
    free_flow_time_s: float
    congested_time_s: float
    delay_veh_h: float
    hotspot_rank: int | None
    geometry: JSON = strawberry.field(description="GeoJSON LineString, [lon, lat].")

    @classmethod
    def from_row(cls, segment: TrafficSegment) -> TrafficSegmentType:
        assert segment.id is not None
        points = polyline_codec.decode(segment.geometry, 6)
        return cls(
            id=encode_global_id("TrafficSegment", segment.id),
            run_id=encode_global_id("TrafficRun", segment.run_id),
            segment_key=segment.segment_key,
            edge=segment.edge,
            osm_way_id=str(segment.osm_way_id),
            street=segment.street,
            highway=segment.highway,
            length_m=round(segment.length_m, 1),
            volume_veh_h=round(segment.volume_veh_h, 2),
            capacity_veh_h=round(segment.capacity_veh_h, 1),
            volume_capacity=round(segment.volume_capacity, 4),
            free_flow_time_s=round(segment.free_flow_time_s, 2),
            congested_time_s=round(segment.congested_time_s, 2),
            delay_veh_h=round(segment.delay_veh_h, 5),
            hotspot_rank=segment.hotspot_rank,
            geometry=cast(
                JSON, {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in points]}
            ),
        )


@strawberry.type
class TrafficSegmentEdge:
    cursor: str
    node: TrafficSegmentType


@strawberry.type(description="Segments of a run, most saturated first.")
class TrafficSegmentConnection:
    edges: list[TrafficSegmentEdge]
    page_info: PageInfo
    total_count: int
    run: TrafficRunType


@strawberry.type(description="A grid cell of about cellSizeM metres; only its centre is given.")
class GridCell:
    id: str
    latitude: float
    longitude: float

    @classmethod
    def of(cls, cell: str) -> GridCell:
        lat, lon = cell_centre(cell)
        return cls(id=cell, latitude=round(lat, 6), longitude=round(lon, 6))


@strawberry.type(name="DemandCell", description="Trips planned from one cell to another.")
class DemandCellType:
    origin: GridCell
    destination: GridCell
    trips: int

    @classmethod
    def from_cell(cls, cell: DemandCell) -> DemandCellType:
        return cls(
            origin=GridCell.of(cell.origin_cell),
            destination=GridCell.of(cell.destination_cell),
            trips=cell.trips,
        )


@strawberry.type(
    name="DemandMatrix",
    description="Planned trips per cell pair; cells under minTrips are suppressed.",
)
class DemandMatrixType:
    period: str
    min_trips: int
    cell_size_m: float
    cells: list[DemandCellType]
    suppressed_cells: int
    total_trips: int = strawberry.field(
        description="Every trip planned in the period, suppressed cells included (a total "
        "names no cell)."
    )

    @classmethod
    def from_matrix(cls, matrix: DemandMatrix, cell_size_m: float) -> DemandMatrixType:
        return cls(
            period=matrix.period,
            min_trips=matrix.min_trips,
            cell_size_m=cell_size_m,
            cells=[DemandCellType.from_cell(c) for c in matrix.cells],
            suppressed_cells=matrix.suppressed_cells,
            total_trips=matrix.total_trips,
        )


@strawberry.type
class PeriodTrips:
    period: str
    trips: float


@strawberry.type(name="DemandImport", description="An OD matrix a planner imported.")
class DemandImportType:
    id: strawberry.ID
    zones: int
    periods: list[PeriodTrips]
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: DemandImport) -> DemandImportType:
        assert row.id is not None
        trips: dict[str, list[list[float]]] = json.loads(row.trips)
        return cls(
            id=encode_global_id("DemandImport", row.id),
            zones=len(json.loads(row.zones)),
            periods=[
                PeriodTrips(period=p, trips=round(sum(t for _, _, t in cells), 3))
                for p, cells in trips.items()
            ],
            created_at=row.created_at,
        )


@strawberry.type(description="A hotspot of a scenario comparison.")
class HotspotDigest:
    rank: int
    streets: list[str]
    latitude: float
    longitude: float
    total_delay_veh_h: float
    max_volume_capacity: float

    @classmethod
    def from_digest(cls, d: dict[str, Any]) -> HotspotDigest:
        return cls(
            rank=d["rank"],
            streets=d["streets"],
            latitude=d["lat"],
            longitude=d["lon"],
            total_delay_veh_h=d["total_delay_veh_h"],
            max_volume_capacity=d["max_volume_capacity"],
        )


@strawberry.type(description="A segment whose volume the scenario changed most.")
class ChangedSegment:
    edge: int
    street: str | None
    osm_way_id: str
    base_volume_veh_h: float
    volume_change_veh_h: float
    delay_change_veh_h: float


@strawberry.type(description="A scenario compared with the latest base run of its period.")
class ScenarioResult:
    run: TrafficRunType
    base_run: TrafficRunType
    edits: list[str]
    closed_segments: int
    base_vehicle_hours: float
    scenario_vehicle_hours: float
    vehicle_hours_change: float
    base_hotspots: int
    scenario_hotspots: int
    hotspots_appeared: list[HotspotDigest]
    hotspots_disappeared: list[HotspotDigest]
    most_changed_segments: list[ChangedSegment]

    @classmethod
    def from_summary(
        cls, summary: dict[str, Any], run: TrafficRunType, base_run: TrafficRunType
    ) -> ScenarioResult:
        return cls(
            run=run,
            base_run=base_run,
            edits=summary["edits"],
            closed_segments=summary["closed_edges"],
            base_vehicle_hours=summary["base"]["vehicle_hours"],
            scenario_vehicle_hours=summary["scenario"]["vehicle_hours"],
            vehicle_hours_change=summary["vehicle_hours_change"],
            base_hotspots=summary["base"]["hotspots"],
            scenario_hotspots=summary["scenario"]["hotspots"],
            hotspots_appeared=[HotspotDigest.from_digest(h) for h in summary["hotspots_appeared"]],
            hotspots_disappeared=[
                HotspotDigest.from_digest(h) for h in summary["hotspots_disappeared"]
            ],
            most_changed_segments=[
                ChangedSegment(
                    edge=s["edge"],
                    street=s["street"],
                    osm_way_id=str(s["osm_way_id"]),
                    base_volume_veh_h=s["base_volume_veh_h"],
                    volume_change_veh_h=s["volume_change_veh_h"],
                    delay_change_veh_h=s["delay_change_veh_h"],
                )
                for s in summary["most_changed_segments"]
            ],
        )


def run_type(session: Session, run: TrafficRun) -> TrafficRunType:
    """The run as GraphQL, knowing whether it is the latest of its period."""
    latest = latest_run(session, run.period)
    return TrafficRunType.from_row(run, latest_id=latest.id if latest else None)
