"""Traffic for planners through the real app: import demand, assign, report, export, compare.

The street network is the real tagged OSM extract of west Issy and Bas-Meudon; the demand
is 1,800 veh/h between four zones on it, 1,000 veh/h of it from Bas-Meudon to west Issy, which
saturates the residential streets it leaves Bas-Meudon by. Every test runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlmodel import func, select

from marketplace.models.traffic import DemandImport
from marketplace.streets import StreetsState
from marketplace.traffic.runner import drive_graph
from routing.geometry import haversine_m
from routing.traffic.segments import SharedSegments
from tests.marketplace.community_helpers import Cast, code
from tests.marketplace.helpers import Api
from tests.marketplace.trips import (
    IMPORT,
    RUN,
    SCENARIO,
    TRIPS_CSV,
    ZONES_CSV,
    finished_run,
    finished_scenario,
    imported_run,
    job_error,
)

REPORT = """query($period: String!, $area: TrafficAreaInput, $min: Float!, $first: Int,
                 $after: String) {
  congestionReport(period: $period, area: $area, minVolumeCapacity: $min, first: $first,
                   after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    run { id isLatest }
    edges { cursor node { id segmentKey street volumeVehH capacityVehH volumeCapacity
                          freeFlowTimeS congestedTimeS delayVehH hotspotRank geometry } } } }"""
HOTSPOTS = """query($period: String!, $limit: Int!) {
  hotspots(period: $period, limit: $limit) {
    id rank streets latitude longitude radiusM totalDelayVehH maxVolumeCapacity segmentKeys } }"""
RUNS = "query { trafficRuns { id period status isLatest scenario baseRunId } }"


def zone_at(zone: str) -> tuple[float, float]:
    """A demand zone's (lat, lon) from the imported zones file."""
    for line in ZONES_CSV.splitlines()[1:]:
        name, lat, lon = line.split(",")
        if name == zone:
            return float(lat), float(lon)
    raise KeyError(zone)


def report(api: Api, key: str, **variables: Any) -> dict[str, Any]:
    payload = {"period": "morning_peak", "min": 0.0, **variables}
    report: dict[str, Any] = api.ok(REPORT, payload, key=key)["congestionReport"]
    return report


