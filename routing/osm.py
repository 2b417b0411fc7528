"""OSM street data (file or download) -> one osmnx-style street graph per travel mode.

Every reader turns its format into the same thing, highway ways with their tags and node
coordinates, and :mod:`routing.modes` decides per way and mode whether, which way and how
fast one may travel. osmnx then does what it does best: lengths and simplification. Edges
are merged only along one OSM way, so ``osmid``, ``name``, ``highway`` and ``speed_kph``
stay single values on every edge.

This is the only module that configures or calls osmnx for OSM data.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import networkx as nx
import osmium
import osmnx as ox
from shapely.geometry import LineString

from routing.errors import NoStreetNetworkError, StreetDataError
from routing.modes import DEFAULT_PROFILES, Mode, ModeProfile, travel_rules
from routing.sources import ACCEPTED_FORMATS, SourceKind, StreetSource, detect_street_source
from routing.topology import ProgressCallback, report, street_graphs_from_topology

__all__ = ["ISSY_BBOX", "download_issy_osm", "street_graphs_from_file"]

# Issy-les-Moulineaux (OSM relation 85527) as (west, south, east, north), from the
# Nominatim boundary in the shared data; the download adds a margin so trips that leave
# the commune briefly (quais, Paris 15e, Vanves) still route.
ISSY_BBOX = (2.2357, 48.8133, 2.2894, 48.8346)

_EARTH_M_PER_DEG_LAT = 111_320.0


@dataclass(slots=True)
class _Ways:
    """Highway ways as read from a file: coordinates and tags, nothing decided yet."""

    coords: dict[int, tuple[float, float]] = field(default_factory=dict)  # id -> (lon, lat)
    ways: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)


def _graph_attrs(
    mode: Mode, source: str, *, oneway_known: bool, warnings: Iterable[str]
) -> dict[str, Any]:
    """The graph-level attributes every street graph carries (the compiler reads them)."""
    return {
        "crs": "epsg:4326",
        "mode": mode.value,
        "source": source,
        "oneway_known": oneway_known,
        "warnings": list(warnings),
    }


def _split_at_gaps(way_id: int, refs: list[int | None], tags: dict[str, str], into: _Ways) -> None:
    """Add the runs of a way whose nodes have coordinates; extracts cut ways at their edge."""
    run: list[int] = []
    for ref in [*refs, None]:
        if ref is not None:
            run.append(ref)
            continue
        if len(run) >= 2:
            into.ways.append((way_id, run, tags))
        run = []


def _read_osmium(source: StreetSource) -> _Ways:
    parsed = _Ways()
    osm_file = osmium.io.File(str(source.path), source.osmium_format)
    processor = (
        osmium.FileProcessor(osm_file, osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in processor:
        if not isinstance(way, osmium.osm.Way):
            continue  # the filters pass ways only; this keeps the type checker honest
        refs: list[int | None] = []
        for node in way.nodes:
            if node.location.valid():
                parsed.coords[node.ref] = (node.lon, node.lat)
                refs.append(node.ref)
            else:
                refs.append(None)
        _split_at_gaps(way.id, refs, dict(way.tags), parsed)
    return parsed


def _open_text(source: StreetSource) -> IO[str]:
    if source.compression == "gz":
        return gzip.open(source.path, "rt", encoding="utf-8")
    if source.compression == "bz2":
        return bz2.open(source.path, "rt", encoding="utf-8")
    return source.path.open("r", encoding="utf-8")


def _read_overpass_json(source: StreetSource) -> _Ways:
    with _open_text(source) as stream:
        reply = json.load(stream)
    elements = reply.get("elements") if isinstance(reply, dict) else None
    if not isinstance(elements, list) or not elements:
        raise StreetDataError(
            f"{source.path}: JSON has no Overpass 'elements' list; " + ACCEPTED_FORMATS
        )
    parsed = _Ways()
    ways: list[dict[str, Any]] = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        if element.get("type") == "node" and "lat" in element and "lon" in element:
            parsed.coords[int(element["id"])] = (float(element["lon"]), float(element["lat"]))
        elif element.get("type") == "way" and "highway" in (element.get("tags") or {}):
            ways.append(element)
    for way in ways:
        refs = [int(r) if int(r) in parsed.coords else None for r in way.get("nodes") or []]
        tags = {str(k): str(v) for k, v in way["tags"].items()}
        _split_at_gaps(int(way["id"]), refs, tags, parsed)
    return parsed


def _read_ways(source: StreetSource) -> _Ways:
    """Parse the file, turning every parser's own failure into a StreetDataError."""
    try:
        if source.kind is SourceKind.OVERPASS_JSON:
            return _read_overpass_json(source)
        return _read_osmium(source)
    except StreetDataError:
        raise
    # pyosmium raises RuntimeError for bad XML/PBF; json, gzip and bz2 raise their own.
    except (RuntimeError, OSError, EOFError, ValueError, TypeError, KeyError) as exc:
        raise StreetDataError(
            f"{source.path}: cannot read {source.kind.value} data ({type(exc).__name__}: "
            f"{exc}); " + ACCEPTED_FORMATS
        ) from exc


