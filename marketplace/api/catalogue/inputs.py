"""GraphQL input types and their conversion to the catalogue's plain values."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from marketplace.api.catalogue.types import (
    FormFactor,
    Propulsion,
    ServiceKind,
    ServiceStatus,
    StationKind,
)
from marketplace.catalogue.geo import BBox
from marketplace.catalogue.offers import PricingPlanInput, VehicleTypeInput
from marketplace.catalogue.search import Near, ServiceFilter, ServiceSort
from marketplace.catalogue.services import ServiceFields
from marketplace.catalogue.stations import AvailabilityInput, StationInput
from marketplace.catalogue.validation import OpeningPeriod
from marketplace.catalogue.vehicles import VehicleInput
from marketplace.errors import InvalidInput
from marketplace.i18n import Message

__all__ = [
    "AvailabilityRowInput",
    "BBoxInput",
    "CreateServiceInput",
    "FreeVehicleGQLInput",
    "NearInput",
    "OpeningPeriodInput",
    "PricingPlanGQLInput",
    "ServiceFilterInput",
    "StationGQLInput",
    "UpdateServiceInput",
    "VehicleTypeGQLInput",
]

strawberry.enum(
    ServiceSort,
    description="ID: oldest first (the default); NEWEST first; BEST_RATED first (average of "
    "the visible reviews, then their number; unrated services last).",
)


def _area_text(value: Any) -> str | None:
    """GeoJSON as text; clients may send an object or a string holding one."""
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


@strawberry.input(name="Near", description="Within `radiusM` metres of a point.")
class NearInput:
    lat: float
    lon: float
    radius_m: float


@strawberry.input(name="BBox", description="A WGS 84 bounding box in degrees.")
class BBoxInput:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@strawberry.input(description="Every given criterion must hold.")
class ServiceFilterInput:
    kinds: list[ServiceKind] | None = None
    text: str | None = strawberry.field(
        default=None, description="Case-insensitive, in name or description."
    )
    status: list[ServiceStatus] | None = strawberry.field(
        default=None,
        description="Defaults to PUBLISHED; your own drafts show when you ask for DRAFT.",
    )
    near: NearInput | None = strawberry.field(
        default=None, description="Service area or a station within the radius."
    )
    bbox: BBoxInput | None = strawberry.field(
        default=None, description="Service area or a station inside the box."
    )
    within: JSON | None = strawberry.field(
        default=None,
        description="GeoJSON Polygon or MultiPolygon: service area or a station inside it.",
    )
    open_at: datetime | None = strawberry.field(
        default=None, description="Open at this moment (by its weekly opening hours)."
    )
    wheelchair_accessible: bool | None = None

    def to_domain(self) -> ServiceFilter:
        return ServiceFilter(
            kinds=self.kinds,
            text=self.text,
            statuses=self.status,
            near=Near(self.near.lat, self.near.lon, self.near.radius_m) if self.near else None,
            bbox=BBox(self.bbox.min_lon, self.bbox.min_lat, self.bbox.max_lon, self.bbox.max_lat)
            if self.bbox
            else None,
            within=_area_text(self.within),
            open_at=self.open_at,
            wheelchair_accessible=self.wheelchair_accessible,
        )


@strawberry.input(name="OpeningPeriodInput")
class OpeningPeriodInput:
    day: str = strawberry.field(description="MONDAY … SUNDAY.")
    opens: str = strawberry.field(description="HH:MM")
    closes: str = strawberry.field(description="HH:MM, later than opens; 24:00 ends the day.")

    def to_domain(self) -> OpeningPeriod:
        return OpeningPeriod(day=self.day, opens=self.opens, closes=self.closes)


def _hours(value: list[OpeningPeriodInput] | None) -> list[OpeningPeriod] | None:
    return None if value is None else [p.to_domain() for p in value]


@strawberry.input
class CreateServiceInput:
    kind: ServiceKind
    name: str
    description: str = ""
    website: str | None = None
    booking_url: str | None = None
    service_area: JSON | None = strawberry.field(
        default=None, description="GeoJSON Polygon or MultiPolygon within 30 km of Issy."
    )
    no_parking_area: JSON | None = strawberry.field(
        default=None,
        description="GeoJSON Polygon or MultiPolygon where rides may not end (free-floating).",
    )
    opening_hours: list[OpeningPeriodInput] | None = None
    wheelchair_accessible: bool = False
    co2_g_per_km: float | None = strawberry.field(default=None, name="co2GPerKm")

    def to_domain(self) -> ServiceFields:
        return ServiceFields(
            kind=self.kind,
            name=self.name,
            description=self.description,
            website=self.website,
            booking_url=self.booking_url,
            service_area=_area_text(self.service_area),
            no_parking_area=_area_text(self.no_parking_area),
            opening_hours=_hours(self.opening_hours),
            wheelchair_accessible=self.wheelchair_accessible,
            co2_g_per_km=self.co2_g_per_km,
        )


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdateServiceInput:
    kind: ServiceKind | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    booking_url: str | None = strawberry.UNSET
    service_area: JSON | None = strawberry.UNSET
    no_parking_area: JSON | None = strawberry.UNSET
    opening_hours: list[OpeningPeriodInput] | None = strawberry.UNSET
    wheelchair_accessible: bool | None = strawberry.UNSET
    co2_g_per_km: float | None = strawberry.field(default=strawberry.UNSET, name="co2GPerKm")

    def changes(self) -> dict[str, Any]:
        """The fields given, converted; required fields may not be set to null."""
        given = {
            name: getattr(self, name)
            for name in (
                "kind",
                "name",
                "description",
                "website",
                "booking_url",
                "service_area",
                "no_parking_area",
                "opening_hours",
                "wheelchair_accessible",
                "co2_g_per_km",
            )
            if getattr(self, name) is not strawberry.UNSET
        }
        for required in ("kind", "name", "wheelchair_accessible"):
            if required in given and given[required] is None:
                raise InvalidInput(
                    Message("validation.not_null", {"field": required}), field=required
                )
        for area in ("service_area", "no_parking_area"):
            if area in given:
                given[area] = _area_text(given[area])
        if "opening_hours" in given:
            given["opening_hours"] = _hours(given["opening_hours"])
        return given


@strawberry.input(name="StationInput")
class StationGQLInput:
    external_id: str = strawberry.field(description="Your id for the station (GBFS station_id).")
    name: str
    lat: float
    lon: float
    kind: StationKind = StationKind.STATION
    capacity: int | None = None
    wheelchair_accessible: bool = False

    def to_domain(self) -> StationInput:
        return StationInput(
            external_id=self.external_id,
            name=self.name,
            lat=self.lat,
            lon=self.lon,
            kind=self.kind,
            capacity=self.capacity,
            wheelchair_accessible=self.wheelchair_accessible,
        )


@strawberry.input(name="FreeVehicleInput")
class FreeVehicleGQLInput:
    external_id: str = strawberry.field(description="Your id for the vehicle (GBFS vehicle_id).")
    lat: float
    lon: float
    battery_pct: int | None = strawberry.field(
        default=None, description="Charge left, 0 to 100 (GBFS current_fuel_percent x 100)."
    )
    is_reserved: bool = False
    is_disabled: bool = False
    reported_at: datetime | None = strawberry.field(
        default=None, description="Time of the position; now when omitted."
    )

    def to_domain(self) -> VehicleInput:
        return VehicleInput(
            external_id=self.external_id,
            lat=self.lat,
            lon=self.lon,
            battery_pct=self.battery_pct,
            is_reserved=self.is_reserved,
            is_disabled=self.is_disabled,
            reported_at=self.reported_at,
        )


@strawberry.input(name="AvailabilityInput")
class AvailabilityRowInput:
    station_external_id: str
    vehicles_available: int | None = None
    docks_available: int | None = None
    is_renting: bool = True
    is_returning: bool = True
    reported_at: datetime | None = strawberry.field(
        default=None, description="Time of the reading; now when omitted."
    )

    def to_domain(self) -> AvailabilityInput:
        return AvailabilityInput(
            station_external_id=self.station_external_id,
            vehicles_available=self.vehicles_available,
            docks_available=self.docks_available,
            is_renting=self.is_renting,
            is_returning=self.is_returning,
            reported_at=self.reported_at,
        )


@strawberry.input(
    name="PricingPlanInput", description="Amounts in the currency's minor unit (cents)."
)
class PricingPlanGQLInput:
    external_id: str
    name: str
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")
    description: str = ""
    unlock_fee_minor: int = 0
    per_minute_minor: int = 0
    per_km_minor: int = 0
    per_hour_minor: int = 0
    daily_cap_minor: int | None = None

    def to_domain(self) -> PricingPlanInput:
        return PricingPlanInput(
            external_id=self.external_id,
            name=self.name,
            currency=self.currency,
            description=self.description,
            unlock_fee_minor=self.unlock_fee_minor,
            per_minute_minor=self.per_minute_minor,
            per_km_minor=self.per_km_minor,
            per_hour_minor=self.per_hour_minor,
            daily_cap_minor=self.daily_cap_minor,
        )


@strawberry.input(name="VehicleTypeInput")
class VehicleTypeGQLInput:
    external_id: str
    form_factor: FormFactor
    propulsion: Propulsion
    name: str = ""
    max_range_m: int | None = None

    def to_domain(self) -> VehicleTypeInput:
        return VehicleTypeInput(
            external_id=self.external_id,
            form_factor=self.form_factor,
            propulsion=self.propulsion,
            name=self.name,
            max_range_m=self.max_range_m,
        )
