"""The live car metric (congestion after an assignment, closures a planner confirmed) reaches
every car answer through the real app: ``travelTimeMatrix``, the NO_ROUTE a closure causes
(naming the closed street in French and English) and the car plan right after an assignment.

The street network is the real tagged OSM extract of west Issy and Bas-Meudon; the streets
closed are found on the engine's own free-flow route between the test trip's ends.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.settings import Settings
from marketplace.streets import StreetsState
from routing.street.modes import Mode
from tests.marketplace.helpers import Api, Partners, published_service
from tests.marketplace.trips import (
    DESTINATION,
    IMPORT,
    MONDAY_MORNING,
    ORIGIN,
    PLAN,
    TRIPS_CSV,
    ZONES_CSV,
    finished_run,
    meudon_streets,
    street_to_go_around,
)

CLOSE = """mutation($street: String!) {
  closeStreet(street: $street, reason: "roadworks") { id street } }"""
REOPEN = "mutation($id: ID!) { reopenStreet(id: $id) { id reopenedAt } }"
CAR_PLAN = PLAN.replace("inputField mode }", "inputField mode closedStreets }")
assert CAR_PLAN != PLAN
MATRIX = """
query($origins: [CoordinateInput!]!, $destinations: [CoordinateInput!]!, $mode: StreetMode!,
      $at: DateTime) {
  travelTimeMatrix(origins: $origins, destinations: $destinations, mode: $mode,
                   departAt: $at) { mode durationsS }
}
"""


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    return meudon_streets(shared_data, tmp_path_factory.mktemp("streets"))


@pytest.fixture
def live_api(settings: Settings, streets: StreetsState) -> Iterator[Api]:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        yield Api(client)


def _point(location: dict[str, Any]) -> tuple[float, float]:
    coordinate = location["coordinate"]
    return float(coordinate["latitude"]), float(coordinate["longitude"])


def _matrix(api: Api, mode: str = "DRIVE") -> list[list[float | None]]:
    points = [ORIGIN["coordinate"], DESTINATION["coordinate"]]
    answer = api.ok(
        MATRIX, {"origins": points, "destinations": points, "mode": mode, "at": MONDAY_MORNING}
    )["travelTimeMatrix"]
    durations: list[list[float | None]] = answer["durationsS"]
    return durations


def _car_plan(api: Api) -> dict[str, Any]:
    variables = {
        "origin": ORIGIN,
        "destination": DESTINATION,
        "modes": {"direct": ["CAR"]},
        "when": {"earliestDeparture": MONDAY_MORNING},
    }
    plan: dict[str, Any] = api.ok(CAR_PLAN, variables)["plan"]
    return plan


def _car_s(api: Api) -> float:
    plan = _car_plan(api)
    assert plan["edges"], plan["routingErrors"]
    duration_s: float = plan["edges"][0]["node"]["durationS"]
    return duration_s


def test_a_closure_between_two_points_changes_their_matrix_cell(
    live_api: Api, partners: Partners, streets: StreetsState
) -> None:
    crossed = street_to_go_around(streets, _point(ORIGIN), _point(DESTINATION))
    free, walk = _matrix(live_api), _matrix(live_api, "WALK")
    assert free[0][1] == pytest.approx(_car_s(live_api), abs=0.06)  # as the car plan says

    closure = live_api.ok(CLOSE, {"street": crossed}, key=partners.city)["closeStreet"]
    closed = _matrix(live_api)
    detour = closed[0][1]
    assert detour is not None and free[0][1] is not None
    assert detour > free[0][1] + 1  # the cell now holds the way round
    assert detour == pytest.approx(_car_s(live_api), abs=0.06)  # the car plan's detour
    assert closed[0][0] == 0 and closed[1][1] == 0
    assert _matrix(live_api, "WALK") == walk  # closed to cars only

    live_api.ok(REOPEN, {"id": closure["id"]}, key=partners.city)
    assert _matrix(live_api) == free


def test_a_departure_time_without_zone_is_refused(live_api: Api) -> None:
    points = [ORIGIN["coordinate"]]
    variables = {"origins": points, "destinations": points, "mode": "DRIVE"}
    error = live_api.error(MATRIX, {**variables, "at": "2026-12-07T08:30:00"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "departAt 2026-12-07T08:30:00 has no timezone" in error["message"]
    french = Api(live_api.client, language="fr").error(
        MATRIX, {**variables, "at": "2026-12-07T08:30:00"}
    )
    assert "n'a pas de fuseau horaire" in french["message"]


def _destination_streets(streets: StreetsState) -> list[str]:
    """The named streets the car trip's destination is snapped onto (closing them strands
    the car: it cannot arrive)."""
    assert streets.network is not None
    router = streets.network.router(Mode.DRIVE)
    snap = router.snap(*_point(DESTINATION))
    names = {router.graph.edge_name(position.edge) for position in snap.positions}
    assert None not in names, names
    return sorted(str(name) for name in names)


def test_a_car_plan_stranded_by_a_closure_names_the_closed_street(
    live_api: Api, partners: Partners, streets: StreetsState
) -> None:
    closed = _destination_streets(streets)
    for street in closed:
        live_api.ok(CLOSE, {"street": street}, key=partners.city)
    english = _car_plan(live_api)
    assert english["edges"] == []
    (error,) = english["routingErrors"]
    assert error["code"] == "NO_ROUTE"
    # The streets the car would have taken: closed ones, in route order.
    named = error["closedStreets"]
    assert named and set(named) <= set(closed), (named, closed)
    streets_text = ", ".join(named)
    if len(named) == 1:
        assert error["description"] == (
            f"No car route joins these places while this street is closed to cars: {named[0]}."
        )
    else:
        assert error["description"] == (
            "No car route joins these places while these streets are closed to cars: "
            f"{streets_text}."
        )
    assert streets.network is not None
    customized = streets.network.router(Mode.DRIVE).live.customizations
    french = _car_plan(Api(live_api.client, language="fr"))["routingErrors"][0]
    # The next stranded plan reuses the metrics of the first: closed and opened times.
    assert streets.network.router(Mode.DRIVE).live.customizations == customized
    assert french["closedStreets"] == named
    word = "cette voie est fermée" if len(named) == 1 else "ces voies sont fermées"
    assert french["description"] == (
        f"Aucun trajet en voiture ne relie ces lieux tant que {word} aux voitures : {streets_text}."
    )


def test_a_car_plan_without_route_for_other_reasons_names_no_closure(
    live_api: Api, partners: Partners, streets: StreetsState
) -> None:
    """A closure elsewhere is not blamed: the plan that fails anyway names no street."""
    crossed = street_to_go_around(streets, _point(ORIGIN), _point(DESTINATION))
    live_api.ok(CLOSE, {"street": crossed}, key=partners.city)
    assert _car_plan(live_api)["edges"]  # the car goes around: nothing to name
    for error in _car_plan(live_api)["routingErrors"]:
        assert error["closedStreets"] == []


def test_car_legs_use_congested_times_right_after_the_assignment_job(
    live_api: Api, partners: Partners, streets: StreetsState, caplog: pytest.LogCaptureFixture
) -> None:
    assert streets.network is not None
    router = streets.network.router(Mode.DRIVE)
    hierarchy, contracted = router.live.hierarchy, dict(router.graph.hierarchies)
    free_s = _car_s(live_api)
    free_cell = _matrix(live_api)[0][1]

    live_api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=partners.city)
    caplog.set_level(logging.DEBUG)
    run = finished_run(
        live_api, {"period": "morning_peak", "source": "IMPORTED"}, key=partners.city
    )
    assert run["converged"]
    customized = router.live.customizations
    congested_s = _car_s(live_api)  # the very next plan, no wait
    assert congested_s > free_s * 1.05  # it meets the morning's hotspots
    # The plan's time is the engine's route on the run's congested times, to the rounding.
    planning = live_api.client.app.state.planning  # type: ignore[attr-defined]
    times = planning.drive_times(dt.datetime.fromisoformat(MONDAY_MORNING))
    assert times is not None and np.all(times >= router.graph.duration_s)
    expected = router.route(_point(ORIGIN), _point(DESTINATION))
    expected = router.route_between(expected.origin, expected.destination, duration_s=times)
    assert congested_s == pytest.approx(expected.duration_s, abs=0.06)
    cell = _matrix(live_api)[0][1]
    assert cell is not None and free_cell is not None and cell > free_cell * 1.05
    assert cell == pytest.approx(congested_s, abs=0.06)
    # One customization served the plans and the matrix; nothing was ordered or contracted
    # again, and nothing in the log speaks of a rebuild.
    assert router.live.customizations == customized + 1
    assert router.live.hierarchy is hierarchy
    assert router.graph.hierarchies == contracted
    assert all(v is contracted[k] for k, v in router.graph.hierarchies.items())
    said = " ".join(r.getMessage().lower() for r in caplog.records)
    assert "customized the drive hierarchy for new weights" in said  # the log is read...
    assert not any(word in said for word in ("rebuil", "contract", "ordering")), said


def test_car_plans_read_the_traffic_run_once_per_catalogue_version(
    live_api: Api, partners: Partners
) -> None:
    """The latest run is read at a catalogue version and kept: storing a run bumps the
    version (the test above shows the very next plan takes it), so plans in between make no
    query for it, nor for closures."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.lower())

    engine = live_api.db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        first = _car_s(live_api)
        read_first = [s for s in statements if "traffic_run" in s or "street_closure" in s]
        statements.clear()
        second = _car_s(live_api)
        read_again = [s for s in statements if "traffic_run" in s or "street_closure" in s]
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert first == second
    assert read_first, "the first plan reads the run and the closures"
    assert read_again == [], read_again


