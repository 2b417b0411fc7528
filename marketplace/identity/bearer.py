"""Who is calling: the bearer token of a request, and the partner or person it stands for.

Shared by the GraphQL context and the plain HTTP routes (exports, feeds), so both read the
``Authorization`` header the same way and neither builds the other's request objects.
"""

from __future__ import annotations

from sqlmodel import Session

from marketplace.errors import NotAuthenticated
from marketplace.identity.actors import Actor
from marketplace.identity.partners import authenticate
from marketplace.identity.sessions import authenticate_session, is_session_token

__all__ = ["authenticate_bearer", "bearer_token_of"]


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
