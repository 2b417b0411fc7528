"""Planners' exports of an assignment: segments and hotspots as GeoJSON and CSV, and a PNG map.

Every file is written under a temporary name beside its destination and renamed into place
only once it is complete; :func:`write_traffic_exports` writes all of its files first and
renames them together at the end, so a failure (a full disk, a plotting error) leaves the
previous exports as they were.

Segment rows are one per street segment, also on a drive graph with turn costs (its copies
together). Segment columns: ``edge, osm_way_id, street, highway, lanes, length_m, volume_veh_h,
capacity_veh_h, volume_capacity, free_flow_time_s, congested_time_s, delay_veh_h``.
Map data © OpenStreetMap contributors (ODbL), stated in every GeoJSON and on the map.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from routing.street.graph import CompactGraph
from routing.traffic.assignment import AssignmentResult
from routing.traffic.hotspots import Hotspot
from routing.traffic.segments import street_copies

__all__ = [
    "ATTRIBUTION",
    "HOTSPOT_COLUMNS",
    "SEGMENT_COLUMNS",
    "hotspot_records",
    "hotspots_geojson",
    "loaded_edges",
    "segment_records",
    "segments_geojson",
    "write_hotspot_map",
    "write_traffic_exports",
]

ATTRIBUTION = "© OpenStreetMap contributors"

Frame = tuple[float, float, float, float]
"""(west, south, east, north) in degrees: the area a map shows."""


class _Labels(NamedTuple):
    """The map's words: its title (``None``: the English default) and colour bar label."""

    title: str | None
    colorbar: str


SEGMENT_COLUMNS = (
    "edge",
    "osm_way_id",
    "street",
    "highway",
    "lanes",
    "length_m",
    "volume_veh_h",
    "capacity_veh_h",
    "volume_capacity",
    "free_flow_time_s",
    "congested_time_s",
    "delay_veh_h",
)
HOTSPOT_COLUMNS = (
    "rank",
    "period",
    "streets",
    "lat",
    "lon",
    "total_delay_veh_h",
    "max_volume_capacity",
    "volume_veh_h",
    "length_m",
    "segments",
)


def loaded_edges(result: AssignmentResult, min_volume_veh_h: float = 0.0) -> NDArray[np.int64]:
    """Edges carrying more than ``min_volume_veh_h``: what planners look at."""
    return np.flatnonzero(result.volume_veh_h > min_volume_veh_h).astype(np.int64)


def segment_records(
    graph: CompactGraph, result: AssignmentResult, edges: NDArray[np.int64] | None = None
) -> list[dict[str, Any]]:
    """One row per street segment (default: every loaded one), columns :data:`SEGMENT_COLUMNS`.

    On a node-based graph a segment is an edge. On a drive graph with turn costs the copies
    of a street (one per way of arriving at its tail, :mod:`routing.traffic.segments`) make
    one row: ``edge`` is its first copy, volume and delay are the copies' together, the
    volume/capacity is the street's, and the times are the street's without any turn.
    """
    _check(graph, result)
    chosen = loaded_edges(result) if edges is None else edges
    return [
        _segment_record(graph, result, street.edge, street.copies, street.turn_s)
        for street in street_copies(graph, np.asarray(chosen, np.int64))
    ]


def _segment_record(
    graph: CompactGraph,
    result: AssignmentResult,
    e: int,
    copies: NDArray[np.int64],
    turn_s: float,
) -> dict[str, Any]:
    """The row of the street whose copies are ``copies`` (``e`` one of them, turning ``turn_s``)."""
    return {
        "edge": e,
        "osm_way_id": int(graph.osm_way_id[e]),
        "street": graph.edge_name(e),
        "highway": graph.edge_highway(e),
        "lanes": float(graph.lanes[e]) or None,
        "length_m": round(float(graph.length_m[e]), 1),
        "volume_veh_h": round(float(result.volume_veh_h[copies].sum()), 2),
        "capacity_veh_h": round(float(result.capacity_veh_h[e]), 1),
        "volume_capacity": round(float(result.volume_capacity_ratio[e]), 4),
        "free_flow_time_s": round(float(result.free_flow_time_s[e]) - turn_s, 2),
        "congested_time_s": round(float(result.congested_time_s[e]) - turn_s, 2),
        "delay_veh_h": round(float(result.delay_veh_h[copies].sum()), 5),
    }


