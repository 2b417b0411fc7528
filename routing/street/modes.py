"""Travel modes on the street network, their default speeds, and the OSM tag rules.

The tag rules answer one question per way and mode: may this mode use the way, in which
directions, and how fast? They read tags the way a French driver, cyclist or pedestrian
would (Code de la route defaults, ``FR:*`` maxspeed zones, contraflow cycling on one-way
streets), and are pure functions so they can be tested on their own.

Default car speeds when a way has no usable ``maxspeed`` (urban France, km/h):

================================  =====  ===========================================
highway                           km/h   why
================================  =====  ===========================================
motorway                          90     urban motorways around Paris (A13, A86)
motorway_link                     70
trunk                             70     urban expressways (voies rapides)
trunk_link                        50
primary, secondary, tertiary,     50     "agglomération" limit (R413-3)
unclassified, residential, links
living_street                     20     zone de rencontre (R110-2)
service, track                    20     car parks, yards, private-looking lanes
road (unknown class)              --     the drive profile's ``speed_kmh``
================================  =====  ===========================================

``maxspeed`` wins over the table when it parses; ``FR:zone30`` (in ``maxspeed``,
``zone:maxspeed``, ``maxspeed:type`` or ``source:maxspeed``) gives 30.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

from routing.street.timing import DEFAULT_TIMING, TimingProfile
from routing.street.turn_costs import BIKE_TURN_COSTS, CAR_TURN_COSTS, TurnCostProfile

__all__ = [
    "BIKE_DISMOUNTED_SPEED_KMH",
    "DEFAULT_PROFILES",
    "DRIVE_DEFAULT_SPEEDS_KMH",
    "GRANTED_ACCESS",
    "PLAIN_PROFILES",
    "EdgeRule",
    "Mode",
    "ModeProfile",
    "access_value",
    "default_profiles",
    "is_denied",
    "parse_maxspeed_kmh",
    "travel_rules",
]


class Mode(enum.StrEnum):
    """A way of moving along streets under one's own steam or in one's own car."""

    WALK = "walk"
    BIKE = "bike"
    DRIVE = "drive"


@dataclass(frozen=True, slots=True)
class ModeProfile:
    """Speeds and delays used to turn lengths into travel times for one mode.

    ``speed_kmh`` is the travel speed for walking and cycling; for driving it is only the
    fallback limit when neither ``maxspeed`` nor the French urban defaults apply. ``timing``
    (default: :data:`routing.street.timing.DEFAULT_TIMING`) says which share of the limit
    cars drive by road class and how long signals, stops and crossings hold each mode.
    ``turn_costs`` (:mod:`routing.street.turn_costs`) adds a cost by angle to every turn and
    forbids U-turns but at dead ends, on a turn-expanded graph; None builds the node-based
    graph without them. The dataclass's own default is None; the shipped profiles
    (:data:`DEFAULT_PROFILES`, :func:`default_profiles`) turn them on where the source is
    tagged OSM.
    """

    mode: Mode
    speed_kmh: float
    timing: TimingProfile | None = None
    turn_costs: TurnCostProfile | None = None

    @property
    def timing_profile(self) -> TimingProfile:
        """Speed shares and node delays: ``timing``, else the mode's documented defaults."""
        return self.timing if self.timing is not None else DEFAULT_TIMING[self.mode.value]

    def __post_init__(self) -> None:
        if not 0.5 <= self.speed_kmh <= 150:
            raise ValueError(
                f"speed_kmh={self.speed_kmh!r} for {self.mode.value} is out of range; "
                "accepted: 0.5 to 150 km/h"
            )


# The default build of a tagged OSM source (OSM XML/PBF, Overpass JSON, osmnx GraphML): cars
# pay turn costs by angle and U-turn costs (issue 17: drive times within 10 % of OSRM's on
# identical paths, and OSRM's paths more often); bikes too (their median on identical paths
# moves from 0.939 to 0.954 of OSRM's, which counts turn penalties in 14 % of its bike time).
DEFAULT_PROFILES: dict[Mode, ModeProfile] = {
    Mode.WALK: ModeProfile(Mode.WALK, 4.8),
    Mode.BIKE: ModeProfile(Mode.BIKE, 15.0, turn_costs=BIKE_TURN_COSTS),
    Mode.DRIVE: ModeProfile(Mode.DRIVE, 50.0, turn_costs=CAR_TURN_COSTS),
}
# The default profiles without turn costs: the default build of an untagged topology (the
# node/edge CSV pair), and a node-based graph of a tagged source for comparisons.
PLAIN_PROFILES: dict[Mode, ModeProfile] = {
    mode: dataclasses.replace(profile, turn_costs=None)
    for mode, profile in DEFAULT_PROFILES.items()
}


