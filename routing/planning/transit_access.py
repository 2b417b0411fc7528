"""Reaching stops from the origin, and the destination from stops, by every allowed mode.

OpenTripPlanner searches access and egress "by any mode" before its Raptor search and hands
the stops reached to it with their times; so does this module. Each way to or from a stop is
a :class:`StopWay`: a McRAPTOR option (time, walking, price, private vehicles) and how to
build its legs once a journey uses it. Besides walking:

- docked share: walk to a station with a vehicle, ride to a station with a free dock near a
  stop, walk to the stop; egress: walk from the stop to a station with a vehicle, ride to a
  station with a free dock near the destination, walk;
- free-floating share: walk to a vehicle (or into the zone), ride to a stop inside the zone
  (outside no-parking areas); egress: pick one up at (or near) the stop, ride, walk;
- own bike to a bike parking with free spaces near a stop, own car to a park-and-ride with
  free spaces near a stop (access only: the vehicle stays there);
- on-demand from the origin to a stop in its zone, or from a stop to the destination.

Only services the request allows are used, and stations, car parks and vehicles whose counts
say none is free give no way at all. Walks between a station (or car park) and a stop come
from :class:`~routing.planning.stop_walks.StopWalks`, measured once and cached.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.ops import nearest_points

from routing.errors import RoutingError
from routing.planning.access import nearest_by_walk, stale_penalty_s
from routing.planning.context import LegPart, PlanContext, service_co2_g_per_km, stretch
from routing.planning.itinerary import Leg, LegMode, Place
from routing.planning.services import (
    DEFAULT_CO2_G_PER_KM,
    OnDemandService,
    ParkingService,
    Service,
    ServiceKind,
    SharedVehicleService,
    Station,
    price_minor,
)
from routing.planning.stop_walks import StopWalks
from routing.planning.vehicle_legs import PARK_S, RETURN_S, UNLOCK_S, ride_factor, share_ride
from routing.street.graph import Metric
from routing.street.modes import Mode
from routing.street.snap import Snap
from routing.transit.options import UNKNOWN_PRICE_MINOR, StopOption
from routing.transit.timetable import TransitStop

__all__ = [
    "MAX_DRIVE_S",
    "MAX_SHARE_RIDE_S",
    "OWN_BICYCLE",
    "OWN_CAR",
    "StopWay",
    "stop_ways",
]

#: Vehicle bits of :class:`~routing.transit.options.StopOption`: one's own bike, one's car.
OWN_BICYCLE = 1
OWN_CAR = 2
#: Longest ride of a shared or own bike (or scooter) to or from a stop.
MAX_SHARE_RIDE_S = 20 * 60
#: Longest drive to a park-and-ride, or on-demand ride, to or from a stop.
MAX_DRIVE_S = 30 * 60
# Stations (with a vehicle, or a free dock) tried at the trip's own end of a share ride.
_END_STATIONS = 2
# Nearest stops given to the search per service and mode at each end (as for walking).
MAX_STOPS_PER_WAY = 12

LegsFrom = Callable[[dt.datetime], list[Leg]]
StopPlace = Callable[[TransitStop], Place]


@dataclass(frozen=True)
class StopWay:
    """One way between the trip's end and a stop: the search's option and its legs.

    ``legs(t)`` builds the legs one after another from ``t`` (the time the traveller leaves
    the origin for an access way, or the time the last ride arrives for an egress way).
    """

    option: StopOption
    legs: LegsFrom
    label: str  # what the way is, for logs and tests ("walk", "docked:<service id>"...)


@dataclass(frozen=True)
class _Ends:
    """What every way of one request shares: the stops searched and how they read."""

    context: PlanContext
    stops: Sequence[TransitStop]
    walks: StopWalks
    place: StopPlace

    def walk_snap(self, lat: float, lon: float) -> Snap | None:
        return self.context.snap_station(Mode.WALK, lat, lon)


def stop_ways(
    context: PlanContext,
    stops: Sequence[TransitStop],
    stops_by_service: Iterable[Sequence[TransitStop]],
    services: Sequence[Service],
    walks: StopWalks,
    place: StopPlace,
    *,
    from_origin: bool,
) -> list[StopWay]:
    """Every way between the origin (``from_origin``) or the destination and the stops.

    ``stops`` are the transit network's stops, ``stops_by_service`` the same grouped by
    timetabled service (each service's nearest stops are walked to), ``services`` the
    non-timetabled services the request allows (shares, parking, on-demand), ``place`` how a
    stop reads in a leg. A service that cannot give a way gives none, silently: the plan's
    other combinations say what is missing.
    """
    ends = _Ends(context, stops, walks, place)
    ways = _walk_ways(ends, stops_by_service, from_origin=from_origin)
    for service in services:
        try:
            ways += _service_ways(ends, service, from_origin=from_origin)
        except RoutingError:
            continue  # e.g. the origin off the drive network: other ways stand
    return ways


def _service_ways(ends: _Ends, service: Service, *, from_origin: bool) -> list[StopWay]:
    if isinstance(service, SharedVehicleService):
        if service.kind is ServiceKind.CAR_SHARE:
            return []  # a shared car must go back to its station: no one-way access
        if service.docked:
            return _docked(ends, service, from_origin=from_origin)
        return _free_floating(ends, service, from_origin=from_origin)
    if isinstance(service, ParkingService):
        return _park_and_ride(ends, service) if from_origin else []
    if isinstance(service, OnDemandService):
        return _on_demand(ends, service, from_origin=from_origin)
    return []


# -- walking ---------------------------------------------------------------------------------


def _walk_ways(
    ends: _Ends, stops_by_service: Iterable[Sequence[TransitStop]], *, from_origin: bool
) -> list[StopWay]:
    context = ends.context
    ways: dict[str, StopWay] = {}
    for service_stops in stops_by_service:
        by_id = sorted(service_stops, key=lambda stop: stop.id)
        found = nearest_by_walk(context, by_id, from_origin=from_origin, limit=MAX_STOPS_PER_WAY)
        for seconds, stop, snap in found:
            if stop.id in ways:
                continue
            if from_origin:
                part = context.walk(context.origin_walk, snap, to_place=ends.place(stop))
            else:
                part = context.walk(snap, context.destination_walk, from_place=ends.place(stop))
            option = StopOption(stop.id, seconds * context.walk_factor)
            ways[stop.id] = StopWay(option, _chain([part]), "walk")
    return list(ways.values())


# -- docked shares -----------------------------------------------------------------------------


def _docked(ends: _Ends, service: SharedVehicleService, *, from_origin: bool) -> list[StopWay]:
    context = ends.context
    with_vehicles = [s for s in service.stations if (s.vehicles_available or 0) > 0]
    with_docks = [s for s in service.stations if (s.docks_available or 0) > 0]

    def penalty(station: Station) -> float:
        return stale_penalty_s(context, station)

    # The trip's own end: stations nearest the origin (with a vehicle) or the destination
    # (with a free dock). The stop's end: stations within a short walk of some stop.
    mine = with_vehicles if from_origin else with_docks
    theirs = with_docks if from_origin else with_vehicles
    own = nearest_by_walk(
        context, mine, from_origin=from_origin, limit=_END_STATIONS, penalty_s=penalty
    )
    by_stops = _near_stops(ends, theirs)
    if not own or not by_stops:
        return []
    pickups = own if from_origin else [(0.0, s, None) for s, _ in by_stops]
    dropoffs = [(0.0, s, None) for s, _ in by_stops] if from_origin else own
    ride_s = _ride_matrix(context, service, [p[1] for p in pickups], [d[1] for d in dropoffs])
    walk_to_stops = {station.id: near for station, near in by_stops}
    best: dict[str, tuple[float, float, float, Station, Station, TransitStop]] = {}
    for i, (walk_in_s, pickup, _) in enumerate(pickups):
        for j, (walk_out_s, dropoff, _) in enumerate(dropoffs):
            seconds = float(ride_s[i, j])
            if pickup.id == dropoff.id or not math.isfinite(seconds):
                continue
            station_end = dropoff if from_origin else pickup
            for stop, stop_walk_s in walk_to_stops[station_end.id]:
                walking = (walk_in_s + walk_out_s + stop_walk_s) * context.walk_factor
                total = walking + UNLOCK_S + seconds + RETURN_S
                rank = total + penalty(pickup) + penalty(dropoff)
                if stop.id not in best or rank < best[stop.id][0]:
                    best[stop.id] = (rank, total, walking, pickup, dropoff, stop)
    chosen = sorted(best.values(), key=lambda item: (item[0], item[5].id))[:MAX_STOPS_PER_WAY]
    ways = []
    for _, total, walking, pickup, dropoff, stop in chosen:
        legs = _docked_legs(ends, service, pickup, dropoff, stop, from_origin=from_origin)
        if legs is None:
            continue
        option = StopOption(
            stop.id,
            total,
            walking,
            _price(service, total - walking),
        )
        ways.append(StopWay(option, legs, f"docked:{service.id}"))
    return ways


def _docked_legs(
    ends: _Ends,
    service: SharedVehicleService,
    pickup: Station,
    dropoff: Station,
    stop: TransitStop,
    *,
    from_origin: bool,
) -> LegsFrom | None:
    context = ends.context
    ride_a = context.snap_station(service.ride_mode, pickup.lat, pickup.lon)
    ride_b = context.snap_station(service.ride_mode, dropoff.lat, dropoff.lon)
    walk_a = ends.walk_snap(pickup.lat, pickup.lon)
    walk_b = ends.walk_snap(dropoff.lat, dropoff.lon)
    stop_snap = ends.walk_snap(stop.lat, stop.lon)
    if None in (ride_a, ride_b, walk_a, walk_b, stop_snap):
        return None
    assert ride_a and ride_b and walk_a and walk_b and stop_snap
    pickup_place, dropoff_place = context.station_place(pickup), context.station_place(dropoff)
    riding = share_ride(
        context, service, (ride_a, ride_b), (pickup_place, dropoff_place), return_s=RETURN_S
    )
    stop_place = ends.place(stop)
    if from_origin:
        return _chain(
            [
                context.walk(context.origin_walk, walk_a, to_place=pickup_place),
                riding,
                context.walk(walk_b, stop_snap, from_place=dropoff_place, to_place=stop_place),
            ]
        )
    return _chain(
        [
            context.walk(stop_snap, walk_a, from_place=stop_place, to_place=pickup_place),
            riding,
            context.walk(walk_b, context.destination_walk, from_place=dropoff_place),
        ]
    )


# -- free-floating shares ----------------------------------------------------------------------


def _free_floating(
    ends: _Ends, service: SharedVehicleService, *, from_origin: bool
) -> list[StopWay]:
    zone = service.zone
    if zone is None:
        return []
    allowed = zone.difference(service.no_parking) if service.no_parking is not None else zone
    free = [v for v in service.vehicles if v.vehicles_available is None or v.vehicles_available > 0]
    if service.vehicles and not free:
        return []  # every published vehicle is taken: none to ride
    if from_origin:
        return _free_floating_access(ends, service, allowed, free)
    return _free_floating_egress(ends, service, allowed, free)


def _free_floating_access(
    ends: _Ends, service: SharedVehicleService, allowed: object, free: list[Station]
) -> list[StopWay]:
    context = ends.context
    request = context.request
    origin_pt = shapely.Point(request.origin[1], request.origin[0])
    if free:
        near = nearest_by_walk(context, free, from_origin=True, limit=1)
        if not near:
            return []
        walk_in_s, vehicle, walk_a = near[0]
        pickup = Place(vehicle.lat, vehicle.lon, vehicle.name)
    else:
        zone = service.zone
        point = origin_pt if zone.contains(origin_pt) else nearest_points(zone, origin_pt)[0]
        snap = ends.walk_snap(point.y, point.x)
        if snap is None:
            return []
        walk_in_s = float(
            context.network.router(Mode.WALK).costs_to(
                context.origin_walk, context.walk_from_origin, [snap], avoid=context.walk_avoid
            )[0]
        )
        if not math.isfinite(walk_in_s):
            return []
        walk_a, pickup = snap, Place(point.y, point.x)
    stops = _inside(allowed, ends.stops)
    ride_a = context.snap_station(service.ride_mode, pickup.lat, pickup.lon)
    if ride_a is None or not stops:
        return []
    ride_s = _ride_matrix(context, service, [pickup], stops)[0]
    order = np.argsort(ride_s, kind="stable")[:MAX_STOPS_PER_WAY]
    ways = []
    for i in order.tolist():
        stop = stops[i]
        ride_b = context.snap_station(service.ride_mode, stop.lat, stop.lon)
        if not math.isfinite(float(ride_s[i])) or ride_b is None:
            continue
        walking = walk_in_s * context.walk_factor
        total = walking + UNLOCK_S + float(ride_s[i])
        parts: list[LegPart] = [
            context.walk(context.origin_walk, walk_a, to_place=pickup),
            share_ride(context, service, (ride_a, ride_b), (pickup, ends.place(stop)), return_s=0),
        ]
        option = StopOption(stop.id, total, walking, _price(service, total - walking))
        ways.append(StopWay(option, _chain(parts), f"free-floating:{service.id}"))
    return ways


def _free_floating_egress(
    ends: _Ends, service: SharedVehicleService, allowed: object, free: list[Station]
) -> list[StopWay]:
    context = ends.context
    request = context.request
    zone = service.zone
    destination_pt = shapely.Point(request.destination[1], request.destination[0])
    if allowed.is_empty:  # type: ignore[attr-defined]
        return []
    end_pt = (
        destination_pt
        if allowed.contains(destination_pt)  # type: ignore[attr-defined]
        else nearest_points(allowed, destination_pt)[0]
    )
    end_place = Place(end_pt.y, end_pt.x)
    ride_b = context.snap_station(service.ride_mode, end_pt.y, end_pt.x)
    walk_b = ends.walk_snap(end_pt.y, end_pt.x)
    if ride_b is None or walk_b is None:
        return []
    walk_out_s = float(
        context.network.router(Mode.WALK).costs_to(
            context.destination_walk,
            context.walk_to_destination,
            [walk_b],
            avoid=context.walk_avoid,
        )[0]
    )
    if not math.isfinite(walk_out_s):
        return []
    # Where a vehicle is picked up from each stop: a published one within a short walk, or
    # the stop itself when the zone has no published vehicles (one is assumed at hand).
    pickups: list[tuple[Station, list[tuple[TransitStop, float]]]]
    if free:
        pickups = _near_stops(ends, free)
    else:
        in_zone = _inside(zone, ends.stops)
        pickups = [(Station(f"stop:{s.id}", s.name, s.lat, s.lon), [(s, 0.0)]) for s in in_zone]
    if not pickups:
        return []
    ride_s = _ride_matrix(context, service, [p for p, _ in pickups], [end_place])[:, 0]
    best: dict[str, tuple[float, float, Station, TransitStop]] = {}
    for (vehicle, near), seconds in zip(pickups, ride_s.tolist(), strict=True):
        if not math.isfinite(seconds):
            continue
        for stop, walk_in_s in near:
            walking = (walk_in_s + walk_out_s) * context.walk_factor
            total = walking + UNLOCK_S + seconds
            if stop.id not in best or total < best[stop.id][0]:
                best[stop.id] = (total, walking, vehicle, stop)
    chosen = sorted(best.values(), key=lambda item: (item[0], item[3].id))[:MAX_STOPS_PER_WAY]
    ways = []
    for total, walking, vehicle, stop in chosen:
        ride_a = context.snap_station(service.ride_mode, vehicle.lat, vehicle.lon)
        walk_a = ends.walk_snap(vehicle.lat, vehicle.lon)
        stop_snap = ends.walk_snap(stop.lat, stop.lon)
        if ride_a is None or walk_a is None or stop_snap is None:
            continue
        stop_place = ends.place(stop)
        pickup = (
            stop_place
            if vehicle.id == f"stop:{stop.id}"
            else Place(vehicle.lat, vehicle.lon, vehicle.name)
        )
        parts: list[LegPart] = []
        if pickup is not stop_place:
            parts.append(context.walk(stop_snap, walk_a, from_place=stop_place, to_place=pickup))
        parts.append(
            share_ride(context, service, (ride_a, ride_b), (pickup, end_place), return_s=0)
        )
        parts.append(context.walk(walk_b, context.destination_walk, from_place=end_place))
        option = StopOption(stop.id, total, walking, _price(service, total - walking))
        ways.append(StopWay(option, _chain(parts), f"free-floating:{service.id}"))
    return ways


# -- own vehicles left at a stop -----------------------------------------------------------------


def _park_and_ride(ends: _Ends, service: ParkingService) -> list[StopWay]:
    """Own car to a car park (own bike to a bike parking) with free spaces near a stop."""
    context = ends.context
    request = context.request
    bicycle = service.vehicle == "bicycle"
    mode, leg_mode = (Mode.BIKE, LegMode.BICYCLE) if bicycle else (Mode.DRIVE, LegMode.CAR)
    if ("BICYCLE" if bicycle else "CAR") not in request.direct_modes:
        return []
    if mode not in context.network.routers:
        return []
    sites = [s for s in service.sites if (s.docks_available or 0) > 0]
    by_stops = _near_stops(ends, sites)
    if not by_stops:
        return []
    router = context.network.router(mode)
    origin = router.snap(*request.origin, name="origin")
    factor = context.bike_factor if bicycle else 1.0
    limit_s = (MAX_SHARE_RIDE_S if bicycle else MAX_DRIVE_S) / factor
    # A car keeps off the avoided roads here too, as its leg will (PlanContext.street_leg).
    avoid = frozenset() if bicycle else context.drive_avoid
    costs = router.costs_from(origin, limit=limit_s, avoid=avoid)
    snaps = [context.snap_station(mode, s.lat, s.lon) for s, _ in by_stops]
    reachable = [snap for snap in snaps if snap is not None]
    found = iter(router.costs_to(origin, costs, reachable, avoid=avoid).tolist())
    seconds = [next(found) * factor if snap is not None else math.inf for snap in snaps]
    parking_price = price_minor(service.pricing, 3600)  # the stay is not known: one hour
    vehicle_bit = OWN_BICYCLE if bicycle else OWN_CAR
    best: dict[str, tuple[float, float, Station, Snap, TransitStop]] = {}
    for (site, near), ride_s, snap in zip(by_stops, seconds, snaps, strict=True):
        if not math.isfinite(ride_s) or snap is None:
            continue
        for stop, walk_s in near:
            walking = walk_s * context.walk_factor
            total = ride_s + PARK_S + walking
            if stop.id not in best or total < best[stop.id][0]:
                best[stop.id] = (total, walking, site, snap, stop)
    chosen = sorted(best.values(), key=lambda item: (item[0], item[4].id))[:MAX_STOPS_PER_WAY]
    ways = []
    co2 = 0.0 if bicycle else DEFAULT_CO2_G_PER_KM["CAR"]
    for total, walking, site, site_snap, stop in chosen:
        site_walk = ends.walk_snap(site.lat, site.lon)
        stop_snap = ends.walk_snap(stop.lat, stop.lon)
        if site_walk is None or stop_snap is None:
            continue
        place = context.station_place(site)

        def riding(t: dt.datetime, site_snap: Snap = site_snap, place: Place = place) -> Leg:
            leg = context.street_leg(
                mode,
                leg_mode,
                origin,
                site_snap,
                t,
                factor=factor,
                to_place=place,
                co2_g_per_km=co2,
                duration_s=context.drive_duration_s,
            )
            parked = dataclasses.replace(
                leg,
                service_id=service.id,
                price_minor=parking_price,
                currency=service.pricing.currency if service.pricing else None,
            )
            return stretch(parked, before_s=0.0, after_s=PARK_S)

        parts: list[LegPart] = [
            riding,
            context.walk(site_walk, stop_snap, from_place=place, to_place=ends.place(stop)),
        ]
        price = UNKNOWN_PRICE_MINOR if parking_price is None else parking_price
        option = StopOption(stop.id, total, walking, price, vehicle_bit)
        ways.append(StopWay(option, _chain(parts), f"park-and-ride:{service.id}"))
    return ways


# -- on demand -------------------------------------------------------------------------------------


def _on_demand(ends: _Ends, service: OnDemandService, *, from_origin: bool) -> list[StopWay]:
    context = ends.context
    request = context.request
    if Mode.DRIVE not in context.network.routers:
        return []
    end = request.origin if from_origin else request.destination
    if not service.zone.covers(shapely.Point(end[1], end[0])):
        return []
    stops = _inside(service.zone, ends.stops)
    if not stops:
        return []
    drive = context.network.router(Mode.DRIVE)
    avoid = context.drive_avoid  # the ride's leg keeps off them too (PlanContext.street_leg)
    trip_end = drive.snap(*end, name="origin" if from_origin else "destination")
    snaps = [context.snap_station(Mode.DRIVE, s.lat, s.lon) for s in stops]
    pairs = [(s, snap) for s, snap in zip(stops, snaps, strict=True) if snap is not None]
    if not pairs:
        return []
    if from_origin:
        costs = drive.costs_from(trip_end, limit=MAX_DRIVE_S, avoid=avoid)
        seconds = drive.costs_to(trip_end, costs, [snap for _, snap in pairs], avoid=avoid)
    else:
        seconds = drive.travel_cost_matrix([(s.lat, s.lon) for s, _ in pairs], [end], avoid=avoid)[
            :, 0
        ]
        seconds[seconds > MAX_DRIVE_S] = np.inf
    order = np.argsort(seconds, kind="stable")[:MAX_STOPS_PER_WAY]
    co2 = service_co2_g_per_km(service.co2_g_per_km, service.kind)
    ways = []
    for i in order.tolist():
        if not math.isfinite(float(seconds[i])):
            continue
        stop, stop_snap = pairs[i]
        a, b = (trip_end, stop_snap) if from_origin else (stop_snap, trip_end)
        stop_place = ends.place(stop)
        places = (None, stop_place) if from_origin else (stop_place, None)

        def riding(
            t: dt.datetime,
            a: Snap = a,
            b: Snap = b,
            places: tuple[Place | None, Place | None] = places,
        ) -> Leg:
            leg = context.street_leg(
                Mode.DRIVE,
                LegMode.ON_DEMAND,
                a,
                b,
                t + dt.timedelta(seconds=service.waiting_time_s),
                from_place=places[0],
                to_place=places[1],
                service_id=service.id,
                pricing=service.pricing,
                charged=True,
                co2_g_per_km=co2,
                duration_s=context.drive_duration_s,
            )
            return stretch(leg, before_s=service.waiting_time_s, after_s=0.0)

        ride_s = float(seconds[i])
        price = price_minor(service.pricing, ride_s)
        option = StopOption(
            stop.id,
            service.waiting_time_s + ride_s,
            0.0,
            UNKNOWN_PRICE_MINOR if price is None else price,
        )
        ways.append(StopWay(option, _chain([riding]), f"on-demand:{service.id}"))
    return ways


# -- shared helpers ----------------------------------------------------------------------------


def _inside(zone: object, stops: Sequence[TransitStop]) -> list[TransitStop]:
    """The stops ``zone`` covers, tested in one vectorized call (a region has thousands)."""
    if not stops:
        return []
    points = shapely.points([s.lon for s in stops], [s.lat for s in stops])
    inside = shapely.covers(zone, points)
    return [stop for stop, yes in zip(stops, inside.tolist(), strict=True) if yes]


def _near_stops(
    ends: _Ends, stations: Iterable[Station]
) -> list[tuple[Station, list[tuple[TransitStop, float]]]]:
    """The stations with a stop within a short walk, with those stops' walking seconds."""
    listed = list(stations)
    points = [(station.lat, station.lon) for station in listed]
    near = ends.walks.near(points, ends.stops, avoid=ends.context.walk_avoid)
    return [(station, stops) for station, stops in zip(listed, near, strict=True) if stops]


def _ride_matrix(
    context: PlanContext,
    service: SharedVehicleService,
    starts: Sequence[Station | Place | TransitStop],
    ends: Sequence[Station | Place | TransitStop],
) -> np.ndarray:
    """Riding seconds from each of ``starts`` to each of ``ends`` on the service's vehicles
    (infinite beyond :data:`MAX_SHARE_RIDE_S` or off the network)."""
    router = context.network.router(service.ride_mode)
    out = np.full((len(starts), len(ends)), np.inf)
    start_snaps = [context.snap_station(service.ride_mode, p.lat, p.lon) for p in starts]
    end_snaps = [context.snap_station(service.ride_mode, p.lat, p.lon) for p in ends]
    i_ok = [i for i, snap in enumerate(start_snaps) if snap is not None]
    j_ok = [j for j, snap in enumerate(end_snaps) if snap is not None]
    if not i_ok or not j_ok:
        return out
    metric: Metric = "distance" if service.ride_speed_kmh else "time"
    if len(i_ok) <= len(j_ok):
        # Few starts (the origin's stations): one bounded search from each.
        for i in i_ok:
            start = start_snaps[i]
            assert start is not None
            limit = _ride_limit(context, service)
            costs = router.costs_from(start, metric, limit)
            targets = [snap for snap in end_snaps if snap is not None]
            out[i, j_ok] = router.costs_to(start, costs, targets, metric)
    else:
        # Many starts, few ends (stations near stops to the destination's): one matrix.
        matrix = router.travel_cost_matrix(
            [(starts[i].lat, starts[i].lon) for i in i_ok],
            [(ends[j].lat, ends[j].lon) for j in j_ok],
            metric=metric,
        )
        out[np.ix_(i_ok, j_ok)] = matrix
    if service.ride_speed_kmh:
        out = out / (service.ride_speed_kmh / 3.6)
    else:
        out = out * ride_factor(context, service)
    out[out > MAX_SHARE_RIDE_S] = np.inf
    return out


def _ride_limit(context: PlanContext, service: SharedVehicleService) -> float:
    if service.ride_speed_kmh:
        return MAX_SHARE_RIDE_S * service.ride_speed_kmh / 3.6
    return MAX_SHARE_RIDE_S / ride_factor(context, service)


def _price(service: SharedVehicleService, riding_s: float) -> int:
    """What the share's ride costs for the search (unknown: above any real price)."""
    price = price_minor(service.pricing, riding_s)
    return UNKNOWN_PRICE_MINOR if price is None else price


def _chain(parts: Sequence[LegPart]) -> LegsFrom:
    def build(start: dt.datetime) -> list[Leg]:
        legs = []
        clock = start
        for part in parts:
            leg = part(clock)
            legs.append(leg)
            clock = leg.end
        return legs

    return build
