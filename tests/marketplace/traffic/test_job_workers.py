"""Jobs run by ``issy-mobility worker`` processes (the server runs none here): a queued job
is cancelled before it starts; a worker killed mid-job (SIGKILL, a real subprocess) has its
job queued again once its lease runs out, and another worker runs it (attempt 2); when that
one is killed too the job is FAILED (WORKER_LOST); the next run, on a new worker, succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from marketplace.jobs.queue import queue_storage_for
from marketplace.settings import Settings
from marketplace.streets import StreetsState
from tests.marketplace.community_helpers import Cast
from tests.marketplace.helpers import Api
from tests.marketplace.servers import process_env
from tests.marketplace.traffic.test_jobs import CANCEL, HEAVY_TRIPS, LONG, _running
from tests.marketplace.trips import (
    IMPORT,
    JOB,
    TRIPS_CSV,
    ZONES_CSV,
    finished_run,
    wait_for_job,
)

LEASE_S = 2


@pytest.fixture
def settings(database_url: str) -> Settings:
    """No job thread in the server, and a short lease so a lost job is seen quickly."""
    queue_storage_for(database_url).flush()  # ids queued by earlier tests of this database
    return Settings(database_url=database_url, job_workers=0, job_lease_s=LEASE_S)


@pytest.fixture
def artefact(streets: StreetsState) -> Path:
    """The compiled extract the ``streets`` fixture loaded, for worker processes."""
    assert streets.network is not None
    return streets.network.path


def _worker(database_url: str, artefact: Path, log: Path) -> subprocess.Popen[bytes]:
    env = process_env(database_url, None)
    env["ISSY_JOB_LEASE_S"] = str(LEASE_S)
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "marketplace.cli", "worker", "--streets", str(artefact)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def workers(
    database_url: str, artefact: Path, tmp_path: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_queued_job_is_cancelled_before_any_worker_takes_it(api: Api, cast: Cast) -> None:
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=cast.planner)
    queued = api.ok(LONG, key=cast.planner)["runAssignment"]
    assert queued["status"] == "QUEUED"
    cancelled = api.ok(CANCEL, {"id": queued["id"]}, key=cast.planner)["cancelJob"]
    assert cancelled["status"] == "CANCELLED"


def _queued_again(api: Api, job_id: str, key: str) -> dict[str, Any]:
    """The job once its lease ran out and it went back to the queue (a deadline)."""
    deadline = time.monotonic() + 120
    while True:
        job: dict[str, Any] = api.ok(JOB, {"id": job_id}, key=key)["job"]
        if job["status"] == "QUEUED":
            return job
        assert job["status"] == "RUNNING", job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()


def test_a_killed_worker_job_is_retried_once_then_failed_and_the_next_run_succeeds(
    api: Api,
    cast: Cast,
    database_url: str,
    artefact: Path,
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    key = cast.planner
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": HEAVY_TRIPS}, key=key)
    queued = api.ok(LONG, key=key)["runAssignment"]
    log = tmp_path / "workers.log"
    workers.append(_worker(database_url, artefact, log))
    running = _running(api, queued["id"], key)
    assert running["attempts"] == 1
    _kill(workers[0])

    # Its lease runs out: queued again (no worker is left to take it yet), saying why.
    again = _queued_again(api, queued["id"], key)
    assert again["attempts"] == 1 and again["error"] is None, again
    assert again["stage"].startswith("queued again (attempt 2 of 2)"), again
    assert "stopped renewing its lease" in again["stage"]

    # A new worker takes the retry from the queue (huey forgot the dead worker's task).
    workers.append(_worker(database_url, artefact, log))
    retried = _running(api, queued["id"], key)
    assert retried["attempts"] == 2, retried
    _kill(workers[1])

    lost = wait_for_job(api, queued["id"], key=key)
    assert lost["status"] == "FAILED", lost
    assert lost["attempts"] == 2
    assert lost["error"]["code"] == "WORKER_LOST"
    assert "stopped renewing its lease" in lost["error"]["message"]
    assert "after 2 attempt(s); run it again" in lost["error"]["message"]
    assert api.ok("query { trafficRuns { id } }", key=key)["trafficRuns"] == []

    workers.append(_worker(database_url, artefact, log))
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=key)  # converges quickly
    run = finished_run(api, {"period": "morning_peak", "source": "IMPORTED"}, key=key)
    assert run["status"] == "SUCCEEDED" and run["isLatest"], log.read_text()[-2000:]
