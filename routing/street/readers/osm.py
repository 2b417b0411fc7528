"""OSM street data (file or download) -> one osmnx-style street graph per travel mode.

Every reader turns its format into the same thing, highway ways with their tags, node
coordinates, the tags of the nodes routing reads (barriers, signals, crossings) and the
turn-restriction relations, and :mod:`routing.street.modes` decides per way and mode whether,
which way and how fast one may travel; :mod:`routing.street.barriers` which nodes a mode may
not pass; :mod:`routing.street.restrictions` which turns it may not take, which
:mod:`routing.street.readers.turns` applies to the simplified graph by splitting junctions.
osmnx then does what it does best: lengths and simplification. Edges are merged only along
one OSM way, so ``osmid``, ``name``, ``highway`` and ``speed_kph`` stay single values on
every edge.

This module and :mod:`routing.street.readers.graphml` (osmnx GraphML files) are the only ones that
configure or call osmnx for OSM data.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import osmium
import osmnx as ox

from routing.errors import StreetDataError
from routing.street.barriers import blocks
from routing.street.modes import Mode, ModeProfile, default_profiles, travel_rules
from routing.street.readers._shared import _graph_attrs, _open_text, lanes_per_direction
from routing.street.readers.graphml import street_graphs_from_graphml
from routing.street.readers.sources import (
    ACCEPTED_FORMATS,
    SourceKind,
    StreetSource,
    detect_street_source,
)
from routing.street.readers.topology import ProgressCallback, report, street_graphs_from_topology
from routing.street.readers.turn_expansion import expand_turns
from routing.street.readers.turns import VIA_KEY, apply_turn_restrictions, via_nodes
from routing.street.restrictions import Member, TurnRestriction, restriction_for
from routing.street.timing import TimingProfile

__all__ = ["street_graphs_from_file"]


@dataclass(slots=True)
class _Ways:
    """Highway ways as read from a file: coordinates and tags, nothing decided yet."""

    coords: dict[int, tuple[float, float]] = field(default_factory=dict)  # id -> (lon, lat)
    ways: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)
    # Tags of the nodes routing reads (barriers, signals, crossings), by node id.
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    # Every highway way's nodes as tagged (turn restrictions find their junctions there).
    way_nodes: dict[int, list[int]] = field(default_factory=dict)
    # Relations that may be turn restrictions: id, tags, members.
    relations: list[tuple[int, dict[str, str], tuple[Member, ...]]] = field(default_factory=list)


# Node keys that matter to routing: barriers and their access, delays at signals and crossings.
_NODE_KEYS = ("barrier", "highway", "crossing", "railway")
# pyosmium's member types, in the words of Overpass JSON.
_MEMBER_KINDS = {"n": "node", "w": "way", "r": "relation"}


def _keep_relation(
    relation_id: int, tags: dict[str, str], members: tuple[Member, ...], into: _Ways
) -> None:
    if tags.get("type", "").startswith("restriction"):
        into.relations.append((relation_id, tags, members))


def _keep_node_tags(node_id: int, tags: dict[str, str], into: _Ways) -> None:
    if any(key in tags for key in _NODE_KEYS):
        into.node_tags[node_id] = tags


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
        osmium.FileProcessor(osm_file, osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter(*_NODE_KEYS, "type"))
    )
    for way in processor:
        if isinstance(way, osmium.osm.Node):
            _keep_node_tags(way.id, dict(way.tags), parsed)
            continue
        if isinstance(way, osmium.osm.Relation):
            members = tuple(
                Member(_MEMBER_KINDS.get(m.type, m.type), int(m.ref), str(m.role))
                for m in way.members
            )
            _keep_relation(way.id, dict(way.tags), members, parsed)
            continue
        if not isinstance(way, osmium.osm.Way) or "highway" not in way.tags:
            continue
        refs: list[int | None] = []
        parsed.way_nodes[way.id] = [node.ref for node in way.nodes]
        for node in way.nodes:
            if node.location.valid():
                parsed.coords[node.ref] = (node.lon, node.lat)
                refs.append(node.ref)
            else:
                refs.append(None)
        _split_at_gaps(way.id, refs, dict(way.tags), parsed)
    return parsed


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
            tags = element.get("tags")
            if isinstance(tags, dict):
                _keep_node_tags(
                    int(element["id"]), {str(k): str(v) for k, v in tags.items()}, parsed
                )
        elif element.get("type") == "way" and "highway" in (element.get("tags") or {}):
            ways.append(element)
        elif element.get("type") == "relation" and isinstance(element.get("tags"), dict):
            members = tuple(
                Member(str(m.get("type")), int(m["ref"]), str(m.get("role", "")))
                for m in element.get("members") or []
                if isinstance(m, dict) and m.get("ref") is not None
            )
            tags = {str(k): str(v) for k, v in element["tags"].items()}
            _keep_relation(int(element["id"]), tags, members, parsed)
    for way in ways:
        parsed.way_nodes[int(way["id"])] = [int(r) for r in way.get("nodes") or []]
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


def _restrictions(parsed: _Ways, mode: Mode) -> list[TurnRestriction]:
    found = (restriction_for(i, tags, members, mode) for i, tags, members in parsed.relations)
    return [rule for rule in found if rule is not None]


def _raw_mode_graph(parsed: _Ways, mode: Mode, profile: ModeProfile) -> nx.MultiDiGraph:
    """One directed edge per consecutive node pair the mode may travel, unsimplified."""
    graph = nx.MultiDiGraph(crs="epsg:4326")
    # A node the mode may not pass (a bollard for cars, a fence for everyone) ends the ways
    # through it: no edge of this mode touches it.
    closed = {node for node, tags in parsed.node_tags.items() if blocks(tags, mode)}
    timing = profile.timing_profile
    for way_id, refs, tags in parsed.ways:
        rule = travel_rules(tags, mode, profile)
        if rule is None or not (rule.forward or rule.backward):
            continue
        highway = tags.get("highway")
        attrs = {
            "osmid": way_id,
            "name": tags.get("name") or None,
            "highway": highway,
            "speed_kph": float(timing.travel_speed_kmh(highway, rule.speed_kmh)),
        }
        lanes_forward, lanes_backward = lanes_per_direction(tags, rule.forward and rule.backward)
        forward_attrs = {**attrs, "lanes": lanes_forward}
        backward_attrs = {**attrs, "lanes": lanes_backward}
        for a, b in itertools.pairwise(refs):
            if a == b or a in closed or b in closed:
                continue  # a repeated node is a mapping slip; a closed one, a barrier
            # The delay of a node (lights, stop, crossing) is paid on the edge arriving there.
            if rule.forward:
                graph.add_edge(a, b, **forward_attrs, delay_s=_delay_s(parsed, b, highway, timing))
            if rule.backward:
                graph.add_edge(b, a, **backward_attrs, delay_s=_delay_s(parsed, a, highway, timing))
    for node, data in graph.nodes(data=True):
        data["x"], data["y"] = parsed.coords[node]
    return graph


def _mark_junctions(graph: nx.MultiDiGraph, nodes: set[int]) -> None:
    """Keep the junctions of turn restrictions through simplification (they get split)."""
    for node in nodes & set(graph.nodes):
        graph.nodes[node][VIA_KEY] = True


def _delay_s(parsed: _Ways, node: int, highway: str | None, timing: TimingProfile) -> float:
    tags = parsed.node_tags.get(node)
    return 0.0 if tags is None else timing.delay_s(tags, highway)


def _finish_mode_graph(raw: nx.MultiDiGraph) -> nx.MultiDiGraph:
    ox.distance.add_edge_lengths(raw)
    for _, _, data in raw.edges(data=True):
        data["travel_time"] = data["length"] / (data["speed_kph"] / 3.6) + data["delay_s"]
    # Merge only along one way: attributes stay single values and nodes where streets
    # change name or class stay nodes (the compiler and directions need them).
    graph = ox.simplify_graph(
        raw,
        node_attrs_include=[VIA_KEY],
        edge_attrs_differ=["osmid"],
        edge_attr_aggs={"length": sum, "travel_time": sum, "delay_s": sum},
    )
    graph.remove_nodes_from(list(nx.isolates(graph)))
    for _, _, data in graph.edges(data=True):
        # numpy scalars from osmnx's vectorised lengths: plain floats pickle and compare cleanly
        data["length"] = float(data["length"])
        data["travel_time"] = float(data["travel_time"])
        data["delay_s"] = float(data["delay_s"])
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
        rules = _restrictions(parsed, mode)
        _mark_junctions(raw, via_nodes(rules, parsed.way_nodes))
        graph = _finish_mode_graph(raw)
        graph.graph = _graph_attrs(mode, str(source.path), oneway_known=True, warnings=[])
        if rules:
            done = apply_turn_restrictions(graph, rules, parsed.way_nodes)
            report(
                progress,
                f"{mode.value}: {done.applied} of {len(rules)} turn restrictions applied",
            )
        graphs[mode] = graph
    return graphs


def street_graphs_from_file(
    path: Path,
    modes: Iterable[Mode] = tuple(Mode),
    profiles: Mapping[Mode, ModeProfile] | None = None,
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
        Speeds, timing and turn costs per mode (see :func:`routing.street.modes.travel_rules`
        for car speeds). None: the source's defaults,
        :func:`routing.street.modes.default_profiles` (turn costs on for tagged OSM, off for
        the untagged topology).
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
    started = time.perf_counter()
    source = detect_street_source(Path(path))
    if profiles is None:
        profiles = default_profiles(tagged=source.kind.tagged)
    missing = [m for m in modes if m not in profiles]
    assert not missing, f"no profile for {missing}"  # programmer error, not bad data
    report(progress, f"reading {source.kind.value} street data from {source.path}")
    if source.kind is SourceKind.TOPOLOGY_CSV:
        graphs = street_graphs_from_topology(
            source.path, source.edges_path, modes, profiles, progress=progress
        )
    elif source.kind is SourceKind.GRAPHML:
        graphs = street_graphs_from_graphml(source, modes, profiles)
    else:
        graphs = _graphs_from_ways(_read_ways(source), modes, profiles, source, progress)
    for mode, graph in graphs.items():
        turn_costs = profiles[mode].turn_costs
        if turn_costs is not None:
            # After the restrictions, whose copies are split like any junction.
            graphs[mode] = expand_turns(graph, turn_costs)
            report(progress, f"{mode.value}: turn costs {graphs[mode].graph['turn_costs']}")
    summary = ", ".join(f"{m.value} {len(g)}/{g.number_of_edges()}" for m, g in graphs.items())
    elapsed_s = time.perf_counter() - started
    report(progress, f"loaded {source.path} in {elapsed_s:.1f} s (nodes/edges: {summary})")
    return graphs
