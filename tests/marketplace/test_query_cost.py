"""Expensive requests are refused before they run: the cost and alias limits of a query.

Through the real app. A refused document has no ``data`` at all: validation stopped it, so
no resolver ran (40 aliased plans once kept a server busy for 24 s).
"""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.api.query_cost import operation_cost
from tests.marketplace.helpers import Api

ONE_PLAN = """{alias}: plan(origin: {{coordinate: {{latitude: 48.815, longitude: 2.242}}}},
  destination: {{coordinate: {{latitude: 48.824, longitude: 2.252}}}}) {{
  edges {{ node {{ durationS }} }} }}"""


def plans(count: int) -> str:
    return "{ " + "\n".join(ONE_PLAN.format(alias=f"p{i}") for i in range(count)) + " }"


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert "data" not in body or body["data"] is None, "the document ran"
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    return dict(error)


def test_forty_aliased_plans_are_refused_naming_the_alias_limit(api: Api) -> None:
    error = refusal(api.post(plans(40)))
    assert "40 aliases" in error["message"]
    assert "at most 30 are accepted" in error["message"]
    assert error["extensions"]["limit"] == 30


def test_ten_plans_cost_more_than_a_request_may(api: Api) -> None:
    error = refusal(api.post(plans(10)))
    assert "at most 1000 is accepted" in error["message"]
    assert "`plan` 100" in error["message"]
    assert error["extensions"]["cost"] > 1000


def test_plans_hidden_in_fragments_are_counted_each_time_they_are_spread(api: Api) -> None:
    fragment = "fragment Two on Query { " + "\n".join(
        ONE_PLAN.format(alias=f"p{i}") for i in range(2)
    )
    document = (
        "query Sneaky { ...Two ... on Query { ...Two } ... on Query { ...Two } "
        "... on Query { ...Two } ... on Query { ...Two } }\n" + fragment + " }"
    )
    error = refusal(api.post(document))
    assert "operation 'Sneaky' costs" in error["message"]


@pytest.mark.parametrize("count", [1, 9])
def test_up_to_nine_plans_are_accepted(api: Api, count: int) -> None:
    body = api.post(plans(count))
    # No street network in this app: the plans ran (the first to fail nulls the answer).
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"SERVICE_UNAVAILABLE"}


def test_the_cost_of_an_operation_counts_fields_and_plans() -> None:
    from graphql import OperationDefinitionNode, parse

    document = parse(plans(2))
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    # Per plan: plan 100 + edges + node + durationS; two aliases.
    assert operation_cost(operation, {}) == (2 * 103, 2)
