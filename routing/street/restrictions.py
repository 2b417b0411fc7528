"""Turn restrictions from OSM relations: which turns a walker, a cyclist or a car may not take.

A ``type=restriction`` relation names a ``from`` way, a ``via`` (one node, or one or more
ways in order) and a ``to`` way. ``restriction=no_*`` forbids going from ``from`` through
``via`` onto ``to``; ``restriction=only_*`` forbids every other way out of the via after
arriving from ``from``. The kind (``left_turn``, ``straight_on``, ``u_turn``...) only names
the turn; the members say which it is, so every ``no_*`` and every ``only_*`` is read alike,
as OSRM and Valhalla do.

Which modes a relation binds, following the OSM wiki and the engines' profiles (read, not
copied):

- ``restriction:<mode>=*`` binds that mode and takes precedence over ``restriction=*``
  (``motorcar``/``motor_vehicle``/``vehicle`` for cars, ``bicycle``/``vehicle`` for bikes,
  ``foot`` for walkers); ``type=restriction:<mode>`` is the older spelling;
- ``restriction=*`` binds vehicles, cars and bikes, never walkers;
- ``except=*`` (``;``-separated) lifts it for the modes it names (``bicycle``; ``motorcar``
  or ``motor_vehicle`` for cars).

Time-conditional restrictions (``restriction:conditional``) and relations with a missing or
ill-formed member are left out: a route must never depend on a guessed rule.
:mod:`routing.street.readers.turns` applies what is read here to a mode's graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from routing.street.modes import Mode

__all__ = ["Member", "TurnRestriction", "restriction_for"]

# The restriction:<key> keys that speak for a mode, most specific first.
_MODE_KEYS: Mapping[Mode, tuple[str, ...]] = {
    Mode.DRIVE: ("motorcar", "motor_vehicle", "vehicle"),
    Mode.BIKE: ("bicycle", "vehicle"),
    Mode.WALK: ("foot",),
}
# What an ``except`` list names to lift a restriction for a mode.
_EXCEPT_NAMES: Mapping[Mode, frozenset[str]] = {
    Mode.DRIVE: frozenset({"motorcar", "motor_vehicle", "vehicle"}),
    Mode.BIKE: frozenset({"bicycle", "vehicle"}),
    Mode.WALK: frozenset({"foot"}),
}


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a relation: ``kind`` is ``node``, ``way`` or ``relation``."""

    kind: str
    ref: int
    role: str


@dataclass(frozen=True, slots=True)
class TurnRestriction:
    """A turn rule for one mode: ``only`` (``only_*``) or not (``no_*``).

    ``via_node`` is set for a via-node restriction, ``via_ways`` (in travel order) for a
    via-way one; exactly one of them is.
    """

    relation_id: int
    from_way: int
    to_way: int
    only: bool
    via_node: int | None = None
    via_ways: tuple[int, ...] = ()


def restriction_for(
    relation_id: int, tags: Mapping[str, str], members: Iterable[Member], mode: Mode
) -> TurnRestriction | None:
    """The restriction a relation puts on ``mode``, or None when it puts none or is unusable.

    None also for relations that are not restrictions, conditional only, of an unknown value
    (neither ``no_*`` nor ``only_*``) or with members that are not one ``from`` way, a via
    node or ways, and one ``to`` way.
    """
    value = _value_for(tags, mode)
    if value is None:
        return None
    if value.startswith("no_"):
        only = False
    elif value.startswith("only_"):
        only = True
    else:
        return None
    members = list(members)
    froms = [m.ref for m in members if m.role == "from" and m.kind == "way"]
    tos = [m.ref for m in members if m.role == "to" and m.kind == "way"]
    via_nodes = [m.ref for m in members if m.role == "via" and m.kind == "node"]
    via_ways = tuple(m.ref for m in members if m.role == "via" and m.kind == "way")
    # A no_entry/no_exit may name several from/to ways; one rule each is what engines need,
    # and one from and one to is by far the common case: others are left out.
    if len(froms) != 1 or len(tos) != 1:
        return None
    if len(via_nodes) == 1 and not via_ways:
        return TurnRestriction(relation_id, froms[0], tos[0], only, via_node=via_nodes[0])
    if via_ways and not via_nodes:
        return TurnRestriction(relation_id, froms[0], tos[0], only, via_ways=via_ways)
    return None


def _value_for(tags: Mapping[str, str], mode: Mode) -> str | None:
    kind = tags.get("type", "")
    if kind.startswith("restriction:"):
        # The older spelling type=restriction:<mode> + restriction=*.
        named = kind.removeprefix("restriction:")
        if named not in _MODE_KEYS[mode]:
            return None
        return tags.get("restriction")
    if kind != "restriction":
        return None
    for key in _MODE_KEYS[mode]:
        specific = tags.get(f"restriction:{key}")
        if specific:
            return specific
    if mode is Mode.WALK:
        return None
    excepted = {name.strip() for name in tags.get("except", "").split(";")}
    if excepted & _EXCEPT_NAMES[mode]:
        return None
    return tags.get("restriction")