def _lanes(value: str | None) -> float | None:
    try:
        lanes = float(str(value).split(";")[0])
    except (TypeError, ValueError):
        return None
    return lanes if 0 < lanes <= 12 else None


def lanes_per_direction(
    tags: Mapping[str, str], two_way: bool
) -> tuple[float | None, float | None]:
    """Lanes in each direction of a way (None when unknown), as traffic capacity needs.

    ``lanes:forward``/``lanes:backward`` when tagged; else ``lanes`` split evenly on a two-way
    street (OSM counts both directions there), or all of them on a one-way street.
    """
    total = _lanes(tags.get("lanes"))
    forward = _lanes(tags.get("lanes:forward"))
    backward = _lanes(tags.get("lanes:backward"))
    if total is not None and two_way:
        forward = forward if forward is not None else max(1.0, total / 2)
        backward = backward if backward is not None else max(1.0, total / 2)
    elif total is not None:
        forward = forward if forward is not None else total
        backward = backward if backward is not None else total
    return forward, backward


def _raw_mode_graph(parsed: _Ways, mode: Mode, profile: ModeProfile) -> nx.MultiDiGraph:
    """One directed edge per consecutive node pair the mode may travel, unsimplified."""
    graph = nx.MultiDiGraph(crs="epsg:4326")
    for way_id, refs, tags in parsed.ways:
        rule = travel_rules(tags, mode, profile)
        if rule is None or not (rule.forward or rule.backward):
            continue
        attrs = {
            "osmid": way_id,
            "name": tags.get("name") or None,
            "highway": tags.get("highway"),
            "speed_kph": float(rule.speed_kmh),
        }
        lanes_forward, lanes_backward = lanes_per_direction(tags, rule.forward and rule.backward)
        forward_attrs = {**attrs, "lanes": lanes_forward}
        backward_attrs = {**attrs, "lanes": lanes_backward}
        for a, b in itertools.pairwise(refs):
            if a == b:
                continue  # a node repeated in a way is a mapping slip, not a street
            if rule.forward:
                graph.add_edge(a, b, **forward_attrs)
            if rule.backward:
                graph.add_edge(b, a, **backward_attrs)
    for node, data in graph.nodes(data=True):
        data["x"], data["y"] = parsed.coords[node]
    return graph


def _finish_mode_graph(raw: nx.MultiDiGraph) -> nx.MultiDiGraph:
    ox.distance.add_edge_lengths(raw)
    for _, _, data in raw.edges(data=True):
        data["travel_time"] = data["length"] / (data["speed_kph"] / 3.6)
    # Merge only along one way: attributes stay single values and nodes where streets
    # change name or class stay nodes (the compiler and directions need them).
    graph = ox.simplify_graph(raw, edge_attrs_differ=["osmid"])
    graph.remove_nodes_from(list(nx.isolates(graph)))
    for _, _, data in graph.edges(data=True):
        # numpy scalars from osmnx's vectorised lengths: plain floats pickle and compare cleanly
        data["length"] = float(data["length"])
        data["travel_time"] = float(data["travel_time"])
    return graph


def _graphs_from_ways(
    parsed: _Ways,
    modes: tuple[Mode, ...],
    profiles: Mapping[Mode, ModeProfile],
    source: StreetSource,
    progress: ProgressCallback | None,
) -> dict[Mode, nx.MultiDiGraph]:
    if not parsed.ways:
        raise StreetDataError(
            f"{source.path}: no highway ways with node coordinates found; " + ACCEPTED_FORMATS
        )
    graphs: dict[Mode, nx.MultiDiGraph] = {}
    for mode in modes:
        report(progress, f"building the {mode.value} graph from {len(parsed.ways)} ways")
        raw = _raw_mode_graph(parsed, mode, profiles[mode])
        if raw.number_of_edges() == 0:
            raise StreetDataError(
                f"{source.path}: no streets usable for {mode.value} found among "
                f"{len(parsed.ways)} highway ways; " + ACCEPTED_FORMATS
            )
        graph = _finish_mode_graph(raw)
        graph.graph = _graph_attrs(mode, str(source.path), oneway_known=True, warnings=[])
        graphs[mode] = graph
    return graphs


