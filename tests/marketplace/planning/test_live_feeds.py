"""GTFS-Realtime feeds registered by a partner, polled by the server over real HTTP, moving
the next plan: a delay, a cancellation, a skipped stop, an alert on the leg.

The timetables are hand-made test data with known answers (the stops stand where RATP's 2019
GTFS puts them; the departures are not real ones): a partner's shuttle from Meudon sur Seine
to Les Moulineaux arriving 08:46, and bus line 99 leaving Les Moulineaux at 08:33, 08:43,
08:53 (trip b2, the one the journey takes) and 09:03 (b3). The feeds are protobufs built
with gtfs-realtime-bindings and served by a local HTTP server (a real socket); the server's
own poller thread reads them. Streets: the real west-Issy extract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from google.transit import gtfs_realtime_pb2 as rt

from tests.marketplace.feed_server import FeedServer, feed_message, feed_server
from tests.marketplace.helpers import Api, Partners, published_service, wait_until
from tests.marketplace.planning.test_transit_plans import (
    CALENDAR,
    DESTINATION,
    IMPORT,
    ORIGIN,
    SHUTTLE,
    planner_api,
    streets,
)
from tests.marketplace.trips import MONDAY_MORNING

__all__ = ["planner_api", "streets"]  # fixtures shared with the timetable tests

# The partner's feed server listens on 127.0.0.1: this deployment allows it.
pytestmark = pytest.mark.local_feeds

REGISTER = """mutation($id: ID!, $kind: LiveFeedKind!, $url: String!, $interval: Int!) {
  registerLiveFeed(serviceId: $id, kind: $kind, url: $url, intervalS: $interval) {
    kind url intervalS } }"""
FEEDS = """query($id: ID!) { service(id: $id) { liveFeeds {
  kind url lastAttemptAt lastSuccessAt lastError failures nextPollAt problems } } }"""
PLAN = """
query($o: PlanLocationInput!, $d: PlanLocationInput!, $when: PlanDateTimeInput,
      $prefs: PlanPreferencesInput) {
  plan(origin: $o, destination: $d, dateTime: $when, preferences: $prefs,
       modes: {direct: [WALK], services: [SHUTTLE, PUBLIC_TRANSPORT]}) {
    edges { node { legs {
      mode start end
      transit { tripId realtime departureDelayS arrivalDelayS
                intermediateStops { name }
                alerts { id headerText descriptionText effect } }
    } } }
  }
}
"""
TIMES = ("08:33", "08:43", "08:53", "09:03")
BUS = {
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "moulineaux,Les Moulineaux,48.82147452777927,2.251410827016059\n"
    "isg,Ile Saint-Germain,48.82349539514756,2.2495427198114597\n"
    "pdb,Pont de Billancourt,48.825866993708395,2.2480005507039484\n",
    "routes.txt": "route_id,route_short_name,route_long_name,route_type\nL,99,Ligne test,3\n",
    "trips.txt": "route_id,service_id,trip_id\n"
    + "".join(f"L,all,b{k}\n" for k in range(len(TIMES))),
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    + "".join(
        f"b{k},{hm}:00,{hm}:00,moulineaux,1\nb{k},{hm}:30,{hm}:30,isg,2\n"
        f"b{k},{hm}:59,{hm}:59,pdb,3\n"
        for k, hm in enumerate(TIMES)
    ),
    "calendar.txt": CALENDAR,
}
MONDAY = dt.datetime.fromisoformat(MONDAY_MORNING)
START_DATE = MONDAY.strftime("%Y%m%d")


def _publish(api: Api, key: str, kind: str, name: str, files: dict[str, str]) -> str:
    service = published_service(api, key, kind=kind, name=name, serviceArea=None)
    report = api.ok(IMPORT, {"id": service["id"], "files": files}, key=key)["importGtfs"]
    assert report["skippedCount"] == 0
    service_id: str = service["id"]
    return service_id


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


@pytest.fixture
def bus(planner_api: Api, partners: Partners) -> str:
    _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    return _publish(planner_api, partners.b, "PUBLIC_TRANSPORT", "Bus test", BUS)


def _bus_legs(api: Api, language: str = "en") -> list[dict[str, Any]]:
    api.language = language
    variables = {
        "o": ORIGIN,
        "d": DESTINATION,
        "when": {"earliestDeparture": MONDAY_MORNING},
        "prefs": {"maxWalkDistanceM": 300},
    }
    edges = api.ok(PLAN, variables)["plan"]["edges"]
    return [
        leg
        for edge in edges
        for leg in edge["node"]["legs"]
        if leg["mode"] == "TRANSIT" and leg["transit"]
    ]


def _feeds(api: Api, key: str, service_id: str) -> list[dict[str, Any]]:
    feeds: list[dict[str, Any]] = api.ok(FEEDS, {"id": service_id}, key=key)["service"]["liveFeeds"]
    return feeds


def _serve_and_register(
    api: Api, server: FeedServer, key: str, service_id: str, message: rt.FeedMessage, **kw: Any
) -> dict[str, Any]:
    """Serve ``message``, (re-)register it (read at once) and wait for the poller's read."""
    path = kw.get("path", "/trip-updates.pb")
    kind = kw.get("kind", "GTFS_RT_TRIP_UPDATES")
    server.bodies[path] = (200, message.SerializeToString())

    def read() -> dict[str, Any] | None:
        return next((f for f in _feeds(api, key, service_id) if f["kind"] == kind), None)

    previous = read()
    attempted = previous["lastAttemptAt"] if previous else None
    variables = {"id": service_id, "kind": kind, "url": server.url(path), "interval": 60}
    api.ok(REGISTER, variables, key=key)

    def read_again() -> bool:
        feed = read()
        return feed is not None and feed["lastAttemptAt"] not in (None, attempted)

    wait_until(read_again, what="the poller's next read", timeout_s=60)
    feed = read()
    assert feed is not None
    return feed


