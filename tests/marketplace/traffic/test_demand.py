"""Demand from planned trips (cells, periods, suppression) and incident reports, via the app.

Uses the app and helpers of :mod:`tests.marketplace.test_traffic`: the real west Issy /
Bas-Meudon extract, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from marketplace.clock import PARIS
from marketplace.traffic import TrafficConfig, record_planned_trip
from marketplace.traffic import planned as planned_module
from marketplace.traffic.planned import cell_centre, cell_of
from tests.marketplace.community_helpers import Cast, code
from tests.marketplace.helpers import Api, app_state
from tests.marketplace.trips import (
    DESTINATION,
    MONDAY_MORNING,
    ORIGIN,
    PLAN,
    finished_run,
    imported_run,
    monday_at,
)

MATRIX = """query($min: Int!) { demandMatrix(period: "morning_peak", minTrips: $min) {
  period minTrips cellSizeM suppressedCells totalTrips
  cells { trips origin { id latitude longitude } destination { id } } } }"""
REPORT_INCIDENT = """mutation($input: ReportIncidentInput!) {
  reportIncident(input: $input) { id category description latitude longitude period } }"""
INCIDENTS = """query { incidentReports { totalCount edges { node {
  id category description author { kind displayName partnerName }
  hotspot(period: "morning_peak") { rank streets } } } } }"""
OWN_INCIDENTS = "query { incidentReports { totalCount edges { node { id description } } } }"
FAR = (48.8000, 2.2200)  # Meudon, far from the Bas-Meudon hotspots


def _yesterday(hour: int) -> dt.datetime:
    day = dt.datetime.now(PARIS).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, 15), tzinfo=PARIS)


def _stored_rows(api: Api) -> list[tuple[Any, ...]]:
    with api.db.engine.connect() as connection:
        result = connection.execute(sa.text("SELECT * FROM planned_trip_count ORDER BY trips"))
        assert list(result.keys()) == ["origin_cell", "destination_cell", "period", "trips"]
        return [tuple(row) for row in result]


def test_planned_trips_are_counted_per_cell_and_small_cells_suppressed(
    api: Api, cast: Cast
) -> None:
    origin = (ORIGIN["coordinate"]["latitude"], ORIGIN["coordinate"]["longitude"])
    destination = (DESTINATION["coordinate"]["latitude"], DESTINATION["coordinate"]["longitude"])
    # A real plan (anonymous) is counted; paging through the same plan is not counted again.
    plan = api.ok(PLAN, {"origin": ORIGIN, "destination": DESTINATION,
                         "when": {"earliestDeparture": MONDAY_MORNING}})["plan"]  # fmt: skip
    assert plan["edges"]
    app_state(api.client).demand.flush()  # counted in memory, written about once a second
    rows = _stored_rows(api)
    assert rows == [(cell_of(*origin), cell_of(*destination), "morning_peak", 1)]
    # Only cell ids: nothing finer than the grid, no time, no caller.
    assert all(isinstance(v, str) and v.startswith("500m:") for v in rows[0][:2])

    for _ in range(5):
        assert record_planned_trip(api.db, origin, destination, monday_at(8))
    for _ in range(2):
        assert record_planned_trip(api.db, destination, origin, monday_at(7))
    assert not record_planned_trip(api.db, origin, destination, monday_at(23))  # no period at night
    assert record_planned_trip(api.db, origin, destination, monday_at(17))  # evening peak

    matrix = api.ok(MATRIX, {"min": 0}, key=cast.planner)["demandMatrix"]
    assert matrix["minTrips"] == 5 and matrix["cellSizeM"] == 500
    assert matrix["suppressedCells"] == 1
    assert [c["trips"] for c in matrix["cells"]] == [6]
    shown = matrix["cells"][0]
    assert shown["origin"]["id"] == cell_of(*origin)
    centre = cell_centre(shown["origin"]["id"])
    assert shown["origin"]["latitude"] == pytest.approx(centre[0], abs=1e-6)
    assert abs(shown["origin"]["latitude"] - origin[0]) < 0.0025  # the cell, not the point
    stricter = api.ok(MATRIX, {"min": 10}, key=cast.planner)["demandMatrix"]
    assert stricter["cells"] == [] and stricter["suppressedCells"] == 2
    # The period's total still counts every trip (the planners' chart reads it): 1 + 5 + 2.
    assert matrix["totalTrips"] == stricter["totalTrips"] == 8
    # A caller may raise the threshold, never lower it below the configured floor.
    assert api.ok(MATRIX, {"min": 1}, key=cast.planner)["demandMatrix"]["minTrips"] == 5
    api.client.app.state.traffic_config = TrafficConfig(min_trips_per_cell=2)  # type: ignore[attr-defined]
    assert len(api.ok(MATRIX, {"min": 0}, key=cast.planner)["demandMatrix"]["cells"]) == 2
    assert code(api.post(MATRIX, {"min": 0}, key=cast.resident)) == "FORBIDDEN"

    # Planned trips are a sample: the planner scales them into traffic and assigns them.
    variables = {"period": "morning_peak", "source": "PLANNED_TRIPS", "scale": 100.0}
    run = finished_run(api, variables, key=cast.planner)
    assert run["status"] == "SUCCEEDED" and run["demandSource"] == "PLANNED_TRIPS"
    assert run["zoneCount"] == 2 and run["totalDemandVehH"] == pytest.approx(800 / 2)


def test_a_failure_to_count_never_fails_the_plan(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(planned_module, "_increment", broken)
    plan = api.ok(PLAN, {"origin": ORIGIN, "destination": DESTINATION,
                         "when": {"earliestDeparture": MONDAY_MORNING}})["plan"]  # fmt: skip
    assert plan["edges"]
    demand = app_state(api.client).demand
    assert demand.flush() == 0 and demand.pending == 1  # kept for the next try
    assert _stored_rows(api) == []


def test_incidents_are_attached_to_hotspots_and_authors_shown_to_planners(
    api: Api, cast: Cast
) -> None:
    imported_run(api, cast.planner)
    hotspot = api.ok(
        'query { hotspots(period: "morning_peak", limit: 1) { rank streets latitude longitude } }',
        key=cast.planner,
    )["hotspots"][0]
    at_hotspot = {
        "category": "CONGESTION",
        "description": "  Queue back to the bridge every morning  ",
        "latitude": hotspot["latitude"],
        "longitude": hotspot["longitude"],
        "occurredAt": _yesterday(8).isoformat(),
    }
    mine = api.ok(REPORT_INCIDENT, {"input": at_hotspot}, key=cast.resident)["reportIncident"]
    assert mine["description"] == "Queue back to the bridge every morning"
    assert mine["period"] == "morning_peak" and mine["category"] == "CONGESTION"
    far = {**at_hotspot, "category": "OBSTRUCTION", "description": "Van on the pavement",
           "latitude": FAR[0], "longitude": FAR[1]}  # fmt: skip
    api.ok(REPORT_INCIDENT, {"input": far}, key=cast.partners.a)

    for change, expected in (
        ({"description": "x" * 1001}, "at most 1000 are accepted"),
        ({"description": "   "}, "must not be empty"),
        ({"occurredAt": "2020-01-01T08:00:00+01:00"}, "within the last 30 days"),
        ({"latitude": 45.0}, "km from Issy"),
    ):
        error = api.error(REPORT_INCIDENT, {"input": {**at_hotspot, **change}}, key=cast.resident)
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and expected in error["message"]
    assert code(api.post(REPORT_INCIDENT, {"input": at_hotspot})) == "UNAUTHENTICATED"

    reports = api.ok(INCIDENTS, key=cast.planner)["incidentReports"]
    assert reports["totalCount"] == 2
    newest, oldest = (e["node"] for e in reports["edges"])
    assert newest["author"] == {"kind": "API_KEY", "displayName": None,
                                "partnerName": "Alpha Bikes"}  # fmt: skip
    assert newest["hotspot"] is None
    assert oldest["author"] == {"kind": "PERSON", "displayName": "anne", "partnerName": None}
    # Reported at hotspot 1, the incident is attached to it (whichever streets it spans).
    assert oldest["hotspot"]["rank"] == 1 and oldest["hotspot"]["streets"] == hotspot["streets"]
    with_incidents = api.ok(
        'query { hotspots(period: "morning_peak", limit: 1) { incidents { id category } } }',
        key=cast.planner,
    )["hotspots"][0]
    assert with_incidents["incidents"] == [{"id": mine["id"], "category": "CONGESTION"}]

    # Others see their own reports only, and never an author or a hotspot.
    own = api.ok(OWN_INCIDENTS, key=cast.resident)["incidentReports"]
    assert own["totalCount"] == 1 and own["edges"][0]["node"]["id"] == mine["id"]
    assert api.ok(OWN_INCIDENTS, key=cast.other_resident)["incidentReports"]["totalCount"] == 0
    assert api.ok(OWN_INCIDENTS, key=cast.partners.a)["incidentReports"]["totalCount"] == 1
    assert code(api.post(INCIDENTS, key=cast.resident)) == "FORBIDDEN"
    assert code(api.post(OWN_INCIDENTS)) == "UNAUTHENTICATED"
