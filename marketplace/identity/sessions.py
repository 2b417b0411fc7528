"""Sign-in and sessions of people, and turning a session token into an Actor.

Residents sign up through :mod:`marketplace.identity.signup` (confirmed by email).

A session token reads ``sess_<secret>`` (256 random bits); only its SHA-256 is stored, so a
leaked database holds no usable token. Sessions expire, and can be revoked one by one
(sign out) or all at once (sign out everywhere).

Sign-in failures are counted per email and client address pair in the database (so the
limit holds across server processes, and a stranger failing on purpose locks out only
themselves, never the account's owner) and for emails without an account too: neither the
error messages nor the limit tell whether an email is registered. A sign-up not confirmed
yet has no account, so signing in with it fails exactly like an unknown email.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from marketplace.errors import (
    Conflict,
    InvalidInput,
    MarketplaceError,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.identity.credentials import (
    check_display_name,
    check_password,
    hash_password,
    needs_rehash,
    normalise_email,
    sha256_hex,
    verify_password,
    waste_verification_time,
)
from marketplace.models import Partner, Person, PersonRole, PersonSession, SignInAttempt, utcnow

__all__ = [
    "DEFAULT_SESSION_TTL",
    "DEFAULT_SIGN_IN_LIMIT",
    "SESSION_PREFIX",
    "SignInLimit",
    "SignInRefused",
    "StartedSession",
    "attempt_sign_in",
    "authenticate_session",
    "count_live_sessions",
    "create_person",
    "is_session_token",
    "sign_out",
    "sign_out_everywhere",
    "start_session",
]

SESSION_PREFIX = "sess_"
DEFAULT_SESSION_TTL = timedelta(days=30)
LAST_USED_RESOLUTION = timedelta(minutes=1)
WRONG_CREDENTIALS = "email or password is wrong"


@dataclass(frozen=True, slots=True)
class SignInLimit:
    """At most ``max_failures`` failed sign-ins per email and client address within
    ``window``."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


DEFAULT_SIGN_IN_LIMIT = SignInLimit()


@dataclass(frozen=True, slots=True)
class StartedSession:
    """A new session: the person, the stored row, and the token to show this once."""

    person: Person
    session: PersonSession
    token: str


@dataclass(frozen=True, slots=True)
class SignInRefused:
    """A refused sign-in; returned, not raised, so the failure is committed and counted."""

    error: MarketplaceError


def is_session_token(token: str) -> bool:
    """Whether a bearer token is a person's session token (rather than an API key)."""
    return token.startswith(SESSION_PREFIX)


def start_session(session: Session, person: Person, ttl: timedelta) -> StartedSession:
    """A new session for ``person`` (signing in, or confirming a sign-up)."""
    assert person.id is not None
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    row = PersonSession(
        person_id=person.id, token_sha256=sha256_hex(token), expires_at=utcnow() + ttl
    )
    session.add(row)
    session.flush()
    return StartedSession(person=person, session=row, token=token)


def create_person(
    session: Session,
    *,
    email: str,
    password: str,
    role: PersonRole,
    display_name: str | None = None,
    partner_id: int | None = None,
) -> Person:
    """Create an account of any role directly (the command line makes planners, admins and
    partner members; residents sign up through :mod:`marketplace.identity.signup`).

    This is an administrator's tool and says when the email is taken; the public sign-up
    never does.

    Raises
    ------
    InvalidInput
        Bad email, weak password, a partner member without a partner, or a partner given to
        another role.
    NotFound
        No partner with ``partner_id``.
    Conflict
        The email has an account already.
    """
    email = normalise_email(email)
    check_password(password, email=email)
    name = check_display_name(display_name or email.split("@")[0])
    if role is PersonRole.PARTNER_MEMBER:
        if partner_id is None:
            raise InvalidInput("a partner member needs the id of its partner", field="partner")
        if session.get(Partner, partner_id) is None:
            raise NotFound(f"no partner with id {partner_id}")
    elif partner_id is not None:
        raise InvalidInput(f"only partner members belong to a partner, not a {role.value}")
    if session.exec(select(Person.id).where(Person.email == email)).first() is not None:
        raise Conflict(
            "an account cannot be created with this email; if it is yours, sign in instead"
        )
    person = Person(
        email=email,
        display_name=name,
        password_hash=hash_password(password),
        role=role,
        partner_id=partner_id,
    )
    session.add(person)
    session.flush()
    return person


