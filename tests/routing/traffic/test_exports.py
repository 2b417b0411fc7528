"""Exports of an assignment on the 3 x 3 test grid: GeoJSON, CSV, PNG, written atomically."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from routing.street.compile import compile_graph
from routing.street.graph import CompactGraph
from routing.street.modes import Mode
from routing.traffic.assignment import AssignmentNetwork, AssignmentResult, assign
from routing.traffic.capacity import capacity_from_compact
from routing.traffic.exports import (
    ATTRIBUTION,
    HOTSPOT_COLUMNS,
    SEGMENT_COLUMNS,
    hotspots_geojson,
    segments_geojson,
    write_hotspot_map,
    write_traffic_exports,
)
from routing.traffic.hotspots import Hotspot, find_hotspots
from tests.routing.grids import grid_graph, node_id

FILES = {"segments.geojson", "segments.csv", "hotspots.geojson", "hotspots.csv", "hotspots.png"}


@pytest.fixture(scope="module")
def assigned() -> tuple[CompactGraph, AssignmentResult, list[Hotspot]]:
    graph = compile_graph(grid_graph(speed_kmh=30.0), Mode.DRIVE, contract=False)
    zones = np.array([graph.node_index(node_id(0, 0)), graph.node_index(node_id(0, 2))])
    # 700 veh/h on Rue du Sud's 600 veh/h: the one hotspot (see test_scenarios).
    result = assign(
        AssignmentNetwork.from_compact(graph, capacity_from_compact(graph)),
        zones,
        np.array([[0.0, 700.0], [0.0, 0.0]]),
        period_h=2.0,
    )
    return graph, result, find_hotspots(graph, result, period="morning_peak")


def test_segments_geojson_carries_geometry_and_figures(
    assigned: tuple[CompactGraph, AssignmentResult, list[Hotspot]],
) -> None:
    graph, result, _ = assigned
    collection = segments_geojson(graph, result)
    assert collection["attribution"] == ATTRIBUTION
    features = collection["features"]
    assert len(features) == 2  # only loaded segments: the two blocks of Rue du Sud
    first = features[0]
    assert set(first["properties"]) == set(SEGMENT_COLUMNS)
    assert first["properties"]["street"] == "Rue du Sud"
    assert first["properties"]["highway"] == "residential"
    assert first["properties"]["volume_veh_h"] == pytest.approx(700.0)
    assert first["properties"]["capacity_veh_h"] == pytest.approx(600.0)
    assert first["properties"]["volume_capacity"] == pytest.approx(700 / 600, abs=1e-4)
    assert first["properties"]["congested_time_s"] > first["properties"]["free_flow_time_s"]
    lat, lon = graph.edge_polyline(first["properties"]["edge"])
    assert first["geometry"]["type"] == "LineString"
    assert first["geometry"]["coordinates"][0] == pytest.approx([lon[0], lat[0]])


def test_hotspots_geojson_lists_streets_and_edges(
    assigned: tuple[CompactGraph, AssignmentResult, list[Hotspot]],
) -> None:
    graph, _, hotspots = assigned
    feature = hotspots_geojson(graph, hotspots)["features"][0]
    assert feature["geometry"]["type"] == "MultiLineString"
    assert len(feature["geometry"]["coordinates"]) == 2
    assert feature["properties"]["streets"] == ["Rue du Sud"]
    assert feature["properties"]["rank"] == 1
    assert feature["properties"]["period"] == "morning_peak"


def test_every_file_is_written_with_the_same_columns(
    assigned: tuple[CompactGraph, AssignmentResult, list[Hotspot]], tmp_path: Path
) -> None:
    graph, result, hotspots = assigned
    written = write_traffic_exports(tmp_path, graph, result, hotspots, period="morning_peak")
    assert set(written) == FILES
    assert {p.name for p in tmp_path.iterdir()} == FILES  # no temporary file left behind
    with (tmp_path / "segments.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == SEGMENT_COLUMNS and len(rows) == 2
    geojson = json.loads((tmp_path / "segments.geojson").read_text())
    assert [f["properties"]["edge"] for f in geojson["features"]] == [int(r["edge"]) for r in rows]
    with (tmp_path / "hotspots.csv").open() as handle:
        hotspot_rows = list(csv.DictReader(handle))
    assert tuple(hotspot_rows[0]) == HOTSPOT_COLUMNS
    assert hotspot_rows[0]["streets"] == "Rue du Sud"
    assert (tmp_path / "hotspots.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_failed_export_keeps_the_previous_files(
    assigned: tuple[CompactGraph, AssignmentResult, list[Hotspot]], tmp_path: Path
) -> None:
    graph, result, hotspots = assigned
    write_traffic_exports(tmp_path, graph, result, hotspots, period="morning_peak", png=False)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def fail(path: Path) -> None:
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_traffic_exports(
            tmp_path, graph, result, [], period="evening_peak", extra={"summary.json": fail}
        )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_result_of_another_graph_writes_nothing(
    assigned: tuple[CompactGraph, AssignmentResult, list[Hotspot]], tmp_path: Path
) -> None:
    _, result, hotspots = assigned
    other = compile_graph(grid_graph(size=4), Mode.DRIVE, contract=False)
    with pytest.raises(ValueError, match="pass the graph the assignment ran on"):
        write_traffic_exports(tmp_path / "out", other, result, hotspots, period="morning_peak")
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="pass the graph the assignment ran on"):
        write_hotspot_map(tmp_path / "map.png", other, result, hotspots, period="morning_peak")
    assert not (tmp_path / "map.png").exists()


def test_the_map_alone(
    assigned: tuple[CompactGraph, AssignmentResult, list[Hotspot]], tmp_path: Path
) -> None:
    graph, result, hotspots = assigned
    path = write_hotspot_map(tmp_path / "map.png", graph, result, hotspots, period="evening_peak")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]
