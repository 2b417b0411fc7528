"""``travelTimeMatrix`` through the real app on the real west-Issy / Bas-Meudon extract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.settings import Settings
from marketplace.streets import StreetsState, load_streets
from tests.marketplace.helpers import Api

MATRIX = """
query($origins: [CoordinateInput!]!, $destinations: [CoordinateInput!]!, $mode: StreetMode!) {
  travelTimeMatrix(origins: $origins, destinations: $destinations, mode: $mode) {
    mode durationsS
  }
}
"""
# Both lie on streets of the extract (Bas-Meudon, by Issy's south-west corner).
GUILMANT = (48.8150, 2.2420)
STALINGRAD = (48.8240, 2.2520)


def point(lat_lon: tuple[float, float]) -> dict[str, float]:
    return {"latitude": lat_lon[0], "longitude": lat_lon[1]}


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    source = shared_data / "osm" / "meudon_drive_overpass_issy_west_2024-12-14.json.gz"
    state = load_streets(source, cache_dir=tmp_path_factory.mktemp("streets"))
    assert state.network is not None, state.problem
    return state


@pytest.fixture
def matrix_api(settings: Settings, streets: StreetsState) -> Iterator[Api]:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        yield Api(client)


def test_matrix_equals_the_routes_between_the_points(
    matrix_api: Api, streets: StreetsState
) -> None:
    points = [point(GUILMANT), point(STALINGRAD)]
    for mode in ("DRIVE", "WALK"):
        answer = matrix_api.ok(MATRIX, {"origins": points, "destinations": points, "mode": mode})[
            "travelTimeMatrix"
        ]
        assert answer["mode"] == mode
        durations = answer["durationsS"]
        assert network_routes_agree(streets, mode.lower(), durations)


def network_routes_agree(streets: StreetsState, mode: str, durations: list[list[float]]) -> bool:
    assert streets.network is not None
    router = streets.network.router(mode)
    for i, a in enumerate((GUILMANT, STALINGRAD)):
        for j, b in enumerate((GUILMANT, STALINGRAD)):
            expected = router.route(a, b).duration_s
            assert durations[i][j] == pytest.approx(expected, abs=0.06), (mode, i, j)
    assert durations[0][1] > 60  # over a kilometre apart
    return True


def test_matrix_limits_and_bad_points_are_typed_errors(matrix_api: Api) -> None:
    one = [point(GUILMANT)]
    too_many = [point(GUILMANT)] * 101
    error = matrix_api.error(MATRIX, {"origins": too_many, "destinations": one, "mode": "WALK"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "origins has 101 points; accepted: 1 to 100" in error["message"]
    error = matrix_api.error(MATRIX, {"origins": one, "destinations": [], "mode": "WALK"})
    assert "destinations has 0 points" in error["message"]
    far = [point((48.90, 2.50))]  # Bobigny: kilometres off the extract
    error = matrix_api.error(MATRIX, {"origins": one, "destinations": far, "mode": "WALK"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "destination 0" in error["message"]