_GRAPHML_TAG_KEYS = (
    "highway",
    "lanes",
    "maxspeed",
    "junction",
    "access",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "bicycle",
    "foot",
    "service",
    "area",
    "sidewalk",
    "oneway:bicycle",
    "cycleway",
    "cycleway:left",
    "cycleway:right",
    "cycleway:both",
)


def _first(value: Any) -> Any:
    """osmnx stores the values of merged ways as lists; the first stands for the edge."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _joined_names(value: Any) -> str | None:
    """Distinct names of a merged edge joined with " / ", in the order osmnx kept them."""
    names = value if isinstance(value, list) else [value]
    distinct = dict.fromkeys(str(n) for n in names if n not in (None, "") and n == n)
    return " / ".join(distinct) or None


def _graphml_tags(data: Mapping[str, Any], oneway: bool) -> dict[str, str]:
    tags: dict[str, str] = {}
    for key in _GRAPHML_TAG_KEYS:
        value = data.get(key)
        if isinstance(value, list):
            value = ";".join(map(str, value)) if key == "maxspeed" else _first(value)
        if value is not None:
            tags[key] = str(value)
    tags["oneway"] = "yes" if oneway else "no"
    return tags


def _way_id(value: Any) -> int | None:
    try:
        return int(_first(value))
    except (TypeError, ValueError):
        return None  # absent, or something no OSM way id looks like


def _is_true(value: Any) -> bool:
    value = _first(value)
    return value is True or str(value).strip().lower() in {"true", "yes", "1"}


def _load_graphml(source: StreetSource) -> nx.MultiGraph:
    try:
        if source.compression:
            with _open_text(source) as stream:
                graph = ox.load_graphml(graphml_str=stream.read())
        else:
            graph = ox.load_graphml(source.path)
    # networkx, ElementTree, lxml and osmnx's type converters each raise their own types.
    except Exception as exc:
        raise StreetDataError(
            f"{source.path}: cannot read GraphML ({type(exc).__name__}: {exc}); " + ACCEPTED_FORMATS
        ) from exc
    if len(graph) == 0 or graph.number_of_edges() == 0:
        raise StreetDataError(f"{source.path}: GraphML holds no streets; " + ACCEPTED_FORMATS)
    for node, data in graph.nodes(data=True):
        if not all(isinstance(data.get(k), float) and math.isfinite(data[k]) for k in "xy"):
            raise StreetDataError(
                f"{source.path}: GraphML node {node!r} lacks numeric x/y (lon/lat); "
                "accepted: an osmnx GraphML (ox.save_graphml)"
            )
    return graph


def _edge_length_m(
    data: Mapping[str, Any], xy_a: tuple[float, float], xy_b: tuple[float, float]
) -> float:
    given = _first(data.get("length"))
    if isinstance(given, int | float) and math.isfinite(given) and given >= 0:
        return float(given)
    geometry = data.get("geometry")
    coords = list(geometry.coords) if geometry is not None else [xy_a, xy_b]
    return float(
        sum(
            ox.distance.great_circle(lat1, lon1, lat2, lon2)
            for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords)
        )
    )


def _oriented(graph: nx.MultiGraph, u: Any, v: Any, data: Mapping[str, Any]) -> tuple[Any, Any]:
    """(from, to) of an undirected edge following its geometry, the way osmnx drew it."""
    coords = list(data["geometry"].coords)
    start = coords[0]
    d_u = (graph.nodes[u]["x"] - start[0]) ** 2 + (graph.nodes[u]["y"] - start[1]) ** 2
    d_v = (graph.nodes[v]["x"] - start[0]) ** 2 + (graph.nodes[v]["y"] - start[1]) ** 2
    return (u, v) if d_u <= d_v else (v, u)


def _graphml_mode_graph(
    graph: nx.MultiGraph, mode: Mode, profile: ModeProfile
) -> tuple[nx.MultiDiGraph, int]:
    """The mode's directed graph, and how many one-way edges had no direction to go by."""
    directed = graph.is_directed()
    out = nx.MultiDiGraph()
    unknown_oneway = 0
    for u, v, data in graph.edges(data=True):
        oneway = _is_true(data.get("oneway"))
        a, b = u, v
        if oneway and not directed:
            if data.get("geometry") is not None:
                a, b = _oriented(graph, u, v, data)
            else:
                oneway = False
                unknown_oneway += 1
        rule = travel_rules(_graphml_tags(data, oneway), mode, profile)
        if rule is None:
            continue
        xy_a = (graph.nodes[a]["x"], graph.nodes[a]["y"])
        xy_b = (graph.nodes[b]["x"], graph.nodes[b]["y"])
        length_m = _edge_length_m(data, xy_a, xy_b)
        attrs = {
            "length": length_m,
            "speed_kph": float(rule.speed_kmh),
            "travel_time": length_m / (rule.speed_kmh / 3.6),
            "name": _joined_names(data.get("name")),
            "osmid": _way_id(data.get("osmid")),
            "highway": None if data.get("highway") is None else str(_first(data["highway"])),
            "lanes": lanes_per_direction(
                _graphml_tags(data, oneway), bool(rule.forward and rule.backward)
            )[0],
        }
        coords_ab: list[tuple[float, float]] | None = None
        if data.get("geometry") is not None:
            coords_ab = list(data["geometry"].coords)
            if _oriented(graph, u, v, data)[0] != a:
                coords_ab.reverse()
        # In a directed osmnx graph a two-way street already has its reverse edge.
        reverse_allowed = rule.backward and (oneway or not directed)
        for start, end, allowed in ((a, b, rule.forward), (b, a, reverse_allowed)):
            if not allowed:
                continue
            edge = dict(attrs)
            if coords_ab is not None:
                edge["geometry"] = LineString(coords_ab if start == a else coords_ab[::-1])
            out.add_edge(start, end, **edge)
    for node, data in out.nodes(data=True):
        data["x"], data["y"] = graph.nodes[node]["x"], graph.nodes[node]["y"]
    return out, unknown_oneway


