"""Catalogue reads: services (filtered, sorted, paged), one service, stations near a point."""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import strawberry
from sqlmodel import Session
from strawberry.types.nodes import SelectedField, Selection

from marketplace.api.catalogue.inputs import ServiceFilterInput
from marketplace.api.catalogue.loaders import partners_by_ids
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
from marketplace.catalogue.services import Page, get_service
from marketplace.db import Database
from marketplace.identity.actors import Actor
from marketplace.models import (
    MobilityService,
    Partner,
    Station,
    StationAvailability,
)

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

_PARTNER_FIELDS = frozenset({"operator", "statusChangedBy"})

_PageKey = tuple[int, int, tuple[int | None, bool] | None, int, int | None]
_PAGES: weakref.WeakKeyDictionary[
    Database, dict[_PageKey, tuple[Page[MobilityService], dict[int, Partner], bool]]
] = weakref.WeakKeyDictionary()
"""Unfiltered pages of ``services`` per database, by catalogue and credentials versions,
visibility, size and cursor (with the operators, when they were read): read and written on
the event loop only."""
_MAX_PAGES = 256


def _selects(selections: Sequence[Selection], names: frozenset[str]) -> bool:
    """Whether a field of one of ``names`` is asked for anywhere under ``selections``."""
    for selection in selections:
        if isinstance(selection, SelectedField) and selection.name in names:
            return True
        if _selects(selection.selections, names):
            return True
    return False


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
        # The operators the page shows, read in the same transaction rather than in one more
        # (the partner loader's) after it.
        operators = _selects(info.selected_fields, _PARTNER_FIELDS)

        def page_and_partners(s: Session) -> tuple[Page[MobilityService], dict[int, Partner]]:
            page = search_services(s, actor=actor, criteria=criteria, first=size, after=after_id)
            if not operators:
                return page, {}
            ids = {row.partner_id for row in page.items}
            ids |= {row.status_changed_by_id for row in page.items if row.status_changed_by_id}
            return page, partners_by_ids(s, ids)

        if filter is None:
            # The unfiltered list reads services (the catalogue version moves with them) and
            # partners (the credentials version does): a page read at the request's versions
            # is the answer for as long as both stay put.
            versions = await info.context.versions()
            visibility = None if actor is None else (actor.partner_id, actor.is_city)
            key = (versions.catalogue, versions.credentials, visibility, size, after_id)
            pages = _PAGES.setdefault(info.context.db, {})
            cached = pages.get(key)
            if cached is None or (operators and not cached[2]):
                page, partners = await info.context.run(page_and_partners)
                if len(pages) >= _MAX_PAGES:
                    pages.clear()
                # Rows read after the versions: at least as new as the key says, so never
                # used after the next change.
                pages[key] = (page, partners, operators)
            else:
                page, partners, _ = cached
        else:
            page, partners = await info.context.run(page_and_partners)
        info.context.loaders.partner.prime_many(partners)
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
