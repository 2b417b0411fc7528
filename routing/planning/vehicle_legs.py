"""Legs on a vehicle that both the direct strategies and the ways to stops build.

A shared vehicle's ride (unlock, ride, return) and the minutes apps tell users for those, and
the time to park a car: written once, used by :mod:`routing.planning.shared_vehicles`,
:mod:`routing.planning.parking` and :mod:`routing.planning.transit_access`.
"""

from __future__ import annotations

import datetime as dt

from routing.planning.context import LegPart, PlanContext, service_co2_g_per_km, stretch
from routing.planning.itinerary import Leg, LegMode, Place
from routing.planning.services import ServiceKind, SharedVehicleService
from routing.street.snap import Snap

__all__ = ["PARK_S", "RETURN_S", "SHARE_LEG", "UNLOCK_S", "ride_factor", "share_ride"]

SHARE_LEG = {
    ServiceKind.BIKE_SHARE: LegMode.BIKE_SHARE,
    ServiceKind.SCOOTER_SHARE: LegMode.SCOOTER_SHARE,
    ServiceKind.CAR_SHARE: LegMode.CAR_SHARE,
}
# Time to take a vehicle from a dock or unlock it, and to return it: what apps tell users.
UNLOCK_S = 60.0
RETURN_S = 30.0
PARK_S = 120.0  # finding the entrance and a space in a car park


def share_ride(
    context: PlanContext,
    service: SharedVehicleService,
    legs: tuple[Snap, Snap],
    places: tuple[Place, Place],
    *,
    return_s: float,
) -> LegPart:
    """Unlock, ride a shared vehicle between two snapped points, return it."""
    leg_mode = SHARE_LEG.get(service.kind, LegMode.BIKE_SHARE)

    def riding(t: dt.datetime) -> Leg:
        leg = context.street_leg(
            service.ride_mode,
            leg_mode,
            legs[0],
            legs[1],
            t + dt.timedelta(seconds=UNLOCK_S),
            factor=ride_factor(context, service),
            from_place=places[0],
            to_place=places[1],
            service_id=service.id,
            pricing=service.pricing,
            charged=True,
            co2_g_per_km=service_co2_g_per_km(service.co2_g_per_km, service.kind),
            speed_kmh=service.ride_speed_kmh,
            duration_s=context.drive_duration_s,
        )
        return stretch(leg, before_s=UNLOCK_S, after_s=return_s)

    return riding


def ride_factor(context: PlanContext, service: SharedVehicleService) -> float:
    # The traveller's own cycling pace applies to shared bikes; engines set the others'.
    return context.bike_factor if service.kind is ServiceKind.BIKE_SHARE else 1.0
