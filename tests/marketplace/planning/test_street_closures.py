"""A street a planner closes reaches the next car plan, through the real app.

The street network is the real tagged OSM extract of west Issy and Bas-Meudon. The car trip's
route is read from the engine first, to pick a street it crosses (neither its first nor its
last); the city's planner closes that street through GraphQL, and the next car plan goes
around it while walking still passes; reopening restores the first route.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.settings import Settings
from marketplace.streets import StreetsState, load_streets
from routing.street.modes import Mode
from tests.marketplace.helpers import Api, Partners
from tests.marketplace.trips import (
    DESTINATION,
    MONDAY_MORNING,
    ORIGIN,
    PLAN,
    street_to_go_around,
)

CLOSE = """
mutation($street: String, $way: ID, $reason: String!, $starts: DateTime, $ends: DateTime) {
  closeStreet(street: $street, osmWayId: $way, reason: $reason, startsAt: $starts,
              endsAt: $ends) { id street osmWayId reason startsAt endsAt reopenedAt }
}
"""
REOPEN = "mutation($id: ID!) { reopenStreet(id: $id) { id reopenedAt } }"
CLOSED = "query($at: DateTime) { streetClosures(activeAt: $at) { id street reason } }"


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    source = shared_data / "osm" / "meudon_drive_overpass_issy_west_2024-12-14.json.gz"
    state = load_streets(source, cache_dir=tmp_path_factory.mktemp("streets"))
    assert state.network is not None, state.problem
    return state


@pytest.fixture
def planner_api(settings: Settings, streets: StreetsState) -> Iterator[Api]:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        yield Api(client)


def _point(location: dict[str, Any]) -> tuple[float, float]:
    coordinate = location["coordinate"]
    return float(coordinate["latitude"]), float(coordinate["longitude"])


@pytest.fixture(scope="module")
def crossed_street(streets: StreetsState) -> str:
    """A named street in the middle of the car trip's free-flow route that cars can go around."""
    return street_to_go_around(streets, _point(ORIGIN), _point(DESTINATION))


def _leg(api: Api, mode: str, when: str = MONDAY_MORNING) -> dict[str, Any]:
    plan = api.ok(
        PLAN,
        {
            "origin": ORIGIN,
            "destination": DESTINATION,
            "modes": {"direct": [mode]},
            "when": {"earliestDeparture": when},
        },
    )["plan"]
    assert plan["edges"], plan["routingErrors"]
    leg: dict[str, Any] = plan["edges"][0]["node"]["legs"][0]
    return leg


def _instructions(leg: dict[str, Any]) -> str:
    return " | ".join(step["instruction"] for step in leg["steps"])


def test_a_closed_street_reaches_the_next_car_plan(
    planner_api: Api, partners: Partners, crossed_street: str, streets: StreetsState
) -> None:
    assert streets.network is not None
    live = streets.network.router(Mode.DRIVE).live
    car, walk = _leg(planner_api, "CAR"), _leg(planner_api, "WALK")
    assert crossed_street in _instructions(car)

    closure = planner_api.ok(
        CLOSE, {"street": crossed_street, "reason": "roadworks"}, key=partners.city
    )["closeStreet"]
    assert closure["street"] == crossed_street and closure["reopenedAt"] is None

    customized = live.customizations
    around = _leg(planner_api, "CAR")
    assert crossed_street not in _instructions(around)  # the car goes around it
    # One customization of the drive hierarchy serves the closure, and the next plan reuses it.
    assert live.customizations == customized + 1
    assert _leg(planner_api, "CAR")["polyline"] == around["polyline"]
    assert live.customizations == customized + 1
    assert around["durationS"] > car["durationS"]  # the detour costs time
    assert _leg(planner_api, "WALK")["polyline"] == walk["polyline"]  # closed to cars only

    reopened = planner_api.ok(REOPEN, {"id": closure["id"]}, key=partners.city)["reopenStreet"]
    assert reopened["reopenedAt"] is not None
    back = _leg(planner_api, "CAR")
    assert back["polyline"] == car["polyline"]
    assert back["durationS"] == pytest.approx(car["durationS"])


def test_a_closure_holds_only_in_its_window(
    planner_api: Api, partners: Partners, crossed_street: str
) -> None:
    morning = dt.datetime.fromisoformat(MONDAY_MORNING)
    car = _leg(planner_api, "CAR")
    planner_api.ok(
        CLOSE,
        {
            "street": crossed_street,
            "reason": "street market",
            "starts": (morning - dt.timedelta(hours=1)).isoformat(),
            "ends": (morning + dt.timedelta(hours=1)).isoformat(),
        },
        key=partners.city,
    )
    assert crossed_street not in _instructions(_leg(planner_api, "CAR"))
    listed = planner_api.ok(CLOSED, {"at": MONDAY_MORNING}, key=partners.city)["streetClosures"]
    assert [(c["street"], c["reason"]) for c in listed] == [(crossed_street, "street market")]
    later = (morning + dt.timedelta(hours=3)).isoformat()
    assert planner_api.ok(CLOSED, {"at": later}, key=partners.city)["streetClosures"] == []
    assert _leg(planner_api, "CAR", later)["polyline"] == car["polyline"]


def test_only_planners_close_streets_and_bad_closures_are_refused(
    planner_api: Api, partners: Partners, crossed_street: str
) -> None:
    forbidden = planner_api.error(CLOSE, {"street": crossed_street, "reason": "x"}, key=partners.a)
    assert forbidden["extensions"]["code"] == "FORBIDDEN"
    assert planner_api.error(CLOSED, key=partners.a)["extensions"]["code"] == "FORBIDDEN"

    unknown = planner_api.error(
        CLOSE, {"street": crossed_street + "x", "reason": "works"}, key=partners.city
    )
    assert unknown["extensions"]["code"] == "BAD_USER_INPUT"
    assert "no street named" in unknown["message"]

    both = planner_api.error(
        CLOSE, {"street": crossed_street, "way": "1", "reason": "works"}, key=partners.city
    )
    assert "exactly one" in both["message"]

    backwards = planner_api.error(
        CLOSE,
        {
            "street": crossed_street,
            "reason": "works",
            "starts": "2026-12-07T10:00:00+01:00",
            "ends": "2026-12-07T09:00:00+01:00",
        },
        key=partners.city,
    )
    assert "is not after startsAt" in backwards["message"]
    empty = planner_api.error(CLOSE, {"street": crossed_street, "reason": " "}, key=partners.city)
    assert "reason" in empty["message"]
    # Nothing refused was stored: the car still takes the street.
    assert crossed_street in _instructions(_leg(planner_api, "CAR"))
