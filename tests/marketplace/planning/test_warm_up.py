"""The start-up plan: a served app plans one trip in the background and says so on /healthz.

The street network is the real tagged OSM extract of west Issy and Bas-Meudon.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.planning.warm_up import WARM_UP_TRIP_M, warm_up_trip
from marketplace.settings import Settings
from marketplace.streets import StreetsState
from tests.marketplace.trips import meudon_streets


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    return meudon_streets(shared_data, tmp_path_factory.mktemp("streets"))


def _health(client: TestClient) -> dict[str, object]:
    response = client.get("/healthz")
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def test_a_served_app_plans_one_trip_before_any_commuter_asks(
    settings: Settings, streets: StreetsState
) -> None:
    warm = dataclasses.replace(settings, warm_up=True)
    with TestClient(create_app(warm, street_loader=lambda s: streets)) as client:
        planning = client.app.state.planning  # type: ignore[attr-defined]
        warm_up = client.app.state.warm_up  # type: ignore[attr-defined]
        first = _health(client)["warm_up"]
        assert isinstance(first, dict) and first["state"] in {"running", "done"}
        # A kernel's first compile on a fresh clone of a loaded machine can take minutes.
        assert warm_up.wait(timeout_s=900)
        state = _health(client)["warm_up"]
        assert isinstance(state, dict) and state["state"] == "done", state
        assert float(state["seconds"]) > 0
        assert warm_up.problem is None
        assert warm_up.itineraries >= 1  # it went through the planner to the end
        assert planning.started_plans == 1  # the warm-up's, before any request asked one


def test_an_app_built_in_code_does_not_warm_up_unless_asked(
    settings: Settings, streets: StreetsState
) -> None:
    assert settings.warm_up is False
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        time.sleep(0.2)
        assert _health(client)["warm_up"] == {"state": "off"}
        assert client.app.state.planning.started_plans == 0  # type: ignore[attr-defined]


def test_serve_warms_up_unless_told_not_to() -> None:
    assert Settings.from_environ(environ={}).warm_up is True
    assert Settings.from_environ(environ={"ISSY_WARM_UP": "0"}).warm_up is False


def test_the_warm_up_trip_joins_two_real_nodes_about_a_kilometre_apart(
    settings: Settings, streets: StreetsState
) -> None:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        planning = client.app.state.planning  # type: ignore[attr-defined]
        (lat1, lon1), (lat2, lon2) = warm_up_trip(planning)
    graph = streets.require().router("walk").graph
    nodes = set(zip(graph.node_lat.tolist(), graph.node_lon.tolist(), strict=True))
    assert (lat1, lon1) in nodes and (lat2, lon2) in nodes
    m_per_deg = 111_320.0
    dx = (lon2 - lon1) * m_per_deg * math.cos(math.radians(lat1))
    dy = (lat2 - lat1) * m_per_deg
    assert 0.5 * WARM_UP_TRIP_M < math.hypot(dx, dy) < 1.5 * WARM_UP_TRIP_M
