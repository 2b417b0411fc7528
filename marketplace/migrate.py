"""Migrations applied once, by one process at a time; everything else checks the revision.

``issy-mobility migrate`` (and ``make run`` before it starts the server) calls
:func:`migrate`: concurrent calls are serialized, so replicas or a deploy script starting
together never race to create the same tables. On PostgreSQL a session-level advisory lock
(keyed by the schema, so test schemas inside one database do not wait on each other) is held
while Alembic runs on another connection; on SQLite an exclusive ``flock`` on a file beside the
database does the same. The second caller then finds the schema at head and does nothing.

Servers and the other commands never migrate: :func:`require_current_schema` compares the
database's Alembic revision with the code's head and raises :class:`SchemaOutOfDate`, whose
one-line message says what to run.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import Engine

from marketplace.db import MIGRATIONS_DIR, upgrade_database
from marketplace.errors import SchemaOutOfDate

__all__ = [
    "SchemaOutOfDate",
    "code_revision",
    "database_revision",
    "migrate",
    "require_current_schema",
]

# Any fixed text: hashed by PostgreSQL with the schema name into the advisory lock's key.
_LOCK_NAME = "issy-mobility migrate"


def code_revision() -> str:
    """The head revision of the migration scripts shipped with this code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:  # pragma: no cover - a packaging mistake, caught by tests/test_db
        raise RuntimeError("the migrations have several heads; chain them")
    return head


def database_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at; ``None`` for a database never migrated."""
    from alembic.runtime.migration import MigrationContext

    # A read, not a migration: without this, Alembic announces its SQLite/PostgreSQL context.
    log = logging.getLogger("alembic.runtime.migration")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        log.setLevel(level)


def require_current_schema(engine: Engine) -> None:
    """Raise :class:`SchemaOutOfDate` unless the database is at the code's head revision."""
    current, needed = database_revision(engine), code_revision()
    if current != needed:
        raise SchemaOutOfDate(current, needed)


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Apply the pending migrations, serialized with any concurrent call.

    Returns
    -------
    tuple[str | None, str]
        The revision before (``None`` when empty) and after.
    """
    with _exclusive(engine):
        before = database_revision(engine)
        upgrade_database(engine)
        if engine.dialect.name == "postgresql":
            _create_queue_tables(engine)
        return before, code_revision()


def _create_queue_tables(engine: Engine) -> None:
    # The job queue's own tables (huey_*), created here under the lock rather than by
    # replicas starting together (huey's CREATE TABLE IF NOT EXISTS can race in PostgreSQL).
    from marketplace.jobs.queue import queue_storage_for

    queue_storage_for(engine.url.render_as_string(hide_password=False)).storage.close()


@contextlib.contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            key_sql = "SELECT hashtext(%s || current_schema())"
            key = connection.exec_driver_sql(key_sql, (_LOCK_NAME,)).scalar_one()
            connection.exec_driver_sql("SELECT pg_advisory_lock(%s)", (key,))
            connection.commit()
            try:
                yield
            finally:
                connection.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (key,))
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # one connection's private database: nobody to race with
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
