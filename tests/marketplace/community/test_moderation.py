"""Moderation and abuse: reports, hide/restore with an audit trail, text limits, posting
rates, script text kept verbatim, and live activity on followed suggestions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import select

from marketplace.community import service_ratings
from marketplace.events.community import (
    CHANNEL,
    CommunityEvent,
    CommunityEventKind,
    decode_event,
    encode_event,
)
from marketplace.events.live import LiveUpdates
from marketplace.models import Review, Suggestion, SuggestionStatus
from tests.marketplace.community_helpers import Cast, code, suggest
from tests.marketplace.helpers import (
    REDIS_URL,
    Api,
    published_service,
    wait_for_listener,
    wait_for_redis_subscribers,
)

HIDE = """mutation($c: ID!, $reason: String!) { hideContent(contentId: $c, reason: $reason) {
  decision reason contentKind moderator { role } } }"""
RESTORE = """mutation($c: ID!, $reason: String!) {
  restoreContent(contentId: $c, reason: $reason) { decision } }"""
TRAIL = """query($c: ID!) { moderationTrail(contentId: $c) {
  decision reason at moderator { displayName } } }"""
REPORT = """mutation($c: ID!, $reason: String!) { reportContent(contentId: $c, reason: $reason) {
  id contentKind contentId reason resolvedAt } }"""
COMMENT = """mutation($s: ID!, $text: String!) {
  commentOnSuggestion(suggestionId: $s, text: $text) { id text } }"""
SCRIPT = '<script>alert("pwned")</script><img src=x onerror=alert(1)> & "quotes"'


def _review(api: Api, cast: Cast, token: str, rating: int) -> tuple[str, str]:
    service = published_service(api, cast.partners.a)
    rid = api.ok(
        "mutation($svc: ID!, $r: Int!) { reviewService(serviceId: $svc, rating: $r) { id } }",
        {"svc": service["id"], "r": rating},
        key=token,
    )["reviewService"]["id"]
    return service["id"], rid


def test_hide_and_restore_keep_an_audit_trail(api: Api, cast: Cast) -> None:
    service_id, rid = _review(api, cast, cast.resident, 1)
    report = api.ok(REPORT, {"c": rid, "reason": "insulting"}, key=cast.other_resident)
    again = api.ok(REPORT, {"c": rid, "reason": "still insulting"}, key=cast.other_resident)
    assert again["reportContent"]["id"] == report["reportContent"]["id"]  # one per person
    queue = api.ok(
        "{ contentReports { contentId reason reporter { displayName } } }", key=cast.admin
    )
    assert queue["contentReports"] == [
        {"contentId": rid, "reason": "insulting", "reporter": {"displayName": "bruno"}}
    ]

    hidden = api.ok(HIDE, {"c": rid, "reason": "insults another resident"}, key=cast.admin)
    assert hidden["hideContent"] == {
        "decision": "HIDE",
        "reason": "insults another resident",
        "contentKind": "REVIEW",
        "moderator": {"role": "ADMIN"},
    }
    rating = "query($id: ID!) { service(id: $id) { rating { count } } }"
    assert api.ok(rating, {"id": service_id})["service"]["rating"]["count"] == 0
    assert api.db.call(service_ratings, [1, 2, 3]) == {}
    reviews = "query($id: ID!) { reviews(serviceId: $id) { totalCount } }"
    assert api.ok(reviews, {"id": service_id})["reviews"]["totalCount"] == 0
    assert api.ok("{ contentReports { id } }", key=cast.admin)["contentReports"] == []
    # Hidden, never deleted.
    rows = api.db.call(
        lambda s: [(r.rating, r.hidden_at is not None) for r in s.exec(select(Review))]
    )
    assert rows == [(1, True)]

    assert code(api.post(HIDE, {"c": rid, "reason": "again"}, key=cast.admin)) == "CONFLICT"
    api.ok(RESTORE, {"c": rid, "reason": "appeal accepted"}, key=cast.admin)
    assert code(api.post(RESTORE, {"c": rid, "reason": "again"}, key=cast.admin)) == "CONFLICT"
    assert api.ok(rating, {"id": service_id})["service"]["rating"]["count"] == 1
    trail = api.ok(TRAIL, {"c": rid}, key=cast.admin)["moderationTrail"]
    assert [(t["decision"], t["reason"]) for t in trail] == [
        ("HIDE", "insults another resident"),
        ("RESTORE", "appeal accepted"),
    ]
    assert all(t["moderator"] == {"displayName": "admin"} and t["at"] for t in trail)


def test_moderation_needs_a_reason(api: Api, cast: Cast) -> None:
    sid = suggest(api, cast.resident)["id"]
    body = api.post(HIDE, {"c": sid, "reason": "   "}, key=cast.admin)
    assert code(body) == "BAD_USER_INPUT"
    assert "reason must not be empty" in body["errors"][0]["message"]


def test_hidden_comments_leave_their_thread(api: Api, cast: Cast) -> None:
    sid = suggest(api, cast.resident)["id"]
    keep = api.ok(COMMENT, {"s": sid, "text": "fine"}, key=cast.resident)["commentOnSuggestion"]
    spam = api.ok(COMMENT, {"s": sid, "text": "BUY NOW"}, key=cast.other_resident)
    api.ok(HIDE, {"c": spam["commentOnSuggestion"]["id"], "reason": "spam"}, key=cast.admin)
    query = "query($s: ID!) { suggestion(id: $s) { comments { totalCount nodes { id } } } }"
    comments = api.ok(query, {"s": sid})["suggestion"]["comments"]
    assert comments == {"totalCount": 1, "nodes": [{"id": keep["id"]}]}


def test_only_content_ids_are_moderated(api: Api, cast: Cast) -> None:
    service = published_service(api, cast.partners.a)
    body = api.post(HIDE, {"c": service["id"], "reason": "x"}, key=cast.admin)
    assert code(body) == "BAD_USER_INPUT"
    assert "only reviews, suggestions, comments and proposals" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"title": "t" * 151}, "title is 151 characters long; at most 150", id="title"),
        pytest.param({"text": "x" * 5001}, "text is 5001 characters long; at most 5000", id="text"),
        pytest.param({"title": "   "}, "title must not be empty", id="empty-title"),
    ],
)
def test_text_limits(api: Api, cast: Cast, fields: dict[str, str], message: str) -> None:
    body = api.post(
        "mutation($i: SuggestionInput!) { suggest(input: $i) { id } }",
        {"i": {"title": "Idea", "text": "Text", **fields}},
        key=cast.resident,
    )
    assert code(body) == "BAD_USER_INPUT"
    assert message in body["errors"][0]["message"]


def test_comment_length_limit(api: Api, cast: Cast) -> None:
    sid = suggest(api, cast.resident)["id"]
    body = api.post(COMMENT, {"s": sid, "text": "x" * 2001}, key=cast.other_resident)
    assert code(body) == "BAD_USER_INPUT"
    assert "at most 2000" in body["errors"][0]["message"]


def test_posting_too_fast_is_rate_limited(api: Api, cast: Cast) -> None:
    sid = suggest(api, cast.resident)["id"]  # post 1 of the minute
    for i in range(4):
        api.ok(COMMENT, {"s": sid, "text": f"comment {i}"}, key=cast.resident)
    body = api.post(COMMENT, {"s": sid, "text": "one too many"}, key=cast.resident)
    assert code(body) == "RATE_LIMITED"
    assert "posting too fast" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["retryAfterSeconds"] == 60
    # Nothing was stored, and others may still post.
    api.ok(COMMENT, {"s": sid, "text": "hello"}, key=cast.other_resident)
    count = "query($s: ID!) { suggestion(id: $s) { comments { totalCount } } }"
    assert api.ok(count, {"s": sid})["suggestion"]["comments"]["totalCount"] == 5


def test_script_text_comes_back_verbatim(api: Api, cast: Cast) -> None:
    made = suggest(api, cast.resident, title=SCRIPT[:150], text=SCRIPT)
    assert (made["title"], made["text"]) == (SCRIPT[:150], SCRIPT)
    comment = api.ok(COMMENT, {"s": made["id"], "text": SCRIPT}, key=cast.other_resident)
    assert comment["commentOnSuggestion"]["text"] == SCRIPT
    stored = api.db.call(lambda s: s.exec(select(Suggestion.text)).one())
    assert stored == SCRIPT
    # The JSON carries the characters themselves, not HTML entities.
    raw = api.client.post(
        "/graphql",
        json={
            "query": "query($s: ID!) { suggestion(id: $s) { text } }",
            "variables": {"s": made["id"]},
        },
    ).text
    assert "<script>" in raw and "&lt;" not in raw


def _next(ws: Any) -> dict[str, Any]:
    message = ws.receive_json()
    assert message["type"] == "next", message
    return message["payload"]["data"]["followedSuggestionActivity"]  # type: ignore[no-any-return]


def test_followers_hear_of_new_comments_and_status_changes(api: Api, cast: Cast) -> None:
    followed = suggest(api, cast.resident)["id"]
    other = suggest(api, cast.other_resident, title="Not followed")["id"]
    query = """subscription { followedSuggestionActivity {
      kind status suggestion { id title } comment { text author { displayName } } } }"""
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {cast.resident}"}}
        )
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        wait_for_listener(api, CHANNEL)  # events published before that are not for this socket
        api.ok(COMMENT, {"s": other, "text": "elsewhere"}, key=cast.other_resident)
        api.ok(COMMENT, {"s": followed, "text": "my own"}, key=cast.resident)  # not echoed
        api.ok(COMMENT, {"s": followed, "text": "<b>great</b>"}, key=cast.other_resident)
        activity = _next(ws)
        assert activity == {
            "kind": "NEW_COMMENT",
            "status": "NEW",
            "suggestion": {"id": followed, "title": "Bike racks at the Mairie"},
            "comment": {"text": "<b>great</b>", "author": {"displayName": "bruno"}},
        }
        api.ok(
            """mutation($s: ID!) { setSuggestionStatus(id: $s, status: UNDER_STUDY,
              reason: "on the agenda") { status } }""",
            {"s": followed},
            key=cast.planner,
        )
        activity = _next(ws)
        assert (activity["kind"], activity["status"], activity["comment"]) == (
            "STATUS_CHANGED",
            "UNDER_STUDY",
            None,
        )
        ws.send_json({"id": "1", "type": "complete"})


def test_subscribing_needs_a_person(api: Api, cast: Cast) -> None:
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        query = "subscription { followedSuggestionActivity { kind } }"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        message = ws.receive_json()
        assert message["type"] in {"error", "next"}, message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_node_resolves_community_ids_and_hides_hidden_ones(api: Api, cast: Cast) -> None:
    sid = suggest(api, cast.resident)["id"]
    query = "query($id: ID!) { node(id: $id) { id ... on Suggestion { title } } }"
    assert api.ok(query, {"id": sid})["node"] == {"id": sid, "title": "Bike racks at the Mairie"}
    api.ok(HIDE, {"c": sid, "reason": "off topic"}, key=cast.admin)
    assert api.ok(query, {"id": sid}, key=cast.resident)["node"] is None
    assert api.ok(query, {"id": sid}, key=cast.admin)["node"]["id"] == sid


@pytest.mark.redis
async def test_community_events_cross_processes_through_redis() -> None:
    sender, receiver = LiveUpdates(REDIS_URL), LiveUpdates(REDIS_URL)
    await sender.start()
    await receiver.start()
    event = CommunityEvent(
        kind=CommunityEventKind.STATUS_CHANGED, suggestion_id=7, status=SuggestionStatus.PLANNED
    )
    try:
        async with receiver.broadcast.subscribe(CHANNEL) as subscriber:
            await wait_for_redis_subscribers(CHANNEL, 1)  # the subscription reached Redis
            await sender.broadcast.publish(CHANNEL, encode_event(event))
            message = await asyncio.wait_for(subscriber.get(), timeout=5)
        assert decode_event(message.message) == event
    finally:
        await sender.stop()
        await receiver.stop()
