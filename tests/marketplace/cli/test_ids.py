"""Ids on the command line: ASCII digits in the row range or a global id, else one line and
exit code 2, and nothing written."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from marketplace.api.relay import encode_global_id
from marketplace.cli import main

FIXTURE = Path(__file__).parents[1] / "ingest" / "fixtures" / "gtfs_navette"


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ids.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["migrate"]) == 0
    assert main(["partner", "create", "--name", "Navettes"]) == 0
    return path


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        count: int = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return count


BAD_IDS = [
    pytest.param("１", "is neither a number from 1 to 2147483647", id="full-width-digit"),
    pytest.param("²", "is neither a number from 1 to 2147483647", id="superscript-digit"),
    pytest.param(" 1", "is neither a number from 1 to 2147483647", id="leading-space"),
    pytest.param("+1", "is neither a number from 1 to 2147483647", id="plus-sign"),
    pytest.param("-1", "is neither a number from 1 to 2147483647", id="negative"),
    pytest.param("01", "is no Partner id", id="leading-zero"),
    pytest.param("99999999999999999999", "no Partner with id", id="beyond-the-column"),
    pytest.param("0", "no Partner with id 0", id="zero"),
    pytest.param(
        encode_global_id("MobilityService", 1), "is a MobilityService, not a Partner", id="type"
    ),
]


@pytest.mark.parametrize(("partner", "fragment"), BAD_IDS)
def test_import_refuses_a_bad_partner_id_in_one_line(
    database_file: Path, capsys: pytest.CaptureFixture[str], partner: str, fragment: str
) -> None:
    capsys.readouterr()
    code = main(["import", "gtfs", str(FIXTURE), "--partner", partner])
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    lines = err.splitlines()
    assert [line for line in lines if line.startswith("error:")] == [lines[-1]]
    assert "Traceback" not in err
    assert rows(database_file, "mobility_service") == 0


@pytest.mark.parametrize(("partner", "fragment"), BAD_IDS)
def test_person_create_refuses_a_bad_partner_id_in_one_line(
    database_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    partner: str,
    fragment: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    capsys.readouterr()
    code = main(
        [
            "person", "create", "--email", "m@example.org", "--role", "partner-member",
            "--partner", partner, "--password-stdin",
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and fragment in err and err.count("\n") == 1
    assert rows(database_file, "person") == 0


def test_import_takes_the_number_and_the_global_id_alike(
    database_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "gtfs", str(FIXTURE), "--partner", "1"]) == 0
    partner = encode_global_id("Partner", 1)
    assert main(["import", "gtfs", str(FIXTURE), "--partner", partner]) == 0
    assert rows(database_file, "mobility_service") == 2


def test_import_refuses_an_unknown_kind(
    database_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(["import", "gtfs", str(FIXTURE), "--partner", "1", "--kind", "rocket"])
    assert code == 2
    assert "--kind 'rocket' is not a kind of service; accepted: " in capsys.readouterr().err
    assert rows(database_file, "mobility_service") == 0
