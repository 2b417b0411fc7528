"""GraphQL ``travelTimeMatrix``: street travel times from every origin to every destination.

Answered by the street router's many-to-many search (buckets on the customizable hierarchy),
so a 100 x 100 matrix costs two searches per point, not one per pair. Car times are the live
ones of ``departAt`` (default now), as a car plan leaving then meets them: the congested times
of the latest assignment of its period and the streets closed then, through the hierarchy
customized for them (once per change, shared with the car plans). Unreachable pairs are
null; a point off the network or a matrix beyond the size limit is a ``BAD_USER_INPUT`` error
that says what is accepted.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from marketplace.api.context import Info
from marketplace.api.planning.inputs import (
    AvoidRoad,
    CoordinateInput,
    StreetMode,
    avoided_highways,
)
from marketplace.api.planning.queries import planning_of
from marketplace.clock import PARIS
from marketplace.errors import InvalidInput, StreetsUnavailable
from marketplace.i18n import Message
from routing.errors import (
    InvalidCoordinateError,
    LocationOutsideNetworkError,
    RoutingError,
)
from routing.street.modes import Mode

__all__ = ["MAX_MATRIX_POINTS", "MatrixQuery", "TravelTimeMatrix"]

MAX_MATRIX_POINTS = 100


@strawberry.type(description="Travel times along streets, one row per origin.")
class TravelTimeMatrix:
    mode: StreetMode
    durations_s: list[list[float | None]] = strawberry.field(
        description="durationsS[i][j]: seconds from origin i to destination j; null when no "
        "street path joins them (one-way dead ends, islands)."
    )


@strawberry.type
class MatrixQuery:
    @strawberry.field(
        description="Street travel times from every origin to every destination, for one mode "
        f"(at most {MAX_MATRIX_POINTS} origins and {MAX_MATRIX_POINTS} destinations)."
    )
    async def travel_time_matrix(
        self,
        info: Info,
        origins: list[CoordinateInput],
        destinations: list[CoordinateInput],
        mode: StreetMode = StreetMode.WALK,
        depart_at: Annotated[
            dt.datetime | None,
            strawberry.argument(
                description="When the cars leave (default now): DRIVE times are those of "
                "that moment (congestion assessed for its period, streets closed then)."
            ),
        ] = None,
        avoid_roads: Annotated[
            list[AvoidRoad] | None,
            strawberry.argument(description="Roads DRIVE times keep off (as plan's avoidRoads)."),
        ] = None,
    ) -> TravelTimeMatrix:
        if depart_at is not None and depart_at.tzinfo is None:
            raise InvalidInput(
                Message("matrix.no_timezone", {"value": depart_at.isoformat()}), field="departAt"
            )
        when = depart_at if depart_at is not None else dt.datetime.now(PARIS)
        for name, points in (("origins", origins), ("destinations", destinations)):
            if not 1 <= len(points) <= MAX_MATRIX_POINTS:
                raise InvalidInput(
                    f"{name} has {len(points)} points; accepted: 1 to {MAX_MATRIX_POINTS}",
                    field=name,
                )
        planning = planning_of(info)

        def compute() -> list[list[float | None]]:
            try:
                router = planning.network().router(Mode(mode.value))
            except RoutingError as exc:
                raise StreetsUnavailable(str(exc)) from None
            live_s = planning.drive_times(when) if mode is StreetMode.DRIVE else None
            try:
                matrix = router.travel_cost_matrix(
                    [(p.latitude, p.longitude) for p in origins],
                    [(p.latitude, p.longitude) for p in destinations],
                    duration_s=live_s,
                    avoid=avoided_highways(avoid_roads)
                    if mode is StreetMode.DRIVE
                    else frozenset(),
                )
            except (InvalidCoordinateError, LocationOutsideNetworkError) as exc:
                field = "origins" if str(exc).startswith("origin") else "destinations"
                raise InvalidInput(str(exc), field=field) from None
            return [
                [round(float(v), 1) if math.isfinite(v) else None for v in row]
                for row in matrix.tolist()
            ]

        return TravelTimeMatrix(mode=mode, durations_s=await run_in_threadpool(compute))
