"""Schema-driven fuzzing: requests generated from the committed schema (schemathesis, GraphQL
mode, which builds on hypothesis-graphql) against the real app on SQLite and PostgreSQL,
anonymous and with a partner's key. Whatever a client sends, the server answers a typed
error or data: never a 5xx, never INTERNAL_SERVER_ERROR.

The number of examples is bounded so the suite stays in ``make test``; set
``ISSY_FUZZ_EXAMPLES`` for a longer hunt (the issue's probe ran 4,133 requests).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.core.result import Ok
from schemathesis.graphql import nodes

from marketplace.api.schema import SCHEMA_FILE
from tests.marketplace.helpers import Api, Partners

EXAMPLES_PER_OPERATION = int(os.environ.get("ISSY_FUZZ_EXAMPLES", "2"))
# Keys a GBFS or GTFS document holds, so generated JSON reaches the importers' checks.
_KEYS = st.sampled_from(
    ["data", "stations", "station_id", "name", "lat", "lon", "capacity", "last_reported",
     "num_bikes_available", "num_docks_available", "station_information", "station_status"]
) | st.from_regex(r"[a-z_]{1,8}", fullmatch=True)  # fmt: skip
_LEAVES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.integers().map(nodes.Int),
    st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    st.text(max_size=40).map(nodes.String),
    st.booleans().map(nodes.Boolean),
)


def _object(fields: dict[str, graphql.ValueNode]) -> graphql.ValueNode:
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v)
            for k, v in fields.items()
        ]
    )


schemathesis.graphql.scalar(
    "JSON",
    st.recursive(
        _LEAVES,
        lambda children: (
            st.lists(children, max_size=4).map(nodes.List)
            | st.dictionaries(_KEYS, children, max_size=5).map(_object)
        ),
        max_leaves=16,
    ),
)
schemathesis.graphql.scalar(
    "DateTime",
    (st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat) | st.text(max_size=30)).map(
        nodes.String
    ),
)
GRAPHQL = schemathesis.graphql.from_path(str(SCHEMA_FILE))
OPERATIONS = [result.ok() for result in GRAPHQL.get_all_operations() if isinstance(result, Ok)]


def server_failures(status: int, body: dict[str, Any]) -> list[str]:
    """What in an answer says the server failed rather than refused."""
    failures = [f"HTTP {status}"] if status >= 500 else []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code in (None, "INTERNAL_SERVER_ERROR"):
            failures.append(f"{code}: {error.get('message')}")
    return failures


def test_operations_cover_the_schema() -> None:
    labels = {operation.label for operation in OPERATIONS}
    assert {"Query.plan", "Mutation.importGtfs", "Mutation.updateAvailability"} <= labels
    assert len(labels) > 50


def test_no_generated_request_makes_the_server_fail(api: Api, partners: Partners) -> None:
    answered: set[str] = set()
    for operation in OPERATIONS:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            # The same examples on every run: a CI failure is one a developer can replay.
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), with_key=st.booleans())
        def request(case: Case[Any], with_key: bool) -> None:
            headers = {"Authorization": f"Bearer {partners.a}"} if with_key else {}
            response = api.client.post("/graphql", json={"query": case.body}, headers=headers)
            body: dict[str, Any] = response.json()
            assert server_failures(response.status_code, body) == [], case.body
            answered.add(case.operation.label)

        request()
    assert answered == {operation.label for operation in OPERATIONS}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        pytest.param(200, {"data": {"me": None}}, [], id="data"),
        pytest.param(200, {"errors": [{"extensions": {"code": "BAD_USER_INPUT"}}]}, [], id="typed"),
        pytest.param(500, {}, ["HTTP 500"], id="5xx"),
        pytest.param(
            200,
            {
                "errors": [
                    {
                        "message": "Internal server error.",
                        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                    }
                ]
            },
            ["INTERNAL_SERVER_ERROR: Internal server error."],
            id="masked-bug",
        ),
        pytest.param(200, {"errors": [{"message": "x"}]}, ["None: x"], id="no-code"),
    ],
)
def test_server_failures_are_told_from_refusals(
    status: int, body: dict[str, Any], expected: list[str]
) -> None:
    assert server_failures(status, body) == expected
