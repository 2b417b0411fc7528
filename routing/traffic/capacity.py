"""Road capacities for traffic assignment: vehicles per hour per lane by OSM road class.

Capacity here is what a street's approach carries in an hour before queues build, per
direction: ``lanes * per-lane capacity``. The per-lane figures are planning values for an
urban area with signalised junctions, in the spirit of the Highway Capacity Manual's base
saturation flows reduced by typical green time; a city that has counts can override them.

======================  ================  ===================
highway                 veh/h per lane    lanes per direction
======================  ================  ===================
motorway                2000              2
motorway_link           1500              1
trunk                   1800              2
trunk_link              1400              1
primary                 1600              2
primary_link            1200              1
secondary               1200              1
secondary_link          1000              1
tertiary                900               1
tertiary_link           800               1
unclassified            700               1
residential             600               1
living_street           300               1
service                 400               1
road                    600               1
======================  ================  ===================

A ``lanes`` edge attribute, when a loader keeps one, is read as lanes *in the edge's
direction* and wins over the class default.

Sources without classes (the Grand Paris topology has no tags) fall back on the edge's speed,
the only hint left of what kind of road it is:

=================  ================  ===================
speed (km/h)       veh/h per lane    lanes per direction
=================  ================  ===================
>= 90              2000              2
>= 70              1800              2
>= 50              900               1
>= 30              600               1
below 30           300               1
=================  ================  ===================

So on the topology, where every car edge runs at the profile's 50 km/h, every edge gets
900 veh/h: a uniform urban-street capacity, no better than the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from routing.street.graph import CompactGraph

__all__ = [
    "DEFAULT_CAPACITY_TABLE",
    "CapacityTable",
    "capacity_from_compact",
    "capacity_from_graph",
]


class EdgeAttributes(Protocol):
    """A street graph whose edges carry osmnx attributes (a networkx ``MultiDiGraph``).

    Only ``edges(data=True)`` and ``nodes(data=True)`` are read, so the traffic layer needs
    no networkx of its own.
    """

    def edges(self, *, data: bool) -> Iterable[tuple[Any, Any, Mapping[str, Any]]]: ...

    def nodes(self, *, data: bool) -> Iterable[tuple[Any, Mapping[str, Any]]]: ...


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class CapacityTable:
    """Per-lane capacity and default lanes per highway class, with a fallback by speed.

    Build a variant with :meth:`with_overrides`; the default is :data:`DEFAULT_CAPACITY_TABLE`.
    """

    per_lane_veh_h: Mapping[str, float]
    default_lanes: Mapping[str, int]
    speed_bands: tuple[tuple[float, float, int], ...] = field(
        default=((90.0, 2000.0, 2), (70.0, 1800.0, 2), (50.0, 900.0, 1), (30.0, 600.0, 1))
    )
    """``(min_speed_kmh, veh/h per lane, lanes)``, fastest first, for edges without a class."""
    slowest_band: tuple[float, int] = (300.0, 1)

    def __post_init__(self) -> None:
        values = [*self.per_lane_veh_h.values(), *(b[1] for b in self.speed_bands)]
        if any(not np.isfinite(v) or v <= 0 for v in values):
            raise ValueError(f"capacities per lane must be positive numbers, got {values}")
        if any(int(n) < 1 for n in self.default_lanes.values()):
            raise ValueError(f"lanes must be >= 1, got {dict(self.default_lanes)}")
        speeds = [b[0] for b in self.speed_bands]
        if speeds != sorted(speeds, reverse=True):
            raise ValueError(f"speed bands must run fastest first, got {speeds}")
        object.__setattr__(self, "per_lane_veh_h", _frozen(self.per_lane_veh_h))
        object.__setattr__(self, "default_lanes", _frozen(self.default_lanes))

    def with_overrides(
        self,
        per_lane_veh_h: Mapping[str, float] | None = None,
        default_lanes: Mapping[str, int] | None = None,
    ) -> CapacityTable:
        """A copy with some classes changed or added, e.g. ``{"primary": 1400}``."""
        return replace(
            self,
            per_lane_veh_h={**self.per_lane_veh_h, **(per_lane_veh_h or {})},
            default_lanes={**self.default_lanes, **(default_lanes or {})},
        )

    def edge_capacity_veh_h(
        self, highway: str | None, speed_kmh: float, lanes: float | None = None
    ) -> float:
        """One direction's capacity: class table when the class is known, else speed bands."""
        per_lane = self.per_lane_veh_h.get(highway) if highway else None
        if per_lane is not None:
            default_lanes = self.default_lanes.get(highway or "", 1)
        else:
            per_lane, default_lanes = self._by_speed(speed_kmh)
        return float(per_lane) * (lanes if lanes is not None and lanes >= 1 else default_lanes)

    def _by_speed(self, speed_kmh: float) -> tuple[float, int]:
        for min_speed_kmh, per_lane, lanes in self.speed_bands:
            if speed_kmh >= min_speed_kmh:
                return per_lane, lanes
        return self.slowest_band


DEFAULT_CAPACITY_TABLE = CapacityTable(
    per_lane_veh_h={
        "motorway": 2000.0,
        "motorway_link": 1500.0,
        "trunk": 1800.0,
        "trunk_link": 1400.0,
        "primary": 1600.0,
        "primary_link": 1200.0,
        "secondary": 1200.0,
        "secondary_link": 1000.0,
        "tertiary": 900.0,
        "tertiary_link": 800.0,
        "unclassified": 700.0,
        "residential": 600.0,
        "living_street": 300.0,
        "service": 400.0,
        "road": 600.0,
    },
    default_lanes={"motorway": 2, "trunk": 2, "primary": 2},
)


