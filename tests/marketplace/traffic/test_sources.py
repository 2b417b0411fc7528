"""Demand sources combined in one run: summed on the street nodes, each source's total reported.

Uses the app and helpers of :mod:`tests.marketplace.test_traffic`: the real west Issy /
Bas-Meudon extract, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.traffic import record_planned_trip
from tests.marketplace.community_helpers import Cast
from tests.marketplace.helpers import Api
from tests.marketplace.trips import (
    IMPORT,
    TRIPS_CSV,
    ZONES_CSV,
    finished_run,
    finished_scenario,
    job_error,
    monday_at,
)

COMBINED = """mutation($period: String!, $sources: [DemandSource!],
                  $scales: [DemandSourceScaleInput!], $source: DemandSource,
                  $plannedScale: Float) {
  runAssignment(period: $period, demandSources: $sources, sourceScales: $scales,
                demandSource: $source, plannedTripScale: $plannedScale) { id status } }"""
COMBINED_JOB = """query($id: ID!) { job(id: $id) { status error { code message details }
  run { id status demandSource zoneCount totalDemandVehH totalVehicleHours isLatest
        sources { source scale trips tripsVehH zones note } } } }"""
RUN_SOURCES = """query { trafficRuns(limit: 1) { id scenario baseRunId
  sources { source scale trips tripsVehH zones note } } }"""
# Two cells of the extract with planned trips in the morning peak (Bas-Meudon <-> west Issy).
PLANNED_FROM, PLANNED_TO = (48.8150, 2.2420), (48.8240, 2.2520)


def _run(api: Api, key: str, **variables: Any) -> dict[str, Any]:
    payload = {"period": "morning_peak", **variables}
    run = finished_run(api, payload, key=key, mutation=COMBINED, query=COMBINED_JOB)
    assert run["status"] == "SUCCEEDED", run
    return run


def _plan_trips(api: Api) -> None:
    for _ in range(6):
        assert record_planned_trip(api.db, PLANNED_FROM, PLANNED_TO, monday_at(8))
    for _ in range(4):
        assert record_planned_trip(api.db, PLANNED_TO, PLANNED_FROM, monday_at(8))


def test_three_sources_combined_add_up_to_the_sum_of_their_parts(api: Api, cast: Cast) -> None:
    key = cast.planner
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=key)
    _plan_trips(api)
    planned_scale = [{"source": "PLANNED_TRIPS", "scale": 50.0}]

    imported = _run(api, key, source="IMPORTED")
    issy = _run(api, key, sources=["ISSY_DEFAULT"])
    planned = _run(api, key, sources=["PLANNED_TRIPS"], scales=planned_scale)
    # One source alone: its own zones, its total as the run's demand, as before combining.
    assert imported["zoneCount"] == 4 and imported["totalDemandVehH"] == pytest.approx(1800.0)
    assert imported["sources"] == [
        {"source": "IMPORTED", "scale": 1.0, "trips": 3600.0, "tripsVehH": 1800.0, "zones": 4,
         "note": None}
    ]  # fmt: skip
    assert planned["totalDemandVehH"] == pytest.approx(10 * 50 / 2)
    assert planned["sources"][0]["scale"] == 50.0 and planned["sources"][0]["trips"] == 500.0
    for single in (issy, planned):
        assert single["sources"][0]["tripsVehH"] == pytest.approx(single["totalDemandVehH"])

    combined = _run(
        api, key, sources=["IMPORTED", "ISSY_DEFAULT", "PLANNED_TRIPS"], scales=planned_scale
    )
    assert combined["demandSource"] == "IMPORTED" and combined["isLatest"]
    parts = [imported, issy, planned]
    assert combined["totalDemandVehH"] == pytest.approx(sum(p["totalDemandVehH"] for p in parts))
    assert [s["source"] for s in combined["sources"]] == [
        "IMPORTED",
        "ISSY_DEFAULT",
        "PLANNED_TRIPS",
    ]
    for total, part in zip(combined["sources"], parts, strict=True):
        assert total["tripsVehH"] == pytest.approx(part["totalDemandVehH"])
        assert total["note"] is None and total["zones"] == part["zoneCount"]
    # Zones are the street nodes the sources' zones snap to: shared ones count once.
    assert combined["zoneCount"] <= sum(p["zoneCount"] for p in parts)
    assert combined["totalVehicleHours"] > imported["totalVehicleHours"]

    # A scale multiplies its source's trips only; plannedTripScale still scales planned trips.
    doubled = _run(
        api,
        key,
        sources=["IMPORTED", "PLANNED_TRIPS"],
        scales=[{"source": "IMPORTED", "scale": 2.0}],
        plannedScale=50.0,
    )
    assert [s["scale"] for s in doubled["sources"]] == [2.0, 50.0]
    expected = 2 * imported["totalDemandVehH"] + planned["totalDemandVehH"]
    assert doubled["totalDemandVehH"] == pytest.approx(expected)


def test_a_scenario_reuses_the_combined_demand_of_its_base_run(api: Api, cast: Cast) -> None:
    key = cast.planner
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=key)
    _plan_trips(api)
    base = _run(
        api,
        key,
        sources=["PLANNED_TRIPS", "IMPORTED"],
        scales=[{"source": "PLANNED_TRIPS", "scale": 20.0}],
    )
    # A later import changes nothing for the scenario: it uses the base run's stored demand.
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV.replace("2000", "20")}, key=key)
    result = finished_scenario(api, {"streets": ["Rue de Paris"]}, key=key)
    assert result["baseRun"]["id"] == base["id"]
    scenario = api.ok(RUN_SOURCES, key=key)["trafficRuns"][0]
    assert scenario["baseRunId"] == base["id"] and scenario["scenario"]
    assert scenario["sources"] == base["sources"]


def test_an_empty_source_is_reported_unless_all_are(api: Api, cast: Cast) -> None:
    key = cast.planner
    # Nothing imported, no trip planned: reported beside the Issy model's trips.
    issy_only = _run(api, key, sources=["ISSY_DEFAULT"])
    run = _run(api, key, sources=["IMPORTED", "ISSY_DEFAULT", "PLANNED_TRIPS"])
    assert run["demandSource"] == "IMPORTED"
    assert run["totalDemandVehH"] == pytest.approx(issy_only["totalDemandVehH"])
    imported, issy, planned = run["sources"]
    assert imported["trips"] == 0 and "no OD matrix was imported yet" in imported["note"]
    assert planned["trips"] == 0
    assert "the PLANNED_TRIPS demand has no trips in morning_peak" in planned["note"]
    assert issy["note"] is None and issy["tripsVehH"] == pytest.approx(run["totalDemandVehH"])

    # The imported matrix has no off-peak trips and the Issy model no off-peak period.
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=key)
    error = job_error(
        api, COMBINED, {"period": "off_peak", "sources": ["IMPORTED", "ISSY_DEFAULT"]}, key=key
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("none of the demand sources has trips in off_peak: ")
    assert "IMPORTED: the IMPORTED demand has no trips in off_peak" in error["message"]
    assert "ISSY_DEFAULT: period 'off_peak' does not exist" in error["message"]
    assert len(error["extensions"]["problems"]) == 2
    # Alone, a source keeps its own errors, as before sources combined.
    alone = job_error(api, COMBINED, {"period": "off_peak", "sources": ["ISSY_DEFAULT"]}, key=key)
    assert "period 'off_peak' does not exist" in alone["message"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        pytest.param({"sources": []}, "demandSources is empty; give one or more of", id="empty"),
        pytest.param({}, "demandSources is missing; give one or more of IMPORTED", id="none"),
        pytest.param(
            {"sources": ["IMPORTED", "ISSY_DEFAULT", "IMPORTED"]},
            "demandSources names IMPORTED more than once",
            id="twice",
        ),
        pytest.param(
            {"sources": ["IMPORTED"], "scales": [{"source": "IMPORTED", "scale": -1.0}]},
            "the scale of IMPORTED is -1.0; accepted: a number > 0",
            id="negative",
        ),
        pytest.param(
            {"sources": ["IMPORTED"], "scales": [{"source": "ISSY_DEFAULT", "scale": 2.0}]},
            "sourceScales gives a scale for ISSY_DEFAULT, which is not among the demand sources",
            id="scale-unused",
        ),
        pytest.param(
            {
                "sources": ["IMPORTED", "ISSY_DEFAULT"],
                "scales": [
                    {"source": "IMPORTED", "scale": 2.0},
                    {"source": "IMPORTED", "scale": 3.0},
                ],
            },
            "sourceScales gives IMPORTED more than once",
            id="scale-twice",
        ),
        pytest.param(
            {
                "sources": ["PLANNED_TRIPS"],
                "scales": [{"source": "PLANNED_TRIPS", "scale": 2.0}],
                "plannedScale": 3.0,
            },
            "PLANNED_TRIPS is scaled by both plannedTripScale and sourceScales",
            id="scale-both",
        ),
        pytest.param(
            {"sources": ["IMPORTED"], "plannedScale": -2.0},
            "plannedTripScale -2.0; accepted: a number > 0",
            id="planned-negative",
        ),
        pytest.param(
            {"sources": ["IMPORTED"], "source": "IMPORTED"},
            "give demandSource or demandSources, not both",
            id="both-arguments",
        ),
    ],
)
def test_bad_sources_are_refused_clearly(
    api: Api, cast: Cast, variables: dict[str, Any], message: str
) -> None:
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=cast.planner)
    error = api.error(COMBINED, {"period": "morning_peak", **variables}, key=cast.planner)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]
    assert api.ok("query { trafficRuns { id } }", key=cast.planner)["trafficRuns"] == []


def test_an_unknown_source_is_named_by_the_schema(api: Api, cast: Cast) -> None:
    error = api.error(
        COMBINED, {"period": "morning_peak", "sources": ["IMPORTED", "GPS"]}, key=cast.planner
    )
    assert "'GPS'" in error["message"] and "DemandSource" in error["message"]
    # The legacy single-source query of test_traffic keeps working.
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=cast.planner)
    run = finished_run(api, {"period": "morning_peak", "source": "IMPORTED"}, key=cast.planner)
    assert run["demandSource"] == "IMPORTED"
