"""The Mutation root: partners manage their services, stations, prices and keys.

Every mutation runs its storage work in one transaction in a worker thread; the storage
functions record what changed and the unit of work publishes it once committed (the
planner's index and the subscriptions hear of it).
"""

from __future__ import annotations

import strawberry
from sqlmodel import Session

from marketplace.api.catalogue.inputs import (
    AvailabilityRowInput,
    CreateServiceInput,
    FreeVehicleGQLInput,
    PricingPlanGQLInput,
    StationGQLInput,
    UpdateServiceInput,
    VehicleTypeGQLInput,
)
from marketplace.api.catalogue.types import (
    FreeVehicleType,
    PricingPlanType,
    ServiceType,
    VehicleTypeType,
)
from marketplace.api.context import Info
from marketplace.api.permissions import IsPartner
from marketplace.api.relay import decode_global_id
from marketplace.catalogue.offers import set_pricing_plan, upsert_vehicle_types
from marketplace.catalogue.services import (
    change_status,
    create_service,
    get_service,
    update_service,
)
from marketplace.catalogue.stations import update_availability, upsert_stations
from marketplace.catalogue.vehicles import place_vehicles, remove_vehicles
from marketplace.identity.actors import PartnerActor, require_actor
from marketplace.models import MobilityService, ServiceStatus

__all__ = [
    "AvailabilityUpdated",
    "CatalogueMutation",
    "StationsUpserted",
    "VehiclesPlaced",
    "VehiclesRemoved",
]


@strawberry.type(description="What `upsertStations` did.")
class StationsUpserted:
    created: int
    updated: int
    service: ServiceType


@strawberry.type(description="What `updateAvailability` did (all rows or none).")
class AvailabilityUpdated:
    created: int = strawberry.field(description="Stations that had no availability before.")
    updated: int


@strawberry.type(description="What `placeVehicles` did, and the service's vehicles after it.")
class VehiclesPlaced:
    created: int
    updated: int
    vehicles: list[FreeVehicleType]
    service: ServiceType


@strawberry.type(description="What `removeVehicles` did.")
class VehiclesRemoved:
    removed: int
    service: ServiceType


async def _actor(info: Info) -> PartnerActor:
    # IsPartner ran first; require_actor narrows the type to a partner's actor.
    return require_actor(await info.context.actor())


async def _set_status(
    info: Info, id: strawberry.ID, status: ServiceStatus, expected_version: int | None
) -> ServiceType:
    _, service_id = decode_global_id(id, expected="MobilityService")
    actor = await _actor(info)
    row = await info.context.run(
        lambda s: change_status(
            s, actor=actor, service_id=service_id, status=status, expected_version=expected_version
        )
    )
    return ServiceType.from_row(row)


def _service_id(id: strawberry.ID) -> int:
    return decode_global_id(id, expected="MobilityService")[1]


