"""Turn restrictions: the tag rules per mode, and routes that honour them.

The regression of issue 17 is real OSM: the west-Issy extract with a ``no_straight_on``
relation added to a copy made here (the shared files hold no restriction relation). The
``only_*`` and via-way cases are small hand-made graphs (100 m blocks) with known answers.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from routing.street.modes import Mode
from routing.street.network import StreetNetwork, open_street_network
from routing.street.readers.osm import street_graphs_from_file
from routing.street.restrictions import Member, TurnRestriction, restriction_for

WALK, BIKE, DRIVE = Mode.WALK, Mode.BIKE, Mode.DRIVE
OVERPASS = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
PLAIN = (Member("way", 1, "from"), Member("node", 2, "via"), Member("way", 3, "to"))


@pytest.mark.parametrize(
    ("tags", "bound"),
    [
        pytest.param(
            {"type": "restriction", "restriction": "no_left_turn"}, {BIKE, DRIVE}, id="no"
        ),
        pytest.param(
            {"type": "restriction", "restriction": "only_straight_on"}, {BIKE, DRIVE}, id="only"
        ),
        pytest.param(
            {"type": "restriction", "restriction": "no_left_turn", "except": "bicycle"},
            {DRIVE},
            id="except-bicycle",
        ),
        pytest.param(
            {"type": "restriction", "restriction": "no_left_turn", "except": "psv;motorcar"},
            {BIKE},
            id="except-motorcar",
        ),
        pytest.param(
            {"type": "restriction", "restriction:bicycle": "no_left_turn"}, {BIKE}, id="bicycle"
        ),
        pytest.param(
            {"type": "restriction", "restriction:motor_vehicle": "no_u_turn"},
            {DRIVE},
            id="motor-vehicle",
        ),
        pytest.param(
            {"type": "restriction:motorcar", "restriction": "no_right_turn"},
            {DRIVE},
            id="old-type-spelling",
        ),
        pytest.param({"type": "restriction", "restriction:foot": "no_entry"}, {WALK}, id="foot"),
        pytest.param(
            {
                "type": "restriction",
                "restriction:conditional": "no_left_turn @ (Mo-Fr 07:00-09:00)",
            },
            set(),
            id="conditional-left-out",
        ),
        pytest.param({"type": "restriction", "restriction": "give_way"}, set(), id="not-a-ban"),
        pytest.param({"type": "multipolygon"}, set(), id="other-relation"),
    ],
)
def test_which_modes_a_restriction_binds(tags: dict[str, str], bound: set[Mode]) -> None:
    assert {m for m in Mode if restriction_for(7, tags, PLAIN, m) is not None} == bound


def test_a_restriction_reads_its_members() -> None:
    tags = {"type": "restriction", "restriction": "only_right_turn"}
    assert restriction_for(7, tags, PLAIN, DRIVE) == TurnRestriction(7, 1, 3, True, via_node=2)
    via_ways = (Member("way", 1, "from"), Member("way", 4, "via"), Member("way", 3, "to"))
    assert restriction_for(7, tags, via_ways, DRIVE) == TurnRestriction(
        7, 1, 3, True, via_ways=(4,)
    )
    no_to = PLAIN[:2]
    assert restriction_for(7, tags, no_to, DRIVE) is None


# --- real OSM: issue 17's case -------------------------------------------------------------

FROM_WAY, VIA_NODE, TO_WAY = 1214548311, 1918394779, 1214548313


@pytest.fixture(scope="module")
def west_issy_elements(shared_data: Path) -> list[dict[str, Any]]:
    with gzip.open(shared_data / OVERPASS, "rt") as stream:
        elements: list[dict[str, Any]] = json.load(stream)["elements"]
    return elements


def west_issy_with(
    elements: list[dict[str, Any]], tags: dict[str, str], folder: Path
) -> StreetNetwork:
    """A copy of the west-Issy extract with one restriction added, compiled in ``folder``."""
    relation = {
        "type": "relation",
        "id": 1,
        "members": [
            {"type": "way", "ref": FROM_WAY, "role": "from"},
            {"type": "node", "ref": VIA_NODE, "role": "via"},
            {"type": "way", "ref": TO_WAY, "role": "to"},
        ],
        "tags": tags,
    }
    path = folder / "west_issy_restricted.json"
    path.write_text(json.dumps({"elements": [*elements, relation]}))
    return open_street_network(path, cache_dir=folder, modes=[WALK, BIKE, DRIVE])


def ends(elements: list[dict[str, Any]]) -> tuple[tuple[float, float], tuple[float, float]]:
    """Midway along the from way's last segment, and along the to way's first one."""
    nodes = {e["id"]: e for e in elements if e["type"] == "node"}
    via = nodes[VIA_NODE]
    before, after = nodes[2514923118], nodes[11252941998]
    return (
        ((before["lat"] + via["lat"]) / 2, (before["lon"] + via["lon"]) / 2),
        ((after["lat"] + via["lat"]) / 2, (after["lon"] + via["lon"]) / 2),
    )


def test_no_straight_on_in_west_issy_goes_around_like_osrm_and_valhalla(
    west_issy_elements: list[dict[str, Any]], tmp_path: Path
) -> None:
    origin, destination = ends(west_issy_elements)
    tags = {"type": "restriction", "restriction": "no_straight_on"}
    network = west_issy_with(west_issy_elements, tags, tmp_path)
    drive = network.router(DRIVE)
    assert drive.graph.info["turn_restrictions"]["applied"] == 1
    # OSRM and Valhalla: 37 m without the relation, 109 m with it.
    route = drive.route(origin, destination, metric="distance")
    assert route.distance_m == pytest.approx(109, abs=3)
    # The customizable hierarchy (matrices, closures) searches the same split graph.
    matrix = drive.travel_cost_matrix([origin], [destination], metric="distance")
    assert matrix[0, 0] == pytest.approx(route.distance_m, rel=1e-6)
    # The copy of the junction is still OSM node 1918394779 where the route passes it.
    via = drive.graph.node_index(VIA_NODE)
    # Split by the restriction (arriving from way 1214548311 or not: 2 copies on a plain
    # graph), then again for the turn costs of the default drive build (4 here; how many is
    # the expansion's business, tested in test_turn_costs.py): every copy is the OSM node.
    copies = np.flatnonzero(drive.graph.node_osm_id == VIA_NODE)
    assert copies.size >= 2
    assert drive.graph.info["turn_costs"]["nodes_after"] == drive.graph.node_count
    at = (float(drive.graph.node_lat[via]), float(drive.graph.node_lon[via]))
    assert at in route.coordinates
    assert network.router(BIKE).route(origin, destination).distance_m == pytest.approx(109, abs=3)
    # Walkers are bound by no turn restriction.
    assert network.router(WALK).route(origin, destination).distance_m == pytest.approx(37, abs=1)


def test_without_the_relation_or_excepted_the_turn_is_taken(
    west_issy_elements: list[dict[str, Any]], tmp_path: Path
) -> None:
    origin, destination = ends(west_issy_elements)
    tags = {"type": "restriction", "restriction": "no_straight_on", "except": "bicycle"}
    network = west_issy_with(west_issy_elements, tags, tmp_path)
    assert network.router(BIKE).route(origin, destination).distance_m == pytest.approx(37, abs=1)
    assert network.router(DRIVE).route(origin, destination).distance_m > 100
    folder = tmp_path / "plain"
    plain = open_street_network(
        _plain_copy(west_issy_elements, folder), cache_dir=folder, modes=[DRIVE]
    )
    assert plain.router(DRIVE).route(origin, destination).distance_m == pytest.approx(37, abs=1)
    assert plain.router(DRIVE).graph.info["turn_restrictions"] == {}


def _plain_copy(elements: list[dict[str, Any]], folder: Path) -> Path:
    folder.mkdir()
    path = folder / "west_issy.json"
    path.write_text(json.dumps({"elements": elements}))
    return path


def test_the_shared_osm_files_hold_no_restriction_relation(
    west_issy_elements: list[dict[str, Any]], shared_data: Path
) -> None:
    relations = [e for e in west_issy_elements if e["type"] == "relation"]
    assert relations == []
    graphs = street_graphs_from_file(shared_data / "osm/issy_mairie_crossroads_2019.osm.gz")
    assert all("turn_restrictions" not in g.graph for g in graphs.values())


# --- hand-made graphs with known answers -----------------------------------------------------

LAT0, LON0 = 48.82, 2.27
M_PER_DEG_LAT = 111_195.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT0))


def at(x_m: float, y_m: float) -> tuple[float, float]:
    """(lat, lon) ``x_m`` east and ``y_m`` north of the hand-made graphs' origin."""
    return LAT0 + y_m / M_PER_DEG_LAT, LON0 + x_m / M_PER_DEG_LON


