"""Compile a mode's networkx street graph into a :class:`~routing.street.graph.CompactGraph`.

networkx and osmnx build a mode's graph (:mod:`routing.street.readers`); :func:`compile_graph`
turns it into plain numpy arrays with nodes renumbered 0..n-1 in a cache-friendly spatial
order, and precomputes the contraction hierarchies the one-to-one search needs
(:func:`build_hierarchies`, also used to rebuild them for congested travel times).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing.errors import StreetDataError
from routing.street.graph import CompactGraph, Metric, PathIndex
from routing.street.hierarchy.ch import ContractionHierarchy
from routing.street.modes import Mode

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["build_hierarchies", "compile_graph", "largest_strong_component"]

log = logging.getLogger(__name__)


def compile_graph(
    graph: nx.MultiDiGraph,
    mode: Mode,
    *,
    contract: bool = True,
    progress: Callable[[str], None] | None = None,
) -> CompactGraph:
    """Compile one mode's networkx street graph (osmnx conventions) into a :class:`CompactGraph`.

    Nodes need ``x`` (longitude) and ``y`` (latitude); edges need ``length`` (m) and
    ``travel_time`` (s) and may carry ``name``, ``osmid`` and a shapely ``geometry``.

    ``contract=False`` skips the contraction hierarchies (benchmarks that build their own).

    Raises
    ------
    StreetDataError
        When the graph has no edges or misses coordinates or weights.
    """
    started = time.perf_counter()
    nodes = list(graph.nodes)
    if not nodes or graph.number_of_edges() == 0:
        raise StreetDataError(
            f"the {mode.value} street graph is empty; accepted: a network with at least one edge"
        )
    try:
        node_lat = np.fromiter((graph.nodes[n]["y"] for n in nodes), np.float64, len(nodes))
        node_lon = np.fromiter((graph.nodes[n]["x"] for n in nodes), np.float64, len(nodes))
    except KeyError as exc:
        raise StreetDataError(
            f"a node of the {mode.value} graph has no coordinate {exc}; accepted: nodes with x "
            "(longitude) and y (latitude)"
        ) from None
    # Sort nodes along a coarse space-filling order so that nearby nodes sit close in memory:
    # searches touch neighbourhoods, and this keeps their working set in cache.
    order = _spatial_order(node_lat, node_lon)
    nodes = [nodes[i] for i in order]
    node_lat, node_lon = node_lat[order], node_lon[order]
    index_of = {node: i for i, node in enumerate(nodes)}
    # A copy of a junction made for a turn restriction is the same OSM node (``osm_id``);
    # copies come after their original in the graph, so the original keeps the lower index.
    node_osm_id = np.array(
        [_as_int(graph.nodes[n].get("osm_id", n)) for n in nodes], dtype=np.int64
    )

    edges = list(graph.edges(keys=False, data=True))
    m = len(edges)
    tails = np.empty(m, np.int64)
    heads = np.empty(m, np.int64)
    length_m = np.empty(m, np.float64)
    duration_s = np.empty(m, np.float64)
    osm_way_id = np.full(m, -1, np.int64)
    name_index = np.full(m, -1, np.int32)
    names: dict[str, int] = {}
    highway_index = np.full(m, -1, np.int16)
    highways: dict[str, int] = {}
    lanes = np.zeros(m, np.float32)
    turn_s = np.zeros(m, np.float64)
    polylines: list[tuple[NDArray[np.float64], NDArray[np.float64]] | None] = []
    for i, (u, v, data) in enumerate(edges):
        tails[i], heads[i] = index_of[u], index_of[v]
        try:
            length_m[i] = float(data["length"])
            duration_s[i] = float(data["travel_time"])
        except (KeyError, TypeError, ValueError):
            raise StreetDataError(
                f"edge {u}->{v} of the {mode.value} graph lacks a numeric length or travel_time"
            ) from None
        name = _first_text(data.get("name"))
        if name is not None:
            name_index[i] = names.setdefault(name, len(names))
        highway = _first_text(data.get("highway"))
        if highway is not None:
            highway_index[i] = highways.setdefault(highway, len(highways))
        lanes[i] = _lanes_value(data.get("lanes"))
        turn_s[i] = float(data.get("turn_s", 0.0))
        way = data.get("osmid")
        if isinstance(way, list):
            way = way[0] if way else None
        if way is not None:
            osm_way_id[i] = _as_int(way)
        geometry = data.get("geometry")
        polylines.append(None if geometry is None else _oriented_coords(geometry, u, v, graph))
    if not (np.isfinite(length_m).all() and np.isfinite(duration_s).all()):
        raise StreetDataError(f"the {mode.value} graph has non-finite edge lengths or times")
    if (length_m < 0).any() or (duration_s < 0).any():
        raise StreetDataError(f"the {mode.value} graph has negative edge lengths or times")

    edge_order = np.lexsort((heads, tails))
    tails, heads = tails[edge_order], heads[edge_order]
    length_m, duration_s = length_m[edge_order], duration_s[edge_order]
    osm_way_id, name_index = osm_way_id[edge_order], name_index[edge_order]
    highway_index, lanes = highway_index[edge_order], lanes[edge_order]
    turn_s = turn_s[edge_order]
    polylines = [polylines[i] for i in edge_order]
    indptr = np.zeros(len(nodes) + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=len(nodes)), out=indptr[1:])

    core = largest_strong_component(indptr, tails, heads, len(nodes))
    core_edge = core[tails] & core[heads]
    geometry_offsets, geometry_lat, geometry_lon = _pack_polylines(
        polylines, tails, heads, node_lat, node_lon
    )
    if progress:
        progress(f"{mode.value}: {len(nodes):,} nodes, {m:,} edges; contracting")
    hierarchies = (
        build_hierarchies(
            indptr, heads, length_m, duration_s, _contraction_progress(mode, progress)
        )
        if contract
        else {}
    )
    info = {
        "mode": mode.value,
        "nodes": len(nodes),
        "edges": m,
        "source": str(graph.graph.get("source", "")),
        "oneway_known": bool(graph.graph.get("oneway_known", True)),
        "warnings": list(graph.graph.get("warnings", [])),
        "turn_restrictions": dict(graph.graph.get("turn_restrictions", {})),
        "turn_costs": dict(graph.graph.get("turn_costs", {})),
        "named_edges": int((name_index >= 0).sum()),
        "core_nodes": int(core.sum()),
        "total_length_km": round(
            _street_length_m(node_osm_id, tails, heads, osm_way_id, length_m) / 1000, 3
        ),
        "compile_s": round(time.perf_counter() - started, 3),
    }
    return CompactGraph(
        mode=mode,
        node_lat=node_lat,
        node_lon=node_lon,
        node_osm_id=node_osm_id,
        indptr=indptr,
        heads=heads.astype(np.int32),
        tails=tails.astype(np.int32),
        length_m=length_m,
        duration_s=duration_s,
        name_index=name_index,
        names=np.array(list(names), dtype=np.str_),
        osm_way_id=osm_way_id,
        core_edge=core_edge,
        highway_index=highway_index,
        highways=np.array(list(highways), dtype=np.str_),
        lanes=lanes,
        geometry_offsets=geometry_offsets,
        geometry_lat=geometry_lat,
        geometry_lon=geometry_lon,
        hierarchies=hierarchies,
        info=info,
        # Only graphs expanded for turn costs carry them (and store them).
        turn_s=turn_s if "turn_costs" in graph.graph else None,
    )


def _contraction_progress(
    mode: Mode, progress: Callable[[str], None] | None
) -> Callable[[int, int], None] | None:
    """Turn the hierarchy's (done, total) calls into a message every tenth of the way."""
    if progress is None:
        return None
    last_tenth = [-1]

    def report(done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if tenth != last_tenth[0]:
            last_tenth[0] = tenth
            progress(f"{mode.value}: contracted {done:,} of {total:,} nodes ({10 * tenth}%)")

    return report


def build_hierarchies(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int64],
    length_m: NDArray[np.float64],
    duration_s: NDArray[np.float64],
    progress: Callable[[int, int], None] | None = None,
) -> dict[Metric, PathIndex]:
    """The time and distance hierarchies of a graph's arrays (one shared when proportional)."""
    started = time.perf_counter()
    by_time = ContractionHierarchy.build(indptr, heads, duration_s, progress=progress)
    hierarchies: dict[Metric, PathIndex] = {"time": by_time}
    positive = length_m > 0
    ratio = duration_s[positive] / length_m[positive]
    proportional = ratio.size == 0 or np.allclose(ratio, ratio[0], rtol=1e-9, atol=0)
    proportional = proportional and bool((duration_s[~positive] == 0).all())
    # Walking and cycling at one speed: the fastest path is the shortest, so one hierarchy
    # serves both metrics (costs are rescaled by the caller from the edges' own lengths).
    hierarchies["distance"] = (
        by_time
        if proportional
        else ContractionHierarchy.build(indptr, heads, length_m, progress=progress)
    )
    log.debug("contraction hierarchies built in %.2f s", time.perf_counter() - started)
    return hierarchies


