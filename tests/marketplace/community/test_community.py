"""Co-creation through the real app: reviews and ratings, suggestions, votes, comments,
status decisions, city challenges and proposals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from marketplace.community import service_ratings
from tests.marketplace.community_helpers import Cast, code, sign_up_and_confirm, suggest
from tests.marketplace.helpers import ISSY_SQUARE, Api, create_service, published_service

REVIEW = """mutation($id: ID!, $rating: Int!, $text: String!) {
  reviewService(serviceId: $id, rating: $rating, text: $text) {
    id rating text author { displayName role } } }"""
RATING = "query($id: ID!) { service(id: $id) { rating { average count distribution } } }"
REVIEWS = """query($id: ID!, $sort: ReviewSort!, $first: Int, $after: String) {
  reviews(serviceId: $id, sort: $sort, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { rating text reply { text partner { name } } } } }"""
VOTE = """mutation($id: ID!) {
  voteForSuggestion(id: $id) { voted suggestion { voteCount viewerHasVoted } } }"""
WITHDRAW = (
    "mutation($id: ID!) { withdrawSuggestionVote(id: $id) { voted suggestion { voteCount } } }"
)
COMMENT = """mutation($id: ID!, $text: String!, $parent: ID, $official: Boolean! = false) {
  commentOnSuggestion(suggestionId: $id, text: $text, parentId: $parent, official: $official) {
    id text official officialPartner { name } author { displayName } } }"""
STATUS = """mutation($id: ID!, $status: SuggestionStatus!, $reason: String!) {
  setSuggestionStatus(id: $id, status: $status, reason: $reason) {
    status statusHistory { fromStatus toStatus reason decidedBy { role } partner { name } } } }"""


def _db_id(global_id: str) -> int:
    import base64

    return int(base64.urlsafe_b64decode(global_id).decode().split(":")[1])


def review(api: Api, token: str, service_id: str, rating: int, text: str = "ok") -> dict[str, Any]:
    body = api.post(REVIEW, {"id": service_id, "rating": rating, "text": text}, key=token)
    return body


def test_review_and_rating_aggregates(api: Api, cast: Cast, service: dict[str, Any]) -> None:
    assert api.ok(RATING, {"id": service["id"]})["service"]["rating"] == {
        "average": None,
        "count": 0,
        "distribution": [0, 0, 0, 0, 0],
    }
    first = review(api, cast.resident, service["id"], 5, "Great bikes")["data"]["reviewService"]
    assert first["author"] == {"displayName": "anne", "role": "RESIDENT"}
    review(api, cast.other_resident, service["id"], 2)
    assert api.ok(RATING, {"id": service["id"]})["service"]["rating"] == {
        "average": 3.5,
        "count": 2,
        "distribution": [0, 1, 0, 0, 1],
    }
    assert api.db.call(service_ratings, [_db_id(service["id"]), 999]) == {
        _db_id(service["id"]): 3.5
    }


def test_a_second_review_is_a_conflict_and_the_first_is_editable(
    api: Api, cast: Cast, service: dict[str, Any]
) -> None:
    first = review(api, cast.resident, service["id"], 4)["data"]["reviewService"]
    second = review(api, cast.resident, service["id"], 1)
    assert code(second) == "CONFLICT"
    assert "edit that review instead" in second["errors"][0]["message"]
    edit = 'mutation($id: ID!) { updateReview(id: $id, rating: 2, text: "meh") { rating text } }'
    assert api.ok(edit, {"id": first["id"]}, key=cast.resident)["updateReview"] == {
        "rating": 2,
        "text": "meh",
    }
    assert api.ok(RATING, {"id": service["id"]})["service"]["rating"]["average"] == 2.0


@pytest.mark.parametrize("rating", [0, 6])
def test_ratings_are_one_to_five(
    api: Api, cast: Cast, service: dict[str, Any], rating: int
) -> None:
    body = review(api, cast.resident, service["id"], rating)
    assert code(body) == "BAD_USER_INPUT"
    assert "give 1 to 5 stars" in body["errors"][0]["message"]


def test_drafts_cannot_be_reviewed(api: Api, cast: Cast) -> None:
    draft = create_service(api, cast.partners.a)
    assert code(review(api, cast.resident, draft["id"], 3)) == "NOT_FOUND"


def test_reviews_sort_and_page(api: Api, cast: Cast, service: dict[str, Any]) -> None:
    review(api, cast.resident, service["id"], 2, "first")
    review(api, cast.other_resident, service["id"], 5, "second")
    newest = api.ok(REVIEWS, {"id": service["id"], "sort": "NEWEST"})["reviews"]
    assert [n["text"] for n in newest["nodes"]] == ["second", "first"]
    best = api.ok(REVIEWS, {"id": service["id"], "sort": "BEST_RATED", "first": 1})["reviews"]
    assert (best["totalCount"], best["nodes"][0]["rating"], best["pageInfo"]["hasNextPage"]) == (
        2,
        5,
        True,
    )
    after = best["pageInfo"]["endCursor"]
    rest = api.ok(REVIEWS, {"id": service["id"], "sort": "BEST_RATED", "after": after})
    assert [n["rating"] for n in rest["reviews"]["nodes"]] == [2]
    worst = api.ok(REVIEWS, {"id": service["id"], "sort": "WORST_RATED"})["reviews"]
    assert [n["rating"] for n in worst["nodes"]] == [2, 5]


def test_the_partner_replies_officially_to_a_review(
    api: Api, cast: Cast, service: dict[str, Any]
) -> None:
    rid = review(api, cast.resident, service["id"], 3)["data"]["reviewService"]["id"]
    reply = 'mutation($id: ID!) { replyToReview(id: $id, text: "Thanks, fixed.") { id } }'
    assert code(api.post(reply, {"id": rid}, key=cast.other_member)) == "FORBIDDEN"
    assert code(api.post(reply, {"id": rid}, key=cast.resident)) == "FORBIDDEN"
    api.ok(reply, {"id": rid}, key=cast.member)
    node = api.ok(REVIEWS, {"id": service["id"], "sort": "NEWEST"})["reviews"]["nodes"][0]
    assert node["reply"] == {"text": "Thanks, fixed.", "partner": {"name": "Alpha Bikes"}}


POINT = {"type": "Point", "coordinates": [2.2735, 48.8245]}


def test_suggestions_with_location_and_kinds(api: Api, cast: Cast) -> None:
    made = suggest(api, cast.resident, location=POINT, kinds=["BIKE_SHARE", "PARKING"])
    assert made["status"] == "NEW" and made["kinds"] == ["BIKE_SHARE", "PARKING"]
    assert made["location"] == POINT
    area = suggest(api, cast.resident, location=ISSY_SQUARE)
    assert area["location"]["type"] == "Polygon"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        pytest.param({"type": "Point", "coordinates": [2.35, 40.0]}, "km from Issy", id="far"),
        pytest.param({"type": "Point", "coordinates": ["a"]}, "[longitude, latitude]", id="bad"),
        pytest.param({"type": "LineString", "coordinates": [[2.27, 48.82]]}, "accepted", id="line"),
        pytest.param(
            {
                "type": "Polygon",
                "coordinates": [
                    [[2.26, 48.82], [2.28, 48.83], [2.28, 48.82], [2.26, 48.83], [2.26, 48.82]]
                ],
            },
            "not a valid polygon",
            id="bow-tie",
        ),
    ],
)
def test_suggestion_locations_are_validated(
    api: Api, cast: Cast, location: dict[str, Any], message: str
) -> None:
    body = api.post(
        "mutation($i: SuggestionInput!) { suggest(input: $i) { id } }",
        {"i": {"title": "t", "text": "x", "location": location}},
        key=cast.resident,
    )
    assert code(body) == "BAD_USER_INPUT"
    assert message in body["errors"][0]["message"]


def test_one_vote_each_a_second_is_a_conflict_and_withdrawing_is_idempotent(
    api: Api, cast: Cast
) -> None:
    sid = suggest(api, cast.resident)["id"]
    result = api.ok(VOTE, {"id": sid}, key=cast.other_resident)["voteForSuggestion"]
    assert result == {"voted": True, "suggestion": {"voteCount": 1, "viewerHasVoted": True}}
    for _ in range(2):
        again = api.error(VOTE, {"id": sid}, key=cast.other_resident)
        assert again["extensions"]["code"] == "CONFLICT"
        assert "already voted" in again["message"] and "withdraw" in again["message"]
    query = "query($id: ID!) { suggestion(id: $id) { voteCount viewerHasVoted } }"
    assert api.ok(query, {"id": sid}, key=cast.other_resident)["suggestion"] == {
        "voteCount": 1,
        "viewerHasVoted": True,
    }
    third = sign_up_and_confirm(api, "troisieme@example.org", name="Troisième")["token"]
    api.ok(VOTE, {"id": sid}, key=third)
    for _ in range(2):
        result = api.ok(WITHDRAW, {"id": sid}, key=cast.other_resident)["withdrawSuggestionVote"]
        assert result == {"voted": False, "suggestion": {"voteCount": 1}}
    assert api.ok(query, {"id": sid}, key=cast.other_resident)["suggestion"] == {
        "voteCount": 1,
        "viewerHasVoted": False,
    }
    assert api.ok(query, {"id": sid})["suggestion"]["viewerHasVoted"] is False
    # After withdrawing, voting again is allowed.
    assert api.ok(VOTE, {"id": sid}, key=cast.other_resident)["voteForSuggestion"]["voted"]


def test_suggestions_sort_by_votes_and_page(api: Api, cast: Cast) -> None:
    ids = [suggest(api, cast.resident, title=f"idea {i}")["id"] for i in range(3)]
    third = sign_up_and_confirm(api, "troisieme@example.org", name="Troisième")["token"]
    api.ok(VOTE, {"id": ids[0]}, key=third)
    api.ok(VOTE, {"id": ids[0]}, key=cast.other_resident)
    api.ok(VOTE, {"id": ids[1]}, key=third)
    query = """query($sort: SuggestionSort!, $after: String) {
      suggestions(sort: $sort, first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { title voteCount } } }"""
    page = api.ok(query, {"sort": "MOST_VOTED"})["suggestions"]
    assert [n["title"] for n in page["nodes"]] == ["idea 0", "idea 1"]
    assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (3, True)
    rest = api.ok(query, {"sort": "MOST_VOTED", "after": page["pageInfo"]["endCursor"]})
    assert [n["title"] for n in rest["suggestions"]["nodes"]] == ["idea 2"]
    newest = api.ok(query, {"sort": "NEWEST"})["suggestions"]["nodes"]
    assert [n["title"] for n in newest] == ["idea 2", "idea 1"]
    bad = api.error(query, {"sort": "NEWEST", "after": "garbage"})
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"


def test_threaded_comments_and_official_answers(api: Api, cast: Cast) -> None:
    sid = suggest(api, cast.resident)["id"]
    top = api.ok(COMMENT, {"id": sid, "text": "Yes please"}, key=cast.other_resident)
    parent = top["commentOnSuggestion"]["id"]
    answer = api.ok(
        COMMENT,
        {"id": sid, "text": "We can do it", "parent": parent, "official": True},
        key=cast.member,
    )["commentOnSuggestion"]
    assert (answer["official"], answer["officialPartner"]) == (True, {"name": "Alpha Bikes"})
    city = api.ok(COMMENT, {"id": sid, "text": "Studying", "official": True}, key=cast.planner)
    assert city["commentOnSuggestion"]["officialPartner"] is None
    refused = api.post(COMMENT, {"id": sid, "text": "me too", "official": True}, key=cast.resident)
    assert code(refused) == "FORBIDDEN"
    query = """query($id: ID!) { suggestion(id: $id) { comments { totalCount nodes {
      text replies { text official parentId } } } } }"""
    comments = api.ok(query, {"id": sid})["suggestion"]["comments"]
    assert comments["totalCount"] == 2
    assert comments["nodes"][0]["replies"] == [
        {"text": "We can do it", "official": True, "parentId": parent}
    ]


def test_status_changes_record_who_and_why(api: Api, cast: Cast) -> None:
    sid = suggest(api, cast.resident)["id"]
    api.ok(
        STATUS, {"id": sid, "status": "UNDER_STUDY", "reason": "On the 2027 plan"}, key=cast.planner
    )
    data = api.ok(
        STATUS, {"id": sid, "status": "PLANNED", "reason": "We will run it"}, key=cast.member
    )["setSuggestionStatus"]
    assert data["status"] == "PLANNED"
    assert data["statusHistory"] == [
        {
            "fromStatus": "NEW",
            "toStatus": "UNDER_STUDY",
            "reason": "On the 2027 plan",
            "decidedBy": {"role": "PLANNER"},
            "partner": None,
        },
        {
            "fromStatus": "UNDER_STUDY",
            "toStatus": "PLANNED",
            "reason": "We will run it",
            "decidedBy": {"role": "PARTNER_MEMBER"},
            "partner": {"name": "Alpha Bikes"},
        },
    ]
    no_reason = api.post(STATUS, {"id": sid, "status": "DONE", "reason": " "}, key=cast.admin)
    assert code(no_reason) == "BAD_USER_INPUT"


def test_only_the_services_partner_decides_on_suggestions_about_it(
    api: Api, cast: Cast, service: dict[str, Any]
) -> None:
    sid = suggest(api, cast.resident, serviceId=service["id"])["id"]
    variables = {"id": sid, "status": "DECLINED", "reason": "Not for us"}
    assert code(api.post(STATUS, variables, key=cast.other_member)) == "FORBIDDEN"
    assert code(api.post(STATUS, variables, key=cast.partners.a)) is None  # the owner's key
    filtered = """query($s: ID!) { suggestions(filter: {serviceId: $s, status: [DECLINED]}) {
      totalCount } }"""
    assert api.ok(filtered, {"s": service["id"]})["suggestions"]["totalCount"] == 1


CHALLENGE = """mutation($input: ChallengeInput!) { openChallenge(input: $input) {
  id title isOpen deadline } }"""
PROPOSE = """mutation($c: ID!, $s: [ID!]) { proposeToChallenge(challengeId: $c,
  title: "Night shuttle", text: "Every 20 minutes", serviceIds: $s) { id partner { name } } }"""


def _challenge(api: Api, cast: Cast, deadline: datetime | None = None) -> str:
    deadline = deadline or datetime.now(UTC) + timedelta(days=30)
    payload = {
        "title": "Last mile from Issy Val de Seine at night",
        "text": "Ideas welcome",
        "area": ISSY_SQUARE,
        "deadline": deadline.isoformat(),
    }
    challenge_id: str = api.ok(CHALLENGE, {"input": payload}, key=cast.admin)["openChallenge"]["id"]
    return challenge_id


def test_challenges_proposals_and_votes(api: Api, cast: Cast, service: dict[str, Any]) -> None:
    cid = _challenge(api, cast)
    draft = create_service(api, cast.partners.a, name="Night shuttle (draft)")
    proposal = api.ok(PROPOSE, {"c": cid, "s": [service["id"], draft["id"]]}, key=cast.member)
    pid = proposal["proposeToChallenge"]["id"]
    assert proposal["proposeToChallenge"]["partner"] == {"name": "Alpha Bikes"}
    others = api.post(PROPOSE, {"c": cid, "s": [service["id"]]}, key=cast.other_member)
    assert code(others) == "NOT_FOUND"  # B may not put A's service forward
    api.ok(PROPOSE, {"c": cid}, key=cast.partners.b)  # partners' API keys propose too
    vote = """mutation($id: ID!, $v: Boolean!) {
      voteForProposal(id: $id, vote: $v) { voted proposal { voteCount } } }"""
    api.ok(vote, {"id": pid, "v": True}, key=cast.resident)
    again = api.post(vote, {"id": pid, "v": True}, key=cast.resident)
    assert code(again) == "CONFLICT"  # one vote each
    result = api.ok(vote, {"id": pid, "v": True}, key=cast.other_resident)["voteForProposal"]
    assert result["proposal"]["voteCount"] == 2
    for _ in range(2):  # withdrawing is idempotent
        api.ok(vote, {"id": pid, "v": False}, key=cast.other_resident)
    query = """query($id: ID!) { challenge(id: $id) { isOpen
      proposals(sort: MOST_VOTED) { totalCount nodes { title voteCount services { name } } } } }"""
    data = api.ok(query, {"id": cid})["challenge"]
    assert data["isOpen"] is True
    assert data["proposals"]["totalCount"] == 2
    # Anonymous readers see the published service only; the owner sees its draft too.
    assert data["proposals"]["nodes"][0]["services"] == [{"name": "Issy Vélo"}]
    mine = api.ok(query, {"id": cid}, key=cast.member)["challenge"]["proposals"]["nodes"][0]
    assert [s["name"] for s in mine["services"]] == ["Issy Vélo", "Night shuttle (draft)"]
    assert mine["voteCount"] == 1


def test_challenges_close_at_their_deadline(api: Api, cast: Cast) -> None:
    past = api.post(
        CHALLENGE,
        {
            "input": {
                "title": "t",
                "text": "x",
                "area": ISSY_SQUARE,
                "deadline": "2020-01-01T00:00:00Z",
            }
        },
        key=cast.admin,
    )
    assert code(past) == "BAD_USER_INPUT"
    cid = _challenge(api, cast)

    def close(session: Any) -> None:
        from marketplace.models import Challenge

        row = session.get(Challenge, _db_id(cid))
        row.deadline = datetime.now(UTC) - timedelta(minutes=1)
        session.add(row)

    api.db.call(close)
    closed = api.post(PROPOSE, {"c": cid}, key=cast.member)
    assert code(closed) == "CONFLICT"
    assert "closed" in closed["errors"][0]["message"]
    listing = api.ok("{ challenges(openOnly: true) { totalCount } }")
    assert listing["challenges"]["totalCount"] == 0


SORTED_SERVICES = """query($sort: ServiceSort!, $first: Int, $after: String) {
  services(sort: $sort, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { name rating { average count } } } }"""


def _all_pages(api: Api, sort: str, first: int = 2) -> list[str]:
    names: list[str] = []
    after = None
    while True:
        page = api.ok(SORTED_SERVICES, {"sort": sort, "first": first, "after": after})["services"]
        names += [node["name"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return names
        after = page["pageInfo"]["endCursor"]


def test_services_sort_by_community_rating_and_newest(api: Api, cast: Cast) -> None:
    ids = {
        name: published_service(api, cast.partners.a, name=name)["id"]
        for name in ("One five", "Two fours", "Unrated", "Two fives")
    }
    for who, name, stars in (
        (cast.resident, "One five", 5),
        (cast.resident, "Two fours", 5),
        (cast.other_resident, "Two fours", 3),
        (cast.resident, "Two fives", 5),
        (cast.other_resident, "Two fives", 5),
    ):
        api.ok(REVIEW, {"id": ids[name], "rating": stars, "text": "ok"}, key=who)
    # Average first, then the number of reviews; unrated last.
    assert _all_pages(api, "BEST_RATED") == ["Two fives", "One five", "Two fours", "Unrated"]
    assert _all_pages(api, "NEWEST") == ["Two fives", "Unrated", "Two fours", "One five"]
    assert _all_pages(api, "ID") == ["One five", "Two fours", "Unrated", "Two fives"]
    # Default order unchanged: by id, oldest first.
    assert [n["name"] for n in api.ok("{ services { nodes { name } } }")["services"]["nodes"]] == [
        "One five",
        "Two fours",
        "Unrated",
        "Two fives",
    ]


@pytest.mark.parametrize("sort", ["NEWEST", "BEST_RATED"])
def test_sorted_service_pages_stay_stable_when_services_are_added(
    api: Api, cast: Cast, sort: str
) -> None:
    for name in ("A", "B", "C", "D"):
        published_service(api, cast.partners.a, name=name)
    first = api.ok(SORTED_SERVICES, {"sort": sort, "first": 2})["services"]
    assert first["totalCount"] == 4
    published_service(api, cast.partners.a, name="E (new)")
    after = first["pageInfo"]["endCursor"]
    second = api.ok(SORTED_SERVICES, {"sort": sort, "first": 10, "after": after})["services"]
    seen = [n["name"] for n in first["nodes"]] + [n["name"] for n in second["nodes"]]
    assert sorted(seen) == ["A", "B", "C", "D"]  # nothing repeated, nothing skipped
    assert second["totalCount"] == 5


def test_sorted_services_refuse_a_cursor_of_another_sort(api: Api, cast: Cast) -> None:
    published_service(api, cast.partners.a, name="A")
    published_service(api, cast.partners.a, name="B")
    by_id = api.ok("{ services(first: 1) { pageInfo { endCursor } } }")["services"]
    body = api.post(SORTED_SERVICES, {"sort": "NEWEST", "after": by_id["pageInfo"]["endCursor"]})
    assert code(body) == "BAD_USER_INPUT"


FILTERED_SUGGESTIONS = """query($filter: SuggestionFilterInput, $first: Int, $after: String) {
  suggestions(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { title } } }"""


def _titles(api: Api, filter: dict[str, Any], first: int = 10) -> list[str]:
    page = api.ok(FILTERED_SUGGESTIONS, {"filter": filter, "first": first})["suggestions"]
    return [node["title"] for node in page["nodes"]]


def test_suggestions_filtered_by_kinds(api: Api, cast: Cast) -> None:
    suggest(api, cast.resident, title="Bikes", kinds=["BIKE_SHARE"])
    suggest(api, cast.resident, title="Bikes and parking", kinds=["BIKE_SHARE", "PARKING"])
    suggest(api, cast.resident, title="Car share", kinds=["CAR_SHARE"])
    suggest(api, cast.other_resident, title="No kind")
    assert _titles(api, {"kinds": ["PARKING"]}) == ["Bikes and parking"]
    assert _titles(api, {"kinds": ["BIKE_SHARE"]}) == ["Bikes and parking", "Bikes"]
    assert _titles(api, {"kinds": ["CAR_SHARE", "PARKING"]}) == ["Car share", "Bikes and parking"]
    assert _titles(api, {"kinds": []}) == ["No kind", "Car share", "Bikes and parking", "Bikes"]


def test_suggestions_filtered_by_area(api: Api, cast: Cast) -> None:
    inside = {"type": "Point", "coordinates": [2.270, 48.825]}
    outside = {"type": "Point", "coordinates": [2.250, 48.835]}
    overlapping = {
        "type": "Polygon",
        "coordinates": [
            [[2.274, 48.822], [2.290, 48.822], [2.290, 48.828], [2.274, 48.828], [2.274, 48.822]]
        ],
    }
    suggest(api, cast.resident, title="Inside", location=inside, kinds=["PARKING"])
    suggest(api, cast.resident, title="Outside", location=outside, kinds=["PARKING"])
    suggest(api, cast.resident, title="Area", location=overlapping)
    suggest(api, cast.other_resident, title="Nowhere", kinds=["PARKING"])
    bbox = {"minLon": 2.262, "minLat": 48.820, "maxLon": 2.278, "maxLat": 48.830}
    assert _titles(api, {"bbox": bbox}) == ["Area", "Inside"]
    assert _titles(api, {"bbox": bbox, "kinds": ["PARKING"]}) == ["Inside"]
    # Pages of a filtered list follow each other.
    page = api.ok(FILTERED_SUGGESTIONS, {"filter": {"bbox": bbox}, "first": 1})["suggestions"]
    assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (2, True)
    rest = api.ok(
        FILTERED_SUGGESTIONS,
        {"filter": {"bbox": bbox}, "first": 1, "after": page["pageInfo"]["endCursor"]},
    )["suggestions"]
    assert [n["title"] for n in rest["nodes"]] == ["Inside"]
    swapped = {**bbox, "minLon": 2.278, "maxLon": 2.262}
    body = api.post(FILTERED_SUGGESTIONS, {"filter": {"bbox": swapped}})
    assert code(body) == "BAD_USER_INPUT"
