"""Planners' files for a stored run: segments and hotspots as GeoJSON and CSV, a PNG map.

The files come from :mod:`routing.traffic.exports`, the same writers as the command line's,
fed with the stored run rebuilt onto the loaded drive graph (:func:`stored_result`). That
needs the graph the run was computed on; a run from another network is refused with
:class:`~marketplace.errors.Conflict` rather than drawn on the wrong streets.

A CSV's header row is in its reader's language ("Longueur (m)"), as a planner opening it in
a spreadsheet expects; ``header="ids"`` keeps the machine column ids (``length_m``) of the
command line's files, for scripts.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from marketplace.errors import Conflict, InvalidInput
from marketplace.i18n import Language, render
from marketplace.models import TrafficHotspot, TrafficRun, TrafficSegment
from marketplace.traffic.hotspot_map import write_map
from routing.street.graph import CompactGraph
from routing.traffic.assignment import AssignmentResult
from routing.traffic.capacity import capacity_from_compact
from routing.traffic.exports import (
    HOTSPOT_COLUMNS,
    SEGMENT_COLUMNS,
    hotspot_records,
    hotspots_geojson,
    segment_records,
    segments_geojson,
)
from routing.traffic.hotspots import Hotspot

__all__ = ["CSV_HEADERS", "EXPORT_FILES", "CsvHeader", "ExportFile", "export_file", "stored_result"]

CsvHeader = Literal["labels", "ids"]
CSV_HEADERS: tuple[CsvHeader, ...] = ("labels", "ids")
"""A CSV's header row: column labels in the reader's language, or the column ids."""


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A file's bytes and its media type."""

    content: bytes
    media_type: str


EXPORT_FILES = {
    "segments.geojson": "application/geo+json",
    "segments.csv": "text/csv; charset=utf-8",
    "hotspots.geojson": "application/geo+json",
    "hotspots.csv": "text/csv; charset=utf-8",
    "hotspots.png": "image/png",
}
"""The files a run exports, with their media types."""


def stored_result(
    graph: CompactGraph,
    run: TrafficRun,
    segments: Sequence[TrafficSegment],
    hotspots: Sequence[TrafficHotspot],
    network_sha256: str,
) -> tuple[AssignmentResult, list[Hotspot]]:
    """A stored run as the engine's result and hotspots on ``graph``.

    Only loaded segments are stored; every other edge carries nothing at free flow, which is
    exactly what the assignment had there.

    Raises
    ------
    Conflict
        The run was computed on another drive graph than ``graph``.
    """
    if run.network_sha256 != network_sha256 or any(s.edge >= graph.edge_count for s in segments):
        raise Conflict(
            f"run {run.id} was computed on another street network; run the assignment again "
            "on the loaded one to export it"
        )
    edges = np.array([s.edge for s in segments], np.int64)
    free_flow_s = graph.duration_s.astype(np.float64).copy()
    capacity = capacity_from_compact(graph)
    volume = np.zeros(graph.edge_count)
    congested_s = free_flow_s.copy()
    delay = np.zeros(graph.edge_count)
    if edges.size:
        volume[edges] = [s.volume_veh_h for s in segments]
        capacity[edges] = [s.capacity_veh_h for s in segments]
        congested_s[edges] = [s.congested_time_s for s in segments]
        delay[edges] = [s.delay_veh_h for s in segments]
    result = AssignmentResult(
        volume_veh_h=volume,
        free_flow_time_s=free_flow_s,
        congested_time_s=congested_s,
        capacity_veh_h=capacity,
        volume_capacity_ratio=volume / capacity,
        delay_veh_h=delay,
        relative_gap=run.relative_gap,
        gap_history=(run.relative_gap,),
        iterations=run.iterations,
        converged=run.converged,
        algorithm=run.algorithm,  # type: ignore[arg-type]
        period_h=run.period_h,
        total_demand_veh_h=run.total_demand_veh_h,
        elapsed_s=run.elapsed_s,
    )
    edge_of = {s.segment_key: s.edge for s in segments}
    engine_hotspots = []
    for h in hotspots:
        hotspot_edges = tuple(edge_of[k] for k in json.loads(h.segment_keys) if k in edge_of)
        nodes = {int(n) for e in hotspot_edges for n in (graph.tails[e], graph.heads[e])}
        engine_hotspots.append(
            Hotspot(
                rank=h.rank,
                edges=hotspot_edges,
                nodes=tuple(sorted(nodes)),
                street_names=tuple(json.loads(h.streets)),
                centroid_lat=h.centroid_lat,
                centroid_lon=h.centroid_lon,
                total_delay_veh_h=h.total_delay_veh_h,
                max_volume_capacity=h.max_volume_capacity,
                length_m=h.length_m,
                volume_veh_h=h.volume_veh_h,
                period=run.period,
            )
        )
    return result, engine_hotspots


