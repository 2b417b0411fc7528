"""A timetabled bus (a GTFS test fixture) in the plan: its leg drawn with its intermediate stops."""

from __future__ import annotations

import datetime as dt

import pytest

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
