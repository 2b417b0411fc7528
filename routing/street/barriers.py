"""Barriers on OSM nodes: which ``barrier=*`` a walker, a cyclist or a car may pass.

A way can be open while a point on it is not: a bollard closes a lane to cars, a gate with
``motor_vehicle=no`` closes a park's alley, a fence ends a footpath. The rules follow the
defaults OSRM's car, bicycle and foot profiles apply (their barrier lists, read, not copied)
with the same access tags as the ways (:func:`routing.street.modes.access_value`). On a
barrier node:

- an access tag that denies the mode (``no``, ``private``, ...) closes it;
- one that grants it (``yes``, ``designated``, ``permissive``, ...) opens it, whatever the
  barrier;
- otherwise the barrier decides: cars pass only barriers meant to be opened or driven over
  (gates, lift gates, toll booths, cattle grids, height limits...); cyclists and walkers pass
  everything but what is a wall to them.

Nodes with no ``barrier`` tag (access tags there speak of crossings and the like) and
nodes whose ``barrier`` is ``no`` close nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from routing.street.modes import GRANTED_ACCESS, Mode, access_value, is_denied

__all__ = ["CAR_PASSABLE_BARRIERS", "blocks"]

# Barriers a car may drive through (opened on arrival, or laid in the road).
CAR_PASSABLE_BARRIERS = frozenset(
    {
        "no",
        "entrance",
        "gate",
        "lift_gate",
        "swing_gate",
        "sliding_gate",
        "toll_booth",
        "border_control",
        "checkpoint",
        "cattle_grid",
        "sally_port",
        "height_restrictor",
        "arch",
    }
)
# Barriers that stop a bicycle as well as a walker carrying nothing.
_WALLS = frozenset({"wall", "fence", "hedge", "retaining_wall", "city_wall", "yes"})
# Barriers a walker slips through but a cyclist must not be routed through.
_BIKE_STOPPERS = _WALLS | {"turnstile", "full-height_turnstile", "stile", "kissing_gate"}


def blocks(tags: Mapping[str, str], mode: Mode) -> bool:
    """Whether a node with these tags stops ``mode`` from passing through it.

    Parameters
    ----------
    tags
        The node's OSM tags (``barrier``, ``access``, ``foot``, ``bicycle``,
        ``motor_vehicle``...).
    mode
        The travel mode asked about.
    """
    barrier = (tags.get("barrier") or "").strip().lower()
    if not barrier:
        # Access tags on other nodes speak of something else: ``bicycle=no`` on a
        # pedestrian crossing forbids riding across, not along the road it lies on.
        return False
    access = access_value(tags, mode)
    if is_denied(access, mode):
        return True
    if access in GRANTED_ACCESS:
        return False
    if mode is Mode.DRIVE:
        return barrier not in CAR_PASSABLE_BARRIERS
    if mode is Mode.BIKE:
        return barrier in _BIKE_STOPPERS
    return barrier in _WALLS
