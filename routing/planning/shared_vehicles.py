"""Shared vehicles: docked (stations) and free-floating (a zone, maybe published vehicles).

Docked: walk to a station with a vehicle, ride to a station with a free dock, walk on; the
pair of stations with the shortest total time wins among the few nearest each end. Free
floating: walk to a published vehicle near the origin (or into the zone), ride, leave the
vehicle at the destination or the nearest point of the zone outside its no-parking areas, walk.
Unlocking and returning take the minutes apps tell users.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.ops import nearest_points

from routing.errors import NoRouteError, RoutingError
from routing.planning.access import nearest_by_walk, stale_penalty_s, walk_cost_s
from routing.planning.context import (
    PlanContext,
    same_place,
)
from routing.planning.itinerary import Itinerary, Place
from routing.planning.notices import PlanErrorCode, error_code
from routing.planning.request import PlanError
from routing.planning.services import SharedVehicleService, Station
from routing.planning.vehicle_legs import RETURN_S, ride_factor, share_ride
from routing.street.modes import Mode
from routing.street.snap import Snap

__all__ = ["RANKING_TOLERANCE_S", "plan_shared_vehicle"]

RANKING_TOLERANCE_S = 0.01
"""Pairs of stations whose estimated door-to-door time is within this of the best estimate
are timed exactly: an estimate differs from the exact time by float rounding (far below a
microsecond), so the best pair by exact time is always among them."""


def plan_shared_vehicle(context: PlanContext, service: SharedVehicleService) -> list[Itinerary]:
    """Itineraries riding ``service``, docked or free-floating as it is published."""
    if service.docked:
        return plan_docked(context, service)
    return plan_free_floating(context, service)


def plan_docked(context: PlanContext, service: SharedVehicleService) -> list[Itinerary]:
    """Walk to a station with a vehicle, ride to one with a free dock, walk to the end."""
    with_vehicles = [s for s in service.stations if (s.vehicles_available or 0) > 0]
    with_docks = [s for s in service.stations if (s.docks_available or 0) > 0]

    def penalty(station: Station) -> float:
        return stale_penalty_s(context, station)

    pickups = nearest_by_walk(context, with_vehicles, from_origin=True, penalty_s=penalty)
    dropoffs = nearest_by_walk(context, with_docks, from_origin=False, penalty_s=penalty)
    limit = context.request.preferences.max_walk_m
    if not pickups:
        context.errors.append(
            PlanError(
                PlanErrorCode.NO_SERVICE_AVAILABLE,
                f"{service.name}: no station with a vehicle available within {limit:.0f} m "
                "walk of the origin",
                "origin",
            )
        )
        return []
    if not dropoffs:
        context.errors.append(
            PlanError(
                PlanErrorCode.NO_SERVICE_AVAILABLE,
                f"{service.name}: no station with a free dock within {limit:.0f} m walk of "
                "the destination",
                "destination",
            )
        )
        return []
    ride = context.network.router(service.ride_mode)
    factor = ride_factor(context, service)
    ride_from = [context.snap_station(service.ride_mode, s.lat, s.lon) for _, s, _ in pickups]
    ride_to = [context.snap_station(service.ride_mode, s.lat, s.lon) for _, s, _ in dropoffs]
    rows = [i for i, a in enumerate(ride_from) if a is not None]
    cols = [j for j, b in enumerate(ride_to) if b is not None]
    # One many-to-many search estimates every pair's ride (a query per pair was most of a
    # plan's docked share); only the pairs within rounding of the best estimate are then
    # timed exactly and ranked as before, in the same order: the same pair wins.
    estimated = ride.durations_between(
        [s for s in ride_from if s is not None], [s for s in ride_to if s is not None]
    )

    def total_s(i: int, j: int, ride_s: float) -> float:
        walk_in, pickup, _ = pickups[i]
        walk_out, dropoff, _ = dropoffs[j]
        total = walk_in * context.walk_factor + ride_s + walk_out * context.walk_factor
        # Stations with old counts rank below live ones at a similar distance.
        return total + (penalty(pickup) + penalty(dropoff))

    estimates: dict[tuple[int, int], float] = {}
    for row, i in enumerate(rows):
        for col, j in enumerate(cols):
            seconds = float(estimated[row, col])
            if pickups[i][1].id != dropoffs[j][1].id and np.isfinite(seconds):
                estimates[i, j] = total_s(i, j, seconds * factor)
    cutoff = min(estimates.values(), default=np.inf) + RANKING_TOLERANCE_S
    best: tuple[float, Station, Snap, Station, Snap] | None = None
    for (i, j), estimate in estimates.items():
        if estimate > cutoff:
            continue
        a, b = ride_from[i], ride_to[j]
        assert a is not None and b is not None
        try:
            # Only the duration ranks a pair: the chosen ride's route is built below.
            ride_s = ride.duration_between(a, b) * factor
        except NoRouteError:
            continue
        total = total_s(i, j, ride_s)
        if best is None or total < best[0]:
            best = (total, pickups[i][1], a, dropoffs[j][1], b)
    if best is None:
        context.errors.append(
            PlanError(PlanErrorCode.NO_ROUTE, f"{service.name}: no ride joins the nearby stations")
        )
        return []
    _, pickup, ride_a, dropoff, ride_b = best
    pickup_walk = context.snap_station(Mode.WALK, pickup.lat, pickup.lon)
    dropoff_walk = context.snap_station(Mode.WALK, dropoff.lat, dropoff.lon)
    assert pickup_walk is not None and dropoff_walk is not None
    pickup_place = context.station_place(pickup)
    dropoff_place = context.station_place(dropoff)
    riding = share_ride(
        context,
        service,
        (ride_a, ride_b),
        (pickup_place, dropoff_place),
        return_s=RETURN_S,
    )

    return [
        context.chain(
            [
                context.walk(context.origin_walk, pickup_walk, to_place=pickup_place),
                riding,
                context.walk(dropoff_walk, context.destination_walk, from_place=dropoff_place),
            ],
        )
    ]


def plan_free_floating(context: PlanContext, service: SharedVehicleService) -> list[Itinerary]:
    """Walk to a vehicle (or into the zone), ride, leave it where parking is allowed, walk."""
    request = context.request
    zone = service.zone
    if zone is None:
        return []
    origin_pt = shapely.Point(request.origin[1], request.origin[0])
    destination_pt = shapely.Point(request.destination[1], request.destination[0])
    # Where to pick up: a published vehicle near the origin, else the zone's nearest point.
    if service.vehicles:
        # Unknown counts pass (a position alone says a vehicle is there); 0 is reserved or off.
        vehicles = [
            v for v in service.vehicles if v.vehicles_available is None or v.vehicles_available > 0
        ]
        near = nearest_by_walk(context, vehicles, from_origin=True)
        if not near:
            context.errors.append(
                PlanError(
                    PlanErrorCode.NO_SERVICE_AVAILABLE,
                    f"{service.name}: no vehicle within walking distance of the origin",
                    "origin",
                )
            )
            return []
        pickup_lat, pickup_lon = near[0][1].lat, near[0][1].lon
        pickup_name = near[0][1].name
    else:
        point = origin_pt if zone.contains(origin_pt) else nearest_points(zone, origin_pt)[0]
        pickup_lat, pickup_lon, pickup_name = point.y, point.x, None
    # Where to leave it: the destination if allowed, else the nearest allowed point.
    allowed = zone.difference(service.no_parking) if service.no_parking is not None else zone
    if allowed.is_empty:
        return []
    end_pt = (
        destination_pt
        if allowed.contains(destination_pt)
        else nearest_points(
            allowed.buffer(-1e-5) if allowed.area > 1e-8 else allowed, destination_pt
        )[0]
    )
    ride = context.network.router(service.ride_mode)
    walk = context.network.router(Mode.WALK)
    try:
        ride_a = ride.snap(pickup_lat, pickup_lon, name="pick-up point")
        ride_b = ride.snap(end_pt.y, end_pt.x, name="drop-off point")
        walk_a = walk.snap(pickup_lat, pickup_lon, name="pick-up point")
        walk_b = walk.snap(end_pt.y, end_pt.x, name="drop-off point")
    except RoutingError as exc:
        context.errors.append(PlanError(error_code(exc.code), f"{service.name}: {exc}"))
        return []
    access_m = walk_cost_s(context, walk_a, from_origin=True)
    if not np.isfinite(access_m):
        context.errors.append(
            PlanError(
                PlanErrorCode.NO_SERVICE_AVAILABLE,
                f"{service.name}: the service zone is beyond walking distance of the origin",
                "origin",
            )
        )
        return []
    pickup_place = Place(pickup_lat, pickup_lon, pickup_name)
    dropoff_place = Place(end_pt.y, end_pt.x)
    riding = share_ride(
        context, service, (ride_a, ride_b), (pickup_place, dropoff_place), return_s=0.0
    )

    parts = [
        context.walk(context.origin_walk, walk_a, to_place=pickup_place),
        riding,
    ]
    if not same_place(walk_b, context.destination_walk):
        parts.append(context.walk(walk_b, context.destination_walk, from_place=dropoff_place))
    return [context.chain(parts)]
