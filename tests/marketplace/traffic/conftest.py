"""Fixtures of the traffic tests: the real Meudon extract's streets and the app serving them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from marketplace.settings import Settings
from marketplace.streets import StreetsState
from tests.marketplace.helpers import Api
from tests.marketplace.trips import meudon_streets, traffic_app


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    """The street network, built once per test module (as each module did before)."""
    return meudon_streets(shared_data, tmp_path_factory.mktemp("streets"))


@pytest.fixture
def api(settings: Settings, streets: StreetsState, shared_data: Path) -> Iterator[Api]:
    """Overrides the marketplace app, which has no street network."""
    with traffic_app(settings, streets, shared_data) as app:
        yield app