def _street_graphs_from_graphml(
    source: StreetSource, modes: tuple[Mode, ...], profiles: Mapping[Mode, ModeProfile]
) -> dict[Mode, nx.MultiDiGraph]:
    """Per-mode graphs from an osmnx GraphML, directed or made undirected after download."""
    graph = _load_graphml(source)
    base_warnings = [
        "GraphML keeps only the tags osmnx kept (highway, maxspeed, oneway...): foot and "
        "bicycle access and contraflow cycling are unknown, and walk and bike can use only "
        "the streets the file holds"
    ]
    if all(isinstance(n, int) for n in graph) and set(graph) == set(range(len(graph))):
        base_warnings.append("node ids are 0..n-1 labels, not OSM node ids")
    has_oneway = any("oneway" in d for _, _, d in graph.edges(data=True))
    graphs: dict[Mode, nx.MultiDiGraph] = {}
    for mode in modes:
        out, unknown = _graphml_mode_graph(graph, mode, profiles[mode])
        if out.number_of_edges() == 0:
            raise StreetDataError(
                f"{source.path}: no streets usable for {mode.value} found; " + ACCEPTED_FORMATS
            )
        warnings = list(base_warnings)
        if not has_oneway:
            warnings.append(
                "one-way data missing: car routes may use one-way streets against traffic"
            )
        elif unknown:
            warnings.append(
                f"GraphML is undirected: {unknown} one-way edge(s) without geometry have no "
                "known direction and were kept two-way; car routes may use them against traffic"
            )
        oneway_known = has_oneway and unknown == 0
        out.graph = _graph_attrs(
            mode, str(source.path), oneway_known=oneway_known, warnings=warnings
        )
        graphs[mode] = out
    return graphs