def largest_strong_component(
    indptr: NDArray[np.int64], tails: NDArray[np.int64], heads: NDArray[np.int64], n: int
) -> NDArray[np.bool_]:
    """Mask of the nodes in the largest strongly connected component."""
    # Built from (row, col) pairs: scipy's component search misreads a CSR matrix whose
    # rows hold duplicate columns (parallel edges), so let scipy canonicalise it.
    matrix = csr_matrix((np.ones(heads.shape[0]), (tails, heads)), shape=(n, n))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    mask: NDArray[np.bool_] = labels == np.bincount(labels).argmax()
    return mask


def _spatial_order(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.int64]:
    """Order nodes by cells of about 500 m, row-major inside bands: cheap and cache friendly."""
    cell_deg = 0.005
    row = np.floor((lat - lat.min()) / cell_deg).astype(np.int64)
    col = np.floor((lon - lon.min()) / cell_deg).astype(np.int64)
    band = row // 8  # serpentine bands of 8 rows keep vertical neighbours close too
    col = np.where(band % 2 == 0, col, col.max() - col)
    return np.lexsort((lon, lat, row, col, band))


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StreetDataError(f"identifier {value!r} is not an integer OSM id") from None


def _lanes_value(value: Any) -> float:
    if isinstance(value, list | tuple):
        value = next((v for v in value if v is not None), None)
    try:
        lanes = float(value)
    except (TypeError, ValueError):
        return 0.0
    return lanes if 0 < lanes <= 12 else 0.0


