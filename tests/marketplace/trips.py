"""Requests shared by the planning and traffic tests: a Monday-morning trip in west Issy,
the four-zone demand matrix on the real Meudon extract, and the app that serves it.

A plain module: fixtures live in ``conftest.py`` files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.clock import PARIS
from marketplace.settings import Settings
from marketplace.streets import StreetsState, load_streets
from marketplace.traffic import TrafficConfig
from routing.street.modes import Mode
from tests.marketplace.helpers import Api

ORIGIN = {"coordinate": {"latitude": 48.8150, "longitude": 2.2420}}

DESTINATION = {"coordinate": {"latitude": 48.8240, "longitude": 2.2520}}

# Plans must be within 60 days of now: the next Monday at 08:30, Paris time.
_today = dt.datetime.now(PARIS).date()

_monday = _today + dt.timedelta(days=(7 - _today.weekday()) % 7 or 7)

MONDAY_MORNING = dt.datetime.combine(_monday, dt.time(8, 30), tzinfo=PARIS).isoformat()

PLAN = """
query Plan($origin: PlanLocationInput!, $destination: PlanLocationInput!,
           $modes: PlanModesInput, $when: PlanDateTimeInput,
           $preferences: PlanPreferencesInput) {
  plan(origin: $origin, destination: $destination, modes: $modes, dateTime: $when,
       preferences: $preferences) {
    edges { cursor node {
      durationS distanceM priceMinor currency co2Grams start end
      legs { mode durationS distanceM priceMinor currency polyline geojson
             from { name stationId vehiclesAvailable isRealtime reportedAt }
             to { name docksAvailable isRealtime reportedAt }
             service { id name } steps { instruction turn } }
      unpricedLegs
    } }
    routingErrors { code description inputField mode }
    warnings { code description }
  }
}
"""


def monday_at(hour: int) -> dt.datetime:
    """Today's Monday-morning test day at ``hour``:15, Paris time."""
    day = dt.datetime.fromisoformat(MONDAY_MORNING).date()
    return dt.datetime.combine(day, dt.time(hour, 15), tzinfo=PARIS)


MEUDON = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"

# Four points on streets of the extract: Bas-Meudon, west Issy, Val Fleury, Meudon centre.
ZONES_CSV = (
    "zone_id,lat,lon\n"
    "bas_meudon,48.8150,2.2420\n"
    "issy_west,48.8240,2.2520\n"
    "val_fleury,48.8050,2.2300\n"
    "meudon_centre,48.8130,2.2380\n"
)

# 3,600 trips over the two hours of the morning peak: 1,800 veh/h.
TRIPS_CSV = (
    "origin,destination,period,trips\n"
    "bas_meudon,issy_west,morning_peak,2000\n"
    "val_fleury,issy_west,morning_peak,1000\n"
    "meudon_centre,bas_meudon,morning_peak,600\n"
    "issy_west,bas_meudon,evening_peak,1500\n"
)

IMPORT = """mutation($zones: String!, $trips: String!) {
  importDemand(zonesCsv: $zones, tripsCsv: $trips) { id zones periods { period trips } } }"""

RUN_FIELDS = """id period status converged relativeGap iterations algorithm isLatest
    hotspotCount totalDemandVehH totalVehicleHours totalDelayVehH loadedSegments zoneCount
    demandSource"""

SCENARIO_FIELDS = """edits closedSegments baseVehicleHours scenarioVehicleHours
    vehicleHoursChange run { id status scenario baseRunId isLatest } baseRun { id isLatest }
    mostChangedSegments { street volumeChangeVehH }"""

# Both mutations queue a job and return it at once; the job holds the outcome.
RUN = """mutation($period: String!, $source: DemandSource!, $gap: Float, $iterations: Int,
                  $scale: Float) {
  runAssignment(period: $period, demandSource: $source, relativeGap: $gap,
                maxIterations: $iterations, plannedTripScale: $scale) { id status } }"""

SCENARIO = """mutation($streets: [String!], $ways: [ID!]) {
  runScenario(period: "morning_peak", closeStreets: $streets, closeWays: $ways) {
    id status } }"""

JOB = f"""query($id: ID!) {{ job(id: $id) {{
    id kind status progress stage attempts error {{ code message details }}
    run {{ {RUN_FIELDS} }} scenario {{ {SCENARIO_FIELDS} }} }} }}"""

