"""Catalogue reads: services (filtered, sorted, paged), one service, stations near a point."""

from __future__ import annotations

import strawberry
from sqlmodel import Session

from marketplace.api.catalogue.inputs import ServiceFilterInput
from marketplace.api.catalogue.types import ServiceType, StationNear, StationType
from marketplace.api.context import Info
from marketplace.api.paging import decode_keyset_cursor, keyset_connection
from marketplace.api.relay import (
    Connection,
    Node,
    check_page_size,
    decode_cursor,
    decode_global_id,
    make_connection,
)
from marketplace.catalogue.access import can_view
from marketplace.catalogue.search import (
    ServiceFilter,
    ServiceSort,
    search_services,
    sorted_services,
    stations_near,
)
from marketplace.catalogue.services import get_service
from marketplace.identity.actors import Actor
from marketplace.models import MobilityService, Station, StationAvailability

__all__ = ["CATALOGUE_NODE_TYPES", "CatalogueQuery", "load_catalogue_node"]


def load_catalogue_node(
    session: Session, actor: Actor | None, type_name: str, db_id: int
) -> Node | None:
    """The service or station behind a global id, if the caller may see it."""
    if type_name == "MobilityService":
        service = session.get(MobilityService, db_id)
        return ServiceType.from_row(service) if service and can_view(actor, service) else None
    station = session.get(Station, db_id)
    service = session.get(MobilityService, station.service_id) if station else None
    if station is None or service is None or not can_view(actor, service):
        return None
    return StationType.from_row(station, session.get(StationAvailability, db_id))


CATALOGUE_NODE_TYPES = frozenset({"MobilityService", "Station"})


@strawberry.type
class CatalogueQuery:
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