def segments_geojson(
    graph: CompactGraph, result: AssignmentResult, edges: NDArray[np.int64] | None = None
) -> dict[str, Any]:
    """A FeatureCollection of LineStrings (edge polylines, tail to head) with the columns."""
    records = segment_records(graph, result, edges)
    return _collection(
        [
            {"type": "Feature", "geometry": _line(graph, record["edge"]), "properties": record}
            for record in records
        ]
    )


def hotspot_records(hotspots: Sequence[Hotspot]) -> list[dict[str, Any]]:
    """One row per hotspot, columns :data:`HOTSPOT_COLUMNS` (streets joined by ``; ``)."""
    return [
        {
            "rank": h.rank,
            "period": h.period,
            "streets": "; ".join(h.street_names),
            "lat": round(h.centroid_lat, 6),
            "lon": round(h.centroid_lon, 6),
            "total_delay_veh_h": round(h.total_delay_veh_h, 4),
            "max_volume_capacity": round(h.max_volume_capacity, 4),
            "volume_veh_h": round(h.volume_veh_h, 2),
            "length_m": round(h.length_m, 1),
            "segments": len(h.edges),
        }
        for h in hotspots
    ]


def hotspots_geojson(graph: CompactGraph, hotspots: Sequence[Hotspot]) -> dict[str, Any]:
    """A FeatureCollection of MultiLineStrings, one per hotspot, with its figures."""
    features = []
    for hotspot, record in zip(hotspots, hotspot_records(hotspots), strict=True):
        lines = [_line(graph, e)["coordinates"] for e in hotspot.edges]
        properties = {**record, "streets": list(hotspot.street_names), "edges": list(hotspot.edges)}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": properties,
            }
        )
    return _collection(features)


def write_traffic_exports(
    folder: Path,
    graph: CompactGraph,
    result: AssignmentResult,
    hotspots: Sequence[Hotspot],
    *,
    period: str,
    extra: dict[str, Callable[[Path], None]] | None = None,
    png: bool = True,
) -> dict[str, Path]:
    """Write ``segments.geojson/.csv``, ``hotspots.geojson/.csv`` and ``hotspots.png``.

    ``extra`` maps more file names to writers (called with a temporary path to fill), e.g.
    a ``summary.json``; they are renamed into place with the rest. Returns the final paths.

    Raises
    ------
    ValueError
        ``result`` does not match ``graph``; nothing is written then.
    OSError
        The folder cannot be written; files already there are left unchanged.
    """
    _check(graph, result)
    folder.mkdir(parents=True, exist_ok=True)
    segments = segment_records(graph, result)
    hotspot_rows = hotspot_records(hotspots)
    writers: dict[str, Callable[[Path], None]] = {
        "segments.geojson": lambda p: _write_json(p, segments_geojson(graph, result)),
        "segments.csv": lambda p: _write_csv(p, SEGMENT_COLUMNS, segments),
        "hotspots.geojson": lambda p: _write_json(p, hotspots_geojson(graph, hotspots)),
        "hotspots.csv": lambda p: _write_csv(p, HOTSPOT_COLUMNS, hotspot_rows),
    }
    if png:
        english = _Labels(None, "volume / capacity")
        writers["hotspots.png"] = lambda p: _draw_hotspot_map(
            p, graph, result, hotspots, period, english, None
        )
    writers.update(extra or {})
    staged: list[tuple[Path, Path]] = []
    try:
        for name, write in writers.items():
            final = folder / name
            handle, name_tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=folder)
            os.close(handle)
            staged.append((Path(name_tmp), final))
            write(Path(name_tmp))
    except BaseException:
        for partial, _ in staged:
            partial.unlink(missing_ok=True)
        raise
    for partial, final in staged:
        os.replace(partial, final)
    return {final.name: final for _, final in staged}


def _check(graph: CompactGraph, result: AssignmentResult) -> None:
    if result.volume_veh_h.shape != (graph.edge_count,):
        raise ValueError(
            f"the assignment has {result.volume_veh_h.shape[0]} edges but the graph "
            f"{graph.edge_count}; pass the graph the assignment ran on"
        )


def _line(graph: CompactGraph, edge: int) -> dict[str, Any]:
    lat, lon = graph.edge_polyline(edge)
    coordinates = [[round(float(x), 7), round(float(y), 7)] for x, y in zip(lon, lat, strict=True)]
    return {"type": "LineString", "coordinates": coordinates}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    # allow_nan=False: a NaN or infinity would make the file unreadable by strict parsers.
    path.write_text(json.dumps(payload, ensure_ascii=False, allow_nan=False), encoding="utf-8")


