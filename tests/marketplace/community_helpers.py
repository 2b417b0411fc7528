"""Helpers of the people and community tests: the cast of people, suggestions, error codes.

The fixtures that use them live in ``conftest.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marketplace.identity.outbox import unsent_messages
from marketplace.identity.sessions import StartedSession, attempt_sign_in
from tests.marketplace.helpers import Api, Partners

PASSWORD = "correct horse battery staple"

SIGN_UP = """mutation($email: String!, $password: String!, $name: String!) {
  signUp(email: $email, password: $password, displayName: $name) { email message } }"""
CONFIRM = """mutation($token: String!) {
  confirmSignUp(token: $token) { token expiresAt viewer { email displayName role } } }"""
_LINK_TOKEN = re.compile(r"token=(conf_[A-Za-z0-9_-]+)")


def outbox(api: Api, email: str) -> list[tuple[str, str]]:
    """(kind, body) of the messages waiting in the outbox for ``email``, oldest first."""
    messages: list[tuple[str, str]] = api.db.call(
        lambda s: [(m.kind, m.body) for m in unsent_messages(s, to=email)]
    )
    return messages


def confirmation_token(api: Api, email: str) -> str:
    """The token of the latest confirmation link sent to ``email``."""
    bodies = [body for kind, body in outbox(api, email) if kind == "sign_up_confirmation"]
    assert bodies, f"no confirmation link was sent to {email}"
    found = _LINK_TOKEN.search(bodies[-1])
    assert found is not None
    return found.group(1)


def sign_up_and_confirm(
    api: Api, email: str, password: str = PASSWORD, name: str = "Anne"
) -> dict[str, Any]:
    """Sign up through the API, follow the link of the outbox; ``confirmSignUp``'s result."""
    accepted = api.ok(SIGN_UP, {"email": email, "password": password, "name": name})["signUp"]
    token = confirmation_token(api, accepted["email"])
    return api.ok(CONFIRM, {"token": token})["confirmSignUp"]  # type: ignore[no-any-return]


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
