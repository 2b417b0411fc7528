"""On-demand rides: wait for the vehicle, ride the drive network inside the service zone.

Both ends must lie in the zone; the waiting time is the service's published one.
"""

from __future__ import annotations

import datetime as dt

import shapely

from routing.planning.context import PlanContext, service_co2_g_per_km, stretch
from routing.planning.itinerary import Itinerary, Leg, LegMode
from routing.planning.notices import PlanErrorCode
from routing.planning.request import PlanError
from routing.planning.services import OnDemandService
from routing.street.modes import Mode

__all__ = ["plan_on_demand"]


def plan_on_demand(context: PlanContext, service: OnDemandService) -> list[Itinerary]:
    """Wait, then ride from origin to destination when both lie in the service zone."""
    request = context.request
    origin_pt = shapely.Point(request.origin[1], request.origin[0])
    destination_pt = shapely.Point(request.destination[1], request.destination[0])
    if not (service.zone.covers(origin_pt) and service.zone.covers(destination_pt)):
        context.errors.append(
            PlanError(
                PlanErrorCode.NO_SERVICE_AVAILABLE,
                f"{service.name}: origin and destination must both lie in its service zone",
            )
        )
        return []
    a = context.snap_end(Mode.DRIVE, "origin")
    b = context.snap_end(Mode.DRIVE, "destination")

    def riding(t: dt.datetime) -> Leg:
        leg = context.street_leg(
            Mode.DRIVE,
            LegMode.ON_DEMAND,
            a,
            b,
            t + dt.timedelta(seconds=service.waiting_time_s),
            service_id=service.id,
            pricing=service.pricing,
            charged=True,
            co2_g_per_km=service_co2_g_per_km(service.co2_g_per_km, service.kind),
            duration_s=context.drive_duration_s,
        )
        return stretch(leg, before_s=service.waiting_time_s, after_s=0.0)

    return [context.chain([riding])]
