"""GraphQL types of identity: partners, API keys, people and their sessions."""

from __future__ import annotations

from datetime import datetime

import strawberry

from marketplace.api.context import Info
from marketplace.api.relay import Node, encode_global_id
from marketplace.models import ApiKey, Partner, PartnerKind, Person, PersonRole

__all__ = [
    "ApiKeyType",
    "CreatedApiKey",
    "PartnerType",
    "PersonRole",
    "PersonType",
    "SignUpRequested",
    "SignedIn",
    "ViewerType",
]

strawberry.enum(PartnerKind, description="Kind of organisation; CITY partners oversee.")


@strawberry.type(name="Partner", description="An organisation on the platform.")
class PartnerType(Node):
    id: strawberry.ID
    name: str
    kind: PartnerKind
    created_at: datetime
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Partner) -> PartnerType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Partner", row.id),
            name=row.name,
            kind=row.kind,
            created_at=row.created_at,
            db_id=row.id,
        )


@strawberry.type(
    name="ApiKey",
    description="One of your API keys. The secret is shown once, by `createApiKey`.",
)
class ApiKeyType(Node):
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="Public part of the key: `issy_<prefix>_…`.")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = strawberry.field(
        description="Last time the key was used (to the minute)."
    )

    @classmethod
    def from_row(cls, row: ApiKey) -> ApiKeyType:
        assert row.id is not None
        return cls(
            id=encode_global_id("ApiKey", row.id),
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


@strawberry.type(description="A new API key and its secret, shown this once only.")
class CreatedApiKey:
    api_key: ApiKeyType
    secret: str = strawberry.field(
        description="Send it as `Authorization: Bearer <secret>`. It cannot be shown again."
    )


strawberry.enum(
    PersonRole,
    description="RESIDENT, PARTNER_MEMBER (acts for its partner), PLANNER (city traffic "
    "planner), ADMIN (city administrator and moderator).",
)


@strawberry.type(name="Person", description="A person's public profile (never their email).")
class PersonType:
    id: strawberry.ID
    display_name: str
    role: PersonRole

    @classmethod
    def from_row(cls, row: Person) -> PersonType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Person", row.id), display_name=row.display_name, role=row.role
        )


@strawberry.type(name="Viewer", description="The signed-in person's own account.")
class ViewerType:
    id: strawberry.ID
    email: str
    display_name: str
    role: PersonRole
    created_at: datetime
    partner_db_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Person) -> ViewerType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Person", row.id),
            email=row.email,
            display_name=row.display_name,
            role=row.role,
            created_at=row.created_at,
            partner_db_id=row.partner_id,
        )

    @strawberry.field(description="The partner a partner member acts for.")
    async def partner(self, info: Info) -> PartnerType | None:
        if self.partner_db_id is None:
            return None
        row = await info.context.loaders.partner.load(self.partner_db_id)
        return PartnerType.from_row(row) if row is not None else None


@strawberry.type(description="A new session: send the token as `Authorization: Bearer <token>`.")
class SignedIn:
    token: str = strawberry.field(description="Shown once; keep it secret, like a password.")
    expires_at: datetime
    viewer: ViewerType


@strawberry.type(
    description="The answer to every valid sign-up, whether or not the email already has an "
    "account: what happens next is in the message sent to that address (a confirmation link "
    "for a new account, a notice for an existing one)."
)
class SignUpRequested:
    email: str = strawberry.field(description="The email, normalised (trimmed, lower-cased).")
    message: str = strawberry.field(description="What to do next, for people to read.")
