"""osmnx GraphML (``ox.save_graphml``, directed or made undirected) -> per-mode street graphs.

GraphML keeps only the tags osmnx kept, so each graph carries warnings about what is unknown
(foot and bicycle access, contraflow cycling, sometimes one-way directions).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import networkx as nx
import osmnx as ox
from shapely.geometry import LineString

from routing.errors import StreetDataError
from routing.street.modes import Mode, ModeProfile, travel_rules
from routing.street.readers._shared import _graph_attrs, _open_text, lanes_per_direction
from routing.street.readers.sources import ACCEPTED_FORMATS, StreetSource

__all__ = ["street_graphs_from_graphml"]


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
        highway = None if data.get("highway") is None else str(_first(data["highway"]))
        speed_kmh = profile.timing_profile.travel_speed_kmh(highway, rule.speed_kmh)
        attrs = {
            "length": length_m,
            "speed_kph": float(speed_kmh),
            "travel_time": length_m / (speed_kmh / 3.6),
            "delay_s": 0.0,
            "name": _joined_names(data.get("name")),
            "osmid": _way_id(data.get("osmid")),
            "highway": highway,
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


def street_graphs_from_graphml(
    source: StreetSource, modes: tuple[Mode, ...], profiles: Mapping[Mode, ModeProfile]
) -> dict[Mode, nx.MultiDiGraph]:
    """Per-mode graphs from an osmnx GraphML, directed or made undirected after download."""
    graph = _load_graphml(source)
    base_warnings = [
        "GraphML keeps only the tags osmnx kept (highway, maxspeed, oneway...): foot and "
        "bicycle access, contraflow cycling, barriers and the delays at signals and crossings "
        "are unknown, and walk and bike can use only the streets the file holds"
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
