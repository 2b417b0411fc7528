"""Street graphs from the Grand Paris node/edge topology (no tags)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from routing.errors import StreetDataError
from routing.street.modes import DEFAULT_PROFILES, Mode, ModeProfile
from routing.street.readers.osm import street_graphs_from_file
from routing.street.readers.topology import street_graphs_from_topology
from routing.street.readers.turn_expansion import REPORT_KEY

PREFIX = "streets/grand_paris_carbike_topology_2023"
ISSY_BOX = (2.2357, 48.8133, 2.2894, 48.8346)  # west, south, east, north


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on osmnx's earth radius, written out independently."""
    r = 6_371_009.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def issy_topology(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real topology cut to the Issy box, written as a CSV pair; returns the prefix."""
    nodes = pd.read_csv(shared_data / f"{PREFIX}.nodes.csv.gz")
    edges = pd.read_csv(shared_data / f"{PREFIX}.edges.csv.gz")
    west, south, east, north = ISSY_BOX
    inside = nodes[nodes.lon.between(west, east) & nodes.lat.between(south, north)]
    ids = set(inside.osm_node_id)
    kept = edges[edges.u.isin(ids) & edges.v.isin(ids)]
    folder = tmp_path_factory.mktemp("topology")
    inside.to_csv(folder / "issy.nodes.csv.gz", index=False)
    kept.to_csv(folder / "issy.edges.csv.gz", index=False)
    return folder / "issy"


def test_issy_subset_loads_every_mode_both_ways(issy_topology: Path) -> None:
    graphs = street_graphs_from_file(issy_topology)
    assert set(graphs) == set(Mode)
    for mode, graph in graphs.items():
        assert graph.graph["crs"] == "epsg:4326"
        assert graph.graph["mode"] == mode.value
        assert graph.graph["oneway_known"] is False
        warnings = " ".join(graph.graph["warnings"])
        assert "one-way data missing" in warnings and "names missing" in warnings
        assert 1000 < len(graph) <= 1167
        assert not list(nx.isolates(graph))
        for u, v, data in graph.edges(data=True):
            assert graph.has_edge(v, u)
            assert data["speed_kph"] == DEFAULT_PROFILES[mode].speed_kmh
            assert data["name"] is None and data["osmid"] is None and data["highway"] is None
            assert "geometry" not in data
            assert data["travel_time"] == pytest.approx(data["length"] * 3.6 / data["speed_kph"])
    assert graphs[Mode.DRIVE].number_of_edges() == graphs[Mode.WALK].number_of_edges()


def test_turn_costs_stay_off_on_the_topology_unless_asked(issy_topology: Path) -> None:
    # Untagged topology: the default build is the plain node-based graph issue 14's record
    # is measured on (routing.street.modes.default_profiles says why); profiles that carry
    # turn costs turn them on, as `graph build --turn-costs drive,bike` does.
    plain = street_graphs_from_file(issy_topology, [Mode.DRIVE, Mode.BIKE])
    assert all(REPORT_KEY not in g.graph for g in plain.values())
    asked = street_graphs_from_file(issy_topology, [Mode.DRIVE, Mode.BIKE], DEFAULT_PROFILES)
    for mode, graph in asked.items():
        assert graph.graph[REPORT_KEY]["nodes_before"] == len(plain[mode]) < len(graph)


def test_lengths_are_haversine(issy_topology: Path) -> None:
    graph = street_graphs_from_file(issy_topology, [Mode.DRIVE])[Mode.DRIVE]
    for u, v, data in list(graph.edges(data=True))[:500]:
        a, b = graph.nodes[u], graph.nodes[v]
        assert data["length"] == pytest.approx(
            haversine_m(a["y"], a["x"], b["y"], b["x"]), abs=1e-6
        )
        assert type(data["length"]) is float


@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param("", id="prefix"),
        pytest.param(".nodes.csv.gz", id="nodes-file"),
        pytest.param(".edges.csv.gz", id="edges-file"),
    ],
)
def test_either_file_or_the_prefix_names_the_pair(issy_topology: Path, suffix: str) -> None:
    path = issy_topology.with_name(issy_topology.name + suffix)
    graph = street_graphs_from_file(path, [Mode.WALK])[Mode.WALK]
    assert len(graph) > 1000


def test_explicit_pair_and_custom_speed(issy_topology: Path) -> None:
    nodes = issy_topology.with_name("issy.nodes.csv.gz")
    edges = issy_topology.with_name("issy.edges.csv.gz")
    profiles = {**DEFAULT_PROFILES, Mode.BIKE: ModeProfile(Mode.BIKE, 20.0)}
    graphs = street_graphs_from_topology(nodes, edges, [Mode.BIKE], profiles)
    assert set(graphs) == {Mode.BIKE}
    assert {d["speed_kph"] for *_, d in graphs[Mode.BIKE].edges(data=True)} == {20.0}


def _pair(folder: Path, nodes: str, edges: str) -> Path:
    (folder / "t.nodes.csv").write_text(nodes)
    (folder / "t.edges.csv").write_text(edges)
    return folder / "t"


def test_self_loops_duplicates_and_unknown_nodes_are_dropped(tmp_path: Path) -> None:
    prefix = _pair(
        tmp_path,
        "osm_node_id,lat,lon\n1,48.82,2.27\n2,48.821,2.27\n3,48.822,2.27\n",
        "edge_id,u,v\n0,1,2\n1,2,1\n2,2,2\n3,2,3\n4,3,99\n",
    )
    graph = street_graphs_from_file(prefix, [Mode.DRIVE])[Mode.DRIVE]
    assert sorted(graph.edges()) == [(1, 2), (2, 1), (2, 3), (3, 2)]
    assert any("unknown nodes" in w for w in graph.graph["warnings"])
    assert graph[1][2][0]["length"] == pytest.approx(haversine_m(48.82, 2.27, 48.821, 2.27))


@pytest.mark.parametrize(
    ("nodes", "edges", "message"),
    [
        pytest.param("id,lat,lon\n1,48.8,2.2\n", "u,v\n1,1\n", "osm_node_id", id="nodes-column"),
        pytest.param("osm_node_id,lat\n1,48.8\n", "u,v\n1,1\n", "lon", id="no-lon"),
        pytest.param(
            "osm_node_id,lat,lon\n1,48.8,2.2\n", "edge_id,a,b\n0,1,1\n", "u, v", id="edges-column"
        ),
        pytest.param("osm_node_id,lat,lon\n", "u,v\n1,2\n", "no rows", id="no-node-rows"),
        pytest.param(
            "osm_node_id,lat,lon\n1,248.8,2.2\n", "u,v\n1,1\n", "out of range", id="bad-lat"
        ),
        pytest.param(
            "osm_node_id,lat,lon\n1,48.8,2.2\n2,48.9,2.2\n",
            "u,v\n1,1\n",
            "no edge joins",
            id="only-self-loops",
        ),
        pytest.param("osm_node_id,lat,lon\n1,x,2.2\n", "u,v\n1,1\n", "cannot read", id="text-lat"),
    ],
)
def test_bad_csv_raises_street_data_error(
    tmp_path: Path, nodes: str, edges: str, message: str
) -> None:
    prefix = _pair(tmp_path, nodes, edges)
    with pytest.raises(StreetDataError, match=message) as caught:
        street_graphs_from_file(prefix)
    assert str(tmp_path) in str(caught.value)


def test_missing_half_of_the_pair_raises(tmp_path: Path) -> None:
    (tmp_path / "t.nodes.csv").write_text("osm_node_id,lat,lon\n1,48.8,2.2\n")
    with pytest.raises(StreetDataError, match=r"t\.edges\.csv\[\.gz\] not found"):
        street_graphs_from_file(tmp_path / "t.nodes.csv")


@pytest.mark.slow
def test_full_grand_paris_topology_for_drive(shared_data: Path) -> None:
    started = time.perf_counter()
    graphs = street_graphs_from_file(shared_data / PREFIX, [Mode.DRIVE])
    elapsed_s = time.perf_counter() - started
    graph = graphs[Mode.DRIVE]
    # 115,083 nodes in the file; only nodes on no edge at all drop out.
    assert 114_000 <= len(graph) <= 115_083
    # 162,336 undirected edges, less self-loops and the 239 repeated pairs, both directions.
    assert 2 * 161_000 <= graph.number_of_edges() <= 2 * 162_336
    print(f"full topology, drive only: {len(graph)} nodes in {elapsed_s:.1f} s")
