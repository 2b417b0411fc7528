"""Direct itineraries: walk, own bike or own car from origin to destination (through via points).

No published service is involved; each allowed mode gives one candidate, one leg per stretch
between via points. A mode that cannot connect the points reports why and the others go on.
"""

from __future__ import annotations

import itertools

from routing.errors import NoRouteError, RoutingError
from routing.planning.closed_streets import closed_streets_on_the_way
from routing.planning.context import PlanContext
from routing.planning.itinerary import Itinerary, LegMode
from routing.planning.notices import error_code
from routing.planning.request import PlanError
from routing.planning.services import DEFAULT_CO2_G_PER_KM
from routing.street.modes import Mode
from routing.street.snap import Snap

__all__ = ["plan_direct"]


def plan_direct(context: PlanContext) -> list[Itinerary]:
    """One itinerary per allowed direct mode (WALK, BICYCLE, CAR) the network has."""
    request = context.request
    network = context.network
    found: list[Itinerary] = []
    plans: list[tuple[str, Mode, LegMode, float, float]] = [
        ("WALK", Mode.WALK, LegMode.WALK, context.walk_factor, 0.0),
        ("BICYCLE", Mode.BIKE, LegMode.BICYCLE, context.bike_factor, 0.0),
        ("CAR", Mode.DRIVE, LegMode.CAR, 1.0, DEFAULT_CO2_G_PER_KM["CAR"]),
    ]
    for name, mode, leg_mode, factor, co2 in plans:
        if name not in request.direct_modes or mode not in network.routers:
            continue
        snaps: list[Snap] = []
        try:
            router = network.router(mode)
            # The planner snapped both ends on the walking network already: the same snaps
            # for walking, and for every mode whose network snaps alike (one topology).
            snaps = [
                context.snap_end(mode, "origin"),
                *(router.snap(*p, name=f"via {i + 1}") for i, p in enumerate(request.via)),
                context.snap_end(mode, "destination"),
            ]
            avoid = {Mode.WALK: context.walk_avoid, Mode.DRIVE: context.drive_avoid}.get(
                mode, frozenset()
            )
            # One leg per stretch between via points, end to end, in the same mode.
            rides = [
                context.ride(
                    mode,
                    leg_mode,
                    a,
                    b,
                    factor,
                    co2,
                    avoid,
                    context.drive_duration_s,
                    # What one's own car costs (fuel, wear, parking) is not known: no price
                    # rather than a false "free".
                    charged=mode is Mode.DRIVE,
                )
                for a, b in itertools.pairwise(snaps)
            ]
            found.append(context.chain(rides))
        except NoRouteError as exc:
            closed: tuple[str, ...] = ()
            if mode is Mode.DRIVE and snaps:
                closed = closed_streets_on_the_way(
                    router, snaps, context.drive_duration_s, context.drive_avoid
                )
            context.errors.append(_no_route(name, exc, closed))
        except RoutingError as exc:
            context.errors.append(PlanError(error_code(exc.code), f"{name.lower()}: {exc}"))
    return found


def _no_route(name: str, exc: NoRouteError, closed: tuple[str, ...]) -> PlanError:
    """``NO_ROUTE`` for one mode, naming the closed streets when they are the cause."""
    if not closed:
        return PlanError(error_code(exc.code), f"{name.lower()}: {exc}")
    streets = ", ".join(closed)
    return PlanError(
        error_code(exc.code),
        f"{name.lower()}: no car route joins these places while "
        f"{'this street is' if len(closed) == 1 else 'these streets are'} closed to cars: "
        f"{streets}",
        closed_streets=closed,
    )
