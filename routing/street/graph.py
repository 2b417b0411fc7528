"""Compact street graphs: frozen CSR arrays, id maps, geometry and names; saved once, loaded fast.

networkx and osmnx build a mode's graph; :func:`compile_graph` turns it into plain numpy arrays
with nodes renumbered 0..n-1 (OSM ids kept at the border), and precomputes the contraction
hierarchies the one-to-one search needs. :func:`save_artefact` writes every mode of a network
into one folder with a ``manifest.json`` (source, date, checksums, counts);
:func:`load_artefact` reads it back without networkx and without recomputing anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing.errors import CorruptArtefactError, StreetDataError
from routing.geometry import BoundingBox
from routing.street.hierarchy.ch import ContractionHierarchy
from routing.street.modes import Mode

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ARTEFACT_FORMAT",
    "CompactGraph",
    "Metric",
    "compile_graph",
    "is_artefact",
    "largest_strong_component",
    "load_artefact",
    "save_artefact",
]

log = logging.getLogger(__name__)

ARTEFACT_FORMAT = "issy-streets/1"
MANIFEST_NAME = "manifest.json"
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
_ALL_ARRAYS = (*_NODE_ARRAYS, "indptr", *_EDGE_ARRAYS, "names", "highways", *_GEOMETRY_ARRAYS)


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
    hierarchies: Mapping[Metric, ContractionHierarchy]
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return int(self.node_lat.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.heads.shape[0])

    @property
    def bbox(self) -> BoundingBox:
        return BoundingBox(
            float(self.node_lat.min()),
            float(self.node_lon.min()),
            float(self.node_lat.max()),
            float(self.node_lon.max()),
        )

    def weights(self, metric: Metric) -> NDArray[np.float64]:
        return self.duration_s if metric == "time" else self.length_m

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

    def arrays(self) -> dict[str, NDArray[Any]]:
        """Every array to store, the hierarchies' under ``ch_<metric>__`` prefixes."""
        out: dict[str, NDArray[Any]] = {name: getattr(self, name) for name in _ALL_ARRAYS}
        for metric, hierarchy in self.hierarchies.items():
            if metric == "distance" and hierarchy is self.hierarchies.get("time"):
                continue  # shared when durations are proportional to lengths
            for key, array in hierarchy.to_arrays().items():
                out[f"ch_{metric}__{key}"] = array
        return out


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
    node_osm_id = np.array([_as_int(n) for n in nodes], dtype=np.int64)

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
        _build_hierarchies(
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
        "named_edges": int((name_index >= 0).sum()),
        "core_nodes": int(core.sum()),
        "total_length_km": round(float(length_m.sum()) / 1000, 3),
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


def _build_hierarchies(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int64],
    length_m: NDArray[np.float64],
    duration_s: NDArray[np.float64],
    progress: Callable[[int, int], None] | None = None,
) -> dict[Metric, ContractionHierarchy]:
    started = time.perf_counter()
    by_time = ContractionHierarchy.build(indptr, heads, duration_s, progress=progress)
    hierarchies: dict[Metric, ContractionHierarchy] = {"time": by_time}
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


# --- artefact on disk -------------------------------------------------------------------------


def is_artefact(path: Path) -> bool:
    """Whether ``path`` is a folder written by :func:`save_artefact`."""
    return path.is_dir() and (path / MANIFEST_NAME).is_file()


def save_artefact(
    graphs: Iterable[CompactGraph], folder: Path, *, source: str, extra: Mapping[str, Any] = {}
) -> dict[str, Any]:
    """Write each mode's arrays (uncompressed ``.npz``, fast to read) and ``manifest.json``.

    Returns the manifest. Files are written under temporary names and renamed at the end, so
    an interrupted build never leaves a half-written artefact that looks complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    modes: dict[str, Any] = {}
    written: list[tuple[Path, Path]] = []
    for graph in graphs:
        final = folder / f"{graph.mode.value}.npz"
        partial = folder / f".{graph.mode.value}.npz.partial"
        with partial.open("wb") as handle:
            np.savez(handle, **graph.arrays())  # type: ignore[arg-type]
        bbox = graph.bbox
        modes[graph.mode.value] = {
            **graph.info,
            "file": final.name,
            "sha256": _sha256(partial),
            "bbox": bbox.as_list(),
        }
        written.append((partial, final))
    manifest = {
        "format": ARTEFACT_FORMAT,
        "source": source,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "modes": modes,
        **extra,
    }
    for partial, final in written:
        partial.replace(final)
    manifest_partial = folder / f".{MANIFEST_NAME}.partial"
    manifest_partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    manifest_partial.replace(folder / MANIFEST_NAME)
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST_NAME).read_text())
    except FileNotFoundError:
        raise CorruptArtefactError(f"{folder} has no {MANIFEST_NAME}; build it again") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptArtefactError(f"{folder / MANIFEST_NAME} is not valid JSON: {exc}") from None
    if manifest.get("format") != ARTEFACT_FORMAT:
        raise CorruptArtefactError(
            f"{folder} has format {manifest.get('format')!r}; accepted: {ARTEFACT_FORMAT!r} "
            "(rebuild it with `issy-mobility graph build`)"
        )
    return manifest


def load_artefact(
    folder: Path, modes: Iterable[Mode] | None = None, *, verify: bool = True
) -> dict[Mode, CompactGraph]:
    """Load the compiled graphs of ``modes`` (all modes in the manifest by default).

    Raises
    ------
    CorruptArtefactError
        When the manifest or a mode's file is missing, fails its checksum, or lacks arrays.
    """
    manifest = read_manifest(folder)
    wanted = [Mode(m) for m in manifest["modes"]] if modes is None else list(modes)
    graphs: dict[Mode, CompactGraph] = {}
    for mode in wanted:
        entry = manifest["modes"].get(mode.value)
        if entry is None:
            raise CorruptArtefactError(
                f"{folder} holds no {mode.value} graph; it has: {', '.join(manifest['modes'])}"
            )
        path = folder / entry["file"]
        if verify and _sha256(path) != entry["sha256"]:
            raise CorruptArtefactError(f"{path} does not match its checksum; build it again")
        graphs[mode] = _graph_from_npz(path, mode, entry)
    return graphs


def _graph_from_npz(path: Path, mode: Mode, info: Mapping[str, Any]) -> CompactGraph:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise CorruptArtefactError(f"{path} cannot be read: {exc}") from None
    required = _ALL_ARRAYS
    missing = [name for name in required if name not in arrays]
    if missing:
        raise CorruptArtefactError(f"{path} lacks arrays {missing}; build it again")
    hierarchies: dict[Metric, ContractionHierarchy] = {}
    for metric in ("time", "distance"):
        prefix = f"ch_{metric}__"
        part = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
        if part:
            hierarchies[metric] = ContractionHierarchy.from_arrays(part)
    if "time" not in hierarchies:
        raise CorruptArtefactError(f"{path} lacks its contraction hierarchy; build it again")
    hierarchies.setdefault("distance", hierarchies["time"])
    return CompactGraph(
        mode=mode,
        hierarchies=hierarchies,
        info=dict(info),
        **{name: arrays[name] for name in required},
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
    except FileNotFoundError:
        raise CorruptArtefactError(f"{path} is missing; build the artefact again") from None
    return digest.hexdigest()