def default_profiles(*, tagged: bool) -> dict[Mode, ModeProfile]:
    """The profiles a source is built with when nobody asks otherwise.

    A tagged OSM source (OSM XML/PBF, Overpass JSON, osmnx GraphML) gets
    :data:`DEFAULT_PROFILES`: turn costs on for cars (and bikes, see there). An untagged
    topology (``tagged=False``: the node/edge CSV pair, such as the Grand Paris topology
    ``make run`` serves) keeps them off unless a caller passes profiles that carry them
    (``graph build --turn-costs drive,bike``, or :data:`DEFAULT_PROFILES` itself):

    - issue 14's record (1,004,985 nodes: the topology tiled 3 x 3) is measured on the plain
      node-based graph; turn copies would make it another graph and another record;
    - the topology has no one-way flags, so every junction is split: on the 115k-node
      topology the car graph grows 2.8x in nodes (114,897 -> 323,212), its customizable
      hierarchy 6.9x in arcs and 6.3x in customization time, and ``graph build`` with car
      turn costs took 6.1x the CPU (351 s against 57 s), 1.8x the memory (2.8 GB) and 2.6x
      the disk (``benchmarks/README.md``, "Turn costs");
    - without tags, signals, stops and turn restrictions are unknown, so a turn cost would be
      the only honest-time rule of the tagged build that applies: the times stay
      optimistic with or without it.
    """
    return dict(DEFAULT_PROFILES if tagged else PLAIN_PROFILES)


@dataclass(frozen=True, slots=True)
class EdgeRule:
    """How one mode may use one way: directions relative to the way's node order, and speed."""

    forward: bool
    backward: bool
    speed_kmh: float


DRIVE_DEFAULT_SPEEDS_KMH: Mapping[str, float] = {
    "motorway": 90.0,
    "motorway_link": 70.0,
    "trunk": 70.0,
    "trunk_link": 50.0,
    "primary": 50.0,
    "primary_link": 50.0,
    "secondary": 50.0,
    "secondary_link": 50.0,
    "tertiary": 50.0,
    "tertiary_link": 50.0,
    "unclassified": 50.0,
    "residential": 50.0,
    "living_street": 20.0,
    "service": 20.0,
    "track": 20.0,
}

# A cyclist may ride through a French "aire piétonne" only at walking pace (R431-9), and
# pushes the bike where riding is not signposted; this is that pace.
BIKE_DISMOUNTED_SPEED_KMH = 5.0

_MOTOR_ROADS = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
_DRIVE_HIGHWAYS = frozenset(DRIVE_DEFAULT_SPEEDS_KMH) - {"track"} | {"road"}
_BIKE_HIGHWAYS = (_DRIVE_HIGHWAYS - _MOTOR_ROADS) | {"cycleway", "path", "track", "bridleway"}
# osmnx's walk network also keeps cycleways; French pistes are often shared in practice and
# dropping them cuts bridges out of the walk graph. foot=no still removes them.
_WALK_HIGHWAYS = (_DRIVE_HIGHWAYS - _MOTOR_ROADS) | {
    "cycleway",
    "path",
    "track",
    "bridleway",
    "footway",
    "pedestrian",
    "steps",
    "corridor",
    "platform",
}
_NOT_A_WAY = frozenset({"construction", "proposed", "abandoned", "disused", "razed"})
# Service roads a car has no business routing through (osmnx drops them too); parking
# aisles stay, since trips start and end in car parks.
_DRIVE_EXCLUDED_SERVICE = frozenset({"driveway", "emergency_access", "private"})

_DENIED = frozenset(
    {"no", "private", "agricultural", "forestry", "emergency", "psv", "bus", "military"}
)
# use_sidepath: the law sends the mode onto a separately mapped way next to this one.
_DENIED_SIDEPATH = _DENIED | {"use_sidepath"}
GRANTED_ACCESS = frozenset(
    {"yes", "designated", "permissive", "destination", "delivery", "customers"}
)
_OPPOSITE = frozenset({"opposite", "opposite_lane", "opposite_track", "opposite_share_busway"})

