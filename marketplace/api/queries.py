"""The Query root: catalogue reads, partners, and the caller's own account."""

from __future__ import annotations

import strawberry
from sqlmodel import Session

from marketplace.api.community_paging import decode_keyset_cursor, keyset_connection
from marketplace.api.community_queries import COMMUNITY_NODE_TYPES, load_community_node
from marketplace.api.context import Info
from marketplace.api.inputs import ServiceFilterInput
from marketplace.api.permissions import IsPartner
from marketplace.api.relay import (
    Connection,
    Node,
    check_page_size,
    decode_cursor,
    decode_global_id,
    make_connection,
)
from marketplace.api.types import ApiKeyType, PartnerType, ServiceType, StationNear, StationType
from marketplace.catalogue.access import can_view
from marketplace.catalogue.search import (
    ServiceFilter,
    ServiceSort,
    search_services,
    sorted_services,
    stations_near,
)
from marketplace.catalogue.services import get_service
from marketplace.errors import InvalidInput
from marketplace.identity.actors import Actor
from marketplace.identity.partners import list_api_keys, list_partners
from marketplace.models import ApiKey, MobilityService, Partner, Station, StationAvailability

__all__ = ["Query", "load_node"]


def load_node(session: Session, actor: Actor | None, type_name: str, db_id: int) -> Node | None:
    """The object behind a global id, if the caller may see it."""
    if type_name == "MobilityService":
        service = session.get(MobilityService, db_id)
        return ServiceType.from_row(service) if service and can_view(actor, service) else None
    if type_name == "Station":
        station = session.get(Station, db_id)
        service = session.get(MobilityService, station.service_id) if station else None
        if station is None or service is None or not can_view(actor, service):
            return None
        return StationType.from_row(station, session.get(StationAvailability, db_id))
    if type_name == "Partner":
        partner = session.get(Partner, db_id)
        return PartnerType.from_row(partner) if partner else None
    if type_name == "ApiKey":
        key = session.get(ApiKey, db_id)
        mine = key is not None and actor is not None and key.partner_id == actor.partner_id
        return ApiKeyType.from_row(key) if key is not None and mine else None
    if type_name in COMMUNITY_NODE_TYPES:
        return load_community_node(session, actor, type_name, db_id)
    raise InvalidInput(f"{type_name!r} has no global ids in this API")


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id; null if unknown or hidden.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, db_id = decode_global_id(id)
        actor = await info.context.actor()
        return await info.context.run(load_node, actor, type_name, db_id)

    @strawberry.field(
        description="Services you may see, by id unless sorted otherwise. Without a status "
        "filter: published ones. Cursors belong to one sort: page with the same `sort`."
    )
    async def services(
        self,
        info: Info,
        filter: ServiceFilterInput | None = None,
        first: int | None = None,
        after: str | None = None,
        sort: ServiceSort = ServiceSort.ID,
    ) -> Connection[ServiceType]:
        settings = info.context.settings
        size = check_page_size(
            first, default=settings.default_page_size, maximum=settings.max_page_size
        )
        criteria = filter.to_domain() if filter else ServiceFilter()
        actor = await info.context.actor()
        if sort is not ServiceSort.ID:
            after_key = decode_keyset_cursor(after)
            keyset = await info.context.run(
                lambda s: sorted_services(
                    s, actor=actor, criteria=criteria, sort=sort, first=size, after=after_key
                )
            )
            return keyset_connection(keyset, ServiceType.from_row, after=after_key)
        after_id = decode_cursor(after)
        page = await info.context.run(
            lambda s: search_services(s, actor=actor, criteria=criteria, first=size, after=after_id)
        )
        return make_connection(
            [ServiceType.from_row(row) for row in page.items],
            db_id=lambda node: node.db_id,
            total=page.total,
            has_next_page=page.has_next_page,
            after=after_id,
        )

    @strawberry.field(description="One service; NOT_FOUND if unknown or not yours to see.")
    async def service(self, info: Info, id: strawberry.ID) -> ServiceType:
        _, db_id = decode_global_id(id, expected="MobilityService")
        actor = await info.context.actor()
        row = await info.context.run(lambda s: get_service(s, actor=actor, service_id=db_id))
        return ServiceType.from_row(row)

    @strawberry.field(description="Stations of published services near a point, nearest first.")
    async def stations_near(
        self,
        info: Info,
        lat: float,
        lon: float,
        radius_m: float,
        first: int | None = None,
    ) -> list[StationNear]:
        settings = info.context.settings
        size = check_page_size(
            first, default=settings.default_page_size, maximum=settings.max_page_size
        )
        hits = await info.context.run(
            lambda s: stations_near(s, lat=lat, lon=lon, radius_m=radius_m, limit=size)
        )
        return [
            StationNear(
                station=StationType.from_row(hit.station, hit.availability),
                distance_m=round(hit.distance_m, 1),
            )
            for hit in hits
        ]

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
