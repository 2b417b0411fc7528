"""Reaching and leaving a rail station by shared bike, by car to a park-and-ride, through the
real app (issue 15 item 3).

Real data: the west-Issy street extract, the Vélib' snapshot of 2025-10-18 (stations, counts
and times as published, imported with ``importGbfs``) and the positions of two Transilien N
stations from IDFM's station list: Bellevue (48.81895, 2.22981) and Sèvres Rive Gauche
(48.82122, 2.21486). Test data written here: the timetable between them (a train every 15
minutes, 3 minutes between the stations, both ways) and its fare, a few stations' counts
(said where), and the park-and-ride (its position, spaces and price), since no real
departures or car park counts are at hand.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.settings import Settings
from marketplace.streets import StreetsState, load_streets
from tests.marketplace.helpers import Api, Partners, published_service
from tests.marketplace.trips import MONDAY_MORNING

IMPORT_GTFS = """mutation($id: ID!, $files: JSON!) {
  importGtfs(serviceId: $id, files: $files) { skippedCount } }"""
IMPORT_GBFS = """mutation($id: ID!, $feeds: JSON!) {
  importGbfs(serviceId: $id, feeds: $feeds) { skippedCount } }"""
FARE = """mutation($id: ID!) {
  setPricingPlan(serviceId: $id, plan: {externalId: "t", name: "Ticket", currency: "EUR",
                 unlockFeeMinor: 215}) { currency } }"""
PARK_AND_RIDE = """mutation($id: ID!, $at: DateTime!, $spaces: Int!) {
  upsertStations(serviceId: $id, stations: [
    {externalId: "pr", name: "Parc relais test", lat: 48.8185, lon: 2.2305, capacity: 80}
  ]) { created }
  setPricingPlan(serviceId: $id, plan: {externalId: "h", name: "Hour", currency: "EUR",
                 perHourMinor: 150}) { currency }
  updateAvailability(serviceId: $id, availability: [
    {stationExternalId: "pr", docksAvailable: $spaces, reportedAt: $at}]) { updated created }
}"""
EMPTY_STATIONS = """mutation($id: ID!, $counts: [AvailabilityInput!]!) {
  updateAvailability(serviceId: $id, availability: $counts) { updated created } }"""
PLAN = """
query($o: PlanLocationInput!, $d: PlanLocationInput!, $when: PlanDateTimeInput,
      $modes: PlanModesInput, $prefs: PlanPreferencesInput) {
  plan(origin: $o, destination: $d, dateTime: $when, modes: $modes, preferences: $prefs,
       numItineraries: 10) {
    edges { node { priceMinor legs {
      mode start end priceMinor service { name }
      from { name stopId vehiclesAvailable docksAvailable }
      to { name stopId vehiclesAvailable docksAvailable }
      transit { tripId }
    } } }
    routingErrors { code description }
  }
}
"""
REPORTED_AT = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
BELLEVUE = (48.81894780093774, 2.2298080037295134)  # Transilien N Bellevue (IDFM)
SEVRES_RG = (48.82121703789382, 2.21485979543755)  # Transilien N Sèvres Rive Gauche (IDFM)
CALENDAR = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "all,1,1,1,1,1,1,1,20260101,20281231\n"
)
DEPARTURES = ((8, 30), (8, 45), (9, 0), (9, 15), (9, 30))


def _line_n() -> dict[str, str]:
    trips, times = [], []
    for direction, (first, second) in enumerate((("bell", "srg"), ("srg", "bell"))):
        for h, m in DEPARTURES:
            trip = f"{first}{h:02d}{m:02d}"
            trips.append(f"N,all,{trip},{direction}\n")
            times.append(f"{trip},{h:02d}:{m:02d}:00,{h:02d}:{m:02d}:00,{first},1\n")
            times.append(f"{trip},{h:02d}:{m + 3:02d}:00,{h:02d}:{m + 3:02d}:00,{second},2\n")
    return {
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
        f"bell,Bellevue,{BELLEVUE[0]},{BELLEVUE[1]}\n"
        f"srg,Sèvres Rive Gauche,{SEVRES_RG[0]},{SEVRES_RG[1]}\n",
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\nN,N,Ligne N test,2\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "".join(trips),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        + "".join(times),
        "calendar.txt": CALENDAR,
    }


def _point(lat: float, lon: float) -> dict[str, Any]:
    return {"coordinate": {"latitude": lat, "longitude": lon}}


# Beside the Vélib' station Place Tony de Graaff (33 bikes, 8 docks in the snapshot), 1.4 km
# walk from Bellevue station; and 100 m from Sèvres Rive Gauche station.
EAST = _point(48.8180, 2.2455)
BY_SEVRES = _point(48.8220, 2.2160)
TONY_DE_GRAAFF = "1055541632"
SEVRES_VELIB = "11851037297"  # Sèvres Rive Gauche: 10 bikes, 23 docks in the snapshot
BIKE_AND_RAIL = {"direct": ["WALK"], "services": ["BIKE_SHARE", "PUBLIC_TRANSPORT"]}
# Within 500 m walk of BY_SEVRES the one Vélib' station is Sèvres Rive Gauche (Hôtel de Ville
# de Sèvres is 520 m away); Bellevue station is beyond 500 m of EAST.
SHORT_WALKS = {"maxWalkDistanceM": 500}


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    source = shared_data / "osm" / "meudon_drive_overpass_issy_west_2024-12-14.json.gz"
    state = load_streets(source, cache_dir=tmp_path_factory.mktemp("streets"))
    assert state.network is not None, state.problem
    return state


@pytest.fixture
def api(settings: Settings, streets: StreetsState) -> Iterator[Api]:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        yield Api(client)


@pytest.fixture
def network(api: Api, partners: Partners, shared_data: Path) -> dict[str, str]:
    """The Vélib' snapshot and the test line N, published; their service ids."""
    velib = published_service(api, partners.a, kind="BIKE_SHARE", name="Vélib'", serviceArea=None)
    feeds = {
        name: json.loads((shared_data / "bikeshare" / f"velib_{name}_2025-10-18.json").read_text())
        for name in ("station_information", "station_status")
    }
    api.ok(IMPORT_GBFS, {"id": velib["id"], "feeds": feeds}, key=partners.a)
    rer = published_service(
        api, partners.b, kind="PUBLIC_TRANSPORT", name="Ligne N test", serviceArea=None
    )
    report = api.ok(IMPORT_GTFS, {"id": rer["id"], "files": _line_n()}, key=partners.b)
    assert report["importGtfs"]["skippedCount"] == 0
    api.ok(FARE, {"id": rer["id"]}, key=partners.b)
    return {"velib": velib["id"], "train": rer["id"]}