_ACCESS_KEYS: Mapping[Mode, tuple[str, ...]] = {
    # Most general first; the most specific tag present decides.
    Mode.DRIVE: ("access", "vehicle", "motor_vehicle", "motorcar"),
    Mode.BIKE: ("access", "vehicle", "bicycle"),
    Mode.WALK: ("access", "foot"),
}

_NAMED_SPEEDS_KMH: Mapping[str, float | None] = {
    "fr:urban": 50.0,
    "fr:rural": 80.0,
    "fr:trunk": 110.0,
    "fr:motorway": 130.0,
    "fr:zone30": 30.0,
    "fr:zone20": 20.0,
    "fr:walk": 20.0,
    "fr:living_street": 20.0,
    "walk": 20.0,
    "none": None,
    "signals": None,
    "variable": None,
}
_NUMBER_UNIT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$")
_ZONE30 = re.compile(r"zone\s*:?\s*30|^fr:30$", re.IGNORECASE)


def access_value(tags: Mapping[str, str], mode: Mode) -> str | None:
    """The most specific access value that applies to ``mode``, or None when untagged."""
    decided: str | None = None
    for key in _ACCESS_KEYS[mode]:
        value = tags.get(key)
        if value:
            # "yes;destination" and the like: the first value is the legal default.
            decided = value.split(";")[0].strip().lower()
    return decided


def is_denied(access: str | None, mode: Mode) -> bool:
    """Whether an access value (from :func:`access_value`) shuts ``mode`` out."""
    if access is None:
        return False
    denied = _DENIED if mode is Mode.DRIVE else _DENIED_SIDEPATH
    return access in denied


def parse_maxspeed_kmh(value: str | None) -> float | None:
    """Parse an OSM ``maxspeed`` value into km/h.

    Parameters
    ----------
    value
        The raw tag value: ``"50"``, ``"30 mph"``, ``"FR:urban"``, ``"FR:zone30"``,
        ``"50;30"`` (the lowest wins), ``"none"``.

    Returns
    -------
    float or None
        The speed in km/h, or None when the value gives no usable number (absent,
        ``none``, ``signals``, unparseable or not positive).
    """
    if not value:
        return None
    speeds: list[float] = []
    for part in value.split(";"):
        text = part.strip().lower()
        if text in _NAMED_SPEEDS_KMH:
            named = _NAMED_SPEEDS_KMH[text]
            if named is not None:
                speeds.append(named)
            continue
        if _ZONE30.search(text):
            speeds.append(30.0)
            continue
        match = _NUMBER_UNIT.match(text)
        if match is None:
            continue
        number = float(match.group(1).replace(",", "."))
        unit = match.group(2)
        if unit == "mph":
            number *= 1.609344
        elif unit == "knots":
            number *= 1.852
        if number > 0:
            speeds.append(number)
    return min(speeds) if speeds else None


def _drive_speed_kmh(tags: Mapping[str, str], highway: str, profile: ModeProfile) -> float:
    parsed = parse_maxspeed_kmh(tags.get("maxspeed"))
    if parsed is not None:
        return parsed
    for key in ("zone:maxspeed", "maxspeed:type", "source:maxspeed"):
        zone = parse_maxspeed_kmh(tags.get(key))
        if zone is not None:
            return zone
    return DRIVE_DEFAULT_SPEEDS_KMH.get(highway, profile.speed_kmh)


