"""GraphQL for people's accounts: sign up, sign in, sign out (here or everywhere), viewer.

A session token comes back from ``signUp`` and ``signIn``; clients send it as
``Authorization: Bearer sess_…`` (or in the ``connection_init`` payload of a WebSocket), the
same header partners use for API keys.
"""

from __future__ import annotations

import strawberry

from marketplace.api.context import Info
from marketplace.api.permissions import IsPerson
from marketplace.api.types.people import SignedIn, ViewerType
from marketplace.models import Person
from marketplace.people.sessions import (
    SignInRefused,
    StartedSession,
    attempt_sign_in,
    sign_out,
    sign_out_everywhere,
    sign_up,
)

__all__ = ["PeopleMutation", "PeopleQuery"]


def _signed_in(started: StartedSession) -> SignedIn:
    return SignedIn(
        token=started.token,
        expires_at=started.session.expires_at,
        viewer=ViewerType.from_row(started.person),
    )


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="The signed-in person; null when anonymous or an API key.")
    async def viewer(self, info: Info) -> ViewerType | None:
        actor = await info.context.actor()
        if actor is None or actor.person_id is None:
            return None
        person_id = actor.person_id
        row = await info.context.run(lambda s: s.get(Person, person_id))
        return ViewerType.from_row(row) if row is not None else None


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(
        description="Create a resident's account and sign in. Passwords: 10 to 256 characters, "
        "not a well-known one."
    )
    async def sign_up(self, info: Info, email: str, password: str, display_name: str) -> SignedIn:
        started = await info.context.run(
            lambda s: sign_up(s, email=email, password=password, display_name=display_name)
        )
        return _signed_in(started)

    @strawberry.mutation(
        description="Sign in with email and password. After 5 failures for an email within "
        "15 minutes, sign-in is refused (RATE_LIMITED) until the window has passed."
    )
    async def sign_in(self, info: Info, email: str, password: str) -> SignedIn:
        outcome = await info.context.run(
            lambda s: attempt_sign_in(s, email=email, password=password)
        )
        # Raised only now, after the failed attempt was committed and counted.
        if isinstance(outcome, SignInRefused):
            raise outcome.error
        return _signed_in(outcome)

    @strawberry.mutation(
        description="End the session used for this request.", permission_classes=[IsPerson]
    )
    async def sign_out(self, info: Info) -> bool:
        actor = await info.context.actor()
        assert actor is not None
        return await info.context.run(lambda s: sign_out(s, actor=actor))

    @strawberry.mutation(
        description="End every session of your account (all devices); returns how many.",
        permission_classes=[IsPerson],
    )
    async def sign_out_everywhere(self, info: Info) -> int:
        actor = await info.context.actor()
        assert actor is not None and actor.person_id is not None
        person_id = actor.person_id
        return await info.context.run(lambda s: sign_out_everywhere(s, person_id=person_id))
