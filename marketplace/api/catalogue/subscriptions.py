"""The catalogue subscriptions (graphql-transport-ws): live service and availability changes.

A subscriber receives only events about services it may see: published ones, its own, and
for the city, every service that is not a draft.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from marketplace.api.catalogue.types import ServiceStatus, ServiceType
from marketplace.api.context import Info
from marketplace.api.relay import decode_global_id, encode_global_id
from marketplace.catalogue.services import get_service
from marketplace.errors import NotFound
from marketplace.events.catalogue import CatalogueEvent, ChangeKind
from marketplace.identity.actors import Actor

__all__ = ["AvailabilityChange", "CatalogueSubscription", "ServiceChange"]

strawberry.enum(ChangeKind, description="What changed about a service.")


@strawberry.type(description="A committed change to a service you may see.")
class ServiceChange:
    change: ChangeKind
    service_id: strawberry.ID
    status: ServiceStatus
    version: int
    at: datetime
    viewer: strawberry.Private[Actor | None]
    db_id: strawberry.Private[int]

    @strawberry.field(description="The service as it is now; null if you may no longer see it.")
    async def service(self, info: Info) -> ServiceType | None:
        actor = self.viewer
        try:
            row = await info.context.run(
                lambda s: get_service(s, actor=actor, service_id=self.db_id)
            )
        except NotFound:
            return None
        return ServiceType.from_row(row)


@strawberry.type(description="New live counts at some stations of a service.")
class AvailabilityChange:
    service_id: strawberry.ID
    station_ids: list[strawberry.ID]
    at: datetime


def _may_see(actor: Actor | None, event: CatalogueEvent) -> bool:
    if event.published:
        return True
    if actor is None:
        return False
    if event.partner_id == actor.partner_id:
        return True
    return actor.is_city and event.status is not ServiceStatus.DRAFT


def _wanted(event: CatalogueEvent, service_db_id: int | None) -> bool:
    return service_db_id is None or event.service_id == service_db_id


@strawberry.type
class CatalogueSubscription:
    @strawberry.subscription(
        description="Changes to services (fields, status, stations, prices): all you may see, "
        "or one service."
    )
    async def service_changed(
        self, info: Info, service_id: strawberry.ID | None = None
    ) -> AsyncGenerator[ServiceChange, None]:
        wanted = decode_global_id(service_id, "MobilityService")[1] if service_id else None
        actor = await info.context.actor()
        async for event in info.context.live.listen():
            if event.kind is ChangeKind.AVAILABILITY or not _wanted(event, wanted):
                continue
            if _may_see(actor, event):
                yield ServiceChange(
                    change=event.kind,
                    service_id=encode_global_id("MobilityService", event.service_id),
                    status=event.status,
                    version=event.version,
                    at=event.at,
                    viewer=actor,
                    db_id=event.service_id,
                )

    @strawberry.subscription(description="Live availability updates, of all or one service.")
    async def availability_changed(
        self, info: Info, service_id: strawberry.ID | None = None
    ) -> AsyncGenerator[AvailabilityChange, None]:
        wanted = decode_global_id(service_id, "MobilityService")[1] if service_id else None
        actor = await info.context.actor()
        async for event in info.context.live.listen():
            if event.kind is not ChangeKind.AVAILABILITY or not _wanted(event, wanted):
                continue
            if _may_see(actor, event):
                yield AvailabilityChange(
                    service_id=encode_global_id("MobilityService", event.service_id),
                    station_ids=[encode_global_id("Station", i) for i in event.station_ids],
                    at=event.at,
                )
