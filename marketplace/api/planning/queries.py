"""GraphQL for commuters: ``plan`` (modelled on OpenTripPlanner's planConnection) and
``streetMap`` (``placeSearch`` is in :mod:`marketplace.api.planning.places`).

Expected failures of a plan (a point off the network, no service near, no connection) come
back as ``routingErrors`` beside whatever itineraries were found, as OTP does; a request that
is wrong as a whole (no timezone, conflicting options) is a ``BAD_USER_INPUT`` error; with no
street network loaded every answer is a ``SERVICE_UNAVAILABLE`` error that names the fix.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from typing import Annotated, Any, cast

import anyio
import anyio.to_thread
import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from marketplace.api.context import Info
from marketplace.api.planning.inputs import (
    PlanDateTimeInput,
    PlanLocationInput,
    PlanModesInput,
    PlanPreferencesInput,
    StreetMode,
    avoided_highways,
)
from marketplace.api.planning.types import (
    PlanConnection,
    PlanEdge,
    itinerary_type,
    plan_warning,
    routing_error,
)
from marketplace.api.relay import (
    PageInfo,
    decode_cursor,
    decode_global_id,
    encode_cursor,
)
from marketplace.clock import PARIS
from marketplace.errors import (
    InvalidInput,
    NotFound,
    PlanTimedOut,
    RateLimited,
    StreetsUnavailable,
)
from marketplace.i18n import MESSAGE_IDS, Message, language_of
from marketplace.planning.plans import Planning, PlanOutcome
from marketplace.planning.rate_limit import PlanRateLimiter, client_key
from marketplace.planning.street_map import street_map
from marketplace.traffic import record_planned_trip
from routing.errors import (
    InvalidCoordinateError,
    LocationOutsideNetworkError,
    NoStreetNetworkError,
    RoutingError,
)
from routing.planning.notices import PlanErrorCode
from routing.planning.request import PlanError, PlanRequest, PlanRequestError, Preferences
from routing.planning.services import ServiceKind as RoutingServiceKind
from routing.street.modes import Mode

__all__ = ["PlanningQuery"]

MAX_ITINERARIES = 20


def _service_id(global_id: strawberry.ID) -> str:
    _, db_id = decode_global_id(global_id, "MobilityService")
    return str(db_id)


def _location(planning: Planning, location: PlanLocationInput, name: str) -> tuple[float, float]:
    coordinate, station = location.coordinate, location.station_id
    if (coordinate is None) == (station is None):
        raise InvalidInput(Message("plan.location_one_of", {"name": name}), field=name)
    if coordinate is not None:
        return coordinate.latitude, coordinate.longitude
    assert station is not None
    _, station_db_id = decode_global_id(station, "Station")
    _, views = planning.catalogue.snapshot()
    for view in views.values():
        for s in view.stations:
            if s.id == station_db_id:
                return s.lat, s.lon
    raise NotFound(Message("plan.station_not_published", {"name": name, "station": station}))


PLAN_TIME_RANGE = (
    dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
)
"""Times a plan may be asked for: wide enough for any timetable, far from the calendar's end
(year 9999 overflows as soon as it is converted to Paris time)."""


def _request(
    planning: Planning,
    origin: PlanLocationInput,
    destination: PlanLocationInput,
    date_time: PlanDateTimeInput | None,
    modes: PlanModesInput | None,
    preferences: PlanPreferencesInput | None,
    num_itineraries: int,
    via: list[PlanLocationInput] | None = None,
) -> PlanRequest:
    when, arrive_by = dt.datetime.now(PARIS), False
    if date_time is not None:
        if date_time.latest_arrival not in (None, strawberry.UNSET):
            when, arrive_by = date_time.latest_arrival, True
        elif date_time.earliest_departure not in (None, strawberry.UNSET):
            when = date_time.earliest_departure
    if when.tzinfo is None:
        raise InvalidInput(
            Message("plan.no_timezone", {"value": when.isoformat()}), field="dateTime"
        )
    if not PLAN_TIME_RANGE[0] <= when <= PLAN_TIME_RANGE[1]:
        raise InvalidInput(
            Message(
                "plan.time_range",
                {
                    "value": when.isoformat(),
                    "start": f"{PLAN_TIME_RANGE[0]:%Y-%m-%d}",
                    "end": f"{PLAN_TIME_RANGE[1]:%Y-%m-%d}",
                },
            ),
            field="dateTime",
        )
    prefs = preferences or PlanPreferencesInput()
    defaults = Preferences()
    kinds = frozenset(RoutingServiceKind)
    direct = frozenset({"WALK", "BICYCLE", "CAR"})
    only = exclude = None
    if modes is not None:
        if modes.direct is not None:
            direct = frozenset(m.value for m in modes.direct)
        if modes.services is not None:
            kinds = frozenset(RoutingServiceKind[k.name] for k in modes.services)
        if modes.include_services:
            only = frozenset(_service_id(i) for i in modes.include_services)
        if modes.exclude_services:
            exclude = frozenset(_service_id(i) for i in modes.exclude_services)
    return PlanRequest(
        origin=_location(planning, origin, "origin"),
        destination=_location(planning, destination, "destination"),
        time=when,
        arrive_by=arrive_by,
        direct_modes=direct,
        service_kinds=kinds,
        only_services=only,
        exclude_services=exclude or frozenset(),
        via=tuple(_location(planning, v, f"via[{i}]") for i, v in enumerate(via or [])),
        preferences=Preferences(
            # 0 is a speed the engine refuses, not "unset": only None takes the default.
            walk_speed_kmh=defaults.walk_speed_kmh
            if prefs.walk_speed_kmh is None
            else prefs.walk_speed_kmh,
            bike_speed_kmh=defaults.bike_speed_kmh
            if prefs.bike_speed_kmh is None
            else prefs.bike_speed_kmh,
            max_walk_m=prefs.max_walk_distance_m
            if prefs.max_walk_distance_m is not None
            else defaults.max_walk_m,
            wheelchair=bool(prefs.wheelchair),
            optimize=prefs.optimize.value if prefs.optimize else "time",
            num_itineraries=num_itineraries,
            max_transfers=defaults.max_transfers
            if prefs.max_transfers is None
            else prefs.max_transfers,
            car_avoid=avoided_highways(prefs.avoid_roads),
        ),
    )


async def _take_plan_token(info: Info) -> None:
    """One token of the caller's plan bucket, or ``RATE_LIMITED`` saying when to retry."""
    limiter: PlanRateLimiter | None = getattr(
        info.context.connection.app.state, "plan_limiter", None
    )
    if limiter is None:
        return
    connection = info.context.connection
    authorization = connection.headers.get("authorization", "")
    token = authorization.removeprefix("Bearer ").strip() if authorization else None
    if token is None and info.context.connection_params:
        raw = info.context.connection_params.get("authorization")
        token = str(raw).removeprefix("Bearer ").strip() if raw else None
    address = connection.client.host if connection.client else None
    wait_s = await limiter.take(client_key(token, address))
    if wait_s > 0:
        raise RateLimited(
            f"too many plans: at most {limiter.burst} at once and {limiter.per_minute} a "
            f"minute per client; retry in {math.ceil(wait_s)} s",
            retry_after_s=math.ceil(wait_s),
        )


