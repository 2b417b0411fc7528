"""SQLite has one writer at a time: a write that cannot get the lock is a typed error.

A real transaction on the same SQLite file (``BEGIN IMMEDIATE`` through another connection,
as a long import's inserts hold it) keeps the write lock; a real GraphQL write through the
app then waits the busy timeout and gets ``DATABASE_BUSY`` (nothing written, the same request
succeeds once the lock is free), or succeeds when the lock is freed within the timeout. A
GTFS import is checked and mapped without the lock (:func:`prepare_gtfs` runs while another
writer holds it) and its write is all or nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import col

from marketplace.db import Database, DatabaseBusy
from marketplace.identity.actors import Actor
from marketplace.ingest.gtfs import (
    parse_gtfs,
    prepare_gtfs,
    read_gtfs,
    service_stop_ids,
    write_gtfs,
)
from marketplace.models import PartnerKind, TransitStopTime, TransitTrip
from marketplace.settings import Settings
from tests.marketplace.helpers import CREATE, ISSY_SQUARE, Api, Partners, published_service
from tests.marketplace.ingest.test_gtfs import FIXTURE

BUSY_MS = 400
"""The app's busy timeout here: short, so the refused write does not slow the suite."""

SERVICES = "query { services(first: 50) { edges { node { name } } } }"


@pytest.fixture
def settings(database_url: str) -> Settings:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has row locks: other writers do not wait for an import")
    return Settings(database_url=database_url, lock_wait_ms=BUSY_MS)


def _path(database_url: str) -> Path:
    database = make_url(database_url).database
    assert database is not None
    return Path(database)


@contextmanager
def write_lock(database_url: str) -> Iterator[sqlite3.Connection]:
    """Another connection's open write transaction on the same file, rolled back at the end."""
    holder = sqlite3.connect(
        _path(database_url), isolation_level=None, timeout=60, check_same_thread=False
    )
    try:
        holder.execute("BEGIN IMMEDIATE")  # takes the write lock, as an import's inserts do
        holder.execute("UPDATE partner SET name = name")
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def _service(name: str) -> dict[str, Any]:
    return {"input": {"kind": "BIKE_SHARE", "name": name, "serviceArea": ISSY_SQUARE}}


def _names(api: Api) -> list[str]:
    edges = api.ok(SERVICES)["services"]["edges"]
    return sorted(edge["node"]["name"] for edge in edges)


def test_a_write_while_another_holds_the_lock_is_database_busy_then_succeeds(
    api: Api, partners: Partners, settings: Settings
) -> None:
    published_service(api, partners.a, name="Avant")
    with write_lock(settings.database_url):
        error = api.error(CREATE, _service("Pendant"), key=partners.a)
        # Reads go on meanwhile (WAL): only writers wait for the one writer.
        assert _names(api) == ["Avant"]
    assert error["extensions"]["code"] == "DATABASE_BUSY"
    assert error["message"] == (
        "the database is busy with another write (an import?) and this one waited 0.4 s for "
        "it: retry in a few seconds; nothing was changed"
    )
    assert "Traceback" not in str(error) and "OperationalError" not in str(error)
    # Nothing of the refused write is left; the same request succeeds now.
    api.ok(CREATE, _service("Pendant"), key=partners.a)
    assert _names(api) == ["Avant"]  # a draft is not listed publicly
    drafts = api.db.call(
        lambda s: s.execute(sa.text("SELECT name FROM mobility_service ORDER BY id")).all()
    )
    assert [name for (name,) in drafts] == ["Avant", "Pendant"]


def test_a_write_waits_for_a_lock_freed_within_the_busy_timeout(
    database_url: str, api: Api, partners: Partners
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    # The default timeout (30 s) outlasts a lock held about a second: the write just waits.
    waiting = Database(database_url)
    assert waiting.busy_timeout_ms == 30_000
    with write_lock(database_url) as holder:
        release = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
        release.start()
        try:
            waiting.call(
                lambda s: s.execute(sa.text("UPDATE partner SET name = 'Alpha' WHERE id = 1"))
            )
        finally:
            release.join()
            waiting.dispose()
    assert (
        api.db.call(
            lambda s: s.execute(sa.text("SELECT name FROM partner WHERE id = 1")).scalar_one()
        )
        == "Alpha"
    )


def test_an_import_prepares_without_the_lock_and_writes_all_or_nothing(
    api: Api, partners: Partners, settings: Settings
) -> None:
    published_service(api, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None)
    service_id = int(
        api.db.call(
            lambda s: s.execute(sa.text("SELECT max(id) FROM mobility_service")).scalar_one()
        )
    )
    actor = Actor(partner_id=partners.a_id, partner_name="Alpha Bikes", kind=PartnerKind.STARTUP)
    feed = parse_gtfs(read_gtfs(FIXTURE))
    busy = Database(settings.database_url, busy_timeout_ms=BUSY_MS)
    try:
        with write_lock(settings.database_url):
            # Reading the service's stops and checking the whole feed need no write lock.
            known = busy.call(service_stop_ids, service_id)
            prepared = prepare_gtfs(feed, service_id=service_id, known_stop_ids=known)
            assert prepared.stop_times > 0
            with pytest.raises(DatabaseBusy):
                busy.call(write_gtfs, actor=actor, service_id=service_id, prepared=prepared)
        assert busy.call(_timetable_counts, service_id) == (0, 0)  # nothing half-written
        report = busy.call(write_gtfs, actor=actor, service_id=service_id, prepared=prepared)
        written = busy.call(_timetable_counts, service_id)
    finally:
        busy.dispose()
    assert written == (report.created["trips.txt"], report.created["stop_times.txt"]) == (4, 11)


def _timetable_counts(session: Any, service_id: int) -> tuple[int, int]:
    trips = session.execute(
        sa.select(sa.func.count())
        .select_from(TransitTrip)
        .where(col(TransitTrip.service_id) == service_id)
    ).scalar_one()
    times = session.execute(sa.select(sa.func.count()).select_from(TransitStopTime)).scalar_one()
    return int(trips), int(times)
