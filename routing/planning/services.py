"""Mobility services as the engine sees them: plain frozen values, no SQL, no GraphQL.

The marketplace reads its published services and hands the planner a :class:`ServiceCatalogue`
snapshot; a partner's change produces a new snapshot, so the next plan sees it at once. Field
meanings follow GBFS where they overlap (``vehicles_available``, ``docks_available``).
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass
from typing import Any

from routing.street.modes import Mode

__all__ = [
    "DEFAULT_CO2_G_PER_KM",
    "OnDemandService",
    "ParkingService",
    "PricingPlan",
    "Service",
    "ServiceCatalogue",
    "ServiceKind",
    "SharedVehicleService",
    "Station",
    "TransitService",
    "price_minor",
]


class ServiceKind(enum.StrEnum):
    """Kinds of mobility service a partner may publish."""

    BIKE_SHARE = "BIKE_SHARE"
    SCOOTER_SHARE = "SCOOTER_SHARE"
    CAR_SHARE = "CAR_SHARE"
    SHUTTLE = "SHUTTLE"
    PUBLIC_TRANSPORT = "PUBLIC_TRANSPORT"
    ON_DEMAND = "ON_DEMAND"
    PARKING = "PARKING"
    CARPOOL = "CARPOOL"
    EV_CHARGING = "EV_CHARGING"


# Grams of CO2-equivalent per passenger-km when a service publishes none. Orders of magnitude
# from ADEME's "Impact CO2" comparisons (France, life cycle incl. electricity): a thermal car
# ~218, an electric shared scooter ~25 (short vehicle life), shared bikes ~6 (e-bikes ~11),
# bus ~113, tram/metro ~4. Partners' own ``co2_g_per_km`` always wins.
DEFAULT_CO2_G_PER_KM: dict[str, float] = {
    "WALK": 0.0,
    "BICYCLE": 0.0,
    "CAR": 218.0,
    ServiceKind.BIKE_SHARE: 6.0,
    ServiceKind.SCOOTER_SHARE: 25.0,
    ServiceKind.CAR_SHARE: 160.0,
    ServiceKind.ON_DEMAND: 218.0,
    ServiceKind.SHUTTLE: 113.0,
    ServiceKind.PUBLIC_TRANSPORT: 4.0,
    ServiceKind.CARPOOL: 109.0,
}


@dataclass(frozen=True, slots=True)
class PricingPlan:
    """What a ride or a stay costs, in minor units of ``currency`` (cents for EUR)."""

    currency: str = "EUR"
    unlock_minor: int = 0
    per_minute_minor: float = 0.0
    per_km_minor: float = 0.0
    per_hour_minor: float = 0.0
    included_minutes: float = 0.0
    cap_minor: int | None = None

    def price_minor(self, duration_s: float, distance_m: float = 0.0) -> int:
        """Price of one use lasting ``duration_s`` over ``distance_m`` (minutes are started)."""
        minutes = max(0.0, math.ceil(duration_s / 60.0) - self.included_minutes)
        hours = math.ceil(duration_s / 3600.0) if self.per_hour_minor else 0
        total = (
            self.unlock_minor
            + self.per_minute_minor * minutes
            + self.per_km_minor * distance_m / 1000.0
            + self.per_hour_minor * hours
        )
        if self.cap_minor is not None:
            total = min(total, self.cap_minor)
        return round(total)


def price_minor(
    pricing: PricingPlan | None, duration_s: float, distance_m: float = 0.0
) -> int | None:
    """What one use costs under ``pricing``; None when the service published no pricing plan.

    An unknown price stays unknown: showing it as 0 would tell travellers a service is free.
    """
    return pricing.price_minor(duration_s, distance_m) if pricing is not None else None


@dataclass(frozen=True, slots=True)
class Station:
    """A docking station, stop or parking site, with its availability (None: unknown).

    ``reported_at`` (timezone-aware) is when the operator reported the counts; counts without
    it, or older than the planner's freshness limit, are shown as not live.
    """

    id: str
    name: str
    lat: float
    lon: float
    vehicles_available: int | None = None
    docks_available: int | None = None
    capacity: int | None = None
    wheelchair: bool | None = None
    reported_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SharedVehicleService:
    """Bike, scooter or car share: docked (stations) or free-floating (a zone, vehicles)."""

    id: str
    name: str
    kind: ServiceKind
    ride_mode: Mode
    stations: tuple[Station, ...] = ()
    zone: Any = None  # shapely (Multi)Polygon in lon/lat, for free-floating services
    no_parking: Any = None  # shapely geometry where rides may not end
    vehicles: tuple[Station, ...] = ()  # free-floating vehicles' positions, when published
    pricing: PricingPlan | None = None  # None: no pricing plan published
    ride_speed_kmh: float | None = None  # None: the street graph's own times for ride_mode
    co2_g_per_km: float | None = None
    wheelchair: bool | None = None

    @property
    def docked(self) -> bool:
        return bool(self.stations) and self.zone is None


@dataclass(frozen=True, slots=True)
class ParkingService:
    """Car parks (or bike parkings) with free spaces (``docks_available``) where a driver
    (a cyclist) can leave the vehicle; ``vehicle`` is ``"car"`` or ``"bicycle"``."""

    id: str
    name: str
    sites: tuple[Station, ...]
    pricing: PricingPlan | None = None  # None: no pricing plan published
    kind: ServiceKind = ServiceKind.PARKING
    vehicle: str = "car"


@dataclass(frozen=True, slots=True)
class OnDemandService:
    """Rides booked on demand inside a zone, picked up after ``waiting_time_s``."""

    id: str
    name: str
    zone: Any  # shapely (Multi)Polygon in lon/lat
    waiting_time_s: float
    pricing: PricingPlan | None = None  # None: no pricing plan published
    co2_g_per_km: float | None = None
    kind: ServiceKind = ServiceKind.ON_DEMAND


@dataclass(frozen=True, slots=True)
class TransitService:
    """A timetabled service (shuttle or public transport) from GTFS or the partner's API."""

    id: str
    name: str
    kind: ServiceKind
    timetable: Any  # routing.transit.timetable.Timetable
    pricing: PricingPlan | None = None  # None: no pricing plan published
    co2_g_per_km: float | None = None
    live: Any = None  # routing.transit.realtime.TripUpdates: GTFS-RT delays, cancellations


Service = SharedVehicleService | ParkingService | OnDemandService | TransitService


@dataclass(frozen=True, slots=True)
class ServiceCatalogue:
    """An immutable snapshot of the published services; ``version`` grows with each change.

    ``published_kinds`` are the kinds some plannable service offers before a trip's own
    filters (opening hours, wheelchair, ratings) leave some out; None: those of ``services``.
    A kind missing from it has no service to plan with at all, which a plan then says.
    """

    services: tuple[Service, ...] = ()
    version: int = 0
    published_kinds: frozenset[ServiceKind] | None = None

    def by_id(self) -> dict[str, Service]:
        return {service.id: service for service in self.services}

    def kinds(self) -> frozenset[ServiceKind]:
        """The kinds with a published, plannable service (see ``published_kinds``)."""
        if self.published_kinds is not None:
            return self.published_kinds
        return frozenset(service.kind for service in self.services)