def _recent_failures(
    session: Session, email_sha256: str, client_sha256: str, limit: SignInLimit
) -> list[SignInAttempt]:
    since = utcnow() - limit.window
    # Forget what the window no longer needs, so the table stays small.
    session.exec(
        delete(SignInAttempt).where(
            col(SignInAttempt.email_sha256) == email_sha256, col(SignInAttempt.at) < since
        )
    )
    attempts = session.exec(
        select(SignInAttempt)
        .where(
            SignInAttempt.email_sha256 == email_sha256,
            SignInAttempt.client_sha256 == client_sha256,
            col(SignInAttempt.at) >= since,
        )
        .order_by(col(SignInAttempt.at))
    ).all()
    # A success wipes the slate: only failures after the latest success count.
    failures: list[SignInAttempt] = []
    for attempt in attempts:
        failures = [] if attempt.succeeded else [*failures, attempt]
    return failures


def attempt_sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    client: str | None = None,
    limit: SignInLimit = DEFAULT_SIGN_IN_LIMIT,
    ttl: timedelta = DEFAULT_SESSION_TTL,
) -> StartedSession | SignInRefused:
    """Check an email and password and start a session.

    Returns
    -------
    StartedSession | SignInRefused
        A refusal carries :class:`NotAuthenticated` (wrong email or password, the same
        message either way) or :class:`RateLimited` (too many failures for this email from
        this ``client`` address: even the right password is refused from there until the
        window has passed; other addresses are not). The caller commits, then raises it.
    """
    try:
        email = normalise_email(email)
    except InvalidInput:
        return SignInRefused(NotAuthenticated(WRONG_CREDENTIALS))
    email_sha256 = sha256_hex(email)
    client_sha256 = sha256_hex(f"client:{client or ''}")
    failures = _recent_failures(session, email_sha256, client_sha256, limit)
    if len(failures) >= limit.max_failures:
        wait = failures[0].at + limit.window - utcnow()
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        return SignInRefused(
            RateLimited(
                Message("auth.sign_in_rate_limited", {"minutes": minutes}),
                retryAfterSeconds=max(1, int(wait.total_seconds())),
            )
        )
    person = session.exec(select(Person).where(Person.email == email)).first()
    if person is None:
        waste_verification_time(password)  # unknown email: fail as slowly as a wrong password
    valid = person is not None and verify_password(person.password_hash, password)
    if person is None or not valid or person.disabled_at is not None:
        session.add(
            SignInAttempt(email_sha256=email_sha256, client_sha256=client_sha256, succeeded=False)
        )
        left = limit.max_failures - len(failures) - 1
        return SignInRefused(NotAuthenticated(WRONG_CREDENTIALS, attemptsLeft=left))
    session.add(
        SignInAttempt(email_sha256=email_sha256, client_sha256=client_sha256, succeeded=True)
    )
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
        session.add(person)
    return start_session(session, person, ttl)


def authenticate_session(session: Session, token: str) -> Actor:
    """The person a session token belongs to, as an :class:`Actor`.

    Raises
    ------
    NotAuthenticated
        Unknown, revoked or expired session, or a disabled account: sign in again.
    """
    row = session.exec(
        select(PersonSession).where(PersonSession.token_sha256 == sha256_hex(token))
    ).first()
    now = utcnow()
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated("this session is unknown or was signed out; sign in again")
    if row.expires_at <= now:
        raise NotAuthenticated("this session has expired; sign in again")
    person = session.get(Person, row.person_id)
    if person is None or person.disabled_at is not None:
        raise NotAuthenticated("this account is disabled")
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.add(row)
    partner = session.get(Partner, person.partner_id) if person.partner_id else None
    return Actor(
        partner_id=partner.id if partner else None,
        partner_name=partner.name if partner else None,
        kind=partner.kind if partner else None,
        person_id=person.id,
        role=person.role,
        session_id=row.id,
    )


def sign_out(session: Session, *, actor: Actor) -> bool:
    """Revoke the session the caller used; ``False`` if the caller used no session (an API
    key). Signing out twice is harmless."""
    if actor.session_id is None:
        return False
    row = session.get(PersonSession, actor.session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
    return True


def sign_out_everywhere(session: Session, *, person_id: int) -> int:
    """Revoke every live session of a person; returns how many were revoked."""
    rows = session.exec(
        select(PersonSession).where(
            PersonSession.person_id == person_id, col(PersonSession.revoked_at).is_(None)
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)


def count_live_sessions(session: Session, *, person_id: int) -> int:
    """Sessions of a person that are neither revoked nor expired."""
    query = select(func.count()).where(
        PersonSession.person_id == person_id,
        col(PersonSession.revoked_at).is_(None),
        col(PersonSession.expires_at) > utcnow(),
    )
    return int(session.exec(query).one())
