"""Timetabled journeys through the real app: two partners' GTFS feeds ridden as one network.

The stops stand where RATP's 2019 GTFS puts them (stop ids in the comments); the timetables
are test data written here, not real departures. Streets: the real west-Issy extract.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.settings import Settings
from marketplace.streets import StreetsState, load_streets
from tests.marketplace.helpers import PUBLISH, Api, Partners, published_service
from tests.marketplace.trips import MONDAY_MORNING, wait_for_job

IMPORT = """mutation($id: ID!, $files: JSON!) {
  importGtfs(serviceId: $id, files: $files) { skippedCount } }"""
PLAN = """
query($o: PlanLocationInput!, $d: PlanLocationInput!, $when: PlanDateTimeInput,
      $prefs: PlanPreferencesInput) {
  plan(origin: $o, destination: $d, dateTime: $when, preferences: $prefs,
       modes: {direct: [WALK], services: [SHUTTLE, PUBLIC_TRANSPORT]}) {
    edges { node { legs {
      mode start end service { name } from { stopId } to { stopId }
      transit { routeName routeShortName routeLongName routeColor routeTextColor routeMode
                tripId headwayS }
    } } }
    routingErrors { code description }
  }
}
"""
CALENDAR = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "all,1,1,1,1,1,1,1,20260101,20281231\n"
)
# Meudon-sur-Seine tramway (4473212) -> Les Moulineaux tramway (4009261), every 10 min.
SHUTTLE = {
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "meudon,Meudon sur Seine,48.81889433667651,2.238866475906443\n"
    "moulineaux,Les Moulineaux,48.82163721220325,2.252676374723151\n",
    "routes.txt": "route_id,route_short_name,route_long_name,route_type,route_color\n"
    "nav,N,Navette test,3,#2E8B57\n",
    "trips.txt": "route_id,service_id,trip_id\nnav,all,n0\nnav,all,n1\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "n0,08:40:00,08:40:00,meudon,1\nn0,08:46:00,08:46:00,moulineaux,2\n"
    "n1,08:50:00,08:50:00,meudon,1\nn1,08:56:00,08:56:00,moulineaux,2\n",
    "calendar.txt": CALENDAR,
}
# Les Moulineaux (4009384) -> Ile Saint-Germain (3681801) -> Pont de Billancourt (3681803).
BUS = {
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "moulineaux,Les Moulineaux,48.82147452777927,2.251410827016059\n"
    "isg,Ile Saint-Germain,48.82349539514756,2.2495427198114597\n"
    "pdb,Pont de Billancourt,48.825866993708395,2.2480005507039484\n",
    "routes.txt": "route_id,route_short_name,route_long_name,route_type,route_color,"
    "route_text_color\nL,99,Ligne test,3,0055a4,FFFFFF\n",
    "trips.txt": "route_id,service_id,trip_id\n" + "".join(f"L,all,b{k}\n" for k in range(3)),
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    + "".join(
        f"b{k},08:{m:02d}:00,08:{m:02d}:00,moulineaux,1\n"
        f"b{k},08:{m + 2:02d}:30,08:{m + 2:02d}:30,isg,2\n"
        f"b{k},08:{m + 5:02d}:00,08:{m + 5:02d}:00,pdb,3\n"
        for k, m in enumerate((33, 43, 53))
    ),
    "calendar.txt": CALENDAR,
}
ORIGIN = {"coordinate": {"latitude": 48.8190, "longitude": 2.2392}}
DESTINATION = {"coordinate": {"latitude": 48.8261, "longitude": 2.2482}}


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


def _publish(api: Api, key: str, kind: str, name: str, files: dict[str, str]) -> str:
    service = published_service(api, key, kind=kind, name=name, serviceArea=None)
    report = api.ok(IMPORT, {"id": service["id"], "files": files}, key=key)["importGtfs"]
    assert report["skippedCount"] == 0
    return str(service["id"])


def _transit_options(api: Api, **prefs: Any) -> list[list[dict[str, Any]]]:
    variables = {
        "o": ORIGIN,
        "d": DESTINATION,
        "when": {"earliestDeparture": MONDAY_MORNING},
        "prefs": {"maxWalkDistanceM": 300, **prefs},
    }
    edges = api.ok(PLAN, variables)["plan"]["edges"]
    legs = [edge["node"]["legs"] for edge in edges]
    return [option for option in legs if any(leg["transit"] for leg in option)]


def test_two_partners_feeds_make_one_journey_with_their_lines_colours(
    planner_api: Api, partners: Partners
) -> None:
    _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    assert _transit_options(planner_api) == []  # the shuttle alone ends too far away
    _publish(planner_api, partners.b, "PUBLIC_TRANSPORT", "Bus test", BUS)

    [legs] = _transit_options(planner_api)
    assert [leg["mode"] for leg in legs] == ["WALK", "SHUTTLE", "WALK", "TRANSIT", "WALK"]
    shuttle, change, bus = legs[1], legs[2], legs[3]
    assert shuttle["service"]["name"] == "Navette Bas-Meudon"
    assert bus["service"]["name"] == "Bus test"
    assert shuttle["transit"]["tripId"] == "n0" and bus["transit"]["tripId"] == "b2"
    assert bus["start"].startswith(MONDAY_MORNING[:11] + "08:53")
    assert change["from"]["stopId"] != change["to"]["stopId"]
    assert bus["transit"] == {
        "routeName": "99",
        "routeShortName": "99",
        "routeLongName": "Ligne test",
        "routeColor": "0055A4",
        "routeTextColor": "FFFFFF",
        "routeMode": "bus",
        "tripId": "b2",
        "headwayS": None,
    }
    assert (shuttle["transit"]["routeColor"], shuttle["transit"]["routeMode"]) == (
        "2E8B57",
        "shuttle",
    )
    # No change allowed: no journey.
    assert _transit_options(planner_api, maxTransfers=0) == []


def test_max_transfers_out_of_range_is_refused(planner_api: Api) -> None:
    variables = {
        "o": ORIGIN,
        "d": DESTINATION,
        "when": {"earliestDeparture": MONDAY_MORNING},
        "prefs": {"maxTransfers": 9},
    }
    payload = {"query": PLAN, "variables": variables}
    english = planner_api.client.post("/graphql", json=payload, headers={"Accept-Language": "en"})
    assert "maxTransfers 9; accepted: 0 to 8" in english.text
    french = planner_api.client.post("/graphql", json=payload).json()  # the city's language
    assert french["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert french["errors"][0]["message"] == "maxTransfers 9 ; accepté : de 0 à 8 correspondances"


# The same bus written as one pattern trip run every 10 minutes by frequencies.txt.
FREQUENCY_BUS = {
    **BUS,
    "trips.txt": "route_id,service_id,trip_id\nL,all,b\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "b,05:00:00,05:00:00,moulineaux,1\nb,05:02:30,05:02:30,isg,2\nb,05:05:00,05:05:00,pdb,3\n",
    "frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times\n"
    "b,08:33:00,09:00:00,600,1\n",
}


def test_a_frequency_based_line_is_planned_at_its_runs(
    planner_api: Api, partners: Partners
) -> None:
    _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    _publish(planner_api, partners.b, "PUBLIC_TRANSPORT", "Bus test", FREQUENCY_BUS)
    [legs] = _transit_options(planner_api)
    bus = legs[3]
    assert bus["transit"]["tripId"] == "b@08:53:00"
    assert bus["start"].startswith(MONDAY_MORNING[:11] + "08:53")
    assert bus["end"].startswith(MONDAY_MORNING[:11] + "08:58")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("x,08:00:00,09:00:00,600,1", "trip_id 'x' is not a trip with stop times"),
        ("b,09:00:00,08:00:00,600,1", "the start before the end"),
        ("b,08:00:00,09:00:00,0,1", "headway_secs '0'"),
        ("b,08:00:00,09:00:00,600,3", "exact_times '3'"),
        ("b,00:00:00,47:00:00,1,1", "at most 8640 per row"),
    ],
)
def test_bad_frequencies_refuse_the_feed(
    api: Api, partners: Partners, row: str, expected: str
) -> None:
    service = published_service(
        api, partners.b, kind="PUBLIC_TRANSPORT", name="Bus", serviceArea=None
    )
    files = {
        **FREQUENCY_BUS,
        "frequencies.txt": FREQUENCY_BUS["frequencies.txt"].split("\n")[0] + f"\n{row}\n",
    }
    body = api.post(IMPORT, {"id": service["id"], "files": files}, key=partners.b)
    assert body.get("errors"), body
    message = body["errors"][0]["message"]
    assert "frequencies.txt line 2" in message and expected in message
    assert "nothing was imported" in message


QUEUE = """mutation($id: ID!, $files: JSON) {
  queueGtfsImport(serviceId: $id, files: $files) { id } }"""
LANDED = """query($id: ID!) { job(id: $id) { id status error { code message }
  importReport { skippedCount catalogueVersion } } }"""


def test_a_queued_import_is_in_the_next_plan_once_its_job_lands(
    planner_api: Api, partners: Partners
) -> None:
    _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    assert _transit_options(planner_api) == []  # the shuttle alone ends too far away
    bus = published_service(
        planner_api, partners.b, kind="PUBLIC_TRANSPORT", name="Bus test", serviceArea=None
    )
    job = planner_api.ok(QUEUE, {"id": bus["id"], "files": BUS}, key=partners.b)
    done = wait_for_job(planner_api, job["queueGtfsImport"]["id"], key=partners.b, query=LANDED)
    assert done["status"] == "SUCCEEDED", done
    assert done["importReport"]["skippedCount"] == 0
    # The plan right after sees the bus: the catalogue version moved with the import.
    [legs] = _transit_options(planner_api)
    assert [leg["mode"] for leg in legs] == ["WALK", "SHUTTLE", "WALK", "TRANSIT", "WALK"]
    assert legs[3]["service"]["name"] == "Bus test" and legs[3]["transit"]["tripId"] == "b2"


UPSERT_STATION = """mutation($id: ID!) { upsertStations(serviceId: $id, stations: [
  {externalId: "a", name: "Mairie", lat: 48.8245, lon: 2.2735, capacity: 12}]) { created } }"""
AVAILABILITY = """mutation($id: ID!, $bikes: Int!) { updateAvailability(serviceId: $id,
  availability: [{stationExternalId: "a", vehiclesAvailable: $bikes, docksAvailable: 8}])
  { updated } }"""


def test_an_availability_batch_reads_no_timetable_and_an_import_is_in_the_next_plan(
    planner_api: Api, partners: Partners
) -> None:
    """Issue 15: on a regional feed re-reading every stop time after each catalogue change
    cost more than the plan budget. Only a timetable write moves the timetable version, so an
    availability batch re-reads none and keeps the transit network; a new import is read
    and planned at once."""
    _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    bus = _publish(planner_api, partners.b, "PUBLIC_TRANSPORT", "Bus test", BUS)
    bikes = published_service(planner_api, partners.a, kind="BIKE_SHARE", name="Vélos test")
    planner_api.ok(UPSERT_STATION, {"id": bikes["id"]}, key=partners.a)
    planner_api.ok(AVAILABILITY, {"id": bikes["id"], "bikes": 4}, key=partners.a)
    state = planner_api.client.app.state.planning  # type: ignore[attr-defined]
    catalogue, indexes = state.catalogue, state._planner.transit_indexes
    [legs] = _transit_options(planner_api)
    assert legs[3]["start"].startswith(MONDAY_MORNING[:11] + "08:53")
    reads, builds = catalogue.timetable_reads, indexes.builds
    timetables = planner_api.db.timetable_version()
    version = planner_api.db.catalogue_version()

    planner_api.ok(AVAILABILITY, {"id": bikes["id"], "bikes": 7}, key=partners.a)
    assert planner_api.db.catalogue_version() == version + 1
    assert planner_api.db.timetable_version() == timetables
    rebuilds = catalogue.rebuilds
    assert _transit_options(planner_api) == [legs]
    assert catalogue.rebuilds == rebuilds + 1  # the snapshot did follow the batch
    (view,) = [v for v in catalogue.snapshot()[1].values() if v.name == "Vélos test"]
    assert view.stations[0].availability.vehicles_available == 7
    assert (catalogue.timetable_reads, indexes.builds) == (reads, builds)

    # The bus now runs a minute later: the very next plan reads it and rides it.
    later = dict(BUS, **{"stop_times.txt": BUS["stop_times.txt"].replace(":53:", ":54:")})
    later["stop_times.txt"] = later["stop_times.txt"].replace("08:55:30", "08:56:30")
    later["stop_times.txt"] = later["stop_times.txt"].replace("08:58:00", "08:59:00")
    report = planner_api.ok(IMPORT, {"id": bus, "files": later}, key=partners.b)
    assert report["importGtfs"]["skippedCount"] == 0
    assert planner_api.db.timetable_version() > timetables
    [moved] = _transit_options(planner_api)
    assert moved[3]["start"].startswith(MONDAY_MORNING[:11] + "08:54")
    assert catalogue.timetable_reads == reads + 1 and indexes.builds == builds + 1


def test_republishing_one_timetable_reads_and_merges_that_service_only(
    planner_api: Api, partners: Partners
) -> None:
    """Issue 15 "rebuilt incrementally when one service changes": before, any timetable
    write made the next plan re-read, re-map and re-merge every published service (on a
    regional feed, longer than the plan budget). Now the import bumps the bus's own timetable
    revision: the next plan reads the bus alone, keeps the shuttle's mapped timetable and its
    prefixed part of the network, and rides the bus's new departure at once."""
    shuttle = _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    bus = _publish(planner_api, partners.b, "PUBLIC_TRANSPORT", "Bus test", BUS)
    state = planner_api.client.app.state.planning  # type: ignore[attr-defined]
    catalogue, indexes = state.catalogue, state._planner.transit_indexes
    [legs] = _transit_options(planner_api)
    assert legs[3]["start"].startswith(MONDAY_MORNING[:11] + "08:53")

    def timetable_of(global_id: str) -> object:
        # The planner's service ids are the database's (the API's are "MobilityService:<id>").
        own = base64.b64decode(global_id).decode().split(":")[1]
        [service] = [s for s in catalogue.snapshot()[0].services if s.id == own]
        return service.timetable

    shuttle_timetable, bus_timetable = timetable_of(shuttle), timetable_of(bus)
    reads, services_read = catalogue.timetable_reads, catalogue.services_read
    builds, prepared = indexes.builds, indexes.parts_prepared

    later = dict(BUS, **{"stop_times.txt": BUS["stop_times.txt"].replace(":53:", ":54:")})
    later["stop_times.txt"] = later["stop_times.txt"].replace("08:55:30", "08:56:30")
    later["stop_times.txt"] = later["stop_times.txt"].replace("08:58:00", "08:59:00")
    planner_api.ok(IMPORT, {"id": bus, "files": later}, key=partners.b)
    [moved] = _transit_options(planner_api)
    assert moved[3]["start"].startswith(MONDAY_MORNING[:11] + "08:54")
    assert moved[1] == legs[1]  # the shuttle's ride, from its kept part of the network
    # One read, of one service; one network joined, one service's part prefixed again.
    assert (catalogue.timetable_reads, catalogue.services_read) == (reads + 1, services_read + 1)
    assert (indexes.builds, indexes.parts_prepared) == (builds + 1, prepared + 1)
    assert timetable_of(shuttle) is shuttle_timetable
    assert timetable_of(bus) is not bus_timetable

    # The shuttle re-published in turn, unchanged: it alone is read, and its equal timetable
    # keeps the network as it is (nothing joined nor prefixed again).
    planner_api.ok(IMPORT, {"id": shuttle, "files": SHUTTLE}, key=partners.a)
    assert _transit_options(planner_api) == [moved]
    assert catalogue.services_read == services_read + 2
    assert (indexes.builds, indexes.parts_prepared) == (builds + 1, prepared + 1)
    assert timetable_of(bus) is not bus_timetable