def _set_counts(
    api: Api, partners: Partners, service_id: str, station: str, *, bikes: int, docks: int
) -> None:
    """Test counts (reported a moment ago) for one station of the real snapshot."""
    counts = [
        {
            "stationExternalId": station,
            "vehiclesAvailable": bikes,
            "docksAvailable": docks,
            "reportedAt": REPORTED_AT,
        }
    ]
    api.ok(
        EMPTY_STATIONS,
        {"id": service_id, "counts": counts},
        key=partners.a,
    )


def _options(
    api: Api, origin: dict[str, Any], destination: dict[str, Any], **variables: Any
) -> list[list[dict[str, Any]]]:
    base = {"o": origin, "d": destination, "when": {"earliestDeparture": MONDAY_MORNING}}
    result = api.ok(PLAN, {**base, **variables})["plan"]
    return [edge["node"]["legs"] for edge in result["edges"]]


def _modes(legs: list[dict[str, Any]]) -> list[str]:
    return [leg["mode"] for leg in legs]


def _at(leg: dict[str, Any], key: str) -> str:
    return str(leg[key])[11:16]


def test_a_bike_share_access_leg_to_a_rail_stop(
    api: Api, network: dict[str, str], partners: Partners
) -> None:
    # The station by Sèvres Rive Gauche is full (test counts): riding all the way would end
    # with nowhere to dock within the walk asked for, so the bike is left at Bellevue station
    # and the train taken.
    _set_counts(api, partners, network["velib"], SEVRES_VELIB, bikes=23, docks=0)
    options = _options(api, EAST, BY_SEVRES, modes=BIKE_AND_RAIL, prefs=SHORT_WALKS)
    ridden = [
        legs
        for legs in options
        if _modes(legs) == ["WALK", "BIKE_SHARE", "WALK", "TRANSIT", "WALK"]
    ]
    assert ridden, [_modes(legs) for legs in options]
    walk, bike, to_stop, train, _ = ridden[0]
    assert bike["service"]["name"] == "Vélib'"
    assert bike["from"]["name"] == "Place Tony de Graaff"
    assert bike["from"]["vehiclesAvailable"] == 33  # the snapshot's count, carried on the leg
    assert bike["to"]["name"] == "Gare de Bellevue" and bike["to"]["docksAvailable"] == 10
    assert bike["priceMinor"] is None  # the snapshot publishes no price: unknown, not free
    assert to_stop["to"]["name"] == "Bellevue" and train["from"]["name"] == "Bellevue"
    assert _at(walk, "start") >= "08:30" and _at(to_stop, "end") <= _at(train, "start")
    # Leaving at 08:30, the bike (about 6 minutes with unlocking and docking) misses the 08:30
    # train and catches the 08:45.
    assert train["transit"]["tripId"] == "bell0845"
    assert train["to"]["name"] == "Sèvres Rive Gauche"


