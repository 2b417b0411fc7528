"""Free-floating vehicles through the API: placed inside the zone, never where parking is
forbidden, moved and removed by their ids, imported from GBFS vehicle_status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.marketplace.helpers import Api, Partners, create_service

PLACE = """
mutation($id: ID!, $vehicles: [FreeVehicleInput!]!) {
  placeVehicles(serviceId: $id, vehicles: $vehicles) {
    created updated vehicles { externalId lat lon batteryPct isReserved }
  }
}
"""
REMOVE = """
mutation($id: ID!, $ids: [String!]!) {
  removeVehicles(serviceId: $id, externalIds: $ids) { removed service { vehicles { externalId } } }
}
"""
VEHICLES = "query($id: ID!) { service(id: $id) { vehicles { externalId lat lon batteryPct } } }"
# Inside the helper's zone (ISSY_SQUARE, around the Mairie), a corner forbidden for parking.
NO_PARKING = {
    "type": "Polygon",
    "coordinates": [
        [[2.262, 48.820], [2.266, 48.820], [2.266, 48.823], [2.262, 48.823], [2.262, 48.820]]
    ],
}
INSIDE = {"lat": 48.8245, "lon": 2.2700}
IN_NO_PARKING = {"lat": 48.8215, "lon": 2.2640}
OUTSIDE = {"lat": 48.8150, "lon": 2.2420}  # Bas-Meudon: within reach of Issy, not the zone


def scooters(api: Api, key: str) -> str:
    service = create_service(
        api, key, kind="SCOOTER_SHARE", name="Trottinettes Mairie", noParkingArea=NO_PARKING
    )
    service_id: str = service["id"]
    return service_id


def vehicles(api: Api, service_id: str, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.ok(VEHICLES, {"id": service_id}, key=key)["service"][
        "vehicles"
    ]
    return found


def test_vehicles_are_placed_moved_and_removed_by_their_ids(api: Api, partners: Partners) -> None:
    service_id = scooters(api, partners.b)
    placed = api.ok(
        PLACE,
        {
            "id": service_id,
            "vehicles": [
                {"externalId": "T-1", **INSIDE, "batteryPct": 80},
                {"externalId": "T-2", "lat": 48.8260, "lon": 2.2720, "isReserved": True},
            ],
        },
        key=partners.b,
    )["placeVehicles"]
    assert (placed["created"], placed["updated"]) == (2, 0)
    assert [v["externalId"] for v in placed["vehicles"]] == ["T-1", "T-2"]
    moved = api.ok(
        PLACE,
        {"id": service_id, "vehicles": [{"externalId": "T-1", "lat": 48.8250, "lon": 2.2710}]},
        key=partners.b,
    )["placeVehicles"]
    assert (moved["created"], moved["updated"]) == (0, 1)
    by_id = {v["externalId"]: v for v in vehicles(api, service_id, partners.b)}
    assert (by_id["T-1"]["lat"], by_id["T-1"]["lon"]) == (48.8250, 2.2710)
    assert by_id["T-1"]["batteryPct"] is None  # a move says the whole state again
    removed = api.ok(REMOVE, {"id": service_id, "ids": ["T-2"]}, key=partners.b)
    assert removed["removeVehicles"]["removed"] == 1
    assert removed["removeVehicles"]["service"]["vehicles"] == [{"externalId": "T-1"}]


def test_a_vehicle_outside_the_zone_or_where_parking_is_forbidden_writes_nothing(
    api: Api, partners: Partners
) -> None:
    service_id = scooters(api, partners.b)
    body = api.post(
        PLACE,
        {
            "id": service_id,
            "vehicles": [
                {"externalId": "ok", **INSIDE},
                {"externalId": "far", **OUTSIDE},
                {"externalId": "banned", **IN_NO_PARKING},
                {"externalId": "flat", **INSIDE, "batteryPct": 140},
            ],
        },
        key=partners.b,
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    problems = error["extensions"]["problems"]
    assert any("vehicles[1]" in p and "outside the service zone" in p for p in problems)
    assert any("vehicles[2]" in p and "no-parking area" in p for p in problems)
    assert any("vehicles[3].batteryPct is 140" in p for p in problems)
    assert not any("vehicles[0]" in p for p in problems)
    assert vehicles(api, service_id, partners.b) == []  # the good row was not written either


def test_vehicles_belong_to_free_floating_services_with_a_zone(
    api: Api, partners: Partners
) -> None:
    parking = create_service(api, partners.b, kind="PARKING", name="Parking Mairie")
    body = api.post(
        PLACE, {"id": parking["id"], "vehicles": [{"externalId": "x", **INSIDE}]}, key=partners.b
    )
    assert "free-floating services of kind" in body["errors"][0]["message"]
    zoneless = create_service(
        api, partners.b, kind="SCOOTER_SHARE", name="Sans zone", serviceArea=None
    )
    body = api.post(
        PLACE, {"id": zoneless["id"], "vehicles": [{"externalId": "x", **INSIDE}]}, key=partners.b
    )
    assert "no service zone yet" in body["errors"][0]["message"]


def test_only_the_owner_places_and_unknown_ids_are_not_removed(
    api: Api, partners: Partners
) -> None:
    service_id = scooters(api, partners.b)
    body = api.post(
        PLACE, {"id": service_id, "vehicles": [{"externalId": "x", **INSIDE}]}, key=partners.a
    )
    # Another partner's draft is not even visible to them.
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    api.ok(PLACE, {"id": service_id, "vehicles": [{"externalId": "x", **INSIDE}]}, key=partners.b)
    body = api.post(REMOVE, {"id": service_id, "ids": ["x", "ghost"]}, key=partners.b)
    assert "no vehicle 'ghost'" in body["errors"][0]["message"]
    assert [v["externalId"] for v in vehicles(api, service_id, partners.b)] == ["x"]


IMPORT_GBFS = """
mutation($id: ID!, $feeds: JSON!) {
  importGbfs(serviceId: $id, feeds: $feeds) {
    counts { feed created updated } skipped { feed id reason }
  }
}
"""


def test_gbfs_vehicle_status_places_the_vehicles_that_stand_where_rides_may_end(
    api: Api, partners: Partners
) -> None:
    service_id = scooters(api, partners.b)
    reported = int((dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)).timestamp())
    feed = {
        "last_updated": reported,
        "ttl": 60,
        "version": "2.3",
        "data": {
            "bikes": [
                {
                    "bike_id": "g1",
                    **INSIDE,
                    "current_fuel_percent": 0.55,
                    "last_reported": reported,
                },
                {"bike_id": "g2", **IN_NO_PARKING, "last_reported": reported},
                {"bike_id": "g3", "is_reserved": True},
            ]
        },
    }
    report = api.ok(
        IMPORT_GBFS, {"id": service_id, "feeds": {"free_bike_status": feed}}, key=partners.b
    )["importGbfs"]
    assert {"feed": "free_bike_status", "created": 1, "updated": 0} in report["counts"]
    reasons = {row["id"]: row["reason"] for row in report["skipped"]}
    assert "no-parking area" in reasons["g2"]
    assert "lat/lon missing" in reasons["g3"]
    assert vehicles(api, service_id, partners.b) == [
        {"externalId": "g1", "lat": INSIDE["lat"], "lon": INSIDE["lon"], "batteryPct": 55}
    ]
