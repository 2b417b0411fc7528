"""Trip plans through the real app: a service a partner publishes shows up in the next plan.

The street network is the real tagged OSM extract of west Issy and Bas-Meudon; the services
are published through the GraphQL API, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polyline as polyline_codec
import pytest
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.clock import PARIS
from marketplace.settings import Settings
from marketplace.streets import StreetsState, load_streets
from tests.marketplace.community_helpers import sign_up_and_confirm
from tests.marketplace.helpers import Api, Partners, create_service
from tests.marketplace.trips import (
    DESTINATION,
    IMPORT,
    MONDAY_MORNING,
    ORIGIN,
    PLAN,
    TRIPS_CSV,
    ZONES_CSV,
    finished_run,
)

REPORTED_AT = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()


STATIONS = """
mutation($id: ID!) {
  upsertStations(serviceId: $id, stations: [
    {externalId: "a", name: "Station Guilmant", lat: 48.8152, lon: 2.2423, capacity: 20},
    {externalId: "b", name: "Station Stalingrad", lat: 48.8238, lon: 2.2517, capacity: 20}
  ]) { created }
  setPricingPlan(serviceId: $id, plan: {externalId: "std", name: "Standard", currency: "EUR",
                 unlockFeeMinor: 100, perMinuteMinor: 5}) { currency }
}
"""
AVAILABILITY = """
mutation($id: ID!, $bikes: Int!, $at: DateTime!) {
  updateAvailability(serviceId: $id, availability: [
    {stationExternalId: "a", vehiclesAvailable: $bikes, docksAvailable: 10,
     reportedAt: $at},
    {stationExternalId: "b", vehiclesAvailable: 0, docksAvailable: 12,
     reportedAt: $at}
  ]) { updated created }
}
"""


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    source = shared_data / "osm" / "meudon_drive_overpass_issy_west_2024-12-14.json.gz"
    state = load_streets(source, cache_dir=tmp_path_factory.mktemp("streets"))
    assert state.network is not None, state.problem
    return state


@pytest.fixture
def planner_api(settings: Settings, streets: StreetsState) -> Iterator[Api]:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        yield Api(client)


def plan(api: Api, **variables: Any) -> dict[str, Any]:
    base = {
        "origin": ORIGIN,
        "destination": DESTINATION,
        "when": {"earliestDeparture": MONDAY_MORNING},
    }
    plan: dict[str, Any] = api.ok(PLAN, {**base, **variables})["plan"]
    return plan


def bike_share_legs(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        leg
        for edge in result["edges"]
        for leg in edge["node"]["legs"]
        if leg["mode"] == "BIKE_SHARE"
    ]


def test_walk_bike_and_car_on_real_streets(planner_api: Api) -> None:
    result = plan(planner_api)
    modes = {edge["node"]["legs"][0]["mode"] for edge in result["edges"]}
    assert {"WALK", "BICYCLE", "CAR"} <= modes
    walk = next(e["node"] for e in result["edges"] if e["node"]["legs"][0]["mode"] == "WALK")
    assert 1000 < walk["distanceM"] < 3000
    assert walk["legs"][0]["steps"][0]["turn"] == "DEPART"
    assert walk["legs"][0]["geojson"]["type"] == "LineString"
    assert walk["start"].startswith(MONDAY_MORNING[:16])
    # Line and steps are built only when asked for: every leg answers them, drawn alike.
    for leg in (leg for edge in result["edges"] for leg in edge["node"]["legs"]):
        drawn = [(lat, lon) for lon, lat in leg["geojson"]["coordinates"]]
        decoded = polyline_codec.decode(leg["polyline"], 5)
        assert len(drawn) >= 2 and len(decoded) == len(drawn)
        assert all(
            abs(a[0] - b[0]) < 1e-5 and abs(a[1] - b[1]) < 1e-5
            for a, b in zip(decoded, drawn, strict=True)
        )
        assert leg["steps"][0]["turn"] == "DEPART" and leg["steps"][-1]["turn"] == "ARRIVE"


def test_published_service_shows_up_in_the_next_plan(planner_api: Api, partners: Partners) -> None:
    service = create_service(planner_api, partners.a, name="Vélos Bas-Meudon")
    planner_api.ok(STATIONS, {"id": service["id"]}, key=partners.a)
    planner_api.ok(
        AVAILABILITY, {"id": service["id"], "bikes": 5, "at": REPORTED_AT}, key=partners.a
    )
    # A draft is never read by trip plans.
    assert bike_share_legs(plan(planner_api)) == []

    planner_api.ok(
        "mutation($id: ID!) { publishService(id: $id) { status } }",
        {"id": service["id"]},
        key=partners.a,
    )
    ride = bike_share_legs(plan(planner_api))
    assert len(ride) == 1
    assert ride[0]["service"] == {"id": service["id"], "name": "Vélos Bas-Meudon"}
    assert ride[0]["from"]["name"] == "Station Guilmant"
    assert ride[0]["from"]["vehiclesAvailable"] == 5
    assert ride[0]["to"]["docksAvailable"] == 12
    assert ride[0]["priceMinor"] >= 100

    # The station is emptied: the very next plan has no bike share and says why.
    planner_api.ok(
        AVAILABILITY, {"id": service["id"], "bikes": 0, "at": REPORTED_AT}, key=partners.a
    )
    emptied = plan(planner_api)
    assert bike_share_legs(emptied) == []
    assert any(e["code"] == "NO_SERVICE_AVAILABLE" for e in emptied["routingErrors"])

    planner_api.ok(
        AVAILABILITY, {"id": service["id"], "bikes": 3, "at": REPORTED_AT}, key=partners.a
    )
    assert len(bike_share_legs(plan(planner_api))) == 1
    planner_api.ok(
        "mutation($id: ID!) { suspendService(id: $id) { status } }",
        {"id": service["id"]},
        key=partners.a,
    )
    assert bike_share_legs(plan(planner_api)) == []


def test_a_batch_through_one_app_is_in_the_next_plan_of_another(
    planner_api: Api, partners: Partners, settings: Settings, streets: StreetsState
) -> None:
    """Two app instances on one database, as two workers: the second patches its snapshot
    with the live counts alone after each batch through the first (no service nor timetable
    read again), and its very next plan has the new counts; a static change (a rename) is
    read in full."""
    service = create_service(planner_api, partners.a, name="Vélos Bas-Meudon")
    planner_api.ok(STATIONS, {"id": service["id"]}, key=partners.a)
    planner_api.ok(
        AVAILABILITY, {"id": service["id"], "bikes": 5, "at": REPORTED_AT}, key=partners.a
    )
    published = planner_api.ok(
        "mutation($id: ID!) { publishService(id: $id) { version } }",
        {"id": service["id"]},
        key=partners.a,
    )["publishService"]
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        second = Api(client)
        catalogue = client.app.state.planning.catalogue  # type: ignore[attr-defined]
        (ride,) = bike_share_legs(plan(second))
        assert ride["from"]["vehiclesAvailable"] == 5
        patches, rebuilds = catalogue.live_patches, catalogue.rebuilds
        for bikes in (3, 0, 7):
            planner_api.ok(
                AVAILABILITY,
                {"id": service["id"], "bikes": bikes, "at": REPORTED_AT},
                key=partners.a,
            )
            rides = bike_share_legs(plan(second))
            assert [r["from"]["vehiclesAvailable"] for r in rides] == ([bikes] if bikes else [])
        assert catalogue.live_patches == patches + 3
        assert catalogue.rebuilds == rebuilds + 3

        planner_api.ok(
            "mutation($id: ID!, $v: Int!) { updateService(id: $id, expectedVersion: $v,"
            ' input: {name: "Vélos renamed"}) { version } }',
            {"id": service["id"], "v": published["version"]},
            key=partners.a,
        )
        (ride,) = bike_share_legs(plan(second))
        assert ride["service"]["name"] == "Vélos renamed"
        assert ride["from"]["vehiclesAvailable"] == 7
        assert catalogue.live_patches == patches + 3  # read in full


def test_only_and_excluded_services(planner_api: Api, partners: Partners) -> None:
    service = create_service(planner_api, partners.a, name="Vélos")
    planner_api.ok(STATIONS, {"id": service["id"]}, key=partners.a)
    planner_api.ok(
        AVAILABILITY, {"id": service["id"], "bikes": 5, "at": REPORTED_AT}, key=partners.a
    )
    planner_api.ok(
        "mutation($id: ID!) { publishService(id: $id) { status } }",
        {"id": service["id"]},
        key=partners.a,
    )
    excluded = plan(planner_api, modes={"excludeServices": [service["id"]]})
    assert bike_share_legs(excluded) == []
    only = plan(planner_api, modes={"direct": ["WALK"], "includeServices": [service["id"]]})
    assert {leg["mode"] for e in only["edges"] for leg in e["node"]["legs"]} <= {
        "WALK",
        "BIKE_SHARE",
    }
    assert bike_share_legs(only)


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        pytest.param(
            {"origin": {"coordinate": {"latitude": 48.90, "longitude": 2.35}}},
            "OUTSIDE_BOUNDS",
            id="far",
        ),
        pytest.param(
            {"origin": {"coordinate": {"latitude": 2.242, "longitude": 48.815}}},
            "LOCATION_NOT_FOUND",
            id="swapped",
        ),
    ],
)
def test_bad_locations_are_routing_errors(
    planner_api: Api, variables: dict[str, Any], code: str
) -> None:
    result = plan(planner_api, **variables)
    assert result["edges"] == []
    assert result["routingErrors"][0]["code"] == code
    assert "origin" in result["routingErrors"][0]["description"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        pytest.param(
            {"when": {"earliestDeparture": "2026-11-30T08:30:00"}}, "has no timezone", id="naive"
        ),
        pytest.param(
            {
                "when": {
                    "earliestDeparture": (
                        dt.datetime.now(PARIS) + dt.timedelta(days=400)
                    ).isoformat()
                }
            },
            "days from now",
            id="far-future",
        ),
        pytest.param({"destination": ORIGIN}, "same place", id="same-place"),
        pytest.param(
            {
                "modes": {
                    "includeServices": ["TW9iaWxpdHlTZXJ2aWNlOjE="],
                    "excludeServices": ["TW9iaWxpdHlTZXJ2aWNlOjE="],
                }
            },
            "both required and excluded",
            id="conflict",
        ),
    ],
)
def test_bad_requests_are_user_errors(
    planner_api: Api, variables: dict[str, Any], message: str
) -> None:
    base = {
        "origin": ORIGIN,
        "destination": DESTINATION,
        "when": {"earliestDeparture": MONDAY_MORNING},
    }
    error = planner_api.error(PLAN, {**base, **variables})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


def test_place_search_and_street_map(planner_api: Api, partners: Partners) -> None:
    service = create_service(planner_api, partners.a, name="Vélos")
    planner_api.ok(STATIONS, {"id": service["id"]}, key=partners.a)
    planner_api.ok(
        "mutation($id: ID!) { publishService(id: $id) { status } }",
        {"id": service["id"]},
        key=partners.a,
    )
    places = planner_api.ok('{ placeSearch(text: "stalingrad") { label kind lat lon stationId } }')[
        "placeSearch"
    ]
    kinds = {p["kind"] for p in places}
    assert {"STREET", "STATION"} <= kinds
    assert any(p["label"] == "Quai de la Bataille de Stalingrad" for p in places)
    accents = planner_api.ok('{ placeSearch(text: "general") { label } }')["placeSearch"]
    assert all("Général" in p["label"] or "General" in p["label"] for p in accents)
    drawn = planner_api.ok("{ streetMap(bbox: [2.24, 48.81, 2.25, 48.82]) }")["streetMap"]
    assert drawn["type"] == "FeatureCollection" and drawn["features"]
    assert "OpenStreetMap" in drawn["attribution"]
    bad = planner_api.error("{ streetMap(bbox: [2.25, 48.81, 2.24, 48.82]) }")
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"


def test_without_streets_every_answer_names_the_fix(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        error = api.error(PLAN, {"origin": ORIGIN, "destination": DESTINATION})
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert "--streets PATH" in error["message"]
        assert client.get("/healthz").json()["streets"] is False


def test_min_service_rating_filters_by_residents_reviews(
    planner_api: Api, partners: Partners
) -> None:
    service = create_service(planner_api, partners.a, name="Vélos")
    planner_api.ok(STATIONS, {"id": service["id"]}, key=partners.a)
    planner_api.ok(
        AVAILABILITY, {"id": service["id"], "bikes": 5, "at": REPORTED_AT}, key=partners.a
    )
    planner_api.ok(
        "mutation($id: ID!) { publishService(id: $id) { status } }",
        {"id": service["id"]},
        key=partners.a,
    )
    token = sign_up_and_confirm(planner_api, "lea@example.org", name="Léa")["token"]
    planner_api.ok(
        'mutation($id: ID!) { reviewService(serviceId: $id, rating: 2, text: "vide") { id } }',
        {"id": service["id"]},
        key=token,
    )
    strict = plan(planner_api, preferences={"minServiceRating": 4})
    assert bike_share_legs(strict) == []
    lenient = plan(planner_api, preferences={"minServiceRating": 2})
    assert len(bike_share_legs(lenient)) == 1
    error = planner_api.error(
        PLAN, {"origin": ORIGIN, "destination": DESTINATION, "preferences": {"minServiceRating": 9}}
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_car_legs_follow_the_congested_times_of_the_trips_period(
    planner_api: Api, partners: Partners
) -> None:
    def car_duration_s(when: str) -> float:
        result = plan(planner_api, modes={"direct": ["CAR"]}, when={"earliestDeparture": when})
        duration_s: float = next(e["node"]["durationS"] for e in result["edges"])
        return duration_s

    midday = MONDAY_MORNING.replace("T08:30", "T13:00")
    free_morning, free_midday = car_duration_s(MONDAY_MORNING), car_duration_s(midday)
    assert free_morning == pytest.approx(free_midday)

    # The city's planners assign the morning peak: 1,800 veh/h from Bas-Meudon to west Issy.
    planner_api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=partners.city)
    run = finished_run(
        planner_api, {"period": "morning_peak", "source": "IMPORTED"}, key=partners.city
    )
    assert run["converged"]

    congested = car_duration_s(MONDAY_MORNING)
    assert congested > free_morning * 1.05  # the same trip now meets the morning's hotspots
    assert car_duration_s(midday) == pytest.approx(free_midday)  # no run for the off-peak


def _square(lon: float, lat: float, half_deg: float) -> dict[str, Any]:
    ring = [
        [lon - half_deg, lat - half_deg],
        [lon + half_deg, lat - half_deg],
        [lon + half_deg, lat + half_deg],
        [lon - half_deg, lat + half_deg],
        [lon - half_deg, lat - half_deg],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_free_floating_rides_end_outside_published_no_parking(
    planner_api: Api, partners: Partners
) -> None:
    import shapely
    from shapely.geometry import shape

    no_parking = _square(2.2520, 48.8240, 0.0015)  # around the destination
    service = create_service(
        planner_api,
        partners.b,
        kind="SCOOTER_SHARE",
        name="Trottinettes",
        serviceArea=_square(2.2470, 48.8195, 0.02),
        noParkingArea=no_parking,
    )
    planner_api.ok(
        "mutation($id: ID!) { publishService(id: $id) { status } }",
        {"id": service["id"]},
        key=partners.b,
    )
    result = plan(planner_api, modes={"direct": ["WALK"], "services": ["SCOOTER_SHARE"]})
    trips = [
        e["node"]["legs"]
        for e in result["edges"]
        if any(leg["mode"] == "SCOOTER_SHARE" for leg in e["node"]["legs"])
    ]
    assert trips, result["routingErrors"]
    ride = next(leg for leg in trips[0] if leg["mode"] == "SCOOTER_SHARE")
    end = shapely.Point(ride["geojson"]["coordinates"][-1])
    assert not shape(no_parking).contains(end)
    assert trips[0][-1]["mode"] == "WALK"  # the last stretch out of the no-parking area


PLACE_VEHICLES = """
mutation($id: ID!, $vehicles: [FreeVehicleInput!]!) {
  placeVehicles(serviceId: $id, vehicles: $vehicles) { created }
}
"""


def test_a_placed_scooter_is_where_the_next_plan_picks_one_up(
    planner_api: Api, partners: Partners
) -> None:
    service = create_service(
        planner_api,
        partners.b,
        kind="SCOOTER_SHARE",
        name="Trottinettes",
        serviceArea=_square(2.2470, 48.8195, 0.02),
    )
    planner_api.ok(
        "mutation($id: ID!) { publishService(id: $id) { status } }",
        {"id": service["id"]},
        key=partners.b,
    )
    scooters = {"modes": {"direct": ["WALK"], "services": ["SCOOTER_SHARE"]}}
    # A short walk from the origin (48.8150, 2.2420), reserved for now.
    vehicle = {"externalId": "T-7", "lat": 48.8163, "lon": 2.2431, "isReserved": True}
    planner_api.ok(PLACE_VEHICLES, {"id": service["id"], "vehicles": [vehicle]}, key=partners.b)
    refused = plan(planner_api, **scooters)
    assert [e["code"] for e in refused["routingErrors"]] == ["NO_SERVICE_AVAILABLE"]
    assert "no vehicle within walking distance" in refused["routingErrors"][0]["description"]
    vehicle["isReserved"] = False
    planner_api.ok(PLACE_VEHICLES, {"id": service["id"], "vehicles": [vehicle]}, key=partners.b)
    result = plan(planner_api, **scooters)
    rides = [
        leg
        for edge in result["edges"]
        for leg in edge["node"]["legs"]
        if leg["mode"] == "SCOOTER_SHARE"
    ]
    assert rides, result["routingErrors"]
    assert rides[0]["from"]["name"] == "Trottinettes T-7"
    start = rides[0]["geojson"]["coordinates"][0]
    assert abs(start[0] - 2.2431) < 0.001 and abs(start[1] - 48.8163) < 0.001


UNPRICED_STATIONS = STATIONS.split("  setPricingPlan")[0] + "}\n"
FREE_PLAN = """
mutation($id: ID!) {
  setPricingPlan(serviceId: $id, plan: {externalId: "free", name: "Gratuit", currency: "EUR",
                 unlockFeeMinor: 0, perMinuteMinor: 0}) { currency }
}
"""
# The real Vélib' snapshot's last_reported (shared data, bikeshare/), in Paris time.
VELIB_SNAPSHOT = "2025-10-18T11:09:00+02:00"


def publish_bikes(api: Api, partners: Partners, *, priced: str | None, at: str) -> None:
    service = create_service(api, partners.a, name="Vélos Bas-Meudon")
    api.ok(UNPRICED_STATIONS, {"id": service["id"]}, key=partners.a)
    if priced is not None:
        api.ok(priced, {"id": service["id"]}, key=partners.a)
    api.ok(AVAILABILITY, {"id": service["id"], "bikes": 5, "at": at}, key=partners.a)
    api.ok(
        "mutation($id: ID!) { publishService(id: $id) { status } }",
        {"id": service["id"]},
        key=partners.a,
    )


def bike_share_trip(result: dict[str, Any]) -> dict[str, Any]:
    return next(
        edge["node"]
        for edge in result["edges"]
        if any(leg["mode"] == "BIKE_SHARE" for leg in edge["node"]["legs"])
    )


def test_no_published_price_is_unknown_and_old_counts_are_as_of_their_time(
    planner_api: Api, partners: Partners
) -> None:
    publish_bikes(planner_api, partners, priced=None, at=VELIB_SNAPSHOT)
    result = plan(planner_api, modes={"direct": ["WALK", "CAR"], "services": ["BIKE_SHARE"]})
    trip = bike_share_trip(result)
    ride = trip["legs"][1]
    assert ride["mode"] == "BIKE_SHARE" and ride["priceMinor"] is None
    assert trip["priceMinor"] is None and trip["unpricedLegs"] == [1]
    # No amount, no currency: nothing for a client to show as "EUR" alone.
    assert trip["currency"] is None and ride["currency"] is None
    assert trip["legs"][0]["priceMinor"] == 0  # walking costs nothing
    assert ride["from"]["vehiclesAvailable"] == 5
    assert ride["from"]["isRealtime"] is False
    assert dt.datetime.fromisoformat(ride["from"]["reportedAt"]) == dt.datetime.fromisoformat(
        VELIB_SNAPSHOT
    )
    car = next(e["node"] for e in result["edges"] if e["node"]["legs"][0]["mode"] == "CAR")
    assert car["priceMinor"] is None and car["legs"][0]["priceMinor"] is None


def test_a_published_free_plan_costs_zero_and_fresh_counts_are_live(
    planner_api: Api, partners: Partners
) -> None:
    # Reported just now (REPORTED_AT is from collection time, minutes before a long run).
    just_now = dt.datetime.now(dt.UTC).isoformat()
    publish_bikes(planner_api, partners, priced=FREE_PLAN, at=just_now)
    trip = bike_share_trip(plan(planner_api, modes={"services": ["BIKE_SHARE"]}))
    assert trip["legs"][1]["priceMinor"] == 0 and trip["priceMinor"] == 0
    assert trip["unpricedLegs"] == []
    assert trip["legs"][1]["from"]["isRealtime"] is True


def test_asked_kind_with_nothing_published_says_so(planner_api: Api) -> None:
    result = plan(planner_api, modes={"direct": ["WALK"], "services": ["PUBLIC_TRANSPORT"]})
    [error] = [e for e in result["routingErrors"] if e["code"] == "NO_SERVICE_PUBLISHED"]
    assert error["mode"] == "PUBLIC_TRANSPORT" and error["inputField"] == "modes"
    assert "timetable" in error["description"]
    assert result["warnings"] == []  # tagged OSM: the street data lacks nothing it warns of
