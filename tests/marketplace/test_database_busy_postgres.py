"""PostgreSQL locks rows: a write waits at most the lock wait for a row another transaction
holds, then gets ``DATABASE_BUSY`` (its ``lock_timeout``), rather than waiting as long as the
holder's transaction lasts.

A real transaction through another connection holds the service's row (``SELECT ... FOR
UPDATE``, as a long import's write would); a real GraphQL change of that service then waits
the lock wait and is refused with nothing written; other services are not held up, and the
same request succeeds once the row is free.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from marketplace.api.relay import decode_global_id
from marketplace.db import Database
from marketplace.settings import Settings
from tests.marketplace.helpers import Api, Partners, published_service

LOCK_WAIT_MS = 400
UPDATE = """mutation($id: ID!, $v: Int!, $name: String!) {
  updateService(id: $id, expectedVersion: $v, input: {name: $name}) { name version } }"""


@pytest.fixture
def settings(database_url: str) -> Settings:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's row locks (SQLite's one write lock: test_database_busy.py)")
    return Settings(database_url=database_url, lock_wait_ms=LOCK_WAIT_MS)


def _name(api: Api, service: dict[str, Any]) -> str:
    _, sid = decode_global_id(service["id"], expected="MobilityService")
    return str(
        api.db.call(
            lambda s: s.execute(
                sa.text("SELECT name FROM mobility_service WHERE id = :id"), {"id": sid}
            ).scalar_one()
        )
    )


def test_a_write_on_a_row_another_holds_is_database_busy_then_succeeds(
    api: Api, partners: Partners, settings: Settings
) -> None:
    held = published_service(api, partners.a, name="Avant")
    other = published_service(api, partners.a, name="Autre")
    _, sid = decode_global_id(held["id"], expected="MobilityService")
    holder = Database(settings.database_url)
    try:
        with holder.engine.connect() as connection, connection.begin():
            connection.execute(
                sa.text("SELECT id FROM mobility_service WHERE id = :id FOR UPDATE"), {"id": sid}
            )
            variables = {"id": held["id"], "v": held["version"], "name": "Pendant"}
            error = api.error(UPDATE, variables, key=partners.a)
            # Another row is not held up.
            renamed = api.ok(
                UPDATE,
                {"id": other["id"], "v": other["version"], "name": "Autre 2"},
                key=partners.a,
            )
            assert renamed["updateService"]["name"] == "Autre 2"
    finally:
        holder.dispose()
    assert error["extensions"]["code"] == "DATABASE_BUSY", error
    assert error["message"] == (
        "the database is busy with another write (an import?) and this one waited 0.4 s for "
        "it: retry in a few seconds; nothing was changed"
    )
    assert "Traceback" not in str(error) and "LockNotAvailable" not in str(error)
    assert _name(api, held) == "Avant"  # nothing of the refused write
    variables = {"id": held["id"], "v": held["version"], "name": "Pendant"}
    assert api.ok(UPDATE, variables, key=partners.a)["updateService"]["name"] == "Pendant"


def test_the_lock_wait_is_set_on_every_connection(settings: Settings) -> None:
    database = Database(settings.database_url, busy_timeout_ms=1234)
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "1234ms"
    finally:
        database.dispose()
    assert Settings.from_environ(environ={"ISSY_LOCK_WAIT_MS": "5000"}).lock_wait_ms == 5000
    assert (
        Settings.from_environ(environ={"ISSY_SQLITE_BUSY_TIMEOUT_MS": "7000"}).lock_wait_ms == 7000
    )
