"""Street graphs per mode from OSM XML/PBF, Overpass JSON and osmnx GraphML files."""

from __future__ import annotations

import bz2
import gzip
import json
import math
import urllib.error
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import osmium
import pytest
from shapely.geometry import LineString

from routing.errors import NoStreetNetworkError, StreetDataError
from routing.regions.issy import download_issy_osm
from routing.street.modes import Mode
from routing.street.readers import download
from routing.street.readers.osm import street_graphs_from_file
from routing.street.readers.turn_expansion import REPORT_KEY
from routing.street.timing import DEFAULT_TIMING
from routing.street.turn_costs import CAR_TURN_COSTS

CROSSROADS = "osm/issy_mairie_crossroads_2019.osm.gz"
OVERPASS = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
GRAPHML = "osm/meudon_drive_osmnx_2024.graphml.gz"
VICTOR_CRESSON_WAY = 4783299  # primary, oneway=yes in the 2019 crossroads extract


# ---------------------------------------------------------------- helpers


def assert_osmnx_contract(graph: nx.MultiDiGraph, mode: Mode) -> None:
    """What routing/street/compile.py relies on, checked on every edge and node."""
    assert graph.graph["crs"] == "epsg:4326"
    assert graph.graph["mode"] == mode.value
    assert isinstance(graph.graph["source"], str)
    assert isinstance(graph.graph["oneway_known"], bool)
    assert isinstance(graph.graph["warnings"], list)
    assert not list(nx.isolates(graph))
    for _, data in graph.nodes(data=True):
        assert type(data["x"]) is float and type(data["y"]) is float
    for u, v, data in graph.edges(data=True):
        assert type(data["length"]) is float and data["length"] >= 0
        assert type(data["speed_kph"]) is float and data["speed_kph"] > 0
        assert type(data["delay_s"]) is float and data["delay_s"] >= 0
        # A graph built with turn costs (the default for cars on tagged OSM, issue 17) adds
        # the cost of the turn onto the edge to its time; a plain graph has no turn_s.
        turn_s = data.get("turn_s", 0.0)
        assert ("turn_s" in data) == (REPORT_KEY in graph.graph)
        assert type(turn_s) is float and turn_s >= 0
        assert data["travel_time"] == pytest.approx(
            data["length"] / (data["speed_kph"] / 3.6) + data["delay_s"] + turn_s
        )
        assert data["name"] is None or isinstance(data["name"], str)
        assert data["osmid"] is None or isinstance(data["osmid"], int)
        assert data["highway"] is None or isinstance(data["highway"], str)
        if "geometry" in data:
            coords = list(data["geometry"].coords)
            assert coords[0] == pytest.approx((graph.nodes[u]["x"], graph.nodes[u]["y"]))
            assert coords[-1] == pytest.approx((graph.nodes[v]["x"], graph.nodes[v]["y"]))


