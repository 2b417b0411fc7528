"""Partners and API keys: creating them, and turning a bearer token into an
:class:`~marketplace.identity.actors.Actor`.

A key reads ``issy_<prefix>_<secret>``: the prefix (public, unique) finds the row, the secret
is compared with the stored SHA-256 in constant time. The full key is returned once, at
creation, and never stored.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from marketplace.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.identity.credentials import sha256_hex
from marketplace.models import ApiKey, Partner, PartnerKind, utcnow

__all__ = [
    "LAST_USED_RESOLUTION",
    "CheckedKey",
    "CreatedKey",
    "authenticate",
    "check_expiry",
    "check_key",
    "create_api_key",
    "create_partner",
    "get_partner",
    "list_api_keys",
    "list_partners",
    "revoke_api_key",
    "split_key",
    "stamp_last_used",
]

KEY_SCHEME = "issy"
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A new key row and its secret token, which is shown this once only."""

    key: ApiKey
    token: str


def _clean_name(name: str, field: str, max_len: int) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > max_len:
        values = {"field": field, "maximum": max_len, "value": repr(name)}
        raise InvalidInput(Message("partner.name_length", values), field=field)
    return cleaned


def create_partner(session: Session, *, name: str, kind: PartnerKind) -> Partner:
    """Register a partner organisation.

    Raises
    ------
    InvalidInput
        Empty or overlong name.
    Conflict
        A partner of that name exists already.
    """
    name = _clean_name(name, "name", 200)
    if session.exec(select(Partner).where(Partner.name == name)).first() is not None:
        raise Conflict(Message("partner.name_taken", {"name": repr(name)}))
    partner = Partner(name=name, kind=kind)
    session.add(partner)
    session.flush()
    return partner


def get_partner(session: Session, partner_id: int) -> Partner:
    """The partner of that id.

    Raises
    ------
    NotFound
    """
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(Message("partner.not_found", {"id": partner_id}))
    return partner


def list_partners(session: Session) -> list[Partner]:
    """Every partner, by name."""
    return list(session.exec(select(Partner).order_by(col(Partner.name))))


def create_api_key(
    session: Session,
    *,
    partner_id: int,
    name: str = "default",
    expires_at: datetime | None = None,
) -> CreatedKey:
    """Issue a new API key for a partner.

    Returns
    -------
    CreatedKey
        The stored row and the full token (``issy_<prefix>_<secret>``), to show once.

    Raises
    ------
    InvalidInput
        Bad name, or an expiry that is naive or already past.
    """
    name = _clean_name(name, "name", 100)
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput("expiresAt needs a timezone, e.g. 2030-01-01T00:00:00Z")
        if expires_at <= utcnow():
            raise InvalidInput(
                Message("api_key.expires_in_past", {"value": expires_at.isoformat()}),
                field="expiresAt",
            )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        partner_id=partner_id,
        name=name,
        prefix=prefix,
        secret_sha256=sha256_hex(secret),
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return CreatedKey(key=key, token=f"{KEY_SCHEME}_{prefix}_{secret}")


def split_key(token: str) -> tuple[str, str]:
    """The ``(prefix, secret)`` of an API key.

    Raises
    ------
    NotAuthenticated
        Not ``issy_<prefix>_<secret>``.
    """
    scheme, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not prefix or not secret:
        raise NotAuthenticated("malformed API key; expected 'Authorization: Bearer issy_…'")
    return prefix, secret


def check_expiry(prefix: str, expires_at: datetime | None, now: datetime) -> None:
    """Refuse a key past its expiry.

    Raises
    ------
    NotAuthenticated
    """
    if expires_at is not None and expires_at <= now:
        raise NotAuthenticated(
            Message("auth.api_key_expired", {"prefix": prefix, "at": expires_at.isoformat()})
        )


@dataclass(frozen=True, slots=True)
class CheckedKey:
    """A key found valid, with what a cache needs to check it again without its row."""

    actor: Actor
    secret_sha256: str
    expires_at: datetime | None
    last_used_at: datetime | None


def check_key(session: Session, token: str) -> CheckedKey:
    """:func:`authenticate`, with the checked key's hash, expiry and last use.

    Raises
    ------
    NotAuthenticated
        Malformed, unknown, revoked or expired key (the message says which, never whose).
    """
    prefix, secret = split_key(token)
    key = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if key is None or not hmac.compare_digest(key.secret_sha256, sha256_hex(secret)):
        raise NotAuthenticated("unknown API key")
    now = utcnow()
    if key.revoked_at is not None:
        raise NotAuthenticated(Message("auth.api_key_revoked", {"prefix": key.prefix}))
    check_expiry(key.prefix, key.expires_at, now)
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
        session.add(key)
    partner = get_partner(session, key.partner_id)
    assert partner.id is not None
    actor = Actor(
        partner_id=partner.id, partner_name=partner.name, kind=partner.kind, key_id=key.id
    )
    return CheckedKey(actor, key.secret_sha256, key.expires_at, key.last_used_at)


def authenticate(session: Session, token: str) -> Actor:
    """The partner a bearer token belongs to; records when the key was last used.

    Raises
    ------
    NotAuthenticated
        Malformed, unknown, revoked or expired key (the message says which, never whose).
    """
    return check_key(session, token).actor


def stamp_last_used(session: Session, key_id: int, now: datetime) -> None:
    """Record that key ``key_id`` was used at ``now``, unless a use less than
    :data:`LAST_USED_RESOLUTION` earlier is recorded already (by any process): one
    ``UPDATE`` that changes no credential (the credentials version does not move)."""
    session.execute(
        update(ApiKey)
        .where(
            col(ApiKey.id) == key_id,
            or_(
                col(ApiKey.last_used_at).is_(None),
                col(ApiKey.last_used_at) < now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )


def list_api_keys(session: Session, *, actor: Actor) -> list[ApiKey]:
    """The caller's own keys (never their secrets), newest first."""
    query = (
        select(ApiKey).where(ApiKey.partner_id == actor.partner_id).order_by(col(ApiKey.id).desc())
    )
    return list(session.exec(query))


def revoke_api_key(session: Session, *, actor: Actor, key_id: int) -> ApiKey:
    """Revoke one of the caller's keys; revoking twice is harmless.

    Raises
    ------
    NotFound
        No such key among the caller's (another partner's keys are not even acknowledged).
    """
    key = session.get(ApiKey, key_id)
    if key is None or key.partner_id != actor.partner_id:
        raise NotFound(Message("api_key.not_found", {"id": key_id}))
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
    return key