def test_assignment_report_and_hotspots_on_real_streets(api: Api, cast: Cast) -> None:
    imported = api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=cast.planner)
    assert imported["importDemand"]["zones"] == 4
    assert {"period": "morning_peak", "trips": 3600.0} in imported["importDemand"]["periods"]

    run = finished_run(api, {"period": "morning_peak", "source": "IMPORTED"}, key=cast.planner)
    assert run["status"] == "SUCCEEDED" and run["converged"] and run["isLatest"]
    assert run["relativeGap"] <= 1e-4 and run["iterations"] > 1
    assert run["algorithm"] == "BFW" and run["zoneCount"] == 4
    assert run["totalDemandVehH"] == pytest.approx(1800.0)
    assert run["hotspotCount"] >= 1 and run["totalDelayVehH"] > 0

    everything = report(api, cast.planner, first=50)
    assert everything["totalCount"] == run["loadedSegments"]
    # One stored row per street segment: the drive graph turns at a cost (the default on
    # tagged OSM, issue 17), so a street has a copy per way of arriving at it; the copies
    # make one row (keys never repeat, no '#2' copy keys).
    keys = [e["node"]["segmentKey"] for e in everything["edges"]]
    assert len({k.split("#")[0] for k in keys}) == len(keys) == min(50, run["loadedSegments"])
    assert everything["run"] == {"id": run["id"], "isLatest": True}
    ratios = [e["node"]["volumeCapacity"] for e in everything["edges"]]
    assert ratios == sorted(ratios, reverse=True)
    top = everything["edges"][0]["node"]
    assert top["volumeCapacity"] > 1 and top["hotspotRank"] is not None
    # The heaviest zone pair, Bas-Meudon -> west Issy (2,000 trips over the 2 h peak), leaves
    # Bas-Meudon by residential streets: the most saturated segment carries all of it. This
    # holds whatever the car times (it did before and after signal delays moved the top
    # hotspot from the cluster through Rue de Paris to Boulevard Anatole France beside it).
    assert top["volumeVehH"] == pytest.approx(1000.0, rel=1e-3)
    assert top["volumeCapacity"] == pytest.approx(1000.0 / top["capacityVehH"], rel=1e-3)
    assert top["congestedTimeS"] > top["freeFlowTimeS"] and top["delayVehH"] > 0
    assert top["geometry"]["type"] == "LineString" and len(top["geometry"]["coordinates"]) >= 2
    way, tail, head = top["segmentKey"].split(":")
    assert int(way) > 0 and int(tail) > 0 and int(head) > 0

    # Pages follow one another without overlap; the filter keeps only saturated segments.
    first = report(api, cast.planner, first=3)
    second = report(api, cast.planner, first=3, after=first["pageInfo"]["endCursor"])
    assert first["pageInfo"]["hasNextPage"]
    paged = [e["node"]["id"] for e in first["edges"] + second["edges"]]
    assert paged == [e["node"]["id"] for e in everything["edges"][:6]]
    saturated = report(api, cast.planner, min=0.9, first=50)
    assert 0 < saturated["totalCount"] < everything["totalCount"]
    assert all(e["node"]["volumeCapacity"] >= 0.9 for e in saturated["edges"])

    hotspots = api.ok(HOTSPOTS, {"period": "morning_peak", "limit": 5}, key=cast.planner)
    hotspots = hotspots["hotspots"]
    assert [h["rank"] for h in hotspots] == list(range(1, len(hotspots) + 1))
    # Hotspots rank by their total delay, not by their worst segment: which cluster comes
    # first follows the car times (node delays moved it), the order by delay does not.
    delays = [h["totalDelayVehH"] for h in hotspots]
    assert delays == sorted(delays, reverse=True) and delays[0] > 0
    assert all(h["maxVolumeCapacity"] <= top["volumeCapacity"] + 1e-9 for h in hotspots)
    assert all(h["radiusM"] > 0 and h["streets"] for h in hotspots)
    # ... and the hotspot holding the most saturated segment lies where that flow leaves its
    # origin zone.
    holding = [h for h in hotspots if top["segmentKey"] in h["segmentKeys"]]
    assert len(holding) == 1
    assert holding[0]["maxVolumeCapacity"] == pytest.approx(top["volumeCapacity"])
    origin = zone_at("bas_meudon")
    assert haversine_m(holding[0]["latitude"], holding[0]["longitude"], *origin) < 400

    # Areas: a box around hotspot 1 holds its segments; a polygon far from the traffic none.
    lat, lon = hotspots[0]["latitude"], hotspots[0]["longitude"]
    box = [lon - 0.004, lat - 0.003, lon + 0.004, lat + 0.003]
    boxed = report(api, cast.planner, area={"bbox": box}, first=50)
    assert 0 < boxed["totalCount"] < everything["totalCount"]
    away = {
        "type": "Polygon",
        "coordinates": [
            [[2.20, 48.78], [2.21, 48.78], [2.21, 48.79], [2.20, 48.79], [2.20, 48.78]]
        ],
    }
    assert report(api, cast.planner, area={"polygon": away})["totalCount"] == 0

    segment = api.ok(
        "query($id: ID!) { segment(id: $id) { id segmentKey street } }",
        {"id": top["id"]},
        key=cast.planner,
    )["segment"]
    assert segment == {"id": top["id"], "segmentKey": top["segmentKey"], "street": top["street"]}


def test_the_extract_drive_graph_has_turn_copies(streets: StreetsState) -> None:
    # What makes the one-row-per-street checks above and in the exports meaningful.
    assert streets.network is not None
    graph = drive_graph(streets.network)
    assert graph.turn_s is not None
    segments = SharedSegments.of(graph)
    assert segments is not None and segments.count < graph.edge_count


