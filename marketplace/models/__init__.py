"""SQLModel tables, one module per aggregate; importing this package registers them all."""

from marketplace.models._columns import utcnow
from marketplace.models.partner import ApiKey, Partner, PartnerKind
from marketplace.models.pricing import PricingPlan
from marketplace.models.service import MobilityService, ServiceKind, ServiceStatus
from marketplace.models.station import Station, StationAvailability, StationKind
from marketplace.models.timetable import (
    TransitCalendar,
    TransitCalendarDate,
    TransitRoute,
    TransitStopTime,
    TransitTrip,
)
from marketplace.models.vehicle import FormFactor, Propulsion, VehicleType

__all__ = [
    "ApiKey",
    "FormFactor",
    "MobilityService",
    "Partner",
    "PartnerKind",
    "PricingPlan",
    "Propulsion",
    "ServiceKind",
    "ServiceStatus",
    "Station",
    "StationAvailability",
    "StationKind",
    "TransitCalendar",
    "TransitCalendarDate",
    "TransitRoute",
    "TransitStopTime",
    "TransitTrip",
    "VehicleType",
    "utcnow",
]
