"""Multimodal plans on a 5 x 5 grid of 400 m blocks, with services handed in as values."""

from __future__ import annotations

import datetime as dt
import math
import threading

import pytest
import shapely

from routing.errors import LocationOutsideNetworkError
from routing.planning.itinerary import LegMode
from routing.planning.planner import PlanStopped, TripPlanner
from routing.planning.request import PlanRequest, PlanRequestError, Preferences
from routing.planning.services import (
    OnDemandService,
    ParkingService,
    PricingPlan,
    ServiceCatalogue,
    ServiceKind,
    SharedVehicleService,
    Station,
    TransitService,
)
from routing.planning.vehicle_legs import RETURN_S, UNLOCK_S
from routing.street.modes import Mode
from routing.transit.timetable import (
    ServiceCalendar,
    Timetable,
    TransitRoute,
    TransitStop,
    TransitTrip,
)
from tests.routing.planning.grid_trips import NOW, PARIS, at, bikes, request


def test_walk_bike_and_car_direct(planner: TripPlanner) -> None:
    result = planner.plan(request(at(0, 0), at(4, 4)), ServiceCatalogue())
    modes = {it.legs[0].mode for it in result.itineraries}
    assert modes == {LegMode.WALK, LegMode.BICYCLE, LegMode.CAR}
    walk = next(it for it in result.itineraries if it.legs[0].mode is LegMode.WALK)
    assert walk.distance_m == pytest.approx(3200, rel=1e-2)
    assert walk.duration_s == pytest.approx(3200 / (4.8 / 3.6), rel=1e-2)
    assert walk.start == NOW
    car = next(it for it in result.itineraries if it.legs[0].mode is LegMode.CAR)
    assert car.co2_g == pytest.approx(3.2 * 218, rel=1e-2)


def test_walking_speed_preference_scales_walks(planner: TripPlanner) -> None:
    fast = planner.plan(
        request(
            at(0, 0),
            at(0, 2),
            direct_modes=frozenset({"WALK"}),
            preferences=Preferences(walk_speed_kmh=6.0),
        ),
        ServiceCatalogue(),
    )
    assert fast.itineraries[0].duration_s == pytest.approx(800 / (6.0 / 3.6), rel=1e-2)


def test_docked_bike_share_uses_live_availability(planner: TripPlanner) -> None:
    catalogue = ServiceCatalogue((bikes(),), version=1)
    result = planner.plan(request(at(0, 0), at(4, 4)), catalogue)
    shared = [
        it for it in result.itineraries if any(leg.mode is LegMode.BIKE_SHARE for leg in it.legs)
    ]
    assert len(shared) == 1
    legs = shared[0].legs
    assert [leg.mode for leg in legs] == [LegMode.WALK, LegMode.BIKE_SHARE, LegMode.WALK]
    ride = legs[1]
    assert ride.service_id == "velo"
    assert ride.from_place.station_id == "s1" and ride.from_place.vehicles_available == 3
    assert ride.to_place.station_id == "s2" and ride.to_place.docks_available == 5
    riding_s = ride.duration_s - UNLOCK_S - RETURN_S
    assert ride.price_minor == 100 + 5 * math.ceil(riding_s / 60)
    assert shared[0].price_minor == ride.price_minor and shared[0].currency == "EUR"
    assert legs[0].end == ride.start and ride.end == legs[2].start

    # The same station emptied: the very next plan has no bike share, and says why.
    empty = planner.plan(
        request(at(0, 0), at(4, 4)), ServiceCatalogue((bikes(pickup_vehicles=0),), 2)
    )
    assert not any(leg.mode is LegMode.BIKE_SHARE for it in empty.itineraries for leg in it.legs)
    assert any(e.code == "NO_SERVICE_AVAILABLE" and "vehicle" in e.message for e in empty.errors)

    full = planner.plan(request(at(0, 0), at(4, 4)), ServiceCatalogue((bikes(dropoff_docks=0),), 3))
    assert any("free dock" in e.message for e in full.errors)


def test_excluded_and_unknown_services(planner: TripPlanner) -> None:
    catalogue = ServiceCatalogue((bikes(),), version=1)
    result = planner.plan(
        request(at(0, 0), at(4, 4), exclude_services=frozenset({"velo"})), catalogue
    )
    assert not any(leg.service_id == "velo" for it in result.itineraries for leg in it.legs)
    unknown = planner.plan(
        request(at(0, 0), at(4, 4), only_services=frozenset({"nope"})), catalogue
    )
    assert any(e.code == "UNKNOWN_SERVICE" and "nope" in e.message for e in unknown.errors)


def test_arrive_by_ends_at_the_requested_time(planner: TripPlanner) -> None:
    result = planner.plan(
        request(at(0, 0), at(2, 2), arrive_by=True, direct_modes=frozenset({"WALK", "BICYCLE"})),
        ServiceCatalogue(),
    )
    assert result.itineraries
    for itinerary in result.itineraries:
        assert itinerary.end == NOW
        assert itinerary.start < NOW