def test_scenario_closing_a_street_costs_vehicle_hours(api: Api, cast: Cast) -> None:
    key = cast.partners.city  # the city's API key is a planner too (its dashboards)
    base = imported_run(api, key)
    result = finished_scenario(api, {"streets": ["Rue de Paris"]}, key=key)
    assert result["edits"] == ["street 'Rue de Paris' closed"]
    assert result["closedSegments"] > 0
    assert result["scenarioVehicleHours"] > result["baseVehicleHours"] > 0
    assert result["vehicleHoursChange"] > 0
    assert result["baseRun"] == {"id": base["id"], "isLatest": True}
    scenario = result["run"]
    assert scenario["scenario"] == ["street 'Rue de Paris' closed"]
    assert scenario["baseRunId"] == base["id"] and not scenario["isLatest"]
    assert result["mostChangedSegments"][0]["volumeChangeVehH"] != 0
    # A scenario never becomes what planners see as the period's results.
    runs = api.ok(RUNS, key=key)["trafficRuns"]
    assert [r["id"] for r in runs] == [scenario["id"], base["id"]]
    assert [r["isLatest"] for r in runs] == [False, True]
    assert report(api, key)["run"]["id"] == base["id"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        pytest.param({"streets": ["Rue Hedouin"]}, "did you mean 'Rue Hédouin'", id="street"),
        pytest.param({"ways": ["1"]}, "no OSM way 1 in the drive network", id="way"),
        pytest.param({"ways": ["Rue"]}, "'Rue' is not an OSM way id", id="way-text"),
        pytest.param({}, "a scenario needs an edit", id="no-edit"),
    ],
)
def test_scenario_bad_edits_are_named(
    api: Api, cast: Cast, variables: dict[str, Any], message: str
) -> None:
    imported_run(api, cast.planner)
    error = job_error(api, SCENARIO, variables, key=cast.planner)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


def test_scenario_refusals_are_french_by_default(api: Api, cast: Cast) -> None:
    imported_run(api, cast.planner)
    french = Api(api.client, language=None)
    unknown = french.error(SCENARIO, {"streets": ["Rue Hedouin"]}, key=cast.planner)
    assert unknown["message"].startswith(
        "aucune rue nommée 'Rue Hedouin' dans le réseau routier ; vouliez-vous dire 'Rue Hédouin', "
    )
    no_edit = french.error(SCENARIO, {}, key=cast.planner)
    assert no_edit["message"].startswith("un scénario demande une modification")


def test_bad_input_is_refused_clearly_and_the_previous_results_stay(api: Api, cast: Cast) -> None:
    key = cast.planner
    good = imported_run(api, key)
    before = report(api, key, first=50)

    night = job_error(api, RUN, {"period": "night", "source": "IMPORTED"}, key=key)
    assert night["extensions"]["code"] == "BAD_USER_INPUT"
    assert "period 'night' does not exist; accepted: morning_peak" in night["message"]

    lots = TRIPS_CSV.replace("2000", "lots")
    malformed = api.error(IMPORT, {"zones": ZONES_CSV, "trips": lots}, key=key)
    assert malformed["extensions"]["code"] == "BAD_USER_INPUT"
    assert "trips.csv line 2: trips 'lots' is not a number" in malformed["message"]
    paris = ZONES_CSV + "paris,48.8566,2.3522\n"
    outside = api.error(IMPORT, {"zones": paris, "trips": TRIPS_CSV}, key=key)
    assert "zone 'paris' centroid (48.85660, 2.35220) lies" in outside["message"]
    no_header = api.error(IMPORT, {"zones": "id;lat;lon\n", "trips": TRIPS_CSV}, key=key)
    assert "zones.csv line 1: missing column(s)" in no_header["message"]

    # Out of iterations: the gap is reported, the run kept as a summary, the results stay.
    stalled = finished_run(
        api, {"period": "morning_peak", "source": "IMPORTED", "iterations": 1}, key=key
    )
    assert stalled["status"] == "NOT_CONVERGED" and not stalled["converged"]
    assert stalled["relativeGap"] > 1e-4 and not stalled["isLatest"]
    no_demand = job_error(api, RUN, {"period": "off_peak", "source": "IMPORTED"}, key=key)
    assert "has no trips in off_peak" in no_demand["message"]
    bad_gap = job_error(
        api, RUN, {"period": "morning_peak", "source": "IMPORTED", "gap": 2.0}, key=key
    )
    assert bad_gap["extensions"]["code"] == "BAD_USER_INPUT" and "relativeGap" in bad_gap["message"]

    after = report(api, key, first=50)
    assert after == before and after["run"]["id"] == good["id"]
    # The refused imports replaced nothing: the same matrix gives the same run.
    again = finished_run(api, {"period": "morning_peak", "source": "IMPORTED"}, key=key)
    assert again["totalDemandVehH"] == good["totalDemandVehH"]
    assert again["totalVehicleHours"] == pytest.approx(good["totalVehicleHours"])