def _first_text(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _oriented_coords(
    geometry: Any, u: Any, v: Any, graph: nx.MultiDiGraph
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    coords = np.asarray(geometry.coords, dtype=np.float64)
    lon, lat = coords[:, 0], coords[:, 1]
    ux, uy = graph.nodes[u]["x"], graph.nodes[u]["y"]
    # A geometry must run from tail to head; flip one that was stored the other way round.
    if (lon[0] - ux) ** 2 + (lat[0] - uy) ** 2 > (lon[-1] - ux) ** 2 + (lat[-1] - uy) ** 2:
        lon, lat = lon[::-1], lat[::-1]
    return lat.copy(), lon.copy()


def _street_length_m(
    node_osm_id: NDArray[np.int64],
    tails: NDArray[np.int64],
    heads: NDArray[np.int64],
    osm_way_id: NDArray[np.int64],
    length_m: NDArray[np.float64],
) -> float:
    """The length of the streets, each counted once: a junction split for turns (costs or
    restrictions) copies the edges around it, and the copies keep their ends' OSM ids, their
    way and their length."""
    keys = np.stack(
        [node_osm_id[tails], node_osm_id[heads], osm_way_id, length_m.view(np.int64)], axis=1
    )
    _, first = np.unique(keys, axis=0, return_index=True)
    return float(length_m[first].sum())


def _pack_polylines(
    polylines: list[tuple[NDArray[np.float64], NDArray[np.float64]] | None],
    tails: NDArray[np.int64],
    heads: NDArray[np.int64],
    node_lat: NDArray[np.float64],
    node_lon: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    counts = np.fromiter((2 if p is None else len(p[0]) for p in polylines), np.int64)
    offsets = np.zeros(len(polylines) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    lat = np.empty(int(offsets[-1]), np.float64)
    lon = np.empty(int(offsets[-1]), np.float64)
    straight = counts == 2
    starts = offsets[:-1]
    # Straight edges (most of them) are written in two vectorised assignments.
    lat[starts[straight]], lon[starts[straight]] = (
        node_lat[tails[straight]],
        node_lon[tails[straight]],
    )
    lat[starts[straight] + 1] = node_lat[heads[straight]]
    lon[starts[straight] + 1] = node_lon[heads[straight]]
    for i, polyline in enumerate(polylines):
        if polyline is not None:
            lat[offsets[i] : offsets[i + 1]], lon[offsets[i] : offsets[i + 1]] = polyline
    return offsets, lat, lon