def street_graphs_from_file(
    path: Path,
    modes: Iterable[Mode] = tuple(Mode),
    profiles: Mapping[Mode, ModeProfile] = DEFAULT_PROFILES,
    *,
    progress: ProgressCallback | None = None,
) -> dict[Mode, nx.MultiDiGraph]:
    """Load a street data file into one directed street graph per mode.

    Parameters
    ----------
    path
        OSM XML (``.osm``, ``.osm.gz``, ``.osm.bz2``), OSM PBF, Overpass JSON (``.json``,
        ``.json.gz``), osmnx GraphML (``.graphml``, ``.graphml.gz``), or the topology CSV
        pair (either file or their common prefix). The content decides, not the name.
    modes
        The modes to build graphs for.
    profiles
        Speeds per mode (see :func:`routing.modes.travel_rules` for car speeds).
    progress
        Called with a short message at each loading step; steps are also logged at INFO.

    Returns
    -------
    dict[Mode, networkx.MultiDiGraph]
        Per mode, a simplified graph in osmnx conventions: node ids (OSM ids where the
        source has them) with ``x``/``y`` in lon/lat; an edge u->v only where the mode may
        travel u->v, with ``length`` (m), ``speed_kph``, ``travel_time`` (s), ``name``,
        ``osmid``, ``highway`` and, when not straight, ``geometry``; graph attributes
        ``crs``, ``mode``, ``source``, ``oneway_known`` and ``warnings``. Every component
        is kept; nodes on no edge are dropped.

    Raises
    ------
    StreetDataError
        The file is missing, empty, corrupt or truncated, of a format not accepted, or
        holds no street usable by one of ``modes``.
    """
    modes = tuple(modes)
    missing = [m for m in modes if m not in profiles]
    assert not missing, f"no profile for {missing}"  # programmer error, not bad data
    started = time.perf_counter()
    source = detect_street_source(Path(path))
    report(progress, f"reading {source.kind.value} street data from {source.path}")
    if source.kind is SourceKind.TOPOLOGY_CSV:
        return street_graphs_from_topology(
            source.path, source.edges_path, modes, profiles, progress=progress
        )
    if source.kind is SourceKind.GRAPHML:
        graphs = _street_graphs_from_graphml(source, modes, profiles)
    else:
        graphs = _graphs_from_ways(_read_ways(source), modes, profiles, source, progress)
    summary = ", ".join(f"{m.value} {len(g)}/{g.number_of_edges()}" for m, g in graphs.items())
    elapsed_s = time.perf_counter() - started
    report(progress, f"loaded {source.path} in {elapsed_s:.1f} s (nodes/edges: {summary})")
    return graphs


def _issy_bbox_with_margin(margin_m: float) -> tuple[float, float, float, float]:
    west, south, east, north = ISSY_BBOX
    dlat = margin_m / _EARTH_M_PER_DEG_LAT
    dlon = margin_m / (_EARTH_M_PER_DEG_LAT * math.cos(math.radians((south + north) / 2)))
    return west - dlon, south - dlat, east + dlon, north + dlat


def _overpass_query(bbox: tuple[float, float, float, float]) -> str:
    west, south, east, north = bbox
    timeout_s = int(ox.settings.requests_timeout)
    # Every highway way with all its tags, and its nodes: the rules in routing.modes need
    # the access and cycling tags that osmnx's own graph download would drop.
    return (
        f"[out:json][timeout:{timeout_s}];"
        f'(way["highway"]({south:.6f},{west:.6f},{north:.6f},{east:.6f});>;);out body;'
    )


def _fetch_overpass(query: str) -> bytes:
    url = str(ox.settings.overpass_url).rstrip("/") + "/interpreter"
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"data": query}).encode(),
        headers={"User-Agent": str(ox.settings.http_user_agent)},
    )
    with urllib.request.urlopen(request, timeout=ox.settings.requests_timeout) as reply:
        body: bytes = reply.read()
    return body


def download_issy_osm(cache_dir: Path, *, margin_m: float = 1000) -> Path:
    """Download Issy's streets (all highway ways, all tags) from Overpass, once.

    Parameters
    ----------
    cache_dir
        Folder for the cached reply; created when missing.
    margin_m
        Margin around the commune's bounding box, in metres.

    Returns
    -------
    pathlib.Path
        The cached Overpass JSON (``.json.gz``), ready for :func:`street_graphs_from_file`.
        A cached file is returned without touching the network.

    Raises
    ------
    NoStreetNetworkError
        Nothing is cached and Overpass cannot be reached or answers without streets.
    """
    if not 0 <= margin_m <= 20_000:
        raise ValueError(f"margin_m={margin_m!r} is out of range; accepted: 0 to 20000 m")
    cache_dir = Path(cache_dir)
    target = cache_dir / f"issy_streets_overpass_margin{int(margin_m)}m.json.gz"
    if target.is_file() and target.stat().st_size > 0:
        return target
    query = _overpass_query(_issy_bbox_with_margin(margin_m))
    report(None, f"downloading Issy streets from Overpass ({query})")
    try:
        body = _fetch_overpass(query)
        elements = json.loads(body).get("elements")
    except (urllib.error.URLError, OSError, ValueError, AttributeError) as exc:
        raise NoStreetNetworkError(
            f"cannot download Issy's streets from {ox.settings.overpass_url} ({exc}) and "
            f"nothing is cached at {target}; pass a local OSM file instead"
        ) from exc
    if not elements:
        raise NoStreetNetworkError(
            f"Overpass answered without streets for Issy; nothing cached at {target}"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(gzip.compress(body))
    partial.replace(target)  # a crash mid-write never leaves a truncated cache behind
    return target
