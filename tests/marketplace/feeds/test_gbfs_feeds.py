"""The GBFS 3.0 view of published bike and scooter shares."""

from __future__ import annotations

from typing import Any

from tests.marketplace.helpers import Api, Partners, create_service, published_service

SETUP = """mutation($id: ID!) {
  upsertStations(serviceId: $id, stations: [
    {externalId: "21309", name: "Mairie d'Issy", lat: 48.8245, lon: 2.2735, capacity: 41},
    {externalId: "21311", name: "Parvis Corentin Celton", lat: 48.8270, lon: 2.2790}]) { created }
  updateAvailability(serviceId: $id, availability: [
    {stationExternalId: "21309", vehiclesAvailable: 7, docksAvailable: 30,
     reportedAt: "2025-10-18T09:00:00Z"}]) { created }
  setVehicleTypes(serviceId: $id, vehicleTypes: [
    {externalId: "ebike", formFactor: BICYCLE, propulsion: ELECTRIC_ASSIST, maxRangeM: 50000,
     name: "Vélo électrique"}]) { externalId }
  setPricingPlan(serviceId: $id, plan: {externalId: "v", name: "Ticket-V", currency: "EUR",
    unlockFeeMinor: 300, perMinuteMinor: 5}) { currency }
}"""


def get(api: Api, path: str) -> Any:
    response = api.client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def test_published_bike_share_has_gbfs_feeds(api: Api, partners: Partners) -> None:
    service = published_service(
        api,
        partners.a,
        openingHours=[{"day": "MONDAY", "opens": "06:00", "closes": "24:00"}],
    )
    api.ok(SETUP, {"id": service["id"]}, key=partners.a)
    discovery = get(api, f"/gbfs/{service['id']}/gbfs.json")
    assert discovery["version"] == "3.0"
    feeds = {feed["name"]: feed["url"] for feed in discovery["data"]["feeds"]}
    assert set(feeds) == {
        "system_information",
        "station_information",
        "station_status",
        "vehicle_types",
        "system_pricing_plans",
    }
    documents = {
        name: get(api, url.removeprefix("http://testserver")) for name, url in feeds.items()
    }

    system = documents["system_information"]["data"]
    assert system["name"] == [{"text": "Issy Vélo", "language": "fr"}]
    assert system["opening_hours"] == "Mo 06:00-24:00"
    assert system["timezone"] == "Europe/Paris"
    stations = documents["station_information"]["data"]["stations"]
    assert stations[0] == {
        "station_id": "21309",
        "name": [{"text": "Mairie d'Issy", "language": "fr"}],
        "lat": 48.8245,
        "lon": 2.2735,
        "capacity": 41,
    }
    status = {s["station_id"]: s for s in documents["station_status"]["data"]["stations"]}
    assert status["21309"]["num_vehicles_available"] == 7
    assert status["21309"]["num_docks_available"] == 30
    assert status["21309"]["last_reported"] == "2025-10-18T09:00:00Z"
    assert status["21311"]["is_renting"] is False  # never reported
    vehicle = documents["vehicle_types"]["data"]["vehicle_types"][0]
    assert vehicle["propulsion_type"] == "electric_assist"
    assert vehicle["max_range_meters"] == 50000
    plan = documents["system_pricing_plans"]["data"]["plans"][0]
    assert (plan["currency"], plan["price"]) == ("EUR", 3.0)
    assert plan["per_min_pricing"] == [{"start": 0, "rate": 0.05, "interval": 1}]


def test_no_gbfs_for_drafts_other_kinds_or_unknown_feeds(api: Api, partners: Partners) -> None:
    draft = create_service(api, partners.a)
    parking = published_service(api, partners.a, kind="PARKING")
    bikes = published_service(api, partners.a)
    for path in (
        f"/gbfs/{draft['id']}/gbfs.json",
        f"/gbfs/{parking['id']}/gbfs.json",
        f"/gbfs/{bikes['id']}/free_bike_status.json",
        "/gbfs/nonsense/gbfs.json",
        "/gbfs/9999/gbfs.json",
    ):
        response = api.client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]