def _oneway(value: str | None) -> tuple[bool, bool] | None:
    """(forward, backward) from a ``oneway``-like value, or None when it says nothing."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in {"yes", "1", "true"}:
        return True, False
    if text in {"-1", "reverse"}:
        return False, True
    if text in {"no", "0", "false", "alternating"}:
        return True, True
    return None


def _vehicle_directions(tags: Mapping[str, str], highway: str) -> tuple[bool, bool] | None:
    """Directions a vehicle may take; None for ``oneway=reversible`` (unknowable by time)."""
    raw = tags.get("oneway")
    if raw is not None and raw.strip().lower() == "reversible":
        return None
    explicit = _oneway(raw)
    if explicit is not None:
        return explicit
    if tags.get("junction") in {"roundabout", "circular"} or highway == "motorway":
        return True, False
    return True, True


def _bike_contraflow(tags: Mapping[str, str]) -> bool:
    """Whether cyclists may ride against a one-way street (double-sens cyclable)."""
    if (tags.get("oneway:bicycle") or "").strip().lower() == "no":
        return True
    for side in ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both"):
        if tags.get(side) in _OPPOSITE:
            return True
        # Current tagging: a lane on one side carrying traffic against the way.
        if tags.get(f"{side}:oneway") in {"-1", "no"}:
            return True
    return False


def _drive_rule(tags: Mapping[str, str], highway: str, profile: ModeProfile) -> EdgeRule | None:
    access = access_value(tags, Mode.DRIVE)
    if highway == "track":
        if access not in GRANTED_ACCESS:
            return None
    elif highway not in _DRIVE_HIGHWAYS:
        return None
    if highway == "service" and tags.get("service") in _DRIVE_EXCLUDED_SERVICE:
        return None
    if is_denied(access, Mode.DRIVE):
        return None
    directions = _vehicle_directions(tags, highway)
    if directions is None:
        return None
    return EdgeRule(*directions, speed_kmh=_drive_speed_kmh(tags, highway, profile))


def _bike_rule(tags: Mapping[str, str], highway: str, profile: ModeProfile) -> EdgeRule | None:
    access = access_value(tags, Mode.BIKE)
    if is_denied(access, Mode.BIKE) or highway == "steps":
        return None
    speed_kmh = profile.speed_kmh
    if highway in _MOTOR_ROADS or highway == "footway":
        if (tags.get("bicycle") or "").lower() not in {"yes", "designated", "permissive"}:
            return None
    elif highway == "pedestrian":
        # French pedestrian zones admit bikes at walking pace unless signposted otherwise.
        if (tags.get("bicycle") or "").lower() not in {"yes", "designated"}:
            speed_kmh = min(speed_kmh, BIKE_DISMOUNTED_SPEED_KMH)
    elif highway not in _BIKE_HIGHWAYS:
        return None
    directions = _vehicle_directions(tags, highway)
    if directions is None:
        directions = (True, True)  # reversible car lanes do not bind cyclists on the side
    own = _oneway(tags.get("oneway:bicycle"))
    if own is not None:
        directions = own
    elif directions != (True, True) and _bike_contraflow(tags):
        directions = (True, True)
    return EdgeRule(*directions, speed_kmh=speed_kmh)


def _walk_rule(tags: Mapping[str, str], highway: str, profile: ModeProfile) -> EdgeRule | None:
    access = access_value(tags, Mode.WALK)
    if is_denied(access, Mode.WALK):
        return None
    if highway in _MOTOR_ROADS:
        has_sidewalk = tags.get("sidewalk", "no") not in {"no", "none", "separate"}
        # access=yes on a trunk road opens it to walkers unless foot=no says otherwise (the
        # most specific tag decides); motorways need foot=* itself, the law shuts them.
        granted = (tags.get("foot") or "").lower() in GRANTED_ACCESS or (
            highway.startswith("trunk") and access in GRANTED_ACCESS
        )
        if not (has_sidewalk or granted):
            return None
    elif highway not in _WALK_HIGHWAYS:
        return None
    # Pedestrians ignore one-way restrictions: both directions, always.
    return EdgeRule(True, True, speed_kmh=profile.speed_kmh)


def travel_rules(tags: Mapping[str, str], mode: Mode, profile: ModeProfile) -> EdgeRule | None:
    """Decide whether and how ``mode`` may travel along an OSM way with these tags.

    Parameters
    ----------
    tags
        The way's OSM tags (``highway``, ``oneway``, ``access``, ``maxspeed``...).
    mode
        The travel mode asked about.
    profile
        Speeds for that mode: walking and cycling speed, or the car fallback speed.

    Returns
    -------
    EdgeRule or None
        None when the mode may not use the way at all (no ``highway``, a class the mode
        may not use, ``access=no``/``private`` not lifted by a more specific tag,
        ``area=yes``, ``oneway=reversible`` for cars); otherwise the directions allowed
        relative to the way's node order and the speed in km/h.
    """
    highway = (tags.get("highway") or "").strip().lower()
    if not highway or highway in _NOT_A_WAY or tags.get("area") == "yes":
        return None
    if mode is Mode.DRIVE:
        return _drive_rule(tags, highway, profile)
    if mode is Mode.BIKE:
        return _bike_rule(tags, highway, profile)
    return _walk_rule(tags, highway, profile)
