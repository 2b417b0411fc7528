"""Itineraries and legs, and how a set of them is kept useful: no dominated, no near-duplicates."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from routing.geometry import encode_polyline
from routing.street.route_geometry import RouteGeometry
from routing.street.steps import Step
from routing.transit.realtime import Alert

__all__ = [
    "DrawnGeometry",
    "Itinerary",
    "Leg",
    "LegGeometry",
    "LegMode",
    "Place",
    "StopVisit",
    "TransitDetails",
    "keep_useful",
]

LatLon = tuple[float, float]


class LegMode(enum.StrEnum):
    """How one leg is travelled (OpenTripPlanner's names where they exist)."""

    WALK = "WALK"
    BICYCLE = "BICYCLE"
    CAR = "CAR"
    BIKE_SHARE = "BIKE_SHARE"
    SCOOTER_SHARE = "SCOOTER_SHARE"
    CAR_SHARE = "CAR_SHARE"
    ON_DEMAND = "ON_DEMAND"
    SHUTTLE = "SHUTTLE"
    TRANSIT = "TRANSIT"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a leg starts or ends: a point, maybe a station or stop with its availability.

    Counts reported longer ago than the planner's freshness limit have ``is_realtime`` False:
    they say what was there at ``reported_at``, not what is there now.
    """

    lat: float
    lon: float
    name: str | None = None
    station_id: str | None = None
    stop_id: str | None = None
    vehicles_available: int | None = None
    docks_available: int | None = None
    reported_at: dt.datetime | None = None
    is_realtime: bool | None = None  # None: no counts; False: counts older than the limit


@dataclass(frozen=True, slots=True)
class StopVisit:
    """A stop a timetabled leg passes without the traveller getting off."""

    stop_id: str
    name: str
    lat: float
    lon: float
    time: dt.datetime


@dataclass(frozen=True, slots=True)
class TransitDetails:
    """The timetabled part of a leg: route, trip and the stops passed on the way.

    ``realtime`` legs are timed by a GTFS-Realtime trip update: the delays are the live
    departure and arrival minus the timetable's (seconds, negative when early). ``alerts``
    are the service alerts about the route, trip or stops of the ride, active during it.
    """

    route_id: str
    route_name: str
    trip_id: str
    headsign: str | None
    intermediate_stops: tuple[StopVisit, ...] = ()
    route_short_name: str = ""
    route_long_name: str = ""
    route_color: str | None = None  # six hex digits, no '#'
    route_text_color: str | None = None
    route_mode: str = "bus"  # routing.transit.timetable.TRANSIT_MODES
    headway_s: int | None = None  # frequency-based trip: vehicles about this often
    realtime: bool = False
    departure_delay_s: int | None = None
    arrival_delay_s: int | None = None
    alerts: tuple[Alert, ...] = ()


class LegGeometry(Protocol):
    """A leg's line (lat, lon points) and turn-by-turn steps. A street leg's are built only
    when read (:class:`routing.street.route_geometry.RouteGeometry`): a plan ranks many
    candidate legs on their costs and returns few."""

    @property
    def coordinates(self) -> tuple[LatLon, ...]: ...

    @property
    def steps(self) -> tuple[Step, ...]: ...


@dataclass(frozen=True, slots=True)
class DrawnGeometry:
    """A geometry known as it is: a timetabled ride's stops, a transfer's straight line."""

    coordinates: tuple[LatLon, ...]
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Leg:
    """One part of an itinerary, travelled in one way."""

    mode: LegMode
    start: dt.datetime
    end: dt.datetime
    from_place: Place
    to_place: Place
    distance_m: float
    geometry: LegGeometry
    service_id: str | None = None
    price_minor: int | None = 0  # None: the service published no price, or own car
    currency: str | None = None
    co2_g: float = 0.0
    transit: TransitDetails | None = None

    @property
    def coordinates(self) -> tuple[LatLon, ...]:
        return self.geometry.coordinates

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.geometry.steps

    def encoded_polyline(self, precision: int = 5) -> str:
        """The leg's line as a Google encoded polyline (a street leg's encoded from its arrays,
        without building its points as tuples)."""
        geometry = self.geometry
        if isinstance(geometry, RouteGeometry):
            return geometry.encoded_polyline(precision)
        points = np.array(geometry.coordinates, np.float64).reshape(-1, 2)
        return encode_polyline(points[:, 0], points[:, 1], precision)

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class Itinerary:
    """A door-to-door trip: legs end to end, with totals computed from them."""

    legs: tuple[Leg, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def start(self) -> dt.datetime:
        return self.legs[0].start

    @property
    def end(self) -> dt.datetime:
        return self.legs[-1].end

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def distance_m(self) -> float:
        return sum(leg.distance_m for leg in self.legs)

    @property
    def walk_distance_m(self) -> float:
        return sum(leg.distance_m for leg in self.legs if leg.mode is LegMode.WALK)

    @property
    def transfers(self) -> int:
        riding = [leg for leg in self.legs if leg.mode not in (LegMode.WALK,)]
        return max(0, len(riding) - 1)

    @property
    def co2_g(self) -> float:
        return sum(leg.co2_g for leg in self.legs)

    @property
    def currency(self) -> str | None:
        currencies = {leg.currency for leg in self.legs if leg.currency}
        return currencies.pop() if len(currencies) == 1 else ("EUR" if not currencies else None)

    @property
    def unpriced_legs(self) -> tuple[int, ...]:
        """Positions of the legs whose price is unknown (0-based)."""
        return tuple(i for i, leg in enumerate(self.legs) if leg.price_minor is None)

    @property
    def price_minor(self) -> int | None:
        """Total price; None when a leg's price is unknown or legs use different currencies."""
        if self.currency is None:
            return None
        total = 0
        for leg in self.legs:
            if leg.price_minor is None:
                return None
            total += leg.price_minor
        return total

    @property
    def signature(self) -> tuple[tuple[str, str | None], ...]:
        """What makes two itineraries the same kind of trip: modes and services in order."""
        return tuple((leg.mode.value, leg.service_id) for leg in self.legs)

    @property
    def private_vehicles(self) -> frozenset[LegMode]:
        return frozenset(leg.mode for leg in self.legs if leg.mode in _PRIVATE)

    def criteria(self) -> tuple[float, float, float, float, float]:
        """Duration, price (unknown: infinite), CO2, walking metres and vehicle changes."""
        price = self.price_minor if self.price_minor is not None else float("inf")
        changes = max(sum(1 for leg in self.legs if leg.transit is not None) - 1, 0)
        return (self.duration_s, float(price), self.co2_g, self.walk_distance_m, float(changes))

    def summary(self) -> dict[str, Any]:
        return {
            "modes": [leg.mode.value for leg in self.legs],
            "duration_s": round(self.duration_s),
            "distance_m": round(self.distance_m),
            "price_minor": self.price_minor,
        }