def test_no_bike_share_leg_when_no_bike_is_left(
    api: Api, network: dict[str, str], partners: Partners
) -> None:
    _set_counts(api, partners, network["velib"], SEVRES_VELIB, bikes=23, docks=0)
    # Within 400 m of the origin, Place Tony de Graaff is the one station: with its bikes the
    # bike and train option is there, with none left (test count) it is not, nor any other
    # bike leg.
    prefs = {"maxWalkDistanceM": 400}
    options = _options(api, EAST, BY_SEVRES, modes=BIKE_AND_RAIL, prefs=prefs)
    assert ["WALK", "BIKE_SHARE", "WALK", "TRANSIT", "WALK"] in [_modes(o) for o in options]
    _set_counts(api, partners, network["velib"], TONY_DE_GRAAFF, bikes=0, docks=41)
    options = _options(api, EAST, BY_SEVRES, modes=BIKE_AND_RAIL, prefs=prefs)
    assert not [leg for legs in options for leg in legs if leg["mode"] == "BIKE_SHARE"]


def test_a_commuter_who_did_not_allow_bike_share_gets_none(
    api: Api, network: dict[str, str], partners: Partners
) -> None:
    _set_counts(api, partners, network["velib"], SEVRES_VELIB, bikes=23, docks=0)
    modes = {"direct": ["WALK"], "services": ["PUBLIC_TRANSPORT"]}
    options = _options(api, EAST, BY_SEVRES, modes=modes, prefs=SHORT_WALKS)
    assert not [leg for legs in options for leg in legs if leg["mode"] == "BIKE_SHARE"]


def test_a_bike_share_egress_leg_from_a_rail_stop(
    api: Api, network: dict[str, str], partners: Partners
) -> None:
    # No bike left by Sèvres Rive Gauche (test count): the train to Bellevue first, then a
    # bike from there.
    _set_counts(api, partners, network["velib"], SEVRES_VELIB, bikes=0, docks=33)
    options = _options(api, BY_SEVRES, EAST, modes=BIKE_AND_RAIL, prefs=SHORT_WALKS)
    ridden = [
        legs
        for legs in options
        if _modes(legs) == ["WALK", "TRANSIT", "WALK", "BIKE_SHARE", "WALK"]
    ]
    assert ridden, [_modes(legs) for legs in options]
    _, train, to_station, bike, _ = ridden[0]
    assert train["from"]["name"] == "Sèvres Rive Gauche" and train["to"]["name"] == "Bellevue"
    assert train["transit"]["tripId"] == "srg0845"  # a minute's walk: the 08:30 is gone
    assert (
        to_station["from"]["name"] == "Bellevue" and to_station["to"]["name"] == "Gare de Bellevue"
    )
    assert bike["from"]["vehiclesAvailable"] == 10 and bike["to"]["docksAvailable"] > 0
    assert _at(train, "end") <= _at(to_station, "start")


def test_park_and_ride_to_a_rail_stop(
    api: Api, network: dict[str, str], partners: Partners
) -> None:
    parking = published_service(api, partners.a, kind="PARKING", name="P+R test", serviceArea=None)
    api.ok(PARK_AND_RIDE, {"id": parking["id"], "at": REPORTED_AT, "spaces": 40}, key=partners.a)
    modes = {"direct": ["WALK", "CAR"], "services": ["PARKING", "PUBLIC_TRANSPORT"]}
    east = _point(48.8150, 2.2420)  # by Meudon station, 1 km east of Bellevue
    options = _options(api, east, BY_SEVRES, modes=modes)
    ridden = [legs for legs in options if _modes(legs)[:3] == ["CAR", "WALK", "TRANSIT"]]
    assert ridden, [_modes(legs) for legs in options]
    car, walk, train, *_ = ridden[0]
    assert car["service"]["name"] == "P+R test"
    assert car["to"]["name"] == "Parc relais test" and car["to"]["docksAvailable"] == 40
    assert car["priceMinor"] == 150  # the first hour: the stay is not known
    assert walk["to"]["name"] == "Bellevue" and train["from"]["name"] == "Bellevue"
    # Without CAR among the direct modes, no car is at hand: no park-and-ride.
    options = _options(
        api,
        east,
        BY_SEVRES,
        modes={"direct": ["WALK"], "services": ["PARKING", "PUBLIC_TRANSPORT"]},
    )
    assert not [legs for legs in options if "CAR" in _modes(legs)]
    # A full car park gives no way either.
    api.ok(PARK_AND_RIDE, {"id": parking["id"], "at": REPORTED_AT, "spaces": 0}, key=partners.a)
    options = _options(api, east, BY_SEVRES, modes=modes)
    assert not [legs for legs in options if _modes(legs)[:3] == ["CAR", "WALK", "TRANSIT"]]