def _lanes(value: Any) -> float | None:
    """A lane count from an attribute that may be a string, a list (merged ways) or absent."""
    if isinstance(value, list | tuple):
        counts = [c for c in (_lanes(v) for v in value) if c is not None]
        return min(counts) if counts else None  # the narrowest stretch limits the edge
    try:
        count = float(str(value).split(";")[0])
    except (TypeError, ValueError):
        return None
    return count if np.isfinite(count) and count >= 1 else None


def _highway(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def capacity_from_graph(
    graph: EdgeAttributes,
    compact: CompactGraph | None = None,
    table: CapacityTable = DEFAULT_CAPACITY_TABLE,
    *,
    lanes_attr: str = "lanes",
) -> NDArray[np.float64]:
    """Capacity (veh/h) of every edge of a drive graph, from ``highway``, lanes and speed.

    Parameters
    ----------
    graph
        A drive graph as the loaders build it (``highway``, ``speed_kph``, ``length``).
    compact
        The :class:`CompactGraph` compiled from ``graph``; when given, the array follows its
        edge order (edges sorted by tail then head, parallel edges in ``graph`` order).
        Otherwise it follows ``graph.edges(keys=True)``.
    table
        Capacities per class; see the module docstring for the default.
    lanes_attr
        The edge attribute holding lanes in the edge's direction, when present.

    Raises
    ------
    ValueError
        When ``compact`` was not compiled from ``graph`` (nodes or edges disagree).
    """
    edges = list(graph.edges(data=True))
    capacity = np.fromiter(
        (
            table.edge_capacity_veh_h(
                _highway(data.get("highway")),
                _speed_kmh(data),
                _lanes(data.get(lanes_attr)),
            )
            for _, _, data in edges
        ),
        np.float64,
        len(edges),
    )
    if compact is None:
        return capacity
    if len(edges) != compact.edge_count:
        raise ValueError(
            f"the graph has {len(edges)} edges but the compact graph {compact.edge_count}; "
            "pass the graph the compact graph was compiled from"
        )
    try:
        position = _compact_positions(graph, compact)
        tails = np.fromiter((position[u] for u, _, _ in edges), np.int64, len(edges))
        heads = np.fromiter((position[v] for _, v, _ in edges), np.int64, len(edges))
    except (KeyError, TypeError, ValueError):
        raise ValueError("a graph node is not in the compact graph") from None
    # The same stable sort compile_graph applies, so parallel edges keep their graph order.
    order = np.lexsort((heads, tails))
    if not (
        np.array_equal(tails[order], compact.tails) and np.array_equal(heads[order], compact.heads)
    ):
        raise ValueError("the graph's edges differ from the compact graph's")
    return capacity[order]


def _compact_positions(graph: EdgeAttributes, compact: CompactGraph) -> dict[Any, int]:
    """Each graph node's compact index, copies of a junction (turn restrictions) included.

    A copy carries its OSM node as ``osm_id``; the compiler keeps a node and its copies in
    graph order, so the k-th graph node of an OSM id is the k-th compact node of it.
    """
    slots: dict[int, list[int]] = {}
    for i, osm in enumerate(compact.node_osm_id.tolist()):
        slots.setdefault(int(osm), []).append(i)
    position: dict[Any, int] = {}
    for node, data in graph.nodes(data=True):
        taken = slots.get(int(data.get("osm_id", node)))
        if taken:
            position[node] = taken.pop(0)
    return position


def _speed_kmh(data: Mapping[str, Any]) -> float:
    speed = data.get("speed_kph")
    if speed is None and data.get("travel_time"):
        return float(data["length"]) / float(data["travel_time"]) * 3.6
    return float(speed) if speed is not None else 0.0


def capacity_from_compact(
    graph: CompactGraph, table: CapacityTable = DEFAULT_CAPACITY_TABLE
) -> NDArray[np.float64]:
    """Capacity (veh/h) per edge of a compact graph, from its road classes, lanes and speeds.

    Edges without a class (the plain topology) fall back on their speed, as
    :meth:`CapacityTable.edge_capacity_veh_h` does; the speed is the edge's length over its
    free-flow time, and zero-length edges count as fast.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        speed_kmh = np.where(graph.duration_s > 0, graph.length_m / graph.duration_s * 3.6, 1e9)
    capacity = np.empty(graph.edge_count, np.float64)
    classes = [str(h) for h in graph.highways]
    # Few distinct (class, lanes, speed) triples: compute each once.
    keys = np.stack(
        [graph.highway_index.astype(np.float64), graph.lanes.astype(np.float64), speed_kmh]
    )
    unique, inverse = np.unique(keys, axis=1, return_inverse=True)
    values = np.empty(unique.shape[1], np.float64)
    for k in range(unique.shape[1]):
        index, lanes, speed = int(unique[0, k]), float(unique[1, k]), float(unique[2, k])
        highway = classes[index] if index >= 0 else None
        values[k] = table.edge_capacity_veh_h(highway, speed, lanes if lanes > 0 else None)
    capacity[:] = values[np.ravel(inverse)]
    return capacity
