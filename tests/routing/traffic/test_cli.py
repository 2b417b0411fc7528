"""``issy-mobility traffic`` on the real Meudon / west Issy OSM extract (drive graph only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marketplace.cli import main
from routing.street.modes import Mode
from routing.street.network import build_artefact

MEUDON = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
EXPORTS = {
    "segments.geojson",
    "segments.csv",
    "hotspots.geojson",
    "hotspots.csv",
    "hotspots.png",
    "summary.json",
}
# Three points on streets of the extract: Bas-Meudon, west Issy, and Val Fleury (Meudon).
ZONES = (
    "zone_id,lat,lon\n"
    "bas_meudon,48.8150,2.2420\n"
    "issy_west,48.8240,2.2520\n"
    "val_fleury,48.8050,2.2300\n"
)
TRIPS = (
    "origin,destination,period,trips\n"
    "bas_meudon,issy_west,morning_peak,2400\n"
    "val_fleury,issy_west,morning_peak,1200\n"
    "issy_west,bas_meudon,evening_peak,2000\n"
)


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("traffic") / "meudon.streets"
    build_artefact(shared_data / MEUDON, out, modes=(Mode.DRIVE,))
    return out


def od_files(folder: Path, zones: str = ZONES, trips: str = TRIPS) -> list[str]:
    (folder / "zones.csv").write_text(zones)
    (folder / "trips.csv").write_text(trips)
    return ["--od-zones", str(folder / "zones.csv"), "--od-trips", str(folder / "trips.csv")]


def test_assign_writes_every_export_and_a_summary(
    streets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["traffic", "assign", "--streets", str(streets), *od_files(tmp_path)]
    assert main([*argv, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "iteration 1: relative gap" in captured.err
    assert captured.out.startswith("morning_peak: gap ")
    assert {p.name for p in out.iterdir()} == EXPORTS
    summary = json.loads((out / "summary.json").read_text())
    assert summary["converged"] is True and summary["relative_gap"] <= 1e-4
    assert summary["iterations"] > 1
    assert summary["totals"]["demand_veh_h"] == pytest.approx(1800.0)  # 3600 trips over 2 h
    assert summary["totals"]["hotspots"] >= 1
    assert summary["top_hotspots"][0]["rank"] == 1
    assert summary["top_hotspots"][0]["streets"]  # real OSM names reach the planners
    hotspots = json.loads((out / "hotspots.geojson").read_text())
    assert len(hotspots["features"]) == summary["totals"]["hotspots"]


def test_assign_the_issy_demand_restricted_to_the_extract(
    streets: Path, shared_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "issy"
    argv = ["traffic", "assign", "--streets", str(streets), "--issy-demand", str(shared_data)]
    argv += ["--restrict-to-network", "--period", "evening_peak", "--out", str(out), "--no-png"]
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["period"] == "evening_peak" and summary["converged"] is True
    assert summary["zones"] >= 3
    assert summary["totals"]["demand_veh_h"] > 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"period": "night"}, "period 'night' does not exist", id="period"),
        pytest.param(
            {"trips": "origin,destination,period,trips\nbas_meudon,issy_west,morning_peak,lots\n"},
            "trips.csv line 2: trips 'lots' is not a number",
            id="malformed-trips",
        ),
        pytest.param(
            {"zones": ZONES + "paris,48.8566,2.3522\n"},
            "zone 'paris' centroid (48.85660, 2.35220) lies",
            id="zone-outside",
        ),
        pytest.param({"demand": "none"}, "give the demand as either", id="no-demand"),
        pytest.param({"demand": "issy"}, "lie off this drive network", id="issy-unrestricted"),
    ],
)
def test_bad_input_fails_clearly_and_keeps_the_previous_results(
    streets: Path,
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
    message: str,
) -> None:
    out = tmp_path / "out"
    good = ["traffic", "assign", "--streets", str(streets), "--no-png", "--out", str(out)]
    assert main([*good, *od_files(tmp_path)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    demand = od_files(tmp_path, change.get("zones", ZONES), change.get("trips", TRIPS))
    if change.get("demand") == "none":
        demand = []
    elif change.get("demand") == "issy":
        demand = ["--issy-demand", str(shared_data)]
    argv = [*good, *demand, "--period", change.get("period", "morning_peak")]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_scenario_writes_the_comparison(
    streets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scenario.json"
    argv = ["traffic", "scenario", "--streets", str(streets), *od_files(tmp_path)]
    # Way 4786930: a two-lane stretch of Rue du Docteur Lombard on the loaded route.
    argv += ["--close", "Rue de Paris", "--remove-lane-way", "4786930", "--out", str(out)]
    assert main(argv) == 0
    comparison = json.loads(out.read_text())
    assert comparison["edits"] == ["street 'Rue de Paris' closed", "a lane removed on way 4786930"]
    assert comparison["closed_edges"] > 0
    assert comparison["scenario"]["vehicle_hours"] > comparison["base"]["vehicle_hours"]
    assert comparison["most_changed_segments"][0]["volume_change_veh_h"] != 0
    assert "vehicle-hours" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            ["--close", "Rue Hedouin"],
            "no street named 'Rue Hedouin' in the drive network; did you mean 'Rue Hédouin'",
            id="unknown-street",
        ),
        pytest.param(["--close-way", "1"], "no OSM way 1 in the drive network", id="unknown-way"),
        pytest.param(
            ["--close", "Rue Hédouin"],
            "with street 'Rue Hédouin' closed, 1 zone pair(s) carrying 1200.0 veh/h have no "
            "route left: bas_meudon -> issy_west",
            id="cut-off",
        ),
        pytest.param([], "a scenario needs an edit", id="no-edit"),
    ],
)
def test_scenario_bad_edits_fail_clearly_and_write_nothing(
    streets: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: list[str],
    message: str,
) -> None:
    out = tmp_path / "scenario.json"
    argv = ["traffic", "scenario", "--streets", str(streets), *od_files(tmp_path), *edit]
    assert main([*argv, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.glob("*.json")) == []
