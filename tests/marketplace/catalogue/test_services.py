"""Creating, publishing, updating and finding services through the GraphQL API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.marketplace.helpers import (
    ISSY_SQUARE,
    PUBLISH,
    Api,
    Partners,
    create_service,
    published_service,
)

SERVICES = """
query($filter: ServiceFilterInput, $first: Int, $after: String) {
  services(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    edges { cursor node { id name kind status operator { name kind } } }
  }
}
"""
UPDATE = """
mutation($id: ID!, $v: Int!, $input: UpdateServiceInput!) {
  updateService(id: $id, expectedVersion: $v, input: $input) { id name description version }
}
"""


def names(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in data["services"]["edges"]]


def test_created_service_is_a_draft_then_listed_once_published(
    api: Api, partners: Partners
) -> None:
    service = create_service(api, partners.a, description="Vélos en libre service")
    assert service["status"] == "DRAFT"
    assert service["version"] == 1
    assert api.ok(SERVICES)["services"]["totalCount"] == 0

    published = api.ok(PUBLISH, {"id": service["id"]}, key=partners.a)["publishService"]
    assert published == {"id": service["id"], "status": "PUBLISHED", "version": 2}
    data = api.ok(SERVICES)
    assert data["services"]["totalCount"] == 1
    node = data["services"]["edges"][0]["node"]
    assert node["name"] == "Issy Vélo"
    assert node["operator"] == {"name": "Alpha Bikes", "kind": "STARTUP"}


def test_service_fields_round_trip(api: Api, partners: Partners) -> None:
    service = create_service(
        api,
        partners.a,
        website="https://alpha.example",
        bookingUrl="https://alpha.example/book",
        openingHours=[
            {"day": "monday", "opens": "07:00", "closes": "21:30"},
            {"day": "SUNDAY", "opens": "09:00", "closes": "24:00"},
        ],
        wheelchairAccessible=True,
        co2GPerKm=12.5,
    )
    data = api.ok(
        """query($id: ID!) { service(id: $id) {
             serviceArea openingHours { day opens closes } website bookingUrl
             wheelchairAccessible co2GPerKm statusChangedBy { name } } }""",
        {"id": service["id"]},
        key=partners.a,
    )["service"]
    assert data["serviceArea"] == ISSY_SQUARE
    assert data["openingHours"] == [
        {"day": "MONDAY", "opens": "07:00", "closes": "21:30"},
        {"day": "SUNDAY", "opens": "09:00", "closes": "24:00"},
    ]
    assert data["wheelchairAccessible"] is True
    assert data["co2GPerKm"] == 12.5
    assert data["statusChangedBy"] == {"name": "Alpha Bikes"}


def test_update_with_current_version_applies_and_bumps_it(api: Api, partners: Partners) -> None:
    service = create_service(api, partners.a)
    updated = api.ok(
        UPDATE,
        {"id": service["id"], "v": 1, "input": {"name": "Issy Vélo+", "description": "new"}},
        key=partners.a,
    )["updateService"]
    assert updated["name"] == "Issy Vélo+"
    assert updated["version"] == 2


def test_update_with_stale_version_is_a_conflict_and_changes_nothing(
    api: Api, partners: Partners
) -> None:
    service = create_service(api, partners.a)
    api.ok(UPDATE, {"id": service["id"], "v": 1, "input": {"name": "First"}}, key=partners.a)
    error = api.error(
        UPDATE, {"id": service["id"], "v": 1, "input": {"description": "late"}}, key=partners.a
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["currentVersion"] == 2
    assert "version 2, not 1" in error["message"]
    current = api.ok(
        "query($id: ID!) { service(id: $id) { name description version } }",
        {"id": service["id"]},
        key=partners.a,
    )["service"]
    assert current == {"name": "First", "description": "", "version": 2}


def test_lifecycle_transitions(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    suspend = "mutation($id: ID!) { suspendService(id: $id) { status } }"
    retire = "mutation($id: ID!) { retireService(id: $id) { status } }"
    assert api.ok(suspend, {"id": service["id"]}, key=partners.a)["suspendService"]["status"] == (
        "SUSPENDED"
    )
    assert api.ok(PUBLISH, {"id": service["id"]}, key=partners.a)["publishService"]["status"] == (
        "PUBLISHED"
    )
    assert api.ok(retire, {"id": service["id"]}, key=partners.a)["retireService"]["status"] == (
        "RETIRED"
    )
    error = api.error(PUBLISH, {"id": service["id"]}, key=partners.a)
    assert error["extensions"]["code"] == "CONFLICT"
    assert "RETIRED" in error["message"]
    error = api.error(UPDATE, {"id": service["id"], "v": 4, "input": {"name": "x"}}, key=partners.a)
    assert error["extensions"]["code"] == "CONFLICT"


def test_publishing_twice_is_a_conflict(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    error = api.error(PUBLISH, {"id": service["id"]}, key=partners.a)
    assert error["extensions"]["code"] == "CONFLICT"
    assert "PUBLISHED" in error["message"]


def test_status_change_with_expected_version(api: Api, partners: Partners) -> None:
    service = create_service(api, partners.a)
    mutation = (
        "mutation($id: ID!, $v: Int) { publishService(id: $id, expectedVersion: $v) { version } }"
    )
    error = api.error(mutation, {"id": service["id"], "v": 7}, key=partners.a)
    assert error["extensions"]["code"] == "CONFLICT"
    assert api.ok(mutation, {"id": service["id"], "v": 1}, key=partners.a)["publishService"] == {
        "version": 2
    }


def test_filters(api: Api, partners: Partners) -> None:
    published_service(api, partners.a, name="Vélo Alpha", wheelchairAccessible=False)
    published_service(
        api,
        partners.b,
        kind="SCOOTER_SHARE",
        name="Trott Beta",
        description="Trottinettes électriques",
        serviceArea=None,
    )
    published_service(
        api, partners.b, kind="PARKING", name="Parking Mairie", wheelchairAccessible=True
    )
    assert names(api.ok(SERVICES, {"filter": {"kinds": ["SCOOTER_SHARE", "PARKING"]}})) == [
        "Trott Beta",
        "Parking Mairie",
    ]
    assert names(api.ok(SERVICES, {"filter": {"text": "TROTTINETTES"}})) == ["Trott Beta"]
    assert names(api.ok(SERVICES, {"filter": {"text": "50%_"}})) == []
    assert names(api.ok(SERVICES, {"filter": {"wheelchairAccessible": True}})) == ["Parking Mairie"]
    # Trott Beta has no area and no station: never near anything.
    near = {"near": {"lat": 48.8245, "lon": 2.27, "radiusM": 300}}
    assert names(api.ok(SERVICES, {"filter": near})) == ["Vélo Alpha", "Parking Mairie"]
    far = {"near": {"lat": 48.86, "lon": 2.35, "radiusM": 500}}
    assert names(api.ok(SERVICES, {"filter": far})) == []
    bbox = {"bbox": {"minLon": 2.27, "minLat": 48.825, "maxLon": 2.29, "maxLat": 48.84}}
    assert names(api.ok(SERVICES, {"filter": bbox})) == ["Vélo Alpha", "Parking Mairie"]
    outside = {"bbox": {"minLon": 2.30, "minLat": 48.80, "maxLon": 2.31, "maxLat": 48.81}}
    assert names(api.ok(SERVICES, {"filter": outside})) == []


def test_near_finds_services_by_station(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a, serviceArea=None)
    api.ok(
        """mutation($id: ID!, $s: [StationInput!]!) {
             upsertStations(serviceId: $id, stations: $s) { created } }""",
        {
            "id": service["id"],
            "s": [{"externalId": "1", "name": "Mairie", "lat": 48.8245, "lon": 2.2735}],
        },
        key=partners.a,
    )
    near = {"near": {"lat": 48.8245, "lon": 2.2700, "radiusM": 300}}
    assert names(api.ok(SERVICES, {"filter": near})) == ["Issy Vélo"]
    near["near"]["radiusM"] = 200
    assert names(api.ok(SERVICES, {"filter": near})) == []


def test_pagination_with_cursors_and_total_count(api: Api, partners: Partners) -> None:
    for i in range(5):
        published_service(api, partners.a, name=f"Service {i}")
    first = api.ok(SERVICES, {"first": 2})["services"]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    seen = [e["node"]["name"] for e in first["edges"]]
    cursor = first["pageInfo"]["endCursor"]
    while cursor:
        page = api.ok(SERVICES, {"first": 2, "after": cursor})["services"]
        assert page["totalCount"] == 5
        seen += [e["node"]["name"] for e in page["edges"]]
        cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert seen == [f"Service {i}" for i in range(5)]


def test_pagination_of_a_geographic_filter(api: Api, partners: Partners) -> None:
    for i in range(3):
        published_service(api, partners.a, name=f"S{i}")
    near = {"near": {"lat": 48.8245, "lon": 2.27, "radiusM": 500}}
    page = api.ok(SERVICES, {"filter": near, "first": 2})["services"]
    assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (3, True)
    rest = api.ok(SERVICES, {"filter": near, "first": 2, "after": page["pageInfo"]["endCursor"]})
    assert names(rest) == ["S2"]


@pytest.mark.parametrize(
    ("first", "fragment"),
    [
        pytest.param(51, "first=51 is out of range: ask for 1 to 50", id="above-max"),
        pytest.param(0, "first=0 is out of range", id="zero"),
    ],
)
def test_page_size_out_of_range(api: Api, first: int, fragment: str) -> None:
    error = api.error(SERVICES, {"first": first})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["maxPageSize"] == 50
    assert fragment in error["message"]


def test_bad_cursor(api: Api) -> None:
    error = api.error(SERVICES, {"after": "nonsense"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "pageInfo.endCursor" in error["message"]


def test_node_resolves_global_ids(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    data = api.ok(
        """query($id: ID!) { node(id: $id) { id ... on MobilityService { name } } }""",
        {"id": service["id"]},
    )
    assert data["node"] == {"id": service["id"], "name": "Issy Vélo"}
    partner = api.ok("{ partners { id name } }")["partners"][0]
    data = api.ok(
        "query($id: ID!) { node(id: $id) { ... on Partner { name } } }", {"id": partner["id"]}
    )
    assert data["node"]["name"] == partner["name"]


def test_unknown_and_malformed_ids(api: Api, partners: Partners) -> None:
    unknown = "TW9iaWxpdHlTZXJ2aWNlOjk5OTk="  # MobilityService:9999
    error = api.error("query($id: ID!) { service(id: $id) { name } }", {"id": unknown})
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "no service with id 9999" in error["message"]
    assert api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": unknown})["node"] is None
    error = api.error("query($id: ID!) { service(id: $id) { name } }", {"id": "42"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not an id given by this API" in error["message"]
    partner_id = api.ok("{ partners { id } }")["partners"][0]["id"]
    error = api.error("query($id: ID!) { service(id: $id) { name } }", {"id": partner_id})
    assert "is a Partner, not a MobilityService" in error["message"]


def test_partners_and_me(api: Api, partners: Partners) -> None:
    assert [p["name"] for p in api.ok("{ partners { name } }")["partners"]] == [
        "Alpha Bikes",
        "Beta Scooters",
        "Ville d'Issy-les-Moulineaux",
    ]
    assert api.ok("{ me { name kind } }")["me"] is None
    assert api.ok("{ me { name kind } }", key=partners.city)["me"] == {
        "name": "Ville d'Issy-les-Moulineaux",
        "kind": "CITY",
    }


def test_within_a_polygon(api: Api, partners: Partners) -> None:
    published_service(api, partners.a, name="In Issy")
    east = {  # a square in Paris 15e, away from ISSY_SQUARE
        "type": "Polygon",
        "coordinates": [
            [[2.29, 48.835], [2.30, 48.835], [2.30, 48.845], [2.29, 48.845], [2.29, 48.835]]
        ],
    }
    published_service(api, partners.b, name="In Paris", serviceArea=east)
    around_issy = {
        "type": "Polygon",
        "coordinates": [
            [[2.265, 48.822], [2.27, 48.822], [2.27, 48.826], [2.265, 48.826], [2.265, 48.822]]
        ],
    }
    assert names(api.ok(SERVICES, {"filter": {"within": around_issy}})) == ["In Issy"]
    error = api.error(SERVICES, {"filter": {"within": {"type": "Point", "coordinates": [2, 48]}}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("within is a GeoJSON Point")


def test_open_at(api: Api, partners: Partners) -> None:
    weekdays = [
        {"day": day, "opens": "07:00", "closes": "20:00"}
        for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    ]
    published_service(api, partners.a, name="Weekdays", openingHours=weekdays)
    published_service(api, partners.a, name="Always")
    # Monday 2 March 2026, 08:30 in Paris (UTC+1) / Sunday 1 March 2026, 12:00.
    assert names(api.ok(SERVICES, {"filter": {"openAt": "2026-03-02T07:30:00Z"}})) == [
        "Weekdays",
        "Always",
    ]
    assert names(api.ok(SERVICES, {"filter": {"openAt": "2026-03-01T12:00:00+01:00"}})) == [
        "Always"
    ]
    # 20:00 local is closing time: closed.
    assert names(api.ok(SERVICES, {"filter": {"openAt": "2026-03-02T19:00:00Z"}})) == ["Always"]
