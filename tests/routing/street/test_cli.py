"""The street commands of ``issy-mobility`` on the real Meudon / west Issy OSM extract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marketplace.cli import main

# Both points lie on streets of the extract (Bas-Meudon, by Issy's south-west corner).
FROM = "48.8150,2.2420"
TO = "48.8240,2.2520"


@pytest.fixture(scope="module")
def artefact(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "meudon.streets"
    source = shared_data / "osm" / "meudon_drive_overpass_issy_west_2024-12-14.json.gz"
    assert main(["graph", "build", "--streets", str(source), "--out", str(out)]) == 0
    return out


def test_graph_info_prints_counts_per_mode(
    artefact: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", "info", "--streets", str(artefact), "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert set(manifest["modes"]) == {"walk", "bike", "drive"}
    # Cars and bikes turn at a cost by default on tagged OSM (issue 17): their graphs hold a
    # copy of a street per way of arriving at it, so compare the streets before the copies.
    drive, walk = manifest["modes"]["drive"], manifest["modes"]["walk"]
    assert drive["turn_costs"]["edges_after"] == drive["edges"]
    assert drive["turn_costs"]["edges_before"] < walk["edges"]
    assert manifest["modes"]["bike"]["turn_costs"]["nodes_after"] > 0
    assert walk["turn_costs"] == {}
    assert manifest["source"].endswith(".json.gz")
    assert len(manifest["modes"]["walk"]["sha256"]) == 64


def test_route_prints_named_steps(artefact: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["route", "--streets", str(artefact), "--from", FROM, "--to", TO, "--mode", "bike"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("bike: ")
    assert "Partez vers " in out and "Vous êtes arrivé à destination" in out
    assert "Rue " in out or "Avenue " in out  # real OSM names reach the directions
    assert "OpenStreetMap" in out


def test_route_geojson(artefact: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--streets", str(artefact), "--from", FROM, "--to", TO, "--geojson"]) == 0
    feature = json.loads(capsys.readouterr().out)
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["distance_m"] > 1000


def test_isochrone_geojson(artefact: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["isochrone", "--streets", str(artefact), "--from", FROM, "--minutes", "5"]) == 0
    feature = json.loads(capsys.readouterr().out)
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert feature["properties"]["area_km2"] > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--from", "48.90,2.35", "--to", TO], "km from the nearest street", id="outside"
        ),
        pytest.param(
            ["--from", "2.2420,48.8150", "--to", TO], "looks like (longitude", id="swapped"
        ),
        pytest.param(["--from", "nan,2.24", "--to", TO], "not finite", id="nan"),
    ],
)
def test_bad_points_exit_2_with_a_message(
    artefact: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["route", "--streets", str(artefact), *argv]) == 2
    assert message in capsys.readouterr().err


def test_unparsable_coordinate_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["route", "--streets", "x", "--from", "north", "--to", TO])
    assert exit_info.value.code == 2
    assert "accepted: LAT,LON" in capsys.readouterr().err


def test_missing_and_corrupt_sources_name_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["graph", "info", "--streets", str(tmp_path / "nowhere.osm")]) == 2
    assert "no such file" in capsys.readouterr().err
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1' lat='48.8' lon='2.2'><tag k=")
    assert main(["graph", "info", "--streets", str(broken)]) == 2
    assert "broken.osm" in capsys.readouterr().err
    monkeypatch.setattr("marketplace.cli.streets.default_streets_source", lambda explicit: None)
    assert main(["route", "--from", FROM, "--to", TO]) == 2
    assert "--streets PATH" in capsys.readouterr().err


def test_graph_build_other_than_the_default_needs_its_own_folder(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The default build of tagged OSM turns at a cost for drive and bike; the artefact cache
    # holds that build only, so any other needs --out.
    source = shared_data / "osm" / "meudon_drive_overpass_issy_west_2024-12-14.json.gz"
    args = ["graph", "build", "--streets", str(source), "--modes", "drive"]
    for other in (["--turn-costs", "none"], ["--turn-costs", "drive"], ["--bike-speed", "20"]):
        assert main([*args, *other]) == 2
        assert "need --out FOLDER" in capsys.readouterr().err
    # Some modes only, with the default rules: a cached build without walking would be
    # served as this source's whole network.
    assert main(args) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "--modes drive needs --out FOLDER: the artefact cache holds builds of every mode "
            "(walk,bike,drive)"
        )
    )
    for wrong in ("walk", "", "none,drive"):
        assert main([*args, "--turn-costs", wrong, "--out", str(tmp_path / "x")]) == 2
        assert "accepted: a comma-separated list of drive, bike, or none" in (
            capsys.readouterr().err
        )
    assert not (tmp_path / "x").exists()
    built = {}
    for name, option in (("none", ["--turn-costs", "none"]), ("default", [])):
        out = tmp_path / f"{name}.streets"
        assert main([*args, *option, "--out", str(out)]) == 0
        capsys.readouterr()
        assert main(["graph", "info", "--streets", str(out), "--json"]) == 0
        built[name] = json.loads(capsys.readouterr().out)["modes"]["drive"]
    plain, turns = built["none"], built["default"]
    assert plain["turn_costs"] == {}
    assert turns["turn_costs"]["nodes_before"] == plain["nodes"]
    assert turns["turn_costs"]["nodes_after"] == turns["nodes"] > plain["nodes"]
    # The same streets, however many copies the turns made of them.
    assert turns["total_length_km"] == pytest.approx(plain["total_length_km"], abs=0.002)
