"""GraphQL object types, one module per concept."""

from marketplace.api.types.offer import PricingPlanType, VehicleTypeType
from marketplace.api.types.partner import ApiKeyType, CreatedApiKey, PartnerType
from marketplace.api.types.service import OpeningPeriodType, ServiceType
from marketplace.api.types.station import AvailabilityType, StationNear, StationType

__all__ = [
    "ApiKeyType",
    "AvailabilityType",
    "CreatedApiKey",
    "OpeningPeriodType",
    "PartnerType",
    "PricingPlanType",
    "ServiceType",
    "StationNear",
    "StationType",
    "VehicleTypeType",
]
