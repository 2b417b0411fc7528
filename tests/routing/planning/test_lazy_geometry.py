"""Street legs' lines and steps are built only when read, and then describe the leg.

A plan ranks its candidates on costs alone; the geometry of the itineraries it returns is
built on first read. Real OSM: the west-Issy Overpass extract, with a docked bike share on
two real street corners, so a plan weighs walking, cycling, driving and share candidates.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from routing.geometry import haversine_m
from routing.planning.itinerary import Leg
from routing.planning.planner import TripPlanner
from routing.planning.request import PlanRequest, Preferences
from routing.planning.services import (
    PricingPlan,
    ServiceCatalogue,
    ServiceKind,
    SharedVehicleService,
    Station,
)
from routing.street.modes import Mode
from routing.street.network import StreetNetwork, open_street_network
from routing.street.route_geometry import RouteGeometry
from routing.street.router import StreetRouter
from routing.street.snap import Snap

OVERPASS = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
PARIS = dt.timezone(dt.timedelta(hours=1))
NOW = dt.datetime(2026, 11, 30, 8, 30, tzinfo=PARIS)
ORIGIN = (48.8150, 2.2420)
MODES = {"WALK": Mode.WALK, "BICYCLE": Mode.BIKE, "CAR": Mode.DRIVE, "BIKE_SHARE": Mode.BIKE}
DESTINATION = (48.8240, 2.2520)


@pytest.fixture(scope="module")
def west_issy(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetNetwork:
    return open_street_network(shared_data / OVERPASS, cache_dir=tmp_path_factory.mktemp("w"))


def _bike_share() -> SharedVehicleService:
    stations = (
        Station("a", "Station Guilmant", 48.8152, 2.2423, vehicles_available=5, docks_available=9),
        Station(
            "b", "Station Stalingrad", 48.8238, 2.2517, vehicles_available=0, docks_available=12
        ),
    )
    return SharedVehicleService(
        id="velo",
        name="Vélos",
        kind=ServiceKind.BIKE_SHARE,
        ride_mode=Mode.BIKE,
        stations=stations,
        pricing=PricingPlan("EUR", unlock_minor=100, per_minute_minor=5),
    )


def _drawn_m(coordinates: tuple[tuple[float, float], ...]) -> float:
    return sum(
        float(haversine_m(a[0], a[1], b[0], b[1])) for a, b in itertools.pairwise(coordinates)
    )


def _street_legs(planner: TripPlanner, count: int) -> list[Leg]:
    request = PlanRequest(
        origin=ORIGIN,
        destination=DESTINATION,
        time=NOW,
        preferences=Preferences(num_itineraries=count),
    )
    result = planner.plan(request, ServiceCatalogue((_bike_share(),), version=1))
    assert len(result.itineraries) >= min(count, 4), result.errors
    legs = [leg for it in result.itineraries for leg in it.legs]
    assert all(isinstance(leg.geometry, RouteGeometry) for leg in legs)
    return legs


def test_returned_legs_geometry_is_built_on_first_read_only(west_issy: StreetNetwork) -> None:
    planner = TripPlanner(west_issy, clock=lambda: NOW)
    legs = _street_legs(planner, 3)
    geometries = [leg.geometry for leg in legs]
    assert isinstance(geometries[0], RouteGeometry)
    assert not any(g.built for g in geometries if isinstance(g, RouteGeometry))
    assert legs[0].coordinates  # read: built once, then kept
    assert isinstance(geometries[0], RouteGeometry) and geometries[0].built
    assert legs[0].geometry.coordinates is legs[0].coordinates


def test_returned_legs_geometry_draws_each_leg_end_to_end(west_issy: StreetNetwork) -> None:
    planner = TripPlanner(west_issy, clock=lambda: NOW)
    legs = _street_legs(planner, 5)
    assert {leg.mode.value for leg in legs} >= {"WALK", "BICYCLE", "CAR", "BIKE_SHARE"}
    for leg in legs:
        line = leg.coordinates
        assert len(line) >= 2, leg
        # The line and steps are those of the leg's own route, routed afresh between its ends
        # (the plan asked for nothing avoided, so every leg is the plain route of its mode)...
        router = west_issy.router(MODES[leg.mode.value])
        again = router.route_between(_snap(leg, router, 0), _snap(leg, router, -1))
        assert again.distance_m == pytest.approx(leg.distance_m, abs=1e-6), leg.mode
        assert line == again.coordinates, leg.mode
        assert leg.steps == again.steps, leg.mode
        # ...drawn along the streets its distance was measured on (connectors to cut-off
        # pieces are counted, not drawn)...
        drawn_m = _drawn_m(line)
        assert drawn_m <= leg.distance_m * 1.01 + 2.0, leg.mode
        assert drawn_m > 0.5 * leg.distance_m, leg.mode
        # ...and its steps cover it, from a departure to an arrival.
        steps = leg.steps
        assert steps[0].turn.value == "depart" and steps[-1].turn.value == "arrive"
        assert sum(s.distance_m for s in steps) == pytest.approx(drawn_m, rel=0.01, abs=2.0)


def _snap(leg: Leg, router: StreetRouter, end: int) -> Snap:
    """Where the leg's start (0) or end (-1) lies on the network of its mode: the asked
    origin or destination, or the station there (snapped from their own coordinates, as the
    planner does)."""
    place = leg.from_place if end == 0 else leg.to_place
    if place.station_id is not None:
        return router.snap(place.lat, place.lon, name="station")
    return router.snap(*(ORIGIN if end == 0 else DESTINATION))
