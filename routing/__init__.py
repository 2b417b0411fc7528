"""Issy Mobility's street routing engine: OSM -> compact graphs -> search.

This package never imports ``marketplace``; it takes paths, speeds and modes as arguments.
The names below are the engine's public face; the modules hold the rest.
"""

from routing.errors import (
    InvalidCoordinateError,
    LocationOutsideNetworkError,
    NoRouteError,
    NoStreetNetworkError,
    RoutingError,
    StreetDataError,
)
from routing.planning.planner import TripPlanner
from routing.planning.request import PlanRequest, PlanResult
from routing.street.modes import Mode, ModeProfile
from routing.street.network import StreetNetwork, build_artefact, open_street_network
from routing.street.router import StreetRoute, StreetRouter

__all__ = [
    "InvalidCoordinateError",
    "LocationOutsideNetworkError",
    "Mode",
    "ModeProfile",
    "NoRouteError",
    "NoStreetNetworkError",
    "PlanRequest",
    "PlanResult",
    "RoutingError",
    "StreetDataError",
    "StreetNetwork",
    "StreetRoute",
    "StreetRouter",
    "TripPlanner",
    "build_artefact",
    "open_street_network",
]
