"""People's accounts through the real app: sign-up, sign-in, sessions, rate limits, roles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from marketplace.accounts import Actor
from marketplace.cli import main
from marketplace.db import Database
from marketplace.errors import InvalidInput
from marketplace.models import PartnerKind, PersonRole, PersonSession, utcnow
from marketplace.people import check_password, normalise_email
from tests.marketplace.community_helpers import PASSWORD, Cast, code
from tests.marketplace.conftest import Api, Partners

SIGN_UP = """mutation($email: String!, $password: String!, $name: String!) {
  signUp(email: $email, password: $password, displayName: $name) {
    token expiresAt viewer { email displayName role partner { name } } } }"""
SIGN_IN = """mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { token viewer { email role } } }"""
VIEWER = "{ viewer { email role displayName partner { name } } }"

pytest_plugins = ["tests.marketplace.community_fixtures"]


def sign_up(api: Api, email: str = "Anne.Martin@Example.ORG", password: str = PASSWORD):
    return api.post(SIGN_UP, {"email": email, "password": password, "name": "Anne"})


def test_sign_up_signs_in_a_resident_with_a_normalised_email(api: Api):
    data = sign_up(api)["data"]["signUp"]
    assert data["token"].startswith("sess_")
    assert data["viewer"] == {
        "email": "anne.martin@example.org",
        "displayName": "Anne",
        "role": "RESIDENT",
        "partner": None,
    }
    assert api.ok(VIEWER, key=data["token"])["viewer"]["email"] == "anne.martin@example.org"
    again = api.ok(SIGN_IN, {"email": "  ANNE.martin@example.org ", "password": PASSWORD})
    assert again["signIn"]["viewer"]["role"] == "RESIDENT"


def test_the_session_token_is_stored_hashed(api: Api):
    token = sign_up(api)["data"]["signUp"]["token"]
    stored = api.db.call(lambda s: [row.token_sha256 for row in s.exec(select(PersonSession))])
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
def test_password_rules_say_what_is_wrong(password: str, message: str):
    with pytest.raises(InvalidInput, match=message):
        check_password(password, email="anne.martin@example.org")


def test_weak_password_through_the_api(api: Api):
    body = sign_up(api, password="short")
    assert code(body) == "BAD_USER_INPUT"
    assert "at least 10" in body["errors"][0]["message"]


@pytest.mark.parametrize("email", ["no-at-sign", "a@b", "two@@example.org", "x" * 250 + "@e.org"])
def test_malformed_emails_are_refused(email: str):
    with pytest.raises(InvalidInput, match="email must look like"):
        normalise_email(email)


def test_a_second_sign_up_with_the_same_email_is_refused(api: Api):
    sign_up(api)
    body = sign_up(api, email="ANNE.MARTIN@example.org")
    assert code(body) == "CONFLICT"


def test_wrong_password_and_unknown_email_fail_alike(api: Api):
    sign_up(api)
    wrong = api.error(SIGN_IN, {"email": "anne.martin@example.org", "password": "nope nope nope"})
    unknown = api.error(SIGN_IN, {"email": "nobody@example.org", "password": "nope nope nope"})
    assert wrong["message"] == unknown["message"] == "email or password is wrong"
    assert wrong["extensions"] == unknown["extensions"]
    assert wrong["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unknown-email"])
def test_sign_in_is_rate_limited_per_email(api: Api, registered: bool):
    if registered:
        sign_up(api)
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


def test_sign_out_revokes_only_this_session(api: Api):
    first = sign_up(api)["data"]["signUp"]["token"]
    second = api.ok(SIGN_IN, {"email": "anne.martin@example.org", "password": PASSWORD})
    second_token = second["signIn"]["token"]
    assert api.ok("mutation { signOut }", key=first) == {"signOut": True}
    error = api.error(VIEWER, key=first)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "signed out" in error["message"]
    assert api.ok(VIEWER, key=second_token)["viewer"] is not None


def test_sign_out_everywhere(api: Api):
    first = sign_up(api)["data"]["signUp"]["token"]
    api.ok(SIGN_IN, {"email": "anne.martin@example.org", "password": PASSWORD})
    assert api.ok("mutation { signOutEverywhere }", key=first) == {"signOutEverywhere": 2}
    assert api.error(VIEWER, key=first)["extensions"]["code"] == "UNAUTHENTICATED"


def test_expired_sessions_are_refused(api: Api):
    token = sign_up(api)["data"]["signUp"]["token"]

    def expire(session):
        for row in session.exec(select(PersonSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)

    api.db.call(expire)
    error = api.error(VIEWER, key=token)
    assert (error["extensions"]["code"], "expired" in error["message"]) == ("UNAUTHENTICATED", True)


def test_unknown_session_tokens_are_refused_not_ignored(api: Api):
    error = api.error(VIEWER, key="sess_made-up")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_partner_member_acts_for_its_partner(api: Api, cast: Cast):
    assert api.ok(VIEWER, key=cast.member)["viewer"]["partner"] == {"name": "Alpha Bikes"}
    query = 'mutation { createService(input: {kind: PARKING, name: "P Mairie"}) { status } }'
    assert api.ok(query, key=cast.member)["createService"] == {"status": "DRAFT"}
    names = api.ok(
        "{ services(filter: {status: [DRAFT]}) { nodes { name } } }", key=cast.partners.a
    )
    assert names["services"]["nodes"] == [{"name": "P Mairie"}]


@pytest.mark.parametrize("who", ["resident", "planner", "admin"])
def test_people_without_a_partner_may_not_use_partner_operations(api: Api, cast: Cast, who: str):
    query = 'mutation { createService(input: {kind: PARKING, name: "P"}) { id } }'
    error = api.error(query, key=cast.token(who))
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "for partners" in error["message"]
    assert api.error("mutation { createApiKey { secret } }", key=cast.token(who))["extensions"][
        "code"
    ] == ("FORBIDDEN")


def test_api_keys_have_no_viewer(api: Api, partners: Partners):
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
def test_roles_of_actors(actor: Actor, planner: bool, moderator: bool):
    assert (actor.is_planner, actor.is_moderator) == (planner, moderator)


def test_cli_creates_an_admin_who_can_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import io

    from marketplace.people.sessions import StartedSession, attempt_sign_in

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
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
):
    import io

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = ["person", "create", "--email", "m@a.example", "--role", "partner-member"]
    assert main([*args, "--password-stdin"]) == 2
    assert "needs the id of its partner" in capsys.readouterr().err
