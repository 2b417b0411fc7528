"""GraphQL types of stations and their live availability."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from marketplace.api.context import Info
from marketplace.api.relay import Node, encode_global_id
from marketplace.api.types.enums import StationKind
from marketplace.models import Station, StationAvailability

if TYPE_CHECKING:
    from marketplace.api.types.service import ServiceType

__all__ = ["AvailabilityType", "StationNear", "StationType"]


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
    async def service(
        self, info: Info
    ) -> Annotated[ServiceType, strawberry.lazy("marketplace.api.types.service")]:
        from marketplace.api.types.service import ServiceType

        row = await info.context.loaders.service.load(self.service_db_id)
        assert row is not None  # foreign key
        return ServiceType.from_row(row)


@strawberry.type(description="A station and how far it is from the point asked about.")
class StationNear:
    station: StationType
    distance_m: float