def osm_xml(ways: Iterable[dict[str, str]], *, nodes_per_way: int = 3) -> str:
    """An OSM XML document: each way a straight east-going line of fresh nodes, 100 m apart."""
    nodes, way_elements = [], []
    node_id = 0
    for way_id, tags in enumerate(ways, start=1):
        refs = []
        for i in range(nodes_per_way):
            node_id += 1
            lon = 2.27 + i * 100 / (111_320 * math.cos(math.radians(48.82)))
            lat = 48.82 + way_id * 0.001
            nodes.append(f'<node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
            refs.append(f'<nd ref="{node_id}"/>')
        tag_xml = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        way_elements.append(f'<way id="{way_id}" version="1">{"".join(refs)}{tag_xml}</way>')
    body = "\n".join(nodes + way_elements)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n{body}\n</osm>\n'


def load_one_way(tmp_path: Path, tags: dict[str, str], mode: Mode) -> nx.MultiDiGraph:
    path = tmp_path / "street.osm"
    path.write_text(osm_xml([tags]))
    return street_graphs_from_file(path, [mode])[mode]


def edge_directions(graph: nx.MultiDiGraph) -> set[str]:
    """'forward' and/or 'backward' relative to the test ways (node ids grow eastwards)."""
    return {"forward" if u < v else "backward" for u, v in graph.edges()}


def osm_node(graph: nx.MultiDiGraph, node: int) -> int:
    """The OSM node a graph node is: itself, or the junction a turn-cost copy was made of."""
    return int(graph.nodes[node].get("osm_id", node))


def osm_edges(graph: nx.MultiDiGraph) -> set[tuple[int, int]]:
    """Edges as (from, to) OSM nodes: the same on a turn-expanded graph as on a plain one."""
    return {(osm_node(graph, u), osm_node(graph, v)) for u, v in graph.edges()}


def edge_set(graph: nx.MultiDiGraph) -> set[tuple[int, int, int | None]]:
    return {(u, v, d["osmid"]) for u, v, d in graph.edges(data=True)}


# ---------------------------------------------------------------- real fixtures


def test_crossroads_xml_loads_every_mode_with_real_names(shared_data: Path) -> None:
    graphs = street_graphs_from_file(shared_data / CROSSROADS)
    assert set(graphs) == set(Mode)
    for mode, graph in graphs.items():
        assert_osmnx_contract(graph, mode)
        assert graph.graph["oneway_known"] is True
        # OSM node ids; the copies of junctions made for turn costs (cars, by default on
        # tagged OSM) have keys of their own and carry the OSM id of their junction.
        assert all(isinstance(n, int) and osm_node(graph, n) > 1_000_000 for n in graph)
        assert all(n > 1_000_000 for n in graph if "osm_id" not in graph.nodes[n])
    assert REPORT_KEY in graphs[Mode.DRIVE].graph  # cars turn at a cost by default
    names = {d["name"] for _, _, d in graphs[Mode.DRIVE].edges(data=True)}
    assert {"Boulevard Gallieni", "Avenue Victor Cresson", "Rue Danton"} <= names
    walk_highways = {d["highway"] for _, _, d in graphs[Mode.WALK].edges(data=True)}
    assert "footway" in walk_highways


def test_crossroads_one_way_street_has_one_direction_for_drive_both_for_walk(
    shared_data: Path,
) -> None:
    graphs = street_graphs_from_file(shared_data / CROSSROADS, [Mode.DRIVE, Mode.WALK])

    def pairs(graph: nx.MultiDiGraph) -> set[tuple[int, int]]:
        return {
            (osm_node(graph, u), osm_node(graph, v))
            for u, v, d in graph.edges(data=True)
            if d["osmid"] == VICTOR_CRESSON_WAY
        }

    drive, walk = pairs(graphs[Mode.DRIVE]), pairs(graphs[Mode.WALK])
    assert drive
    assert not {(v, u) for u, v in drive} & drive
    # Simplification cuts the way at different nodes per mode (footways join it for walkers),
    # so compare directions, not node pairs.
    assert walk and walk == {(v, u) for u, v in walk}


def test_pbf_written_from_the_crossroads_loads_the_same(shared_data: Path, tmp_path: Path) -> None:
    pbf = tmp_path / "crossroads.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(shared_data / CROSSROADS)):
            writer.add(obj)
    from_xml = street_graphs_from_file(shared_data / CROSSROADS)
    from_pbf = street_graphs_from_file(pbf)
    for mode in Mode:
        assert edge_set(from_pbf[mode]) == edge_set(from_xml[mode])
        assert len(from_pbf[mode]) == len(from_xml[mode])


def test_bz2_of_the_crossroads_loads_the_same(shared_data: Path, tmp_path: Path) -> None:
    target = tmp_path / "crossroads.osm.bz2"
    target.write_bytes(bz2.compress(gzip.decompress((shared_data / CROSSROADS).read_bytes())))
    from_gz = street_graphs_from_file(shared_data / CROSSROADS, [Mode.BIKE])
    from_bz2 = street_graphs_from_file(target, [Mode.BIKE])
    assert edge_set(from_bz2[Mode.BIKE]) == edge_set(from_gz[Mode.BIKE])


def test_overpass_json_loads_every_mode(shared_data: Path) -> None:
    graphs = street_graphs_from_file(shared_data / OVERPASS)
    for mode, graph in graphs.items():
        assert_osmnx_contract(graph, mode)
        assert len(graph) > 1000
    # Fewer streets for cars than for walkers, counted before the car graph's copies for
    # turn costs (one per way of arriving at a street: more edges, not more streets).
    drive_report = graphs[Mode.DRIVE].graph[REPORT_KEY]
    assert drive_report["edges_after"] == graphs[Mode.DRIVE].number_of_edges()
    assert drive_report["edges_before"] < graphs[Mode.WALK].number_of_edges()
    motor = {"motorway", "motorway_link", "trunk", "trunk_link"}
    ways = json.loads(gzip.decompress((shared_data / OVERPASS).read_bytes()))["elements"]
    open_to_walkers = 475039277  # trunk_link, access=yes and no foot=*: walkers may (issue 17)
    for mode, key in ((Mode.WALK, "foot"), (Mode.BIKE, "bicycle")):
        # One trunk_link in the file is tagged foot=yes + bicycle=yes: only that one may stay.
        forbidden = {
            w["id"]
            for w in ways
            if w["type"] == "way" and w["tags"]["highway"] in motor and w["tags"].get(key) != "yes"
        }
        used = {d["osmid"] for _, _, d in graphs[mode].edges(data=True)}
        assert len(forbidden) > 50
        assert used & forbidden == ({open_to_walkers} if mode is Mode.WALK else set())
    drive_used = {d["osmid"] for _, _, d in graphs[Mode.DRIVE].edges(data=True)}
    assert len(drive_used & forbidden) > 50  # in the file and in the drive graph
    names = {d["name"] for _, _, d in graphs[Mode.DRIVE].edges(data=True)}
    assert {"Boulevard des Îles", "Avenue du Bas-Meudon"} <= names


def test_graphml_loads_with_honest_warnings(shared_data: Path) -> None:
    graphs = street_graphs_from_file(shared_data / GRAPHML)
    for mode, graph in graphs.items():
        assert_osmnx_contract(graph, mode)
        warnings = " ".join(graph.graph["warnings"])
        assert "not OSM node ids" in warnings
        assert graph.graph["oneway_known"] is False
    drive, walk = graphs[Mode.DRIVE], graphs[Mode.WALK]
    # GraphML carries osmnx's tags: cars get turn costs as on any tagged OSM (issue 17), so
    # the file's 592 junctions are split into one copy per way of arriving.
    assert drive.graph[REPORT_KEY]["nodes_before"] == 592
    assert len(drive) == drive.graph[REPORT_KEY]["nodes_after"] > 592
    assert {osm_node(drive, n) for n in drive} <= set(range(592))  # copies of its nodes
    # Carrefour de la Ferme (a roundabout) is drawn from node 0 to node 155: cars go one way.
    assert (0, 155) in osm_edges(drive) and (155, 0) not in osm_edges(drive)
    assert walk.has_edge(0, 155) and walk.has_edge(155, 0)
    assert drive.graph[REPORT_KEY]["edges_before"] < walk.number_of_edges()
    names = {d["name"] for _, _, d in drive.edges(data=True)}
    assert "Avenue de Verdun" in names
    assert all(" / " in n for n in names if n and "[" in n) is True  # lists joined, never str(list)


# ---------------------------------------------------------------- tag rules end to end


@pytest.mark.parametrize(
    ("tags", "mode", "expected"),
    [
        pytest.param({"highway": "residential"}, Mode.DRIVE, {"forward", "backward"}, id="two-way"),
        pytest.param({"highway": "residential", "oneway": "yes"}, Mode.DRIVE, {"forward"}, id="1w"),
        pytest.param(
            {"highway": "residential", "oneway": "-1"}, Mode.DRIVE, {"backward"}, id="oneway-m1"
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes"},
            Mode.WALK,
            {"forward", "backward"},
            id="walk-ignores-oneway",
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes"}, Mode.BIKE, {"forward"}, id="bike-bound"
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"},
            Mode.BIKE,
            {"forward", "backward"},
            id="oneway-bicycle-no",
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"},
            Mode.BIKE,
            {"forward", "backward"},
            id="opposite-lane",
        ),
        pytest.param({"highway": "motorway"}, Mode.DRIVE, {"forward"}, id="motorway-oneway"),
    ],
)
def test_directions_from_hand_written_xml(
    tmp_path: Path, tags: dict[str, str], mode: Mode, expected: set[str]
) -> None:
    graph = load_one_way(tmp_path, tags, mode)
    assert edge_directions(graph) == expected
    # The three nodes of the way merge into one edge per direction, 200 m long.
    assert len(graph) == 2
    for _, _, data in graph.edges(data=True):
        assert data["length"] == pytest.approx(200, rel=0.01)


@pytest.mark.parametrize(
    ("tags", "mode"),
    [
        pytest.param({"highway": "residential", "access": "no"}, Mode.DRIVE, id="access-no"),
        pytest.param({"highway": "footway", "foot": "no"}, Mode.WALK, id="foot-no"),
        pytest.param({"highway": "motorway"}, Mode.WALK, id="motorway-walk"),
        pytest.param({"highway": "motorway"}, Mode.BIKE, id="motorway-bike"),
        pytest.param({"highway": "steps"}, Mode.BIKE, id="steps-bike"),
        pytest.param({"highway": "steps"}, Mode.DRIVE, id="steps-drive"),
    ],
)
def test_a_street_the_mode_may_not_use_leaves_no_graph(
    tmp_path: Path, tags: dict[str, str], mode: Mode
) -> None:
    with pytest.raises(StreetDataError, match=f"no streets usable for {mode.value}"):
        load_one_way(tmp_path, tags, mode)


def test_unusable_ways_drop_out_beside_usable_ones(tmp_path: Path) -> None:
    path = tmp_path / "mixed.osm"
    path.write_text(osm_xml([{"highway": "residential"}, {"highway": "steps"}]))
    graphs = street_graphs_from_file(path)
    assert {d["highway"] for *_, d in graphs[Mode.WALK].edges(data=True)} == {
        "residential",
        "steps",
    }
    assert {d["highway"] for *_, d in graphs[Mode.BIKE].edges(data=True)} == {"residential"}


@pytest.mark.parametrize(
    ("maxspeed", "expected_kph"),
    [
        pytest.param("30", 30.0, id="number"),
        pytest.param("20 mph", 20 * 1.609344, id="mph"),
        pytest.param("FR:zone30", 30.0, id="zone30"),
        pytest.param("FR:urban", 50.0, id="urban"),
    ],
)
def test_maxspeed_sets_drive_speed_and_travel_time(
    tmp_path: Path, maxspeed: str, expected_kph: float
) -> None:
    # Cars drive a share of the limit, by class (routing/street/timing.py): 0.8 on primaries.
    graph = load_one_way(tmp_path, {"highway": "primary", "maxspeed": maxspeed}, Mode.DRIVE)
    for _, _, data in graph.edges(data=True):
        assert data["speed_kph"] == pytest.approx(0.8 * expected_kph)
        # Plus the turn onto the edge (cars, by default on tagged OSM): on this lone street,
        # the U-turn at its far dead end.
        turn_s = data["turn_s"]
        assert turn_s == pytest.approx(CAR_TURN_COSTS.max_turn_s + CAR_TURN_COSTS.u_turn_s)
        assert data["travel_time"] == pytest.approx(
            data["length"] * 3.6 / (0.8 * expected_kph) + turn_s
        )


def test_signals_and_crossings_delay_the_modes_they_hold(tmp_path: Path) -> None:
    # A residential street with lights at node 2 and a zebra at node 3; a footway crossing
    # at node 3 (way 2). Lengths are 100 m per step.
    step = 100 / (111_320 * math.cos(math.radians(48.82)))
    node_tags = {
        2: {"highway": "traffic_signals"},
        3: {"highway": "crossing", "crossing": "marked"},
    }
    nodes = (
        "".join(
            f'<node id="{i}" version="1" lat="48.82" lon="{2.27 + i * step:.7f}">'
            + "".join(f'<tag k="{k}" v="{v}"/>' for k, v in node_tags.get(i, {}).items())
            + "</node>"
            for i in range(1, 5)
        )
        + f'<node id="5" version="1" lat="48.8209" lon="{2.27 + 3 * step:.7f}"/>'
    )
    ways = (
        '<way id="1" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>'
        '<tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>'
        '<way id="2" version="1"><nd ref="5"/><nd ref="3"/>'
        '<tag k="highway" v="footway"/><tag k="footway" v="crossing"/></way>'
    )
    path = tmp_path / "lights.osm"
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{ways}</osm>')
    graphs = street_graphs_from_file(path, [Mode.WALK, Mode.DRIVE])  # default profiles
    drive = {(u, v): d for u, v, d in graphs[Mode.DRIVE].edges(data=True)}
    car, walker = DEFAULT_TIMING["drive"], DEFAULT_TIMING["walk"]
    lights_then_zebra_s = car.signals_s + car.crossing_on_road_s
    assert drive[(1, 4)]["delay_s"] == pytest.approx(lights_then_zebra_s) and car.signals_s > 0
    walk = {(u, v): d for u, v, d in graphs[Mode.WALK].edges(data=True)}
    # The crossing binds walkers on the crossing way.
    assert walk[(5, 3)]["delay_s"] == pytest.approx(walker.crossing_s) and walker.crossing_s > 0
    assert walk[(1, 3)]["delay_s"] == walk[(3, 4)]["delay_s"] == 0.0  # along the road


def test_curved_way_keeps_its_geometry_from_first_to_last_node(tmp_path: Path) -> None:
    path = tmp_path / "bend.osm"
    path.write_text(
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lat="48.8200" lon="2.2700"/><node id="2" lat="48.8210" lon="2.2700"/>'
        '<node id="3" lat="48.8210" lon="2.2715"/>'
        '<way id="9"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
        '<tag k="highway" v="residential"/><tag k="name" v="Rue Coudée"/></way></osm>'
    )
    graph = street_graphs_from_file(path, [Mode.DRIVE])[Mode.DRIVE]
    assert_osmnx_contract(graph, Mode.DRIVE)
    data = graph.get_edge_data(1, 3)[0]
    assert isinstance(data["geometry"], LineString)
    assert len(data["geometry"].coords) == 3
    assert data["name"] == "Rue Coudée" and data["osmid"] == 9


def test_progress_callback_hears_each_step(shared_data: Path) -> None:
    messages: list[str] = []
    street_graphs_from_file(shared_data / CROSSROADS, [Mode.WALK], progress=messages.append)
    assert any("walk" in m for m in messages)
    assert messages[-1].startswith("loaded")


# ---------------------------------------------------------------- bad input


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("empty.osm", b"", "empty", id="empty-file"),
        pytest.param("blank.osm.gz", gzip.compress(b"  \n"), "empty", id="empty-after-gunzip"),
        pytest.param("bad.osm", b"<osm><node id='1' lat=", "cannot read", id="corrupt-xml"),
        pytest.param("bad.osm.pbf", b"\x00\x00\x00\x0d\n\tOSMHeader\x18", "cannot read", id="pbf"),
        pytest.param("bad.json", b'{"version": 0.6}', "elements", id="json-no-elements"),
        pytest.param("bad.json", b'{"elements": []}', "elements", id="json-empty-elements"),
        pytest.param("bad2.json", b'{"elements": [', "cannot read", id="json-truncated"),
        pytest.param("notes.txt", b"hello streets", "not a street data file", id="unknown"),
        pytest.param(
            "nohighway.osm",
            osm_xml([{"building": "yes"}]).encode(),
            "no highway ways",
            id="no-highway",
        ),
        pytest.param(
            "graph.graphml",
            b'<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            b"<key/></graphml>",
            "GraphML",
            id="graphml-not-a-graph",
            marks=pytest.mark.filterwarnings("ignore:No key type:UserWarning"),
        ),
        pytest.param(
            "nodes.graphml",
            b'<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            b'<graph edgedefault="directed"><node id="1"/><node id="2"/>'
            b'<edge source="1" target="2"/></graph></graphml>',
            "x/y",
            id="graphml-without-coordinates",
        ),
    ],
)
def test_bad_files_raise_street_data_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = _write(tmp_path / name, content)
    with pytest.raises(StreetDataError, match=message) as caught:
        street_graphs_from_file(path)
    assert str(path) in str(caught.value)