SUSPEND = """mutation($id: ID!) { suspendService(id: $id) { status } }"""


def test_a_suspended_timetable_leaves_the_next_plan_and_comes_back_read_again(
    planner_api: Api, partners: Partners
) -> None:
    """A service no longer published is dropped from the kept timetables (its part of the
    network is not planned), and read again when it is published again."""
    _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    bus = _publish(planner_api, partners.b, "PUBLIC_TRANSPORT", "Bus test", BUS)
    catalogue = planner_api.client.app.state.planning.catalogue  # type: ignore[attr-defined]
    [legs] = _transit_options(planner_api)
    services_read = catalogue.services_read
    planner_api.ok(SUSPEND, {"id": bus}, key=partners.b)
    assert _transit_options(planner_api) == []
    planner_api.ok(PUBLISH, {"id": bus}, key=partners.b)
    assert _transit_options(planner_api) == [legs]
    assert catalogue.services_read == services_read + 1


def test_an_import_builds_the_network_before_the_next_plan_asks(
    planner_api: Api, partners: Partners
) -> None:
    """Issue 15: a big import must not make a commuter's plan pay the network build. The
    import's timetable event starts the warm-up, which reads the catalogue and builds the
    network in the background; the next plan finds both built and reads and builds nothing,
    and rides the imported bus."""
    state = planner_api.client.app.state.planning  # type: ignore[attr-defined]
    catalogue, indexes = state.catalogue, state._planner.transit_indexes
    runs = state.transit_warm_up.runs
    _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    _publish(planner_api, partners.b, "PUBLIC_TRANSPORT", "Bus test", BUS)
    assert state.transit_warm_up.wait(600)
    assert state.transit_warm_up.runs > runs
    reads, builds = catalogue.timetable_reads, indexes.builds
    assert builds >= 1  # by the warm-up: no plan was asked yet
    [legs] = _transit_options(planner_api)
    assert legs[3]["service"]["name"] == "Bus test"
    assert legs[3]["start"].startswith(MONDAY_MORNING[:11] + "08:53")
    assert (catalogue.timetable_reads, indexes.builds) == (reads, builds)
