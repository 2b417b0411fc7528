"""GBFS import: the real Vélib' snapshot, idempotent re-import, skipped rows, bad documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from marketplace.cli import main
from marketplace.errors import InvalidInput
from marketplace.ingest.sources import feed_name, read_gbfs_sources
from marketplace.models import Station, StationAvailability
from tests.marketplace.helpers import Api, Partners, published_service

IMPORT = """mutation($id: ID!, $feeds: JSON!) {
  importGbfs(serviceId: $id, feeds: $feeds) {
    counts { feed created updated } skippedCount skipped { feed id reason }
    service { name status } } }"""


@pytest.fixture(scope="module")
def velib(shared_data: Path) -> dict[str, Any]:
    folder = shared_data / "bikeshare"
    return {
        "station_information": json.loads(
            (folder / "velib_station_information_2025-10-18.json").read_text()
        ),
        "station_status": json.loads((folder / "velib_station_status_2025-10-18.json").read_text()),
    }


@pytest.fixture(scope="module")
def velib_30(velib: dict[str, Any]) -> dict[str, Any]:
    """The first 30 stations of the snapshot, for tests that only need some."""
    return {
        feed: {**document, "data": {"stations": document["data"]["stations"][:30]}}
        for feed, document in velib.items()
    }


def counts(api: Api) -> tuple[int, int]:
    def count(session: Any) -> tuple[int, int]:
        stations = session.exec(select(func.count()).select_from(Station)).one()
        availability = session.exec(select(func.count()).select_from(StationAvailability)).one()
        return stations, availability

    return api.db.call(count)


def test_import_the_velib_snapshot_then_again(
    api: Api, partners: Partners, velib: dict[str, Any]
) -> None:
    service = published_service(api, partners.a, name="Vélib' Métropole", serviceArea=None)
    first = api.ok(IMPORT, {"id": service["id"], "feeds": velib}, key=partners.a)["importGbfs"]
    assert first["counts"] == [
        {"feed": "station_information", "created": 1495, "updated": 0},
        {"feed": "station_status", "created": 1495, "updated": 0},
    ]
    assert first["skippedCount"] == 0
    assert counts(api) == (1495, 1495)

    again = api.ok(IMPORT, {"id": service["id"], "feeds": velib}, key=partners.a)["importGbfs"]
    assert again["counts"] == [
        {"feed": "station_information", "created": 0, "updated": 1495},
        {"feed": "station_status", "created": 0, "updated": 1495},
    ]
    assert counts(api) == (1495, 1495)

    # The Mairie d'Issy station, as Vélib' reported it, is found near the town hall.
    query = """{ stationsNear(lat: 48.8245, lon: 2.2735, radiusM: 400, first: 50) {
      station { name capacity availability { vehiclesAvailable docksAvailable } } } }"""
    names = [hit["station"]["name"] for hit in api.ok(query)["stationsNear"]]
    assert "Mairie d'Issy" in names


def test_bad_rows_are_skipped_with_reasons(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    feeds = {
        "station_information": {
            "data": {
                "stations": [
                    {"station_id": "ok", "name": "Mairie", "lat": 48.8245, "lon": 2.2735},
                    {"station_id": "lyon", "name": "Bellecour", "lat": 45.757, "lon": 4.832},
                    {"station_id": "nolat", "name": "Nowhere", "lon": 2.27},
                    {"station_id": "neg", "name": "N", "lat": 48.82, "lon": 2.27, "capacity": -3},
                    {"station_id": "ok", "name": "Twice", "lat": 48.8245, "lon": 2.2735},
                    # GBFS 3.0: localised names
                    {
                        "station_id": "v3",
                        "name": [{"text": "Corentin Celton", "language": "fr"}],
                        "lat": 48.827,
                        "lon": 2.279,
                    },
                ]
            }
        },
        "station_status": {
            "data": {
                "stations": [
                    {
                        "station_id": "ok",
                        "num_vehicles_available": 3,
                        "num_docks_available": 9,
                        "last_reported": "2025-10-18T09:00:00Z",
                    },
                    {"station_id": "ghost", "num_bikes_available": 1},
                    {"station_id": "v3", "num_bikes_available": -1},
                ]
            }
        },
        "geofencing_zones": {
            "data": {
                "geofencing_zones": {
                    "type": "FeatureCollection",
                    "features": [
                        _zone("no-parking", 2.270, 48.824, ride_end_allowed=False),
                        _zone("slow", 2.280, 48.830, ride_end_allowed=True),
                        {
                            "type": "Feature",
                            "geometry": None,
                            "properties": {"rules": [{"ride_allowed": False}]},
                        },
                    ],
                }
            }
        },
    }
    report = api.ok(IMPORT, {"id": service["id"], "feeds": feeds}, key=partners.a)["importGbfs"]
    assert report["counts"] == [
        {"feed": "geofencing_zones", "created": 0, "updated": 1},
        {"feed": "station_information", "created": 2, "updated": 0},
        {"feed": "station_status", "created": 1, "updated": 0},
    ]
    reasons = {(s["feed"], s["id"]): s["reason"] for s in report["skipped"]}
    assert "km from Issy" in reasons[("station_information", "lyon")]
    assert "lat/lon missing" in reasons[("station_information", "nolat")]
    assert "capacity -3" in reasons[("station_information", "neg")]
    assert "repeated id" in reasons[("station_information", "ok")]
    assert reasons[("station_status", "ghost")] == "unknown station"
    assert "is not a count" in reasons[("station_status", "v3")]
    assert "unreadable geometry" in reasons[("geofencing_zones", "2")]
    stored = api.ok(
        "query($id: ID!) { service(id: $id) { noParkingArea } }",
        {"id": service["id"]},
        key=partners.a,
    )["service"]["noParkingArea"]
    # Only the zone where rides may not end is kept, as a MultiPolygon.
    assert stored["type"] == "MultiPolygon" and len(stored["coordinates"]) == 1
    assert stored["coordinates"][0][0][0] == pytest.approx([2.270, 48.824])


def _zone(name: str, lon: float, lat: float, *, ride_end_allowed: bool) -> dict[str, object]:
    """A small square GBFS 3.0 geofencing zone with one rule."""
    ring = [
        [lon, lat],
        [lon + 0.002, lat],
        [lon + 0.002, lat + 0.002],
        [lon, lat + 0.002],
        [lon, lat],
    ]
    return {
        "type": "Feature",
        "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
        "properties": {
            "name": [{"text": name, "language": "fr"}],
            "rules": [{"ride_end_allowed": ride_end_allowed}],
        },
    }


def test_more_vehicles_than_places_is_skipped_with_the_reason(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    place = {"name": "Mairie", "lat": 48.8245, "lon": 2.2735}
    feeds = {
        "station_information": {
            "data": {
                "stations": [
                    {"station_id": "small", "capacity": 10, **place},
                    {"station_id": "open", **place},
                    {"station_id": "huge", "capacity": 1e20, **place},
                ]
            }
        },
        "station_status": {
            "data": {
                "stations": [
                    {"station_id": "small", "num_vehicles_available": 500},
                    {"station_id": "open", "num_vehicles_available": 4},
                ]
            }
        },
    }
    report = api.ok(IMPORT, {"id": service["id"], "feeds": feeds}, key=partners.a)["importGbfs"]
    reasons = {(s["feed"], s["id"]): s["reason"] for s in report["skipped"]}
    assert (
        "vehiclesAvailable is 500; the station has 10 places"
        in (reasons[("station_status", "small")])
    )
    assert "is not a count from 0 to 10000" in reasons[("station_information", "huge")]
    stored = api.db.call(
        lambda s: s.exec(
            select(Station.external_id, StationAvailability.vehicles_available).join(
                StationAvailability, col(StationAvailability.station_id) == col(Station.id)
            )
        ).all()
    )
    assert [tuple(row) for row in stored] == [("open", 4)]


@pytest.mark.parametrize(
    ("feeds", "fragment"),
    [
        pytest.param({"station_information": []}, "expected an object", id="not-an-object"),
        pytest.param(
            {"station_information": {"data": {"nope": []}}},
            "data.stations as a list",
            id="no-stations",
        ),
        pytest.param({"trip_updates": {}}, "unknown GBFS feed(s) trip_updates", id="unknown-feed"),
        pytest.param({}, "(none given)", id="empty"),
        pytest.param([1, 2], "feeds must be an object", id="not-a-mapping"),
    ],
)
def test_malformed_documents_are_rejected_and_nothing_changes(
    api: Api, partners: Partners, velib_30: dict[str, Any], feeds: Any, fragment: str
) -> None:
    service = published_service(api, partners.a)
    api.ok(IMPORT, {"id": service["id"], "feeds": velib_30}, key=partners.a)
    error = api.error(
        IMPORT,
        {"id": service["id"], "feeds": feeds | {"station_status": {"bad": 1}}}
        if isinstance(feeds, dict) and feeds
        else {"id": service["id"], "feeds": feeds},
        key=partners.a,
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]
    assert counts(api) == (30, 30)


def test_only_the_owner_imports(api: Api, partners: Partners) -> None:
    service = published_service(api, partners.a)
    feeds: dict[str, Any] = {"station_information": {"data": {"stations": []}}}
    error = api.error(IMPORT, {"id": service["id"], "feeds": feeds}, key=partners.b)
    assert error["extensions"]["code"] == "FORBIDDEN"


def test_feed_names_from_file_names() -> None:
    assert feed_name("velib_station_information_2025-10-18.json") == "station_information"
    assert feed_name("https://x/gbfs/3.0/station_status.json") == "station_status"
    assert feed_name("free_bike_status.json") == "free_bike_status"
    assert feed_name("vehicle_status.json") == "vehicle_status"
    assert feed_name("system_alerts.json") is None


def test_discovery_file_is_followed() -> None:
    discovery = {
        "data": {
            "feeds": [
                {"name": "system_information", "url": "https://x/system_information.json"},
                {"name": "station_information", "url": "https://x/si.json"},
            ]
        }
    }
    fetched: list[str] = []

    def fetch(url: str) -> Any:
        fetched.append(url)
        return discovery if url.endswith("gbfs.json") else {"data": {"stations": []}}

    documents = read_gbfs_sources(["https://x/gbfs.json"], fetch=fetch)
    assert list(documents) == ["station_information"]
    assert fetched == ["https://x/gbfs.json", "https://x/si.json"]
    with pytest.raises(InvalidInput, match="cannot tell which GBFS feed"):
        read_gbfs_sources(["https://x/data.json"], fetch=fetch)


def test_cli_import(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["migrate"]) == 0  # as an operator does first
    assert main(["partner", "create", "--name", "Vélib' Métropole"]) == 0
    folder = str(shared_data / "bikeshare")
    argv = ["import", "gbfs", folder, "--partner", "1", "--name", "Vélib'", "--publish"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "station_information: 1495 created, 0 updated" in out
    assert "station_status: 1495 created, 0 updated" in out
    service_id = next(line.split()[-1] for line in out.splitlines() if line.startswith("service"))
    assert main(["import", "gbfs", folder, "--partner", "1", "--service", service_id]) == 0
    assert "station_information: 0 created, 1495 updated" in capsys.readouterr().out
    assert main(["import", "gbfs", folder, "--partner", "2"]) == 2
    assert "no partner with id 2" in capsys.readouterr().err
