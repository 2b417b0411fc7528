"""The catalogue and a service's page, seeded through the public GraphQL API."""

from __future__ import annotations

import pytest

from tests.web.browser import AVAILABILITY, Tab, WebServer

pytestmark = pytest.mark.browser


def test_catalogue_filters_by_kind_and_text(tab: Tab, catalogue: dict[str, str]) -> None:
    page = tab.page
    tab.goto("#/services")
    page.get_by_role("link", name="Parking de la Gare de Meudon").wait_for()
    assert page.get_by_role("link", name="Trottinettes Seine Ouest").count() == 1
    tab.screenshot("services")
    tab.assert_accessible()

    page.get_by_label("Type de service").select_option("PARKING")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/#/services?kind=PARKING")
    page.get_by_role("link", name="Parking de la Gare de Meudon").wait_for()
    assert page.get_by_role("link", name="Trottinettes Seine Ouest").count() == 0

    page.get_by_label("Type de service").select_option("")
    page.get_by_label("Recherche").fill("trottinettes")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="Trottinettes Seine Ouest").wait_for()
    assert page.get_by_role("link", name="Parking de la Gare de Meudon").count() == 0

    # Around a point (typed as coordinates): the parking is there, the scooters 500 m away.
    page.get_by_label("Recherche").fill("")
    near = page.get_by_role("combobox", name="Autour de")
    near.fill("48.8166, 2.2412")
    near.press("Enter")
    page.get_by_label("Rayon").select_option("300")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**radius=300**")
    page.get_by_role("link", name="Parking de la Gare de Meudon").wait_for()
    assert page.get_by_role("link", name="Trottinettes Seine Ouest").count() == 0
    near.fill("")

    page.get_by_label("Recherche").fill("aucun service de ce nom")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text("Aucun service ne correspond.").wait_for()


def test_service_page_shows_stations_prices_and_live_availability(
    tab: Tab, web_server: WebServer, catalogue: dict[str, str]
) -> None:
    page = tab.page
    tab.goto("#/services")
    page.get_by_role("link", name="Parking de la Gare de Meudon").click()
    page.get_by_role("heading", name="Parking de la Gare de Meudon", level=1).wait_for()
    page.wait_for_selector("#service-map[data-streets]")
    row = page.locator("table tbody tr").filter(has_text="Gare de Meudon")
    assert "37" in row.inner_text() and "120" in row.inner_text()
    assert "déverrouillage 1,00\u00a0€" in page.locator(".price-plan").inner_text()
    assert "OpenStreetMap contributors" in page.locator(".leaflet-control-attribution").inner_text()
    tab.screenshot("service-page")
    tab.assert_accessible()

    # A partner's new reading reaches the open page over the subscription.
    page.get_by_text("Disponibilités en direct.").wait_for()
    page.wait_for_timeout(300)  # let the socket subscribe
    web_server.graphql(
        AVAILABILITY,
        {"id": catalogue["parking"], "rows": [{"stationExternalId": "p1", "docksAvailable": 12}]},
        key=catalogue["key"],
    )
    page.locator("table tbody tr td", has_text="12").first.wait_for()


def test_unknown_service_says_so(tab: Tab) -> None:
    tab.goto("#/services/TW9iaWxpdHlTZXJ2aWNlOjk5OTk5")
    alert = tab.page.locator(".error[role=alert]")
    alert.wait_for()
    assert alert.inner_text().strip() != "Erreur :"
