"""What every planning strategy shares for one request: snaps, walking costs, leg builders.

The planner computes the origin's and destination's walking searches once per request and
hands the resulting :class:`PlanContext` to each strategy (direct, shared vehicles, parking,
on-demand, transit). Strategies build their legs through it, so timing, pricing, CO2 and
arrive-by shifting are written once, and they report combination failures in its ``errors``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from routing.errors import InvalidCoordinateError, LocationOutsideNetworkError
from routing.geometry import haversine_m
from routing.planning.itinerary import Itinerary, Leg, LegMode, Place
from routing.planning.request import PlanError, PlanRequest
from routing.planning.services import (
    DEFAULT_CO2_G_PER_KM,
    PricingPlan,
    ServiceKind,
    Station,
    price_minor,
)
from routing.street.modes import Mode
from routing.street.network import StreetNetwork
from routing.street.snap import Snap

__all__ = ["PlanContext", "same_place", "service_co2_g_per_km", "stretch"]

LegPart = Callable[[dt.datetime], Leg]
StationSnaps = dict[tuple[Mode, float, float], Snap | None]


@dataclass
class PlanContext:
    """Per-request working state: snaps and walking costs computed once, reused by all.

    ``station_snaps`` is the planner's cache of stations' snaps, shared across requests:
    stations rarely move, and snapping is the costly part of looking at one. Availability
    reported before ``live_since`` is not live (None: every report counts as live).
    """

    network: StreetNetwork
    request: PlanRequest
    origin_walk: Snap
    destination_walk: Snap
    walk_from_origin: np.ndarray
    walk_to_destination: np.ndarray
    walk_factor: float
    bike_factor: float
    walk_avoid: frozenset[str] = frozenset()
    drive_avoid: frozenset[str] = frozenset()
    drive_duration_s: np.ndarray | None = None
    errors: list[PlanError] = field(default_factory=list)
    station_snaps: StationSnaps = field(default_factory=dict)
    live_since: dt.datetime | None = None

    def snap_end(self, mode: Mode, end: Literal["origin", "destination"]) -> Snap:
        """The request's origin or destination snapped on ``mode``'s network: the walking
        snap the planner made when that network snaps alike (one topology for all modes),
        else a snap of its own.

        Raises
        ------
        LocationOutsideNetworkError
            When the point is too far from ``mode``'s streets.
        """
        walking = self.origin_walk if end == "origin" else self.destination_walk
        router = self.network.router(mode)
        if router.snaps_like(self.network.router(Mode.WALK)):
            return walking
        point = self.request.origin if end == "origin" else self.request.destination
        return router.snap(*point, name=end)

    def snap_station(self, mode: Mode, lat: float, lon: float) -> Snap | None:
        """A station's snap on ``mode``'s network, cached (None when off the network)."""
        key = (mode, lat, lon)
        if key not in self.station_snaps:
            try:
                self.station_snaps[key] = self.network.router(mode).snap(lat, lon, name="station")
            except (LocationOutsideNetworkError, InvalidCoordinateError):
                self.station_snaps[key] = None
        return self.station_snaps[key]

    def street_leg(
        self,
        mode: Mode,
        leg_mode: LegMode,
        start: Snap,
        end: Snap,
        depart: dt.datetime,
        *,
        factor: float = 1.0,
        from_place: Place | None = None,
        to_place: Place | None = None,
        service_id: str | None = None,
        pricing: PricingPlan | None = None,
        charged: bool = False,
        co2_g_per_km: float = 0.0,
        speed_kmh: float | None = None,
        avoid: frozenset[str] = frozenset(),
        duration_s: np.ndarray | None = None,
    ) -> Leg:
        """A leg along the streets of ``mode``, timed from ``depart``.

        A ``charged`` leg costs what ``pricing`` says, unknown (None) without a pricing plan;
        other legs (walking, one's own bike) cost nothing.

        Raises
        ------
        NoRouteError
            When the two points are not connected for ``mode``.
        """
        if mode is Mode.DRIVE:
            # Every car leg keeps off the roads the traveller avoids: their own car, a shared
            # car, an on-demand ride, the drive to a car park or to park and ride.
            avoid = avoid | self.drive_avoid
        route = self.network.router(mode).route_between(
            start, end, avoid=avoid, duration_s=duration_s if mode is Mode.DRIVE else None
        )
        leg_s = route.distance_m / (speed_kmh / 3.6) if speed_kmh else route.duration_s * factor
        price = price_minor(pricing, leg_s, route.distance_m) if charged else 0
        return Leg(
            mode=leg_mode,
            start=depart,
            end=depart + dt.timedelta(seconds=leg_s),
            from_place=from_place or Place(start.lat, start.lon),
            to_place=to_place or Place(end.lat, end.lon),
            distance_m=route.distance_m,
            geometry=route.geometry,
            service_id=service_id,
            price_minor=price,
            currency=pricing.currency if pricing else None,
            co2_g=co2_g_per_km * route.distance_m / 1000,
        )

    def station_place(self, station: Station) -> Place:
        """A station as an itinerary place, with its availability and whether it is live."""
        live = None
        if station.vehicles_available is not None or station.docks_available is not None:
            live = self.is_live(station.reported_at)
        return Place(
            station.lat,
            station.lon,
            station.name,
            station_id=station.id,
            vehicles_available=station.vehicles_available,
            docks_available=station.docks_available,
            reported_at=station.reported_at,
            is_realtime=live,
        )

    def is_live(self, reported_at: dt.datetime | None) -> bool:
        """Whether counts reported at ``reported_at`` are recent enough to call live."""
        if self.live_since is None:
            return True
        return reported_at is not None and reported_at >= self.live_since

    def chain(self, parts: Sequence[LegPart]) -> Itinerary:
        """Build legs one after another from the request's departure time.

        For an arrive-by request the chain is first built from the arrival time and then
        shifted back by its own duration, which is exact for legs without timetables.
        """
        request = self.request
        legs: list[Leg] = []
        clock = request.time
        for part in parts:
            leg = part(clock)
            legs.append(leg)
            clock = leg.end
        itinerary = Itinerary(tuple(legs), warnings=self.network.warnings)
        if request.arrive_by:
            shift = itinerary.end - request.time
            itinerary = Itinerary(
                tuple(_shift(leg, -shift) for leg in legs), warnings=itinerary.warnings
            )
        return itinerary

    def walk(
        self,
        a: Snap,
        b: Snap,
        *,
        from_place: Place | None = None,
        to_place: Place | None = None,
    ) -> LegPart:
        """A walking leg between two snaps at the traveller's pace, avoiding what they must.

        Walking takes as long whenever one leaves: the leg is routed on its first use and
        shifted to each later start (a stop's walk serves many journeys of one plan).
        """
        routed: list[Leg] = []

        def part(t: dt.datetime) -> Leg:
            if not routed:
                routed.append(
                    self.street_leg(
                        Mode.WALK,
                        LegMode.WALK,
                        a,
                        b,
                        t,
                        factor=self.walk_factor,
                        from_place=from_place,
                        to_place=to_place,
                        avoid=self.walk_avoid,
                    )
                )
            return _shift(routed[0], t - routed[0].start)

        return part

    def ride(
        self,
        mode: Mode,
        leg_mode: LegMode,
        a: Snap,
        b: Snap,
        factor: float,
        co2: float,
        avoid: frozenset[str] = frozenset(),
        duration_s: np.ndarray | None = None,
        *,
        charged: bool = False,
    ) -> LegPart:
        """A leg in ``mode`` between two snaps, its time scaled by ``factor``.

        ``charged`` with no pricing: the leg's cost is unknown (one's own car).
        """
        return lambda t: self.street_leg(
            mode,
            leg_mode,
            a,
            b,
            t,
            factor=factor,
            charged=charged,
            co2_g_per_km=co2,
            avoid=avoid,
            duration_s=duration_s,
        )


def _shift(leg: Leg, delta: dt.timedelta) -> Leg:
    return dataclasses.replace(leg, start=leg.start + delta, end=leg.end + delta)


def stretch(leg: Leg, *, before_s: float, after_s: float) -> Leg:
    """Widen a leg by the time spent unlocking before and returning after the ride."""
    return dataclasses.replace(
        leg,
        start=leg.start - dt.timedelta(seconds=before_s),
        end=leg.end + dt.timedelta(seconds=after_s),
    )


def service_co2_g_per_km(published: float | None, kind: ServiceKind) -> float:
    """The service's published emissions, else the default of its kind."""
    return published if published is not None else DEFAULT_CO2_G_PER_KM.get(kind, 0.0)


def same_place(a: Snap, b: Snap) -> bool:
    """Whether two asked points lie less than 10 m apart (one walk would be noise)."""
    return float(haversine_m(a.query_lat, a.query_lon, b.query_lat, b.query_lon)) < 10.0
