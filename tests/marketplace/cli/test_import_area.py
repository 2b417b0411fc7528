"""``issy-mobility import gtfs PATH --bbox ...``: the feed cut to the box reaches the database,
with progress on stderr; a bad box is one line and exit code 2, nothing written.

The feed is the hand-made one of ``tests/routing/transit/fixtures/gtfs_fares`` (known answers,
not a real network).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from marketplace.cli import main
from tests.marketplace.cli.test_ids import database_file, rows

FEED = Path(__file__).parents[2] / "routing" / "transit" / "fixtures" / "gtfs_fares"

__all__ = ["database_file"]


def test_only_the_box_is_imported_with_its_fares(
    database_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(
        ["import", "gtfs", str(FEED), "--partner", "1", "--bbox=2.2590,48.8190,2.2650,48.8245"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "stop_times.txt: 9 rows read" in err
    assert rows(database_file, "station") == 3  # A, M, Z; not Y nor W
    with sqlite3.connect(database_file) as connection:
        trips = {t for (t,) in connection.execute("SELECT external_id FROM transit_trip")}
        zones = dict(
            connection.execute("SELECT zone_id, count(*) FROM transit_stop_zone GROUP BY zone_id")
        )
        fares = dict(connection.execute("SELECT external_id, price_minor FROM transit_fare"))
        timezones = {z for (z,) in connection.execute("SELECT timezone FROM transit_route")}
    # The feeder keeps one call in the box: a trip needs two, so it is reported, not kept.
    assert trips == {"exp1", "loc1"}
    assert "feed1" in out
    assert zones == {"1": 2, "2": 1}
    assert fares == {"express": 500, "ticket": 190, "short": 100}
    assert timezones == {"Europe/Paris"}


def test_a_bad_box_is_refused_in_one_line(
    database_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(["import", "gtfs", str(FEED), "--partner", "1", "--bbox", "2.2,48.8"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1].startswith("error: --bbox '2.2,48.8' is not four numbers")
    assert rows(database_file, "mobility_service") == 0
