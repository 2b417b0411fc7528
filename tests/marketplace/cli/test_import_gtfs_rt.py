"""``issy-mobility import gtfs-rt``: a GTFS-Realtime file read for a service, reported in
one line; a file that is no protobuf refused with the reason.

The timetable is the hand-made shuttle feed of the ingest tests (trip N1-0700 and others);
the realtime feed is built here with gtfs-realtime-bindings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marketplace.cli import main
from marketplace.db import Database
from marketplace.models import LiveFeed
from tests.marketplace.feed_server import feed_message

FIXTURE = Path(__file__).parents[1] / "ingest" / "fixtures" / "gtfs_navette"


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0
    assert main(["partner", "create", "--name", "Navettes"]) == 0
    assert main(["import", "gtfs", str(FIXTURE), "--partner", "1", "--publish"]) == 0
    return url


def test_a_file_is_read_for_the_service_and_its_unknown_trips_are_reported(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = feed_message(1_800_000_000)
    for trip_id in ("N1-0700", "N9-9999"):
        entity = message.entity.add()
        entity.id = trip_id
        entity.trip_update.trip.trip_id = trip_id
        entity.trip_update.delay = 120
    path = tmp_path / "trip-updates.pb"
    path.write_bytes(message.SerializeToString())
    capsys.readouterr()

    code = main(["import", "gtfs-rt", str(path), "--partner", "1", "--service", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"read {path.as_uri()}: {path.stat().st_size} bytes, 1 problem(s)" in out
    assert "trip N9-9999 is not in the service's timetable" in out
    database = Database(database_url)
    feed = database.call(lambda session: session.get(LiveFeed, 1))
    database.dispose()
    assert feed is not None and feed.payload == path.read_bytes()
    assert [p["params"] for p in json.loads(feed.problems or "[]")] == [{"trip_id": "N9-9999"}]


def test_a_file_that_is_not_protobuf_is_refused_with_the_reason(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "oops.json"
    path.write_text('{"entity": []}')
    capsys.readouterr()
    assert main(["import", "gtfs-rt", str(path), "--partner", "1", "--service", "1"]) == 1
    err = capsys.readouterr().err
    assert "not a GTFS-Realtime protobuf FeedMessage" in err
    assert "Traceback" not in err
