"""Multimodal trip planning: the street routers combined with the published services.

The planner takes a :class:`~routing.planning.services.ServiceCatalogue` snapshot with each
request, so a service published, moved or emptied a moment ago changes the very next plan;
street graphs are never rebuilt. Combinations tried, each a candidate itinerary:

- direct: walk, own bike, own car (parking at the destination when a car park has room);
- docked share: walk to a station with vehicles, ride to a station with free docks, walk;
- free-floating share: walk to a vehicle (or into the zone), ride, end in the zone outside
  no-parking areas, walk;
- on-demand: wait, ride inside the zone;
- timetabled (shuttles, public transport): walk to stops, ride with transfers, walk
  (:mod:`routing.planning.transit`).

Failures of one combination become :class:`PlanError` values beside the itineraries, as in
OpenTripPlanner's ``routingErrors``; only a request that is wrong as a whole raises.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.ops import nearest_points

from routing.errors import (
    InvalidCoordinateError,
    LocationOutsideNetworkError,
    NoRouteError,
    RoutingError,
)
from routing.geometry import haversine_m
from routing.planning.itinerary import Itinerary, Leg, LegMode, Place, keep_useful
from routing.planning.services import (
    DEFAULT_CO2_G_PER_KM,
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
from routing.street.modes import DEFAULT_PROFILES, Mode
from routing.street.network import StreetNetwork
from routing.street.snap import Snap

__all__ = ["PlanError", "PlanRequest", "PlanResult", "Preferences", "TripPlanner"]

log = logging.getLogger(__name__)

LatLon = tuple[float, float]
DIRECT_MODES = frozenset({"WALK", "BICYCLE", "CAR"})
_SHARE_LEG = {
    ServiceKind.BIKE_SHARE: LegMode.BIKE_SHARE,
    ServiceKind.SCOOTER_SHARE: LegMode.SCOOTER_SHARE,
    ServiceKind.CAR_SHARE: LegMode.CAR_SHARE,
}
# Time to take a vehicle from a dock or unlock it, and to return it: what apps tell users.
UNLOCK_S = 60.0
RETURN_S = 30.0
PARK_S = 120.0  # finding the entrance and a space in a car park
CANDIDATE_STATIONS = 4
MAX_PLAN_HORIZON = dt.timedelta(days=60)
WHEELCHAIR_AVOID = frozenset({"steps"})


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the traveller asks for beyond origin, destination and time."""

    walk_speed_kmh: float = DEFAULT_PROFILES[Mode.WALK].speed_kmh
    bike_speed_kmh: float = DEFAULT_PROFILES[Mode.BIKE].speed_kmh
    max_walk_m: float = 1500.0
    wheelchair: bool = False
    optimize: str = "time"  # time | price | co2
    num_itineraries: int = 5


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """A trip to plan. ``time`` is timezone-aware; ``arrive_by`` makes it the latest arrival."""

    origin: LatLon
    destination: LatLon
    time: dt.datetime
    arrive_by: bool = False
    direct_modes: frozenset[str] = DIRECT_MODES
    service_kinds: frozenset[ServiceKind] = frozenset(ServiceKind)
    only_services: frozenset[str] | None = None
    exclude_services: frozenset[str] = frozenset()
    preferences: Preferences = field(default_factory=Preferences)
    via: tuple[LatLon, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanError:
    """Why a combination gave nothing (``code`` as OpenTripPlanner's routing errors)."""

    code: str
    message: str
    input_field: str | None = None


@dataclass(frozen=True, slots=True)
class PlanResult:
    itineraries: tuple[Itinerary, ...]
    errors: tuple[PlanError, ...]


class PlanRequestError(ValueError, RoutingError):
    """The request as a whole cannot be planned (bad time, conflicting options)."""

    code = "BAD_REQUEST"


def _validate(request: PlanRequest, now: dt.datetime) -> None:
    if request.time.tzinfo is None:
        raise PlanRequestError(
            f"time {request.time.isoformat()} has no timezone; accepted: an ISO 8601 time with "
            "an offset, e.g. 2026-11-30T08:30:00+01:00"
        )
    if abs(request.time - now) > MAX_PLAN_HORIZON:
        raise PlanRequestError(
            f"time {request.time.isoformat()} is more than {MAX_PLAN_HORIZON.days} days from now; "
            "accepted: a time within 60 days of the present"
        )
    prefs = request.preferences
    if not 1.0 <= prefs.walk_speed_kmh <= 10.0:
        raise PlanRequestError(f"walking speed {prefs.walk_speed_kmh} km/h; accepted: 1 to 10")
    if not 5.0 <= prefs.bike_speed_kmh <= 40.0:
        raise PlanRequestError(f"cycling speed {prefs.bike_speed_kmh} km/h; accepted: 5 to 40")
    if not 0 <= prefs.max_walk_m <= 10_000:
        raise PlanRequestError(f"max walking distance {prefs.max_walk_m} m; accepted: 0 to 10000")
    if prefs.optimize not in {"time", "price", "co2"}:
        raise PlanRequestError(f"optimize {prefs.optimize!r}; accepted: time, price, co2")
    if not 1 <= prefs.num_itineraries <= 20:
        raise PlanRequestError(f"numItineraries {prefs.num_itineraries}; accepted: 1 to 20")
    if request.only_services is not None and request.only_services & request.exclude_services:
        both = ", ".join(sorted(request.only_services & request.exclude_services))
        raise PlanRequestError(f"services {both} are both required and excluded; choose one")
    if len(request.via) > 5:
        raise PlanRequestError(f"{len(request.via)} via points; accepted: at most 5")
    if not request.direct_modes and not request.service_kinds and not request.only_services:
        raise PlanRequestError("no mode allowed; accepted: at least one mode or service kind")


@dataclass
class _Context:
    """Per-request working state: snaps and walking costs computed once, reused by all."""

    request: PlanRequest
    origin_walk: Snap
    destination_walk: Snap
    walk_from_origin: np.ndarray
    walk_to_destination: np.ndarray
    walk_factor: float
    bike_factor: float
    walk_avoid: frozenset[str] = frozenset()
    drive_duration_s: np.ndarray | None = None
    errors: list[PlanError] = field(default_factory=list)


class TripPlanner:
    """Plans trips on a street network with the services of a catalogue snapshot."""

    def __init__(
        self,
        network: StreetNetwork,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.network = network
        self._clock = clock
        profiles = network.manifest.get("profiles", {})
        self._walk_kmh = float(profiles.get("walk", DEFAULT_PROFILES[Mode.WALK].speed_kmh))
        self._bike_kmh = float(profiles.get("bike", DEFAULT_PROFILES[Mode.BIKE].speed_kmh))
        self._snaps: dict[tuple[Mode, float, float], Snap | None] = {}

    # --- entry point -----------------------------------------------------------------------

    def plan(
        self,
        request: PlanRequest,
        catalogue: ServiceCatalogue,
        *,
        drive_duration_s: np.ndarray | None = None,
    ) -> PlanResult:
        """Plan ``request`` with the services of ``catalogue``.

        ``drive_duration_s`` gives the drive graph's edge times to use instead of free-flow
        ones (the congested times of the trip's period, from a traffic assignment).

        Raises
        ------
        PlanRequestError
            When the request as a whole is invalid (time without zone or out of range,
            conflicting options, speeds out of range).
        InvalidCoordinateError, LocationOutsideNetworkError
            When the origin or destination cannot be placed on the walking network.
        """
        _validate(request, self._clock())
        known = catalogue.by_id()
        unknown = sorted((request.only_services or frozenset()) - known.keys())
        unknown += sorted(request.exclude_services - known.keys())
        errors = [
            PlanError("UNKNOWN_SERVICE", f"service {sid} is not published", "modes")
            for sid in unknown
        ]
        walk = self.network.router(Mode.WALK)
        origin = walk.snap(*request.origin, name="origin")
        destination = walk.snap(*request.destination, name="destination")
        if _same_place(origin, destination):
            raise PlanRequestError(
                "origin and destination are the same place (less than 10 m apart); "
                "accepted: two distinct points"
            )
        prefs = request.preferences
        walk_limit_s = prefs.max_walk_m / (self._walk_kmh / 3.6)
        # Wheelchair users cannot take steps where the map says there are some.
        avoid = WHEELCHAIR_AVOID if prefs.wheelchair else frozenset()
        context = _Context(
            request=request,
            origin_walk=origin,
            destination_walk=destination,
            walk_from_origin=walk.costs_from(origin, limit=walk_limit_s, avoid=avoid),
            # Pedestrians may use every street both ways, so costs from the destination are
            # the costs to it.
            walk_to_destination=walk.costs_from(destination, limit=walk_limit_s, avoid=avoid),
            walk_factor=self._walk_kmh / prefs.walk_speed_kmh,
            bike_factor=self._bike_kmh / prefs.bike_speed_kmh,
            walk_avoid=avoid,
            drive_duration_s=drive_duration_s,
            errors=errors,
        )
        candidates: list[Itinerary] = []
        candidates += self._direct(context)
        services = list(self._allowed(request, catalogue))
        if request.via and services:
            # Sharing and timetabled trips through given points are not planned yet: say so
            # rather than drop the via points silently.
            context.errors.append(
                PlanError(
                    "VIA_DIRECT_MODES_ONLY",
                    "with via points, only walking, cycling and driving itineraries are "
                    "planned; remove the via points to use the services",
                    "via",
                )
            )
            services = []
        for service in services:
            try:
                candidates += self._with_service(context, service)
            except RoutingError as exc:
                context.errors.append(PlanError(exc.code, f"{service.name}: {exc}"))
        if not candidates and not context.errors:
            context.errors.append(
                PlanError("NO_ROUTE", "no itinerary matches the allowed modes and services")
            )
        useful = keep_useful(candidates, optimize=prefs.optimize)
        return PlanResult(tuple(useful[: prefs.num_itineraries]), tuple(context.errors))

    def _allowed(self, request: PlanRequest, catalogue: ServiceCatalogue) -> Iterable[Service]:
        for service in catalogue.services:
            if service.id in request.exclude_services:
                continue
            if request.only_services is not None:
                if service.id in request.only_services:
                    yield service
                continue
            if service.kind in request.service_kinds:
                yield service

    def _with_service(self, context: _Context, service: Service) -> list[Itinerary]:
        if isinstance(service, SharedVehicleService):
            if service.docked:
                return self._docked_share(context, service)
            return self._free_floating(context, service)
        if isinstance(service, ParkingService):
            return self._drive_and_park(context, service)
        if isinstance(service, OnDemandService):
            return self._on_demand(context, service)
        if isinstance(service, TransitService):
            # transit_plans builds on this module's planner: imported here to avoid a cycle.
            from routing.planning.transit import plan_with_timetable

            return plan_with_timetable(self, context, service)
        return []

    # --- street legs -------------------------------------------------------------------------

    def snap_station(self, mode: Mode, lat: float, lon: float) -> Snap | None:
        """A station's snap on ``mode``'s network, cached (None when off the network)."""
        key = (mode, lat, lon)
        if key not in self._snaps:
            try:
                self._snaps[key] = self.network.router(mode).snap(lat, lon, name="station")
            except (LocationOutsideNetworkError, InvalidCoordinateError):
                self._snaps[key] = None
        return self._snaps[key]

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
        co2_g_per_km: float = 0.0,
        speed_kmh: float | None = None,
        avoid: frozenset[str] = frozenset(),
        duration_s: np.ndarray | None = None,
    ) -> Leg:
        """A leg along the streets of ``mode``, timed from ``depart``.

        Raises
        ------
        NoRouteError
            When the two points are not connected for ``mode``.
        """
        route = self.network.router(mode).route_between(
            start, end, avoid=avoid, duration_s=duration_s if mode is Mode.DRIVE else None
        )
        leg_s = route.distance_m / (speed_kmh / 3.6) if speed_kmh else route.duration_s * factor
        price = pricing.price_minor(leg_s, route.distance_m) if pricing else 0
        return Leg(
            mode=leg_mode,
            start=depart,
            end=depart + dt.timedelta(seconds=leg_s),
            from_place=from_place or Place(start.lat, start.lon),
            to_place=to_place or Place(end.lat, end.lon),
            distance_m=route.distance_m,
            coordinates=route.coordinates,
            service_id=service_id,
            price_minor=price,
            currency=pricing.currency if pricing else None,
            co2_g=co2_g_per_km * route.distance_m / 1000,
            steps=route.steps,
        )

    def _chain(self, context: _Context, parts: Sequence[Callable[[dt.datetime], Leg]]) -> Itinerary:
        """Build legs one after another from the request's departure time.

        For an arrive-by request the chain is first built from the arrival time and then
        shifted back by its own duration, which is exact for legs without timetables.
        """
        request = context.request
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

    def _walk(
        self,
        context: _Context,
        a: Snap,
        b: Snap,
        *,
        from_place: Place | None = None,
        to_place: Place | None = None,
    ) -> Callable[[dt.datetime], Leg]:
        return lambda t: self.street_leg(
            Mode.WALK,
            LegMode.WALK,
            a,
            b,
            t,
            factor=context.walk_factor,
            from_place=from_place,
            to_place=to_place,
            avoid=context.walk_avoid,
        )

    def _ride(
        self,
        mode: Mode,
        leg_mode: LegMode,
        a: Snap,
        b: Snap,
        factor: float,
        co2: float,
        avoid: frozenset[str] = frozenset(),
        duration_s: np.ndarray | None = None,
    ) -> Callable[[dt.datetime], Leg]:
        return lambda t: self.street_leg(
            mode,
            leg_mode,
            a,
            b,
            t,
            factor=factor,
            co2_g_per_km=co2,
            avoid=avoid,
            duration_s=duration_s,
        )

    # --- combinations --------------------------------------------------------------------------

    def _direct(self, context: _Context) -> list[Itinerary]:
        request = context.request
        found: list[Itinerary] = []
        plans: list[tuple[str, Mode, LegMode, float, float]] = [
            ("WALK", Mode.WALK, LegMode.WALK, context.walk_factor, 0.0),
            ("BICYCLE", Mode.BIKE, LegMode.BICYCLE, context.bike_factor, 0.0),
            ("CAR", Mode.DRIVE, LegMode.CAR, 1.0, DEFAULT_CO2_G_PER_KM["CAR"]),
        ]
        for name, mode, leg_mode, factor, co2 in plans:
            if name not in request.direct_modes or mode not in self.network.routers:
                continue
            try:
                router = self.network.router(mode)
                points = [request.origin, *request.via, request.destination]
                names = ["origin", *(f"via {i + 1}" for i in range(len(request.via)))]
                snaps = [
                    router.snap(*p, name=n)
                    for p, n in zip(points, [*names, "destination"], strict=True)
                ]
                avoid = context.walk_avoid if mode is Mode.WALK else frozenset()
                # One leg per stretch between via points, end to end, in the same mode.
                rides = [
                    self._ride(mode, leg_mode, a, b, factor, co2, avoid, context.drive_duration_s)
                    for a, b in itertools.pairwise(snaps)
                ]
                found.append(self._chain(context, rides))
            except RoutingError as exc:
                context.errors.append(PlanError(exc.code, f"{name.lower()}: {exc}"))
        return found

    def _walk_cost(
        self, costs: np.ndarray, start: Snap, target: Snap, avoid: frozenset[str] = frozenset()
    ) -> float:
        walk = self.network.router(Mode.WALK)
        return float(walk.costs_to(start, costs, [target], avoid=avoid)[0])

    def _stations_by_walk(
        self, context: _Context, stations: Iterable[Station], *, from_origin: bool
    ) -> list[tuple[float, Station, Snap]]:
        """Stations within the walking limit, nearest (by walking time) first."""
        start = context.origin_walk if from_origin else context.destination_walk
        costs = context.walk_from_origin if from_origin else context.walk_to_destination
        reachable = []
        for station in stations:
            snap = self.snap_station(Mode.WALK, station.lat, station.lon)
            if snap is None:
                continue
            cost = self._walk_cost(costs, start, snap, context.walk_avoid)
            if np.isfinite(cost):
                reachable.append((cost, station, snap))
        reachable.sort(key=lambda item: item[0])
        return reachable[:CANDIDATE_STATIONS]

    def _docked_share(self, context: _Context, service: SharedVehicleService) -> list[Itinerary]:
        with_vehicles = [s for s in service.stations if (s.vehicles_available or 0) > 0]
        with_docks = [s for s in service.stations if (s.docks_available or 0) > 0]
        pickups = self._stations_by_walk(context, with_vehicles, from_origin=True)
        dropoffs = self._stations_by_walk(context, with_docks, from_origin=False)
        limit = context.request.preferences.max_walk_m
        if not pickups:
            context.errors.append(
                PlanError(
                    "NO_SERVICE_AVAILABLE",
                    f"{service.name}: no station with a vehicle available within {limit:.0f} m "
                    "walk of the origin",
                    "origin",
                )
            )
            return []
        if not dropoffs:
            context.errors.append(
                PlanError(
                    "NO_SERVICE_AVAILABLE",
                    f"{service.name}: no station with a free dock within {limit:.0f} m walk of "
                    "the destination",
                    "destination",
                )
            )
            return []
        ride = self.network.router(service.ride_mode)
        best: tuple[float, Station, Snap, Station, Snap] | None = None
        for walk_in, pickup, _ in pickups:
            a = self.snap_station(service.ride_mode, pickup.lat, pickup.lon)
            for walk_out, dropoff, _ in dropoffs:
                b = self.snap_station(service.ride_mode, dropoff.lat, dropoff.lon)
                if a is None or b is None or pickup.id == dropoff.id:
                    continue
                try:
                    ride_s = ride.route_between(a, b).duration_s * self._ride_factor(
                        context, service
                    )
                except NoRouteError:
                    continue
                total = walk_in * context.walk_factor + ride_s + walk_out * context.walk_factor
                if best is None or total < best[0]:
                    best = (total, pickup, a, dropoff, b)
        if best is None:
            context.errors.append(
                PlanError("NO_ROUTE", f"{service.name}: no ride joins the nearby stations")
            )
            return []
        _, pickup, ride_a, dropoff, ride_b = best
        pickup_walk = self.snap_station(Mode.WALK, pickup.lat, pickup.lon)
        dropoff_walk = self.snap_station(Mode.WALK, dropoff.lat, dropoff.lon)
        assert pickup_walk is not None and dropoff_walk is not None
        pickup_place = _station_place(pickup)
        dropoff_place = _station_place(dropoff)
        riding = self._share_ride(
            context,
            service,
            (ride_a, ride_b),
            (pickup_place, dropoff_place),
            return_s=RETURN_S,
        )

        return [
            self._chain(
                context,
                [
                    self._walk(context, context.origin_walk, pickup_walk, to_place=pickup_place),
                    riding,
                    self._walk(
                        context, dropoff_walk, context.destination_walk, from_place=dropoff_place
                    ),
                ],
            )
        ]

    def _share_ride(
        self,
        context: _Context,
        service: SharedVehicleService,
        legs: tuple[Snap, Snap],
        places: tuple[Place, Place],
        *,
        return_s: float,
    ) -> Callable[[dt.datetime], Leg]:
        """Unlock, ride a shared vehicle between two snapped points, return it."""
        leg_mode = _SHARE_LEG.get(service.kind, LegMode.BIKE_SHARE)

        def riding(t: dt.datetime) -> Leg:
            leg = self.street_leg(
                service.ride_mode,
                leg_mode,
                legs[0],
                legs[1],
                t + dt.timedelta(seconds=UNLOCK_S),
                factor=self._ride_factor(context, service),
                from_place=places[0],
                to_place=places[1],
                service_id=service.id,
                pricing=service.pricing,
                co2_g_per_km=_co2(service.co2_g_per_km, service.kind),
                speed_kmh=service.ride_speed_kmh,
                duration_s=context.drive_duration_s,
            )
            return _stretch(leg, before_s=UNLOCK_S, after_s=return_s)

        return riding

    def _ride_factor(self, context: _Context, service: SharedVehicleService) -> float:
        return context.bike_factor if service.kind is ServiceKind.BIKE_SHARE else 1.0

    def _free_floating(self, context: _Context, service: SharedVehicleService) -> list[Itinerary]:
        request = context.request
        zone = service.zone
        if zone is None:
            return []
        origin_pt = shapely.Point(request.origin[1], request.origin[0])
        destination_pt = shapely.Point(request.destination[1], request.destination[0])
        # Where to pick up: a published vehicle near the origin, else the zone's nearest point.
        if service.vehicles:
            vehicles = [v for v in service.vehicles if (v.vehicles_available or 1) > 0]
            near = self._stations_by_walk(context, vehicles, from_origin=True)
            if not near:
                context.errors.append(
                    PlanError(
                        "NO_SERVICE_AVAILABLE",
                        f"{service.name}: no vehicle within walking distance of the origin",
                        "origin",
                    )
                )
                return []
            pickup_lat, pickup_lon = near[0][1].lat, near[0][1].lon
            pickup_name = near[0][1].name
        else:
            point = origin_pt if zone.contains(origin_pt) else nearest_points(zone, origin_pt)[0]
            pickup_lat, pickup_lon, pickup_name = point.y, point.x, None
        # Where to leave it: the destination if allowed, else the nearest allowed point.
        allowed = zone.difference(service.no_parking) if service.no_parking is not None else zone
        if allowed.is_empty:
            return []
        end_pt = (
            destination_pt
            if allowed.contains(destination_pt)
            else nearest_points(
                allowed.buffer(-1e-5) if allowed.area > 1e-8 else allowed, destination_pt
            )[0]
        )
        ride = self.network.router(service.ride_mode)
        walk = self.network.router(Mode.WALK)
        try:
            ride_a = ride.snap(pickup_lat, pickup_lon, name="pick-up point")
            ride_b = ride.snap(end_pt.y, end_pt.x, name="drop-off point")
            walk_a = walk.snap(pickup_lat, pickup_lon, name="pick-up point")
            walk_b = walk.snap(end_pt.y, end_pt.x, name="drop-off point")
        except RoutingError as exc:
            context.errors.append(PlanError(exc.code, f"{service.name}: {exc}"))
            return []
        access_m = self._walk_cost(
            context.walk_from_origin, context.origin_walk, walk_a, context.walk_avoid
        )
        if not np.isfinite(access_m):
            context.errors.append(
                PlanError(
                    "NO_SERVICE_AVAILABLE",
                    f"{service.name}: the service zone is beyond walking distance of the origin",
                    "origin",
                )
            )
            return []
        pickup_place = Place(pickup_lat, pickup_lon, pickup_name)
        dropoff_place = Place(end_pt.y, end_pt.x)
        riding = self._share_ride(
            context, service, (ride_a, ride_b), (pickup_place, dropoff_place), return_s=0.0
        )

        parts = [
            self._walk(context, context.origin_walk, walk_a, to_place=pickup_place),
            riding,
        ]
        if not _same_place(walk_b, context.destination_walk):
            parts.append(
                self._walk(context, walk_b, context.destination_walk, from_place=dropoff_place)
            )
        return [self._chain(context, parts)]

    def _drive_and_park(self, context: _Context, service: ParkingService) -> list[Itinerary]:
        if "CAR" not in context.request.direct_modes or Mode.DRIVE not in self.network.routers:
            return []
        with_space = [s for s in service.sites if (s.docks_available or 0) > 0]
        near = self._stations_by_walk(context, with_space, from_origin=False)
        if not near:
            context.errors.append(
                PlanError(
                    "NO_SERVICE_AVAILABLE",
                    f"{service.name}: no car park with free spaces within walking distance of "
                    "the destination",
                    "destination",
                )
            )
            return []
        drive = self.network.router(Mode.DRIVE)
        origin = drive.snap(*context.request.origin, name="origin")
        _, site, site_walk = near[0]
        site_drive = self.snap_station(Mode.DRIVE, site.lat, site.lon)
        if site_drive is None:
            return []
        place = _station_place(site)

        def driving(t: dt.datetime) -> Leg:
            leg = self.street_leg(
                Mode.DRIVE,
                LegMode.CAR,
                origin,
                site_drive,
                t,
                to_place=place,
                co2_g_per_km=DEFAULT_CO2_G_PER_KM["CAR"],
                duration_s=context.drive_duration_s,
            )
            # Parking is paid for the first hour: the stay itself is not known.
            parked = dataclasses.replace(
                leg,
                service_id=service.id,
                price_minor=service.pricing.price_minor(3600),
                currency=service.pricing.currency,
            )
            return _stretch(parked, before_s=0.0, after_s=PARK_S)

        return [
            self._chain(
                context,
                [
                    driving,
                    self._walk(context, site_walk, context.destination_walk, from_place=place),
                ],
            )
        ]

    def _on_demand(self, context: _Context, service: OnDemandService) -> list[Itinerary]:
        request = context.request
        origin_pt = shapely.Point(request.origin[1], request.origin[0])
        destination_pt = shapely.Point(request.destination[1], request.destination[0])
        if not (service.zone.covers(origin_pt) and service.zone.covers(destination_pt)):
            context.errors.append(
                PlanError(
                    "NO_SERVICE_AVAILABLE",
                    f"{service.name}: origin and destination must both lie in its service zone",
                )
            )
            return []
        drive = self.network.router(Mode.DRIVE)
        a = drive.snap(*request.origin, name="origin")
        b = drive.snap(*request.destination, name="destination")

        def riding(t: dt.datetime) -> Leg:
            leg = self.street_leg(
                Mode.DRIVE,
                LegMode.ON_DEMAND,
                a,
                b,
                t + dt.timedelta(seconds=service.waiting_time_s),
                service_id=service.id,
                pricing=service.pricing,
                co2_g_per_km=_co2(service.co2_g_per_km, service.kind),
                duration_s=context.drive_duration_s,
            )
            return _stretch(leg, before_s=service.waiting_time_s, after_s=0.0)

        return [self._chain(context, [riding])]


# --- helpers -----------------------------------------------------------------------------------


def _shift(leg: Leg, delta: dt.timedelta) -> Leg:
    return dataclasses.replace(leg, start=leg.start + delta, end=leg.end + delta)


def _stretch(leg: Leg, *, before_s: float, after_s: float) -> Leg:
    """Widen a leg by the time spent unlocking before and returning after the ride."""
    return dataclasses.replace(
        leg,
        start=leg.start - dt.timedelta(seconds=before_s),
        end=leg.end + dt.timedelta(seconds=after_s),
    )


def _station_place(station: Station) -> Place:
    return Place(
        station.lat,
        station.lon,
        station.name,
        station_id=station.id,
        vehicles_available=station.vehicles_available,
        docks_available=station.docks_available,
    )


def _co2(published: float | None, kind: ServiceKind) -> float:
    return published if published is not None else DEFAULT_CO2_G_PER_KM.get(kind, 0.0)


def _same_place(a: Snap, b: Snap) -> bool:
    return float(haversine_m(a.query_lat, a.query_lon, b.query_lat, b.query_lon)) < 10.0