@strawberry.type
class CatalogueMutation:
    @strawberry.mutation(
        description="Create a DRAFT service owned by you.", permission_classes=[IsPartner]
    )
    async def create_service(self, info: Info, input: CreateServiceInput) -> ServiceType:
        actor = await _actor(info)
        fields = input.to_domain()
        row = await info.context.run(lambda s: create_service(s, actor=actor, fields=fields))
        return ServiceType.from_row(row)

    @strawberry.mutation(
        description="Change fields of your service. Refused with CONFLICT when "
        "`expectedVersion` is not the current version (nothing is merged).",
        permission_classes=[IsPartner],
    )
    async def update_service(
        self, info: Info, id: strawberry.ID, expected_version: int, input: UpdateServiceInput
    ) -> ServiceType:
        service_id = _service_id(id)
        actor = await _actor(info)
        changes = input.changes()
        row = await info.context.run(
            lambda s: update_service(
                s,
                actor=actor,
                service_id=service_id,
                expected_version=expected_version,
                changes=changes,
            )
        )
        return ServiceType.from_row(row)

    @strawberry.mutation(
        description="Publish your draft (or lift a suspension you made; the city lifts its own).",
        permission_classes=[IsPartner],
    )
    async def publish_service(
        self, info: Info, id: strawberry.ID, expected_version: int | None = None
    ) -> ServiceType:
        return await _set_status(info, id, ServiceStatus.PUBLISHED, expected_version)

    @strawberry.mutation(
        description="Suspend a published service: yours, or any for the city.",
        permission_classes=[IsPartner],
    )
    async def suspend_service(
        self, info: Info, id: strawberry.ID, expected_version: int | None = None
    ) -> ServiceType:
        return await _set_status(info, id, ServiceStatus.SUSPENDED, expected_version)

    @strawberry.mutation(
        description="Retire your service for good.", permission_classes=[IsPartner]
    )
    async def retire_service(
        self, info: Info, id: strawberry.ID, expected_version: int | None = None
    ) -> ServiceType:
        return await _set_status(info, id, ServiceStatus.RETIRED, expected_version)

    @strawberry.mutation(
        description="Create or update stations of your service, matched on externalId. "
        "All rows are checked first; one bad row and nothing is written.",
        permission_classes=[IsPartner],
    )
    async def upsert_stations(
        self, info: Info, service_id: strawberry.ID, stations: list[StationGQLInput]
    ) -> StationsUpserted:
        sid = _service_id(service_id)
        actor = await _actor(info)
        rows = [station.to_domain() for station in stations]
        limit = info.context.settings.max_batch_size
        result = await info.context.run(
            lambda s: upsert_stations(
                s, actor=actor, service_id=sid, stations=rows, max_batch=limit
            )
        )
        return StationsUpserted(
            created=result.created,
            updated=result.updated,
            service=ServiceType.from_row(result.service),
        )

    @strawberry.mutation(
        description="Record live counts of many stations of your service in one transaction: "
        "all rows or none.",
        permission_classes=[IsPartner],
    )
    async def update_availability(
        self, info: Info, service_id: strawberry.ID, availability: list[AvailabilityRowInput]
    ) -> AvailabilityUpdated:
        sid = _service_id(service_id)
        actor = await _actor(info)
        rows = [row.to_domain() for row in availability]
        limit = info.context.settings.max_batch_size
        result = await info.context.run(
            lambda s: update_availability(
                s, actor=actor, service_id=sid, rows=rows, max_batch=limit
            )
        )
        return AvailabilityUpdated(created=result.created, updated=result.updated)

    @strawberry.mutation(
        description="Create or replace a pricing plan of your service (matched on externalId).",
        permission_classes=[IsPartner],
    )
    async def set_pricing_plan(
        self, info: Info, service_id: strawberry.ID, plan: PricingPlanGQLInput
    ) -> PricingPlanType:
        sid = _service_id(service_id)
        actor = await _actor(info)
        value = plan.to_domain()
        row, _ = await info.context.run(
            lambda s: set_pricing_plan(s, actor=actor, service_id=sid, plan=value)
        )
        return PricingPlanType.from_row(row)

    @strawberry.mutation(
        description="Create or update vehicle types of your service (matched on externalId).",
        permission_classes=[IsPartner],
    )
    async def set_vehicle_types(
        self, info: Info, service_id: strawberry.ID, vehicle_types: list[VehicleTypeGQLInput]
    ) -> list[VehicleTypeType]:
        sid = _service_id(service_id)
        actor = await _actor(info)
        values = [v.to_domain() for v in vehicle_types]
        rows, _ = await info.context.run(
            lambda s: upsert_vehicle_types(s, actor=actor, service_id=sid, vehicle_types=values)
        )
        return [VehicleTypeType.from_row(row) for row in rows]

    @strawberry.mutation(
        description="Place or move free-floating vehicles of your service (matched on "
        "externalId; the others stay where they are). Each must stand inside the service "
        "zone and outside its no-parking areas; one bad row and nothing is written.",
        permission_classes=[IsPartner],
    )
    async def place_vehicles(
        self, info: Info, service_id: strawberry.ID, vehicles: list[FreeVehicleGQLInput]
    ) -> VehiclesPlaced:
        sid = _service_id(service_id)
        actor = await _actor(info)
        rows = [vehicle.to_domain() for vehicle in vehicles]
        limit = info.context.settings.max_batch_size
        result = await info.context.run(
            lambda s: place_vehicles(s, actor=actor, service_id=sid, vehicles=rows, max_batch=limit)
        )
        return VehiclesPlaced(
            created=result.created,
            updated=result.updated,
            vehicles=[FreeVehicleType.from_row(v) for v in result.vehicles],
            service=ServiceType.from_row(result.service),
        )

    @strawberry.mutation(
        description="Take free-floating vehicles of your service off the map, by externalId "
        "(all known, or nothing is removed).",
        permission_classes=[IsPartner],
    )
    async def remove_vehicles(
        self, info: Info, service_id: strawberry.ID, external_ids: list[str]
    ) -> VehiclesRemoved:
        sid = _service_id(service_id)
        actor = await _actor(info)

        def remove(session: Session) -> tuple[int, MobilityService]:
            removed = remove_vehicles(
                session, actor=actor, service_id=sid, external_ids=external_ids
            )
            return removed, get_service(session, actor=actor, service_id=sid)

        removed, row = await info.context.run(remove)
        return VehiclesRemoved(removed=removed, service=ServiceType.from_row(row))
