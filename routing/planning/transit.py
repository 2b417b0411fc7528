"""Timetabled itineraries: walk to stops, ride with transfers (RAPTOR), walk from stops.

Access and egress walking times come from the planner's bounded walking searches, so stops
are reached along real streets; transfers between stops use straight-line footpaths (a
detour factor applied), which is what most GTFS consumers do when a feed has no transfers.
RAPTOR indexes are cached per timetable and service day: a new catalogue snapshot with a new
timetable value gets a new index, and the next plan uses it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable

from routing.geometry import haversine_m
from routing.planning.access import nearest_by_walk
from routing.planning.context import PlanContext, service_co2_g_per_km
from routing.planning.itinerary import Itinerary, Leg, LegMode, Place, StopVisit, TransitDetails
from routing.planning.notices import PlanErrorCode
from routing.planning.request import PlanError
from routing.planning.services import ServiceKind, TransitService, price_minor
from routing.regions.issy import TIMEZONE
from routing.street.modes import Mode
from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import (
    Journey,
    TransferLeg,
    TransitLeg,
    TransitStop,
    straight_line_transfers,
)

__all__ = ["plan_with_timetable"]

_MAX_ACCESS_STOPS = 12
# Keyed by the timetable's id; the entry holds the timetable itself, so that id cannot be
# reused by another timetable while the entry lives.
_indexes: dict[tuple[int, dt.date], tuple[object, RaptorIndex]] = {}
_lock = threading.Lock()


def _index(service: TransitService, day: dt.date) -> RaptorIndex:
    key = (id(service.timetable), day)
    with _lock:
        entry = _indexes.get(key)
        if entry is not None and entry[0] is service.timetable:
            return entry[1]
        if len(_indexes) > 64:  # old snapshots' timetables: drop them all, rebuild lazily
            _indexes.clear()
        transfers = straight_line_transfers(service.timetable.stops)
        index = RaptorIndex(service.timetable, day, transfers=transfers)
        _indexes[key] = (service.timetable, index)
        return index


def _stop_costs(
    context: PlanContext, *, from_origin: bool, stops: tuple[TransitStop, ...]
) -> dict[str, float]:
    """Walking seconds (at the traveller's pace) between the origin or destination and the
    nearest stops; equal times keep the stops' id order."""
    by_id = sorted(stops, key=lambda stop: stop.id)
    found = nearest_by_walk(context, by_id, from_origin=from_origin, limit=_MAX_ACCESS_STOPS)
    return {stop.id: seconds * context.walk_factor for seconds, stop, _ in found}


def plan_with_timetable(context: PlanContext, service: TransitService) -> list[Itinerary]:
    """Itineraries riding ``service``'s timetable, Pareto over arrival time and transfers."""
    request = context.request
    local = request.time.astimezone(TIMEZONE)
    day = local.date()
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    timetable = service.timetable
    access = _stop_costs(context, from_origin=True, stops=timetable.stops)
    egress = _stop_costs(context, from_origin=False, stops=timetable.stops)
    limit = request.preferences.max_walk_m
    if not access or not egress:
        where = "origin" if not access else "destination"
        context.errors.append(
            PlanError(
                PlanErrorCode.NO_SERVICE_AVAILABLE,
                f"{service.name}: no stop within {limit:.0f} m walk of the {where}",
                where,
            )
        )
        return []
    index = _index(service, day)
    if request.arrive_by:
        journeys = index.arrive_by(access, egress, seconds)
    else:
        journeys = index.depart_at(access, egress, seconds)
    if not journeys:
        context.errors.append(
            PlanError(
                PlanErrorCode.NO_TRANSIT_CONNECTION, f"{service.name}: no connection at that time"
            )
        )
        return []
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=TIMEZONE)
    return [_itinerary(context, service, journey, midnight) for journey in journeys]


def _itinerary(
    context: PlanContext,
    service: TransitService,
    journey: Journey,
    midnight: dt.datetime,
) -> Itinerary:
    def at(seconds: float) -> dt.datetime:
        # Wall-clock time from seconds after midnight, right across DST changes.
        return (midnight.astimezone(dt.UTC) + dt.timedelta(seconds=seconds)).astimezone(TIMEZONE)

    walk_mode = LegMode.WALK
    legs: list[Leg] = []
    access_snap = context.snap_station(Mode.WALK, journey.access_stop.lat, journey.access_stop.lon)
    egress_snap = context.snap_station(Mode.WALK, journey.egress_stop.lat, journey.egress_stop.lon)
    assert access_snap is not None and egress_snap is not None
    first_ride = journey.transit_legs[0]
    access_leg = context.street_leg(
        Mode.WALK,
        walk_mode,
        context.origin_walk,
        access_snap,
        at(first_ride.departure_s - journey.access_s),
        factor=context.walk_factor,
        to_place=_stop_place(journey.access_stop),
        avoid=context.walk_avoid,
    )
    legs.append(access_leg)
    leg_mode = LegMode.SHUTTLE if service.kind is ServiceKind.SHUTTLE else LegMode.TRANSIT
    co2 = service_co2_g_per_km(service.co2_g_per_km, service.kind)
    fare_paid = False
    for part in journey.legs:
        if isinstance(part, TransferLeg):
            start = legs[-1].end
            legs.append(
                Leg(
                    mode=walk_mode,
                    start=start,
                    end=start + dt.timedelta(seconds=part.duration_s),
                    from_place=_stop_place(part.from_stop),
                    to_place=_stop_place(part.to_stop),
                    distance_m=_metres(part.from_stop, part.to_stop),
                    coordinates=(
                        (part.from_stop.lat, part.from_stop.lon),
                        (part.to_stop.lat, part.to_stop.lon),
                    ),
                )
            )
            continue
        legs.append(_ride(part, leg_mode, service, co2, at, charge=not fare_paid))
        fare_paid = True  # one fare per journey on one network (Île-de-France style)
    last_ride = journey.transit_legs[-1]
    egress_leg = context.street_leg(
        Mode.WALK,
        walk_mode,
        egress_snap,
        context.destination_walk,
        at(last_ride.arrival_s),
        factor=context.walk_factor,
        from_place=_stop_place(journey.egress_stop),
        avoid=context.walk_avoid,
    )
    legs.append(egress_leg)
    return Itinerary(tuple(legs), warnings=context.network.warnings)


def _ride(
    part: TransitLeg,
    leg_mode: LegMode,
    service: TransitService,
    co2_g_per_km: float,
    clock: Callable[[float], dt.datetime],
    *,
    charge: bool,
) -> Leg:
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
        from_place=_stop_place(part.board_stop),
        to_place=_stop_place(part.alight_stop),
        distance_m=distance_m,
        coordinates=tuple(calls),
        service_id=service.id,
        price_minor=price,
        currency=service.pricing.currency if service.pricing else None,
        co2_g=co2_g_per_km * distance_m / 1000,
        transit=TransitDetails(
            route_id=part.route.id,
            route_name=part.route.name,
            trip_id=part.trip.id,
            headsign=part.trip.headsign or None,
            intermediate_stops=tuple(
                StopVisit(c.stop.id, c.stop.name, c.stop.lat, c.stop.lon, clock(c.arrival_s))
                for c in part.intermediate_stops
            ),
        ),
    )


def _stop_place(stop: TransitStop) -> Place:
    return Place(stop.lat, stop.lon, stop.name, stop_id=stop.id)


def _metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_m(a[0], a[1], b[0], b[1]))


def _metres(a: TransitStop, b: TransitStop) -> float:
    return _metres_between((a.lat, a.lon), (b.lat, b.lon))
