"""Stations, batch availability (all or nothing), stations near a point, prices, vehicles."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import func, select

from marketplace.models import StationAvailability
from tests.marketplace.helpers import Api, Partners, published_service

UPSERT = """mutation($id: ID!, $s: [StationInput!]!) {
  upsertStations(serviceId: $id, stations: $s) {
    created updated service { stations { externalId name capacity } } } }"""
AVAILABILITY = """mutation($id: ID!, $a: [AvailabilityInput!]!) {
  updateAvailability(serviceId: $id, availability: $a) { created updated } }"""
STATIONS = """query($id: ID!) { service(id: $id) { stations {
  externalId availability { vehiclesAvailable docksAvailable isRenting } } } }"""


def grid(n: int) -> list[dict[str, Any]]:
    """``n`` stations on a grid over Issy (about 25 m apart)."""
    return [
        {
            "externalId": f"st-{i:04d}",
            "name": f"Station {i}",
            "lat": 48.815 + (i // 25) * 0.0002,
            "lon": 2.255 + (i % 25) * 0.0003,
            "capacity": 20,
        }
        for i in range(n)
    ]


def count_availability(api: Api) -> int:
    count: int = api.db.call(
        lambda s: s.exec(select(func.count()).select_from(StationAvailability)).one()
    )
    return count


@pytest.fixture
def service(api: Api, partners: Partners) -> dict[str, Any]:
    return published_service(api, partners.a)


def test_upsert_creates_then_updates_by_external_id(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    first = api.ok(UPSERT, {"id": service["id"], "s": grid(3)}, key=partners.a)["upsertStations"]
    assert (first["created"], first["updated"]) == (3, 0)
    changed = [*grid(3)[1:], grid(4)[3]]
    changed[0]["name"] = "Renamed"
    second = api.ok(UPSERT, {"id": service["id"], "s": changed}, key=partners.a)
    result = second["upsertStations"]
    assert (result["created"], result["updated"]) == (1, 2)
    stations = result["service"]["stations"]
    assert [s["externalId"] for s in stations] == ["st-0000", "st-0001", "st-0002", "st-0003"]
    assert stations[1]["name"] == "Renamed"


def test_availability_batch_of_500_in_one_call(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    api.ok(UPSERT, {"id": service["id"], "s": grid(500)}, key=partners.a)
    rows = [
        {"stationExternalId": f"st-{i:04d}", "vehiclesAvailable": i % 20, "docksAvailable": 3}
        for i in range(500)
    ]
    result = api.ok(AVAILABILITY, {"id": service["id"], "a": rows}, key=partners.a)
    assert result["updateAvailability"] == {"created": 500, "updated": 0}
    rows[7]["vehiclesAvailable"] = 19
    again = api.ok(AVAILABILITY, {"id": service["id"], "a": rows}, key=partners.a)
    assert again["updateAvailability"] == {"created": 0, "updated": 500}
    stations = api.ok(STATIONS, {"id": service["id"]})["service"]["stations"]
    assert stations[7]["availability"] == {
        "vehiclesAvailable": 19,
        "docksAvailable": 3,
        "isRenting": True,
    }
    assert count_availability(api) == 500


def test_one_bad_row_and_nothing_is_written(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    api.ok(UPSERT, {"id": service["id"], "s": grid(300)}, key=partners.a)
    rows = [{"stationExternalId": f"st-{i:04d}", "vehiclesAvailable": 1} for i in range(300)]
    rows[250]["docksAvailable"] = -2
    rows[299]["stationExternalId"] = "ghost"
    error = api.error(AVAILABILITY, {"id": service["id"], "a": rows}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "2 problem(s)" in error["message"]
    assert "nothing was written" in error["message"]
    assert "availability[250].docksAvailable is -2" in error["message"]
    assert "'ghost' is not a station" in error["message"]
    assert count_availability(api) == 0


def test_negative_capacity_rejects_the_whole_station_batch(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    stations = grid(5)
    stations[3]["capacity"] = -1
    error = api.error(UPSERT, {"id": service["id"], "s": stations}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "stations[3].capacity is -1; accepted: 0 to 10000" in error["message"]
    assert api.ok(STATIONS, {"id": service["id"]})["service"]["stations"] == []


def test_a_capacity_beyond_any_station_is_refused(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    stations = grid(2)
    stations[1]["capacity"] = 2_000_000_000
    error = api.error(UPSERT, {"id": service["id"], "s": stations}, key=partners.a)
    assert "stations[1].capacity is 2000000000; accepted: 0 to 10000" in error["message"]
    assert api.ok(STATIONS, {"id": service["id"]})["service"]["stations"] == []


def test_more_vehicles_than_places_is_refused_and_nothing_written(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    stations = grid(3)
    stations[0]["capacity"] = 10
    del stations[2]["capacity"]  # unknown capacity: only the general bound applies
    api.ok(UPSERT, {"id": service["id"], "s": stations}, key=partners.a)
    rows = [
        {"stationExternalId": "st-0000", "vehiclesAvailable": 500},
        {"stationExternalId": "st-0001", "vehiclesAvailable": 5, "docksAvailable": 21},
        {"stationExternalId": "st-0002", "vehiclesAvailable": 10_001},
    ]
    error = api.error(AVAILABILITY, {"id": service["id"], "a": rows}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    too_many = "availability[0].vehiclesAvailable is 500; the station has 10 places; accepted"
    assert f"{too_many}: 0 to 2 times that" in error["message"]
    assert "availability[1].docksAvailable is 21; the station has 20 places" in error["message"]
    assert "availability[2].vehiclesAvailable is 10001; accepted: 0 to 10000" in error["message"]
    assert count_availability(api) == 0
    # Bikes parked beyond the docks, as Vélib' reports them at busy stations.
    rows = [{"stationExternalId": "st-0000", "vehiclesAvailable": 20, "docksAvailable": 0}]
    api.ok(AVAILABILITY, {"id": service["id"], "a": rows}, key=partners.a)
    assert count_availability(api) == 1


def test_station_far_from_issy_is_rejected(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    stations = grid(1)
    stations[0].update(lat=45.764, lon=4.8357)  # Lyon
    error = api.error(UPSERT, {"id": service["id"], "s": stations}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "km from Issy" in error["message"]


def test_batch_size_limit(api: Api, partners: Partners, service: dict[str, Any]) -> None:
    error = api.error(UPSERT, {"id": service["id"], "s": []}, key=partners.a)
    assert "send between 1 and 1000 per call" in error["message"]


def test_stations_near(api: Api, partners: Partners, service: dict[str, Any]) -> None:
    api.ok(UPSERT, {"id": service["id"], "s": grid(50)}, key=partners.a)
    query = """query($lat: Float!, $lon: Float!, $r: Float!, $first: Int) {
      stationsNear(lat: $lat, lon: $lon, radiusM: $r, first: $first) {
        distanceM station { externalId service { name } } } }"""
    hits = api.ok(query, {"lat": 48.815, "lon": 2.255, "r": 60, "first": 5})["stationsNear"]
    assert hits[0]["station"]["externalId"] == "st-0000"
    assert hits[0]["distanceM"] == 0
    assert hits[0]["station"]["service"]["name"] == "Issy Vélo"
    assert all(h["distanceM"] <= 60 for h in hits)
    assert [h["distanceM"] for h in hits] == sorted(h["distanceM"] for h in hits)
    error = api.error(query, {"lat": 48.815, "lon": 2.255, "r": 50_000})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "radiusM 50000" in error["message"]


def test_stations_of_unpublished_services_are_not_near_anything(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    api.ok(UPSERT, {"id": service["id"], "s": grid(3)}, key=partners.a)
    api.ok(
        "mutation($id: ID!) { suspendService(id: $id) { id } }",
        {"id": service["id"]},
        key=partners.a,
    )
    query = "{ stationsNear(lat: 48.815, lon: 2.255, radiusM: 500) { distanceM } }"
    assert api.ok(query)["stationsNear"] == []


PRICING = """mutation($id: ID!, $p: PricingPlanInput!) {
  setPricingPlan(serviceId: $id, plan: $p) {
    externalId currency unlockFeeMinor perMinuteMinor dailyCapMinor } }"""


def test_pricing_plan_set_and_replaced(
    api: Api, partners: Partners, service: dict[str, Any]
) -> None:
    plan = {"externalId": "std", "name": "Standard", "currency": "eur", "unlockFeeMinor": 100}
    result = api.ok(
        PRICING, {"id": service["id"], "p": {**plan, "perMinuteMinor": 5}}, key=partners.a
    )
    assert result["setPricingPlan"]["currency"] == "EUR"
    api.ok(PRICING, {"id": service["id"], "p": {**plan, "dailyCapMinor": 1500}}, key=partners.a)
    plans = api.ok(
        """query($id: ID!) { service(id: $id) {
             pricingPlans { externalId perMinuteMinor dailyCapMinor } } }""",
        {"id": service["id"]},
    )["service"]["pricingPlans"]
    assert plans == [{"externalId": "std", "perMinuteMinor": 0, "dailyCapMinor": 1500}]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        pytest.param({"currency": "EURO"}, "'EURO' is not an ISO 4217 currency", id="currency"),
        pytest.param({"perKmMinor": -5}, "perKmMinor is -5", id="negative"),
        pytest.param({"dailyCapMinor": 50}, "below unlockFeeMinor 100", id="cap"),
    ],
)
def test_bad_pricing_plan(
    api: Api, partners: Partners, service: dict[str, Any], change: dict[str, Any], fragment: str
) -> None:
    plan = {"externalId": "std", "name": "Standard", "currency": "EUR", "unlockFeeMinor": 100}
    error = api.error(PRICING, {"id": service["id"], "p": {**plan, **change}}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]


def test_vehicle_types(api: Api, partners: Partners, service: dict[str, Any]) -> None:
    mutation = """mutation($id: ID!, $v: [VehicleTypeInput!]!) {
      setVehicleTypes(serviceId: $id, vehicleTypes: $v) {
        externalId formFactor propulsion maxRangeM } }"""
    rows = [
        {"externalId": "bike", "formFactor": "BICYCLE", "propulsion": "HUMAN"},
        {
            "externalId": "ebike",
            "formFactor": "BICYCLE",
            "propulsion": "ELECTRIC_ASSIST",
            "maxRangeM": 60000,
        },
    ]
    result = api.ok(mutation, {"id": service["id"], "v": rows}, key=partners.a)
    assert [v["externalId"] for v in result["setVehicleTypes"]] == ["bike", "ebike"]
    types = api.ok(
        "query($id: ID!) { service(id: $id) { vehicleTypes { externalId maxRangeM } } }",
        {"id": service["id"]},
    )["service"]["vehicleTypes"]
    assert types == [
        {"externalId": "bike", "maxRangeM": None},
        {"externalId": "ebike", "maxRangeM": 60000},
    ]