def write_osm(
    folder: Path,
    nodes: dict[int, tuple[float, float]],
    ways: dict[int, tuple[list[int], dict[str, str]]],
    relations: list[tuple[dict[str, str], list[tuple[str, int, str]]]],
) -> Path:
    """An OSM XML file of these nodes (metres east, north), ways and relations."""
    parts = ['<?xml version="1.0"?><osm version="0.6">']
    for node, (x, y) in nodes.items():
        lat, lon = at(x, y)
        parts.append(f'<node id="{node}" version="1" lat="{lat:.8f}" lon="{lon:.8f}"/>')
    for way, (refs, tags) in ways.items():
        parts.append(f'<way id="{way}" version="1">')
        parts += [f'<nd ref="{r}"/>' for r in refs]
        parts += [f'<tag k="{k}" v="{v}"/>' for k, v in {"highway": "residential", **tags}.items()]
        parts.append("</way>")
    for i, (tags, members) in enumerate(relations, start=1):
        parts.append(f'<relation id="{i}" version="1">')
        parts += [f'<member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members]
        parts += [f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        parts.append("</relation>")
    parts.append("</osm>")
    path = folder / "hand_made.osm"
    path.write_text("".join(parts))
    return path


def hand_made(folder: Path, *args: Any) -> StreetNetwork:
    return open_street_network(write_osm(folder, *args), cache_dir=folder, modes=[WALK, DRIVE])


# A crossing at C with a one-way south arm and a diagonal S-E, E-N: from the west, only right.
PLUS_NODES = {1: (0.0, 0.0), 2: (-100.0, 0.0), 3: (100.0, 0.0), 4: (0.0, 100.0), 5: (0.0, -100.0)}
PLUS_WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    10: ([2, 1], {}),
    11: ([1, 3], {}),
    12: ([1, 4], {}),
    13: ([1, 5], {"oneway": "yes"}),
    14: ([5, 3], {}),
    15: ([3, 4], {}),
}
DIAGONAL_M = 100 * math.sqrt(2)


@pytest.mark.parametrize(
    ("restriction", "destination", "drive_m"),
    [
        pytest.param("only_right_turn", (50, 0), 50 + 100 + DIAGONAL_M + 50, id="only-east"),
        pytest.param("only_right_turn", (0, 50), 50 + 100 + DIAGONAL_M + 100 + 50, id="only-north"),
        pytest.param("only_right_turn", (0, -50), 100, id="only-the-allowed-turn"),
        # Cars may not turn back at a junction (the default drive build forbids U-turns but
        # at dead ends, as OSRM does): north to N, round by E (the diagonal) and back west
        # to C, then south. On a plain node-split graph it was N and straight back: 300 m.
        pytest.param(
            "no_right_turn", (0, -50), 50 + 100 + DIAGONAL_M + 100 + 50, id="no-right-goes-round"
        ),
        pytest.param("no_right_turn", (50, 0), 100, id="no-right-straight-on"),
    ],
)
def test_a_via_node_restriction_on_a_hand_made_crossing(
    tmp_path: Path,
    restriction: str,
    destination: tuple[float, float],
    drive_m: float,
) -> None:
    relation = (
        {"type": "restriction", "restriction": restriction},
        [
            ("way", 10, "from"),
            ("node", 1, "via"),
            ("way", 13, "to"),
        ],
    )
    network = hand_made(tmp_path, PLUS_NODES, PLUS_WAYS, [relation])
    origin, target = at(-50, 0), at(*destination)
    drive = network.router(DRIVE)
    route = drive.route(origin, target, metric="distance")
    assert route.distance_m == pytest.approx(drive_m, rel=2e-3)
    walk_m = math.dist((-50, 0), (0, 0)) + math.dist((0, 0), destination)
    assert network.router(WALK).route(origin, target).distance_m == pytest.approx(walk_m, rel=2e-3)


def test_two_restrictions_from_one_way_at_one_junction_compose(tmp_path: Path) -> None:
    rules = [
        ({"type": "restriction", "restriction": value}, [
            ("way", 10, "from"),
            ("node", 1, "via"),
            ("way", to, "to"),
        ])
        for value, to in (("no_right_turn", 13), ("no_straight_on", 11))
    ]  # fmt: skip
    network = hand_made(tmp_path, PLUS_NODES, PLUS_WAYS, rules)
    drive = network.router(DRIVE)
    assert drive.graph.info["turn_restrictions"]["applied"] == 2
    # Either ban alone leaves 100 m to one of these; both: left to N. Cars may not turn back
    # at N (a junction: U-turns only at dead ends, the default drive build), so they go on
    # along the diagonal to E, then west to the point on C-E, or on to C and south. (On a
    # plain node-split graph, turning back at N was free: 300 m to either.)
    expected_m = {(50, 0): 50 + 100 + DIAGONAL_M + 50, (0, -50): 50 + 100 + DIAGONAL_M + 150}
    for destination, drive_m in expected_m.items():
        route = drive.route(at(-50, 0), at(*destination), metric="distance")
        assert route.distance_m == pytest.approx(drive_m, rel=2e-3)


# A straight street A-B-C-D (ways 20, 21, 22), a bypass B-P-D (23), a south arm S-B (24) and a
# dead end C-Q (25): no straight on from 20 via the way 21 onto 22.
LINE_NODES = {
    1: (-100.0, 0.0),
    2: (0.0, 0.0),
    3: (100.0, 0.0),
    4: (200.0, 0.0),
    5: (100.0, 100.0),
    6: (0.0, -100.0),
    7: (100.0, -100.0),
}
LINE_WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    20: ([1, 2], {}),
    21: ([2, 3], {}),
    22: ([3, 4], {}),
    23: ([2, 5, 4], {}),
    24: ([6, 2], {}),
    25: ([3, 7], {}),
}


