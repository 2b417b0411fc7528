"""GTFS imports validated as the canonical validator does for what matters to planning:
unusable trips rejected whole with their reason, CSV errors with their line, repeated rows
counted, oversized feeds refused before they are decompressed. Nothing is written on refusal.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from marketplace.catalogue.timetables import published_timetables
from marketplace.errors import InvalidInput
from marketplace.ingest import gtfs_files
from marketplace.ingest.gtfs import parse_gtfs, read_gtfs
from tests.marketplace.helpers import Api, Partners
from tests.marketplace.helpers import published_service as publish_via_api

FIXTURE = Path(__file__).parent / "fixtures" / "gtfs_navette"
IMPORT = """mutation($id: ID!, $files: JSON!) {
  importGtfs(serviceId: $id, files: $files) {
    counts { feed created updated } skippedCount skipped { feed id reason } } }"""
GBFS_IMPORT = """mutation($id: ID!, $feeds: JSON!) {
  importGbfs(serviceId: $id, feeds: $feeds) { skippedCount } }"""


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return read_gtfs(FIXTURE)


def counts(report: dict[str, Any]) -> dict[str, int]:
    return {c["feed"]: c["created"] for c in report["counts"]}


def reasons(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(s["feed"], s["id"]): s["reason"] for s in report["skipped"]}


def trip_ids(api: Api) -> set[str]:
    timetables = api.db.call(published_timetables)
    return {trip.external_id for timetable in timetables for trip in timetable.trips}


def with_stop_times(files: dict[str, str], old: str, new: str) -> dict[str, str]:
    assert old in files["stop_times.txt"]
    return files | {"stop_times.txt": files["stop_times.txt"].replace(old, new)}


def test_times_going_backwards_reject_their_trip(
    api: Api, partners: Partners, files: dict[str, str]
) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    broken = with_stop_times(
        files, "N1-0730,07:42:00,07:42:00,VALDESEINE,3", "N1-0730,07:33:00,07:33:00,VALDESEINE,3"
    )
    report = api.ok(IMPORT, {"id": service["id"], "files": broken}, key=partners.a)["importGtfs"]
    assert counts(report)["trips.txt"] == 3
    assert counts(report)["stop_times.txt"] == 8  # none of the rejected trip's
    reason = reasons(report)[("trips.txt", "N1-0730")]
    assert "arrives at stop_sequence 3 at 7:33:00, before leaving stop_sequence 2 at 7:35:00" in (
        reason
    )
    assert trip_ids(api) == {"N1-0700", "N1-2350", "N1-DIM-1000"}


def test_a_time_that_is_no_time_rejects_its_trip_with_the_reason(
    api: Api, partners: Partners, files: dict[str, str]
) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    broken = with_stop_times(
        files, "N1-0700,07:04:00,07:05:00,CELTON,2", "N1-0700,25:99:99,25:99:99,CELTON,2"
    )
    report = api.ok(IMPORT, {"id": service["id"], "files": broken}, key=partners.a)["importGtfs"]
    reason = reasons(report)[("trips.txt", "N1-0700")]
    assert "'25:99:99' at stop_sequence 2 is not a time" in reason
    assert "stop_times.txt line 3" in reason
    assert "N1-0700" not in trip_ids(api)  # never kept with its two other stops
    assert counts(report)["stop_times.txt"] == 8


def test_a_trip_left_with_one_timed_stop_is_rejected(
    api: Api, partners: Partners, files: dict[str, str]
) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    broken = with_stop_times(
        files, "N1-DIM-1000,10:08:00,10:08:00,VALDESEINE,2", "N1-DIM-1000,,,VALDESEINE,2"
    )
    report = api.ok(IMPORT, {"id": service["id"], "files": broken}, key=partners.a)["importGtfs"]
    assert (
        "has 1 timed stop(s); a trip needs at least two"
        in (reasons(report)[("trips.txt", "N1-DIM-1000")])
    )
    assert "N1-DIM-1000" not in trip_ids(api)


def test_repeated_rows_are_counted_as_skipped(
    api: Api, partners: Partners, files: dict[str, str]
) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    header, *rows = files["stop_times.txt"].splitlines()
    doubled = files | {"stop_times.txt": "\n".join([header, *rows, *rows]) + "\n"}
    report = api.ok(IMPORT, {"id": service["id"], "files": doubled}, key=partners.a)["importGtfs"]
    assert counts(report)["stop_times.txt"] == 11
    repeated = [s for s in report["skipped"] if "repeats stop_sequence" in s["reason"]]
    assert len(repeated) == 11
    assert report["skippedCount"] == 3 + 1 + 11  # the fixture's own 3, LYON's copy, the copies


@pytest.mark.parametrize(
    ("stops", "fragment"),
    [
        pytest.param(
            "MAIRIE,\"Mairie d'Issy,48.8245,2.2735,0,,1\nCELTON,Corentin Celton,48.8270,2.2790\n",
            "stops.txt line 2",
            id="quote-never-closed",
        ),
        pytest.param(
            'MAIRIE,"Mairie d\'Issy,48.8245,2.2735,0,,1\nCELTON,"Corentin Celton",48.8270,2.279\n',
            "stops.txt line 2",
            id="quote-closed-on-a-later-row",
        ),
        pytest.param(
            'MAIRIE,"Mairie",48.8245,2.2735\nCELTON,"Corentin "Celton",48.8270,2.2790\n',
            "stops.txt line 3",
            id="text-after-closing-quote",
        ),
        pytest.param(
            "MAIRIE,Mairie,48.8245,2.2735,0,,1,extra,values\n",
            "stops.txt line 2 has 9 values for 7 columns",
            id="too-many-values",
        ),
    ],
)
def test_csv_errors_are_refused_with_their_line_and_nothing_changes(
    api: Api, partners: Partners, files: dict[str, str], stops: str, fragment: str
) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    api.ok(IMPORT, {"id": service["id"], "files": files}, key=partners.a)
    header = files["stops.txt"].splitlines()[0]
    broken = files | {"stops.txt": f"{header}\n{stops}"}
    error = api.error(IMPORT, {"id": service["id"], "files": broken}, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]
    assert trip_ids(api) == {"N1-0700", "N1-0730", "N1-2350", "N1-DIM-1000"}


def test_a_file_beyond_the_row_limit_is_refused(
    files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gtfs_files, "MAX_ROWS", 10)  # the fixture's stop_times has 12 rows
    with pytest.raises(InvalidInput, match=r"stop_times.txt has more than 10 rows"):
        parse_gtfs(files)


def test_a_small_zip_announcing_a_huge_file_is_refused_before_decompressing(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "bomb.zip"
    line = b"S1,48.8245,2.2735,1\n" * 50_000
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in FIXTURE.glob("*.txt"):
            zipped.write(path, path.name)
        with zipped.open("shapes.txt", "w", force_zip64=True) as shapes:
            written = 0
            while written <= gtfs_files.MAX_FILE_BYTES:
                shapes.write(line)
                written += len(line)
    assert archive.stat().st_size < gtfs_files.MAX_FILE_BYTES / 100
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput, match=r"shapes.txt decompresses to 129 MiB; a file"):
            read_gtfs(archive)
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_bytes < 8 * 2**20


def test_files_the_import_does_not_read_are_left_unread(tmp_path: Path) -> None:
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in FIXTURE.glob("*.txt"):
            zipped.write(path, path.name)
        zipped.writestr("shapes.txt", b"\xff not utf-8")
    assert set(read_gtfs(archive)) == {
        "agency.txt",  # for agency_timezone
        "stops.txt",
        "routes.txt",
        "trips.txt",
        "stop_times.txt",
        "calendar.txt",
        "calendar_dates.txt",
    }


def test_ownership_is_checked_before_the_payload(api: Api, partners: Partners) -> None:
    service = publish_via_api(api, partners.a, kind="SHUTTLE", serviceArea=None)
    cases: list[tuple[str, dict[str, Any]]] = [
        (IMPORT, {"files": {"stops.txt": 3}}),
        (GBFS_IMPORT, {"feeds": [1, 2]}),
    ]
    for mutation, variables in cases:
        error = api.error(mutation, {"id": service["id"], **variables}, key=partners.b)
        assert error["extensions"]["code"] == "FORBIDDEN", error
        error = api.error(mutation, {"id": service["id"], **variables}, key=partners.a)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
