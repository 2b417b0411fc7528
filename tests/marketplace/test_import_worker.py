"""``issy-mobility worker`` runs partners' imports, even without a street network (a real
subprocess; the server runs no job itself): the import queue is not the traffic queue."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from marketplace.ingest.gtfs import read_gtfs
from marketplace.jobs.queue import IMPORTS_QUEUE, queue_storage_for
from marketplace.settings import Settings
from tests.marketplace.helpers import Api, Partners, published_service
from tests.marketplace.ingest.test_gtfs import FIXTURE, counts
from tests.marketplace.ingest.test_gtfs_jobs import JOB, NAVETTE_COUNTS, QUEUE, trip_count
from tests.marketplace.servers import process_env
from tests.marketplace.trips import wait_for_job


@pytest.fixture
def settings(database_url: str) -> Settings:
    queue_storage_for(database_url, name=IMPORTS_QUEUE).flush()  # earlier tests' ids
    return Settings(database_url=database_url, job_workers=0)


@pytest.fixture
def worker(database_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    log = tmp_path / "worker.log"
    env = process_env(database_url, None)
    streets = str(tmp_path / "no-such-streets.json.gz")
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "marketplace.cli", "worker", "--streets", streets],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    yield process, log
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_worker_without_streets_runs_a_queued_import(
    api: Api, partners: Partners, worker: tuple[subprocess.Popen[bytes], Path]
) -> None:
    service = published_service(api, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None)
    queued = api.ok(QUEUE, {"id": service["id"], "files": read_gtfs(FIXTURE)}, key=partners.a)
    done = wait_for_job(api, queued["queueGtfsImport"]["id"], key=partners.a, query=JOB)
    process, log = worker
    assert done["status"] == "SUCCEEDED", (done, log.read_text()[-2000:])
    assert counts(done["importReport"]) == NAVETTE_COUNTS
    assert trip_count(api) == 4
    assert process.poll() is None  # still serving
    assert "runs imports only" in log.read_text()
