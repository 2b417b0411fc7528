"""Sign-up confirmed by email, answering alike whether or not the email is registered.

``signUp`` never says whether an address has an account: it checks the input (email
format, password rules, display name; these say nothing about who is registered), hashes
the password in every case (so both cases cost the same), and answers the same message.
What differs goes only to the mailbox, through the outbox (:mod:`marketplace.identity.outbox`):

- a fresh address gets a confirmation link; following it (``confirmSignUp``) creates the
  resident's account with the password given at sign-up and signs them in. Until then
  there is no account, and signing in fails like for an unknown email;
- a registered address gets a notice that someone tried to sign up with it, with no token:
  nothing in a sign-up grants access to an existing account.

Messages are written in the language the person signed up in (``language``).

Sign-ups are rate-limited per email (so nobody floods a mailbox) and per client address,
counted for registered and fresh emails alike.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from marketplace.errors import InvalidInput, RateLimited
from marketplace.i18n import Language, Message, render
from marketplace.identity.credentials import (
    check_display_name,
    check_password,
    hash_password,
    normalise_email,
    sha256_hex,
)
from marketplace.identity.outbox import queue_message
from marketplace.identity.sessions import DEFAULT_SESSION_TTL, StartedSession, start_session
from marketplace.models import Person, PersonRole, SignUpAttempt, SignUpRequest, utcnow

__all__ = [
    "CONFIRMATION_PREFIX",
    "CONFIRMATION_TTL",
    "DEFAULT_SIGN_UP_LIMIT",
    "SIGN_UP_ACCEPTED",
    "SignUpAccepted",
    "SignUpLimit",
    "confirm_sign_up",
    "request_sign_up",
]

CONFIRMATION_PREFIX = "conf_"
CONFIRMATION_TTL = timedelta(hours=24)
SIGN_UP_ACCEPTED = render("en", "signup.accepted")
INVALID_LINK = Message("signup.invalid_link")


@dataclass(frozen=True, slots=True)
class SignUpLimit:
    """At most ``per_email`` sign-ups for one email and ``per_client`` from one client
    address within ``window``."""

    per_email: int = 3
    per_client: int = 20
    window: timedelta = timedelta(hours=1)


DEFAULT_SIGN_UP_LIMIT = SignUpLimit()


@dataclass(frozen=True, slots=True)
class SignUpAccepted:
    """The answer to every valid sign-up, registered email or not."""

    email: str
    language: Language = "en"

    @property
    def message(self) -> str:
        return render(self.language, "signup.accepted")


def _check_rate(session: Session, keys: list[tuple[str, int, Message]], limit: SignUpLimit) -> None:
    since = utcnow() - limit.window
    hashes = [key for key, _, _ in keys]
    session.exec(
        delete(SignUpAttempt).where(
            col(SignUpAttempt.key_sha256).in_(hashes), col(SignUpAttempt.at) < since
        )
    )
    for key, most, what in keys:
        query = select(func.count(), func.min(SignUpAttempt.at)).where(
            SignUpAttempt.key_sha256 == key, col(SignUpAttempt.at) >= since
        )
        count, oldest = session.exec(query).one()
        if int(count) >= most:
            wait = (oldest + limit.window - utcnow()) if oldest else limit.window
            minutes = max(1, int(wait.total_seconds() // 60) + 1)
            raise RateLimited(
                Message("signup.rate_limited", {"what": what, "minutes": minutes}),
                retryAfterSeconds=max(1, int(wait.total_seconds())),
            )
    for key in hashes:
        session.add(SignUpAttempt(key_sha256=key))


def request_sign_up(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    public_url: str,
    client: str | None = None,
    limit: SignUpLimit = DEFAULT_SIGN_UP_LIMIT,
    language: Language = "fr",
) -> SignUpAccepted:
    """Ask for a resident's account; the answer is the same whether the email is free or
    registered, and what differs is only in the message queued for that address.

    Parameters
    ----------
    public_url
        Base of the confirmation link (from settings, never from the request).
    client
        The caller's address, for the per-client limit; ``None`` skips that limit.
    language
        The language the person signs up in: their message and the answer are in it.

    Raises
    ------
    InvalidInput
        Malformed email, weak password, bad display name.
    RateLimited
        Too many sign-ups for this email or from this client lately.
    """
    email = normalise_email(email)
    check_password(password, email=email)
    name = check_display_name(display_name)
    keys = [(sha256_hex(f"email:{email}"), limit.per_email, Message("signup.for_this_email"))]
    if client:
        address = Message("signup.from_your_address")
        keys.append((sha256_hex(f"ip:{client}"), limit.per_client, address))
    _check_rate(session, keys, limit)
    # Hashed in both cases, so a registered email answers as slowly as a fresh one.
    password_hash = hash_password(password)
    registered = session.exec(select(Person.id).where(Person.email == email)).first()
    session.exec(  # expired links of this email are of no use any more
        delete(SignUpRequest).where(
            col(SignUpRequest.email) == email, col(SignUpRequest.expires_at) <= utcnow()
        )
    )
    base = public_url.rstrip("/")
    if registered is not None:
        queue_message(
            session,
            to=email,
            kind="sign_up_existing_account",
            subject=render(language, "email.existing.subject"),
            body=render(language, "email.existing.body", link=f"{base}/#/account"),
        )
        return SignUpAccepted(email=email, language=language)
    token = CONFIRMATION_PREFIX + secrets.token_urlsafe(32)
    session.add(
        SignUpRequest(
            email=email,
            display_name=name,
            password_hash=password_hash,
            token_sha256=sha256_hex(token),
            expires_at=utcnow() + CONFIRMATION_TTL,
        )
    )
    queue_message(
        session,
        to=email,
        kind="sign_up_confirmation",
        subject=render(language, "email.confirm.subject"),
        body=render(
            language,
            "email.confirm.body",
            name=name,
            link=f"{base}/#/account/confirm?token={token}",
        ),
    )
    return SignUpAccepted(email=email, language=language)


def confirm_sign_up(
    session: Session, *, token: str, ttl: timedelta = DEFAULT_SESSION_TTL
) -> StartedSession:
    """Create the account of a confirmed sign-up and sign its resident in.

    Every pending sign-up of that email is then discarded (only one link creates the
    account).

    Raises
    ------
    InvalidInput
        Unknown, used or expired link, or the email got an account in the meantime.
    """
    request = session.exec(
        select(SignUpRequest).where(SignUpRequest.token_sha256 == sha256_hex(token.strip()))
    ).first()
    if request is None or request.expires_at <= utcnow():
        raise InvalidInput(INVALID_LINK, field="token")
    email = request.email
    session.exec(delete(SignUpRequest).where(col(SignUpRequest.email) == email))
    if session.exec(select(Person.id).where(Person.email == email)).first() is not None:
        raise InvalidInput(INVALID_LINK, field="token")
    person = Person(
        email=email,
        display_name=request.display_name,
        password_hash=request.password_hash,
        role=PersonRole.RESIDENT,
    )
    session.add(person)
    try:
        session.flush()
    except IntegrityError:  # confirmed twice at the same moment
        raise InvalidInput(INVALID_LINK, field="token") from None
    return start_session(session, person, ttl)
