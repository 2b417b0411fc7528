"""``node(id)``: any object by its global id, each domain loading its own types."""

from __future__ import annotations

import strawberry
from sqlmodel import Session

from marketplace.api.catalogue.queries import CATALOGUE_NODE_TYPES, load_catalogue_node
from marketplace.api.community.queries import COMMUNITY_NODE_TYPES, load_community_node
from marketplace.api.context import Info
from marketplace.api.identity.queries import IDENTITY_NODE_TYPES, load_identity_node
from marketplace.api.relay import Node, decode_global_id
from marketplace.errors import InvalidInput, NotFound
from marketplace.identity.actors import Actor

__all__ = ["NodeQuery", "load_node"]


def load_node(session: Session, actor: Actor | None, type_name: str, db_id: int) -> Node | None:
    """The object behind a global id, if the caller may see it."""
    if type_name in CATALOGUE_NODE_TYPES:
        return load_catalogue_node(session, actor, type_name, db_id)
    if type_name in IDENTITY_NODE_TYPES:
        return load_identity_node(session, actor, type_name, db_id)
    if type_name in COMMUNITY_NODE_TYPES:
        return load_community_node(session, actor, type_name, db_id)
    raise InvalidInput(f"{type_name!r} has no global ids in this API")


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null if unknown or hidden.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        try:
            type_name, db_id = decode_global_id(id)
        except NotFound:
            return None  # a well-formed id no row can have: unknown, like any other
        actor = await info.context.actor()
        return await info.context.run(load_node, actor, type_name, db_id)
