"""Street graphs from a plain node/edge topology (no tags): the Grand Paris CSV pair.

The topology has OSM node ids and coordinates but no names, classes or one-way flags, so
every edge is open to every mode in both directions at the profile's speed, and the graphs
say so in their ``warnings``. Edges are straight segments: no ``geometry`` attribute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd

from routing.errors import StreetDataError
from routing.street.modes import DEFAULT_PROFILES, Mode, ModeProfile
from routing.street.readers.sources import ACCEPTED_FORMATS, SourceKind, detect_street_source

__all__ = ["TOPOLOGY_WARNINGS", "ProgressCallback", "street_graphs_from_topology"]

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str], None]

TOPOLOGY_WARNINGS = (
    "one-way data missing: car routes may use one-way streets against traffic",
    "street names missing: directions cannot name streets",
    "street classes and access missing: every edge is open to walk, bike and drive "
    "at the profile speed (footways, motorways and private roads are not told apart)",
)

_NODE_COLUMNS = ("osm_node_id", "lat", "lon")
_EDGE_COLUMNS = ("u", "v")


def report(progress: ProgressCallback | None, message: str) -> None:
    """Log a loading step at INFO and hand it to the caller's callback, if any."""
    logger.info(message)
    if progress is not None:
        progress(message)


def _read_csv(path: Path, columns: tuple[str, ...], dtypes: Mapping[str, str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, usecols=lambda c: c in columns, dtype=dict(dtypes))
    except (OSError, EOFError, ValueError, pd.errors.ParserError) as exc:
        raise StreetDataError(
            f"{path}: cannot read the topology CSV ({exc}); " + ACCEPTED_FORMATS
        ) from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StreetDataError(
            f"{path}: topology CSV lacks column(s) {', '.join(missing)}; expected "
            f"{','.join(columns)}; " + ACCEPTED_FORMATS
        )
    if frame.empty:
        raise StreetDataError(f"{path}: topology CSV has no rows; " + ACCEPTED_FORMATS)
    if frame.isna().any().any():
        raise StreetDataError(f"{path}: topology CSV has empty cells in {', '.join(columns)}")
    return frame


def _valid_nodes(nodes: pd.DataFrame, path: Path) -> pd.DataFrame:
    lat, lon = nodes["lat"].to_numpy(), nodes["lon"].to_numpy()
    bad = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        raise StreetDataError(
            f"{path}: {int(bad.sum())} node(s) with lat/lon out of range, e.g. "
            f"({lat[bad][0]}, {lon[bad][0]}); accepted: lat in [-90, 90], lon in [-180, 180]"
        )
    return nodes.drop_duplicates("osm_node_id").set_index("osm_node_id")


def street_graphs_from_topology(
    nodes_csv: Path,
    edges_csv: Path | None = None,
    modes: Iterable[Mode] = tuple(Mode),
    profiles: Mapping[Mode, ModeProfile] = DEFAULT_PROFILES,
    *,
    progress: ProgressCallback | None = None,
) -> dict[Mode, nx.MultiDiGraph]:
    """Build one street graph per mode from a node/edge topology CSV pair.

    Parameters
    ----------
    nodes_csv
        The nodes file (``osm_node_id,lat,lon``), gzip or plain; or, when ``edges_csv``
        is None, either file of the pair or their common prefix.
    edges_csv
        The edges file (``edge_id,u,v``; undirected; ``edge_id`` is optional).
    modes
        The modes to build graphs for.
    profiles
        Speed per mode; every edge gets its mode's ``speed_kmh``.
    progress
        Called with a short message at each loading step.

    Returns
    -------
    dict[Mode, networkx.MultiDiGraph]
        Per mode, a graph in osmnx conventions: OSM node ids with ``x``/``y``; each
        undirected edge as two directed edges with haversine ``length`` (m), ``speed_kph``,
        ``travel_time`` (s), ``name``/``osmid``/``highway`` None. Self-loops, repeated
        pairs and edges to unknown nodes are dropped (and counted in ``warnings``); nodes
        on no edge are left out. ``oneway_known`` is False.

    Raises
    ------
    StreetDataError
        A file is missing, unreadable, lacks columns, has no rows, or no edge joins two
        known nodes.
    """
    if edges_csv is None:
        source = detect_street_source(Path(nodes_csv))
        if source.kind is not SourceKind.TOPOLOGY_CSV or source.edges_path is None:
            raise StreetDataError(f"{nodes_csv}: not a topology CSV pair; " + ACCEPTED_FORMATS)
        nodes_csv, edges_csv = source.path, source.edges_path
    nodes_csv, edges_csv = Path(nodes_csv), Path(edges_csv)
    for path in (nodes_csv, edges_csv):
        if not path.is_file():
            raise StreetDataError(f"{path}: no such file; " + ACCEPTED_FORMATS)
    modes = tuple(modes)
    started = time.perf_counter()

    report(progress, f"reading topology nodes from {nodes_csv}")
    nodes = _read_csv(
        nodes_csv, _NODE_COLUMNS, {"osm_node_id": "int64", "lat": "float64", "lon": "float64"}
    )
    nodes = _valid_nodes(nodes, nodes_csv)
    report(progress, f"reading topology edges from {edges_csv}")
    edges = _read_csv(edges_csv, _EDGE_COLUMNS, {"u": "int64", "v": "int64"})

    warnings = list(TOPOLOGY_WARNINGS)
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    known = np.isin(u, nodes.index.to_numpy()) & np.isin(v, nodes.index.to_numpy())
    if not known.all():
        warnings.append(f"{int((~known).sum())} edge(s) name unknown nodes and were dropped")
    keep = known & (u != v)
    # Undirected pairs repeated in the file add nothing without tags to tell them apart.
    lo, hi = np.minimum(u, v)[keep], np.maximum(u, v)[keep]
    pairs = pd.DataFrame({"lo": lo, "hi": hi}).drop_duplicates()
    if pairs.empty:
        raise StreetDataError(
            f"{edges_csv}: no edge joins two known nodes of {nodes_csv}; " + ACCEPTED_FORMATS
        )
    lo, hi = pairs["lo"].to_numpy(), pairs["hi"].to_numpy()
    lat_lo, lon_lo = nodes.loc[lo, "lat"].to_numpy(), nodes.loc[lo, "lon"].to_numpy()
    lat_hi, lon_hi = nodes.loc[hi, "lat"].to_numpy(), nodes.loc[hi, "lon"].to_numpy()
    lengths_m = np.asarray(ox.distance.great_circle(lat_lo, lon_lo, lat_hi, lon_hi), float)

    used = np.unique(np.concatenate([lo, hi]))
    node_rows = nodes.loc[used]
    node_attrs = [
        (int(n), {"x": float(x), "y": float(y)})
        for n, x, y in zip(used, node_rows["lon"], node_rows["lat"], strict=True)
    ]
    lo_list, hi_list, len_list = lo.tolist(), hi.tolist(), lengths_m.tolist()

    graphs: dict[Mode, nx.MultiDiGraph] = {}
    for mode in modes:
        speed_kmh = float(profiles[mode].speed_kmh)
        speed_ms = speed_kmh / 3.6
        report(progress, f"building the {mode.value} graph: {len(lo_list)} streets")
        graph = nx.MultiDiGraph(
            crs="epsg:4326",
            mode=mode.value,
            source=f"topology {nodes_csv} + {edges_csv}",
            oneway_known=False,
            warnings=list(warnings),
        )
        graph.add_nodes_from(node_attrs)
        base = {
            "speed_kph": speed_kmh,
            "delay_s": 0.0,  # no node tags: no signals or crossings known
            "name": None,
            "osmid": None,
            "highway": None,
        }
        graph.add_edges_from(
            (a, b, {**base, "length": length, "travel_time": length / speed_ms})
            for x, y, length in zip(lo_list, hi_list, len_list, strict=True)
            for a, b in ((x, y), (y, x))
        )
        graphs[mode] = graph
    report(
        progress,
        f"topology loaded: {len(used)} nodes, {len(lo_list)} streets, "
        f"{len(graphs)} mode(s) in {time.perf_counter() - started:.1f} s",
    )
    return graphs
