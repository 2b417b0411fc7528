"""API keys: issue, list, revoke; revoked, expired, unknown and malformed keys refused."""

from __future__ import annotations

from datetime import timedelta

from marketplace.models import ApiKey, utcnow
from tests.marketplace.helpers import Api, Partners

CREATE_KEY = """mutation($name: String!, $exp: DateTime) {
  createApiKey(name: $name, expiresAt: $exp) { secret apiKey { id name prefix revokedAt } } }"""
KEYS = "{ apiKeys { id name prefix revokedAt lastUsedAt } }"
REVOKE = "mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }"
ME = "{ me { name } }"


def test_create_list_and_use_a_key(api: Api, partners: Partners) -> None:
    created = api.ok(CREATE_KEY, {"name": "ci"}, key=partners.a)["createApiKey"]
    secret = created["secret"]
    assert secret.startswith(f"issy_{created['apiKey']['prefix']}_")
    assert api.ok(ME, key=secret)["me"] == {"name": "Alpha Bikes"}
    keys = api.ok(KEYS, key=partners.a)["apiKeys"]
    assert [k["name"] for k in keys] == ["ci", "default"]
    assert all(secret not in str(k) for k in keys)
    assert keys[0]["lastUsedAt"] is not None


def test_keys_are_private_to_their_partner(api: Api, partners: Partners) -> None:
    a_keys = api.ok(KEYS, key=partners.a)["apiKeys"]
    b_keys = api.ok(KEYS, key=partners.b)["apiKeys"]
    assert {k["id"] for k in a_keys}.isdisjoint({k["id"] for k in b_keys})
    error = api.error(REVOKE, {"id": a_keys[0]["id"]}, key=partners.b)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert api.ok(ME, key=partners.a)["me"] == {"name": "Alpha Bikes"}
    # Another partner's key is not reachable through node(id) either.
    query = "query($id: ID!) { node(id: $id) { id } }"
    assert api.ok(query, {"id": a_keys[0]["id"]}, key=partners.b)["node"] is None


def test_anonymous_callers_have_no_keys(api: Api) -> None:
    error = api.error(KEYS)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_revoked_key_is_refused(api: Api, partners: Partners) -> None:
    created = api.ok(CREATE_KEY, {"name": "temp"}, key=partners.a)["createApiKey"]
    revoked = api.ok(REVOKE, {"id": created["apiKey"]["id"]}, key=created["secret"])
    assert revoked["revokeApiKey"]["revokedAt"] is not None
    error = api.error(ME, key=created["secret"])
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "was revoked" in error["message"]
    # Revoking again is harmless, and the other key still works.
    api.ok(REVOKE, {"id": created["apiKey"]["id"]}, key=partners.a)
    assert api.ok(ME, key=partners.a)["me"] is not None


def test_expired_key_is_refused(api: Api, partners: Partners) -> None:
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    created = api.ok(CREATE_KEY, {"name": "short", "exp": soon}, key=partners.a)["createApiKey"]
    assert api.ok(ME, key=created["secret"])["me"] == {"name": "Alpha Bikes"}

    def expire(session) -> None:  # type: ignore[no-untyped-def]
        key = session.get(ApiKey, int(_db_id(created["apiKey"]["id"])))
        key.expires_at = utcnow() - timedelta(seconds=1)
        session.add(key)

    api.db.call(expire)
    error = api.error(ME, key=created["secret"])
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in error["message"]


def test_expiry_in_the_past_is_bad_input(api: Api, partners: Partners) -> None:
    past = (utcnow() - timedelta(days=1)).isoformat()
    error = api.error(CREATE_KEY, {"name": "x", "exp": past}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "in the past" in error["message"]
    french = Api(api.client, language="fr")
    refused = french.error(CREATE_KEY, {"name": "x", "exp": past}, key=partners.a)
    assert refused["message"].endswith("est dans le passé"), refused
    blank = french.error(CREATE_KEY, {"name": " "}, key=partners.a)
    assert blank["message"] == "name doit faire de 1 à 100 caractères, reçu ' '"
    other = french.error(REVOKE, {"id": _foreign_key_id(api, partners)}, key=partners.a)
    assert other["message"].startswith("aucune de vos clés d'API n'a l'id ")


def _foreign_key_id(api: Api, partners: Partners) -> str:
    key_id: str = api.ok(KEYS, key=partners.b)["apiKeys"][0]["id"]
    return key_id


def test_unknown_and_malformed_keys(api: Api, partners: Partners) -> None:
    forged = partners.a[:-4] + "AAAA"
    for key, fragment in (
        (forged, "unknown API key"),
        ("issy_000000000000_nope", "unknown API key"),
        ("not-a-key", "malformed API key"),
    ):
        error = api.error(ME, key=key)
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert fragment in error["message"]
    response = api.client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Basic {partners.a}"}
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Bearer" in error["message"]


def test_a_bad_key_is_never_treated_as_anonymous(api: Api) -> None:
    error = api.error("{ services { totalCount } }", key="issy_000000000000_nope")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def _db_id(global_id: str) -> str:
    import base64

    return base64.urlsafe_b64decode(global_id).decode().split(":")[1]
