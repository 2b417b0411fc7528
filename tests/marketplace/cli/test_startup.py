"""Startup failures: an unusable database stops a command or the server with one line and
exit code 2, never a traceback, and a mistyped SQLite path creates nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketplace.cli import main


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "1"]])
def test_a_missing_sqlite_folder_is_told_and_not_created(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    missing = tmp_path / "dta" / "issy.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    assert main(command) == 2
    line = one_error_line(capsys)
    assert f"the folder {missing.parent} of the SQLite database" in line
    assert "does not exist; create it or correct DATABASE_URL" in line
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        pytest.param("mysql://u@h/db", "names 'mysql'; accepted: sqlite:///PATH", id="mysql"),
        pytest.param("not a url", "accepted: sqlite:///PATH", id="no-url"),
        pytest.param(
            "postgresql://postgres:s3cret@127.0.0.1:1/test",
            "cannot open the database postgresql+psycopg://postgres:***@127.0.0.1:1/test: ",
            id="unreachable",
        ),
    ],
)
@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "1"]])
def test_a_wrong_or_unreachable_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    fragment: str,
    command: list[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(command) == 2
    line = one_error_line(capsys)
    assert fragment in line
    assert "s3cret" not in line


@pytest.mark.postgres
def test_an_unknown_postgresql_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h16_no_such_db")
    assert main(["migrate"]) == 2
    assert 'database "h16_no_such_db" does not exist' in one_error_line(capsys)
