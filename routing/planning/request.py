"""What a trip plan is asked with and answers: the request, its checks, the result and errors.

Failures of one combination become :class:`PlanError` values beside the itineraries, as in
OpenTripPlanner's ``routingErrors``; only a request that is wrong as a whole raises
:class:`PlanRequestError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from routing.errors import RoutingError
from routing.planning.itinerary import Itinerary
from routing.planning.notices import PlanErrorCode
from routing.planning.services import ServiceKind
from routing.street.modes import DEFAULT_PROFILES, Mode

__all__ = [
    "PlanError",
    "PlanRequest",
    "PlanRequestError",
    "PlanResult",
    "Preferences",
    "validate_request",
]

LatLon = tuple[float, float]
DIRECT_MODES = frozenset({"WALK", "BICYCLE", "CAR"})
MAX_PLAN_HORIZON = dt.timedelta(days=60)


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the traveller asks for beyond origin, destination and time."""

    walk_speed_kmh: float = DEFAULT_PROFILES[Mode.WALK].speed_kmh
    bike_speed_kmh: float = DEFAULT_PROFILES[Mode.BIKE].speed_kmh
    max_walk_m: float = 1500.0
    wheelchair: bool = False
    optimize: str = "time"  # time | price | co2
    num_itineraries: int = 5
    max_transfers: int = 4  # vehicle changes a timetabled journey may make
    car_avoid: frozenset[str] = frozenset()  # OSM highway classes a car must not use


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """A trip to plan. ``time`` is timezone-aware; ``arrive_by`` makes it the latest arrival.

    ``service_kinds`` left at every kind asks for no kind in particular; naming some asks for
    them, and the plan then says which of them no published service offers.
    """

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
    """Why a combination gave nothing (``code`` as OpenTripPlanner's routing errors).

    ``kind`` names the service kind the error is about (``NO_SERVICE_PUBLISHED``);
    ``values`` the numbers a client may word the error with (``distance_m``);
    ``closed_streets`` the streets closed to cars that a ``NO_ROUTE`` car plan met.
    """

    code: PlanErrorCode
    message: str
    input_field: str | None = None
    kind: ServiceKind | None = None
    values: Mapping[str, float] = field(default_factory=dict)
    closed_streets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanResult:
    itineraries: tuple[Itinerary, ...]
    errors: tuple[PlanError, ...]


class PlanRequestError(ValueError, RoutingError):
    """The request as a whole cannot be planned (bad time, conflicting options).

    ``reason`` says which rule failed as a code (``SAME_PLACE``, ``TOO_FAR_AHEAD``...) and
    ``values`` the numbers it names, so a client words it in its reader's language; the
    message is the English sentence, for logs.
    """

    code = "BAD_REQUEST"

    def __init__(self, message: str, reason: str = "OTHER", **values: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


def validate_request(request: PlanRequest, now: dt.datetime) -> None:
    """Check the request as a whole against ``now``, before any search.

    Raises
    ------
    PlanRequestError
        Naming the value out of range and what is accepted.
    """
    if request.time.tzinfo is None:
        raise PlanRequestError(
            f"time {request.time.isoformat()} has no timezone; accepted: an ISO 8601 time with "
            "an offset, e.g. 2026-11-30T08:30:00+01:00",
            "NO_TIMEZONE",
            time=request.time.isoformat(),
        )
    if abs(request.time - now) > MAX_PLAN_HORIZON:
        raise PlanRequestError(
            f"time {request.time.isoformat()} is more than {MAX_PLAN_HORIZON.days} days from now; "
            "accepted: a time within 60 days of the present",
            "TOO_FAR_AHEAD",
            time=request.time.isoformat(),
            days=MAX_PLAN_HORIZON.days,
        )
    prefs = request.preferences
    if not 1.0 <= prefs.walk_speed_kmh <= 10.0:
        raise PlanRequestError(
            f"walking speed {prefs.walk_speed_kmh} km/h; accepted: 1 to 10",
            "WALK_SPEED",
            speed_kmh=prefs.walk_speed_kmh,
        )
    if not 5.0 <= prefs.bike_speed_kmh <= 40.0:
        raise PlanRequestError(
            f"cycling speed {prefs.bike_speed_kmh} km/h; accepted: 5 to 40",
            "BIKE_SPEED",
            speed_kmh=prefs.bike_speed_kmh,
        )
    if not 0 <= prefs.max_walk_m <= 10_000:
        raise PlanRequestError(
            f"max walking distance {prefs.max_walk_m} m; accepted: 0 to 10000",
            "MAX_WALK",
            distance_m=prefs.max_walk_m,
        )
    if prefs.optimize not in {"time", "price", "co2"}:
        raise PlanRequestError(
            f"optimize {prefs.optimize!r}; accepted: time, price, co2",
            "OPTIMIZE",
            optimize=prefs.optimize,
        )
    if not 0 <= prefs.max_transfers <= 8:
        raise PlanRequestError(
            f"maxTransfers {prefs.max_transfers}; accepted: 0 to 8",
            "MAX_TRANSFERS",
            count=prefs.max_transfers,
        )
    if not 1 <= prefs.num_itineraries <= 20:
        raise PlanRequestError(
            f"numItineraries {prefs.num_itineraries}; accepted: 1 to 20",
            "NUM_ITINERARIES",
            count=prefs.num_itineraries,
        )
    if request.only_services is not None and request.only_services & request.exclude_services:
        both = ", ".join(sorted(request.only_services & request.exclude_services))
        raise PlanRequestError(
            f"services {both} are both required and excluded; choose one",
            "SERVICES_CONFLICT",
            services=both,
        )
    if len(request.via) > 5:
        raise PlanRequestError(
            f"{len(request.via)} via points; accepted: at most 5",
            "TOO_MANY_VIA",
            count=len(request.via),
        )
    if not request.direct_modes and not request.service_kinds and not request.only_services:
        raise PlanRequestError(
            "no mode allowed; accepted: at least one mode or service kind", "NO_MODE"
        )