def test_car_with_parking_at_the_destination(planner: TripPlanner) -> None:
    parking = ParkingService(
        id="parc",
        name="Parc test",
        sites=(Station("p1", "Parking Est", *at(4, 3.5), docks_available=12),),
        pricing=PricingPlan(per_hour_minor=250),
    )
    result = planner.plan(request(at(0, 0), at(4, 4)), ServiceCatalogue((parking,), 1))
    parked = [it for it in result.itineraries if any(leg.service_id == "parc" for leg in it.legs)]
    assert len(parked) == 1
    legs = parked[0].legs
    assert [leg.mode for leg in legs] == [LegMode.CAR, LegMode.WALK]
    assert legs[0].to_place.docks_available == 12 and legs[0].price_minor == 250
    assert legs[1].distance_m == pytest.approx(200, rel=0.05)


def test_on_demand_inside_its_zone_only(planner: TripPlanner) -> None:
    zone = shapely.box(
        at(0, 0)[1] - 0.001, at(0, 0)[0] - 0.001, at(4, 4)[1] + 0.001, at(4, 4)[0] + 0.001
    )
    shuttle = OnDemandService(
        "tad",
        "Navette à la demande",
        zone,
        waiting_time_s=600,
        pricing=PricingPlan(unlock_minor=200),
    )
    result = planner.plan(request(at(0, 0), at(4, 4)), ServiceCatalogue((shuttle,), 1))
    ride = next(it for it in result.itineraries if it.legs[0].mode is LegMode.ON_DEMAND)
    assert ride.legs[0].price_minor == 200
    assert ride.duration_s >= 600
    small = shapely.box(at(0, 0)[1] - 0.001, at(0, 0)[0] - 0.001, at(1, 1)[1], at(1, 1)[0])
    outside = planner.plan(
        request(at(0, 0), at(4, 4)),
        ServiceCatalogue((OnDemandService("tad", "Navette", small, 600),), 2),
    )
    assert any(e.code == "NO_SERVICE_AVAILABLE" for e in outside.errors)


def test_free_floating_scooters_end_outside_no_parking(planner: TripPlanner) -> None:
    zone = shapely.box(
        at(0, 0)[1] - 0.001, at(0, 0)[0] - 0.001, at(4, 4)[1] + 0.001, at(4, 4)[0] + 0.001
    )
    dest = at(4, 4)
    no_parking = shapely.Point(dest[1], dest[0]).buffer(0.002)
    scooters = SharedVehicleService(
        id="trott",
        name="Trottinettes",
        kind=ServiceKind.SCOOTER_SHARE,
        ride_mode=Mode.BIKE,
        zone=zone,
        no_parking=no_parking,
        vehicles=(Station("v1", "Trottinette", *at(0, 0.1), vehicles_available=1),),
        ride_speed_kmh=18.0,
    )
    result = planner.plan(request(at(0, 0), dest), ServiceCatalogue((scooters,), 1))
    trip = next(
        it for it in result.itineraries if any(leg.mode is LegMode.SCOOTER_SHARE for leg in it.legs)
    )
    ride = next(leg for leg in trip.legs if leg.mode is LegMode.SCOOTER_SHARE)
    end = shapely.Point(ride.to_place.lon, ride.to_place.lat)
    assert not no_parking.contains(end)
    assert trip.legs[-1].mode is LegMode.WALK  # the last stretch out of the no-parking area


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"time": NOW.replace(tzinfo=None)}, "has no timezone", id="naive-time"),
        pytest.param({"time": NOW + dt.timedelta(days=400)}, "more than 60 days", id="far-future"),
        pytest.param({"preferences": Preferences(walk_speed_kmh=40)}, "walking speed", id="speed"),
        pytest.param(
            {"only_services": frozenset({"a"}), "exclude_services": frozenset({"a"})},
            "both required and excluded",
            id="conflict",
        ),
    ],
)
def test_bad_requests_raise_clear_errors(
    planner: TripPlanner, kwargs: dict[str, object], message: str
) -> None:
    base = {"origin": at(0, 0), "destination": at(4, 4), "time": NOW}
    with pytest.raises(PlanRequestError, match=message):
        planner.plan(PlanRequest(**{**base, **kwargs}), ServiceCatalogue())  # type: ignore[arg-type]


def test_same_origin_and_destination_is_refused(planner: TripPlanner) -> None:
    with pytest.raises(PlanRequestError, match="same place"):
        planner.plan(request(at(1, 1), at(1, 1)), ServiceCatalogue())


def test_origin_far_outside_the_network(planner: TripPlanner) -> None:
    with pytest.raises(LocationOutsideNetworkError, match="origin"):
        planner.plan(request((48.95, 2.40), at(1, 1)), ServiceCatalogue())


