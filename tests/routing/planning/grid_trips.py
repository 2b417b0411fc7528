"""A 5 x 5 grid of 400 m blocks and the trips and services the planning tests ride on it."""

from __future__ import annotations

import datetime as dt

from routing.planning.request import PlanRequest
from routing.planning.services import PricingPlan, ServiceKind, SharedVehicleService, Station
from routing.street.modes import Mode
from tests.routing.grids import position

BLOCK = 4.0  # grid positions are in 100 m units; blocks here are 400 m
PARIS = dt.timezone(dt.timedelta(hours=1))
NOW = dt.datetime(2026, 11, 30, 8, 30, tzinfo=PARIS)


def at(row: float, col: float) -> tuple[float, float]:
    return position(row * BLOCK, col * BLOCK)


def request(
    origin: tuple[float, float], destination: tuple[float, float], **kw: object
) -> PlanRequest:
    return PlanRequest(origin=origin, destination=destination, time=NOW, **kw)  # type: ignore[arg-type]


def bikes(pickup_vehicles: int = 3, dropoff_docks: int = 5) -> SharedVehicleService:
    return SharedVehicleService(
        id="velo",
        name="Vélo test",
        kind=ServiceKind.BIKE_SHARE,
        ride_mode=Mode.BIKE,
        stations=(
            Station(
                "s1",
                "Station départ",
                *at(0, 0.25),
                vehicles_available=pickup_vehicles,
                docks_available=2,
            ),
            Station(
                "s2",
                "Station arrivée",
                *at(4, 3.75),
                vehicles_available=0,
                docks_available=dropoff_docks,
            ),
        ),
        pricing=PricingPlan(currency="EUR", unlock_minor=100, per_minute_minor=5),
    )