def _csv(columns: Sequence[str], rows: list[dict[str, object]], language: Language | None) -> bytes:
    """Rows under a header of column ids, or of their labels in ``language``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    if language is None:
        writer.writeheader()
    else:
        csv.writer(buffer, lineterminator="\n").writerow(
            [render(language, f"csv.{column}") for column in columns]
        )
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _json(payload: dict[str, object]) -> bytes:
    # allow_nan=False: strict GeoJSON readers refuse NaN, so fail here rather than there.
    return json.dumps(payload, ensure_ascii=False, allow_nan=False).encode()


def export_file(
    name: str,
    graph: CompactGraph,
    run: TrafficRun,
    segments: Sequence[TrafficSegment],
    hotspots: Sequence[TrafficHotspot],
    network_sha256: str,
    *,
    language: Language = "fr",
    header: CsvHeader = "labels",
) -> ExportFile:
    """One export of a stored run; segments carry their ``segment_key`` as a last column.

    Blocking (the PNG takes a second or so): call it in a worker thread. ``language``
    (``fr`` or ``en``) is the PNG title's and the CSV header labels'; ``header="ids"``
    writes the CSV column ids instead of labels.

    Raises
    ------
    InvalidInput
        ``name`` is not one of :data:`EXPORT_FILES`.
    Conflict
        The run was computed on another street network.
    """
    if name not in EXPORT_FILES:
        raise InvalidInput(f"no export {name!r}; accepted: {', '.join(EXPORT_FILES)}")
    labels = language if header == "labels" else None
    result, engine_hotspots = stored_result(graph, run, segments, hotspots, network_sha256)
    edges = np.array([s.edge for s in segments], np.int64)
    keys = {s.edge: s.segment_key for s in segments}
    if name == "segments.geojson":
        collection = segments_geojson(graph, result, edges)
        for feature in collection["features"]:
            feature["properties"]["segment_key"] = keys[feature["properties"]["edge"]]
        collection["run"] = run.id
        return ExportFile(_json(collection), EXPORT_FILES[name])
    if name == "segments.csv":
        rows = segment_records(graph, result, edges)
        for row in rows:
            row["segment_key"] = keys[int(row["edge"])]
        columns = (*SEGMENT_COLUMNS, "segment_key")
        return ExportFile(_csv(columns, rows, labels), EXPORT_FILES[name])
    if name == "hotspots.geojson":
        collection = hotspots_geojson(graph, engine_hotspots)
        collection["run"] = run.id
        return ExportFile(_json(collection), EXPORT_FILES[name])
    if name == "hotspots.csv":
        rows = hotspot_records(engine_hotspots)
        return ExportFile(_csv(HOTSPOT_COLUMNS, rows, labels), EXPORT_FILES[name])
    with tempfile.TemporaryDirectory(prefix="issy-map-") as folder:
        path = Path(folder) / "hotspots.png"
        write_map(path, graph, result, engine_hotspots, period=run.period, language=language)
        return ExportFile(path.read_bytes(), EXPORT_FILES[name])
