"""The operator's command line: migrate, partner create, export-schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketplace.cli import main
from marketplace.db import Database
from marketplace.identity.partners import authenticate
from marketplace.migrate import code_revision


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.fixture
def migrated_file(database_file: Path) -> Path:
    assert main(["migrate"]) == 0
    return database_file


def test_migrate(database_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    head = code_revision()
    assert f"database migrated from empty to head {head} (sqlite)" in capsys.readouterr().out
    assert database_file.exists()
    assert main(["migrate"]) == 0
    assert f"database at head {head} (sqlite): nothing to do" in capsys.readouterr().out


def test_commands_refuse_a_database_never_migrated(
    database_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["partner", "create", "--name", "Alpha"]) == 1
    assert capsys.readouterr().err == (
        "error: database schema is at no revision (empty database), "
        f"the code needs {code_revision()}: run `issy-mobility migrate`\n"
    )


def test_partner_create_prints_an_id_and_a_working_key(
    migrated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["partner", "create", "--name", "Ville d'Issy", "--kind", "city"]) == 0
    out = capsys.readouterr().out
    key = next(line.split()[-1] for line in out.splitlines() if line.startswith("api key:"))
    assert "partner id:" in out
    database = Database(f"sqlite:///{migrated_file}")
    actor = database.call(authenticate, key)
    database.dispose()
    assert (actor.partner_name, actor.is_city) == ("Ville d'Issy", True)


def test_partner_names_are_unique(migrated_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["partner", "create", "--name", "Alpha"]) == 0
    assert main(["partner", "create", "--name", "Alpha"]) == 2
    assert "a partner named 'Alpha' exists already" in capsys.readouterr().err


def test_export_schema(tmp_path: Path) -> None:
    output = tmp_path / "schema.graphql"
    assert main(["export-schema", "--output", str(output)]) == 0
    assert "type MobilityService implements Node" in output.read_text()


def test_serve_gives_each_worker_its_share_of_the_cpus_by_default() -> None:
    from marketplace.cli.server import worker_query_parallelism

    assert [worker_query_parallelism(n, cpus=2) for n in (1, 2, 3, 4)] == [2, 1, 1, 1]
    assert [worker_query_parallelism(n, cpus=8) for n in (1, 2, 3, 4)] == [8, 4, 2, 2]
