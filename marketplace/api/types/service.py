"""The GraphQL type of a mobility service."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from marketplace.api.context import Info
from marketplace.api.relay import Node, encode_global_id
from marketplace.api.types.enums import ServiceKind, ServiceStatus
from marketplace.api.types.offer import PricingPlanType, VehicleTypeType
from marketplace.api.types.partner import PartnerType
from marketplace.api.types.rating import ServiceRatingType
from marketplace.api.types.station import StationType
from marketplace.catalogue.validation import load_opening_hours
from marketplace.models import MobilityService

__all__ = ["OpeningPeriodType", "ServiceType"]


@strawberry.type(name="OpeningPeriod", description="Open from `opens` to `closes` on `day`.")
class OpeningPeriodType:
    day: str = strawberry.field(description="MONDAY … SUNDAY.")
    opens: str = strawberry.field(description="HH:MM, local time.")
    closes: str = strawberry.field(description="HH:MM, local time; 24:00 ends the day.")


@strawberry.type(name="MobilityService", description="A mobility service of a partner.")
class ServiceType(Node):
    id: strawberry.ID
    kind: ServiceKind
    name: str
    description: str
    website: str | None
    booking_url: str | None
    status: ServiceStatus
    status_changed_at: datetime
    service_area: JSON | None = strawberry.field(
        description="GeoJSON Polygon or MultiPolygon, [longitude, latitude] (WGS 84)."
    )
    no_parking_area: JSON | None = strawberry.field(
        description="Where rides may not end (GeoJSON, from GBFS geofencing or the partner)."
    )
    opening_hours: list[OpeningPeriodType] | None = strawberry.field(
        description="Weekly opening periods; null means always open."
    )
    wheelchair_accessible: bool
    co2_g_per_km: float | None = strawberry.field(
        name="co2GPerKm", description="Grams of CO2 per passenger-kilometre."
    )
    version: int = strawberry.field(
        description="Grows on every change; send it back as `expectedVersion` when updating."
    )
    created_at: datetime
    updated_at: datetime
    db_id: strawberry.Private[int]
    partner_db_id: strawberry.Private[int]
    status_changed_by_db_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: MobilityService) -> ServiceType:
        assert row.id is not None
        hours = load_opening_hours(row.opening_hours)
        return cls(
            id=encode_global_id("MobilityService", row.id),
            kind=row.kind,
            name=row.name,
            description=row.description,
            website=row.website,
            booking_url=row.booking_url,
            status=row.status,
            status_changed_at=row.status_changed_at,
            service_area=json.loads(row.service_area) if row.service_area else None,
            no_parking_area=json.loads(row.no_parking_area) if row.no_parking_area else None,
            opening_hours=None
            if hours is None
            else [OpeningPeriodType(day=p.day, opens=p.opens, closes=p.closes) for p in hours],
            wheelchair_accessible=row.wheelchair_accessible,
            co2_g_per_km=row.co2_g_per_km,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            db_id=row.id,
            partner_db_id=row.partner_id,
            status_changed_by_db_id=row.status_changed_by_id,
        )

    @strawberry.field(description="The partner that runs the service.")
    async def operator(self, info: Info) -> PartnerType:
        row = await info.context.loaders.partner.load(self.partner_db_id)
        assert row is not None  # foreign key
        return PartnerType.from_row(row)

    @strawberry.field(description="Who made the last status change.")
    async def status_changed_by(self, info: Info) -> PartnerType | None:
        if self.status_changed_by_db_id is None:
            return None
        row = await info.context.loaders.partner.load(self.status_changed_by_db_id)
        return PartnerType.from_row(row) if row is not None else None

    @strawberry.field(description="Stations, stops or parking sites, by external id.")
    async def stations(self, info: Info) -> list[StationType]:
        rows = await info.context.loaders.stations.load(self.db_id)
        return [StationType.from_row(row, availability) for row, availability in rows]

    @strawberry.field
    async def pricing_plans(self, info: Info) -> list[PricingPlanType]:
        rows = await info.context.loaders.pricing_plans.load(self.db_id)
        return [PricingPlanType.from_row(row) for row in rows]

    @strawberry.field
    async def vehicle_types(self, info: Info) -> list[VehicleTypeType]:
        rows = await info.context.loaders.vehicle_types.load(self.db_id)
        return [VehicleTypeType.from_row(row) for row in rows]

    @strawberry.field(description="Residents' rating: average, count and distribution of stars.")
    async def rating(self, info: Info) -> ServiceRatingType:
        summary = await info.context.community.rating.load(self.db_id)
        return ServiceRatingType.from_summary(summary)