def _write_csv(path: Path, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_hotspot_map(
    path: Path,
    graph: CompactGraph,
    result: AssignmentResult,
    hotspots: Sequence[Hotspot],
    *,
    period: str,
    title: str | None = None,
    frame: Frame | None = None,
    colorbar_label: str = "volume / capacity",
) -> Path:
    """Draw the hotspots over the street network into a PNG at ``path`` (atomically).

    ``title`` and ``colorbar_label`` replace the English defaults (a caller writing for
    readers of another language passes its own); ``frame`` (west, south, east, north in
    degrees) crops the map to an area, else the whole network is drawn.
    """
    _check(graph, result)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    os.close(handle)
    try:
        labels = _Labels(title, colorbar_label)
        _draw_hotspot_map(Path(temporary), graph, result, hotspots, period, labels, frame)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.replace(temporary, path)
    return path


def _draw_hotspot_map(
    path: Path,
    graph: CompactGraph,
    result: AssignmentResult,
    hotspots: Sequence[Hotspot],
    period: str,
    labels: _Labels,
    frame: Frame | None,
) -> None:
    """Streets thin grey, loaded segments coloured by v/c, hotspots outlined and numbered."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers; set before pyplot is imported
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize

    figure, axes = plt.subplots(figsize=(10, 9), dpi=120)
    try:
        every = np.arange(graph.edge_count)
        axes.add_collection(
            LineCollection(_segments(graph, every), colors="#c8c8c8", linewidths=0.5)
        )
        loaded = loaded_edges(result)
        # Quietest first, so the congested segments are drawn on top.
        loaded = loaded[np.argsort(result.volume_capacity_ratio[loaded], kind="stable")]
        top = max(1.2, float(result.volume_capacity_ratio[loaded].max(initial=0.0)))
        norm = Normalize(vmin=0.0, vmax=top)
        for hotspot in hotspots:
            outline = _segments(graph, np.array(hotspot.edges, np.int64))
            axes.add_collection(LineCollection(outline, colors="black", linewidths=5.0, zorder=2))
        colours = LineCollection(
            _segments(graph, loaded), cmap="RdYlGn_r", norm=norm, linewidths=2.0, zorder=3
        )
        colours.set_array(result.volume_capacity_ratio[loaded])
        axes.add_collection(colours)
        figure.colorbar(colours, ax=axes, shrink=0.7, label=labels.colorbar)
        for hotspot in hotspots:
            axes.annotate(
                str(hotspot.rank),
                (hotspot.centroid_lon, hotspot.centroid_lat),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=10,
                fontweight="bold",
                zorder=4,
                bbox={"boxstyle": "circle", "facecolor": "white", "edgecolor": "black"},
            )
        if frame is None:
            frame = (
                float(graph.node_lon.min()),
                float(graph.node_lat.min()),
                float(graph.node_lon.max()),
                float(graph.node_lat.max()),
            )
        axes.set_xlim(frame[0], frame[2])
        axes.set_ylim(frame[1], frame[3])
        # Degrees of longitude shrink with latitude: keep the map's proportions true.
        axes.set_aspect(1.0 / np.cos(np.radians((frame[1] + frame[3]) / 2)))
        axes.set_xticks([])
        axes.set_yticks([])
        title = labels.title
        if title is None:
            status = "converged" if result.converged else "not converged"
            title = (
                f"Traffic hotspots, {period.replace('_', ' ')}: {len(hotspots)} hotspot(s), "
                f"relative gap {result.relative_gap:.1e} ({status})"
            )
        axes.set_title(title)
        axes.text(
            0.99, 0.01, ATTRIBUTION, transform=axes.transAxes, ha="right", va="bottom",
            fontsize=8, color="#444444",
        )  # fmt: skip
        figure.savefig(path, format="png", bbox_inches="tight")
    finally:
        plt.close(figure)


def _segments(graph: CompactGraph, edges: NDArray[np.int64]) -> list[NDArray[np.float64]]:
    """Each edge's polyline as an (n, 2) array of (lon, lat), as LineCollection wants."""
    out = []
    for e in edges:
        lat, lon = graph.edge_polyline(int(e))
        out.append(np.column_stack([lon, lat]))
    return out
