"""Who is calling: the bearer token of a request, and the partner or person it stands for.

Shared by the GraphQL context and the plain HTTP routes (exports, feeds), so both read the
``Authorization`` header the same way and neither builds the other's request objects.
"""

from __future__ import annotations

from sqlmodel import Session

from marketplace.db import Database
from marketplace.errors import NotAuthenticated
from marketplace.events.version import Versions
from marketplace.identity.actors import Actor
from marketplace.identity.key_cache import api_key_cache
from marketplace.identity.partners import authenticate
from marketplace.identity.sessions import authenticate_session, is_session_token

__all__ = [
    "authenticate_bearer",
    "authenticate_token",
    "authenticate_token_versioned",
    "bearer_token_of",
]


def bearer_token_of(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` value; ``None`` when none was sent.

    Raises
    ------
    NotAuthenticated
        A value that is not a bearer token.
    """
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Authorization must read 'Bearer <API key>'")
    return token.strip()


def authenticate_bearer(session: Session, token: str) -> Actor:
    """The person (``sess_…`` tokens) or partner (API keys) ``token`` belongs to.

    Raises
    ------
    NotAuthenticated
        The token is unknown, revoked or expired: a bad token is never taken as anonymous.
    """
    if is_session_token(token):
        return authenticate_session(session, token)
    return authenticate(session, token)


def authenticate_token(db: Database, token: str) -> Actor:
    """:func:`authenticate_bearer` for a request (blocking: call it in a worker thread): API
    keys through the process's cache (:mod:`marketplace.identity.key_cache`), which reads
    their rows only when credentials changed since it last did; sessions in a transaction.

    Raises
    ------
    NotAuthenticated
        The token is unknown, revoked or expired: a bad token is never taken as anonymous.
    """
    return authenticate_token_versioned(db, token)[0]


def authenticate_token_versioned(db: Database, token: str) -> tuple[Actor, Versions | None]:
    """:func:`authenticate_token`, and the versions an API key was checked at (``None`` for
    sessions, which read none).

    Raises
    ------
    NotAuthenticated
    """
    if is_session_token(token):
        return db.call(authenticate_session, token), None
    return api_key_cache(db).authenticate_versioned(token)
