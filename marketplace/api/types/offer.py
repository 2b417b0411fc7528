"""GraphQL types of pricing plans and vehicle types."""

from __future__ import annotations

import strawberry

from marketplace.api.types.enums import FormFactor, Propulsion
from marketplace.models import PricingPlan, VehicleType

__all__ = ["PricingPlanType", "VehicleTypeType"]


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
