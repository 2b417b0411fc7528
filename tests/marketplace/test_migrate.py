"""Migrations once: concurrent ``issy-mobility migrate`` processes serialize, and servers and
commands refuse a database whose schema is not the code's instead of migrating it."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from marketplace.db import Database, upgrade_database
from marketplace.errors import SchemaOutOfDate
from marketplace.migrate import code_revision, database_revision, migrate
from marketplace.settings import Settings
from tests.live_server import free_port
from tests.marketplace.helpers import POSTGRES_URL, postgres_schema_url
from tests.marketplace.servers import process_env


def _previous_revision() -> str:
    """The revision before the head: a database the previous release left behind."""
    from alembic.script import ScriptDirectory

    from marketplace.db import MIGRATIONS_DIR

    down = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(code_revision()).down_revision
    assert isinstance(down, str)
    return down


_PREVIOUS_REVISION = _previous_revision()


def _migrate_processes(database_url: str, count: int) -> list[subprocess.CompletedProcess[str]]:
    """``count`` ``issy-mobility migrate`` processes started together, each waited for."""
    env = process_env(database_url, None)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "marketplace.cli", "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    completed = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        completed.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return completed


def _check_one_migrated_the_others_waited(
    database_url: str, completed: list[subprocess.CompletedProcess[str]]
) -> None:
    assert [c.returncode for c in completed] == [0] * len(completed), [c.stderr for c in completed]
    outs = [c.stdout for c in completed]
    head = code_revision()
    # Exactly one found the database empty; the others waited for its lock, then had nothing
    # to do (without the lock, both would have seen it empty and raced to create the tables).
    assert sum(f"from empty to head {head}" in out for out in outs) == 1, outs
    assert sum("nothing to do" in out for out in outs) == len(completed) - 1, outs
    database = Database(database_url)
    try:
        tables = set(sa.inspect(database.engine).get_table_names())
        expected = {t.name for t in SQLModel.metadata.sorted_tables} | {"alembic_version"}
        if database.backend == "postgresql":  # the job queue's tables, made under the lock
            expected |= {"huey_kv", "huey_schedule", "huey_task", "huey_counter"}
        assert tables == expected
        assert database_revision(database.engine) == head
    finally:
        database.dispose()


@pytest.fixture
def fresh_postgres_schema() -> Iterator[str]:
    schema = f"mkt_migrate_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield postgres_schema_url(schema)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.mark.postgres
def test_concurrent_migrate_processes_on_a_fresh_postgres_schema(
    fresh_postgres_schema: str,
) -> None:
    completed = _migrate_processes(fresh_postgres_schema, 2)
    _check_one_migrated_the_others_waited(fresh_postgres_schema, completed)


def test_concurrent_migrate_processes_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    completed = _migrate_processes(url, 2)
    _check_one_migrated_the_others_waited(url, completed)


def test_migrate_reports_what_it_did(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'steps.sqlite3'}")
    try:
        upgrade_database(database.engine, _PREVIOUS_REVISION)
        assert migrate(database.engine) == (_PREVIOUS_REVISION, code_revision())
        assert migrate(database.engine) == (code_revision(), code_revision())
    finally:
        database.dispose()


def test_the_app_refuses_a_stale_schema(tmp_path: Path) -> None:
    import warnings

    from marketplace.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    url = f"sqlite:///{tmp_path / 'stale.sqlite3'}"
    database = Database(url)
    upgrade_database(database.engine, _PREVIOUS_REVISION)
    database.dispose()
    with (
        pytest.raises(SchemaOutOfDate) as refused,
        TestClient(create_app(Settings(database_url=url))),
    ):
        pass
    assert str(refused.value) == (
        f"database schema is at {_PREVIOUS_REVISION}, the code needs {code_revision()}: "
        "run `issy-mobility migrate`"
    )
    database = Database(url)
    assert database_revision(database.engine) == _PREVIOUS_REVISION  # it did not migrate
    database.dispose()


def test_serve_refuses_a_stale_schema_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stale.sqlite3'}"
    database = Database(url)
    upgrade_database(database.engine, _PREVIOUS_REVISION)
    database.dispose()
    serve = [sys.executable, "-m", "marketplace.cli", "serve", "--port", str(free_port())]
    completed = subprocess.run(
        serve, env=process_env(url, None), capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        f"error: database schema is at {_PREVIOUS_REVISION}, the code needs "
        f"{code_revision()}: run `issy-mobility migrate`"
    ]
