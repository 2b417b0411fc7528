"""The compiled street graph of one mode: frozen CSR arrays, id maps, geometry and names.

A :class:`CompactGraph` is a plain value: nodes renumbered 0..n-1 (OSM ids kept at the border),
edges sorted by tail node. It is built by :mod:`routing.street.compile` from networkx and
saved or loaded by :mod:`routing.street.artefact`; searching it needs neither. Its one-to-one
indexes are typed by the small :class:`PathIndex` protocol, so the value does not depend on the
contraction hierarchy that implements it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from routing.geometry import BoundingBox
from routing.street.modes import Mode

__all__ = ["ALL_ARRAYS", "OPTIONAL_ARRAYS", "CompactGraph", "Metric", "PathFound", "PathIndex"]

Metric = Literal["time", "distance"]

_EDGE_ARRAYS = (
    "heads",
    "tails",
    "length_m",
    "duration_s",
    "name_index",
    "osm_way_id",
    "core_edge",
    "highway_index",
    "lanes",
)
_NODE_ARRAYS = ("node_lat", "node_lon", "node_osm_id")
_GEOMETRY_ARRAYS = ("geometry_offsets", "geometry_lat", "geometry_lon")
ALL_ARRAYS = (*_NODE_ARRAYS, "indptr", *_EDGE_ARRAYS, "names", "highways", *_GEOMETRY_ARRAYS)
# Stored only by graphs built with turn costs; artefacts without them load as before.
OPTIONAL_ARRAYS = ("turn_s",)


class PathFound(Protocol):
    """A cheapest path between a set of sources and a set of targets, as input edge ids."""

    @property
    def source_index(self) -> int: ...

    @property
    def target_index(self) -> int: ...

    @property
    def edge_ids(self) -> NDArray[np.int64]: ...


class PathIndex(Protocol):
    """A one-to-one shortest-path index over a graph's edges (a contraction hierarchy)."""

    def query(
        self,
        sources: npt.ArrayLike,
        source_costs: npt.ArrayLike,
        targets: npt.ArrayLike,
        target_costs: npt.ArrayLike,
    ) -> PathFound | None: ...

    def to_arrays(self) -> dict[str, NDArray[np.generic]]: ...


@dataclass(frozen=True, eq=False)
class CompactGraph:
    """One mode's street graph as arrays; edges are sorted by tail node (CSR).

    Edge ``i`` runs from ``tails[i]`` to ``heads[i]``; its polyline is
    ``geometry_lat/lon[geometry_offsets[i]:geometry_offsets[i + 1]]`` from tail to head, and
    ``names[name_index[i]]`` is its street name (``name_index`` is -1 when unnamed).
    ``highways[highway_index[i]]`` is its OSM ``highway`` class (-1: unknown) and ``lanes[i]``
    its lanes in its own direction (0: unknown); traffic capacities come from both.
    ``core_edge[i]`` says both ends lie in the largest strongly connected component: real
    extracts have one-way stubs and cut-off pieces at their borders, and a point snapped onto
    one of those could reach nowhere.
    ``turn_s[i]`` is the part of ``duration_s[i]`` paid for the turn onto edge ``i`` at its
    tail (:mod:`routing.street.turn_costs`; None on a graph built without turn costs): a
    route that starts part-way along an edge has not made that turn, one that ends there has.
    ``hierarchies`` answer one-to-one queries per metric; :mod:`routing.street.compile` builds
    them and :mod:`routing.street.artefact` loads them, so this value needs no hierarchy code.
    """

    mode: Mode
    node_lat: NDArray[np.float64]
    node_lon: NDArray[np.float64]
    node_osm_id: NDArray[np.int64]
    indptr: NDArray[np.int64]
    heads: NDArray[np.int32]
    tails: NDArray[np.int32]
    length_m: NDArray[np.float64]
    duration_s: NDArray[np.float64]
    name_index: NDArray[np.int32]
    names: NDArray[np.str_]
    osm_way_id: NDArray[np.int64]
    core_edge: NDArray[np.bool_]
    highway_index: NDArray[np.int16]
    highways: NDArray[np.str_]
    lanes: NDArray[np.float32]
    geometry_offsets: NDArray[np.int64]
    geometry_lat: NDArray[np.float64]
    geometry_lon: NDArray[np.float64]
    hierarchies: Mapping[Metric, PathIndex]
    info: Mapping[str, Any] = field(default_factory=dict)
    turn_s: NDArray[np.float64] | None = None

    @property
    def node_count(self) -> int:
        return int(self.node_lat.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.heads.shape[0])

    @property
    def bbox(self) -> BoundingBox:
        """The box of the graph's nodes, computed on first use and kept: every snap checks
        its point against it, and min/max over all nodes was a millisecond per snap on the
        Issy-wide graph. The node arrays are never changed after construction."""
        cached: BoundingBox | None = self.__dict__.get("_bbox_cache")
        if cached is None:
            cached = BoundingBox(
                float(self.node_lat.min()),
                float(self.node_lon.min()),
                float(self.node_lat.max()),
                float(self.node_lon.max()),
            )
            object.__setattr__(self, "_bbox_cache", cached)
        return cached

    def weights(self, metric: Metric) -> NDArray[np.float64]:
        return self.duration_s if metric == "time" else self.length_m

    def turn_part(self, metric: Metric) -> NDArray[np.float64] | None:
        """What the edges' weights in ``metric`` hold of turn costs (None: nothing)."""
        return self.turn_s if metric == "time" else None

    def edge_name(self, edge: int) -> str | None:
        index = int(self.name_index[edge])
        return None if index < 0 else str(self.names[index])

    def edge_highway(self, edge: int) -> str | None:
        index = int(self.highway_index[edge])
        return None if index < 0 else str(self.highways[index])

    def edge_polyline(self, edge: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        start, stop = self.geometry_offsets[edge], self.geometry_offsets[edge + 1]
        return self.geometry_lat[start:stop], self.geometry_lon[start:stop]

    def node_index(self, osm_id: int) -> int:
        """The compact index of an OSM node id (raises KeyError when absent)."""
        order, ids = self._osm_lookup
        position = int(np.searchsorted(ids, osm_id))
        if position < ids.shape[0] and ids[position] == osm_id:
            return int(order[position])
        raise KeyError(osm_id)

    @property
    def _osm_lookup(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The node order that sorts OSM ids, and the sorted ids (built on first use)."""
        cached = self.__dict__.get("_osm_lookup_cache")
        if cached is None:
            order = np.argsort(self.node_osm_id, kind="stable")
            cached = (order, self.node_osm_id[order])
            object.__setattr__(self, "_osm_lookup_cache", cached)
        return cached
