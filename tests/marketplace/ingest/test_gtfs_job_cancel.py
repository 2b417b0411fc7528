"""GTFS import jobs with no worker in the server, so a test decides when and how each runs:
a cancel committed while the feed is being written (after every progress report) still
leaves nothing written; a queued import is cancelled at once and its stored feed dropped;
the sweep hands the queue a job it lost, and leaves a job it holds alone."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from marketplace.ingest.gtfs import read_gtfs
from marketplace.jobs.execute import worker_name
from marketplace.jobs.gtfs_import import ImportCancelled, run_gtfs_import
from marketplace.jobs.queue import JobQueues, sweep_unhanded
from marketplace.jobs.store import claim_job, finish_job, report_progress, request_cancel
from marketplace.models import JobPayload, JobStatus
from marketplace.settings import Settings
from tests.marketplace.helpers import Api, Partners, app_state, published_service
from tests.marketplace.ingest.test_gtfs import FIXTURE, IMPORT
from tests.marketplace.ingest.test_gtfs_jobs import (
    CANCEL,
    JOB,
    QUEUE,
    catalogue_version,
    rows_in,
    synthetic_feed,
    trip_count,
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """No job thread in the server: nothing runs a job unless the test does."""
    return Settings(database_url=database_url, job_workers=0)


@pytest.fixture(scope="module")
def navette() -> dict[str, str]:
    return read_gtfs(FIXTURE)


@pytest.fixture
def shuttle(api: Api, partners: Partners) -> dict[str, Any]:
    app_state(api.client).jobs.imports.huey.flush()  # ids queued by earlier tests
    service: dict[str, Any] = published_service(
        api, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None
    )
    return service


def _job_id(global_id: str) -> int:
    return int(base64.urlsafe_b64decode(global_id).decode().split(":")[1])


def _payloads(api: Api) -> int:
    return rows_in(api, JobPayload)


class _CancelAsWritingBegins:
    """A worker's progress reports, with the partner's cancel committed just after the last
    one before the write, and never seen by a report: the last line of defence is tested."""

    def __init__(self, api: Api, job_id: int, attempt: int) -> None:
        self.api, self.job_id, self.attempt = api, job_id, attempt
        self.stages: list[str] = []

    def __call__(self, share: float, stage: str) -> bool:
        self.stages.append(stage)
        self.api.db.call(
            report_progress, self.job_id, progress=share, stage=stage, attempt=self.attempt
        )
        if stage.startswith("writing the timetable") and stage.endswith("rows read"):
            self.api.db.call(request_cancel, self.job_id)
        return False


def test_a_cancel_committed_while_the_feed_is_written_leaves_nothing_written(
    api: Api, partners: Partners, shuttle: dict[str, Any], navette: dict[str, str]
) -> None:
    api.ok(IMPORT, {"id": shuttle["id"], "files": navette}, key=partners.a)  # 4 trips
    version = catalogue_version(api)
    feed = synthetic_feed(navette)
    queued = api.ok(QUEUE, {"id": shuttle["id"], "files": feed}, key=partners.a)
    job_id = _job_id(queued["queueGtfsImport"]["id"])
    job = api.db.call(claim_job, job_id, worker=worker_name())  # as a worker does
    assert job is not None
    report = _CancelAsWritingBegins(api, job_id, job.attempts)
    with pytest.raises(ImportCancelled):
        run_gtfs_import(api.db, job, report)
    # What the executor records on ImportCancelled.
    assert api.db.call(finish_job, job_id, status=JobStatus.CANCELLED, attempt=job.attempts)
    # The whole feed was read and written; the update that would have recorded success
    # found the cancel, and the transaction rolled back: no trip, no version bump.
    rows = sum(text.count("\n") - 1 for text in feed.values())
    assert f"writing the timetable: {rows:,} rows read" in report.stages
    if api.db.backend == "postgresql":
        assert report.stages[-1] == "writing the timetable: 24,000 of 24,000 stop_times written"
    done = api.ok(JOB, {"id": queued["queueGtfsImport"]["id"]}, key=partners.a)["job"]
    assert done["status"] == "CANCELLED" and done["importReport"] is None, done
    assert trip_count(api) == 4 and catalogue_version(api) == version
    assert _payloads(api) == 0


def test_a_queued_import_is_cancelled_at_once_and_its_feed_dropped(
    api: Api, partners: Partners, shuttle: dict[str, Any], navette: dict[str, str]
) -> None:
    queued = api.ok(QUEUE, {"id": shuttle["id"], "files": navette}, key=partners.a)
    job_id = queued["queueGtfsImport"]["id"]
    assert queued["queueGtfsImport"]["status"] == "QUEUED"
    assert _payloads(api) == 1
    cancelled = api.ok(CANCEL, {"id": job_id}, key=partners.a)["cancelJob"]
    assert cancelled["status"] == "CANCELLED" and cancelled["cancelRequested"]
    assert _payloads(api) == 0
    again = api.error(CANCEL, {"id": job_id}, key=partners.a)
    assert again["extensions"]["code"] == "CONFLICT"
    assert trip_count(api) == 0


def test_the_sweep_hands_a_lost_job_again_and_leaves_a_held_one(
    api: Api, partners: Partners, shuttle: dict[str, Any], navette: dict[str, str]
) -> None:
    queues: JobQueues = app_state(api.client).jobs
    queued = api.ok(QUEUE, {"id": shuttle["id"], "files": navette}, key=partners.a)
    job_id = _job_id(queued["queueGtfsImport"]["id"])
    assert queues.imports.held_ids() == {job_id}
    # Held by the queue: waiting its turn, not lost.
    assert sweep_unhanded(api.db, queues, grace_s=0) == []
    assert queues.imports.huey.pending_count() == 1
    # The queue loses it (a worker took it and died before claiming it).
    assert queues.imports.huey.dequeue() is not None
    assert queues.imports.held_ids() == set()
    assert sweep_unhanded(api.db, queues, grace_s=0) == [job_id]
    assert queues.imports.held_ids() == {job_id}
    job = api.ok(JOB, {"id": queued["queueGtfsImport"]["id"]}, key=partners.a)["job"]
    assert job["status"] == "QUEUED"
    assert job["stage"].startswith("handed to the queue again: queued over 0 s ago")
    # Handed only once a grace period has passed since it was last handed.
    assert queues.imports.huey.dequeue() is not None
    assert sweep_unhanded(api.db, queues, grace_s=3600) == []


def test_a_cancel_while_sqlite_is_busy_writing_is_a_conflict_not_a_crash(
    api: Api, partners: Partners, shuttle: dict[str, Any], navette: dict[str, str]
) -> None:
    if api.db.backend != "sqlite":
        pytest.skip("PostgreSQL has row locks: a cancel never waits for an import's write")
    queued = api.ok(QUEUE, {"id": shuttle["id"], "files": navette}, key=partners.a)
    job_id = queued["queueGtfsImport"]["id"]
    # Another connection holds the one write lock, as an import writing its feed does.
    with api.db.engine.connect() as writer:
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        busy = api.error(CANCEL, {"id": job_id}, key=partners.a)
        writer.exec_driver_sql("ROLLBACK")
    assert busy["extensions"]["code"] == "DATABASE_BUSY"
    assert "the SQLite database is busy with another write" in busy["message"]
    assert "ask again in a few seconds" in busy["message"]
    assert api.ok(CANCEL, {"id": job_id}, key=partners.a)["cancelJob"]["status"] == "CANCELLED"
