"""Settings, database URLs and migrations on an empty database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from marketplace.db import Database, normalise_database_url, upgrade_database
from marketplace.settings import Settings, default_database_url
from marketplace.streets import StreetsState
from routing.errors import NoStreetNetworkError
from tests.marketplace.helpers import POSTGRES_URL, postgres_schema_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("postgresql://u@h/db", "postgresql+psycopg://u@h/db", id="postgresql"),
        pytest.param("postgres://u@h/db", "postgresql+psycopg://u@h/db", id="postgres"),
        pytest.param("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db", id="psycopg"),
        pytest.param("sqlite:////tmp/x.db", "sqlite:////tmp/x.db", id="sqlite"),
    ],
)
def test_normalise_database_url(url: str, expected: str) -> None:
    assert normalise_database_url(url) == expected


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="accepted: sqlite"):
        normalise_database_url("mysql://u@h/db")


def test_settings_from_environ(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://postgres@127.0.0.1/test",
        "ISSY_BROADCAST_URL": "redis://127.0.0.1:6379",
        "ISSY_STREETS": "/data/issy.osm",
        "ISSY_MAX_PAGE_SIZE": "30",
        "ISSY_AVAILABILITY_MAX_AGE_S": "120",
    }
    settings = Settings.from_environ(environ=env)
    assert settings.availability_max_age_s == 120
    assert Settings.from_environ(environ={}).availability_max_age_s == 600  # ten minutes
    assert settings.database_url == env["DATABASE_URL"]
    assert settings.broadcast_url == "redis://127.0.0.1:6379"
    assert settings.streets == "/data/issy.osm"
    assert Settings.from_environ(streets="/x.osm", environ=env).streets == "/x.osm"
    assert (settings.max_page_size, settings.default_page_size) == (30, 20)
    with pytest.raises(ValueError, match="ISSY_MAX_PAGE_SIZE='many' is not an integer"):
        Settings.from_environ(environ={"ISSY_MAX_PAGE_SIZE": "many"})


def test_default_database_is_sqlite_under_data(tmp_path: Path) -> None:
    url = default_database_url(tmp_path / "data")
    assert url == f"sqlite:///{tmp_path / 'data' / 'issy.sqlite3'}"
    assert (tmp_path / "data").is_dir()
    assert Settings.from_environ(environ={}).database_url.endswith("/data/issy.sqlite3")


def _tables(database: Database) -> set[str]:
    return set(sa.inspect(database.engine).get_table_names())


def _head_revision() -> str:
    # Read from the scripts, so adding a migration does not mean editing this test.
    from alembic.script import ScriptDirectory

    from marketplace.db import MIGRATIONS_DIR

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None, "the migrations have several heads; chain them"
    return head


def _check_migrates_empty_database(url: str) -> None:
    database = Database(url)
    try:
        assert _tables(database) == set()
        upgrade_database(database.engine)
        expected = {t.name for t in SQLModel.metadata.sorted_tables} | {"alembic_version"}
        assert _tables(database) == expected
        upgrade_database(database.engine)  # idempotent
        with database.engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert version.scalar_one() == _head_revision()
    finally:
        database.dispose()


def test_migrations_apply_on_an_empty_sqlite_database(tmp_path: Path) -> None:
    database_file = tmp_path / "nested" / "fresh.sqlite3"
    database_file.parent.mkdir()  # only the default data/ folder is ever created for you
    _check_migrates_empty_database(f"sqlite:///{database_file}")
    assert database_file.exists()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()


@pytest.mark.postgres
def test_migrations_apply_on_an_empty_postgres_schema() -> None:
    schema = f"mkt_fresh_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        _check_migrates_empty_database(postgres_schema_url(schema))
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def test_models_match_the_migrations(tmp_path: Path) -> None:
    """Autogenerate finds nothing to do: the tables and the migrations tell one story."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    database = Database(f"sqlite:///{tmp_path / 'diff.sqlite3'}")
    upgrade_database(database.engine)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        assert compare_metadata(context, SQLModel.metadata) == []
    database.dispose()


def test_the_app_starts_on_a_migrated_database(tmp_path: Path) -> None:
    import warnings

    from marketplace.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    url = f"sqlite:///{tmp_path / 'start.sqlite3'}"
    loaded: list[Settings] = []

    problem = NoStreetNetworkError("no street network in this test")

    def street_loader(settings: Settings) -> StreetsState:
        loaded.append(settings)
        return StreetsState(network=None, problem=problem)

    settings = Settings(database_url=url)
    Database(url).migrate()
    with TestClient(create_app(settings, street_loader=street_loader)) as client:
        health = client.get("/healthz").json()
        assert health == {
            "status": "ok",
            "worker": {"pid": os.getpid()},  # the TestClient runs the app in this process
            "database": "sqlite",
            "catalogue_version": 0,
            "streets": False,
            "live": "in-process",
            "warm_up": {"state": "off"},  # no streets, and apps built in code never warm up
        }
        assert client.app.state.planning.streets.problem is problem  # type: ignore[attr-defined]
    assert loaded == [settings]
    database = Database(url)
    assert "mobility_service" in _tables(database)
    database.dispose()
