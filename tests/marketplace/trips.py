"""Requests shared by the planning and traffic tests: a Monday-morning trip in west Issy,
the four-zone demand matrix on the real Meudon extract, and the app that serves it.

A plain module: fixtures live in ``conftest.py`` files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.clock import PARIS
from marketplace.settings import Settings
from marketplace.streets import StreetsState, load_streets
from marketplace.traffic import TrafficConfig
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

RUN = """mutation($period: String!, $source: DemandSource!, $gap: Float, $iterations: Int,
                  $scale: Float) {
  runAssignment(period: $period, demandSource: $source, relativeGap: $gap,
                maxIterations: $iterations, plannedTripScale: $scale) {
    id period status converged relativeGap iterations algorithm isLatest hotspotCount
    totalDemandVehH totalVehicleHours totalDelayVehH loadedSegments zoneCount demandSource } }"""

SCENARIO = """mutation($streets: [String!], $ways: [ID!]) {
  runScenario(period: "morning_peak", closeStreets: $streets, closeWays: $ways) {
    edits closedSegments baseVehicleHours scenarioVehicleHours vehicleHoursChange
    run { id status scenario baseRunId isLatest } baseRun { id isLatest }
    mostChangedSegments { street volumeChangeVehH } } }"""


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
    variables = {"period": "morning_peak", "source": "IMPORTED"}
    run: dict[str, Any] = api.ok(RUN, variables, key=key)["runAssignment"]
    return run