def test_missing_file_says_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(StreetDataError, match=r"no such file; accepted: OSM XML"):
        street_graphs_from_file(tmp_path / "nowhere.osm.pbf")


def test_truncated_gzip_xml_raises(shared_data: Path, tmp_path: Path) -> None:
    whole = (shared_data / CROSSROADS).read_bytes()
    path = _write(tmp_path / "cut.osm.gz", whole[: len(whole) // 2])
    with pytest.raises(StreetDataError, match=str(path)):
        street_graphs_from_file(path)


def test_truncated_plain_xml_raises(shared_data: Path, tmp_path: Path) -> None:
    whole = gzip.decompress((shared_data / CROSSROADS).read_bytes())
    path = _write(tmp_path / "cut.osm", whole[: len(whole) // 2])
    with pytest.raises(StreetDataError, match=str(path)):
        street_graphs_from_file(path)


def test_truncated_pbf_raises(shared_data: Path, tmp_path: Path) -> None:
    pbf = tmp_path / "whole.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(shared_data / CROSSROADS)):
            writer.add(obj)
    whole = pbf.read_bytes()
    path = _write(tmp_path / "cut.osm.pbf", whole[: len(whole) * 2 // 3])
    with pytest.raises(StreetDataError, match=str(path)):
        street_graphs_from_file(path)


def test_truncated_overpass_json_raises(shared_data: Path, tmp_path: Path) -> None:
    whole = (shared_data / OVERPASS).read_bytes()
    path = _write(tmp_path / "cut.json.gz", whole[: len(whole) // 2])
    with pytest.raises(StreetDataError, match=str(path)):
        street_graphs_from_file(path)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(StreetDataError, match="folder"):
        street_graphs_from_file(tmp_path)


# ---------------------------------------------------------------- download (never online)


def test_download_returns_the_cache_without_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(query: str) -> bytes:
        raise AssertionError("the network must not be used when a cache exists")

    monkeypatch.setattr(download, "_fetch_overpass", offline)
    cached = tmp_path / "issy_streets_overpass_margin1000m.json.gz"
    cached.write_bytes(gzip.compress(json.dumps({"elements": [{"type": "node"}]}).encode()))
    assert download_issy_osm(tmp_path) == cached


def test_download_offline_without_cache_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(query: str) -> bytes:
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(download, "_fetch_overpass", offline)
    with pytest.raises(NoStreetNetworkError, match="pass a local OSM file"):
        download_issy_osm(tmp_path / "cache")


def test_download_caches_the_reply_and_it_loads(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = gzip.decompress((shared_data / OVERPASS).read_bytes())
    queries: list[str] = []

    def fake_overpass(query: str) -> bytes:
        queries.append(query)
        return reply

    monkeypatch.setattr(download, "_fetch_overpass", fake_overpass)
    path = download_issy_osm(tmp_path, margin_m=500)
    assert path.is_file() and 'way["highway"]' in queries[0]
    assert download_issy_osm(tmp_path, margin_m=500) == path and len(queries) == 1
    graphs = street_graphs_from_file(path, [Mode.DRIVE])
    assert graphs[Mode.DRIVE].number_of_edges() > 1000


def test_content_decides_not_the_file_name(shared_data: Path, tmp_path: Path) -> None:
    misnamed = _write(tmp_path / "meudon.osm.gz", (shared_data / OVERPASS).read_bytes())
    graphs = street_graphs_from_file(misnamed, [Mode.DRIVE])
    assert graphs[Mode.DRIVE].number_of_edges() > 1000
