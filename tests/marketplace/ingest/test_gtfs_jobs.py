"""GTFS imports as jobs through the real app (SQLite and PostgreSQL): queued at once, their
progress over the WebSocket subscription, their report and catalogue version once landed,
read only by the partner that queued them; cancelled ones write nothing; importGtfs sends
large feeds to the job mutation.

Feeds: the hand-made shuttle feed of ``fixtures/gtfs_navette`` (known answers), and a larger
SYNTHETIC feed made here from its stops (invented trips, no real timetable), large enough
for several progress reports and over importGtfs's limit.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select
from starlette.testclient import WebSocketTestSession

from marketplace.api.ingest.mutations import SYNC_MAX_STOP_TIMES
from marketplace.catalogue.timetables import published_timetables
from marketplace.ingest.gtfs import read_gtfs
from marketplace.models import Job, JobPayload
from tests.marketplace.community_helpers import Cast
from tests.marketplace.feed_server import feed_server
from tests.marketplace.helpers import Api, Partners, published_service
from tests.marketplace.ingest.test_gtfs import FARES_BOX, FARES_FEED, FIXTURE, IMPORT, counts
from tests.marketplace.trips import wait_for_job

QUEUE = """mutation($id: ID!, $files: JSON, $url: String) {
  queueGtfsImport(serviceId: $id, files: $files, url: $url) { id kind status progress } }"""
REPORT = """importReport { service { id } counts { feed created updated } skippedCount
  skipped { feed id reason } catalogueVersion }"""
JOB = f"""query($id: ID!) {{ job(id: $id) {{
  id kind status progress stage attempts cancelRequested error {{ code message }} {REPORT} }} }}"""
CANCEL = "mutation($id: ID!) { cancelJob(id: $id) { id status cancelRequested } }"
PROGRESS = f"""subscription($id: ID!) {{ jobProgress(id: $id) {{
  status progress stage {REPORT} }} }}"""

NAVETTE_COUNTS = {
    "stops.txt": (3, 0),
    "calendar.txt": (2, 0),
    "calendar_dates.txt": (2, 0),
    "routes.txt": (1, 0),
    "trips.txt": (4, 0),
    "stop_times.txt": (11, 0),
}
SYNTHETIC_TRIPS = 8_000  # x 3 stops: 24,000 stop times, over importGtfs's 10,000


@pytest.fixture(scope="module")
def navette() -> dict[str, str]:
    return read_gtfs(FIXTURE)


@pytest.fixture(scope="module")
def synthetic(navette: dict[str, str]) -> dict[str, str]:
    return synthetic_feed(navette)


def synthetic_feed(navette: dict[str, str]) -> dict[str, str]:
    """SYNTHETIC: the shuttle's stops and calendar with 8,000 invented trips, a minute apart
    from 05:00, each Mairie -> Corentin Celton -> Val de Seine in 4 then 8 minutes."""
    trips = ["route_id,service_id,trip_id"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for k in range(SYNTHETIC_TRIPS):
        start = 5 * 3600 + 60 * (k % 1000)
        day = k // 1000
        trip = f"S{k}"
        trips.append(f"N1,SEM,{trip}")
        for seq, (stop, offset) in enumerate(
            (("MAIRIE", 0), ("CELTON", 240), ("VALDESEINE", 720)), start=1
        ):
            s = start + offset + day  # a second later each thousand: all distinct
            clock = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
            times.append(f"{trip},{clock},{clock},{stop},{seq}")
    return {
        "stops.txt": navette["stops.txt"],
        "routes.txt": navette["routes.txt"],
        "calendar.txt": navette["calendar.txt"],
        "trips.txt": "\n".join(trips) + "\n",
        "stop_times.txt": "\n".join(times) + "\n",
    }


@pytest.fixture
def shuttle(api: Api, partners: Partners) -> dict[str, Any]:
    service: dict[str, Any] = published_service(
        api, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None
    )
    return service


def catalogue_version(api: Api) -> int:
    version: int = api.client.get("/healthz").json()["catalogue_version"]
    return version


def rows_in(api: Api, table: type[Job] | type[JobPayload]) -> int:
    """Rows of ``table`` (jobs, or the feeds stored for queued imports)."""
    count: int = api.db.call(lambda s: s.exec(select(func.count()).select_from(table)).one())
    return count


def trip_count(api: Api) -> int:
    return sum(len(t.trips) for t in api.db.call(published_timetables))


def _subscribe(ws: WebSocketTestSession, key: str, job_id: str) -> None:
    ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    assert ws.receive_json()["type"] == "connection_ack"
    payload = {"query": PROGRESS, "variables": {"id": job_id}}
    ws.send_json({"id": "1", "type": "subscribe", "payload": payload})


def _until_complete(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    updates: list[dict[str, Any]] = []
    while True:
        message = ws.receive_json()
        if message["type"] == "complete":
            return updates
        assert message["type"] == "next", message
        updates.append(message["payload"]["data"]["jobProgress"])


def test_a_queued_import_lands_and_its_progress_arrives_over_the_subscription(
    api: Api, partners: Partners, shuttle: dict[str, Any], synthetic: dict[str, str]
) -> None:
    before = catalogue_version(api)
    queued = api.ok(QUEUE, {"id": shuttle["id"], "files": synthetic}, key=partners.a)
    job = queued["queueGtfsImport"]
    assert job["kind"] == "GTFS_IMPORT" and job["status"] in {"QUEUED", "RUNNING"}
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _subscribe(ws, partners.a, job["id"])
        updates = _until_complete(ws)
    progress = [u["progress"] for u in updates]
    assert progress == sorted(progress), updates  # never goes back
    assert len(updates) >= 2 and updates[0]["status"] in {"QUEUED", "RUNNING"}, updates
    last = updates[-1]
    assert last["status"] == "SUCCEEDED" and last["progress"] == 1.0, last
    rows_read = sum(text.count("\n") - 1 for text in synthetic.values())  # no headers
    if api.db.backend == "postgresql":  # its writing is followed as it goes
        assert last["stage"] == f"writing the timetable: {3 * SYNTHETIC_TRIPS:,} of " + (
            f"{3 * SYNTHETIC_TRIPS:,} stop_times written"
        )
    else:  # one writer at a time: the last report is made before writing starts
        assert last["stage"] == f"writing the timetable: {rows_read:,} rows read", last
    report = last["importReport"]
    assert report["service"]["id"] == shuttle["id"]
    assert counts(report) == {
        "stops.txt": (3, 0),
        "calendar.txt": (1, 0),
        "calendar_dates.txt": (0, 0),
        "routes.txt": (1, 0),
        "trips.txt": (SYNTHETIC_TRIPS, 0),
        "stop_times.txt": (3 * SYNTHETIC_TRIPS, 0),
    }
    # The catalogue version moved with it: plans from that version on see the timetable.
    assert report["catalogueVersion"] > before
    assert catalogue_version(api) >= report["catalogueVersion"]
    assert trip_count(api) == SYNTHETIC_TRIPS
    # The feed stored for the worker is gone with the finished job.
    assert rows_in(api, JobPayload) == 0


def test_the_job_result_says_what_was_imported_as_importgtfs_would(
    api: Api, partners: Partners, shuttle: dict[str, Any], navette: dict[str, str]
) -> None:
    job = api.ok(QUEUE, {"id": shuttle["id"], "files": navette}, key=partners.a)
    done = wait_for_job(api, job["queueGtfsImport"]["id"], key=partners.a, query=JOB)
    assert done["status"] == "SUCCEEDED" and done["attempts"] == 1, done
    report = done["importReport"]
    assert counts(report) == NAVETTE_COUNTS
    reasons = {(s["feed"], s["id"]): s["reason"] for s in report["skipped"]}
    assert "km from Issy" in reasons[("stops.txt", "LYON")]
    assert "unknown route_id" in reasons[("trips.txt", "ORPHAN")]
    assert report["skippedCount"] == len(report["skipped"])
    assert trip_count(api) == 4


def test_importgtfs_sends_a_large_feed_to_the_job_mutation(
    api: Api, partners: Partners, shuttle: dict[str, Any], synthetic: dict[str, str]
) -> None:
    error = api.error(IMPORT, {"id": shuttle["id"], "files": synthetic}, key=partners.a)
    assert error["extensions"] == {
        "code": "TOO_LARGE_TO_WAIT",
        "limit": SYNC_MAX_STOP_TIMES,
        "rows": 3 * SYNTHETIC_TRIPS,
        "mutation": "queueGtfsImport",
    }
    assert error["message"].startswith(
        f"stop_times.txt has {3 * SYNTHETIC_TRIPS:,} rows; importGtfs imports at most "
        f"{SYNC_MAX_STOP_TIMES:,} while you wait: queue this feed with queueGtfsImport"
    )
    assert trip_count(api) == 0


def test_only_the_partner_that_queued_an_import_reads_or_cancels_it(
    api: Api, cast: Cast, shuttle: dict[str, Any], navette: dict[str, str]
) -> None:
    partners = cast.partners
    job_id = api.ok(QUEUE, {"id": shuttle["id"], "files": navette}, key=partners.a)[
        "queueGtfsImport"
    ]["id"]
    for query in (JOB, CANCEL):
        for stranger in (partners.b, cast.other_member, cast.planner):
            refused = api.error(query, {"id": job_id}, key=stranger)
            assert refused["extensions"]["code"] == "FORBIDDEN", (query, refused)
            assert "is a partner's import, not yours" in refused["message"]
        anonymous = api.error(query, {"id": job_id})
        assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"
    # Any key or member of the owner reads it.
    done = wait_for_job(api, job_id, key=cast.member, query=JOB)
    assert done["status"] == "SUCCEEDED"
    assert wait_for_job(api, job_id, key=partners.a, query=JOB)["id"] == job_id


def test_bad_requests_are_refused_at_once_and_queue_nothing(
    api: Api, partners: Partners, shuttle: dict[str, Any], navette: dict[str, str]
) -> None:
    cases: list[tuple[dict[str, Any], str, str, str]] = [
        (
            {"files": navette, "url": "https://example.org/gtfs.zip"},
            partners.a,
            "BAD_USER_INPUT",
            "give either files",
        ),
        ({}, partners.a, "BAD_USER_INPUT", "give either files"),
        (
            {"url": "ftp://example.org/gtfs.zip"},
            partners.a,
            "BAD_USER_INPUT",
            "is not an http:// or https:// URL",
        ),
        (
            {"files": {"stops.txt": navette["stops.txt"]}},
            partners.a,
            "BAD_USER_INPUT",
            "stop_times.txt",
        ),
        ({"files": navette}, partners.b, "FORBIDDEN", ""),
    ]
    for variables, key, code, fragment in cases:
        error = api.error(QUEUE, {"id": shuttle["id"], **variables}, key=key)
        assert error["extensions"]["code"] == code, (variables.keys(), error)
        assert fragment in error["message"], error
    assert rows_in(api, Job) == 0


@pytest.fixture
def zipped_navette(navette: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in navette.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.local_feeds
def test_a_feed_at_a_url_is_downloaded_and_imported(
    api: Api, partners: Partners, shuttle: dict[str, Any], zipped_navette: bytes
) -> None:
    with feed_server() as server:
        server.bodies["/gtfs.zip"] = (200, zipped_navette)
        job = api.ok(QUEUE, {"id": shuttle["id"], "url": server.url("/gtfs.zip")}, key=partners.a)
        done = wait_for_job(api, job["queueGtfsImport"]["id"], key=partners.a, query=JOB)
        missing = api.ok(
            QUEUE, {"id": shuttle["id"], "url": server.url("/gone.zip")}, key=partners.a
        )
        failed = wait_for_job(api, missing["queueGtfsImport"]["id"], key=partners.a, query=JOB)
    assert done["status"] == "SUCCEEDED" and counts(done["importReport"]) == NAVETTE_COUNTS
    # A URL that does not answer fails the job as importGtfs would refuse a bad feed.
    assert failed["status"] == "FAILED" and failed["error"]["code"] == "BAD_USER_INPUT"
    assert "could not download the feed at" in failed["error"]["message"]
    assert "404" in failed["error"]["message"]
    assert trip_count(api) == 4  # the failed import changed nothing


QUEUE_AREA = """mutation($id: ID!, $files: JSON, $url: String, $bbox: String) {
  queueGtfsImport(serviceId: $id, files: $files, url: $url, bbox: $bbox) { id status } }"""


def _area_import(api: Api, partners: Partners, variables: dict[str, Any]) -> dict[str, Any]:
    service = published_service(
        api, partners.a, kind="PUBLIC_TRANSPORT", name="Bus", serviceArea=None
    )
    job = api.ok(QUEUE_AREA, {"id": service["id"], **variables}, key=partners.a)
    done: dict[str, Any] = wait_for_job(
        api, job["queueGtfsImport"]["id"], key=partners.a, query=JOB
    )
    return done


def test_a_queued_import_keeps_only_the_area_asked(api: Api, partners: Partners) -> None:
    """As importGtfs with the same box (test_gtfs): stops A, M and Z lie in it, Y and W north
    of it; feed1 keeps one call there (Z), too few to ride, and is reported skipped."""
    feed = read_gtfs(FARES_FEED)
    done = _area_import(api, partners, {"files": feed, "bbox": FARES_BOX})
    assert done["status"] == "SUCCEEDED", done
    assert counts(done["importReport"])["stops.txt"] == (3, 0)
    [timetable] = api.db.call(published_timetables)
    assert sorted(t.external_id for t in timetable.trips) == ["exp1", "loc1"]
    assert done["importReport"]["skippedCount"] >= 1


@pytest.mark.local_feeds
def test_a_queued_url_import_keeps_only_the_area_asked(api: Api, partners: Partners) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in read_gtfs(FARES_FEED).items():
            archive.writestr(name, text)
    with feed_server() as server:
        server.bodies["/bus.zip"] = (200, buffer.getvalue())
        done = _area_import(api, partners, {"url": server.url("/bus.zip"), "bbox": FARES_BOX})
    assert done["status"] == "SUCCEEDED", done
    assert counts(done["importReport"])["stops.txt"] == (3, 0)
    [timetable] = api.db.call(published_timetables)
    assert sorted(t.external_id for t in timetable.trips) == ["exp1", "loc1"]


def test_a_bad_box_is_refused_before_anything_is_queued(
    api: Api, partners: Partners, shuttle: dict[str, Any], navette: dict[str, str]
) -> None:
    variables = {"id": shuttle["id"], "files": navette, "bbox": "2.2,48.8,2.3"}
    error = api.error(QUEUE_AREA, variables, key=partners.a)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "bbox '2.2,48.8,2.3' is not four numbers" in error["message"]
    assert "accepted: min_lon,min_lat,max_lon,max_lat" in error["message"]
    assert rows_in(api, Job) == 0
    # A box holding none of the feed's stops: the job fails as importGtfs refuses, nothing lands.
    done = _area_import(api, partners, {"files": navette, "bbox": "10,10,11,11"})
    assert done["status"] == "FAILED" and done["error"]["code"] == "BAD_USER_INPUT", done
    assert "no stop lies in the box" in done["error"]["message"]
    assert api.db.call(published_timetables) == []
