"""Stops reached by on-demand ride, own bike left at a bike parking, or a free-floating scooter.

A hand-made case with known answers on the 5 x 5 grid of 400 m blocks (``conftest.planner``):
a line from N (top right corner) to S (bottom right corner), trains at 08:40 and 08:50, two
minutes; the origin at the top left corner, 1.6 km from N (beyond the 500 m walk allowed), the
destination at S. Every service here is test data.
"""

from __future__ import annotations

import datetime as dt

import shapely

from routing.planning.itinerary import Itinerary, LegMode
from routing.planning.planner import TripPlanner
from routing.planning.request import Preferences
from routing.planning.services import (
    OnDemandService,
    ParkingService,
    PricingPlan,
    Service,
    ServiceCatalogue,
    ServiceKind,
    SharedVehicleService,
    Station,
    TransitService,
)
from routing.street.modes import Mode
from routing.transit.timetable import (
    ServiceCalendar,
    Timetable,
    TransitRoute,
    TransitStop,
    TransitTrip,
)
from tests.routing.planning.grid_trips import at, request

ORIGIN, NORTH, SOUTH = at(0, 0), at(0, 4), at(4, 4)
CALENDAR = ServiceCalendar("all", (True,) * 7, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
# The top row only (origin and N), 100 m either side: not the destination.
TOP_ROW = shapely.box(ORIGIN[1] - 0.001, ORIGIN[0] - 0.001, NORTH[1] + 0.001, NORTH[0] + 0.001)


def line() -> TransitService:
    stops = (TransitStop("n", "Nord", *NORTH), TransitStop("s", "Sud", *SOUTH))
    trips = tuple(
        TransitTrip(f"t{m}", "L", "all", "Sud", ("n", "s"), (t, t + 120), (t, t + 120))
        for m in (40, 50)
        for t in (8 * 3600 + m * 60,)
    )
    timetable = Timetable(
        stops, (TransitRoute("L", "L", "Ligne test", "rail"),), trips, (CALENDAR,), source_id="l"
    )
    return TransitService(
        "line", "Ligne test", ServiceKind.PUBLIC_TRANSPORT, timetable, PricingPlan(unlock_minor=200)
    )


def plan(planner: TripPlanner, *services: Service, direct: set[str]) -> list[Itinerary]:
    wanted = request(
        ORIGIN,
        SOUTH,
        direct_modes=frozenset(direct),
        preferences=Preferences(max_walk_m=500),
    )
    result = planner.plan(wanted, ServiceCatalogue((line(), *services), version=1))
    return [it for it in result.itineraries if any(leg.transit for leg in it.legs)]


def modes(itinerary: Itinerary) -> list[LegMode]:
    return [leg.mode for leg in itinerary.legs]


def test_on_demand_to_a_stop_then_the_train(planner: TripPlanner) -> None:
    shuttle = OnDemandService(
        "od", "Navette à la demande", TOP_ROW, 240.0, PricingPlan(unlock_minor=300)
    )
    assert plan(planner, direct={"WALK"}) == []  # N lies beyond the walk allowed
    [trip] = plan(planner, shuttle, direct={"WALK"})
    ride, train = trip.legs[0], trip.legs[1]
    assert modes(trip)[:2] == [LegMode.ON_DEMAND, LegMode.TRANSIT]
    assert ride.service_id == "od" and ride.price_minor == 300
    assert ride.to_place.stop_id == "n"
    # 4 min waiting + 1.6 km at 30 km/h (3.2 min) from 08:30: the 08:40 train.
    assert train.transit is not None and train.transit.trip_id == "t40"
    assert ride.end <= train.start
    assert trip.price_minor == 500  # the ride and the fare


def test_own_bike_to_a_bike_parking_by_the_stop(planner: TripPlanner) -> None:
    racks = ParkingService(
        "racks",
        "Abri vélos",
        (Station("r", "Abri Nord", *at(0, 3.9), docks_available=4),),
        PricingPlan(),
        vehicle="bicycle",
    )
    [trip] = plan(planner, racks, direct={"WALK", "BICYCLE"})
    assert modes(trip)[:3] == [LegMode.BICYCLE, LegMode.WALK, LegMode.TRANSIT]
    bike = trip.legs[0]
    assert bike.service_id == "racks" and bike.to_place.docks_available == 4
    assert bike.price_minor == 0  # a free bike parking, published as free
    # Without a bike of one's own (BICYCLE not among the direct modes), no such way.
    assert plan(planner, racks, direct={"WALK"}) == []
    # A full bike parking, or a car park, gives none either.
    full = ParkingService(
        "racks", "Abri vélos", (Station("r", "Abri Nord", *at(0, 3.9), docks_available=0),)
    )
    assert plan(planner, full, direct={"WALK", "BICYCLE"}) == []
    cars = ParkingService("p", "Parking", racks.sites, vehicle="car")
    assert not [
        it for it in plan(planner, cars, direct={"WALK", "BICYCLE"}) if LegMode.BICYCLE in modes(it)
    ]


def test_a_free_floating_scooter_dropped_at_the_stop(planner: TripPlanner) -> None:
    scooters = SharedVehicleService(
        "trott",
        "Trottinettes test",
        ServiceKind.SCOOTER_SHARE,
        Mode.BIKE,
        zone=TOP_ROW,
        vehicles=(Station("v1", "Trottinette 1", *at(0, 0.2), vehicles_available=1),),
        pricing=PricingPlan(unlock_minor=100, per_minute_minor=20),
        ride_speed_kmh=18.0,
    )
    trips = [it for it in plan(planner, scooters, direct={"WALK"}) if it.legs[1].transit is None]
    assert trips and modes(trips[0])[:3] == [
        LegMode.WALK,
        LegMode.SCOOTER_SHARE,
        LegMode.TRANSIT,
    ]
    ride = trips[0].legs[1]
    assert ride.from_place.name == "Trottinette 1" and ride.to_place.stop_id == "n"
    # A reserved scooter is no scooter.
    taken = SharedVehicleService(
        "trott",
        "Trottinettes test",
        ServiceKind.SCOOTER_SHARE,
        Mode.BIKE,
        zone=TOP_ROW,
        vehicles=(Station("v1", "Trottinette 1", *at(0, 0.2), vehicles_available=0),),
    )
    assert not [
        leg
        for it in plan(planner, taken, direct={"WALK"})
        for leg in it.legs
        if leg.mode is LegMode.SCOOTER_SHARE
    ]
