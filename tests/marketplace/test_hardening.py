"""Issue 16's hand-made probes, through the real app on SQLite and PostgreSQL.

Each malformed request gets a JSON 4xx or a typed GraphQL error that says what was wrong and
what is accepted, never a plain-text 500 or a stack trace, and writes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select
from starlette.testclient import TestClient

from marketplace.api.relay import MAX_DATABASE_ID, encode_global_id
from marketplace.app import create_app
from marketplace.errors import InvalidInput
from marketplace.ingest.gbfs import parse_gbfs
from marketplace.ingest.gtfs import parse_gtfs
from marketplace.models import MobilityService, StationAvailability
from marketplace.settings import Settings
from marketplace.streets import StreetsState
from tests.marketplace.community_helpers import Cast
from tests.marketplace.helpers import ISSY_SQUARE, Api, Partners, create_service
from tests.marketplace.trips import DESTINATION, MONDAY_MORNING, ORIGIN, PLAN, meudon_streets

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _raw_post(api: Api, body: bytes) -> tuple[int, dict[str, Any]]:
    response = api.client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert "Traceback" not in response.text
    parsed: dict[str, Any] = response.json()
    return response.status_code, parsed


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    assert "Traceback" not in error["message"]
    assert error["message"] != "Internal server error."
    return dict(error)


def _service_count(api: Api) -> int:
    count: int = api.db.call(
        lambda session: session.exec(select(func.count()).select_from(MobilityService)).one()
    )
    return count


# 1. Malformed HTTP requests: JSON 4xx, never a plain-text 500.


@pytest.mark.parametrize(
    ("body", "says"),
    [
        pytest.param(b"42", "not an object", id="number"),
        pytest.param(b"[]", "not an object", id="list"),
        pytest.param(b'{"query": "{ __typename }"\xff}', "not UTF-8", id="invalid-utf8"),
        pytest.param(b"{nope", "not JSON", id="not-json"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": '
            + b'{"a": ' * 5000
            + b"1"
            + b"}" * 5000
            + b"}",
            "too deep",
            id="variables-5000-deep",
        ),
    ],
)
def test_malformed_bodies_get_a_json_400(api: Api, body: bytes, says: str) -> None:
    status, answer = _raw_post(api, body)
    assert status == 400
    error = _only_error(answer)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert says in error["message"]
    accepted = "at most 32 levels" if "deep" in says else '"query"'
    assert accepted in error["message"]


def test_variables_nested_beyond_the_limit_are_bad_user_input(api: Api, partners: Partners) -> None:
    nested: Any = 1
    for _ in range(200):
        nested = {"a": nested}
    payload = {"kind": "BIKE_SHARE", "name": "Deep", "serviceArea": nested}
    body = api.post(
        "mutation($input: CreateServiceInput!) { createService(input: $input) { id } }",
        {"input": payload},
        key=partners.a,
    )
    error = _only_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "32 levels" in error["message"]
    assert _service_count(api) == 0


def test_a_subscription_sent_over_post_is_refused_in_json(api: Api) -> None:
    response = api.client.post(
        "/graphql", json={"query": "subscription { serviceChanged { serviceId } }"}
    )
    assert 400 <= response.status_code < 500
    error = _only_error(response.json())
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "WebSocket" in error["message"]


@pytest.mark.parametrize(
    "service_id",
    [
        pytest.param("99999999999999999999999", id="beyond-int64"),
        pytest.param(str(MAX_DATABASE_ID + 1), id="beyond-int32"),
        pytest.param("１", id="full-width-digit"),
        pytest.param("0", id="zero"),
    ],
)
def test_gbfs_feed_of_an_impossible_service_id_is_a_json_404(api: Api, service_id: str) -> None:
    response = api.client.get(f"/gbfs/{service_id}/gbfs.json")
    assert response.status_code == 404
    assert response.json()["error"]


def test_traffic_export_of_a_huge_run_id_is_a_json_404(api: Api, cast: Cast) -> None:
    response = api.client.get(
        "/traffic/morning_peak/segments.csv",
        params={"run": "9" * 40},
        headers={"Authorization": f"Bearer {cast.planner}"},
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "NOT_FOUND"


# 2. Global ids: one strict decoder.


def _raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


SERVICE = "query($id: ID!) { service(id: $id) { id } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"


@pytest.mark.parametrize(
    "global_id",
    [
        pytest.param(encode_global_id("MobilityService", MAX_DATABASE_ID + 1), id="2^31"),
        pytest.param(encode_global_id("MobilityService", 10**30), id="10^30"),
        pytest.param(encode_global_id("MobilityService", -1), id="negative"),
        pytest.param(encode_global_id("MobilityService", 0), id="zero"),
    ],
)
def test_ids_beyond_the_column_range_are_not_found(
    api: Api, partners: Partners, global_id: str
) -> None:
    error = _only_error(api.post(SERVICE, {"id": global_id}, key=partners.a))
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert api.ok(NODE, {"id": global_id}) == {"node": None}
    revoke = "mutation($id: ID!) { revokeApiKey(id: $id) { id } }"
    api_key_id = encode_global_id("ApiKey", MAX_DATABASE_ID + 1)
    error = _only_error(api.post(revoke, {"id": api_key_id}, key=partners.a))
    assert error["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "global_id",
    [
        pytest.param(_raw_id("MobilityService: 1"), id="space"),
        pytest.param(_raw_id("MobilityService:１"), id="full-width"),
        pytest.param(_raw_id("MobilityService:01"), id="leading-zero"),
        pytest.param(_raw_id("MobilityService:+1"), id="plus"),
        pytest.param(_raw_id("MobilityService:1").rstrip("="), id="unpadded"),
        pytest.param(" " + _raw_id("MobilityService:1"), id="space-around"),
        pytest.param(_raw_id("MobilityService:1") + "\n", id="newline-after"),
    ],
)
def test_ids_not_spelt_as_this_api_spells_them_are_refused(
    api: Api, partners: Partners, global_id: str
) -> None:
    create_service(api, partners.a)  # object 1 exists: no spelling may reach it
    for query in (SERVICE, NODE):
        error = _only_error(api.post(query, {"id": global_id}, key=partners.a))
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "not an id given by this API" in error["message"]


def test_cursors_beyond_range_are_refused(api: Api) -> None:
    query = "query($after: String) { services(after: $after) { totalCount } }"
    for cursor in (_raw_id(f"cursor:{2**63}"), _raw_id("cursor: 1")):
        error = _only_error(api.post(query, {"after": cursor}))
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


# 3. Text: NUL and other control characters refused at the boundary, on both databases.


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Issy\x00Vélo", id="nul"),
        pytest.param("Issy\x1bVélo", id="escape"),
        pytest.param("Issy\ud800Vélo", id="lone-surrogate"),
    ],
)
def test_text_with_control_characters_is_refused_and_nothing_written(
    api: Api, partners: Partners, name: str
) -> None:
    payload = {"kind": "BIKE_SHARE", "name": name, "serviceArea": ISSY_SQUARE}
    query = "mutation($input: CreateServiceInput!) { createService(input: $input) { id } }"
    # JSON escapes (ensure_ascii): a lone surrogate cannot be sent as UTF-8.
    response = api.client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": {"input": payload}}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {partners.a}"},
    )
    error = _only_error(response.json())
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "variables.input.name" in error["message"]
    assert "tab and line breaks are fine" in error["message"]
    assert _service_count(api) == 0


def test_lines_and_tabs_stay_accepted(api: Api, partners: Partners) -> None:
    created = create_service(api, partners.a, description="Line one\nLine\ttwo\r\n")
    assert created["id"]


def test_a_nul_in_a_string_literal_is_bad_user_input(api: Api) -> None:
    body = api.post('{ services(filter: {text: "a\\u0000"}) { totalCount } }')
    error = _only_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "U+0000" in error["message"]


def test_a_nul_in_a_review_or_suggestion_is_refused(api: Api, cast: Cast) -> None:
    service = create_service(api, cast.partners.a)
    review = """mutation($id: ID!, $text: String!) {
      reviewService(serviceId: $id, rating: 4, text: $text) { id } }"""
    error = _only_error(
        api.post(review, {"id": service["id"], "text": "ok\x00"}, key=cast.resident)
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    suggest = """mutation($input: SuggestionInput!) { suggest(input: $input) { id } }"""
    location = {"type": "Point", "coordinates": [2.27, 48.825]}
    suggestion = {"title": "More\x00bikes", "description": "please", "location": location}
    error = _only_error(api.post(suggest, {"input": suggestion}, key=cast.resident))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_nul_in_a_gbfs_station_name_is_refused_through_the_api(
    api: Api, partners: Partners
) -> None:
    service = create_service(api, partners.a)
    station = {"station_id": "s1", "name": "Mairie\x00", "lat": 48.824, "lon": 2.273}
    feeds = {"station_information": {"data": {"stations": [station]}}}
    query = """mutation($id: ID!, $feeds: JSON!) {
      importGbfs(serviceId: $id, feeds: $feeds) { skippedCount } }"""
    error = _only_error(api.post(query, {"id": service["id"], "feeds": feeds}, key=partners.a))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_gbfs_rows_with_a_nul_are_skipped_with_a_reason() -> None:
    stations = [
        {"station_id": "s1", "name": "Mairie\x00", "lat": 48.824, "lon": 2.273},
        {"station_id": "s2", "name": "Corentin Celton", "lat": 48.827, "lon": 2.279},
    ]
    feeds = parse_gbfs({"station_information": {"data": {"stations": stations}}})
    assert [s.external_id for s in feeds.stations or []] == ["s2"]
    [skipped] = feeds.skipped
    assert skipped.id == "s1"
    assert "name holds U+0000" in skipped.reason


def test_a_gtfs_file_with_a_nul_is_refused_naming_its_line() -> None:
    files = {
        "stops.txt": (
            "stop_id,stop_name,stop_lat,stop_lon\ns1,Mairie,48.82,2.27\ns2,Bad\x00,48.82,2.27\n"
        ),
        "routes.txt": "route_id,route_type\nr,3\n",
        "trips.txt": "route_id,service_id,trip_id\nr,c,t\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n",
        "calendar.txt": (
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
            "start_date,end_date\n"
        ),
    }
    with pytest.raises(InvalidInput, match=r"stops.txt line 3 holds the character U\+0000"):
        parse_gtfs(files)


def test_get_variables_that_are_no_object_are_a_json_400(api: Api) -> None:
    response = api.client.get("/graphql", params={"query": "{ __typename }", "variables": "42"})
    assert response.status_code == 400
    assert _only_error(response.json())["extensions"]["code"] == "BAD_REQUEST"


# 4. Numbers and times out of range.

GBFS_IMPORT = """mutation($id: ID!, $feeds: JSON!) {
  importGbfs(serviceId: $id, feeds: $feeds) {
    counts { feed created updated } skipped { feed id reason } } }"""


@pytest.mark.parametrize(
    "last_reported",
    [
        pytest.param(1e20, id="1e20"),
        pytest.param("yesterday", id="yesterday"),
        pytest.param(-1, id="before-1970"),
        pytest.param(4102444800, id="year-2100"),
        pytest.param("2026-01-01T08:00:00", id="no-timezone"),
        pytest.param(float("inf"), id="infinite"),
    ],
)
def test_gbfs_readings_that_cannot_be_dated_are_skipped_never_stored_as_now(
    api: Api, partners: Partners, last_reported: Any
) -> None:
    service = create_service(api, partners.a)
    station = {"station_id": "s1", "name": "Mairie", "lat": 48.824, "lon": 2.273}
    status = {"station_id": "s1", "num_bikes_available": 3, "last_reported": last_reported}
    feeds = {
        "station_information": {"data": {"stations": [station]}},
        "station_status": {"data": {"stations": [status]}},
    }
    # JSON escapes: infinity travels as the JSON extension most feeds' parsers accept.
    response = api.client.post(
        "/graphql",
        content=json.dumps(
            {"query": GBFS_IMPORT, "variables": {"id": service["id"], "feeds": feeds}}
        ).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {partners.a}"},
    )
    body = response.json()
    assert not body.get("errors"), body
    report = body["data"]["importGbfs"]
    [skipped] = report["skipped"]
    assert skipped["feed"] == "station_status"
    assert "last_reported" in skipped["reason"]
    assert "RFC 3339" in skipped["reason"]
    stored = api.db.call(
        lambda session: session.exec(select(func.count()).select_from(StationAvailability)).one()
    )
    assert stored == 0


def test_gbfs_readings_with_a_plausible_time_are_kept() -> None:
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)).replace(microsecond=0)
    rows = [
        {"station_id": "a", "num_bikes_available": 1, "last_reported": int(recent.timestamp())},
        {"station_id": "b", "num_bikes_available": 1, "last_reported": recent.isoformat()},
        {"station_id": "c", "num_bikes_available": 1},
    ]
    feeds = parse_gbfs({"station_status": {"data": {"stations": rows}}})
    assert [row.reported_at for row in feeds.status or []] == [recent, recent, None]
    assert feeds.skipped == []


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    return meudon_streets(shared_data, tmp_path_factory.mktemp("streets"))


@pytest.fixture
def planner_api(settings: Settings, streets: StreetsState) -> Iterator[Api]:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        yield Api(client)


@pytest.mark.parametrize(
    ("variables", "says"),
    [
        pytest.param(
            {"when": {"earliestDeparture": "9999-12-31T23:59:00+00:00"}},
            "accepted: from 2000-01-01 to 2100-01-01",
            id="year-9999",
        ),
        pytest.param(
            {"when": {"latestArrival": "0001-01-01T00:00:00+00:00"}},
            "accepted: from 2000-01-01 to 2100-01-01",
            id="year-1",
        ),
        pytest.param(
            {"when": {"earliestDeparture": MONDAY_MORNING}, "preferences": {"walkSpeedKmh": 0}},
            "accepted: 1 to 10",
            id="walk-speed-0",
        ),
        pytest.param(
            {"when": {"earliestDeparture": MONDAY_MORNING}, "preferences": {"bikeSpeedKmh": 0}},
            "km/h",
            id="bike-speed-0",
        ),
    ],
)
def test_plan_inputs_out_of_range_are_bad_user_input(
    planner_api: Api, variables: dict[str, Any], says: str
) -> None:
    body = planner_api.post(PLAN, {"origin": ORIGIN, "destination": DESTINATION, **variables})
    error = _only_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert says in error["message"]
