"""People's accounts through the real app: sign-up, sign-in, sessions, rate limits, roles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from marketplace.cli import main
from marketplace.db import Database
from marketplace.errors import InvalidInput
from marketplace.identity import (
    check_password,
    credentials,
    deliver_outbox,
    normalise_email,
    signup,
)
from marketplace.identity.actors import Actor
from marketplace.identity.signup import SIGN_UP_ACCEPTED
from marketplace.models import PartnerKind, PersonRole, PersonSession, SignUpRequest, utcnow
from tests.marketplace.community_helpers import (
    CONFIRM,
    PASSWORD,
    SIGN_UP,
    Cast,
    code,
    confirmation_token,
    outbox,
    sign_up_and_confirm,
)
from tests.marketplace.helpers import Api, Partners

SIGN_IN = """mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { token viewer { email role } } }"""
VIEWER = "{ viewer { email role displayName partner { name } } }"


def sign_up(
    api: Api, email: str = "Anne.Martin@Example.ORG", password: str = PASSWORD, name: str = "Anne"
) -> dict[str, Any]:
    return api.post(SIGN_UP, {"email": email, "password": password, "name": name})


def signed_up(api: Api, email: str = "Anne.Martin@Example.ORG") -> str:
    """A confirmed resident's session token."""
    return sign_up_and_confirm(api, email)["token"]  # type: ignore[no-any-return]


def test_sign_up_sends_a_link_that_creates_the_account_and_signs_in(api: Api) -> None:
    accepted = sign_up(api)["data"]["signUp"]
    assert accepted == {"email": "anne.martin@example.org", "message": SIGN_UP_ACCEPTED}
    # No account before the link is followed: signing in fails like for an unknown email.
    error = api.error(SIGN_IN, {"email": "anne.martin@example.org", "password": PASSWORD})
    assert error["message"] == "email or password is wrong"
    token = confirmation_token(api, "anne.martin@example.org")
    data = api.ok(CONFIRM, {"token": token})["confirmSignUp"]
    assert data["token"].startswith("sess_")
    assert data["viewer"] == {
        "email": "anne.martin@example.org",
        "displayName": "Anne",
        "role": "RESIDENT",
    }
    assert api.ok(VIEWER, key=data["token"])["viewer"]["email"] == "anne.martin@example.org"
    again = api.ok(SIGN_IN, {"email": "  ANNE.martin@example.org ", "password": PASSWORD})
    assert again["signIn"]["viewer"]["role"] == "RESIDENT"
    # The link works once.
    used = api.error(CONFIRM, {"token": token})
    assert used["extensions"]["code"] == "BAD_USER_INPUT"
    assert "already used or expired" in used["message"]


def test_a_confirmation_link_expires(api: Api) -> None:
    sign_up(api)
    token = confirmation_token(api, "anne.martin@example.org")

    def expire(session: Session) -> None:
        for row in session.exec(select(SignUpRequest)):
            row.expires_at = utcnow() - timedelta(seconds=1)

    api.db.call(expire)
    assert code(api.post(CONFIRM, {"token": token})) == "BAD_USER_INPUT"
    assert code(api.post(CONFIRM, {"token": "conf_made-up"})) == "BAD_USER_INPUT"


def test_only_the_first_followed_link_creates_the_account(api: Api) -> None:
    sign_up(api, password=PASSWORD)
    first = confirmation_token(api, "anne.martin@example.org")
    sign_up(api, password="another long passphrase")
    second = confirmation_token(api, "anne.martin@example.org")
    assert first != second
    api.ok(CONFIRM, {"token": second})
    assert code(api.post(CONFIRM, {"token": first})) == "BAD_USER_INPUT"
    assert code(api.post(SIGN_IN, {"email": "anne.martin@example.org", "password": PASSWORD}))
    api.ok(SIGN_IN, {"email": "anne.martin@example.org", "password": "another long passphrase"})


