"""Who is who: partner organisations, the caller's partner and API keys, the signed-in
person; and the partner and API key objects behind global ids."""

from __future__ import annotations

import strawberry
from sqlmodel import Session

from marketplace.api.context import Info
from marketplace.api.identity.types import ApiKeyType, PartnerType, ViewerType
from marketplace.api.permissions import IsPartner
from marketplace.api.relay import Node
from marketplace.identity.actors import Actor
from marketplace.identity.partners import list_api_keys, list_partners
from marketplace.models import ApiKey, Partner, Person

__all__ = ["IDENTITY_NODE_TYPES", "PartnerQuery", "PeopleQuery", "load_identity_node"]

IDENTITY_NODE_TYPES = frozenset({"Partner", "ApiKey"})


def load_identity_node(
    session: Session, actor: Actor | None, type_name: str, db_id: int
) -> Node | None:
    """The partner, or the caller's own API key, behind a global id."""
    if type_name == "Partner":
        partner = session.get(Partner, db_id)
        return PartnerType.from_row(partner) if partner else None
    key = session.get(ApiKey, db_id)
    mine = key is not None and actor is not None and key.partner_id == actor.partner_id
    return ApiKeyType.from_row(key) if key is not None and mine else None


@strawberry.type
class PartnerQuery:
    @strawberry.field(description="Every partner organisation, by name.")
    async def partners(self, info: Info) -> list[PartnerType]:
        rows = await info.context.run(list_partners)
        return [PartnerType.from_row(row) for row in rows]

    @strawberry.field(description="The partner of the API key sent; null when anonymous.")
    async def me(self, info: Info) -> PartnerType | None:
        actor = await info.context.actor()
        if actor is None or actor.partner_id is None:  # anonymous, or a person without partner
            return None
        row = await info.context.loaders.partner.load(actor.partner_id)
        return PartnerType.from_row(row) if row is not None else None

    @strawberry.field(
        description="Your API keys (never their secrets), newest first.",
        permission_classes=[IsPartner],
    )
    async def api_keys(self, info: Info) -> list[ApiKeyType]:
        actor = await info.context.actor()
        assert actor is not None
        rows = await info.context.run(lambda s: list_api_keys(s, actor=actor))
        return [ApiKeyType.from_row(row) for row in rows]


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