@pytest.mark.parametrize(
    ("origin", "destination", "drive_m"),
    [
        pytest.param((-50, 0), (150, 0), 50 + 2 * DIAGONAL_M + 50, id="banned-takes-bypass"),
        pytest.param((0, -50), (150, 0), 200, id="other-from-way-passes"),
        pytest.param((-50, 0), (100, -50), 200, id="other-exit-of-via-way"),
        pytest.param((-50, 0), (50, 0), 100, id="along-the-via-way"),
        pytest.param((150, 0), (-50, 0), 200, id="other-direction"),
    ],
)
def test_a_via_way_restriction_on_a_hand_made_street(
    tmp_path: Path,
    origin: tuple[float, float],
    destination: tuple[float, float],
    drive_m: float,
) -> None:
    relation = (
        {"type": "restriction", "restriction": "no_straight_on"},
        [
            ("way", 20, "from"),
            ("way", 21, "via"),
            ("way", 22, "to"),
        ],
    )
    network = hand_made(tmp_path, LINE_NODES, LINE_WAYS, [relation])
    drive = network.router(DRIVE)
    assert drive.graph.info["turn_restrictions"]["applied"] == 1
    route = drive.route(at(*origin), at(*destination), metric="distance")
    assert route.distance_m == pytest.approx(drive_m, rel=2e-3)
    # Copies keep the OSM ids: every node of the graph is one of the file's.
    assert set(np.unique(drive.graph.node_osm_id).tolist()) <= set(LINE_NODES)


def test_a_restriction_whose_ways_are_not_there_changes_nothing(tmp_path: Path) -> None:
    relation = (
        {"type": "restriction", "restriction": "no_left_turn"},
        [
            ("way", 10, "from"),
            ("node", 1, "via"),
            ("way", 99, "to"),
        ],
    )
    network = hand_made(tmp_path, PLUS_NODES, PLUS_WAYS, [relation])
    drive = network.router(DRIVE)
    assert drive.graph.info["turn_restrictions"] == {
        "applied": 0,
        "skipped": 1,
        "skipped_ids": [1],
    }
    # The graph is the one built without the relation (the drive build splits junctions
    # for turn costs anyway, so count against that build rather than the file's 5 nodes).
    (tmp_path / "without").mkdir()
    without = hand_made(tmp_path / "without", PLUS_NODES, PLUS_WAYS, []).router(DRIVE).graph
    assert drive.graph.node_count == without.node_count > len(PLUS_NODES)
    assert drive.graph.edge_count == without.edge_count
    assert np.array_equal(np.sort(drive.graph.node_osm_id), np.sort(without.node_osm_id))
    assert np.array_equal(np.sort(drive.graph.duration_s), np.sort(without.duration_s))
