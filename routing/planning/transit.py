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
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from routing.geometry import haversine_m
from routing.planning.itinerary import Itinerary, Leg, LegMode, Place, StopVisit, TransitDetails
from routing.planning.services import DEFAULT_CO2_G_PER_KM, ServiceKind, TransitService
from routing.street.modes import Mode
from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import (
    Journey,
    TransferLeg,
    TransitLeg,
    TransitStop,
    straight_line_transfers,
)

if TYPE_CHECKING:
    from routing.planning.planner import TripPlanner, _Context

__all__ = ["PARIS", "plan_with_timetable"]

PARIS = ZoneInfo("Europe/Paris")
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
    planner: TripPlanner, context: _Context, *, from_origin: bool, stops: tuple[TransitStop, ...]
) -> dict[str, float]:
    """Walking seconds between the origin (or destination) and the nearest stops."""
    walk = planner.network.router(Mode.WALK)
    start = context.origin_walk if from_origin else context.destination_walk
    costs = context.walk_from_origin if from_origin else context.walk_to_destination
    found: list[tuple[float, str]] = []
    for stop in stops:
        snap = planner.snap_station(Mode.WALK, stop.lat, stop.lon)
        if snap is None:
            continue
        seconds = float(walk.costs_to(start, costs, [snap], avoid=context.walk_avoid)[0])
        if np.isfinite(seconds):
            found.append((seconds * context.walk_factor, stop.id))
    found.sort()
    return {stop_id: seconds for seconds, stop_id in found[:_MAX_ACCESS_STOPS]}


def plan_with_timetable(
    planner: TripPlanner, context: _Context, service: TransitService
) -> list[Itinerary]:
    """Itineraries riding ``service``'s timetable, Pareto over arrival time and transfers."""
    from routing.planning.planner import PlanError

    request = context.request
    local = request.time.astimezone(PARIS)
    day = local.date()
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    timetable = service.timetable
    access = _stop_costs(planner, context, from_origin=True, stops=timetable.stops)
    egress = _stop_costs(planner, context, from_origin=False, stops=timetable.stops)
    limit = request.preferences.max_walk_m
    if not access or not egress:
        where = "origin" if not access else "destination"
        context.errors.append(
            PlanError(
                "NO_SERVICE_AVAILABLE",
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
            PlanError("NO_TRANSIT_CONNECTION", f"{service.name}: no connection at that time")
        )
        return []
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=PARIS)
    return [_itinerary(planner, context, service, journey, midnight) for journey in journeys]


def _itinerary(
    planner: TripPlanner,
    context: _Context,
    service: TransitService,
    journey: Journey,
    midnight: dt.datetime,
) -> Itinerary:
    def at(seconds: float) -> dt.datetime:
        # Wall-clock time from seconds after midnight, right across DST changes.
        return (midnight.astimezone(dt.UTC) + dt.timedelta(seconds=seconds)).astimezone(PARIS)

    walk_mode = LegMode.WALK
    legs: list[Leg] = []
    access_snap = planner.snap_station(Mode.WALK, journey.access_stop.lat, journey.access_stop.lon)
    egress_snap = planner.snap_station(Mode.WALK, journey.egress_stop.lat, journey.egress_stop.lon)
    assert access_snap is not None and egress_snap is not None
    first_ride = journey.transit_legs[0]
    access_leg = planner.street_leg(
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
    co2 = service.co2_g_per_km
    if co2 is None:
        co2 = DEFAULT_CO2_G_PER_KM.get(service.kind, 0.0)
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
    egress_leg = planner.street_leg(
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
    return Itinerary(tuple(legs), warnings=planner.network.warnings)


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
    price = service.pricing.price_minor(part.duration_s, distance_m) if charge else 0
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
        currency=service.pricing.currency,
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
