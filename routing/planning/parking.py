"""Drive and park: drive to a car park with free spaces near the destination, walk the rest.

Tried only when driving is allowed; the car park is the one nearest the destination by
walking time, and parking is priced for the first hour since the stay is not known.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from routing.planning.access import nearest_by_walk
from routing.planning.context import PlanContext, stretch
from routing.planning.itinerary import Itinerary, Leg, LegMode
from routing.planning.notices import PlanErrorCode
from routing.planning.request import PlanError
from routing.planning.services import DEFAULT_CO2_G_PER_KM, ParkingService, price_minor
from routing.planning.vehicle_legs import PARK_S
from routing.street.modes import Mode

__all__ = ["plan_drive_and_park"]


def plan_drive_and_park(context: PlanContext, service: ParkingService) -> list[Itinerary]:
    """Drive to the car park with room nearest the destination, park, walk the rest."""
    if "CAR" not in context.request.direct_modes or Mode.DRIVE not in context.network.routers:
        return []
    if service.vehicle != "car":
        return []  # a bike parking: cyclists leave their bike there on the way to a stop
    with_space = [s for s in service.sites if (s.docks_available or 0) > 0]
    near = nearest_by_walk(context, with_space, from_origin=False)
    if not near:
        context.errors.append(
            PlanError(
                PlanErrorCode.NO_SERVICE_AVAILABLE,
                f"{service.name}: no car park with free spaces within walking distance of "
                "the destination",
                "destination",
            )
        )
        return []
    origin = context.snap_end(Mode.DRIVE, "origin")
    _, site, site_walk = near[0]
    site_drive = context.snap_station(Mode.DRIVE, site.lat, site.lon)
    if site_drive is None:
        return []
    place = context.station_place(site)

    def driving(t: dt.datetime) -> Leg:
        leg = context.street_leg(
            Mode.DRIVE,
            LegMode.CAR,
            origin,
            site_drive,
            t,
            to_place=place,
            co2_g_per_km=DEFAULT_CO2_G_PER_KM["CAR"],
            duration_s=context.drive_duration_s,
        )
        # Parking is paid for the first hour: the stay itself is not known.
        parked = dataclasses.replace(
            leg,
            service_id=service.id,
            price_minor=price_minor(service.pricing, 3600),
            currency=service.pricing.currency if service.pricing else None,
        )
        return stretch(parked, before_s=0.0, after_s=PARK_S)

    return [
        context.chain(
            [
                driving,
                context.walk(site_walk, context.destination_walk, from_place=place),
            ],
        )
    ]
