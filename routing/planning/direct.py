"""Direct itineraries: walk, own bike or own car from origin to destination (through via points).

No published service is involved; each allowed mode gives one candidate, one leg per stretch
between via points. A mode that cannot connect the points reports why and the others go on.
"""

from __future__ import annotations

import itertools

from routing.errors import RoutingError
from routing.planning.context import PlanContext
from routing.planning.itinerary import Itinerary, LegMode
from routing.planning.notices import error_code
from routing.planning.request import PlanError
from routing.planning.services import DEFAULT_CO2_G_PER_KM
from routing.street.modes import Mode

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
        try:
            router = network.router(mode)
            points = [request.origin, *request.via, request.destination]
            names = ["origin", *(f"via {i + 1}" for i in range(len(request.via)))]
            snaps = [
                router.snap(*p, name=n)
                for p, n in zip(points, [*names, "destination"], strict=True)
            ]
            avoid = context.walk_avoid if mode is Mode.WALK else frozenset()
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
        except RoutingError as exc:
            context.errors.append(PlanError(error_code(exc.code), f"{name.lower()}: {exc}"))
    return found
