"""The catalogue domain: plain functions over a session, shared by the API, imports and CLI.

For the trip planner, the read side is :mod:`marketplace.catalogue.published` (services,
stations, availability, prices) and :mod:`marketplace.catalogue.timetables` (GTFS trips),
and the change notifications :mod:`marketplace.events`.
"""

from marketplace.catalogue.published import (
    AvailabilityView,
    PricingView,
    ServiceView,
    StationView,
    VehicleTypeView,
    published_availability,
    published_service,
    published_services,
)
from marketplace.catalogue.timetables import (
    CalendarView,
    RouteView,
    TimetableView,
    TripView,
    published_timetables,
)

__all__ = [
    "AvailabilityView",
    "CalendarView",
    "PricingView",
    "RouteView",
    "ServiceView",
    "StationView",
    "TimetableView",
    "TripView",
    "VehicleTypeView",
    "published_availability",
    "published_service",
    "published_services",
    "published_timetables",
]
