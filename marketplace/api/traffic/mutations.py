"""Traffic mutations: planners import demand, run assignments and scenarios, and close or
reopen streets to cars; anyone signed in reports an incident."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from marketplace.api.context import Info
from marketplace.api.jobs.operations import queue_job
from marketplace.api.jobs.types import JobType
from marketplace.api.permissions import IsPlanner
from marketplace.api.relay import decode_global_id
from marketplace.api.traffic.closure_types import StreetClosureType
from marketplace.api.traffic.hotspot_types import IncidentReportType
from marketplace.api.traffic.inputs import (
    DemandSourceScaleInput,
    ReportIncidentInput,
)
from marketplace.api.traffic.network import drive_network, traffic_settings
from marketplace.api.traffic.types import DemandImportType, TrafficAlgorithm
from marketplace.errors import InvalidInput
from marketplace.i18n import Message
from marketplace.jobs.execute import assignment_params, scenario_params
from marketplace.models import DemandSource, JobKind, utcnow
from marketplace.traffic.closures import close_street, reopen_street
from marketplace.traffic.config import period_named
from marketplace.traffic.demand import import_demand, validate_import
from marketplace.traffic.incidents import report_incident
from marketplace.traffic.runner import (
    AssignmentOptions,
    ScenarioEdits,
    check_scenario_request,
    drive_graph,
    requested_sources,
)

__all__ = ["TrafficMutation"]

MAX_CSV_CHARACTERS = 1_000_000


@strawberry.type
class TrafficMutation:
    @strawberry.mutation(
        description="Import an OD matrix (zones.csv: zone_id,lat,lon; trips.csv: origin,"
        "destination,period,trips per period). Validated whole: BAD_USER_INPUT names each bad "
        "line; nothing is stored then. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def import_demand(self, info: Info, zones_csv: str, trips_csv: str) -> DemandImportType:
        if len(zones_csv) + len(trips_csv) > MAX_CSV_CHARACTERS:
            raise InvalidInput(
                f"the OD files hold more than {MAX_CSV_CHARACTERS} characters; aggregate zones"
            )
        graph = drive_graph(drive_network(info))
        zones_json, trips_json = await run_in_threadpool(
            validate_import, zones_csv, trips_csv, graph
        )
        row = await info.context.run(import_demand, zones_json=zones_json, trips_json=trips_json)
        return DemandImportType.from_row(row)

    @strawberry.mutation(
        description="Queue the assignment of a period's demand at user equilibrium; returns "
        "the job at once (follow it with job(id) or the jobProgress subscription; its run "
        "field holds the stored run once SUCCEEDED). Bad options, sources or period are "
        "refused here; what only the run finds (no trips in the period) fails the job. The "
        "demand comes from demandSource, or from several demandSources summed on the street "
        "network's nodes (each scaled by its sourceScales entry, default 1; a source with no "
        "trips in the period is reported in the run's sources, not an error, unless all are "
        "empty). A run that does not reach relativeGap within maxIterations is stored with "
        "its gap (status NOT_CONVERGED) and leaves the previous results in place. Planners only.",
        permission_classes=[IsPlanner],
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
    ) -> JobType:
        sources = requested_sources(
            source=demand_source,
            sources=demand_sources,
            scales=[(s.source, s.scale) for s in source_scales or []],
            planned_trip_scale=planned_trip_scale,
        )
        drive_network(info)
        period_named(period)
        options = AssignmentOptions(
            algorithm=algorithm.value,
            relative_gap=relative_gap,
            max_iterations=max_iterations,
            min_volume_capacity=min_volume_capacity,
        ).checked(traffic_settings(info))
        params = assignment_params(period=period, sources=list(sources), options=options)
        return await queue_job(info, JobKind.ASSIGNMENT, params)

    @strawberry.mutation(
        description="Queue a scenario: close streets or ways, or take a lane from them, and "
        "compare with the latest base run of the period (same demand and options). Returns "
        "the job at once (see runAssignment); its scenario field holds the comparison once "
        "SUCCEEDED. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def run_scenario(
        self,
        info: Info,
        period: str,
        close_streets: list[str] | None = None,
        close_ways: list[strawberry.ID] | None = None,
        remove_lane_streets: list[str] | None = None,
        remove_lane_ways: list[strawberry.ID] | None = None,
    ) -> JobType:
        network = drive_network(info)
        edits = ScenarioEdits(
            close_streets=[s.strip() for s in close_streets or []],
            close_ways=[_way(w, "closeWays") for w in close_ways or []],
            remove_lane_streets=[s.strip() for s in remove_lane_streets or []],
            remove_lane_ways=[_way(w, "removeLaneWays") for w in remove_lane_ways or []],
        )
        await info.context.run(check_scenario_request, network, period=period, edits=edits)
        return await queue_job(info, JobKind.SCENARIO, scenario_params(period=period, edits=edits))

    @strawberry.mutation(
        description="Close a street to cars: give street (a name of the drive network, every "
        "edge carrying it) or osmWayId, a reason (1 to 500 characters) and a window (startsAt, "
        "default now; endsAt, open-ended when absent). Car plans leaving in the window go "
        "around it from the next plan on, in every server process; walking and cycling are "
        "untouched. A decision, unlike runScenario (a what-if that changes no plan). Planners "
        "only.",
        permission_classes=[IsPlanner],
    )
    async def close_street(
        self,
        info: Info,
        reason: str,
        street: str | None = None,
        osm_way_id: strawberry.ID | None = None,
        starts_at: dt.datetime | None = None,
        ends_at: dt.datetime | None = None,
    ) -> StreetClosureType:
        graph = drive_graph(drive_network(info))
        row = await info.context.run(
            close_street,
            graph,
            street=street,
            osm_way_id=_way(osm_way_id, "osmWayId") if osm_way_id is not None else None,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            now=utcnow(),
        )
        return StreetClosureType.from_row(row)

    @strawberry.mutation(
        description="End a street closure now: the next car plans may drive through it again. "
        "Planners only.",
        permission_classes=[IsPlanner],
    )
    async def reopen_street(self, info: Info, id: strawberry.ID) -> StreetClosureType:
        _, closure_id = decode_global_id(str(id), "StreetClosure")
        row = await info.context.run(reopen_street, closure_id, now=utcnow())
        return StreetClosureType.from_row(row)

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
        raise InvalidInput(
            Message("traffic.way_not_id", {"field": field, "value": repr(value)}), field=field
        ) from None
    if way <= 0:
        raise InvalidInput(
            Message("traffic.way_not_positive", {"field": field, "value": way}), field=field
        )
    return way
