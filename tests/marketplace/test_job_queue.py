"""The job queue's storages: each deployment's kind of queue carries a job id from the
process that queued it to a consumer thread (huey, for real: SQLite file, PostgreSQL, Redis)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.db import Database
from marketplace.jobs.queue import JobQueue, queue_storage_for
from tests.marketplace.helpers import POSTGRES_URL, REDIS_URL, postgres_schema_url


def _carries_an_id(database_url: str, queue_url: str | None = None) -> None:
    received: list[int] = []
    arrived = threading.Event()

    def runner(job_id: int) -> None:
        received.append(job_id)
        arrived.set()

    producer = JobQueue(queue_storage_for(database_url, queue_url))
    producer.huey.flush()
    consumer = JobQueue(queue_storage_for(database_url, queue_url), runner)
    consumer.start_workers(1)
    try:
        producer.enqueue(4242)
        assert arrived.wait(timeout=120), "the consumer never received the job"
    finally:
        consumer.stop()
        producer.stop()
    assert received == [4242]


def test_a_sqlite_deployment_queues_in_a_file_beside_its_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'issy.sqlite3'}"
    _carries_an_id(url)
    assert (tmp_path / "issy.sqlite3.jobs").is_file()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    schema = f"mkt_queue_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = postgres_schema_url(schema)
    database = Database(url)
    database.migrate()  # creates the queue's tables too
    database.dispose()
    yield url
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.mark.postgres
def test_a_postgres_deployment_queues_in_its_database(postgres_url: str) -> None:
    _carries_an_id(postgres_url)


@pytest.mark.redis
def test_a_redis_queue_url_queues_in_redis(tmp_path: Path) -> None:
    _carries_an_id(f"sqlite:///{tmp_path / 'issy.sqlite3'}", REDIS_URL)
    assert not (tmp_path / "issy.sqlite3.jobs").exists()


def test_a_queue_url_that_is_not_redis_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"ISSY_JOB_QUEUE_URL 'amqp://x'; accepted: redis://"):
        queue_storage_for(f"sqlite:///{tmp_path / 'x.sqlite3'}", "amqp://x")