def test_nothing_to_report_before_the_first_run(api: Api, cast: Cast) -> None:
    error = api.error(HOTSPOTS, {"period": "morning_peak", "limit": 5}, key=cast.planner)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "runAssignment first" in error["message"]
    nothing = job_error(
        api, RUN, {"period": "morning_peak", "source": "IMPORTED"}, key=cast.planner
    )
    assert nothing["extensions"]["code"] == "NOT_FOUND" and "importDemand" in nothing["message"]
    french = Api(api.client, language="fr")
    too_many = french.error(HOTSPOTS, {"period": "morning_peak", "limit": 500}, key=cast.planner)
    assert too_many["message"] == "limit 500 ; accepté : de 1 à 100"


def test_the_issy_default_demand_runs_on_the_extract(api: Api, cast: Cast) -> None:
    run = finished_run(api, {"period": "evening_peak", "source": "ISSY_DEFAULT"}, key=cast.admin)
    assert run["status"] == "SUCCEEDED" and run["demandSource"] == "ISSY_DEFAULT"
    assert run["zoneCount"] >= 3 and run["totalDemandVehH"] > 0
    off_peak = job_error(api, RUN, {"period": "off_peak", "source": "ISSY_DEFAULT"}, key=cast.admin)
    assert "period 'off_peak' does not exist" in off_peak["message"]


