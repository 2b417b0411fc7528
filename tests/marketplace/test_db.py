"""Settings, database URLs and migrations on an empty database."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

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


def _terminate(application_name: str) -> int:
    """Terminate every PostgreSQL backend of ``application_name`` (this test's own only)."""
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            killed = connection.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": application_name},
            ).scalar_one()
    finally:
        engine.dispose()
    return int(killed)


def _own_url(database_url: str) -> tuple[str, str]:
    name = f"h13k-pool-{uuid.uuid4().hex[:8]}"
    return f"{database_url}&application_name={name}", name


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_requests_succeed_after_the_pool_backends_were_terminated(database_url: str) -> None:
    import warnings

    from marketplace.app import create_app
    from marketplace.identity.partners import create_api_key, create_partner
    from marketplace.models import PartnerKind

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    url, name = _own_url(database_url)
    me = {"query": "{ me { name } }"}
    services = {"query": "{ services(first: 5) { totalCount } }"}
    with TestClient(create_app(Settings(database_url=url))) as client:
        db: Database = client.app.state.db  # type: ignore[attr-defined]

        def partner(session) -> str:  # type: ignore[no-untyped-def]
            made = create_partner(session, name="Pool Test", kind=PartnerKind.STARTUP)
            assert made.id is not None
            return create_api_key(session, partner_id=made.id).token

        headers = {"Authorization": f"Bearer {db.call(partner)}"}
        for _ in range(2):
            assert client.post("/graphql", json=me, headers=headers).json() == {
                "data": {"me": {"name": "Pool Test"}}
            }
        # Killed while in steady use (no ping on checkout): the next request still succeeds,
        # whether its first query is a version read (a key) or a transaction (anonymous).
        for request, sent in ((me, headers), (services, headers), (services, {}), (me, headers)):
            assert _terminate(name) >= 1
            body = client.post("/graphql", json=request, headers=sent).json()
            assert "errors" not in body, body


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_only_idle_pooled_connections_are_pinged(database_url: str) -> None:
    url, name = _own_url(database_url)
    pings: list[int] = []
    select_one = sa.text("SELECT 1")
    for idle_s in (3600.0, 0.0):
        database = Database(url, ping_idle_s=idle_s)
        ping = database.engine.dialect.do_ping

        def counted(connection: Any, ping: Any = ping) -> bool:
            pings.append(1)
            return bool(ping(connection))

        database.engine.dialect.do_ping = counted  # type: ignore[method-assign,assignment]
        try:
            pings.clear()
            for _ in range(3):
                assert database.call(lambda s: s.execute(select_one).scalar()) == 1
            if idle_s > 0:
                assert pings == []  # in steady use: never pinged
                # Killed in steady use: the transaction fails before its commit and is run
                # again on a fresh connection.
                assert _terminate(name) == 1
                assert database.call(lambda s: s.execute(select_one).scalar()) == 1
                continue
            assert len(pings) == 2  # the first checkout opened a new connection
            # A connection that died while idle is found by the ping and replaced unseen.
            time.sleep(0.01)
            assert _terminate(name) == 1
            assert database.call(lambda s: s.execute(select_one).scalar()) == 1
            assert database.versions().credentials >= 0
        finally:
            database.dispose()
