"""Planned trips are counted in memory and written in batches: within a second while the
server runs, at once when many wait, and at shutdown; two servers' counts add up."""

from __future__ import annotations

import time
import warnings
from functools import partial

import pytest
import sqlalchemy as sa

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from marketplace import app as app_module
from marketplace.app import create_app
from marketplace.db import Database
from marketplace.settings import Settings
from marketplace.traffic.planned import DemandRecorder, cell_of
from tests.marketplace.helpers import Api, app_state
from tests.marketplace.trips import monday_at

ORIGIN = (48.8245, 2.2700)
DESTINATION = (48.8300, 2.2620)
ELSEWHERE = (48.8150, 2.2500)


def _counts(db: Database) -> dict[tuple[str, str, str], int]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT origin_cell, destination_cell, period, trips FROM planned_trip_count")
        )
        return {(o, d, p): int(n) for o, d, p, n in rows}


def _key(
    origin: tuple[float, float], destination: tuple[float, float], period: str
) -> tuple[str, str, str]:
    return cell_of(*origin), cell_of(*destination), period


def test_counts_are_written_in_the_background_within_the_interval(api: Api) -> None:
    demand: DemandRecorder = app_state(api.client).demand
    for _ in range(3):
        assert demand.add(ORIGIN, DESTINATION, monday_at(8))
    assert demand.add(DESTINATION, ORIGIN, monday_at(17))
    assert not demand.add(ORIGIN, DESTINATION, monday_at(23))  # no period at night
    deadline = time.monotonic() + 10
    while demand.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    assert demand.pending == 0
    assert _counts(api.db) == {
        _key(ORIGIN, DESTINATION, "morning_peak"): 3,
        _key(DESTINATION, ORIGIN, "evening_peak"): 1,
    }


def test_a_full_buffer_is_written_at_once_in_one_statement(api: Api) -> None:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "planned_trip_count" in statement:
            statements.append(statement)

    # A long interval: only the buffer limit can trigger the write.
    recorder = DemandRecorder(api.db, flush_interval_s=3600, max_pending=5)
    sa.event.listen(api.db.engine, "before_cursor_execute", seen)
    try:
        recorder.start()
        for _ in range(3):
            recorder.add(ORIGIN, DESTINATION, monday_at(8))
        recorder.add(ORIGIN, ELSEWHERE, monday_at(8))
        recorder.add(ELSEWHERE, ORIGIN, monday_at(7))
        deadline = time.monotonic() + 10
        while recorder.pending and time.monotonic() < deadline:
            time.sleep(0.05)
        assert recorder.pending == 0
    finally:
        recorder.stop()
        sa.event.remove(api.db.engine, "before_cursor_execute", seen)
    assert len(statements) == 1  # three cell pairs, one INSERT
    assert _counts(api.db) == {
        _key(ORIGIN, DESTINATION, "morning_peak"): 3,
        _key(ORIGIN, ELSEWHERE, "morning_peak"): 1,
        _key(ELSEWHERE, ORIGIN, "morning_peak"): 1,
    }


def test_waiting_counts_are_written_at_shutdown_and_add_up(
    settings: Settings, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An interval no test outlives: only the shutdown writes.
    monkeypatch.setattr(
        app_module, "DemandRecorder", partial(DemandRecorder, flush_interval_s=3600)
    )
    for _ in range(2):  # two servers in turn
        with TestClient(create_app(settings)) as client:
            demand: DemandRecorder = app_state(client).demand
            for _ in range(2):
                demand.add(ORIGIN, DESTINATION, monday_at(8))
            assert demand.pending == 2
        assert demand.pending == 0
    assert _counts(api.db) == {_key(ORIGIN, DESTINATION, "morning_peak"): 4}


def test_bad_settings_are_refused(api: Api) -> None:
    with pytest.raises(ValueError, match="flush_interval_s"):
        DemandRecorder(api.db, flush_interval_s=0)
    with pytest.raises(ValueError, match="max_pending"):
        DemandRecorder(api.db, max_pending=0)
