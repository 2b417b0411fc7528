"""How long things take: the share of the limit cars really drive, and delays at nodes.

A route's time is what commuters compare with the bus and the bike, so it must be honest. A
car does not drive at the speed limit from door to door: it brakes for bends, queues and
parked cars, and it waits at traffic lights, stop signs and zebra crossings. OSRM's
``car.lua`` drives at 80 % of ``maxspeed`` and adds penalties at signals and turns; Valhalla
does much the same with its own tables. These are our defaults, in that spirit (read, not
copied) and tuned to a dense French suburb, one :class:`TimingProfile` per mode
(:data:`DEFAULT_TIMING`), each overridable through ``ModeProfile.timing``.

Cars: expected speed as a share of the limit (the tagged ``maxspeed`` or the French urban
default of :mod:`routing.street.modes`), by road class:

=====================================  =====  ==============================================
highway                                share  why
=====================================  =====  ==============================================
motorway, trunk (and their links)      0.80   OSRM's share of ``maxspeed`` for every class
primary, secondary (and links)         0.80
tertiary (and links)                   0.75   narrower, more side streets
unclassified, residential, road        0.70   parked cars, narrow lanes, priorité à droite
living_street, service, track          0.50   walking-pace sharing, car parks, yards
=====================================  =====  ==============================================

Delays at nodes, in seconds, added when a route passes the node along a way the control
governs (signals and stop signs bind the road, a pedestrian crossing's own delay binds the
people crossing on the footway; vehicles give way at crossings on the road):

==============================  =====  =====  =====  ===========================================
node                            drive  bike   walk   why
==============================  =====  =====  =====  ===========================================
traffic_signals (junction)        2     10     --    car: OSRM's 2 s, measured against 4 s
                                                     with turn costs on (below); bike: a
                                                     cyclist's wait, kept as measured
crossing with signals, on road    2      5     --    car: as at junction lights; bike: half
crossing with signals, crossing  --     15     20    a pedestrian phase, waited for
stop                              2      3     --    OSRM's 2 s (car.lua obstacles)
give_way                          1      1     --    OSRM's 1 s
crossing (zebra...), on road     0.5    0.5    --    vehicles give way (R415-11); most passes
                                                     find nobody waiting
crossing (zebra...), crossing    --      3      3    look both ways
==============================  =====  =====  =====  ===========================================

Checked against OSRM 26.10's own profiles (``benchmarks/compare_osrm.py``: osrm-bindings on
the same west-Issy OSM, 300 seeded pairs per mode, benchmarks/README.md). On identical paths
the median duration ratio ours / OSRM was, without turn costs: drive 1.15 and bike 0.92 with
the first delays (cars 8 s at lights, 4 s at stops, 1 s at zebras, bikes nothing at zebras),
drive 0.95 and bike 0.85 without any delay, 1.06 and 0.94 with cars at 4 s at lights. Along
the ways alone (OSRM's segment durations, its penalties left out) our car speeds are within
3 % of OSRM's; its turn and signal penalties make a median 7.5 % of its car time and 13 % of
its bike time. Turn costs by angle (:mod:`routing.street.turn_costs`) are now on by default
for cars and bikes on tagged OSM, so lights no longer stand for the turns made there; with
them on, the car's lights at 4 s gave drive **1.116** (151 identical paths: outside issue
17's 10 %) and at 2 s **1.087** (154 paths), bike 0.954 (109 paths) either way: lights are
2 s, the table above. Re-run the harness whenever a delay or a turn cost changes.
:data:`DRIVE_TIMING_WITHOUT_DELAYS` (the shares alone) stays for comparisons. Node delays
moved the traffic assignment's top hotspot on west Issy from a cluster that spanned Rue de
Paris to Boulevard Anatole France next to it: both carry the whole Bas-Meudon -> west Issy
flow of the traffic tests, whose assertions say that rather than naming a street.

Walkers are not delayed along a road by its lights (they keep to the side of junctions they
do not cross, which a node-based graph cannot tell apart), only where they cross on a
crossing way.
Turn costs by angle and U-turn costs are in :mod:`routing.street.turn_costs` (their own
profile, ``ModeProfile.turn_costs``): they need to know the edge a route arrived by at every
junction, a turn-expanded graph, and what they cost the hierarchy is measured there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DEFAULT_TIMING", "DRIVE_TIMING_WITHOUT_DELAYS", "TimingProfile"]

_ROAD_CLASSES = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "track",
        "road",
    }
)

_CAR_SHARE_OF_LIMIT: Mapping[str, float] = {
    "motorway": 0.8,
    "motorway_link": 0.8,
    "trunk": 0.8,
    "trunk_link": 0.8,
    "primary": 0.8,
    "primary_link": 0.8,
    "secondary": 0.8,
    "secondary_link": 0.8,
    "tertiary": 0.75,
    "tertiary_link": 0.75,
    "unclassified": 0.7,
    "residential": 0.7,
    "road": 0.7,
    "living_street": 0.5,
    "service": 0.5,
    "track": 0.5,
}


@dataclass(frozen=True, slots=True)
class TimingProfile:
    """One mode's timing parameters: speed shares by road class and delays at nodes (s).

    ``share_of_limit`` maps a ``highway`` class to the share of the speed limit driven
    (an empty map: the mode's own speed applies, shares are for cars); classes not listed
    use ``default_share``. The delays are described in the module's table.
    """

    share_of_limit: Mapping[str, float] = field(default_factory=dict)
    default_share: float = 1.0
    signals_s: float = 0.0
    stop_s: float = 0.0
    give_way_s: float = 0.0
    signal_crossing_on_road_s: float = 0.0
    signal_crossing_s: float = 0.0
    crossing_on_road_s: float = 0.0
    crossing_s: float = 0.0

    def __post_init__(self) -> None:
        shares = [self.default_share, *self.share_of_limit.values()]
        if not all(0.1 <= s <= 1.0 for s in shares):
            raise ValueError(f"speed shares {shares} out of range; accepted: 0.1 to 1.0")
        delays = [getattr(self, name) for name in _DELAY_FIELDS]
        if not all(0.0 <= d <= 300.0 for d in delays):
            raise ValueError(f"node delays {delays} out of range; accepted: 0 to 300 s")

    def travel_speed_kmh(self, highway: str | None, speed_kmh: float) -> float:
        """The expected speed on a way whose limit (or the mode's own speed) is ``speed_kmh``."""
        return speed_kmh * self.share_of_limit.get(highway or "", self.default_share)

    def delay_s(self, node_tags: Mapping[str, str], way_highway: str | None) -> float:
        """The delay for passing a node with these tags along a way of class ``way_highway``.

        The controls of a junction bind the road through it; a pedestrian crossing binds
        both the road (vehicles give way) and the crossing way (people wait or look).
        """
        on_road = (way_highway or "") in _ROAD_CLASSES
        highway = node_tags.get("highway", "")
        crossing = node_tags.get("crossing", "")
        signalled = "traffic_signals" in crossing or node_tags.get("crossing:signals") == "yes"
        if highway == "traffic_signals":
            return self.signals_s if on_road else self.signal_crossing_s
        if highway == "crossing" or crossing:
            if signalled:
                return self.signal_crossing_on_road_s if on_road else self.signal_crossing_s
            if crossing in {"no", "informal"}:
                return 0.0
            return self.crossing_on_road_s if on_road else self.crossing_s
        if highway == "stop" and on_road:
            return self.stop_s
        if highway == "give_way" and on_road:
            return self.give_way_s
        return 0.0


_DELAY_FIELDS = (
    "signals_s",
    "stop_s",
    "give_way_s",
    "signal_crossing_on_road_s",
    "signal_crossing_s",
    "crossing_on_road_s",
    "crossing_s",
)

DRIVE_TIMING = TimingProfile(
    share_of_limit=_CAR_SHARE_OF_LIMIT,
    default_share=0.7,
    signals_s=2.0,
    stop_s=2.0,
    give_way_s=1.0,
    signal_crossing_on_road_s=2.0,
    crossing_on_road_s=0.5,
)
# The shares of the limit without node delays: the default until issue 17 item 3, for comparisons.
DRIVE_TIMING_WITHOUT_DELAYS = TimingProfile(share_of_limit=_CAR_SHARE_OF_LIMIT, default_share=0.7)
BIKE_TIMING = TimingProfile(
    signals_s=10.0,
    stop_s=3.0,
    give_way_s=1.0,
    signal_crossing_on_road_s=5.0,
    signal_crossing_s=15.0,
    crossing_on_road_s=0.5,
    crossing_s=3.0,
)
WALK_TIMING = TimingProfile(signal_crossing_s=20.0, crossing_s=3.0)

# Keyed by mode name so this module needs nothing of routing.street.modes.
DEFAULT_TIMING: Mapping[str, TimingProfile] = {
    "drive": DRIVE_TIMING,
    "bike": BIKE_TIMING,
    "walk": WALK_TIMING,
}
