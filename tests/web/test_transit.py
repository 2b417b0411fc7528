"""A timetabled bus (a GTFS test fixture) in the plan: its leg drawn with its intermediate stops."""

from __future__ import annotations

import datetime as dt

import pytest
from google.transit import gtfs_realtime_pb2 as rt

from tests.marketplace.feed_server import feed_message, feed_server
from tests.marketplace.helpers import wait_until
from tests.web.browser import (
    CREATE,
    GTFS_FIXTURE,
    NORTH_WEST,
    PUBLISH,
    RUE_LILY,
    Tab,
    WebServer,
    plan_hash,
)

pytestmark = pytest.mark.browser

IMPORT_GTFS = """
mutation Gtfs($id: ID!, $files: JSON!) {
  importGtfs(serviceId: $id, files: $files) { counts { feed created updated } skippedCount }
}
"""


def gtfs_files() -> dict[str, str]:
    paths = sorted(GTFS_FIXTURE.glob("*.txt"))
    return {path.name: path.read_text(encoding="utf-8") for path in paths}


REGISTER_FEED = """
mutation Feed($id: ID!, $kind: LiveFeedKind!, $url: String!) {
  registerLiveFeed(serviceId: $id, kind: $kind, url: $url, intervalS: 3600) { kind }
}
"""
FEED_STATUS = "query($id: ID!) { service(id: $id) { liveFeeds { lastSuccessAt lastError } } }"


@pytest.fixture(scope="module")
def test_bus(web_server: WebServer) -> str:
    key = web_server.partner_key("Bus de test (fixture)", kind="operator")
    service_id: str = web_server.graphql(
        CREATE,
        {"input": {"kind": "PUBLIC_TRANSPORT", "name": "Bus de test T1",
                   "description": "Ligne fictive, fixture des tests du client web"}},
        key=key,
    )["createService"]["id"]  # fmt: skip
    report = web_server.graphql(IMPORT_GTFS, {"id": service_id, "files": gtfs_files()}, key=key)
    assert report["importGtfs"]["skippedCount"] == 1  # the fixture's one bad stop_times row
    web_server.graphql(PUBLISH, {"id": service_id}, key=key)
    return service_id


def test_a_timetabled_leg_draws_its_intermediate_stops(tab: Tab, test_bus: str) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    tab.goto(
        plan_hash(
            RUE_LILY, NORTH_WEST, direct="WALK", services="PUBLIC_TRANSPORT", when="depart",
            at=f"{tomorrow.isoformat()}T07:55",
        )
    )  # fmt: skip
    page = tab.page
    page.locator("button.itinerary").first.wait_for()
    cards = page.locator("button.itinerary")
    bus = cards.filter(has_text="Transports")
    assert bus.count() >= 1, cards.all_inner_texts()
    bus.first.click()
    details = page.locator(".itinerary-details")
    assert "T1" in details.inner_text()
    details.get_by_text("2 arrêts intermédiaires").click()
    assert "Arrêt École" in details.inner_text() and "Arrêt Gare de Meudon" in details.inner_text()

    # The two stops between boarding and alighting, on the map, named and timed.
    page.wait_for_selector("#plan-map[data-stops='2']")
    markers = page.locator("#plan-map .transit-stop")
    assert markers.count() == 2
    titles = [markers.nth(i).get_attribute("title") or "" for i in range(2)]
    assert any(title.startswith("Arrêt École — passage à 08:") for title in titles), titles
    assert any("Arrêt Gare de Meudon" in title for title in titles), titles
    # Hover (or keyboard focus) shows the stop in a tooltip.
    markers.first.hover()
    tooltip = page.locator(".leaflet-tooltip").filter(has_text="passage à")
    tooltip.first.wait_for()
    legend = page.get_by_role("group", name="Légende")
    assert "Arrêt desservi" in legend.inner_text() and "Transports" in legend.inner_text()
    tab.screenshot("plan-transit-stops")
    tab.assert_accessible()
    assert not [e for e in tab.errors if "favicon" not in e], tab.errors


def test_a_live_delay_and_an_alert_show_on_the_leg(
    tab: Tab, test_bus: str, web_server: WebServer
) -> None:
    """A GTFS-Realtime feed (built with the bindings, served over a loopback socket) makes
    every T1 run tomorrow three minutes late and announces works on the line."""
    key = web_server.partner_key("Bus de test (fixture)", kind="operator")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    message = feed_message(int(dt.datetime.now(dt.UTC).timestamp()))
    for line in (GTFS_FIXTURE / "trips.txt").read_text(encoding="utf-8").splitlines()[1:]:
        trip_id = line.split(",")[2]
        entity = message.entity.add()
        entity.id = trip_id
        entity.trip_update.trip.trip_id = trip_id
        entity.trip_update.trip.start_date = tomorrow.strftime("%Y%m%d")
        entity.trip_update.delay = 180
    alert = message.entity.add()
    alert.id = "travaux"
    alert.alert.informed_entity.add().route_id = "T1"
    alert.alert.effect = rt.Alert.DETOUR
    alert.alert.header_text.translation.add(language="fr", text="Travaux sur la ligne T1")
    with feed_server() as server:
        server.bodies["/rt.pb"] = (200, message.SerializeToString())
        variables = {"id": test_bus, "kind": "GTFS_RT_TRIP_UPDATES", "url": server.url("/rt.pb")}
        web_server.graphql(REGISTER_FEED, variables, key=key)

        def read() -> bool:
            status = web_server.graphql(FEED_STATUS, {"id": test_bus}, key=key)
            feeds = status["service"]["liveFeeds"]
            return bool(feeds and feeds[0]["lastSuccessAt"])

        wait_until(read, what="the server's poller", timeout_s=60)
    tab.goto(
        plan_hash(
            RUE_LILY, NORTH_WEST, direct="WALK", services="PUBLIC_TRANSPORT", when="depart",
            at=f"{tomorrow.isoformat()}T07:55",
        )
    )  # fmt: skip
    page = tab.page
    page.locator("button.itinerary").first.wait_for()
    page.locator("button.itinerary").filter(has_text="Transports").first.click()
    details = page.locator(".itinerary-details")
    details.locator(".leg-live").first.wait_for()
    assert "En direct : 3 min de retard" in details.inner_text()
    assert "Alerte : Travaux sur la ligne T1" in details.inner_text()
    tab.screenshot("plan-transit-live")
    tab.assert_accessible()