@pytest.mark.parametrize("who", ["anonymous", "resident", "member", "key_a"])
def test_only_planners_read_and_run_traffic(api: Api, cast: Cast, who: str) -> None:
    imported_run(api, cast.planner)
    expected = "UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN"
    token = cast.token(who)
    for query, variables in (
        (HOTSPOTS, {"period": "morning_peak", "limit": 5}),
        (REPORT, {"period": "morning_peak", "min": 0.0}),
        (RUNS, {}),
        ('query { demandMatrix(period: "morning_peak") { minTrips } }', {}),
        (RUN, {"period": "morning_peak", "source": "IMPORTED"}),
        (IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}),
        (SCENARIO, {"streets": ["Rue de Paris"]}),
    ):
        assert code(api.post(query, variables, key=token)) == expected, query
    response = api.client.get("/traffic/morning_peak/hotspots.csv", headers=_bearer(token))
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert response.json()["code"] == expected


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def test_exports_of_the_latest_run(api: Api, cast: Cast) -> None:
    run = imported_run(api, cast.planner)
    headers = _bearer(cast.planner)

    def get(name: str) -> Any:
        response = api.client.get(f"/traffic/morning_peak/{name}", headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "private, no-store"
        return response

    segments = json.loads(get("segments.geojson").content)
    assert segments["type"] == "FeatureCollection"
    assert segments["attribution"] == "© OpenStreetMap contributors"
    assert len(segments["features"]) == run["loadedSegments"]
    feature = segments["features"][0]
    assert feature["geometry"]["type"] == "LineString" and feature["properties"]["segment_key"]
    rows = list(csv.DictReader(io.StringIO(get("segments.csv?header=ids").text)))
    assert len(rows) == run["loadedSegments"]
    assert {"osm_way_id", "volume_capacity", "delay_veh_h", "segment_key"} <= set(rows[0])
    hotspots = json.loads(get("hotspots.geojson").content)
    assert len(hotspots["features"]) == run["hotspotCount"]
    # The export's first hotspot is the API's first hotspot.
    first = api.ok(HOTSPOTS, {"period": "morning_peak", "limit": 1}, key=cast.planner)
    assert hotspots["features"][0]["properties"]["streets"] == first["hotspots"][0]["streets"]
    assert hotspots["features"][0]["geometry"]["type"] == "MultiLineString"
    hotspot_rows = list(csv.DictReader(io.StringIO(get("hotspots.csv?header=ids").text)))
    assert [int(r["rank"]) for r in hotspot_rows] == list(range(1, run["hotspotCount"] + 1))
    png = get("hotspots.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n") and len(png.content) > 10_000

    for path, status in (
        ("/traffic/night/segments.csv", 400),
        ("/traffic/morning_peak/segments.xlsx", 404),
        ("/traffic/evening_peak/segments.csv", 404),
    ):
        assert api.client.get(path, headers=headers).status_code == status, path


@pytest.mark.parametrize(
    ("language", "segments_header", "hotspots_header"),
    [
        pytest.param(
            "fr",
            "Tronçon,Identifiant de voie OSM,Rue,Classe de voie,Voies,Longueur (m)",
            "Rang,Période,Rues,Latitude,Longitude,Retard total (véh·h)",
            id="fr",
        ),
        pytest.param(
            "en",
            "Edge,OSM way id,Street,Road class,Lanes,Length (m)",
            "Rank,Period,Streets,Latitude,Longitude,Total delay (veh·h)",
            id="en",
        ),
    ],
)
def test_csv_headers_are_in_the_callers_language(
    api: Api, cast: Cast, language: str, segments_header: str, hotspots_header: str
) -> None:
    run = imported_run(api, cast.planner)
    headers = {**_bearer(cast.planner), "Accept-Language": f"{language};q=0.9"}

    def lines(name: str, **params: str) -> list[str]:
        response = api.client.get(f"/traffic/morning_peak/{name}", headers=headers, params=params)
        assert response.status_code == 200, response.text
        text: str = response.text
        return text.splitlines()

    segments = lines("segments.csv")
    assert segments[0].startswith(segments_header)
    assert len(segments) == run["loadedSegments"] + 1  # labels replace the ids, rows unchanged
    assert lines("hotspots.csv")[0].startswith(hotspots_header)
    # ?lang= wins over the header, as a shared link carries it.
    other = "en" if language == "fr" else "fr"
    assert lines("hotspots.csv", lang=other)[0] != lines("hotspots.csv")[0]
    # Scripts keep the column ids, whatever the language.
    ids = lines("segments.csv", header="ids")
    assert ids[0].split(",")[:3] == ["edge", "osm_way_id", "street"]
    assert ids[1:] == segments[1:]


def test_an_unknown_csv_header_choice_is_refused_in_french_by_default(api: Api, cast: Cast) -> None:
    imported_run(api, cast.planner)
    response = api.client.get(
        "/traffic/morning_peak/hotspots.csv",
        params={"header": "names"},
        headers=_bearer(cast.planner),
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "header 'names' n'est pas proposé ; acceptés : labels, ids",
        "code": "BAD_USER_INPUT",
    }


PEAKS = """query($period: String!) {
  hotspots(period: $period, limit: 20) { rank streets segmentKeys peakPeriod } }"""


def test_a_hotspot_peaks_in_the_period_whose_latest_run_delays_it_most(
    api: Api, cast: Cast
) -> None:
    key = cast.planner
    # The same trips in both peaks, twice as many in the evening.
    trips = TRIPS_CSV.replace("issy_west,bas_meudon,evening_peak,1500", "").rstrip() + "\n"
    trips += "bas_meudon,issy_west,evening_peak,4000\nval_fleury,issy_west,evening_peak,2000\n"
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": trips}, key=key)
    finished_run(api, {"period": "morning_peak", "source": "IMPORTED"}, key=key)
    morning = api.ok(PEAKS, {"period": "morning_peak"}, key=key)["hotspots"]
    assert morning and {h["peakPeriod"] for h in morning} == {"morning_peak"}
    worst = morning[0]["streets"]

    finished_run(api, {"period": "evening_peak", "source": "IMPORTED"}, key=key)
    morning = api.ok(PEAKS, {"period": "morning_peak"}, key=key)["hotspots"]
    assert morning[0]["streets"] == worst  # the morning's worst, now worse in the evening
    assert morning[0]["peakPeriod"] == "evening_peak"
    evening = api.ok(PEAKS, {"period": "evening_peak"}, key=key)["hotspots"]
    assert evening[0]["peakPeriod"] == "evening_peak"


def test_demand_beyond_the_accepted_range_is_refused_and_nothing_stored(
    api: Api, cast: Cast
) -> None:
    huge = TRIPS_CSV.replace(",2000\n", ",1e308\n")
    assert huge != TRIPS_CSV
    error = api.error(IMPORT, {"zones": ZONES_CSV, "trips": huge}, key=cast.planner)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "trips.csv line 2: trips '1e308' is not a number from 0 to 100,000" in (error["message"])
    stored = api.db.call(lambda s: s.exec(select(func.count()).select_from(DemandImport)).one())
    assert stored == 0
