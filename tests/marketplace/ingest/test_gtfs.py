"""GTFS import: a small shuttle feed written for these tests, and malformed feeds."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from marketplace.catalogue.published import published_service
from marketplace.catalogue.timetables import published_timetables
from marketplace.cli import main
from marketplace.ingest.gtfs import read_gtfs
from tests.marketplace.helpers import Api, Partners
from tests.marketplace.helpers import published_service as publish_via_api

FIXTURE = Path(__file__).parent / "fixtures" / "gtfs_navette"
IMPORT = """mutation($id: ID!, $files: JSON!) {
  importGtfs(serviceId: $id, files: $files) {
    counts { feed created updated } skippedCount skipped { feed id reason } } }"""


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return read_gtfs(FIXTURE)


def counts(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {c["feed"]: (c["created"], c["updated"]) for c in report["counts"]}


def test_import_a_shuttle_timetable(api: Api, partners: Partners, files: dict[str, str]) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None)
    report = api.ok(IMPORT, {"id": service["id"], "files": files}, key=partners.a)["importGtfs"]
    assert counts(report) == {
        "stops.txt": (3, 0),
        "calendar.txt": (2, 0),
        "calendar_dates.txt": (2, 0),
        "routes.txt": (1, 0),
        "trips.txt": (4, 0),
        "stop_times.txt": (11, 0),
    }
    reasons = {(s["feed"], s["id"]): s["reason"] for s in report["skipped"]}
    assert "km from Issy" in reasons[("stops.txt", "LYON")]
    assert "unknown route_id" in reasons[("trips.txt", "ORPHAN")]
    assert "unknown trip_id or stop_id" in reasons[("stop_times.txt", "N1-DIM-1000#3")]

    [timetable] = api.db.call(published_timetables)
    trips = {t.external_id: t for t in timetable.trips}
    late = trips["N1-2350"]
    assert [(arr, dep) for _, arr, dep in late.stop_times] == [
        (85800, 85800),
        (86100, 86160),
        (86580, 86580),  # 24:03:00, past midnight of the service day
    ]
    view = api.db.call(published_service, timetable.service_id)
    assert view is not None
    stops = {s.id: s for s in view.stations}
    assert [stops[sid].name for sid, _, _ in late.stop_times] == [
        "Mairie d'Issy",
        "Corentin Celton",
        "Issy Val de Seine",
    ]
    assert stops[late.stop_times[0][0]].wheelchair_accessible is True
    calendars = {c.external_id: c for c in timetable.calendars}
    assert calendars["SEM"].runs_on(date(2026, 3, 2))  # a Monday
    assert not calendars["SEM"].runs_on(date(2026, 3, 1))  # a Sunday
    assert not calendars["SEM"].runs_on(date(2026, 5, 1))  # removed: 1 May
    assert calendars["DIM"].runs_on(date(2026, 6, 7))  # added Sunday
    assert not calendars["DIM"].runs_on(date(2026, 6, 14))

    again = api.ok(IMPORT, {"id": service["id"], "files": files}, key=partners.a)["importGtfs"]
    assert counts(again)["stops.txt"] == (0, 3)
    assert counts(again)["trips.txt"] == (4, 0)  # the timetable is replaced, not duplicated
    [timetable] = api.db.call(published_timetables)
    assert len(timetable.trips) == 4


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        pytest.param({"stop_times.txt": None}, "lacks stop_times.txt", id="no-stop-times"),
        pytest.param(
            {"calendar.txt": None, "calendar_dates.txt": None},
            "calendar.txt or calendar_dates.txt",
            id="no-calendar",
        ),
        pytest.param(
            {"stops.txt": "stop_id,stop_name\nA,B\n"},
            "stops.txt lacks column(s) stop_lat, stop_lon",
            id="missing-columns",
        ),
    ],
)
def test_malformed_feed_is_rejected_and_nothing_changes(
    api: Api, partners: Partners, files: dict[str, str], change: dict[str, str], fragment: str
) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    api.ok(IMPORT, {"id": service["id"], "files": files}, key=partners.a)
    broken = {k: v for k, v in (files | change).items() if v is not None}
    error = api.error(IMPORT, {"id": service["id"], "files": broken}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]
    [timetable] = api.db.call(published_timetables)
    assert len(timetable.trips) == 4


def test_a_malformed_feed_is_refused_in_french_by_default(
    api: Api, partners: Partners, files: dict[str, str]
) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    french = Api(api.client, language=None)
    no_calendar = {k: v for k, v in files.items() if not k.startswith("calendar")}
    del no_calendar["stop_times.txt"]
    error = french.error(IMPORT, {"id": service["id"], "files": no_calendar}, key=partners.a)
    assert error["message"] == (
        "il manque stop_times.txt et calendar.txt ou calendar_dates.txt au flux GTFS ; rien "
        "n'a été importé"
    )
    columns = {**files, "stops.txt": "stop_id,stop_name\nA,B\n"}
    error = french.error(IMPORT, {"id": service["id"], "files": columns}, key=partners.a)
    assert error["message"] == (
        "il manque la ou les colonnes stop_lat, stop_lon à stops.txt ; rien n'a été importé"
    )


def test_files_must_be_csv_texts(api: Api, partners: Partners) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    error = api.error(IMPORT, {"id": service["id"], "files": {"stops.txt": 3}}, key=partners.a)
    assert "files must be an object mapping GTFS file names" in error["message"]


AREA_IMPORT = """mutation($id: ID!, $files: JSON!, $bbox: String) {
  importGtfs(serviceId: $id, files: $files, bbox: $bbox) {
    counts { feed created updated } skippedCount } }"""
# The hand-made fares feed (known answers): stops A, M and Z lie in the box, Y and W north of it.
FARES_FEED = Path(__file__).parents[2] / "routing" / "transit" / "fixtures" / "gtfs_fares"
FARES_BOX = "2.2590,48.8190,2.2650,48.8245"


def test_an_api_import_with_a_bbox_keeps_only_the_area(api: Api, partners: Partners) -> None:
    service = publish_via_api(api, partners.a, kind="PUBLIC_TRANSPORT", serviceArea=None)
    feed = read_gtfs(FARES_FEED)
    variables = {"id": service["id"], "files": feed, "bbox": FARES_BOX}
    report = api.ok(AREA_IMPORT, variables, key=partners.a)["importGtfs"]
    assert counts(report)["stops.txt"] == (3, 0)
    [timetable] = api.db.call(published_timetables)
    # feed1 keeps one call in the box (Z; Y is outside): too few to ride, reported skipped.
    assert sorted(t.external_id for t in timetable.trips) == ["exp1", "loc1"]
    assert report["skippedCount"] >= 1
    # Without the box the whole feed comes in: the box did the cutting.
    whole = api.ok(AREA_IMPORT, {"id": service["id"], "files": feed}, key=partners.a)
    assert counts(whole["importGtfs"])["stops.txt"][0] > 0
    assert sum(counts(whole["importGtfs"])["stops.txt"]) == len(feed["stops.txt"].splitlines()) - 1


@pytest.mark.parametrize(
    ("bbox", "fragment"),
    [
        pytest.param("2.2,48.8,2.3", "bbox '2.2,48.8,2.3' is not four numbers", id="three"),
        pytest.param("10,10,11,11", "no stop lies in the box", id="elsewhere"),
    ],
)
def test_a_bad_bbox_is_refused_and_nothing_is_imported(
    api: Api, partners: Partners, bbox: str, fragment: str
) -> None:
    service = publish_via_api(api, partners.a, kind="PUBLIC_TRANSPORT", serviceArea=None)
    variables = {"id": service["id"], "files": read_gtfs(FARES_FEED), "bbox": bbox}
    error = api.error(AREA_IMPORT, variables, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]
    assert api.db.call(published_timetables) == []


def test_cli_import_of_a_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gtfs.sqlite3'}")
    assert main(["migrate"]) == 0  # as an operator does first
    archive = tmp_path / "navette.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in FIXTURE.glob("*.txt"):
            zipped.write(path, f"feed/{path.name}")
    assert main(["partner", "create", "--name", "Navettes"]) == 0
    assert main(["import", "gtfs", str(archive), "--partner", "1", "--publish"]) == 0
    out = capsys.readouterr().out
    assert "trips.txt: 4 created, 0 updated" in out
    assert "skipped: 3" in out
    assert main(["import", "gtfs", str(tmp_path / "missing.zip"), "--partner", "1"]) == 2
    assert "not a readable GTFS zip or folder" in capsys.readouterr().err
