"""The community permission matrix: who may read, write and moderate what.

Each row runs one operation as every kind of caller against the same scenario (a resident's
suggestion, review and comment on partner A's published service) and compares the error
codes; ``OK`` means the operation succeeded.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.marketplace.community_helpers import Cast, code, suggest
from tests.marketplace.helpers import ISSY_SQUARE, Api, published_service

OK = "OK"
WHO = ("anonymous", "resident", "other_resident", "member", "other_member", "planner", "admin")
WHO_AND_KEY = (*WHO, "key_a")

_statuses = itertools.cycle(["UNDER_STUDY", "PLANNED", "DONE", "DECLINED", "NEW"])

OPERATIONS: dict[str, tuple[str, Any]] = {
    "read-suggestion": ("query($s: ID!) { suggestion(id: $s) { title } }", None),
    "list-suggestions": ("{ suggestions { totalCount } }", None),
    "read-reviews": ("query($svc: ID!) { reviews(serviceId: $svc) { totalCount } }", None),
    "suggest": (
        'mutation { suggest(input: {title: "Idea", text: "More bikes"}) { id } }',
        None,
    ),
    "edit-suggestion": (
        'mutation($s: ID!) { updateSuggestion(id: $s, input: {text: "edited"}) { id } }',
        None,
    ),
    "vote": ("mutation($s: ID!) { voteForSuggestion(id: $s) { voted } }", None),
    "vote-again": ("mutation($v: ID!) { voteForSuggestion(id: $v) { voted } }", None),
    "follow": ("mutation($s: ID!) { followSuggestion(id: $s) { id } }", None),
    "comment": (
        'mutation($s: ID!) { commentOnSuggestion(suggestionId: $s, text: "+1") { id } }',
        None,
    ),
    "set-status": (
        "mutation($s: ID!, $status: SuggestionStatus!) { setSuggestionStatus(id: $s, "
        'status: $status, reason: "because") { status } }',
        lambda: {"status": next(_statuses)},
    ),
    "review": (
        'mutation($svc: ID!) { reviewService(serviceId: $svc, rating: 4, text: "ok") { id } }',
        None,
    ),
    "edit-review": ("mutation($r: ID!) { updateReview(id: $r, rating: 3) { rating } }", None),
    "reply-review": ('mutation($r: ID!) { replyToReview(id: $r, text: "Thanks") { id } }', None),
    "report": (
        'mutation($c: ID!) { reportContent(contentId: $c, reason: "rude") { id } }',
        None,
    ),
    "moderation-queue": ("{ contentReports { id } }", None),
    "moderation-trail": ("query($c: ID!) { moderationTrail(contentId: $c) { reason } }", None),
    "hide": (
        'mutation($c: ID!) { hideContent(contentId: $c, reason: "abuse") { decision } }',
        None,
    ),
    "open-challenge": (
        'mutation($area: JSON!, $deadline: DateTime!) { openChallenge(input: {title: "t", '
        'text: "x", area: $area, deadline: $deadline}) { id } }',
        None,
    ),
}

U, F, N, C = "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT"
# (anonymous, resident, other_resident, member, other_member, planner, admin, key_a)
MATRIX: dict[str, tuple[str, ...]] = {
    "read-suggestion": (OK, OK, OK, OK, OK, OK, OK, OK),
    "list-suggestions": (OK, OK, OK, OK, OK, OK, OK, OK),
    "read-reviews": (OK, OK, OK, OK, OK, OK, OK, OK),
    "suggest": (U, OK, OK, F, F, F, F, F),
    "edit-suggestion": (U, OK, F, F, F, F, F, F),
    # On the resident's own suggestion: an author never votes for their own idea.
    "vote": (U, F, OK, F, F, F, F, F),
    # On the other resident's suggestion the resident voted for already: one vote each.
    "vote-again": (U, C, F, F, F, F, F, F),
    "follow": (U, OK, OK, OK, OK, OK, OK, F),
    "comment": (U, OK, OK, OK, OK, OK, OK, F),
    # A general suggestion: the city and any partner may take it up.
    "set-status": (U, F, F, OK, OK, OK, OK, OK),
    # The resident reviewed already; the other resident may review once.
    "review": (U, C, OK, F, F, F, F, F),
    "edit-review": (U, OK, F, F, F, F, F, F),
    # Only partner A runs the reviewed service.
    "reply-review": (U, F, F, OK, F, F, F, OK),
    "report": (U, OK, OK, OK, OK, OK, OK, F),
    "moderation-queue": (U, F, F, F, F, F, OK, F),
    "moderation-trail": (U, F, F, F, F, F, OK, F),
    "hide": (U, F, F, F, F, F, OK, F),
    # City staff (admins and planners) open challenges; machines never do.
    "open-challenge": (U, F, F, F, F, OK, OK, F),
}


@pytest.fixture
def scenario(api: Api, cast: Cast) -> dict[str, Any]:
    service = published_service(api, cast.partners.a)
    suggestion = suggest(api, cast.resident)
    review = api.ok(
        'mutation($svc: ID!) { reviewService(serviceId: $svc, rating: 5, text: "ok") { id } }',
        {"svc": service["id"]},
        key=cast.resident,
    )["reviewService"]
    voted = suggest(api, cast.other_resident, title="Voted for by the resident")
    api.ok(
        "mutation($v: ID!) { voteForSuggestion(id: $v) { voted } }",
        {"v": voted["id"]},
        key=cast.resident,
    )
    comment = api.ok(
        'mutation($s: ID!) { commentOnSuggestion(suggestionId: $s, text: "hi") { id } }',
        {"s": suggestion["id"]},
        key=cast.resident,
    )["commentOnSuggestion"]
    return {
        "s": suggestion["id"],
        "v": voted["id"],
        "svc": service["id"],
        "r": review["id"],
        "c": comment["id"],
        "area": ISSY_SQUARE,
        "deadline": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
    }


@pytest.mark.parametrize("operation", list(MATRIX))
def test_matrix(api: Api, cast: Cast, scenario: dict[str, Any], operation: str) -> None:
    query, extra = OPERATIONS[operation]
    got = {}
    for who in WHO_AND_KEY:
        variables = {k: v for k, v in scenario.items() if f"${k}:" in query}
        if extra is not None:
            variables |= extra()
        got[who] = code(api.post(query, variables, key=cast.token(who))) or OK
    assert got == dict(zip(WHO_AND_KEY, MATRIX[operation], strict=True))


@pytest.mark.parametrize("who", WHO)
def test_hidden_content_is_gone_for_everyone_but_moderators(
    api: Api, cast: Cast, scenario: dict[str, Any], who: str
) -> None:
    api.ok(
        'mutation($c: ID!) { hideContent(contentId: $c, reason: "spam") { decision } }',
        {"c": scenario["s"]},
        key=cast.admin,
    )
    body = api.post(
        "query($s: ID!) { suggestion(id: $s) { title } }", scenario, key=cast.token(who)
    )
    assert (code(body) or OK) == (OK if who == "admin" else N)
    listing = api.ok("{ suggestions { totalCount nodes { id } } }", key=cast.token(who))
    # Only the scenario's other suggestion is left.
    assert listing["suggestions"]["totalCount"] == 1
    assert scenario["s"] not in [node["id"] for node in listing["suggestions"]["nodes"]]


def test_a_partner_decides_only_on_its_own_services_suggestions(
    api: Api, cast: Cast, scenario: dict[str, Any]
) -> None:
    about = suggest(api, cast.resident, serviceId=scenario["svc"])
    query = """mutation($s: ID!) { setSuggestionStatus(id: $s, status: PLANNED, reason: "r") {
      status } }"""
    results = {
        who: code(api.post(query, {"s": about["id"]}, key=cast.token(who))) or OK
        for who in ("other_member", "member")
    }
    assert results == {"other_member": F, "member": OK}
