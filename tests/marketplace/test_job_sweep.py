"""A job queued again after its worker died, by a process that died before handing it to the
queue (committed ``QUEUED``, unknown to huey), is swept by the server's own reaper and run
by its job thread: real app, real huey, SQLite and PostgreSQL. The job is a GTFS import (the
hand-made shuttle feed), which any server runs, with or without streets."""

from __future__ import annotations

import base64
import datetime as dt
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col

from marketplace.ingest.gtfs import read_gtfs
from marketplace.jobs.gtfs_import import gtfs_import_params
from marketplace.jobs.store import LostJobs, create_job, reap_lost_jobs
from marketplace.models import Job, JobKind, JobStatus, utcnow
from marketplace.settings import Settings
from tests.marketplace.helpers import Api, Partners, app_state, published_service
from tests.marketplace.ingest.test_gtfs import FIXTURE, counts
from tests.marketplace.ingest.test_gtfs_jobs import JOB, NAVETTE_COUNTS, trip_count

LEASE_S = 2


@pytest.fixture
def settings(database_url: str) -> Settings:
    """One job thread in the server, and a short lease: its reaper runs every second and
    hands a job the queue lost once it has waited five leases (10 s)."""
    return Settings(database_url=database_url, job_lease_s=LEASE_S)


def _reaped_but_never_handed(
    session: Session, *, partner_id: int, service_id: int, files: dict[str, str]
) -> tuple[int, LostJobs]:
    """What a worker that died mid-import, then a process that reaped its job and died
    before handing it to the queue, leave behind (one transaction, so no live reaper sees
    the job in between)."""
    job = create_job(
        session,
        kind=JobKind.GTFS_IMPORT,
        params=gtfs_import_params(service_id=service_id, url=None),
        partner_id=partner_id,
        payload={"files": files},
    )
    assert job.id is not None
    long_ago = utcnow() - dt.timedelta(seconds=10 * LEASE_S)
    session.execute(
        sa.update(Job)
        .where(col(Job.id) == job.id)
        .values(
            status=JobStatus.RUNNING,
            attempts=1,
            worker="dead-host:4242",
            started_at=long_ago,
            heartbeat_at=long_ago,
        )
    )
    return job.id, reap_lost_jobs(session, lease_s=LEASE_S)


def test_a_job_queued_again_but_never_handed_to_the_queue_is_swept_and_run(
    api: Api, partners: Partners
) -> None:
    service = published_service(api, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None)
    _, service_id = base64.urlsafe_b64decode(service["id"]).decode().split(":")
    job_id, lost = api.db.call(
        _reaped_but_never_handed,
        partner_id=partners.a_id,
        service_id=int(service_id),
        files=read_gtfs(FIXTURE),
    )
    assert lost.requeued == [(job_id, JobKind.GTFS_IMPORT)]
    assert job_id not in app_state(api.client).jobs.imports.held_ids()  # never handed

    global_id = base64.urlsafe_b64encode(f"Job:{job_id}".encode()).decode()
    deadline = time.monotonic() + 120
    while True:
        job: dict[str, Any] = api.ok(JOB, {"id": global_id}, key=partners.a)["job"]
        if job["status"] not in {"QUEUED", "RUNNING"}:
            break
        assert time.monotonic() < deadline, f"the lost job was never run: {job}"
        time.sleep(0.05)
    assert job["status"] == "SUCCEEDED", job
    assert job["attempts"] == 2  # the dead worker's run, then this one
    assert counts(job["importReport"]) == NAVETTE_COUNTS
    assert trip_count(api) == 4
