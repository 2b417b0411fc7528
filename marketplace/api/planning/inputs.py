"""What a ``plan`` query takes: places, time, modes, preferences."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from marketplace.api.catalogue.types import ServiceKind as ModelServiceKind

__all__ = [
    "AVOIDED_HIGHWAYS",
    "AvoidRoad",
    "CoordinateInput",
    "DirectMode",
    "PlanDateTimeInput",
    "PlanLocationInput",
    "PlanModesInput",
    "PlanOptimize",
    "PlanPreferencesInput",
    "StreetMode",
    "avoided_highways",
]


@strawberry.input(description="A point in WGS 84 decimal degrees.")
class CoordinateInput:
    latitude: float
    longitude: float


@strawberry.input(
    description="Where a trip starts or ends: a coordinate or a published station (exactly "
    "one), with an optional label to show."
)
class PlanLocationInput:
    coordinate: CoordinateInput | None = None
    station_id: strawberry.ID | None = None
    label: str | None = None


@strawberry.input(
    description="Leave at or after, or arrive by (one of). Default: now.", one_of=True
)
class PlanDateTimeInput:
    earliest_departure: dt.datetime | None = strawberry.UNSET
    latest_arrival: dt.datetime | None = strawberry.UNSET


@strawberry.enum(description="Travel on one's own: on foot, own bike, own car.")
class DirectMode(enum.Enum):
    WALK = "WALK"
    BICYCLE = "BICYCLE"
    CAR = "CAR"


@strawberry.enum(description="What to optimise the itineraries for.")
class PlanOptimize(enum.Enum):
    TIME = "time"
    PRICE = "price"
    CO2 = "co2"


@strawberry.enum(description="Which street network to draw.")
class StreetMode(enum.Enum):
    WALK = "walk"
    BIKE = "bike"
    DRIVE = "drive"


@strawberry.input(description="Modes allowed. Omitted lists mean everything.")
class PlanModesInput:
    direct: list[DirectMode] | None = None
    services: list[ModelServiceKind] | None = None
    include_services: list[strawberry.ID] | None = None
    exclude_services: list[strawberry.ID] | None = None


@strawberry.enum(description="Roads a car may be asked to keep off (OSM highway classes).")
class AvoidRoad(enum.Enum):
    MOTORWAY = "MOTORWAY"
    TRUNK = "TRUNK"


AVOIDED_HIGHWAYS = {
    AvoidRoad.MOTORWAY: frozenset({"motorway", "motorway_link"}),
    AvoidRoad.TRUNK: frozenset({"trunk", "trunk_link"}),
}
"""The OSM ``highway`` classes each avoided road kind stands for (links included)."""


def avoided_highways(roads: list[AvoidRoad] | None) -> frozenset[str]:
    """The OSM highway classes of ``roads`` (none when ``roads`` is None or empty)."""
    return frozenset().union(*(AVOIDED_HIGHWAYS[road] for road in roads or ()))


@strawberry.input(description="The traveller's preferences.")
class PlanPreferencesInput:
    walk_speed_kmh: float | None = None
    bike_speed_kmh: float | None = None
    max_walk_distance_m: float | None = None
    wheelchair: bool | None = None
    optimize: PlanOptimize | None = None
    min_service_rating: float | None = None
    max_transfers: int | None = strawberry.field(
        default=None,
        description="Most vehicle changes a public transport or shuttle journey may make "
        "(0 to 8; default 4).",
    )
    avoid_roads: list[AvoidRoad] | None = strawberry.field(
        default=None,
        description="Roads every car leg keeps off (motorways, trunk roads): one's own car, "
        "a shared car, an on-demand ride, the drive to a car park or to park and ride; "
        "the plan says NO_ROUTE when no other way exists.",
    )


# --- outputs ----------------------------------------------------------------------------------
