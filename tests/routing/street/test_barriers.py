"""Barrier nodes per mode: the tag rules, and what a street graph read from OSM makes of them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from routing.street.barriers import blocks
from routing.street.modes import Mode
from routing.street.readers.osm import street_graphs_from_file

WALK, BIKE, DRIVE = Mode.WALK, Mode.BIKE, Mode.DRIVE


@pytest.mark.parametrize(
    ("tags", "closed_to"),
    [
        pytest.param({"barrier": "bollard"}, {DRIVE}, id="bollard"),
        pytest.param({"barrier": "block"}, {DRIVE}, id="block"),
        pytest.param({"barrier": "cycle_barrier"}, {DRIVE}, id="cycle-barrier"),
        pytest.param({"barrier": "gate"}, set(), id="gate-opens"),
        pytest.param({"barrier": "lift_gate"}, set(), id="lift-gate"),
        pytest.param({"barrier": "height_restrictor"}, set(), id="height-restrictor"),
        pytest.param(
            {"barrier": "gate", "motor_vehicle": "no", "foot": "yes"}, {DRIVE}, id="gate-no-cars"
        ),
        pytest.param({"barrier": "gate", "access": "private"}, {WALK, BIKE, DRIVE}, id="private"),
        pytest.param(
            {"barrier": "gate", "access": "private", "foot": "yes"}, {BIKE, DRIVE}, id="foot-yes"
        ),
        pytest.param({"barrier": "bollard", "motor_vehicle": "yes"}, set(), id="bollard-cars-yes"),
        pytest.param({"barrier": "fence"}, {WALK, BIKE, DRIVE}, id="fence"),
        pytest.param({"barrier": "turnstile"}, {BIKE, DRIVE}, id="turnstile"),
        pytest.param({"barrier": "no"}, set(), id="barrier-no"),
        pytest.param({"highway": "crossing", "bicycle": "no"}, set(), id="crossing-not-a-barrier"),
        pytest.param({}, set(), id="untagged"),
    ],
)
def test_which_modes_a_barrier_stops(tags: dict[str, str], closed_to: set[Mode]) -> None:
    assert {mode for mode in Mode if blocks(tags, mode)} == closed_to


def test_a_bollard_in_osm_xml_cuts_the_street_for_cars_only(tmp_path: Path) -> None:
    step = 100 / (111_320 * math.cos(math.radians(48.82)))
    nodes = "".join(
        f'<node id="{i}" version="1" lat="48.82" lon="{2.27 + i * step:.7f}">'
        + ('<tag k="barrier" v="bollard"/>' if i == 2 else "")
        + "</node>"
        for i in range(1, 5)
    )
    way = (
        '<way id="1" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>'
        '<tag k="highway" v="residential"/></way>'
    )
    path = tmp_path / "bollard.osm"
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{way}</osm>')
    graphs = street_graphs_from_file(path, [WALK, DRIVE])
    assert set(graphs[WALK].edges()) == {(1, 4), (4, 1)}  # walkers pass, one street
    assert set(graphs[DRIVE].edges()) == {(3, 4), (4, 3)}  # cars: the bollard ends it
