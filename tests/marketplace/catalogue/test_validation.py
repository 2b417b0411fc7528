"""Bad input answered with BAD_USER_INPUT and a message that says what is accepted; limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from marketplace.settings import Settings
from tests.marketplace.helpers import CREATE, Api, Partners

FAR_SQUARE = {  # around Lyon
    "type": "Polygon",
    "coordinates": [[[4.83, 45.76], [4.84, 45.76], [4.84, 45.77], [4.83, 45.77], [4.83, 45.76]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[2.26, 48.82], [2.28, 48.83], [2.28, 48.82], [2.26, 48.83], [2.26, 48.82]]],
}

OPEN_RING_AT = [[2.26, 48.82], [2.27, 48.82], [2.27, 48.83], [2.26, 48.83]]
OPEN_RING = {"type": "Polygon", "coordinates": [OPEN_RING_AT]}
SQUARE = [[[2.26, 48.82], [2.27, 48.82], [2.27, 48.83], [2.26, 48.83], [2.26, 48.82]]]


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        pytest.param(
            {"serviceArea": BOWTIE}, "not a valid polygon: Self-intersection", id="bowtie"
        ),
        pytest.param({"serviceArea": FAR_SQUARE}, "km from Issy", id="far-away"),
        pytest.param(
            {"serviceArea": {"type": "Point", "coordinates": [2.27, 48.82]}},
            "GeoJSON Point; accepted: Polygon or MultiPolygon",
            id="point",
        ),
        pytest.param({"serviceArea": "{not json"}, "serviceArea is not JSON", id="not-json"),
        pytest.param(
            {"serviceArea": {"type": "Polygon", "coordinates": [[[2.26, 48.82]]]}},
            "polygon 0 ring 0 has fewer than 4 positions",
            id="too-few-points",
        ),
        pytest.param(
            {"serviceArea": OPEN_RING},
            "polygon 0 ring 0 is not closed: it starts at [2.26, 48.82] and ends at [2.26, 48.83]",
            id="unclosed-ring",
        ),
        pytest.param(
            {"serviceArea": {"type": "MultiPolygon", "coordinates": [SQUARE, [OPEN_RING_AT]]}},
            "serviceArea polygon 1 ring 0 is not closed",
            id="unclosed-ring-of-a-multipolygon",
        ),
        pytest.param(
            {"serviceArea": {"type": "Polygon", "coordinates": []}},
            "serviceArea polygon 0 has no rings",
            id="no-rings",
        ),
        pytest.param(
            {
                "serviceArea": {
                    "type": "Polygon",
                    "coordinates": [[[2.26, 48.82], [2.27], "x", [2.26, 48.82]]],
                }
            },
            "malformed coordinates",
            id="malformed-position",
        ),
        pytest.param(
            {
                "serviceArea": {
                    "type": "MultiPolygon",
                    "coordinates": [SQUARE, FAR_SQUARE["coordinates"]],
                }
            },
            "km from Issy",
            id="far-polygon-of-a-multipolygon",
        ),
        pytest.param({"name": "   "}, "name must not be empty", id="empty-name"),
        pytest.param({"website": "ftp://x"}, "not an absolute http(s) URL", id="bad-url"),
        pytest.param({"co2GPerKm": -1.0}, "co2GPerKm is -1.0", id="negative-co2"),
        pytest.param(
            {"openingHours": [{"day": "Funday", "opens": "08:00", "closes": "09:00"}]},
            "'Funday' is not one of MONDAY",
            id="bad-day",
        ),
        pytest.param(
            {"openingHours": [{"day": "MONDAY", "opens": "22:00", "closes": "06:00"}]},
            "closes must be later the same day",
            id="overnight",
        ),
        pytest.param(
            {"openingHours": [{"day": "MONDAY", "opens": "8h", "closes": "09:00"}]},
            "is not a time HH:MM",
            id="bad-time",
        ),
        pytest.param(
            {
                "openingHours": [
                    {"day": "MONDAY", "opens": "08:00", "closes": "12:00"},
                    {"day": "MONDAY", "opens": "11:00", "closes": "14:00"},
                ]
            },
            "overlaps another period on Monday",
            id="overlap",
        ),
    ],
)
def test_bad_service_input(
    api: Api, partners: Partners, fields: dict[str, Any], fragment: str
) -> None:
    payload = {"kind": "BIKE_SHARE", "name": "Issy Vélo", **fields}
    error = api.error(CREATE, {"input": payload}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert fragment in error["message"]
    assert (
        api.ok("{ services(filter: {status: [DRAFT]}) { totalCount } }", key=partners.a)[
            "services"
        ]["totalCount"]
        == 0
    )


def test_bad_service_input_is_refused_in_french_by_default(api: Api, partners: Partners) -> None:
    hours = [
        {"day": "MONDAY", "opens": "08:00", "closes": "12:00"},
        {"day": "MONDAY", "opens": "11:00", "closes": "14:00"},
    ]
    french = Api(api.client, language=None)
    error = french.error(
        CREATE,
        {"input": {"kind": "BIKE_SHARE", "name": "x", "openingHours": hours}},
        key=partners.a,
    )
    assert error["message"] == "openingHours[1] chevauche une autre plage le lundi"
    empty = french.error(CREATE, {"input": {"kind": "BIKE_SHARE", "name": " "}}, key=partners.a)
    assert empty["message"] == "name ne doit pas être vide"
    # The zone drawn in the partner console: its errors too.
    for area, message in [
        (
            OPEN_RING,
            "serviceArea : l'anneau 0 du polygone 0 n'est pas fermé : il commence en "
            "[2.26, 48.82] et finit en [2.26, 48.83] ; la dernière position doit répéter la "
            "première",
        ),
        (FAR_SQUARE, "serviceArea s'étend jusqu'à"),
        (BOWTIE, "serviceArea n'est pas un polygone valide : Self-intersection"),
    ]:
        refused = french.error(
            CREATE,
            {"input": {"kind": "BIKE_SHARE", "name": "x", "serviceArea": area}},
            key=partners.a,
        )
        assert refused["message"].startswith(message), refused


def test_unknown_enum_value_is_a_validation_error(api: Api, partners: Partners) -> None:
    error = api.error(CREATE, {"input": {"kind": "TELEPORT", "name": "x"}}, key=partners.a)
    assert "TELEPORT" in error["message"]


def test_bad_near_point(api: Api) -> None:
    query = "{ services(filter: {near: {lat: 43.3, lon: 5.37, radiusM: 100}}) { totalCount } }"
    error = api.error(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "km from Issy" in error["message"]


def test_bad_bbox(api: Api) -> None:
    query = """{ services(filter: {bbox: {minLon: 2.3, minLat: 48.8, maxLon: 2.2, maxLat: 48.9}})
      { totalCount } }"""
    error = api.error(query)
    assert "minLon < maxLon" in error["message"]


def test_query_depth_limit(api: Api) -> None:
    query = "{ stationsNear(lat: 48.82, lon: 2.27, radiusM: 100) " + (
        "{ station { service { stations { service { stations { service { stations "
        "{ service { stations { service { name } } } } } } } } } } } }"
    )
    error = api.error(query)
    assert "exceeds maximum operation depth" in error["message"]


def test_body_size_limit(settings: Settings, database_url: str) -> None:
    from dataclasses import replace

    from starlette.testclient import TestClient

    from marketplace.app import create_app

    small = replace(settings, max_body_bytes=1000)
    with TestClient(create_app(small)) as client:
        big = {"query": "{ partners { name } }", "variables": {"pad": "x" * 2000}}
        response = client.post("/graphql", json=big)
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            yield b'{"query": "{ partners { name } }", "pad": "'
            for _ in range(10):
                yield b"x" * 200
            yield b'"}'

        response = client.post(
            "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413
        assert client.post("/graphql", json={"query": "{ partners { name } }"}).status_code == 200


def test_internal_errors_are_masked(
    api: Api, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    import marketplace.api.identity.queries as queries

    def broken(session):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret table name in a stack trace")

    monkeypatch.setattr(queries, "list_partners", broken)
    body = api.post("{ partners { name } }")
    error = body["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(body)


def test_health(api: Api) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_a_browser_on_graphql_goes_to_the_explorer_served_from_npm(api: Api) -> None:
    # Strawberry's own page would load GraphiQL from a CDN: never offered.
    response = api.client.get("/graphql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/graphiql.html"
    assert "unpkg" not in response.text and "jsdelivr" not in response.text
