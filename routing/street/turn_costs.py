"""Turn costs by angle and U-turn costs: the parameters, and what one turn costs.

Design (issue 17, brief h17t)
-----------------------------
A cost per turn needs to know the edge a route arrived by at every junction. The standard
answer is an edge-based (turn-expanded) graph, as OSRM builds and RoutingKit's turn-aware
CCH searches: one node per directed edge, one arc per allowed turn. We reach the same graph
more cheaply by generalising the junction splitting that turn restrictions already use
(:mod:`routing.street.readers.turns`) to every junction where turns differ
(:mod:`routing.street.readers.turn_expansion`):

- a node reached by two or more edges (or one, with a U-turn to forbid) becomes one copy per
  incoming edge; each copy keeps the exits allowed after that edge, each exit a copy of the
  original edge whose ``travel_time`` carries the cost of that (in, out) turn (``turn_s``);
- a node reached by one edge keeps its exits, each with the cost of its one turn; a node
  reached by none (the start of a one-way stub) is left alone;
- an edge with no allowed arrival keeps one copy from a bare copy of its tail, so a point on
  it can still leave by it;
- a U-turn (back along the same way to the node one came from) is forbidden, except where
  it is the only way on (a dead end, the edge of the extract): there it costs
  :attr:`TurnCostProfile.u_turn_s` more, as OSRM does.

The result is a plain directed graph again, so everything built on one serves it unchanged:
the contraction hierarchies and the customizable hierarchy order, customize and query it as
they do the node-based graph, and both restrictions and turn costs hold at once. Copies keep
their original's coordinates and OSM id (``osm_id``), edges keep their way, name, class,
lanes, geometry and length: snapping finds every copy of a street at the same distance (it
keeps ties), paths and geometry map back to OSM nodes, and distances (``length``) are
unchanged: turn costs are time only. Closures and ``avoid`` work by way id and class, so
they close every copy.

Turn cost by angle, in the spirit of OSRM's car profile (read, not copied): a sigmoid of the
turn angle that is near zero going straight on and rises to ``max_turn_s`` for the sharpest
turns, centred later for turns to the kerb side (right in right-hand traffic, cheaper: no
oncoming lane to cross) than for turns across traffic:

=======================  ======  ========  ====================================================
field                    car     bike      meaning
=======================  ======  ========  ====================================================
``max_turn_s``           7.5     4.0       what a turn approaches as it sharpens (s)
``steepness``            13      13        how fast the cost rises around the midpoint (/180°)
``kerb_midpoint_deg``    100     150       angle of half the cost, turning to the kerb side
``across_midpoint_deg``  80      60        angle of half the cost, turning across traffic
``u_turn_s``             20      10        added for a U-turn (allowed at dead ends only)
``u_turns``              dead    anywhere  where U-turns are allowed
                         ends
=======================  ======  ========  ====================================================

A car turning right by 90° costs about 2.5 s, left by 90° about 5.0 s, straight on nothing.
The profile is a mode's own field (``ModeProfile.turn_costs``), apart from the speed shares
and node delays of :mod:`routing.street.timing`.

Downstream: a route that starts part-way along an edge did not make the turn onto it, one
that ends there did (:mod:`routing.street._ends`), and a connector or an isochrone pays the
street's pace, not the turn's; the traffic assignment lets the copies of a segment share its
volume and capacity (:mod:`routing.traffic.segments`), hotspots count each street once, and a
scenario edit naming one copy binds them all. Left as they are: a traffic zone's centroid is
one copy of its nearest junction (trips to it arrive by that copy's street; it is in the
strongly connected core, so never cut off), and the segment exports and stored run rows are
one per copy (their volumes add up to the street's).

What it costs (``benchmarks/turn_costs.py``, same run): on west Issy 1.84x the nodes and
1.55x the edges; on the 115k-node Issy topology (every street two-way, so every junction
split) 2.8x the nodes, 2.2x the edges, 6.9x the CCH's arcs, 6.3x its customization time and
3.9x its median query; shortest distances identical on every pair, fastest times +4 %
(median).

Default (issue 17, ``BUILD_RULES_VERSION`` 4): **on** for cars and bikes on tagged OSM (OSM
XML/PBF, Overpass JSON, osmnx GraphML), where the cost is small and the times honest: with
them, our car and bike medians on identical paths are 1.087x and 0.954x OSRM's (0.939x
without for bikes), and our car takes OSRM's path more often. **Off** on the untagged
topology CSV unless asked (``graph build --turn-costs drive,bike``): the reasons and what
turning them on there costs are in :func:`routing.street.modes.default_profiles`.
``graph build --turn-costs none`` builds a tagged source without them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BIKE_TURN_COSTS",
    "CAR_TURN_COSTS",
    "TurnCostProfile",
    "segment_of_edges",
    "turn_angle_deg",
]

UTurns = Literal["dead_ends", "anywhere"]


@dataclass(frozen=True, slots=True)
class TurnCostProfile:
    """Turn costs of one mode (s); the fields are described in the module's table.

    ``right_hand_traffic`` says which side is the kerb: right turns are the cheap ones in
    France, left turns in the United Kingdom.
    """

    max_turn_s: float = 7.5
    steepness: float = 13.0
    kerb_midpoint_deg: float = 100.0
    across_midpoint_deg: float = 80.0
    u_turn_s: float = 20.0
    u_turns: UTurns = "dead_ends"
    right_hand_traffic: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.max_turn_s <= 120.0 or not 0.0 <= self.u_turn_s <= 300.0:
            raise ValueError(
                f"turn costs max_turn_s={self.max_turn_s}, u_turn_s={self.u_turn_s} out of "
                "range; accepted: 0 to 120 s and 0 to 300 s"
            )
        if not 0.0 < self.steepness <= 100.0:
            raise ValueError(f"steepness={self.steepness} out of range; accepted: 0 < s <= 100")
        midpoints = (self.kerb_midpoint_deg, self.across_midpoint_deg)
        if not all(0.0 < m < 180.0 for m in midpoints):
            raise ValueError(f"turn midpoints {midpoints} out of range; accepted: 0 to 180°")
        if self.u_turns not in ("dead_ends", "anywhere"):
            raise ValueError(f"u_turns={self.u_turns!r}; accepted: 'dead_ends' or 'anywhere'")

    def turn_s(self, angle_deg: float) -> float:
        """The cost of turning by ``angle_deg`` (positive: clockwise, to the right).

        Zero straight on, rising with the angle to ``max_turn_s``; U-turn costs are added by
        the caller, who knows whether the turn goes back along the same way.
        """
        kerb = angle_deg >= 0 if self.right_hand_traffic else angle_deg <= 0
        midpoint = self.kerb_midpoint_deg if kerb else self.across_midpoint_deg
        at_angle = _sigmoid(self.steepness * (abs(angle_deg) - midpoint) / 180.0)
        straight = _sigmoid(-self.steepness * midpoint / 180.0)
        # Shifted and rescaled so straight on is free and 180° costs exactly max_turn_s.
        top = _sigmoid(self.steepness * (180.0 - midpoint) / 180.0)
        return self.max_turn_s * max(0.0, at_angle - straight) / (top - straight)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


CAR_TURN_COSTS = TurnCostProfile()
BIKE_TURN_COSTS = TurnCostProfile(
    max_turn_s=4.0,
    kerb_midpoint_deg=150.0,
    across_midpoint_deg=60.0,
    u_turn_s=10.0,
    u_turns="anywhere",
)


def turn_angle_deg(bearing_in_deg: float, bearing_out_deg: float) -> float:
    """How far a route turns, in (-180, 180]: positive clockwise (right), 0 straight on."""
    angle = (bearing_out_deg - bearing_in_deg) % 360.0
    return angle - 360.0 if angle > 180.0 else angle


def segment_of_edges(
    node_osm_id: NDArray[np.int64],
    tails: NDArray[np.int32],
    heads: NDArray[np.int32],
    osm_way_id: NDArray[np.int64],
    length_m: NDArray[np.float64],
) -> NDArray[np.int64]:
    """Per edge, a number shared by the copies of one street segment (one direction).

    Copies made for turns run between copies of the same two OSM nodes along the same way
    and are as long: flows, capacities and closures belong to the segment, not the copy.
    """
    keys = np.column_stack(
        [
            node_osm_id[tails],
            node_osm_id[heads],
            osm_way_id,
            np.round(length_m * 100).astype(np.int64),
        ]
    )
    _, segment = np.unique(keys, axis=0, return_inverse=True)
    return np.asarray(segment.reshape(-1), dtype=np.int64)
