"""What a suggestion says about its viewer (follows, voted) and the author's own vote."""

from __future__ import annotations

from tests.marketplace.community_helpers import Cast, suggest
from tests.marketplace.helpers import Api

READ = "query($s: ID!) { suggestion(id: $s) { viewerFollows viewerHasVoted voteCount } }"
FOLLOW = "mutation($s: ID!, $f: Boolean!) { followSuggestion(id: $s, follow: $f) { id } }"
VOTE = "mutation($s: ID!) { voteForSuggestion(id: $s) { voted } }"


def test_viewer_follows_tracks_follow_and_unfollow(api: Api, cast: Cast) -> None:
    idea = suggest(api, cast.resident)["id"]
    # The author follows from the start; someone else, anonymous or not, does not.
    assert api.ok(READ, {"s": idea}, key=cast.resident)["suggestion"]["viewerFollows"] is True
    assert api.ok(READ, {"s": idea})["suggestion"]["viewerFollows"] is False
    reader = cast.other_resident
    assert api.ok(READ, {"s": idea}, key=reader)["suggestion"]["viewerFollows"] is False
    api.ok(FOLLOW, {"s": idea, "f": True}, key=reader)
    assert api.ok(READ, {"s": idea}, key=reader)["suggestion"]["viewerFollows"] is True
    api.ok(FOLLOW, {"s": idea, "f": False}, key=reader)
    assert api.ok(READ, {"s": idea}, key=reader)["suggestion"]["viewerFollows"] is False
    # Voting follows too.
    api.ok(VOTE, {"s": idea}, key=reader)
    assert api.ok(READ, {"s": idea}, key=reader)["suggestion"] == {
        "viewerFollows": True,
        "viewerHasVoted": True,
        "voteCount": 1,
    }


def test_an_author_cannot_vote_for_their_own_idea(api: Api, cast: Cast) -> None:
    idea = suggest(api, cast.resident)["id"]
    error = api.error(VOTE, {"s": idea}, key=cast.resident)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == "you cannot vote for your own idea"
    assert api.ok(READ, {"s": idea}, key=cast.resident)["suggestion"]["voteCount"] == 0