FINISHED = {"SUCCEEDED", "FAILED", "CANCELLED"}
JOB_DEADLINE_S = 600.0


def wait_for_job(api: Api, job_id: str, *, key: str, query: str = JOB) -> dict[str, Any]:
    """The job once finished, polled through the ``job`` query (a deadline, never a sleep to
    wait out a fixed time)."""
    deadline = time.monotonic() + JOB_DEADLINE_S
    while True:
        job: dict[str, Any] = api.ok(query, {"id": job_id}, key=key)["job"]
        if job["status"] in FINISHED:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}: {job}"
        time.sleep(0.05)


def finished_job(
    api: Api, mutation: str, variables: dict[str, Any], *, key: str, query: str = JOB
) -> dict[str, Any]:
    """Queue a job with ``mutation`` (which must accept it) and wait for its end."""
    (queued,) = api.ok(mutation, variables, key=key).values()
    assert queued["status"] in {"QUEUED", "RUNNING"} | FINISHED, queued
    return wait_for_job(api, queued["id"], key=key, query=query)


def finished_run(
    api: Api,
    variables: dict[str, Any],
    *,
    key: str,
    mutation: str = RUN,
    query: str = JOB,
) -> dict[str, Any]:
    """The run of an assignment job that must succeed."""
    job = finished_job(api, mutation, variables, key=key, query=query)
    assert job["status"] == "SUCCEEDED", job
    run: dict[str, Any] = job["run"]
    return run


def finished_scenario(api: Api, variables: dict[str, Any], *, key: str) -> dict[str, Any]:
    """The comparison of a scenario job that must succeed."""
    job = finished_job(api, SCENARIO, variables, key=key)
    assert job["status"] == "SUCCEEDED", job
    scenario: dict[str, Any] = job["scenario"]
    return scenario


def job_error(api: Api, mutation: str, variables: dict[str, Any], *, key: str) -> dict[str, Any]:
    """Why a traffic request failed, as a GraphQL error (``message``, ``extensions.code``):
    refused when queued, or the error of its job."""
    body = api.post(mutation, variables, key=key)
    if body.get("errors"):
        first: dict[str, Any] = body["errors"][0]
        return first
    (queued,) = body["data"].values()
    job = wait_for_job(api, queued["id"], key=key)
    assert job["status"] == "FAILED", job
    error = job["error"]
    return {
        "message": error["message"],
        "extensions": {"code": error["code"], **(error["details"] or {})},
    }


def meudon_streets(shared_data: Path, cache_dir: Path) -> StreetsState:
    """The real extract's street network, built once into ``cache_dir``."""
    state = load_streets(shared_data / MEUDON, cache_dir=cache_dir)
    assert state.network is not None, state.problem
    return state


@contextlib.contextmanager
def traffic_app(settings: Settings, streets: StreetsState, shared_data: Path) -> Iterator[Api]:
    """The app with the street network and the open data for the Issy demand."""
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        client.app.state.traffic_config = TrafficConfig(open_data_dir=shared_data)  # type: ignore[attr-defined]
        yield Api(client)


def imported_run(api: Api, key: str) -> dict[str, Any]:
    """Import the four-zone matrix and assign its morning peak."""
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=key)
    return finished_run(api, {"period": "morning_peak", "source": "IMPORTED"}, key=key)


def street_to_go_around(
    streets: StreetsState, origin: tuple[float, float], destination: tuple[float, float]
) -> str:
    """A named street in the middle of the car's free-flow route from ``origin`` to
    ``destination`` that cars can go around (closing the street the origin's only way out is
    on would leave no car route at all)."""
    assert streets.network is not None
    router = streets.network.router(Mode.DRIVE)
    route = router.route(origin, destination)
    ends = {route.steps[0].street, route.steps[-1].street}
    graph = router.graph
    for step in route.steps[1:-1]:
        if step.street is None or step.street in ends:
            continue
        without = np.where(graph.name_index == list(graph.names).index(step.street), 1e9, 1.0)
        detour = router.route_between(
            route.origin, route.destination, duration_s=graph.duration_s * without
        )
        if detour.duration_s < 1e9:
            return step.street
    raise AssertionError("the car trip crosses no street it could go around")
