"""GraphQL types of the catalogue: services, opening hours, stations and availability,
prices and vehicle types, ratings; and the model enums they use."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from marketplace.api.catalogue.live_feeds import LiveFeedType, live_feed_type
from marketplace.api.context import Info
from marketplace.api.identity.types import PartnerType
from marketplace.api.relay import Node, encode_global_id
from marketplace.catalogue.validation import load_opening_hours
from marketplace.community.ratings import RatingSummary
from marketplace.ingest.live_feeds import service_live_feeds
from marketplace.models import (
    FormFactor,
    FreeVehicle,
    MobilityService,
    PricingPlan,
    Propulsion,
    ServiceKind,
    ServiceStatus,
    Station,
    StationAvailability,
    StationKind,
    VehicleType,
)

__all__ = [
    "AvailabilityType",
    "FormFactor",
    "FreeVehicleType",
    "OpeningPeriodType",
    "PricingPlanType",
    "Propulsion",
    "ServiceKind",
    "ServiceRatingType",
    "ServiceStatus",
    "ServiceType",
    "StationKind",
    "StationNear",
    "StationType",
    "VehicleTypeType",
]

# The model enums, exposed under their own names (values are member names); registered
# before the types that use them.
strawberry.enum(ServiceKind, description="What a service offers.")
strawberry.enum(ServiceStatus, description="DRAFT -> PUBLISHED -> SUSPENDED / RETIRED.")
strawberry.enum(StationKind, description="Docking station, stop, or parking site.")
strawberry.enum(FormFactor, description="GBFS 3.0 form_factor.")
strawberry.enum(Propulsion, description="GBFS 3.0 propulsion_type.")


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

    @strawberry.field(
        description="Free-floating vehicles where they stand (GBFS vehicle_status), by id."
    )
    async def vehicles(self, info: Info) -> list[FreeVehicleType]:
        rows = await info.context.loaders.vehicles.load(self.db_id)
        return [FreeVehicleType.from_row(row) for row in rows]

    @strawberry.field(
        description="The live feeds registered for the service (registerLiveFeed) and how "
        "their polling goes; shown to the service's partner and the city, empty for others."
    )
    async def live_feeds(self, info: Info) -> list[LiveFeedType]:
        actor = await info.context.actor()
        if actor is None or not (actor.partner_id == self.partner_db_id or actor.is_city):
            return []
        rows = await info.context.run(service_live_feeds, self.db_id)
        return [live_feed_type(row, info.context.language) for row in rows]

    @strawberry.field(description="Residents' rating: average, count and distribution of stars.")
    async def rating(self, info: Info) -> ServiceRatingType:
        summary = await info.context.community.rating.load(self.db_id)
        return ServiceRatingType.from_summary(summary)


@strawberry.type(
    name="ServiceRating", description="What residents think of a service (visible reviews)."
)
class ServiceRatingType:
    average: float | None = strawberry.field(description="Mean stars, 1 to 5; null if unrated.")
    count: int = strawberry.field(description="Number of visible reviews.")
    distribution: list[int] = strawberry.field(
        description="How many reviews gave 1, 2, 3, 4 and 5 stars (five numbers)."
    )

    @classmethod
    def from_summary(cls, summary: RatingSummary) -> ServiceRatingType:
        return cls(
            average=summary.average, count=summary.count, distribution=list(summary.distribution)
        )


@strawberry.type(
    name="PricingPlan",
    description="A fare plan. Amounts are integers in the currency's minor unit (cents).",
)
class PricingPlanType:
    external_id: str
    name: str
    description: str
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")
    unlock_fee_minor: int
    per_minute_minor: int
    per_km_minor: int
    per_hour_minor: int
    daily_cap_minor: int | None

    @classmethod
    def from_row(cls, row: PricingPlan) -> PricingPlanType:
        return cls(
            external_id=row.external_id,
            name=row.name,
            description=row.description,
            currency=row.currency,
            unlock_fee_minor=row.unlock_fee_minor,
            per_minute_minor=row.per_minute_minor,
            per_km_minor=row.per_km_minor,
            per_hour_minor=row.per_hour_minor,
            daily_cap_minor=row.daily_cap_minor,
        )


@strawberry.type(name="VehicleType", description="A kind of vehicle (GBFS vehicle_types).")
class VehicleTypeType:
    external_id: str
    name: str
    form_factor: FormFactor
    propulsion: Propulsion
    max_range_m: int | None

    @classmethod
    def from_row(cls, row: VehicleType) -> VehicleTypeType:
        return cls(
            external_id=row.external_id,
            name=row.name,
            form_factor=row.form_factor,
            propulsion=row.propulsion,
            max_range_m=row.max_range_m,
        )


@strawberry.type(
    name="FreeVehicle",
    description="A free-floating vehicle where it stands (GBFS vehicle_status).",
)
class FreeVehicleType:
    external_id: str = strawberry.field(description="The partner's id (GBFS vehicle_id).")
    lat: float
    lon: float
    battery_pct: int | None = strawberry.field(
        description="Charge left, 0 to 100; null if unknown."
    )
    is_reserved: bool
    is_disabled: bool
    reported_at: datetime = strawberry.field(description="Partner's time of the position.")

    @classmethod
    def from_row(cls, row: FreeVehicle) -> FreeVehicleType:
        return cls(
            external_id=row.external_id,
            lat=row.lat,
            lon=row.lon,
            battery_pct=row.battery_pct,
            is_reserved=row.is_reserved,
            is_disabled=row.is_disabled,
            reported_at=row.reported_at,
        )


@strawberry.type(
    name="StationAvailability",
    description="Latest live state of a station (GBFS station_status).",
)
class AvailabilityType:
    vehicles_available: int | None
    docks_available: int | None = strawberry.field(
        description="Free docks at a bike station, free spaces at a parking site."
    )
    is_renting: bool
    is_returning: bool
    reported_at: datetime = strawberry.field(description="Partner's time of the reading.")
    received_at: datetime

    @classmethod
    def from_row(cls, row: StationAvailability) -> AvailabilityType:
        return cls(
            vehicles_available=row.vehicles_available,
            docks_available=row.docks_available,
            is_renting=row.is_renting,
            is_returning=row.is_returning,
            reported_at=row.reported_at,
            received_at=row.received_at,
        )


@strawberry.type(name="Station", description="A station, stop or parking site (WGS 84).")
class StationType(Node):
    id: strawberry.ID
    external_id: str = strawberry.field(description="The partner's id (GBFS station_id).")
    name: str
    kind: StationKind
    lat: float
    lon: float
    capacity: int | None
    wheelchair_accessible: bool
    updated_at: datetime
    availability: AvailabilityType | None = strawberry.field(
        description="Latest live counts; null until the partner reports some."
    )
    db_id: strawberry.Private[int]
    service_db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Station, availability: StationAvailability | None) -> StationType:
        """The station with its availability, fetched together (never one query each)."""
        assert row.id is not None
        return cls(
            id=encode_global_id("Station", row.id),
            external_id=row.external_id,
            name=row.name,
            kind=row.kind,
            lat=row.lat,
            lon=row.lon,
            capacity=row.capacity,
            wheelchair_accessible=row.wheelchair_accessible,
            updated_at=row.updated_at,
            availability=AvailabilityType.from_row(availability) if availability else None,
            db_id=row.id,
            service_db_id=row.service_id,
        )

    @strawberry.field(description="The service this station belongs to.")
    async def service(self, info: Info) -> ServiceType:
        row = await info.context.loaders.service.load(self.service_db_id)
        assert row is not None  # foreign key
        return ServiceType.from_row(row)


@strawberry.type(description="A station and how far it is from the point asked about.")
class StationNear:
    station: StationType
    distance_m: float
