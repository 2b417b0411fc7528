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
from typing import Annotated, Any

import strawberry
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from marketplace.api.context import Info
from marketplace.api.planning import StreetsUnavailable
from marketplace.api.relay import (
    Connection,
    PageInfo,
    check_page_size,
    decode_cursor,
    decode_global_id,
    encode_cursor,
    make_connection,
)
from marketplace.api.types.traffic import (
    DemandImportType,
    DemandMatrixType,
    DemandSourceScaleInput,
    IncidentReportType,
    ScenarioResult,
    TrafficAlgorithm,
    TrafficAreaInput,
    TrafficHotspotType,
    TrafficRunType,
    TrafficSegmentConnection,
    TrafficSegmentEdge,
    TrafficSegmentType,
)
from marketplace.catalogue.validation import validate_service_area
from marketplace.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from marketplace.identity.actors import Actor
from marketplace.models import DemandSource, IncidentCategory, RunStatus, TrafficRun
from marketplace.traffic.config import TrafficConfig, period_named, traffic_config
from marketplace.traffic.demand import import_demand, validate_import
from marketplace.traffic.incidents import list_incidents, report_incident
from marketplace.traffic.planned import demand_matrix
from marketplace.traffic.runner import (
    AssignmentOptions,
    ScenarioEdits,
    drive_graph,
    requested_sources,
    run_assignment,
    run_scenario_against_latest,
)
from marketplace.traffic.runs import get_run, get_segment, latest_run, list_runs, run_hotspots
from marketplace.traffic.runs import run_segments as stored_segments
from routing.errors import RoutingError
from routing.network import StreetNetwork

__all__ = ["TrafficMutation", "TrafficQuery", "require_planner"]

MAX_HOTSPOTS = 100
MAX_CSV_CHARACTERS = 1_000_000


async def require_planner(info: Info) -> Actor:
    """The calling planner, else ``UNAUTHENTICATED`` (anonymous) or ``FORBIDDEN``."""
    actor = await info.context.actor()
    if actor is None:
        raise NotAuthenticated(
            "traffic results are for the city's planners: sign in with a planner account or "
            "send the city's API key"
        )
    if not actor.is_planner:
        raise Forbidden(
            "traffic results are for the city's planners (planner and admin accounts, the "
            "city's API keys)"
        )
    return actor


def _config(info: Info) -> TrafficConfig:
    return traffic_config(info.context.connection.app.state)


def _network(info: Info) -> StreetNetwork:
    planning = getattr(info.context.connection.app.state, "planning", None)
    if planning is None:
        raise StreetsUnavailable("traffic assignment needs the street network; none is set up")
    try:
        network: StreetNetwork = planning.network()
        drive_graph(network)
    except RoutingError as exc:
        raise StreetsUnavailable(str(exc)) from None
    return network


def _run_for(session: Session, period: str, run_id: strawberry.ID | None) -> TrafficRun:
    """The run asked for (it must be of ``period`` and have results), else the latest."""
    if run_id is None:
        run = latest_run(session, period)
        if run is None:
            raise NotFound(
                f"no successful traffic run of {period} yet; a planner calls runAssignment first"
            )
        return run
    _, db_id = decode_global_id(run_id, "TrafficRun")
    run = get_run(session, db_id)
    if run.period != period:
        raise InvalidInput(f"run {run_id} is of {run.period}, not {period}", field="runId")
    if run.status is not RunStatus.SUCCEEDED:
        raise InvalidInput(
            f"run {run_id} did not converge (gap {run.relative_gap:.2e}); it has no results",
            field="runId",
        )
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


def _run_type(session: Session, run: TrafficRun) -> TrafficRunType:
    latest = latest_run(session, run.period)
    return TrafficRunType.from_row(run, latest_id=latest.id if latest else None)


@strawberry.type
class TrafficQuery:
    @strawberry.field(
        description="Street segments of the latest run of a period (or of `runId`), most "
        "saturated first, within an area and above a volume/capacity ratio. Planners only."
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
        await require_planner(info)
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
            return _run_type(session, run), rows

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
        "first. Planners only."
    )
    async def hotspots(
        self, info: Info, period: str, limit: int = 10, run_id: strawberry.ID | None = None
    ) -> list[TrafficHotspotType]:
        await require_planner(info)
        period_named(period)
        if not 1 <= limit <= MAX_HOTSPOTS:
            raise InvalidInput(f"limit {limit}; accepted: 1 to {MAX_HOTSPOTS}", field="limit")

        def read(session: Session) -> list[Any]:
            run = _run_for(session, period, run_id)
            assert run.id is not None
            return run_hotspots(session, run.id, limit)

        rows = await info.context.run(read)
        return [TrafficHotspotType.from_row(h, period) for h in rows]

    @strawberry.field(description="One street segment of a run, by id. Planners only.")
    async def segment(self, info: Info, id: strawberry.ID) -> TrafficSegmentType:
        await require_planner(info)
        _, db_id = decode_global_id(id, "TrafficSegment")
        return TrafficSegmentType.from_row(await info.context.run(get_segment, db_id))

    @strawberry.field(
        description="Runs newest first, of every status (base runs and scenarios). Planners only."
    )
    async def traffic_runs(
        self, info: Info, period: str | None = None, limit: int = 20
    ) -> list[TrafficRunType]:
        await require_planner(info)
        if period is not None:
            period_named(period)
        if not 1 <= limit <= 100:
            raise InvalidInput(f"limit {limit}; accepted: 1 to 100", field="limit")
        runs, latest = await info.context.run(_runs_read, period, limit)
        return [TrafficRunType.from_row(r, latest_id=latest.get(r.period)) for r in runs]

    @strawberry.field(
        description="Trips planned on the platform per grid cell pair in a period; cells "
        "below the configured minimum (or minTrips, if higher) are suppressed. Planners only."
    )
    async def demand_matrix(self, info: Info, period: str, min_trips: int = 0) -> DemandMatrixType:
        await require_planner(info)
        config = _config(info)
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


