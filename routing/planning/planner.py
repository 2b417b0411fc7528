"""Multimodal trip planning: the street routers combined with the published services.

The planner takes a :class:`~routing.planning.services.ServiceCatalogue` snapshot with each
request, so a service published, moved or emptied a moment ago changes the very next plan;
street graphs are never rebuilt. Combinations tried, each a candidate itinerary:

- direct: walk, own bike, own car (parking at the destination when a car park has room);
- docked share: walk to a station with vehicles, ride to a station with free docks, walk;
- free-floating share: walk to a vehicle (or into the zone), ride, end in the zone outside
  no-parking areas, walk;
- on-demand: wait, ride inside the zone;
- timetabled (shuttles, public transport), every timetable as one network: reach stops on
  foot or by the allowed shares, own bike or car (left at the stop) and on-demand services,
  ride with transfers (between services too), leave likewise (:mod:`routing.planning.transit`).

Each combination is a strategy module taking the request's :class:`~routing.planning.context.
PlanContext`; this module only validates, prepares the context and dispatches services.
Failures of one combination become :class:`~routing.planning.request.PlanError` values beside
the itineraries, as in OpenTripPlanner's ``routingErrors``; only a request that is wrong as a
whole raises.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterable
from typing import assert_type

import numpy as np

from routing.errors import InvalidCoordinateError, LocationOutsideNetworkError, RoutingError
from routing.planning.context import PlanContext, StationSnaps, same_place
from routing.planning.direct import plan_direct
from routing.planning.itinerary import Itinerary, keep_useful
from routing.planning.notices import PlanErrorCode, error_code
from routing.planning.on_demand import plan_on_demand
from routing.planning.parking import plan_drive_and_park
from routing.planning.request import (
    PlanError,
    PlanRequest,
    PlanRequestError,
    PlanResult,
    validate_request,
)
from routing.planning.services import (
    OnDemandService,
    ParkingService,
    Service,
    ServiceCatalogue,
    ServiceKind,
    SharedVehicleService,
    TransitService,
)
from routing.planning.shared_vehicles import plan_docked, plan_shared_vehicle
from routing.planning.stop_walks import StopWalks
from routing.planning.transit import plan_with_timetables
from routing.planning.transit_index import TransitIndexes
from routing.planning.walk_reach import WalkReach
from routing.street.modes import DEFAULT_PROFILES, Mode
from routing.street.network import StreetNetwork
from routing.street.snap import Snap

__all__ = ["DEFAULT_AVAILABILITY_MAX_AGE", "PlanStopped", "TripPlanner", "unpublished_kinds"]

WHEELCHAIR_AVOID = frozenset({"steps"})
# GBFS feeds refresh every minute or so; counts ten minutes old no longer say what is there.
DEFAULT_AVAILABILITY_MAX_AGE = dt.timedelta(minutes=10)
# What a service of each kind must publish before a trip can use it.
_PLANNABLE_NEEDS = {
    ServiceKind.BIKE_SHARE: "stations or a service zone",
    ServiceKind.SCOOTER_SHARE: "stations or a service zone",
    ServiceKind.CAR_SHARE: "stations or a service zone",
    ServiceKind.SHUTTLE: "a timetable",
    ServiceKind.PUBLIC_TRANSPORT: "a timetable",
    ServiceKind.ON_DEMAND: "a service zone",
    ServiceKind.PARKING: "car parks",
}


class PlanStopped(Exception):
    """The plan was stopped through its ``stop`` event (its caller gave up on it, say on a
    time budget): not a routing failure, so no strategy turns it into a plan error."""


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise PlanStopped("the plan was stopped by its caller")


class TripPlanner:
    """Plans trips on a street network with the services of a catalogue snapshot.

    Station counts reported more than ``availability_max_age`` before the plan are shown as
    of their time, not as live, and such stations rank below live ones. ``transit_access``
    False reaches and leaves stops on foot only (the benchmark's baseline).
    """

    def __init__(
        self,
        network: StreetNetwork,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        availability_max_age: dt.timedelta = DEFAULT_AVAILABILITY_MAX_AGE,
        transit_access: bool = True,
    ) -> None:
        self.network = network
        self._clock = clock
        self._availability_max_age = availability_max_age
        profiles = network.manifest.get("profiles", {})
        self._walk_kmh = float(profiles.get("walk", DEFAULT_PROFILES[Mode.WALK].speed_kmh))
        self._bike_kmh = float(profiles.get("bike", DEFAULT_PROFILES[Mode.BIKE].speed_kmh))
        self._snaps: StationSnaps = {}
        self.transit_indexes = TransitIndexes(network)
        self._reach = WalkReach(network.router(Mode.WALK).graph, self._walk_snap)
        self.stop_walks = StopWalks(network)
        self.transit_access = transit_access

    def _walk_snap(self, lat: float, lon: float) -> Snap | None:
        """A station's snap on the walking network, through the planner's cache."""
        key = (Mode.WALK, lat, lon)
        if key not in self._snaps:
            try:
                self._snaps[key] = self.network.router(Mode.WALK).snap(lat, lon, name="station")
            except (LocationOutsideNetworkError, InvalidCoordinateError):
                self._snaps[key] = None
        return self._snaps[key]

    def plan(
        self,
        request: PlanRequest,
        catalogue: ServiceCatalogue,
        *,
        drive_duration_s: np.ndarray | None = None,
        stop: threading.Event | None = None,
    ) -> PlanResult:
        """Plan ``request`` with the services of ``catalogue``.

        ``drive_duration_s`` gives the drive graph's edge times to use instead of free-flow
        ones (the congested times of the trip's period, from a traffic assignment).
        ``stop``, once set, stops the plan at its next step (between searches, before each
        service): the caller that gave up on it gets its CPU back.

        Raises
        ------
        PlanRequestError
            When the request as a whole is invalid (time without zone or out of range,
            conflicting options, speeds out of range).
        PlanStopped
            When ``stop`` was set before the plan finished.
        InvalidCoordinateError, LocationOutsideNetworkError
            When the origin or destination cannot be placed on the walking network.
        """
        now = self._clock()
        validate_request(request, now)
        known = catalogue.by_id()
        unknown = sorted((request.only_services or frozenset()) - known.keys())
        unknown += sorted(request.exclude_services - known.keys())
        errors = [
            PlanError(PlanErrorCode.UNKNOWN_SERVICE, f"service {sid} is not published", "modes")
            for sid in unknown
        ]
        _check(stop)
        walk = self.network.router(Mode.WALK)
        origin = walk.snap(*request.origin, name="origin")
        destination = walk.snap(*request.destination, name="destination")
        if same_place(origin, destination):
            raise PlanRequestError(
                "origin and destination are the same place (less than 10 m apart); "
                "accepted: two distinct points",
                "SAME_PLACE",
            )
        prefs = request.preferences
        walk_limit_s = prefs.max_walk_m / (self._walk_kmh / 3.6)
        # Wheelchair users cannot take steps where the map says there are some.
        avoid = WHEELCHAIR_AVOID if prefs.wheelchair else frozenset()
        context = PlanContext(
            network=self.network,
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
            drive_avoid=prefs.car_avoid,
            drive_duration_s=drive_duration_s,
            errors=errors,
            station_snaps=self._snaps,
            live_since=now - self._availability_max_age,
        )
        context.errors += unpublished_kinds(request, catalogue)
        candidates: list[Itinerary] = []
        _check(stop)
        candidates += plan_direct(context)
        services = list(self._allowed(request, catalogue))
        if request.via and services:
            # Sharing and timetabled trips through given points are not planned yet: say so
            # rather than drop the via points silently.
            context.errors.append(
                PlanError(
                    PlanErrorCode.VIA_DIRECT_MODES_ONLY,
                    "with via points, only walking, cycling and driving itineraries are "
                    "planned; remove the via points to use the services",
                    "via",
                )
            )
            services = []
        timetabled = [s for s in services if isinstance(s, TransitService)]
        for service in services:
            if isinstance(service, TransitService):
                continue  # all timetables are searched together, below
            _check(stop)
            try:
                candidates += self._with_service(context, service, walk_limit_s)
            except RoutingError as exc:
                context.errors.append(PlanError(error_code(exc.code), f"{service.name}: {exc}"))
        _check(stop)
        try:
            candidates += plan_with_timetables(
                context,
                timetabled,
                self.transit_indexes,
                access_services=[s for s in services if not isinstance(s, TransitService)]
                if self.transit_access
                else (),
                walks=self.stop_walks,
                reach=(self._reach, walk_limit_s),
            )
        except RoutingError as exc:
            names = ", ".join(service.name for service in timetabled)
            context.errors.append(PlanError(error_code(exc.code), f"{names}: {exc}"))
        if not candidates and not context.errors:
            context.errors.append(
                PlanError(
                    PlanErrorCode.NO_ROUTE, "no itinerary matches the allowed modes and services"
                )
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

    def _with_service(
        self,
        context: PlanContext,
        service: SharedVehicleService | ParkingService | OnDemandService,
        walk_limit_s: float,
    ) -> list[Itinerary]:
        if isinstance(service, SharedVehicleService):
            if service.docked:
                # Only stations within walking reach of either end can be picked: the others
                # (most of a city's bike share) are dropped at once, not one walk cost each.
                ends = (context.origin_walk, context.destination_walk)
                near = self._reach.near(service.stations, ends, walk_limit_s)
                return plan_docked(context, dataclasses.replace(service, stations=tuple(near)))
            return plan_shared_vehicle(context, service)
        if isinstance(service, ParkingService):
            return plan_drive_and_park(context, service)
        assert_type(service, OnDemandService)
        return plan_on_demand(context, service)


def unpublished_kinds(request: PlanRequest, catalogue: ServiceCatalogue) -> list[PlanError]:
    """``NO_SERVICE_PUBLISHED`` for each kind the traveller asked for that no service offers.

    Only kinds asked for by name count (a request left at every kind asks for none in
    particular), and only kinds the planner can ride: the client can then explain an empty
    result ("no public transport timetable is published here") instead of staying silent.
    """
    if request.only_services is not None or request.service_kinds >= frozenset(ServiceKind):
        return []
    published = catalogue.kinds()
    return [
        PlanError(
            PlanErrorCode.NO_SERVICE_PUBLISHED,
            f"no {kind.value.lower().replace('_', ' ')} service with {needs} is published "
            "in this area",
            "modes",
            kind=kind,
        )
        for kind, needs in _PLANNABLE_NEEDS.items()
        if kind in request.service_kinds and kind not in published
    ]
