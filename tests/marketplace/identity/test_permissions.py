"""The permission matrix: anonymous, owner A, other partner B, the city, per operation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.marketplace.helpers import Api, Partners, create_service, published_service

READ = "query($id: ID!) { service(id: $id) { id status } }"
UPDATE = """mutation($id: ID!, $v: Int!) {
  updateService(id: $id, expectedVersion: $v, input: {description: "changed"}) { version } }"""
PUBLISH = "mutation($id: ID!) { publishService(id: $id) { status } }"
SUSPEND = "mutation($id: ID!) { suspendService(id: $id) { status } }"
RETIRE = "mutation($id: ID!) { retireService(id: $id) { status } }"
STATIONS = """mutation($id: ID!) { upsertStations(serviceId: $id, stations: [
  {externalId: "s1", name: "Mairie", lat: 48.8245, lon: 2.2735}]) { created } }"""
PRICING = """mutation($id: ID!) { setPricingPlan(serviceId: $id, plan: {
  externalId: "p", name: "Standard", currency: "EUR", unlockFeeMinor: 100}) { currency } }"""

OK = None


def key_of(partners: Partners, who: str) -> str | None:
    return {"anonymous": None, "owner": partners.a, "other": partners.b, "city": partners.city}[who]


def attempt(api: Api, query: str, service: dict[str, Any], key: str | None) -> str | None:
    body = api.post(query, {"id": service["id"], "v": service["version"]}, key=key)
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]  # type: ignore[no-any-return]
    return OK


MATRIX = [
    # (operation, status of A's service, who, expected code or OK)
    ("read", "DRAFT", "anonymous", "NOT_FOUND"),
    ("read", "DRAFT", "owner", OK),
    ("read", "DRAFT", "other", "NOT_FOUND"),
    ("read", "DRAFT", "city", "NOT_FOUND"),
    ("read", "PUBLISHED", "anonymous", OK),
    ("read", "PUBLISHED", "other", OK),
    ("update", "DRAFT", "anonymous", "UNAUTHENTICATED"),
    ("update", "DRAFT", "owner", OK),
    ("update", "DRAFT", "other", "NOT_FOUND"),
    ("update", "DRAFT", "city", "NOT_FOUND"),
    ("update", "PUBLISHED", "owner", OK),
    ("update", "PUBLISHED", "other", "FORBIDDEN"),
    ("update", "PUBLISHED", "city", "FORBIDDEN"),
    ("publish", "DRAFT", "anonymous", "UNAUTHENTICATED"),
    ("publish", "DRAFT", "owner", OK),
    ("publish", "DRAFT", "other", "NOT_FOUND"),
    ("publish", "DRAFT", "city", "NOT_FOUND"),
    ("suspend", "PUBLISHED", "anonymous", "UNAUTHENTICATED"),
    ("suspend", "PUBLISHED", "owner", OK),
    ("suspend", "PUBLISHED", "other", "FORBIDDEN"),
    ("suspend", "PUBLISHED", "city", OK),
    ("retire", "PUBLISHED", "owner", OK),
    ("retire", "PUBLISHED", "other", "FORBIDDEN"),
    ("retire", "PUBLISHED", "city", "FORBIDDEN"),
    ("stations", "PUBLISHED", "anonymous", "UNAUTHENTICATED"),
    ("stations", "PUBLISHED", "owner", OK),
    ("stations", "PUBLISHED", "other", "FORBIDDEN"),
    ("stations", "DRAFT", "other", "NOT_FOUND"),
    ("pricing", "PUBLISHED", "owner", OK),
    ("pricing", "PUBLISHED", "city", "FORBIDDEN"),
]
QUERIES = {
    "read": READ,
    "update": UPDATE,
    "publish": PUBLISH,
    "suspend": SUSPEND,
    "retire": RETIRE,
    "stations": STATIONS,
    "pricing": PRICING,
}


@pytest.mark.parametrize(
    ("operation", "status", "who", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1].lower()}-{row[2]}") for row in MATRIX],
)
def test_matrix(
    api: Api, partners: Partners, operation: str, status: str, who: str, expected: str | None
) -> None:
    if status == "DRAFT":
        service = create_service(api, partners.a)
    else:
        service = published_service(api, partners.a)
    assert attempt(api, QUERIES[operation], service, key_of(partners, who)) == expected


def test_forbidden_message_says_whose_service_it_is(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    error = api.error(UPDATE, {"id": service["id"], "v": service["version"]}, key=partners.b)
    assert "belongs to another partner; only its owner may change it" in error["message"]
    french = Api(api.client, language="fr")
    refused = french.error(UPDATE, {"id": service["id"], "v": service["version"]}, key=partners.b)
    assert (
        "appartient à un autre partenaire ; seul son propriétaire peut le modifier"
        in (refused["message"])
    )


def test_unauthenticated_message_says_how_to_authenticate(api: Api, partners: Partners) -> None:
    error = api.error('mutation { createService(input: {kind: PARKING, name: "P"}) { id } }')
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in error["message"]


def test_a_city_suspension_only_the_city_lifts(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    assert attempt(api, SUSPEND, service, partners.city) is OK
    # The city sees suspended services (to oversee them); other partners do not.
    assert attempt(api, READ, service, partners.city) is OK
    assert attempt(api, READ, service, partners.b) == "NOT_FOUND"
    error = api.error(PUBLISH, {"id": service["id"]}, key=partners.a)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "suspended by the city" in error["message"]
    assert attempt(api, PUBLISH, service, partners.city) is OK


def test_drafts_are_listed_only_for_their_owner(api: Api, partners: Partners) -> None:
    create_service(api, partners.a, name="A draft")
    create_service(api, partners.b, name="B draft")
    query = """{ services(filter: {status: [DRAFT]}) { totalCount edges { node { name } } } }"""
    for key, expected in (
        (None, []),
        (partners.a, ["A draft"]),
        (partners.b, ["B draft"]),
        (partners.city, []),
    ):
        data = api.ok(query, key=key)["services"]
        assert [e["node"]["name"] for e in data["edges"]] == expected
        assert data["totalCount"] == len(expected)


def test_node_hides_drafts_of_others(api: Api, partners: Partners) -> None:
    service = create_service(api, partners.a)
    query = "query($id: ID!) { node(id: $id) { id } }"
    assert api.ok(query, {"id": service["id"]}, key=partners.b)["node"] is None
    assert api.ok(query, {"id": service["id"]}, key=partners.a)["node"] == {"id": service["id"]}


def test_the_city_cannot_lift_a_suspension_it_did_not_impose(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    assert attempt(api, SUSPEND, service, partners.a) is OK
    error = api.error(PUBLISH, {"id": service["id"]}, key=partners.city)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "lift its own suspensions" in error["message"]
    assert attempt(api, PUBLISH, service, partners.a) is OK
