"""Every error the API answers carries ``extensions.code``, the GraphQL layer's own included:
the partner guide promises it and clients branch on it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from graphql import GraphQLError

from marketplace.api.schema import schema
from tests.marketplace.helpers import Api


def errors_of(api: Api, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.client.post("/graphql", json=body)
    assert response.status_code in (200, 400), response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert errors
    return errors


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        pytest.param(
            {"query": "{ services { "}, "GRAPHQL_PARSE_FAILED", "Syntax Error", id="syntax"
        ),
        pytest.param(
            {"query": "{ nosuchField }"},
            "GRAPHQL_VALIDATION_FAILED",
            "Cannot query field 'nosuchField'",
            id="unknown-field",
        ),
        pytest.param(
            {"query": '{ services(first: "ten") { edges { node { id } } } }'},
            "GRAPHQL_VALIDATION_FAILED",
            "Int cannot represent",
            id="wrong-argument-type",
        ),
        pytest.param(
            {"query": "{ service { id } }"},
            "GRAPHQL_VALIDATION_FAILED",
            "of type 'ID!' is required, but it was not provided",
            id="missing-argument",
        ),
        pytest.param(
            {
                "query": "query($n: Int) { services(first: $n) { edges { node { id } } } }",
                "variables": {"n": "ten"},
            },
            "BAD_USER_INPUT",
            "Variable '$n' has invalid value",
            id="wrong-variable-type",
        ),
        pytest.param(
            {"query": "{ services(nosuch: 1) { edges { node { id } } } }"},
            "GRAPHQL_VALIDATION_FAILED",
            "Unknown argument 'nosuch'",
            id="unknown-argument",
        ),
    ],
)
def test_graphql_errors_carry_a_code(
    api: Api, body: dict[str, Any], code: str, fragment: str
) -> None:
    errors = errors_of(api, body)
    assert all(e.get("extensions", {}).get("code") for e in errors), errors
    assert errors[0]["extensions"]["code"] == code
    assert fragment in errors[0]["message"]


def test_too_deep_a_query_is_a_validation_error(api: Api) -> None:
    deep = "{ __schema { types { " + "fields { type { " * 5 + "name" + " } }" * 5 + " } } }"
    [error, *_] = errors_of(api, {"query": deep})
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "depth" in error["message"]


def test_client_errors_are_logged_at_info_without_traceback(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    errors_of(api, {"query": "{ nosuchField }"})
    errors_of(api, {"query": 'mutation { revokeApiKey(id: "x") { id } }'})  # no key
    errors_of(api, {"query": '{ node(id: "not an id") { id } }'})
    records = [r for r in caplog.records if r.name.startswith(("marketplace", "strawberry"))]
    assert [r.levelno for r in records] == [logging.INFO] * 3, [r.getMessage() for r in records]
    assert all(r.exc_info is None for r in records)
    assert "GRAPHQL_VALIDATION_FAILED" in records[0].getMessage()
    assert "UNAUTHENTICATED" in records[1].getMessage()
    assert "BAD_USER_INPUT" in records[2].getMessage()


def test_a_bug_is_logged_at_error_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as bug:
        error = GraphQLError("division by zero", original_error=bug)
    schema.process_errors([error])
    [record] = [r for r in caplog.records if r.name == "marketplace.api.errors"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and record.exc_info[1] is error.original_error
