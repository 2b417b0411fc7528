"""Authenticated API keys cached per process: every process refuses a revoked, deleted or
expired key and sees a renamed partner on its very next request, while a key in steady use
costs no query but the one credentials-version read."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.events.version import mark_credentials_changed
from marketplace.identity import key_cache
from marketplace.identity.key_cache import api_key_cache
from marketplace.identity.partners import LAST_USED_RESOLUTION, stamp_last_used
from marketplace.models import ApiKey, Partner, utcnow
from marketplace.settings import Settings
from tests.marketplace.helpers import Api, Partners

ME = "{ me { name } }"
REVOKE = "mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }"
KEYS = "{ apiKeys { id prefix lastUsedAt } }"


@pytest.fixture
def other(settings: Settings, api: Api) -> Iterator[Api]:
    """A second app instance (another server process) on the same database."""
    with TestClient(create_app(settings)) as client:
        yield Api(client)


def _hits(api: Api) -> int:
    return api_key_cache(api.db).hits


def _key_row(api: Api, token: str) -> ApiKey:
    prefix = token.split("_")[1]
    row = api.db.call(lambda s: s.exec(select(ApiKey).where(ApiKey.prefix == prefix)).one())
    assert isinstance(row, ApiKey)
    return row


def _credentials(api: Api) -> int:
    return api.db.versions().credentials


def test_a_key_in_use_is_answered_from_the_cache(api: Api, partners: Partners) -> None:
    assert api.ok(ME, key=partners.a)["me"] == {"name": "Alpha Bikes"}
    before = _hits(api)
    for _ in range(3):
        assert api.ok(ME, key=partners.a)["me"] == {"name": "Alpha Bikes"}
    assert _hits(api) == before + 3
    # A wrong secret with a cached key's prefix is refused, and leaves the right one cached.
    forged = partners.a[:-4] + ("AAAA" if not partners.a.endswith("AAAA") else "BBBB")
    assert "unknown API key" in api.error(ME, key=forged)["message"]
    assert api.ok(ME, key=partners.a)["me"] == {"name": "Alpha Bikes"}
    assert _hits(api) == before + 4


def test_a_key_revoked_through_one_process_is_refused_by_another_at_once(
    api: Api, other: Api, partners: Partners
) -> None:
    created = api.ok(
        'mutation { createApiKey(name: "ci") { secret apiKey { id } } }', key=partners.a
    )["createApiKey"]
    token = created["secret"]
    for _ in range(2):  # cached by the second process
        assert other.ok(ME, key=token)["me"] == {"name": "Alpha Bikes"}
    assert _hits(other) >= 1
    api.ok(REVOKE, {"id": created["apiKey"]["id"]}, key=partners.a)
    error = other.error(ME, key=token)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "was revoked" in error["message"]
    # The partner's other key, cached too, is checked again and still works.
    assert other.ok(ME, key=partners.a)["me"] == {"name": "Alpha Bikes"}


def test_a_deleted_key_or_partner_is_refused_at_once(
    api: Api, other: Api, partners: Partners
) -> None:
    for _ in range(2):
        assert other.ok(ME, key=partners.a)["me"] is not None
        assert other.ok(ME, key=partners.b)["me"] is not None

    def delete_key(session: Session) -> None:  # a bulk statement, not the ORM
        session.execute(sa.delete(ApiKey).where(col(ApiKey.partner_id) == partners.a_id))

    api.db.call(delete_key)
    assert "unknown API key" in other.error(ME, key=partners.a)["message"]

    def delete_partner(session: Session) -> None:
        session.delete(session.get(Partner, partners.b_id))

    api.db.call(delete_partner)
    assert other.error(ME, key=partners.b)["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_renamed_partner_is_seen_by_every_process(
    api: Api, other: Api, partners: Partners
) -> None:
    for _ in range(2):
        assert other.ok(ME, key=partners.a)["me"] == {"name": "Alpha Bikes"}

    def rename(session: Session) -> None:
        partner = session.get(Partner, partners.a_id)
        assert partner is not None
        partner.name = "Alpha Mobility"
        session.add(partner)

    api.db.call(rename)
    assert other.ok(ME, key=partners.a)["me"] == {"name": "Alpha Mobility"}


def test_a_cached_key_expires_on_the_clock(
    api: Api, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    created = api.ok(
        'mutation($exp: DateTime) { createApiKey(name: "short", expiresAt: $exp) { secret } }',
        {"exp": soon},
        key=partners.a,
    )["createApiKey"]
    token = created["secret"]
    for _ in range(2):
        assert api.ok(ME, key=token)["me"] == {"name": "Alpha Bikes"}
    version = _credentials(api)
    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(key_cache, "utcnow", lambda: later)
    hits = _hits(api)
    error = api.error(ME, key=token)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in error["message"]
    # Refused from the cache: nothing about the key changed in the database.
    assert _hits(api) == hits and _credentials(api) == version


def test_an_expiry_moved_earlier_in_the_database_is_seen(
    api: Api, other: Api, partners: Partners
) -> None:
    for _ in range(2):
        assert other.ok(ME, key=partners.a)["me"] is not None

    def expire(session: Session) -> None:
        key = session.exec(select(ApiKey).where(ApiKey.partner_id == partners.a_id)).one()
        key.expires_at = utcnow() - timedelta(seconds=1)
        session.add(key)

    api.db.call(expire)
    assert "expired" in other.error(ME, key=partners.a)["message"]


def test_last_use_is_recorded_without_moving_the_credentials_version(
    api: Api, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.ok(ME, key=partners.a)["me"] is not None
    first = _key_row(api, partners.a).last_used_at
    assert first is not None
    version = _credentials(api)
    assert api.ok(ME, key=partners.a)["me"] is not None  # within the resolution: no write
    assert _key_row(api, partners.a).last_used_at == first
    later = utcnow() + LAST_USED_RESOLUTION + timedelta(seconds=5)
    monkeypatch.setattr(key_cache, "utcnow", lambda: later)
    hits = _hits(api)
    assert api.ok(ME, key=partners.a)["me"] is not None
    assert _hits(api) == hits + 1  # still from the cache
    assert _key_row(api, partners.a).last_used_at == later
    assert _credentials(api) == version
    # The stamp never goes back nor repeats within the resolution, whoever writes it.
    api.db.call(stamp_last_used, _key_row(api, partners.a).id, later + timedelta(seconds=1))
    assert _key_row(api, partners.a).last_used_at == later


def test_credential_writes_bump_the_credentials_version_only(api: Api, partners: Partners) -> None:
    versions = api.db.versions()
    key_id = _key_row(api, partners.a).id

    def stamp(session: Session, when: datetime) -> None:
        key = session.get(ApiKey, key_id)
        assert key is not None
        key.last_used_at = when
        session.add(key)

    api.db.call(stamp, utcnow() + timedelta(hours=1))  # the ORM, last use only
    assert api.db.versions() == versions

    def rename(session: Session) -> None:
        key = session.get(ApiKey, key_id)
        assert key is not None
        key.name = "renamed"
        session.add(key)

    api.db.call(rename)
    after = api.db.versions()
    assert after.credentials == versions.credentials + 1
    assert (after.catalogue, after.timetable) == (versions.catalogue, versions.timetable)

    def raw(session: Session) -> Any:
        session.execute(sa.text("UPDATE partner SET name = name"))
        mark_credentials_changed(session)  # what SQL text must say itself

    api.db.call(raw)
    assert api.db.versions().credentials == versions.credentials + 2


def test_a_plan_sent_with_a_revoked_or_unknown_key_is_refused_not_served_anonymously(
    api: Api, other: Api, partners: Partners
) -> None:
    """Anyone may plan, but a token that was sent must be good: this app has no street
    network, so a plan that passed authentication would fail on that instead."""
    plan = """{ plan(origin: {coordinate: {latitude: 48.82, longitude: 2.26}},
      destination: {coordinate: {latitude: 48.83, longitude: 2.27}}) { edges { cursor } } }"""
    created = api.ok(
        'mutation { createApiKey(name: "app") { secret apiKey { id } } }', key=partners.a
    )["createApiKey"]
    assert other.error(plan, key=created["secret"])["extensions"]["code"] != "UNAUTHENTICATED"
    api.ok(REVOKE, {"id": created["apiKey"]["id"]}, key=partners.a)
    refused = other.error(plan, key=created["secret"])
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"
    assert "was revoked" in refused["message"]
    unknown = other.error(plan, key="issy_nosuchkey_" + "A" * 32)
    assert unknown["extensions"]["code"] == "UNAUTHENTICATED"
    # Without a token the plan is anyone's (here: no street network to plan on).
    assert other.error(plan)["extensions"]["code"] != "UNAUTHENTICATED"