@strawberry.input(description="An incident seen at a point.")
class ReportIncidentInput:
    category: IncidentCategory
    description: str
    latitude: float
    longitude: float
    occurred_at: dt.datetime | None = None


@strawberry.type
class TrafficMutation:
    @strawberry.mutation(
        description="Import an OD matrix (zones.csv: zone_id,lat,lon; trips.csv: origin,"
        "destination,period,trips per period). Validated whole: BAD_USER_INPUT names each bad "
        "line; nothing is stored then. Planners only."
    )
    async def import_demand(self, info: Info, zones_csv: str, trips_csv: str) -> DemandImportType:
        await require_planner(info)
        if len(zones_csv) + len(trips_csv) > MAX_CSV_CHARACTERS:
            raise InvalidInput(
                f"the OD files hold more than {MAX_CSV_CHARACTERS} characters; aggregate zones"
            )
        graph = drive_graph(_network(info))
        zones_json, trips_json = await run_in_threadpool(
            validate_import, zones_csv, trips_csv, graph
        )
        row = await info.context.run(import_demand, zones_json=zones_json, trips_json=trips_json)
        return DemandImportType.from_row(row)

    @strawberry.mutation(
        description="Assign a period's demand at user equilibrium and store the run. The "
        "demand comes from demandSource, or from several demandSources summed on the street "
        "network's nodes (each scaled by its sourceScales entry, default 1; a source with no "
        "trips in the period is reported in the run's sources, not an error, unless all are "
        "empty). A run that does not reach relativeGap within maxIterations is returned with "
        "its gap (status NOT_CONVERGED) and leaves the previous results in place. Planners only."
    )
    async def run_assignment(
        self,
        info: Info,
        period: str,
        demand_source: DemandSource | None = None,
        demand_sources: list[DemandSource] | None = None,
        source_scales: list[DemandSourceScaleInput] | None = None,
        algorithm: TrafficAlgorithm = TrafficAlgorithm.BFW,
        relative_gap: float = 1e-4,
        max_iterations: int = 500,
        min_volume_capacity: float = 0.9,
        planned_trip_scale: Annotated[
            float,
            strawberry.argument(
                description="Vehicles per planned trip (the PLANNED_TRIPS source's scale)."
            ),
        ] = 1.0,
    ) -> TrafficRunType:
        await require_planner(info)
        sources = requested_sources(
            source=demand_source,
            sources=demand_sources,
            scales=[(s.source, s.scale) for s in source_scales or []],
            planned_trip_scale=planned_trip_scale,
        )
        network = _network(info)
        options = AssignmentOptions(
            algorithm=algorithm.value,
            relative_gap=relative_gap,
            max_iterations=max_iterations,
            min_volume_capacity=min_volume_capacity,
        )
        run = await run_in_threadpool(
            lambda: run_assignment(
                info.context.db,
                network,
                _config(info),
                period=period,
                sources=sources,
                options=options,
            )
        )
        return await info.context.run(_run_type, run)

    @strawberry.mutation(
        description="Close streets or ways, or take a lane from them, and compare with the "
        "latest base run of the period (same demand and options). Planners only."
    )
    async def run_scenario(
        self,
        info: Info,
        period: str,
        close_streets: list[str] | None = None,
        close_ways: list[strawberry.ID] | None = None,
        remove_lane_streets: list[str] | None = None,
        remove_lane_ways: list[strawberry.ID] | None = None,
    ) -> ScenarioResult:
        await require_planner(info)
        network = _network(info)
        edits = ScenarioEdits(
            close_streets=[s.strip() for s in close_streets or []],
            close_ways=[_way(w, "closeWays") for w in close_ways or []],
            remove_lane_streets=[s.strip() for s in remove_lane_streets or []],
            remove_lane_ways=[_way(w, "removeLaneWays") for w in remove_lane_ways or []],
        )
        outcome = await run_in_threadpool(
            lambda: run_scenario_against_latest(
                info.context.db, network, period=period, edits=edits
            )
        )
        run = await info.context.run(_run_type, outcome.run)
        base = await info.context.run(_run_type, outcome.base_run)
        return ScenarioResult.from_summary(outcome.summary, run, base)

    @strawberry.mutation(
        description="Report an incident at a point (signed-in people and API keys). At most "
        "1000 characters of description; the author is visible to the city's planners only."
    )
    async def report_incident(self, info: Info, input: ReportIncidentInput) -> IncidentReportType:
        actor = await info.context.actor()
        row = await info.context.run(
            report_incident,
            actor=actor,
            category=input.category,
            description=input.description,
            lat=input.latitude,
            lon=input.longitude,
            occurred_at=input.occurred_at,
        )
        return IncidentReportType.from_row(row)


def _way(value: strawberry.ID, field: str) -> int:
    try:
        way = int(str(value))
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not an OSM way id", field=field) from None
    if way <= 0:
        raise InvalidInput(f"{field}: {way} is not an OSM way id (ids are > 0)", field=field)
    return way