def test_the_session_token_is_stored_hashed(api: Api) -> None:
    token = signed_up(api)
    stored = api.db.call(lambda s: [row.token_sha256 for row in s.exec(select(PersonSession))])
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_the_confirmation_token_is_stored_hashed(api: Api) -> None:
    sign_up(api)
    token = confirmation_token(api, "anne.martin@example.org")
    stored = api.db.call(lambda s: [row.token_sha256 for row in s.exec(select(SignUpRequest))])
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


@pytest.mark.parametrize(
    ("password", "message"),
    [
        pytest.param("short", "use at least 10", id="too-short"),
        pytest.param("x" * 257, "at most 256", id="too-long"),
        pytest.param("password123", "too easy to guess", id="common"),
        pytest.param("aaaaaaaaaaaa", "too easy to guess", id="repetitive"),
        pytest.param("anne.martin", "must not be your email", id="email-local-part"),
    ],
)
def test_password_rules_say_what_is_wrong(password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_password(password, email="anne.martin@example.org")


def test_weak_password_through_the_api(api: Api) -> None:
    body = sign_up(api, password="short")
    assert code(body) == "BAD_USER_INPUT"
    assert "at least 10" in body["errors"][0]["message"]


@pytest.mark.parametrize("email", ["no-at-sign", "a@b", "two@@example.org", "x" * 250 + "@e.org"])
def test_malformed_emails_are_refused(email: str) -> None:
    with pytest.raises(InvalidInput, match="email must look like"):
        normalise_email(email)


def test_sign_up_of_a_registered_email_answers_like_a_fresh_one(api: Api) -> None:
    existing = signed_up(api)
    registered = sign_up(api, email="ANNE.MARTIN@example.org", password="an attacker's guess")
    fresh = sign_up(api, email="someone.new@example.org", password="an attacker's guess")
    assert "errors" not in registered and "errors" not in fresh
    assert registered["data"]["signUp"]["message"] == fresh["data"]["signUp"]["message"]
    assert (
        set(registered["data"]["signUp"])
        == set(fresh["data"]["signUp"])
        == {
            "email",
            "message",
        }
    )
    # The registered address only gets a notice, with no link and no token.
    kinds = [kind for kind, _ in outbox(api, "anne.martin@example.org")]
    assert kinds == ["sign_up_confirmation", "sign_up_existing_account"]
    notice = outbox(api, "anne.martin@example.org")[-1][1]
    assert "already has one" in notice and "conf_" not in notice and "sess_" not in notice
    # Nothing about the existing account changed: its password and session still work.
    assert api.ok(VIEWER, key=existing)["viewer"]["email"] == "anne.martin@example.org"
    api.ok(SIGN_IN, {"email": "anne.martin@example.org", "password": PASSWORD})
    assert code(
        api.post(SIGN_IN, {"email": "anne.martin@example.org", "password": "an attacker's guess"})
    )
    pending = api.db.call(lambda s: [r.email for r in s.exec(select(SignUpRequest))])
    assert pending == ["someone.new@example.org"]


def test_sign_up_hashes_the_password_for_registered_emails_too(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both answers cost one argon2 hash: timing does not tell a registered email."""
    signed_up(api)
    calls: list[str] = []
    real = credentials.hash_password

    def counted(password: str) -> str:
        calls.append(password)
        return real(password)

    monkeypatch.setattr(signup, "hash_password", counted)
    sign_up(api, email="anne.martin@example.org", password="first long password")
    sign_up(api, email="fresh@example.org", password="second long password")
    assert calls == ["first long password", "second long password"]


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unknown-email"])
def test_sign_up_is_rate_limited_per_email(api: Api, registered: bool) -> None:
    if registered:
        signed_up(api, email="anne.martin@example.org")  # the first of the 3 allowed
    for _ in range(2 if registered else 3):
        assert code(sign_up(api, email="anne.martin@example.org")) is None
    limited = sign_up(api, email="anne.martin@example.org")
    assert code(limited) == "RATE_LIMITED"
    assert "too many sign-ups for this email" in limited["errors"][0]["message"]
    assert limited["errors"][0]["extensions"]["retryAfterSeconds"] > 0
    assert code(sign_up(api, email="other@example.org")) is None


def test_sign_up_is_rate_limited_per_client_address(api: Api) -> None:
    for n in range(20):
        assert code(sign_up(api, email=f"person{n}@example.org")) is None
    limited = sign_up(api, email="one.more@example.org")
    assert code(limited) == "RATE_LIMITED"
    assert "from your network address" in limited["errors"][0]["message"]


def test_the_outbox_is_delivered_by_a_plugged_in_sender(api: Api) -> None:
    sign_up(api)
    sent: list[tuple[str, str]] = []

    class Sender:
        def send(self, *, to: str, subject: str, body: str) -> None:
            sent.append((to, subject))

    assert api.db.call(lambda s: deliver_outbox(s, Sender())) == 1
    assert sent == [("anne.martin@example.org", "Issy Mobility: confirm your account")]
    assert outbox(api, "anne.martin@example.org") == []


def test_wrong_password_and_unknown_email_fail_alike(api: Api) -> None:
    signed_up(api)
    sign_up(api, email="pending@example.org")  # not confirmed: no account yet
    wrong = api.error(SIGN_IN, {"email": "anne.martin@example.org", "password": "nope nope nope"})
    unknown = api.error(SIGN_IN, {"email": "nobody@example.org", "password": "nope nope nope"})
    pending = api.error(SIGN_IN, {"email": "pending@example.org", "password": PASSWORD})
    assert wrong["message"] == unknown["message"] == pending["message"]
    assert wrong["message"] == "email or password is wrong"
    assert wrong["extensions"] == unknown["extensions"] == pending["extensions"]
    assert wrong["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unknown-email"])
def test_sign_in_is_rate_limited_per_email(api: Api, registered: bool) -> None:
    if registered:
        signed_up(api)
    variables = {"email": "anne.martin@example.org", "password": "wrong password!"}
    for _ in range(5):
        assert api.error(SIGN_IN, variables)["extensions"]["code"] == "UNAUTHENTICATED"
    limited = api.error(SIGN_IN, variables)
    assert limited["extensions"]["code"] == "RATE_LIMITED"
    assert "too many failed sign-ins for this email" in limited["message"]
    # Even the right password waits: the limit is what stops guessing.
    right = api.error(SIGN_IN, {**variables, "password": PASSWORD})
    assert right["extensions"]["code"] == "RATE_LIMITED"
    # Another email is not affected.
    assert code(api.post(SIGN_IN, {**variables, "email": "other@example.org"})) == (
        "UNAUTHENTICATED"
    )


def test_a_stranger_cannot_lock_the_owner_out(api: Api) -> None:
    signed_up(api)
    stranger = TestClient(
        api.client.app, client=("203.0.113.7", 40000), headers={"Accept-Language": "en"}
    )
    guess = {"email": "anne.martin@example.org", "password": "wrong password!"}
    for _ in range(6):
        answer = stranger.post("/graphql", json={"query": SIGN_IN, "variables": guess}).json()
    assert answer["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "from your address" in answer["errors"][0]["message"]
    # The owner, from their own address, still signs in; the stranger stays limited.
    owner = api.ok(SIGN_IN, {**guess, "password": PASSWORD})
    assert owner["signIn"]["token"]
    again = stranger.post(
        "/graphql", json={"query": SIGN_IN, "variables": {**guess, "password": PASSWORD}}
    ).json()
    assert again["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_sign_out_revokes_only_this_session(api: Api) -> None:
    first = signed_up(api)
    second = api.ok(SIGN_IN, {"email": "anne.martin@example.org", "password": PASSWORD})
    second_token = second["signIn"]["token"]
    assert api.ok("mutation { signOut }", key=first) == {"signOut": True}
    error = api.error(VIEWER, key=first)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "signed out" in error["message"]
    assert api.ok(VIEWER, key=second_token)["viewer"] is not None


def test_sign_out_everywhere(api: Api) -> None:
    first = signed_up(api)
    api.ok(SIGN_IN, {"email": "anne.martin@example.org", "password": PASSWORD})
    assert api.ok("mutation { signOutEverywhere }", key=first) == {"signOutEverywhere": 2}
    assert api.error(VIEWER, key=first)["extensions"]["code"] == "UNAUTHENTICATED"


def test_expired_sessions_are_refused(api: Api) -> None:
    token = signed_up(api)

    def expire(session: Session) -> None:
        for row in session.exec(select(PersonSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)

    api.db.call(expire)
    error = api.error(VIEWER, key=token)
    assert (error["extensions"]["code"], "expired" in error["message"]) == ("UNAUTHENTICATED", True)


def test_unknown_session_tokens_are_refused_not_ignored(api: Api) -> None:
    error = api.error(VIEWER, key="sess_made-up")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_partner_member_acts_for_its_partner(api: Api, cast: Cast) -> None:
    assert api.ok(VIEWER, key=cast.member)["viewer"]["partner"] == {"name": "Alpha Bikes"}
    query = 'mutation { createService(input: {kind: PARKING, name: "P Mairie"}) { status } }'
    assert api.ok(query, key=cast.member)["createService"] == {"status": "DRAFT"}
    names = api.ok(
        "{ services(filter: {status: [DRAFT]}) { nodes { name } } }", key=cast.partners.a
    )
    assert names["services"]["nodes"] == [{"name": "P Mairie"}]


@pytest.mark.parametrize("who", ["resident", "planner", "admin"])
def test_people_without_a_partner_may_not_use_partner_operations(
    api: Api, cast: Cast, who: str
) -> None:
    query = 'mutation { createService(input: {kind: PARKING, name: "P"}) { id } }'
    error = api.error(query, key=cast.token(who))
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "for partners" in error["message"]
    assert api.error("mutation { createApiKey { secret } }", key=cast.token(who))["extensions"][
        "code"
    ] == ("FORBIDDEN")


def test_api_keys_have_no_viewer(api: Api, partners: Partners) -> None:
    assert api.ok(VIEWER, key=partners.a) == {"viewer": None}
    assert api.ok(VIEWER) == {"viewer": None}
    error = api.error("mutation { signOutEverywhere }", key=partners.a)
    assert error["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("actor", "planner", "moderator"),
    [
        pytest.param(
            Actor(None, None, None, role=PersonRole.RESIDENT), False, False, id="resident"
        ),
        pytest.param(
            Actor(1, "A", PartnerKind.STARTUP, role=PersonRole.PARTNER_MEMBER),
            False,
            False,
            id="member",
        ),
        pytest.param(Actor(None, None, None, role=PersonRole.PLANNER), True, False, id="planner"),
        pytest.param(Actor(None, None, None, role=PersonRole.ADMIN), True, True, id="admin"),
        pytest.param(Actor(3, "Ville", PartnerKind.CITY, key_id=1), True, False, id="city-key"),
        pytest.param(Actor(1, "A", PartnerKind.STARTUP, key_id=1), False, False, id="key"),
    ],
)
def test_roles_of_actors(actor: Actor, planner: bool, moderator: bool) -> None:
    assert (actor.is_planner, actor.is_moderator) == (planner, moderator)


def test_cli_creates_an_admin_who_can_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from marketplace.identity.sessions import StartedSession, attempt_sign_in

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0  # as an operator does first
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = ["person", "create", "--email", "Admin@Issy.example", "--role", "admin"]
    assert main([*args, "--password-stdin"]) == 0
    assert "role:      admin" in capsys.readouterr().out
    database = Database(url)
    outcome = database.call(
        lambda s: attempt_sign_in(s, email="admin@issy.example", password=PASSWORD)
    )
    database.dispose()
    assert isinstance(outcome, StartedSession)
    assert outcome.person.role is PersonRole.ADMIN


def test_cli_refuses_a_partner_member_without_partner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")

    assert main(["migrate"]) == 0  # as an operator does first
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = ["person", "create", "--email", "m@a.example", "--role", "partner-member"]
    assert main([*args, "--password-stdin"]) == 2
    assert "needs the id of its partner" in capsys.readouterr().err
