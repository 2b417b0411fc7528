"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.paths import shared_data_dir
from tests.services import Throwaway, reachable, start_postgres, start_redis

_DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"


def _start_missing_services() -> list[Throwaway]:
    """A throw-away PostgreSQL or Redis (tests/services.py) for each that does not answer at
    the test URLs, with the URL pointed at it, so `make test` needs neither running first."""
    started = []
    for variable, default, start in (
        ("ISSY_TEST_POSTGRES_URL", _DEFAULT_POSTGRES_URL, start_postgres),
        ("ISSY_TEST_REDIS_URL", _DEFAULT_REDIS_URL, start_redis),
    ):
        if reachable(os.environ.get(variable, default)):
            continue
        server = start()
        started.append(server)
        os.environ[variable] = server.url
        print(f"{variable}: nothing answered, started a throw-away server at {server.url}")
    return started


# A plan's time budget is wall-clock (tested with its own settings in
# tests/marketplace/planning/test_plan_limits.py); the servers the tests start in other
# processes inherit this, so that a cold first plan on a loaded machine is not refused.
os.environ.setdefault("ISSY_PLAN_BUDGET_MS", "600000")

# At import, not in pytest_configure: pytest imports the conftest files of the paths it is
# given (and so tests/marketplace/helpers.py, which reads the URLs) before configuring.
_STARTED = _start_missing_services()


def pytest_unconfigure(config: pytest.Config) -> None:
    while _STARTED:
        _STARTED.pop().stop()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"shared data not found at {path}; set ISSY_SHARED_DATA to its folder")
    return path
