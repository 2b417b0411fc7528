"""``seed open-data`` against the real open data: counts computed here from the files,
idempotency, and bad input that loads nothing."""

from __future__ import annotations

import csv
import gzip
import json
import math
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, SQLModel, col, func, select

from marketplace.cli import main
from marketplace.db import Database
from marketplace.ingest.datafiles import DataFileError
from marketplace.ingest.open_data import OpenData, read_open_data
from marketplace.ingest.seed import VELIB_SERVICE, seed_open_data
from marketplace.models import (
    MobilityService,
    Place,
    PlaceKind,
    PricingPlan,
    Region,
    ServiceKind,
    ServiceStatus,
    Station,
    StationAvailability,
    VehicleType,
)


def _issy_bbox(shared_data: Path) -> tuple[float, float, float, float]:
    """(south, north, west, east) of Nominatim's own bounding box of the commune."""
    reply = json.loads(
        gzip.decompress((shared_data / "osm/issy_boundary_nominatim_2023-05.json.gz").read_bytes())
    )
    south, north, west, east = (float(v) for v in reply[0]["boundingbox"])
    return south, north, west, east


def _inside(
    lat: float, lon: float, box: tuple[float, float, float, float], margin_m: float = 0
) -> bool:
    south, north, west, east = box
    dlat = margin_m / 111_195
    dlon_s = margin_m / (111_195 * math.cos(math.radians(south)))
    dlon_n = margin_m / (111_195 * math.cos(math.radians(north)))
    return south - dlat <= lat <= north + dlat and west - dlon_s <= lon <= east + dlon_n


def _lat_lon(geo_point: str) -> tuple[float, float]:
    lat, lon = (float(v) for v in geo_point.split(","))
    return lat, lon


def _velib_in_box(shared_data: Path) -> dict[str, dict[str, Any]]:
    info = json.loads(
        (shared_data / "bikeshare/velib_station_information_2025-10-18.json").read_text()
    )
    box = _issy_bbox(shared_data)
    return {
        str(s["station_id"]): s
        for s in info["data"]["stations"]
        if _inside(s["lat"], s["lon"], box, 1000)
    }


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def open_data(shared_data: Path) -> OpenData:
    return read_open_data(shared_data)


def _count(session: Session, model: type[SQLModel], *where: Any) -> int:
    count: int = session.exec(select(func.count()).select_from(model).where(*where)).one()
    return count


def test_the_seed_loads_what_the_files_hold(
    database: Database, open_data: OpenData, shared_data: Path
) -> None:
    report = database.call(seed_open_data, open_data)
    assert report.changed
    velib = _velib_in_box(shared_data)
    status = json.loads(
        (shared_data / "bikeshare/velib_station_status_2025-10-18.json").read_text()
    )
    reported = {str(s["station_id"]): s["last_reported"] for s in status["data"]["stations"]}
    box = _issy_bbox(shared_data)
    with gzip.open(
        shared_data / "transit/ratp_gtfs_full_stops_2019.txt.gz", "rt", encoding="utf-8"
    ) as f:
        ratp = {
            (r["stop_name"], float(r["stop_lat"]), float(r["stop_lon"]))
            for r in csv.DictReader(f)
            if _inside(float(r["stop_lat"]), float(r["stop_lon"]), box)
        }
    with gzip.open(
        shared_data / "transit/idfm_emplacement_des_gares_idf_2025.csv.gz",
        "rt",
        encoding="utf-8-sig",
    ) as f:
        idfm = [
            r
            for r in csv.DictReader(f, delimiter=";")
            if _inside(*_lat_lon(r["geo_point_2d"]), box)
        ]
    pois = json.loads(
        gzip.decompress(
            (shared_data / "geocoding/issy_poi_data_issy_com_2014.json.gz").read_bytes()
        )
    )
    pois_in = [p for p in pois if _inside(p["fields"]["latitude"], p["fields"]["longitude"], box)]

    with database.session() as session:
        service = session.exec(
            select(MobilityService).where(MobilityService.name == VELIB_SERVICE)
        ).one()
        assert (service.kind, service.status) == (ServiceKind.BIKE_SHARE, ServiceStatus.PUBLISHED)
        # Described in the city's language, as the data is.
        assert service.description is not None
        assert service.description.startswith("Stations Vélib' Métropole d'Issy-les-Moulineaux")
        stations = session.exec(select(Station).where(Station.service_id == service.id)).all()
        assert len(velib) > 40 and {s.external_id for s in stations} == set(velib)
        mairie = next(s for s in stations if velib[s.external_id]["stationCode"] == "21309")
        assert (mairie.name, mairie.capacity) == (
            "Mairie d'Issy",
            velib[mairie.external_id]["capacity"],
        )
        availability = session.exec(
            select(StationAvailability).where(
                col(StationAvailability.station_id).in_([s.id for s in stations])
            )
        ).all()
        by_station = {s.id: s.external_id for s in stations}
        assert len(availability) == len(velib)
        for row in availability:  # the snapshot's own reading times, never "now"
            assert row.reported_at == datetime.fromtimestamp(
                reported[by_station[row.station_id]], UTC
            )
        assert _count(session, PricingPlan, PricingPlan.service_id == service.id) == 0
        assert _count(session, VehicleType, VehicleType.service_id == service.id) == 0

        transit = session.exec(
            select(MobilityService).where(MobilityService.kind == ServiceKind.PUBLIC_TRANSPORT)
        ).all()
        stops = {t.name: _count(session, Station, Station.service_id == t.id) for t in transit}
        assert stops.pop("RATP (arrêts, sans horaires)") == len(ratp)
        assert sum(stops.values()) == len(idfm) == 18
        assert len(stops) == len({r["res_com"] for r in idfm})
        assert all(t.status is ServiceStatus.PUBLISHED for t in transit)
        assert all("aucun départ n'est publié" in (t.description or "") for t in transit)

        assert _count(session, Place, Place.kind == PlaceKind.POI) == len(pois_in)
        addresses = {
            " ".join(p["fields"]["adresse"].casefold().split())
            for p in pois_in
            if p["fields"].get("adresse")
        }
        assert _count(session, Place, Place.kind == PlaceKind.ADDRESS) == len(addresses)
        region = session.exec(select(Region)).one()
        assert region.name == "Issy-les-Moulineaux"
        assert json.loads(region.boundary_geojson)["type"] == "Polygon"