def _trunk_trip(streets: StreetsState) -> tuple[tuple[float, float], tuple[float, float]]:
    """Two points off trunk roads whose fastest car route takes one, and that cars can also
    join without (drawn from the real extract's edges with a fixed seed)."""
    assert streets.network is not None
    router = streets.network.router(Mode.DRIVE)
    graph = router.graph
    classes = graph.highways[graph.highway_index].tolist()
    trunk = np.array([c in ("trunk", "trunk_link") for c in classes])
    ordinary = np.flatnonzero(~trunk & (graph.length_m > 30))
    rng = np.random.default_rng(14)
    avoid = frozenset({"trunk", "trunk_link"})
    for _ in range(300):
        a, b = rng.choice(ordinary, 2, replace=False).tolist()
        points = []
        for edge in (a, b):
            lat, lon = graph.edge_polyline(edge)
            points.append((float(lat[len(lat) // 2]), float(lon[len(lon) // 2])))
        start, end = router.snap(*points[0]), router.snap(*points[1])
        used = router.edges_between(start, end)
        if used is None or not trunk[used].any():
            continue
        if router.edges_between(start, end, avoid=avoid) is not None:
            return points[0], points[1]
    raise AssertionError("no car trip of the extract takes a trunk road it could avoid")


def test_avoid_roads_keeps_the_car_off_trunk_roads_by_one_customization(
    live_api: Api, streets: StreetsState
) -> None:
    assert streets.network is not None
    router = streets.network.router(Mode.DRIVE)
    a, b = _trunk_trip(streets)

    def car(avoid: list[str] | None) -> dict[str, Any]:
        variables = {
            "origin": {"coordinate": {"latitude": a[0], "longitude": a[1]}},
            "destination": {"coordinate": {"latitude": b[0], "longitude": b[1]}},
            "modes": {"direct": ["CAR"]},
            "when": {"earliestDeparture": MONDAY_MORNING},
            "preferences": {"avoidRoads": avoid},
        }
        plan = live_api.ok(CAR_PLAN, variables)["plan"]
        assert plan["edges"], plan["routingErrors"]
        leg: dict[str, Any] = plan["edges"][0]["node"]["legs"][0]
        return leg

    direct = car(None)
    before = router.live.customizations
    around = car(["TRUNK", "MOTORWAY"])
    assert around["polyline"] != direct["polyline"]
    assert around["durationS"] > direct["durationS"]
    kept_off = frozenset({"trunk", "trunk_link", "motorway", "motorway_link"})
    expected = router.route(a, b, avoid=kept_off)
    assert around["durationS"] == pytest.approx(expected.duration_s, abs=0.06)
    customized = router.live.customizations
    assert customized <= before + 1  # the profile's metric, customized once...
    assert car(["MOTORWAY", "TRUNK"])["polyline"] == around["polyline"]
    assert router.live.customizations == customized  # ...and reused by the next request
    points = [{"latitude": a[0], "longitude": a[1]}, {"latitude": b[0], "longitude": b[1]}]
    matrix = live_api.ok(
        MATRIX_AVOID, {"origins": points, "destinations": points, "avoid": ["TRUNK", "MOTORWAY"]}
    )["travelTimeMatrix"]["durationsS"]
    assert matrix[0][1] == pytest.approx(around["durationS"], abs=0.06)
    assert router.live.customizations == customized


def test_avoid_roads_reaches_the_on_demand_ride(
    live_api: Api, partners: Partners, streets: StreetsState
) -> None:
    """The traveller's avoided roads hold for an on-demand ride as for their own car: the ride
    goes round the trunk road the free-flow ride takes."""
    assert streets.network is not None
    router = streets.network.router(Mode.DRIVE)
    a, b = _trunk_trip(streets)
    south, north = min(a[0], b[0]) - 0.01, max(a[0], b[0]) + 0.01
    west, east = min(a[1], b[1]) - 0.01, max(a[1], b[1]) + 0.01
    zone = {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ],
    }
    service = published_service(
        live_api, partners.a, kind="ON_DEMAND", name="Navette à la demande", serviceArea=zone
    )

    def ride(avoid: list[str] | None) -> dict[str, Any]:
        variables = {
            "origin": {"coordinate": {"latitude": a[0], "longitude": a[1]}},
            "destination": {"coordinate": {"latitude": b[0], "longitude": b[1]}},
            "modes": {"direct": [], "services": ["ON_DEMAND"]},
            "when": {"earliestDeparture": MONDAY_MORNING},
            "preferences": {"avoidRoads": avoid},
        }
        plan = live_api.ok(CAR_PLAN, variables)["plan"]
        legs: list[dict[str, Any]] = [
            leg
            for edge in plan["edges"]
            for leg in edge["node"]["legs"]
            if leg["mode"] == "ON_DEMAND" and leg["service"]["id"] == service["id"]
        ]
        assert legs, plan["routingErrors"]
        return legs[0]

    direct, around = ride(None), ride(["TRUNK", "MOTORWAY"])
    assert around["polyline"] != direct["polyline"]
    kept_off = frozenset({"trunk", "trunk_link", "motorway", "motorway_link"})
    detour_s = router.route(a, b, avoid=kept_off).duration_s - router.route(a, b).duration_s
    assert detour_s > 0
    # Both legs count the same wait for the vehicle: they differ by the detour alone.
    assert around["durationS"] - direct["durationS"] == pytest.approx(detour_s, abs=0.12)


MATRIX_AVOID = """
query($origins: [CoordinateInput!]!, $destinations: [CoordinateInput!]!, $avoid: [AvoidRoad!]) {
  travelTimeMatrix(origins: $origins, destinations: $destinations, mode: DRIVE,
                   departAt: "2026-12-07T13:00:00+01:00", avoidRoads: $avoid) { durationsS }
}
"""
