"""GraphQL for the city's traffic planners: congestion, hotspots, demand, scenarios, incidents.

Reads of runs, segments, hotspots and demand, and every run or import, are for planners
(``Actor.is_planner``: planner and admin accounts, the city's API keys): anyone else gets
``FORBIDDEN`` (``UNAUTHENTICATED`` when anonymous). Anyone signed in may report an incident
and read back their own reports. Assignments run synchronously in a worker thread: on an
Issy-size drive graph they take well under a second per run.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import strawberry
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session

from marketplace.api.context import Info
from marketplace.api.permissions import IsPlanner
from marketplace.api.relay import (
    Connection,
    PageInfo,
    check_page_size,
    decode_cursor,
    decode_global_id,
    encode_cursor,
    make_connection,
)
from marketplace.api.traffic.closure_types import StreetClosureType
from marketplace.api.traffic.hotspot_types import IncidentReportType, TrafficHotspotType
from marketplace.api.traffic.inputs import TrafficAreaInput
from marketplace.api.traffic.network import traffic_settings
from marketplace.api.traffic.types import (
    DemandMatrixType,
    TrafficRunType,
    TrafficSegmentConnection,
    TrafficSegmentEdge,
    TrafficSegmentType,
    run_type,
)
from marketplace.catalogue.validation import validate_service_area
from marketplace.errors import InvalidInput, NotFound
from marketplace.i18n import Message
from marketplace.models import IncidentCategory, RunStatus, TrafficRun, utcnow
from marketplace.traffic.closures import active_closures
from marketplace.traffic.config import period_named
from marketplace.traffic.incidents import list_incidents
from marketplace.traffic.planned import demand_matrix
from marketplace.traffic.runs import get_run, get_segment, latest_run, list_runs, run_hotspots
from marketplace.traffic.runs import run_segments as stored_segments

__all__ = ["TrafficQuery"]

MAX_HOTSPOTS = 100


def _run_for(session: Session, period: str, run_id: strawberry.ID | None) -> TrafficRun:
    """The run asked for (it must be of ``period`` and have results), else the latest."""
    if run_id is None:
        run = latest_run(session, period)
        if run is None:
            raise NotFound(Message("traffic.no_run", {"period": period}))
        return run
    _, db_id = decode_global_id(run_id, "TrafficRun")
    run = get_run(session, db_id)
    if run.period != period:
        raise InvalidInput(
            Message(
                "traffic.run_period", {"id": run_id, "run_period": run.period, "period": period}
            ),
            field="runId",
        )
    if run.status is not RunStatus.SUCCEEDED:
        values = {"id": run_id, "gap": f"{run.relative_gap:.2e}"}
        raise InvalidInput(Message("traffic.run_not_converged", values), field="runId")
    return run


Box = tuple[float, float, float, float]


def _area(area: TrafficAreaInput | None) -> tuple[Box | None, BaseGeometry | None]:
    """A bbox to filter in SQL, and a polygon to check the midpoints against."""
    if area is None:
        return None, None
    if area.bbox not in (None, strawberry.UNSET):
        box = list(area.bbox or [])
        if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
            raise InvalidInput(
                f"area.bbox {box}; accepted: [west, south, east, north] with west < east "
                "and south < north",
                field="area.bbox",
            )
        return (box[0], box[1], box[2], box[3]), None
    valid = validate_service_area(json.dumps(area.polygon), field="area.polygon")
    bounds = (valid.bbox.min_lon, valid.bbox.min_lat, valid.bbox.max_lon, valid.bbox.max_lat)
    return bounds, shape(json.loads(valid.geojson))


def _runs_read(
    session: Session, period: str | None, limit: int
) -> tuple[list[TrafficRun], dict[str, int | None]]:
    runs = list_runs(session, period=period, limit=limit)
    latest = {p: getattr(latest_run(session, p), "id", None) for p in {r.period for r in runs}}
    return runs, latest


@strawberry.type
class TrafficQuery:
    @strawberry.field(
        description="Street segments of the latest run of a period (or of `runId`), most "
        "saturated first, within an area and above a volume/capacity ratio. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def congestion_report(
        self,
        info: Info,
        period: str,
        area: TrafficAreaInput | None = None,
        min_volume_capacity: float = 0.0,
        first: int | None = None,
        after: str | None = None,
        run_id: strawberry.ID | None = None,
    ) -> TrafficSegmentConnection:
        period_named(period)
        settings = info.context.settings
        size = check_page_size(
            first, default=settings.default_page_size, maximum=settings.max_page_size
        )
        position = decode_cursor(after)
        start = 0 if position is None else position + 1
        bbox, polygon = _area(area)

        def read(session: Session) -> tuple[TrafficRunType, list[Any]]:
            run = _run_for(session, period, run_id)
            assert run.id is not None
            rows = stored_segments(
                session, run.id, min_volume_capacity=min_volume_capacity, bbox=bbox
            )
            if polygon is not None:
                rows = [r for r in rows if polygon.covers(Point(r.mid_lon, r.mid_lat))]
            return run_type(session, run), rows

        run, rows = await info.context.run(read)
        page = rows[start : start + size]
        edges = [
            TrafficSegmentEdge(cursor=encode_cursor(start + i), node=TrafficSegmentType.from_row(r))
            for i, r in enumerate(page)
        ]
        return TrafficSegmentConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=start + len(page) < len(rows),
                has_previous_page=start > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=len(rows),
            run=run,
        )

    @strawberry.field(
        description="Hotspots of the latest run of a period (or of `runId`), most delay "
        "first. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def hotspots(
        self, info: Info, period: str, limit: int = 10, run_id: strawberry.ID | None = None
    ) -> list[TrafficHotspotType]:
        period_named(period)
        if not 1 <= limit <= MAX_HOTSPOTS:
            raise InvalidInput(
                Message("validation.limit", {"value": limit, "maximum": MAX_HOTSPOTS}),
                field="limit",
            )

        def read(session: Session) -> list[Any]:
            run = _run_for(session, period, run_id)
            assert run.id is not None
            return run_hotspots(session, run.id, limit)

        rows = await info.context.run(read)
        return [TrafficHotspotType.from_row(h, period) for h in rows]

    @strawberry.field(
        description="One street segment of a run, by id. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def segment(self, info: Info, id: strawberry.ID) -> TrafficSegmentType:
        _, db_id = decode_global_id(id, "TrafficSegment")
        return TrafficSegmentType.from_row(await info.context.run(get_segment, db_id))

    @strawberry.field(
        description="Street closures in force at activeAt (default now), oldest first: what "
        "car plans leaving then go around. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def street_closures(
        self, info: Info, active_at: dt.datetime | None = None
    ) -> list[StreetClosureType]:
        when = active_at if active_at is not None else utcnow()
        if when.tzinfo is None:
            raise InvalidInput("activeAt: give a time zone (e.g. +01:00 or Z)", field="activeAt")
        rows = await info.context.run(active_closures, when)
        return [StreetClosureType.from_row(row) for row in rows]

    @strawberry.field(
        description="Runs newest first, of every status (base runs and scenarios). Planners only.",
        permission_classes=[IsPlanner],
    )
    async def traffic_runs(
        self, info: Info, period: str | None = None, limit: int = 20
    ) -> list[TrafficRunType]:
        if period is not None:
            period_named(period)
        if not 1 <= limit <= 100:
            raise InvalidInput(
                Message("validation.limit", {"value": limit, "maximum": 100}), field="limit"
            )
        runs, latest = await info.context.run(_runs_read, period, limit)
        return [TrafficRunType.from_row(r, latest_id=latest.get(r.period)) for r in runs]

    @strawberry.field(
        description="Trips planned on the platform per grid cell pair in a period; cells "
        "below the configured minimum (or minTrips, if higher) are suppressed. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def demand_matrix(self, info: Info, period: str, min_trips: int = 0) -> DemandMatrixType:
        config = traffic_settings(info)
        matrix = await info.context.run(
            demand_matrix, period=period, min_trips=min_trips, floor=config.min_trips_per_cell
        )
        return DemandMatrixType.from_matrix(matrix, config.cell_size_m)

    @strawberry.field(
        description="Incident reports, newest first: every report for planners, your own "
        "for anyone else signed in."
    )
    async def incident_reports(
        self,
        info: Info,
        category: IncidentCategory | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[IncidentReportType]:
        actor = await info.context.actor()
        settings = info.context.settings
        size = check_page_size(
            first, default=settings.default_page_size, maximum=settings.max_page_size
        )
        after_id = decode_cursor(after)
        rows, total = await info.context.run(
            list_incidents, actor=actor, category=category, after_id=after_id, limit=size + 1
        )
        items = [IncidentReportType.from_row(r) for r in rows[:size]]
        return make_connection(
            items,
            db_id=lambda item: int(item.row.id or 0),
            total=total,
            has_next_page=len(rows) > size,
            after=after_id,
        )