def test_a_second_run_changes_nothing(database: Database, open_data: OpenData) -> None:
    database.call(seed_open_data, open_data)
    with database.session() as session:
        before = [
            (s.id, s.updated_at) for s in session.exec(select(Station).order_by(col(Station.id)))
        ]
    again = database.call(seed_open_data, open_data)
    assert not again.changed
    assert all(p.created == p.updated == 0 for p in again.parts.values())
    with database.session() as session:
        after = [
            (s.id, s.updated_at) for s in session.exec(select(Station).order_by(col(Station.id)))
        ]
        assert _count(session, MobilityService) == 8
    assert before == after


def test_a_rerun_rewords_an_older_english_description(
    database: Database, open_data: OpenData
) -> None:
    database.call(seed_open_data, open_data)
    older = "Vélib' Métropole docking stations in Issy-les-Moulineaux and 1 km around."
    with database.session() as session:
        velib = session.exec(
            select(MobilityService).where(MobilityService.name == VELIB_SERVICE)
        ).one()
        velib.description = older
        session.add(velib)
        session.commit()
    again = database.call(seed_open_data, open_data)
    assert again.changed and again.services_described == 1
    with database.session() as session:
        velib = session.exec(
            select(MobilityService).where(MobilityService.name == VELIB_SERVICE)
        ).one()
        assert velib.description is not None and velib.description.startswith("Stations Vélib'")
        assert velib.status is ServiceStatus.PUBLISHED
    assert not database.call(seed_open_data, open_data).changed


def _copy_data(shared_data: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(shared_data, copy, ignore=shutil.ignore_patterns("streets", "traffic"))
    return copy


@pytest.mark.parametrize(
    ("file", "damage", "problem"),
    [
        pytest.param(
            "geocoding/issy_poi_data_issy_com_2014.json.gz",
            "truncate",
            "truncated or corrupt gzip",
            id="truncated-gzip",
        ),
        pytest.param(
            "transit/ratp_gtfs_full_stops_2019.txt.gz", "delete", "missing file", id="missing-file"
        ),
        pytest.param(
            "bikeshare/velib_station_status_2025-10-18.json",
            "garble",
            "malformed JSON at line",
            id="malformed-json",
        ),
    ],
)
def test_bad_input_names_the_file_and_loads_nothing(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    file: str,
    damage: str,
    problem: str,
) -> None:
    data = _copy_data(shared_data, tmp_path)
    target = data / file
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    elif damage == "delete":
        target.unlink()
    else:
        target.write_text(target.read_text()[:-200] + "}}")
    with pytest.raises(DataFileError) as raised:
        read_open_data(data)
    assert raised.value.path == target and problem in raised.value.message

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.sqlite3'}")

    assert main(["migrate"]) == 0  # as an operator does first
    assert main(["seed", "open-data", "--data", str(data)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(target) in err[0] and problem in err[0]
    database = Database(f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    with database.session() as session:
        assert (
            _count(session, MobilityService)
            == _count(session, Place)
            == _count(session, Region)
            == 0
        )
    database.dispose()


def test_a_missing_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    assert main(["migrate"]) == 0  # as an operator does first
    assert main(["seed", "open-data", "--data", str(tmp_path / "nowhere")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"error: {tmp_path / 'nowhere'}: missing folder (give --data or set "
        "ISSY_SHARED_DATA); nothing was loaded"
    )


def test_if_empty_seeds_once_and_skips_a_missing_folder(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    assert main(["migrate"]) == 0  # as an operator does first
    assert main(["seed", "open-data", "--if-empty", "--data", str(tmp_path / "nowhere")]) == 0
    assert "seed skipped" in capsys.readouterr().out
    assert main(["seed", "open-data", "--if-empty", "--data", str(shared_data)]) == 0
    out = capsys.readouterr().out
    assert "Vélib' stations: " in out and "2025-10-18 09:09 UTC" in out
    assert main(["seed", "open-data", "--if-empty", "--data", str(shared_data)]) == 0
    assert "open-data seed skipped" in capsys.readouterr().out
    assert main(["seed", "open-data", "--data", str(shared_data)]) == 0
    assert "nothing changed" in capsys.readouterr().out
