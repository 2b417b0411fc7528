"""Plans tell only what is known: unknown prices, old station counts, kinds nobody publishes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from routing.planning.itinerary import Itinerary, LegMode
from routing.planning.notices import PlanErrorCode, PlanWarningCode, error_code, warning_code
from routing.planning.planner import TripPlanner
from routing.planning.services import (
    PricingPlan,
    ServiceCatalogue,
    ServiceKind,
    SharedVehicleService,
    Station,
)
from routing.street.modes import Mode
from routing.street.readers.topology import TOPOLOGY_WARNINGS
from tests.routing.planning.grid_trips import NOW, at, bikes, request

# The real Vélib' snapshot's last_reported time (shared data, bikeshare/).
VELIB_SNAPSHOT = dt.datetime(2025, 10, 18, 9, 9, tzinfo=dt.UTC)
FRESH = NOW - dt.timedelta(minutes=2)


def shared(it: Itinerary) -> bool:
    return any(leg.mode is LegMode.BIKE_SHARE for leg in it.legs)


def ride_with(planner: TripPlanner, service: SharedVehicleService) -> Itinerary:
    result = planner.plan(request(at(0, 0), at(4, 4)), ServiceCatalogue((service,)))
    return next(it for it in result.itineraries if shared(it))


@pytest.mark.parametrize(
    ("pricing", "price"),
    [
        pytest.param(None, None, id="no-pricing-published-is-unknown"),
        pytest.param(PricingPlan(), 0, id="published-free-plan-is-zero"),
    ],
)
def test_a_ride_costs_what_the_service_published(
    planner: TripPlanner, pricing: PricingPlan | None, price: int | None
) -> None:
    trip = ride_with(planner, dataclasses.replace(bikes(), pricing=pricing))
    walk_in, ride, walk_out = trip.legs
    assert walk_in.price_minor == 0 and walk_out.price_minor == 0
    assert ride.price_minor == price
    assert trip.price_minor == price
    assert trip.unpriced_legs == ((1,) if price is None else ())


def test_own_car_has_no_price_and_walking_or_cycling_cost_nothing(planner: TripPlanner) -> None:
    result = planner.plan(request(at(0, 0), at(4, 4)), ServiceCatalogue())
    by_mode = {it.legs[0].mode: it for it in result.itineraries}
    assert by_mode[LegMode.CAR].price_minor is None
    assert by_mode[LegMode.CAR].unpriced_legs == (0,)
    assert by_mode[LegMode.WALK].price_minor == 0
    assert by_mode[LegMode.BICYCLE].price_minor == 0


def two_pickups(stale_at: dt.datetime) -> SharedVehicleService:
    """A station 100 m from the origin reported at ``stale_at``, a live one 200 m away."""
    near = Station(
        "near", "Proche", *at(0, 0.25), vehicles_available=9, docks_available=9,
        reported_at=stale_at,
    )  # fmt: skip
    farther = Station(
        "farther", "Un peu plus loin", *at(0.5, 0), vehicles_available=2, docks_available=9,
        reported_at=FRESH,
    )  # fmt: skip
    dropoff = Station(
        "end", "Arrivée", *at(4, 3.75), vehicles_available=0, docks_available=5,
        reported_at=FRESH,
    )  # fmt: skip
    return SharedVehicleService(
        "velo", "Vélo test", ServiceKind.BIKE_SHARE, Mode.BIKE, stations=(near, farther, dropoff)
    )


def test_stale_station_ranks_below_a_live_one_at_a_similar_distance(planner: TripPlanner) -> None:
    ride = ride_with(planner, two_pickups(VELIB_SNAPSHOT)).legs[1]
    assert ride.from_place.station_id == "farther"
    assert ride.from_place.is_realtime is True and ride.from_place.reported_at == FRESH
    # Both live: the nearer one wins, as before.
    ride = ride_with(planner, two_pickups(FRESH)).legs[1]
    assert ride.from_place.station_id == "near"


def test_a_stale_station_is_still_used_and_says_as_of_when(planner: TripPlanner) -> None:
    only_stale = Station(
        "s1", "Ancienne", *at(0, 0.25), vehicles_available=3, docks_available=2,
        reported_at=VELIB_SNAPSHOT,
    )  # fmt: skip
    service = dataclasses.replace(bikes(), stations=(only_stale, bikes().stations[1]))
    ride = ride_with(planner, service).legs[1]
    assert ride.from_place.station_id == "s1"
    assert ride.from_place.is_realtime is False
    assert ride.from_place.reported_at == VELIB_SNAPSHOT
    assert ride.from_place.vehicles_available == 3


def test_freshness_limit_is_the_planners_argument(planner: TripPlanner) -> None:
    lenient = TripPlanner(
        planner.network, clock=lambda: NOW, availability_max_age=dt.timedelta(days=10_000)
    )
    ride = ride_with(lenient, two_pickups(VELIB_SNAPSHOT)).legs[1]
    assert ride.from_place.station_id == "near" and ride.from_place.is_realtime is True


def test_no_service_published_names_each_asked_kind(planner: TripPlanner) -> None:
    asked = frozenset({ServiceKind.PUBLIC_TRANSPORT, ServiceKind.BIKE_SHARE})
    result = planner.plan(
        request(at(0, 0), at(4, 4), service_kinds=asked), ServiceCatalogue((bikes(),))
    )
    unpublished = [e for e in result.errors if e.code is PlanErrorCode.NO_SERVICE_PUBLISHED]
    assert [e.kind for e in unpublished] == [ServiceKind.PUBLIC_TRANSPORT]
    assert "public transport" in unpublished[0].message
    assert "timetable" in unpublished[0].message
    assert unpublished[0].input_field == "modes"


def test_no_kind_asked_in_particular_reports_nothing_unpublished(planner: TripPlanner) -> None:
    result = planner.plan(request(at(0, 0), at(4, 4)), ServiceCatalogue())
    assert not [e for e in result.errors if e.code is PlanErrorCode.NO_SERVICE_PUBLISHED]


def test_a_kind_filtered_out_for_this_trip_is_not_called_unpublished(
    planner: TripPlanner,
) -> None:
    # The marketplace left the (closed) bike share out, but it is published.
    catalogue = ServiceCatalogue((), published_kinds=frozenset({ServiceKind.BIKE_SHARE}))
    asked = frozenset({ServiceKind.BIKE_SHARE})
    result = planner.plan(request(at(0, 0), at(4, 4), service_kinds=asked), catalogue)
    assert not [e for e in result.errors if e.code is PlanErrorCode.NO_SERVICE_PUBLISHED]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param(TOPOLOGY_WARNINGS[0], PlanWarningCode.ONEWAY_UNKNOWN, id="oneway"),
        pytest.param(TOPOLOGY_WARNINGS[1], PlanWarningCode.STREET_NAMES_UNKNOWN, id="names"),
        pytest.param(TOPOLOGY_WARNINGS[2], PlanWarningCode.STREET_ACCESS_UNKNOWN, id="access"),
        pytest.param(
            "3 edge(s) name unknown nodes and were dropped",
            PlanWarningCode.EDGES_DROPPED,
            id="dropped",
        ),
        pytest.param("something new", PlanWarningCode.OTHER, id="other"),
    ],
)
def test_street_warnings_have_codes(text: str, code: PlanWarningCode) -> None:
    assert warning_code(text) is code


def test_routing_exception_codes_map_to_plan_error_codes() -> None:
    assert error_code("NO_ROUTE") is PlanErrorCode.NO_ROUTE
    assert error_code("INVALID_COORDINATE") is PlanErrorCode.LOCATION_NOT_FOUND
    assert error_code("SOMETHING_ELSE") is PlanErrorCode.ROUTING_ERROR