def _trip_update(message: rt.FeedMessage, trip_id: str) -> rt.TripUpdate:
    entity = message.entity.add()
    entity.id = f"tu-{trip_id}"
    update: rt.TripUpdate = entity.trip_update
    update.trip.trip_id = trip_id
    update.trip.start_date = START_DATE
    return update


def test_a_delay_from_gtfs_rt_moves_the_next_plan(
    planner_api: Api, partners: Partners, bus: str, server: FeedServer
) -> None:
    [planned] = _bus_legs(planner_api)
    assert planned["transit"]["tripId"] == "b2"
    assert planned["start"][11:16] == "08:53" and planned["transit"]["realtime"] is False

    message = feed_message(int(MONDAY.timestamp()))
    late = _trip_update(message, "b2").stop_time_update.add()
    late.stop_sequence = 1
    late.departure.delay = 180  # three minutes late from Les Moulineaux, and onwards
    feed = _serve_and_register(planner_api, server, partners.b, bus, message)
    assert feed["lastError"] is None and feed["problems"] == []

    [moved] = _bus_legs(planner_api)
    assert moved["transit"]["tripId"] == "b2"
    assert moved["start"][11:19] == "08:56:00" and moved["end"][11:19] == "08:56:59"
    assert moved["transit"]["realtime"] is True
    assert (moved["transit"]["departureDelayS"], moved["transit"]["arrivalDelayS"]) == (180, 180)


def test_a_cancelled_trip_and_a_skipped_stop_send_the_traveller_to_the_next_bus(
    planner_api: Api, partners: Partners, bus: str, server: FeedServer
) -> None:
    message = feed_message(int(MONDAY.timestamp()))
    _trip_update(message, "b2").trip.schedule_relationship = rt.TripDescriptor.CANCELED
    _serve_and_register(planner_api, server, partners.b, bus, message)
    [leg] = _bus_legs(planner_api)
    assert (leg["transit"]["tripId"], leg["start"][11:16]) == ("b3", "09:03")

    skipping = feed_message(int(MONDAY.timestamp()))
    skipped = _trip_update(skipping, "b2").stop_time_update.add()
    skipped.stop_sequence = 1
    skipped.schedule_relationship = rt.TripUpdate.StopTimeUpdate.SKIPPED
    passing = _trip_update(skipping, "b3").stop_time_update.add()
    passing.stop_sequence = 2
    passing.schedule_relationship = rt.TripUpdate.StopTimeUpdate.SKIPPED
    _serve_and_register(planner_api, server, partners.b, bus, skipping)
    [leg] = _bus_legs(planner_api)
    # b2 no longer stops at Les Moulineaux; b3 stops there but passes Ile Saint-Germain.
    assert (leg["transit"]["tripId"], leg["start"][11:16]) == ("b3", "09:03")
    assert leg["transit"]["intermediateStops"] == []


