"""GraphQL types of partners and API keys."""

from __future__ import annotations

from datetime import datetime

import strawberry

from marketplace.api.relay import Node, encode_global_id
from marketplace.api.types.enums import PartnerKind
from marketplace.models import ApiKey, Partner

__all__ = ["ApiKeyType", "CreatedApiKey", "PartnerType"]


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