def _bus_line(first_departure_s: int = 8 * 3600 + 35 * 60) -> TransitService:
    """A bus along the north row, stops at every crossing, every 10 min, 2 min per block."""
    stops = tuple(TransitStop(f"n{c}", f"Arrêt {c}", *at(4, c)) for c in range(5))
    trips = tuple(
        TransitTrip(
            id=f"t{k}",
            route_id="b1",
            service_id="weekdays",
            headsign="Est",
            stop_ids=tuple(s.id for s in stops),
            arrival_s=tuple(first_departure_s + 600 * k + 120 * c for c in range(5)),
            departure_s=tuple(first_departure_s + 600 * k + 120 * c for c in range(5)),
        )
        for k in range(6)
    )
    timetable = Timetable(
        stops=stops,
        routes=(TransitRoute("b1", "B1", "Ligne test", "bus"),),
        trips=trips,
        calendars=(
            ServiceCalendar(
                "weekdays",
                weekdays=(True,) * 5 + (False, False),
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 12, 31),
            ),
        ),
        source_id="test",
    )
    return TransitService(
        "bus", "Bus test", ServiceKind.PUBLIC_TRANSPORT, timetable, PricingPlan(unlock_minor=215)
    )


def test_timetabled_line_with_walks_to_and_from_stops(planner: TripPlanner) -> None:
    catalogue = ServiceCatalogue((_bus_line(),), version=1)
    plan = planner.plan(
        request(at(4, 0.1), at(4, 3.9), direct_modes=frozenset({"WALK"})), catalogue
    )
    transit = [it for it in plan.itineraries if any(leg.transit for leg in it.legs)]
    assert transit, plan.errors
    legs = transit[0].legs
    assert [leg.mode for leg in legs] == [LegMode.WALK, LegMode.TRANSIT, LegMode.WALK]
    ride = legs[1]
    assert ride.transit is not None and ride.transit.route_name == "B1"
    assert ride.start >= NOW and ride.start.minute % 10 == 5  # departures at :05, :15 ...
    assert legs[0].end <= ride.start and ride.end == legs[2].start
    assert ride.price_minor == 215
    passed = ride.transit.intermediate_stops
    assert passed and all(v.lat == pytest.approx(at(4, 0)[0]) for v in passed)
    assert [v.time for v in passed] == sorted(v.time for v in passed)
    assert ride.from_place.stop_id in {"n0", "n1"} and ride.to_place.stop_id in {"n3", "n4"}


def test_no_timetabled_service_on_sunday(planner: TripPlanner) -> None:
    sunday = dt.datetime(2026, 11, 29, 8, 30, tzinfo=PARIS)
    plan = planner.plan(
        PlanRequest(origin=at(4, 0.1), destination=at(4, 3.9), time=sunday),
        ServiceCatalogue((_bus_line(),), version=1),
    )
    assert not any(leg.transit for it in plan.itineraries for leg in it.legs)
    assert any(e.code == "NO_TRANSIT_CONNECTION" for e in plan.errors)


def test_via_points_chain_direct_legs_and_say_services_skip_them(planner: TripPlanner) -> None:
    catalogue = ServiceCatalogue((bikes(),), version=1)
    result = planner.plan(
        request(at(0, 0), at(0, 1), via=(at(4, 4),), direct_modes=frozenset({"WALK"})), catalogue
    )
    walk = result.itineraries[0]
    assert [leg.mode for leg in walk.legs] == [LegMode.WALK, LegMode.WALK]
    assert walk.distance_m == pytest.approx(3200 + 2800, rel=1e-2)
    assert walk.legs[0].end == walk.legs[1].start
    assert any(e.code == "VIA_DIRECT_MODES_ONLY" for e in result.errors)
    with pytest.raises(PlanRequestError, match="at most 5"):
        planner.plan(request(at(0, 0), at(0, 1), via=(at(1, 1),) * 6), catalogue)


class _StopAtCheck(threading.Event):
    """A stop event that reads as set from its ``at``-th check on (counting the checks)."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at
        self.checks = 0

    def is_set(self) -> bool:
        self.checks += 1
        return self.checks >= self.at


def test_a_stopped_plan_ends_at_its_next_step(planner: TripPlanner) -> None:
    catalogue = ServiceCatalogue((bikes(),), version=1)
    trip = request(at(0, 0), at(4, 4))
    full = planner.plan(trip, catalogue, stop=threading.Event())  # never set: plans in full
    assert any(leg.mode is LegMode.BIKE_SHARE for it in full.itineraries for leg in it.legs)

    already = _StopAtCheck(at=1)
    with pytest.raises(PlanStopped):
        planner.plan(trip, catalogue, stop=already)
    assert already.checks == 1  # not even the walking searches ran

    # Set while the direct modes were planned: it stops before the bike share is searched.
    midway = _StopAtCheck(at=3)
    with pytest.raises(PlanStopped):
        planner.plan(trip, catalogue, stop=midway)
    assert midway.checks == 3