_PRIVATE = frozenset({LegMode.BICYCLE, LegMode.CAR})


def _dominates(a: Itinerary, b: Itinerary) -> bool:
    # Riding one's own bike or car needs one at hand: such a trip never hides one that does
    # without (a walk is not "worse" than a bike ride for someone who has no bike).
    if not a.private_vehicles <= b.private_vehicles:
        return False
    ca, cb = a.criteria(), b.criteria()
    return all(x <= y for x, y in zip(ca, cb, strict=True)) and ca != cb


def keep_useful(
    itineraries: Sequence[Itinerary], *, optimize: str = "time", similar_ratio: float = 0.05
) -> list[Itinerary]:
    """Drop itineraries worse in every respect than another, and near-duplicates.

    Two itineraries with the same modes and services in the same order whose durations differ
    by less than ``similar_ratio`` are near-duplicates: the better one stays. The rest is
    sorted by ``optimize`` (``time``, ``price`` or ``co2``), ties broken by duration.
    """
    keys = {
        "time": lambda i: (i.duration_s, i.criteria()[1]),
        "price": lambda i: (i.criteria()[1], i.duration_s),
        "co2": lambda i: (i.co2_g, i.duration_s),
    }
    ordered = sorted(itineraries, key=keys.get(optimize, keys["time"]))
    kept: list[Itinerary] = []
    for candidate in ordered:
        if any(_dominates(other, candidate) for other in ordered if other is not candidate):
            continue
        duplicate = any(
            other.signature == candidate.signature
            and abs(other.duration_s - candidate.duration_s)
            <= similar_ratio * max(other.duration_s, 1.0)
            for other in kept
        )
        if not duplicate:
            kept.append(candidate)
    return kept
