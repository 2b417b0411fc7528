"""Timetabled itineraries: reach stops, ride with transfers (McRAPTOR), leave from stops.

Every timetabled service the request allows (shuttles, public transport) is searched as one
network (:mod:`routing.planning.transit_index`), so a journey may leave a partner's shuttle
and walk along the streets to a public transport stop. Stops are reached and left by every
allowed mode (:mod:`routing.planning.transit_access`: walking, shared bikes and scooters, own
bike or car left at the stop, on-demand), each way one McRAPTOR option with its time, walking,
price and private vehicles; transfer walks between stops are measured on the walking network
(and cached).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Sequence

from routing.errors import RoutingError
from routing.geometry import haversine_m
from routing.planning.context import PlanContext, service_co2_g_per_km
from routing.planning.itinerary import (
    DrawnGeometry,
    Itinerary,
    Leg,
    LegMode,
    Place,
    StopVisit,
    TransitDetails,
)
from routing.planning.notices import PlanErrorCode
from routing.planning.request import PlanError
from routing.planning.services import Service, ServiceKind, TransitService, price_minor
from routing.planning.stop_walks import StopWalks
from routing.planning.transit_access import StopWay, stop_ways
from routing.planning.transit_index import TransitIndexes
from routing.planning.walk_reach import WalkReach
from routing.regions.issy import TIMEZONE
from routing.street.modes import Mode
from routing.street.snap import Snap
from routing.transit.journey_fares import leg_fares
from routing.transit.network import SEPARATOR, TransitNetwork
from routing.transit.realtime import Alert, TripUpdates
from routing.transit.service_day import service_day_start
from routing.transit.timetable import Journey, TransferLeg, TransitLeg, TransitStop

__all__ = ["PARETO_WINDOW", "plan_with_timetables"]

#: Options at most ``max(20 min, half the fastest journey's time)`` slower than the fastest are
#: searched (McRAPTOR's ``max_slower``): a "fewer changes" or "less walking" option later than
#: that is seldom taken, and on a regional network such slow labels are most of the search.
PARETO_WINDOW = (0.5, 20 * 60)


def plan_with_timetables(
    context: PlanContext,
    services: Sequence[TransitService],
    indexes: TransitIndexes,
    *,
    access_services: Sequence[Service] = (),
    walks: StopWalks | None = None,
    reach: tuple[WalkReach, float] | None = None,
) -> list[Itinerary]:
    """Itineraries riding ``services``' timetables as one network, Pareto over arrival time,
    transfers, walking, price and private vehicles (McRAPTOR); a journey may change between
    services.

    Stops are walked to and from, and reached or left with ``access_services`` (the shares,
    parkings and on-demand services the request allows) as well; ``walks`` caches the walks
    between their stations and the stops (one per planner). ``reach`` (the planner's
    :class:`~routing.planning.walk_reach.WalkReach` and its walking limit in seconds) drops
    the stops beyond walking reach of an end before any is looked at one by one.
    """
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
    stops = network.timetable.stops
    by_service = [network.stops_by_key[service.id] for service in services]
    walks = walks or StopWalks(context.network)

    def place(stop: TransitStop) -> Place:
        return _stop_place(network.original_stop(stop.id))

    def walkable(end: Snap) -> list[Sequence[TransitStop]]:
        if reach is None:
            return list(by_service)
        return [reach[0].near(service_stops, [end], reach[1]) for service_stops in by_service]

    access, egress = (
        stop_ways(context, stops, walkable(snap), access_services, walks, place, from_origin=end)
        for end, snap in ((True, context.origin_walk), (False, context.destination_walk))
    )
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
    journeys = index.pareto_options(
        [way.option for way in access],
        [way.option for way in egress],
        seconds,
        arrive_by=request.arrive_by,
        max_transfers=request.preferences.max_transfers,
        max_slower=PARETO_WINDOW,
    )
    if not journeys:
        context.errors.append(
            PlanError(PlanErrorCode.NO_TRANSIT_CONNECTION, f"{names}: no connection at that time")
        )
        return []
    by_id = {service.id: service for service in services}
    transfers: dict[tuple[str, str], Leg] = {}  # one street walk per change, for all journeys
    return [
        _itinerary(
            context,
            network,
            by_id,
            found.journey,
            day_start,
            (access[found.access], egress[found.egress]),
            transfers,
        )
        for found in journeys
    ]


def _itinerary(
    context: PlanContext,
    network: TransitNetwork,
    services: dict[str, TransitService],
    journey: Journey,
    day_start: dt.datetime,
    ways: tuple[StopWay, StopWay],
    transfers: dict[tuple[str, str], Leg],
) -> Itinerary:
    def at(seconds: float) -> dt.datetime:
        # Wall-clock time from seconds after the service day's start, right across DST changes.
        return (day_start + dt.timedelta(seconds=seconds)).astimezone(TIMEZONE)

    def place(stop: TransitStop) -> Place:
        return _stop_place(network.original_stop(stop.id))

    # The way to the first stop starts before any footpath walked ahead of the first ride.
    legs: list[Leg] = ways[0].legs(at(journey.departure_s))
    paid: set[str] = set()
    fares = iter(
        leg_fares(network.timetable.fares, journey.transit_legs, network.timetable.fares_v2, at)
    )
    for part in journey.legs:
        if isinstance(part, TransferLeg):
            key = (part.from_stop.id, part.to_stop.id)
            if key not in transfers:
                transfers[key] = _transfer(context, part, legs[-1].end, place)
            walked = transfers[key]
            legs.append(
                dataclasses.replace(
                    walked, start=legs[-1].end, end=legs[-1].end + (walked.end - walked.start)
                )
            )
            continue
        service = services[network.service_of_route(part.route.id)]
        fare = next(fares)
        ride = _ride(network, part, service, at, place, charge=service.id not in paid)
        if fare is not None:  # the feed's GTFS fares price it, transfers included
            ride = dataclasses.replace(ride, price_minor=fare.price_minor, currency=fare.currency)
        legs.append(ride)
        paid.add(service.id)  # else one fare per journey on one network (Île-de-France style)
    legs += ways[1].legs(at(journey.transit_legs[-1].arrival_s))
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
        geometry=DrawnGeometry(((a.lat, a.lon), (b.lat, b.lon))),
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
    start, end = clock(part.departure_s), clock(part.arrival_s)
    stops = [part.board_stop, *(c.stop for c in part.intermediate_stops), part.alight_stop]
    alerts = _alerts(
        service,
        agency_id=route.agency_id,
        route_type=route.route_type,
        route_id=route.id,
        trip_id=part.trip.id[prefix:],
        stop_ids=[network.original_stop(stop.id).id for stop in stops],
        start=start,
        end=end,
    )
    calls = [(part.board_stop.lat, part.board_stop.lon)]
    calls += [(c.stop.lat, c.stop.lon) for c in part.intermediate_stops]
    calls.append((part.alight_stop.lat, part.alight_stop.lon))
    distance_m = sum(_metres_between(a, b) for a, b in itertools.pairwise(calls))
    price = price_minor(service.pricing, part.duration_s, distance_m)
    if not charge and price is not None:
        price = 0  # the journey's fare is already paid
    return Leg(
        mode=leg_mode,
        start=start,
        end=end,
        from_place=place(part.board_stop),
        to_place=place(part.alight_stop),
        distance_m=distance_m,
        geometry=DrawnGeometry(tuple(calls)),
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
            realtime=part.realtime,
            departure_delay_s=None
            if part.scheduled_departure_s is None
            else part.departure_s - part.scheduled_departure_s,
            arrival_delay_s=None
            if part.scheduled_arrival_s is None
            else part.arrival_s - part.scheduled_arrival_s,
            alerts=alerts,
            intermediate_stops=tuple(
                StopVisit(stop.id, stop.name, stop.lat, stop.lon, clock(c.arrival_s))
                for c in part.intermediate_stops
                for stop in (network.original_stop(c.stop.id),)
            ),
        ),
    )


def _alerts(
    service: TransitService,
    *,
    agency_id: str,
    route_type: int | None,
    route_id: str,
    trip_id: str,
    stop_ids: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[Alert, ...]:
    """The service's alerts about this ride (its route, trip or a stop it calls at) that are
    active while it runs, in the feed's order."""
    live: TripUpdates | None = service.live
    if live is None:
        return ()
    return tuple(
        alert
        for alert in live.alerts
        if alert.active_during(start, end)
        and alert.informs(
            agency_id=agency_id,
            route_id=route_id,
            trip_id=trip_id,
            stop_ids=stop_ids,
            route_type=route_type,
        )
    )


def _stop_place(stop: TransitStop) -> Place:
    return Place(stop.lat, stop.lon, stop.name, stop_id=stop.id)


def _metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_m(a[0], a[1], b[0], b[1]))


def _metres(a: TransitStop, b: TransitStop) -> float:
    return _metres_between((a.lat, a.lon), (b.lat, b.lon))