def test_an_active_alert_on_the_route_is_attached_to_the_leg_in_the_readers_language(
    planner_api: Api, partners: Partners, bus: str, server: FeedServer
) -> None:
    message = feed_message(int(MONDAY.timestamp()))
    for alert_id, start, end in (
        ("works", MONDAY - dt.timedelta(hours=1), MONDAY + dt.timedelta(hours=2)),
        ("yesterday", MONDAY - dt.timedelta(days=1), MONDAY - dt.timedelta(hours=20)),
    ):
        entity = message.entity.add()
        entity.id = alert_id
        alert: rt.Alert = entity.alert
        period = alert.active_period.add()
        period.start, period.end = int(start.timestamp()), int(end.timestamp())
        alert.informed_entity.add().route_id = "L"
        alert.effect = rt.Alert.DETOUR
        for language, text in (("fr", "Travaux rue Guynemer"), ("en", "Roadworks")):
            translation = alert.header_text.translation.add()
            translation.language, translation.text = language, text
    unknown = message.entity.add()
    unknown.id = "elsewhere"
    unknown.alert.informed_entity.add().stop_id = "no-such-stop"
    unknown.alert.header_text.translation.add().text = "?"
    feed = _serve_and_register(
        planner_api, server, partners.b, bus, message, path="/alerts.pb", kind="GTFS_RT_ALERTS"
    )
    assert feed["problems"] == ["alert names stop no-such-stop, which the service does not have"]

    [leg] = _bus_legs(planner_api)
    assert leg["transit"]["alerts"] == [
        {"id": "works", "headerText": "Roadworks", "descriptionText": None, "effect": "DETOUR"}
    ]
    [leg] = _bus_legs(planner_api, language="fr")
    assert leg["transit"]["alerts"][0]["headerText"] == "Travaux rue Guynemer"


def test_agency_wide_and_mode_wide_alerts_reach_the_legs_of_that_agency_and_mode(
    planner_api: Api, partners: Partners, bus: str, server: FeedServer
) -> None:
    message = feed_message(int(MONDAY.timestamp()))
    # The bus line L is GTFS route_type 3; the feed's own agency id is whatever it calls it.
    for alert_id, field, value in (
        ("strike", "agency_id", "the-agency"),
        ("buses", "route_type", 3),
        ("trams", "route_type", 0),
    ):
        entity = message.entity.add()
        entity.id = alert_id
        setattr(entity.alert.informed_entity.add(), field, value)
        entity.alert.header_text.translation.add().text = alert_id
    _serve_and_register(
        planner_api, server, partners.b, bus, message, path="/alerts.pb", kind="GTFS_RT_ALERTS"
    )
    [leg] = _bus_legs(planner_api)
    assert [alert["id"] for alert in leg["transit"]["alerts"]] == ["strike", "buses"]


def test_a_bad_feed_is_reported_on_its_status_and_backs_off(
    planner_api: Api, partners: Partners, bus: str, server: FeedServer
) -> None:
    server.bodies["/broken.pb"] = (200, b"<html>not protobuf</html>")
    path, interval_s = "/broken.pb", 60
    variables = {"id": bus, "kind": "GTFS_RT_TRIP_UPDATES", "url": server.url(path)}
    planner_api.ok(REGISTER, {**variables, "interval": interval_s}, key=partners.b)

    def failed() -> dict[str, Any] | None:
        feeds = _feeds(planner_api, partners.b, bus)
        return feeds[0] if feeds and feeds[0]["failures"] >= 1 else None

    wait_until(lambda: failed() is not None, what="a failed read", timeout_s=60)
    feed = failed()
    assert feed is not None
    assert feed["lastSuccessAt"] is None
    assert "not a GTFS-Realtime protobuf FeedMessage" in feed["lastError"]
    waited = dt.datetime.fromisoformat(feed["nextPollAt"]) - dt.datetime.fromisoformat(
        feed["lastAttemptAt"]
    )
    assert waited == dt.timedelta(seconds=2 * interval_s)  # backoff: interval x 2^failures
    # Another partner sees no feed of this service (its URL may hold a token).
    assert _feeds(planner_api, partners.a, bus) == []
    # The plan goes on by the timetable.
    [leg] = _bus_legs(planner_api)
    assert (leg["transit"]["tripId"], leg["transit"]["realtime"]) == ("b2", False)
