"""Helpers of the people and community tests: the cast of people, suggestions, error codes.

The fixtures that use them live in :mod:`tests.marketplace.community_fixtures`, which test
modules load with ``pytest_plugins``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marketplace.people.sessions import StartedSession, attempt_sign_in
from tests.marketplace.conftest import Api, Partners

PASSWORD = "correct horse battery staple"


def session_token(api: Api, email: str, password: str = PASSWORD) -> str:
    """Sign in through the domain function and return the session token."""
    outcome = api.db.call(lambda s: attempt_sign_in(s, email=email, password=password))
    assert isinstance(outcome, StartedSession), outcome
    return outcome.token


@dataclass(frozen=True)
class Cast:
    """Session tokens of each kind of person (and the partners' API keys)."""

    resident: str
    other_resident: str
    member: str  # member of partner A
    other_member: str  # member of partner B
    planner: str
    admin: str
    partners: Partners

    def token(self, who: str) -> str | None:
        """The token of ``who`` (``anonymous`` -> ``None``; ``key_a``: A's API key)."""
        if who == "anonymous":
            return None
        if who == "key_a":
            return self.partners.a
        return getattr(self, who)  # type: ignore[no-any-return]


SUGGEST = """mutation($input: SuggestionInput!) {
  suggest(input: $input) { id title text status voteCount kinds location } }"""


def suggest(api: Api, token: str, **fields: Any) -> dict[str, Any]:
    """Make a suggestion through the API."""
    payload = {"title": "Bike racks at the Mairie", "text": "Please add some.", **fields}
    return api.ok(SUGGEST, {"input": payload}, key=token)["suggest"]  # type: ignore[no-any-return]


def code(body: dict[str, Any]) -> str | None:
    """The error code of a response, ``None`` on success."""
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]  # type: ignore[no-any-return]
    return None
