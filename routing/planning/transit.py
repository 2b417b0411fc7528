"""Timetabled itineraries: walk to stops, ride with transfers (RAPTOR), walk from stops.

Every timetabled service the request allows (shuttles, public transport) is searched as one
network (:mod:`routing.planning.transit_index`), so a journey may leave a partner's shuttle
and walk along the streets to a public transport stop. Access and egress walking times come
from the planner's bounded walking searches, so stops are reached along real streets, and
transfer walks between stops are measured on the walking network too (and cached).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Sequence

from routing.errors import RoutingError
from routing.geometry import haversine_m
from routing.planning.access import nearest_by_walk
from routing.planning.context import PlanContext, service_co2_g_per_km
from routing.planning.itinerary import Itinerary, Leg, LegMode, Place, StopVisit, TransitDetails
from routing.planning.notices import PlanErrorCode
from routing.planning.request import PlanError
from routing.planning.services import ServiceKind, TransitService, price_minor
from routing.planning.transit_index import TransitIndexes
from routing.regions.issy import TIMEZONE
from routing.street.modes import Mode
from routing.transit.journey_fares import leg_fares
from routing.transit.network import SEPARATOR, TransitNetwork
from routing.transit.service_day import service_day_start
from routing.transit.timetable import Journey, TransferLeg, TransitLeg, TransitStop

__all__ = ["plan_with_timetables"]

# Nearest stops of each service tried at each end of the trip.
_MAX_ACCESS_STOPS = 12


def _stop_costs(
    context: PlanContext, *, from_origin: bool, stops: Sequence[TransitStop]
) -> dict[str, float]:
    """Walking seconds (at the traveller's pace) between the origin or destination and the
    nearest stops; equal times keep the stops' id order."""
    by_id = sorted(stops, key=lambda stop: stop.id)
    found = nearest_by_walk(context, by_id, from_origin=from_origin, limit=_MAX_ACCESS_STOPS)
    return {stop.id: seconds * context.walk_factor for seconds, stop, _ in found}


def plan_with_timetables(
    context: PlanContext, services: Sequence[TransitService], indexes: TransitIndexes
) -> list[Itinerary]:
    """Itineraries riding ``services``' timetables as one network, Pareto over arrival time,
    transfers and walking (McRAPTOR); a journey may change between services."""
    if not services:
        return []
    request = context.request
    day = request.time.astimezone(TIMEZONE).date()
    # GTFS counts from noon minus 12 h (midnight but on DST change days), in each feed's zone.
    day_start = service_day_start(day, TIMEZONE)
    seconds = int((request.time - day_start).total_seconds())
    network, index = indexes.index(
        services, day, avoid=context.walk_avoid, wheelchair=request.preferences.wheelchair
    )
    names = ", ".join(service.name for service in services)
    access: dict[str, float] = {}
    egress: dict[str, float] = {}
    for service in services:
        stops = [s for s in network.timetable.stops if s.id.startswith(service.id + SEPARATOR)]
        access |= _stop_costs(context, from_origin=True, stops=stops)
        egress |= _stop_costs(context, from_origin=False, stops=stops)
    limit = request.preferences.max_walk_m
    if not access or not egress:
        where = "origin" if not access else "destination"
        context.errors.append(
            PlanError(
                PlanErrorCode.NO_SERVICE_AVAILABLE,
                f"{names}: no stop within {limit:.0f} m walk of the {where}",
                where,
            )
        )
        return []
    search = index.pareto_arrive_by if request.arrive_by else index.pareto_depart_at
    journeys = search(access, egress, seconds, max_transfers=request.preferences.max_transfers)
    if not journeys:
        context.errors.append(
            PlanError(PlanErrorCode.NO_TRANSIT_CONNECTION, f"{names}: no connection at that time")
        )
        return []
    by_id = {service.id: service for service in services}
    return [_itinerary(context, network, by_id, journey, day_start) for journey in journeys]


def _itinerary(
    context: PlanContext,
    network: TransitNetwork,
    services: dict[str, TransitService],
    journey: Journey,
    day_start: dt.datetime,
) -> Itinerary:
    def at(seconds: float) -> dt.datetime:
        # Wall-clock time from seconds after the service day's start, right across DST changes.
        return (day_start + dt.timedelta(seconds=seconds)).astimezone(TIMEZONE)

    def place(stop: TransitStop) -> Place:
        return _stop_place(network.original_stop(stop.id))

    walk_mode = LegMode.WALK
    legs: list[Leg] = []
    access_snap = context.snap_station(Mode.WALK, journey.access_stop.lat, journey.access_stop.lon)
    egress_snap = context.snap_station(Mode.WALK, journey.egress_stop.lat, journey.egress_stop.lon)
    assert access_snap is not None and egress_snap is not None
    access_leg = context.street_leg(
        Mode.WALK,
        walk_mode,
        context.origin_walk,
        access_snap,
        at(journey.departure_s),  # before any footpath walked ahead of the first ride
        factor=context.walk_factor,
        to_place=place(journey.access_stop),
        avoid=context.walk_avoid,
    )
    legs.append(access_leg)
    paid: set[str] = set()
    fares = iter(leg_fares(network.timetable.fares, journey.transit_legs))
    for part in journey.legs:
        if isinstance(part, TransferLeg):
            legs.append(_transfer(context, part, legs[-1].end, place))
            continue
        service = services[network.service_of_route(part.route.id)]
        fare = next(fares)
        ride = _ride(network, part, service, at, place, charge=service.id not in paid)
        if fare is not None:  # the feed's GTFS fares price it, transfers included
            ride = dataclasses.replace(ride, price_minor=fare.price_minor, currency=fare.currency)
        legs.append(ride)
        paid.add(service.id)  # else one fare per journey on one network (Île-de-France style)
    last_ride = journey.transit_legs[-1]
    egress_leg = context.street_leg(
        Mode.WALK,
        walk_mode,
        egress_snap,
        context.destination_walk,
        at(last_ride.arrival_s),
        factor=context.walk_factor,
        from_place=place(journey.egress_stop),
        avoid=context.walk_avoid,
    )
    legs.append(egress_leg)
    return Itinerary(tuple(legs), warnings=context.network.warnings)


def _transfer(
    context: PlanContext,
    part: TransferLeg,
    start: dt.datetime,
    place: Callable[[TransitStop], Place],
) -> Leg:
    """The walk between two stops along the streets, timed as the search timed it."""
    end = start + dt.timedelta(seconds=part.duration_s)
    a, b = part.from_stop, part.to_stop
    snap_a = context.snap_station(Mode.WALK, a.lat, a.lon)
    snap_b = context.snap_station(Mode.WALK, b.lat, b.lon)
    if snap_a is not None and snap_b is not None and (a.lat, a.lon) != (b.lat, b.lon):
        try:
            walked = context.street_leg(
                Mode.WALK, LegMode.WALK, snap_a, snap_b, start, avoid=context.walk_avoid
            )
            return dataclasses.replace(walked, end=end, from_place=place(a), to_place=place(b))
        except RoutingError:
            pass  # a transfers.txt rule the streets do not connect: drawn straight
    return Leg(
        mode=LegMode.WALK,
        start=start,
        end=end,
        from_place=place(a),
        to_place=place(b),
        distance_m=_metres(a, b),
        coordinates=((a.lat, a.lon), (b.lat, b.lon)),
    )


def _ride(
    network: TransitNetwork,
    part: TransitLeg,
    service: TransitService,
    clock: Callable[[float], dt.datetime],
    place: Callable[[TransitStop], Place],
    *,
    charge: bool,
) -> Leg:
    leg_mode = LegMode.SHUTTLE if service.kind is ServiceKind.SHUTTLE else LegMode.TRANSIT
    co2_g_per_km = service_co2_g_per_km(service.co2_g_per_km, service.kind)
    route = network.route_origin[part.route.id][1]
    prefix = len(service.id) + len(SEPARATOR)
    calls = [(part.board_stop.lat, part.board_stop.lon)]
    calls += [(c.stop.lat, c.stop.lon) for c in part.intermediate_stops]
    calls.append((part.alight_stop.lat, part.alight_stop.lon))
    distance_m = sum(_metres_between(a, b) for a, b in itertools.pairwise(calls))
    price = price_minor(service.pricing, part.duration_s, distance_m)
    if not charge and price is not None:
        price = 0  # the journey's fare is already paid
    return Leg(
        mode=leg_mode,
        start=clock(part.departure_s),
        end=clock(part.arrival_s),
        from_place=place(part.board_stop),
        to_place=place(part.alight_stop),
        distance_m=distance_m,
        coordinates=tuple(calls),
        service_id=service.id,
        price_minor=price,
        currency=service.pricing.currency if service.pricing else None,
        co2_g=co2_g_per_km * distance_m / 1000,
        transit=TransitDetails(
            route_id=route.id,
            route_name=route.name,
            trip_id=part.trip.id[prefix:],
            headsign=part.trip.headsign or None,
            route_short_name=route.short_name,
            route_long_name=route.long_name,
            route_color=route.color,
            route_text_color=route.text_color,
            route_mode=route.mode,
            headway_s=part.trip.headway_s,
            intermediate_stops=tuple(
                StopVisit(stop.id, stop.name, stop.lat, stop.lon, clock(c.arrival_s))
                for c in part.intermediate_stops
                for stop in (network.original_stop(c.stop.id),)
            ),
        ),
    )


def _stop_place(stop: TransitStop) -> Place:
    return Place(stop.lat, stop.lon, stop.name, stop_id=stop.id)


def _metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_m(a[0], a[1], b[0], b[1]))


def _metres(a: TransitStop, b: TransitStop) -> float:
    return _metres_between((a.lat, a.lon), (b.lat, b.lon))
