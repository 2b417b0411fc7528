"""Identity mutations: partners' API keys, and people's accounts (sign up, confirm, sign in,
sign out here or everywhere).

``signUp`` answers alike whether or not the email is registered and returns no token: the
confirmation link sent to the address carries one, which ``confirmSignUp`` exchanges for
the new account's first session (see :mod:`marketplace.identity.signup`).

A session token comes back from ``confirmSignUp`` and ``signIn``; clients send it as
``Authorization: Bearer sess_…`` (or in the ``connection_init`` payload of a WebSocket), the
same header partners use for API keys.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from marketplace.api.context import Info
from marketplace.api.identity.types import (
    ApiKeyType,
    CreatedApiKey,
    SignedIn,
    SignUpRequested,
    ViewerType,
)
from marketplace.api.permissions import IsPartner, IsPerson
from marketplace.api.relay import decode_global_id
from marketplace.identity.actors import PartnerActor, require_actor
from marketplace.identity.partners import create_api_key, revoke_api_key
from marketplace.identity.sessions import (
    SignInRefused,
    StartedSession,
    attempt_sign_in,
    sign_out,
    sign_out_everywhere,
)
from marketplace.identity.signup import confirm_sign_up, request_sign_up

__all__ = ["ApiKeyMutation", "PeopleMutation"]


def _signed_in(started: StartedSession) -> SignedIn:
    return SignedIn(
        token=started.token,
        expires_at=started.session.expires_at,
        viewer=ViewerType.from_row(started.person),
    )


async def _partner(info: Info) -> PartnerActor:
    # IsPartner ran first; require_actor narrows the type to a partner's actor.
    return require_actor(await info.context.actor())


@strawberry.type
class ApiKeyMutation:
    @strawberry.mutation(
        description="Issue a new API key for your organisation; its secret is shown once.",
        permission_classes=[IsPartner],
    )
    async def create_api_key(
        self, info: Info, name: str = "default", expires_at: datetime | None = None
    ) -> CreatedApiKey:
        actor = await _partner(info)
        created = await info.context.run(
            lambda s: create_api_key(
                s, partner_id=actor.partner_id, name=name, expires_at=expires_at
            )
        )
        return CreatedApiKey(api_key=ApiKeyType.from_row(created.key), secret=created.token)

    @strawberry.mutation(
        description="Revoke one of your API keys; it is refused from then on.",
        permission_classes=[IsPartner],
    )
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyType:
        _, key_id = decode_global_id(id, expected="ApiKey")
        actor = await _partner(info)
        row = await info.context.run(lambda s: revoke_api_key(s, actor=actor, key_id=key_id))
        return ApiKeyType.from_row(row)


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(
        description="Ask for a resident's account. Always answers the same for a valid input, "
        "whether or not the email has an account; a message goes to the address (a link to "
        "confirm a new account, valid 24 hours, or a notice that an account exists). "
        "Passwords: 10 to 256 characters, not a well-known one. At most 3 sign-ups per email "
        "and 20 per client address an hour (RATE_LIMITED)."
    )
    async def sign_up(
        self, info: Info, email: str, password: str, display_name: str
    ) -> SignUpRequested:
        client = info.context.connection.client
        public_url = info.context.settings.public_url
        accepted = await info.context.run(
            lambda s: request_sign_up(
                s,
                email=email,
                password=password,
                display_name=display_name,
                public_url=public_url,
                client=client.host if client else None,
                language=info.context.language,
            )
        )
        return SignUpRequested(email=accepted.email, message=accepted.message)

    @strawberry.mutation(
        description="Follow the link of a sign-up message: creates the resident's account and "
        "signs in. BAD_USER_INPUT for an unknown, used or expired link."
    )
    async def confirm_sign_up(self, info: Info, token: str) -> SignedIn:
        started = await info.context.run(lambda s: confirm_sign_up(s, token=token))
        return _signed_in(started)

    @strawberry.mutation(
        description="Sign in with email and password. After 5 failures for an email from one "
        "address within 15 minutes, sign-in from that address is refused (RATE_LIMITED) until "
        "the window has passed; other addresses are not affected."
    )
    async def sign_in(self, info: Info, email: str, password: str) -> SignedIn:
        client = info.context.connection.client
        host = client.host if client else None
        outcome = await info.context.run(
            lambda s: attempt_sign_in(s, email=email, password=password, client=host)
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
