"""Walking to and from stations and stops: the one bounded walking search all strategies use.

The planner's two walking searches (from the origin, to the destination) are bounded by the
traveller's maximum walk; a station or stop counts as reachable when its snap on the walking
network has a finite cost in them. Docked shares, free-floating vehicles, car parks and
timetabled stops all choose their candidates here, nearest by walking time first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

import numpy as np

from routing.planning.context import PlanContext
from routing.planning.services import Station
from routing.street.modes import Mode
from routing.street.snap import Snap

__all__ = [
    "CANDIDATE_STATIONS",
    "STALE_AVAILABILITY_PENALTY_S",
    "nearest_by_walk",
    "stale_penalty_s",
    "walk_cost_s",
]

CANDIDATE_STATIONS = 4
# A station whose counts are old may have emptied since: one with live counts is preferred
# unless it is more than this much farther to walk.
STALE_AVAILABILITY_PENALTY_S = 300.0


class _Located(Protocol):
    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


PlaceT = TypeVar("PlaceT", bound=_Located)


def walk_cost_s(context: PlanContext, target: Snap, *, from_origin: bool) -> float:
    """Walking seconds (at the network's pace) between the origin or destination and ``target``.

    Infinite when ``target`` lies beyond the walking limit.
    """
    start = context.origin_walk if from_origin else context.destination_walk
    costs = context.walk_from_origin if from_origin else context.walk_to_destination
    walk = context.network.router(Mode.WALK)
    return float(walk.costs_to(start, costs, [target], avoid=context.walk_avoid)[0])


def stale_penalty_s(context: PlanContext, station: Station) -> float:
    """Seconds added to a station's walk when ranking it: counts that are not live cost more."""
    if station.vehicles_available is None and station.docks_available is None:
        return 0.0
    return 0.0 if context.is_live(station.reported_at) else STALE_AVAILABILITY_PENALTY_S


def nearest_by_walk(
    context: PlanContext,
    places: Iterable[PlaceT],
    *,
    from_origin: bool,
    limit: int = CANDIDATE_STATIONS,
    penalty_s: Callable[[PlaceT], float] | None = None,
) -> list[tuple[float, PlaceT, Snap]]:
    """The ``limit`` places within walking reach, nearest (by walking seconds) first.

    Each comes with its walking cost at the network's pace (scale it by the context's
    ``walk_factor`` for the traveller's) and its snap on the walking network. Ties keep the
    order of ``places``. ``penalty_s`` adds seconds to a place's cost for ranking only.
    """
    located = []
    for place in places:
        snap = context.snap_station(Mode.WALK, place.lat, place.lon)
        if snap is not None:
            located.append((place, snap))
    if not located:
        return []
    # One lookup for all the places: a call per place was most of a transit plan's access.
    start = context.origin_walk if from_origin else context.destination_walk
    costs = context.walk_from_origin if from_origin else context.walk_to_destination
    walk = context.network.router(Mode.WALK)
    found = walk.costs_to(start, costs, [snap for _, snap in located], avoid=context.walk_avoid)
    reachable = [
        (cost, place, snap)
        for (place, snap), cost in zip(located, found.tolist(), strict=True)
        if np.isfinite(cost)
    ]
    if penalty_s is None:
        reachable.sort(key=lambda item: item[0])
    else:
        reachable.sort(key=lambda item: item[0] + penalty_s(item[1]))
    return reachable[:limit]