def planning_of(info: Info) -> Planning:
    planning: Planning | None = getattr(info.context.connection.app.state, "planning", None)
    if planning is None:
        raise StreetsUnavailable(Message("plan.not_set_up"))
    return planning


def _run_plan(
    planning: Planning,
    request_args: tuple[Any, ...],
    min_rating: float | None,
    stop: threading.Event,
) -> tuple[PlanRequest | None, PlanOutcome | None, list[PlanError]]:
    """Blocking: build the request and plan it, turning location problems into errors.

    Once ``stop`` is set (the time budget ran out) the planner ends at its next step with
    :class:`PlanStopped`, whose result nobody reads any more."""
    try:
        planning.network()
    except NoStreetNetworkError as exc:
        raise StreetsUnavailable(str(exc)) from None
    except RoutingError as exc:
        raise StreetsUnavailable(f"the street network could not be loaded: {exc}") from None
    request = _request(planning, *request_args)
    try:
        return request, planning.plan(request, min_rating=min_rating, stop=stop), []
    except PlanRequestError as exc:
        reason = f"plan_request.{exc.reason}"
        raise InvalidInput(
            Message(reason, exc.values) if reason in MESSAGE_IDS else str(exc)
        ) from None
    except InvalidCoordinateError as exc:
        return request, None, [PlanError(PlanErrorCode.LOCATION_NOT_FOUND, str(exc))]
    except LocationOutsideNetworkError as exc:
        values = {} if exc.distance_m is None else {"distance_m": exc.distance_m}
        error = PlanError(PlanErrorCode.OUTSIDE_BOUNDS, str(exc), exc.place, values=values)
        return request, None, [error]


@strawberry.type
class PlanningQuery:
    @strawberry.field(description="Plan a trip with walking, cycling, driving and the services.")
    async def plan(
        self,
        info: Info,
        origin: PlanLocationInput,
        destination: PlanLocationInput,
        date_time: PlanDateTimeInput | None = None,
        modes: PlanModesInput | None = None,
        preferences: PlanPreferencesInput | None = None,
        num_itineraries: int = 5,
        first: int | None = None,
        after: str | None = None,
        via: list[PlanLocationInput] | None = None,
        locale: Annotated[
            str | None,
            strawberry.argument(
                description="fr or en: the language of steps, errors and warnings, for "
                "clients that cannot send Accept-Language (which it overrides)."
            ),
        ] = None,
    ) -> PlanConnection:
        # Anyone may plan, but a key or session that was sent must be valid: a revoked or
        # unknown one is refused, never served as anonymous (cached per worker: cheap).
        await info.context.actor()
        if locale is not None:
            chosen = language_of(locale)
            if chosen is None:
                raise InvalidInput(Message("plan.locale", {"value": locale}), field="locale")
            info.context.language = chosen
        language = info.context.language
        if not 1 <= num_itineraries <= MAX_ITINERARIES:
            raise InvalidInput(
                Message(
                    "plan.num_itineraries", {"value": num_itineraries, "maximum": MAX_ITINERARIES}
                ),
                field="numItineraries",
            )
        planning = planning_of(info)
        min_rating = preferences.min_service_rating if preferences else None
        if min_rating is not None and not 1.0 <= min_rating <= 5.0:
            raise InvalidInput(
                Message("plan.min_rating", {"value": min_rating}), field="minServiceRating"
            )
        args = (origin, destination, date_time, modes, preferences, MAX_ITINERARIES, via)
        await _take_plan_token(info)
        budget_ms = info.context.settings.plan_budget_ms
        stop = threading.Event()
        try:
            with anyio.fail_after(budget_ms / 1000):
                # Abandoned on time-out: the client is answered at once, and the thread stops
                # at the planner's next step (its result would be dropped anyway).
                request, outcome, problems = await anyio.to_thread.run_sync(
                    _run_plan,
                    planning,
                    args,
                    min_rating,
                    stop,
                    abandon_on_cancel=True,
                    limiter=getattr(info.context.connection.app.state, "plan_threads", None),
                )
        except TimeoutError:
            stop.set()
            raise PlanTimedOut(
                f"the plan took longer than this server's budget of {budget_ms} ms per plan; "
                "try fewer modes or closer points",
                budget_ms=budget_ms,
            ) from None
        itineraries = list(outcome.result.itineraries) if outcome else []
        # Counted once per plan (not per page), per zone pair; a failure never fails the plan.
        if request is not None and itineraries and after is None:
            demand = getattr(info.context.connection.app.state, "demand", None)
            if demand is not None:  # written in batches (marketplace.traffic.DemandRecorder)
                demand.add(request.origin, request.destination, request.time)
            else:
                await run_in_threadpool(
                    record_planned_trip,
                    info.context.db,
                    request.origin,
                    request.destination,
                    request.time,
                )
        errors = list(outcome.result.errors) if outcome else problems
        itineraries = itineraries[:num_itineraries]
        position = decode_cursor(after)
        start = 0 if position is None else position + 1
        page_size = first if first is not None else num_itineraries
        if page_size < 0:
            raise InvalidInput(Message("plan.first_negative"), field="first")
        page = itineraries[start : start + page_size]
        edges = [
            PlanEdge(cursor=encode_cursor(start + i), node=itinerary_type(it, language))
            for i, it in enumerate(page)
        ]
        warnings = [plan_warning(text, language) for text in planning.network().warnings]
        return PlanConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=start + len(page) < len(itineraries),
                has_previous_page=start > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            routing_errors=[routing_error(e, language) for e in errors],
            search_date_time=request.time if request else dt.datetime.now(PARIS),
            warnings=warnings,
        )

    @strawberry.field(
        description="Street centrelines as a GeoJSON FeatureCollection, to draw without tiles."
    )
    async def street_map(
        self, info: Info, bbox: list[float] | None = None, mode: StreetMode = StreetMode.WALK
    ) -> JSON:
        if bbox is not None and (len(bbox) != 4 or not (bbox[0] < bbox[2] and bbox[1] < bbox[3])):
            raise InvalidInput(
                f"bbox {bbox}; accepted: [west, south, east, north] with west < east and "
                "south < north",
                field="bbox",
            )
        planning = planning_of(info)

        def draw() -> JSON:
            try:
                network = planning.network()
            except RoutingError as exc:
                raise StreetsUnavailable(str(exc)) from None
            router = network.router(Mode(mode.value))
            try:
                box = (bbox[0], bbox[1], bbox[2], bbox[3]) if bbox else None
                return cast(JSON, street_map(router.graph, box))
            except ValueError as exc:
                raise InvalidInput(str(exc), field="bbox") from None

        return await run_in_threadpool(draw)
