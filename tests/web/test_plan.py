"""Plan a trip in the browser: autocomplete, map clicks, itineraries drawn, errors in words."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs

import pytest

from tests.web.browser import (
    AVAILABILITY,
    CREATE,
    NORTH_WEST,
    PUBLISH,
    RUE_LILY,
    Tab,
    WebServer,
    plan_hash,
)

pytestmark = pytest.mark.browser


# Two places in the west Issy + Meudon extract, about 1.8 km apart.
def wait_for_streets(tab: Tab, selector: str = "#plan-map") -> None:
    tab.page.wait_for_selector(f"{selector}[data-streets]")
    assert int(tab.page.get_attribute(selector, "data-streets")) > 100


def test_plan_a_trip_with_autocomplete_and_map_click(tab: Tab) -> None:
    page = tab.page
    tab.goto("#/plan")
    wait_for_streets(tab)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "OpenStreetMap contributors" in page.locator(".leaflet-control-attribution").inner_text()

    origin = page.get_by_role("combobox", name="Départ")
    origin.fill("Rue Lily")
    page.get_by_role("option", name="Rue Lily").first.wait_for()
    origin.press("ArrowDown")
    origin.press("Enter")
    assert origin.input_value() == "Rue Lily"
    assert origin.get_attribute("aria-expanded") == "false"

    # The destination by a click on the map, about 1 km north-west of the origin's pin.
    pin = page.locator(".endpoint-a").bounding_box()
    assert pin is not None
    page.mouse.click(pin["x"] - 150, pin["y"] - 100)
    destination = page.get_by_role("combobox", name="Arrivée")
    assert "," in destination.input_value()

    page.get_by_role("button", name="Rechercher").click()
    first = page.locator("button.itinerary").first
    first.wait_for()
    assert first.get_attribute("aria-pressed") == "true"
    text = first.inner_text()
    assert "min" in text and "CO₂" in text and "à pied" in text
    assert page.locator("#plan-map").get_attribute("data-legs") is not None
    assert page.locator(".leg").count() >= 1
    assert page.locator(".endpoint-a").count() == 1 and page.locator(".endpoint-b").count() == 1

    # Another itinerary, when offered, becomes the one drawn and detailed.
    if page.locator("button.itinerary").count() > 1:
        page.locator("button.itinerary").nth(1).click()
        assert page.locator("button.itinerary").nth(1).get_attribute("aria-pressed") == "true"
        assert "itinéraire 2" in page.locator("#details-title").inner_text()

    # The plan lives in the URL.
    query = parse_qs(page.url.split("?", 1)[1])
    assert query["fromLabel"] == ["Rue Lily"] and "to" in query
    tab.screenshot("plan-desktop")
    tab.assert_accessible()
    assert not [e for e in tab.errors if "favicon" not in e], tab.errors


def test_a_shared_link_plans_again(tab: Tab) -> None:
    tab.goto(
        plan_hash(
            RUE_LILY, NORTH_WEST, fromLabel="Rue%20Lily", direct="WALK", services="",
            optimize="CO2", minRating="4", maxWalk="5000",
        )
    )  # fmt: skip
    page = tab.page
    page.locator("button.itinerary").first.wait_for()
    assert page.get_by_label("Optimiser").input_value() == "CO2"
    assert page.get_by_label("Note minimale des services").input_value() == "4"
    assert page.get_by_role("combobox", name="Départ").input_value() == "Rue Lily"
    assert page.locator('input[name="direct"][value="BICYCLE"]').is_checked() is False
    badges = page.locator("button.itinerary .mode-badge").all_inner_texts()
    assert set(badges) == {"Marche"}


def test_a_failed_plan_says_why(tab: Tab) -> None:
    # Montmartre: far outside the street extract the server holds.
    tab.goto(plan_hash((48.8867, 2.3431), NORTH_WEST))
    alert = tab.page.locator(".results .error[role=alert]")
    alert.wait_for()
    text = alert.inner_text()
    assert "hors de la zone couverte" in text
    assert "km de la rue la plus proche" in text  # the server's own words say how far
    assert tab.page.locator("button.itinerary").count() == 0
    tab.screenshot("plan-error")


def test_missing_destination_is_flagged_on_the_form(tab: Tab) -> None:
    tab.goto("#/plan")
    page = tab.page
    page.get_by_role("combobox", name="Départ").fill("48.8091, 2.2563")
    page.get_by_role("combobox", name="Départ").press("Enter")
    page.get_by_role("button", name="Rechercher").click()
    assert "Arrivée" in page.locator(".form-error").inner_text()
    assert page.get_by_role("combobox", name="Arrivée").get_attribute("aria-invalid") == "true"


def test_plan_on_a_phone_in_english(phone_tab: Tab) -> None:
    page = phone_tab.page
    phone_tab.goto(plan_hash(RUE_LILY, NORTH_WEST))
    page.locator("button.itinerary").first.wait_for()
    page.get_by_role("button", name="Switch to English").click()
    page.get_by_role("heading", name="Plan a trip").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("button.itinerary").first.wait_for()
    assert "walking" in page.locator("button.itinerary").first.inner_text()
    # Nothing overflows sideways.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    # A new search brings the list into view on a phone.
    page.wait_for_function("() => window.scrollY > 0")
    # Full-page captures resize the viewport (and so the vh-sized map): scroll instead.
    page.evaluate("() => window.scrollTo(0, 0)")
    phone_tab.screenshot("plan-phone-en")
    page.locator("#itineraries-title").scroll_into_view_if_needed()
    phone_tab.screenshot("plan-phone-results-en")
    phone_tab.assert_accessible()


def page_top(tab: Tab, selector: str) -> float:
    """The top of the first element matching ``selector``, in page (not viewport) pixels."""
    top: float = tab.page.evaluate(
        "(s) => document.querySelector(s).getBoundingClientRect().top + window.scrollY", selector
    )
    return top


def test_a_phone_reads_form_then_itineraries_then_map_with_steps(phone_tab: Tab) -> None:
    page = phone_tab.page
    phone_tab.goto(plan_hash(RUE_LILY, NORTH_WEST, fromLabel="Rue%20Lily"))
    page.locator("button.itinerary").first.wait_for()
    # The menu is one line of tabs under the brand, however many pages it lists.
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.site-header nav li:not([hidden])')]"
        ".map((li) => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(tops) >= 3 and len(set(tops)) == 1, tops
    assert page.locator(".site-header").bounding_box()["height"] < 100
    # Form, then the itineraries, then the map, then the selected itinerary's steps.
    order = [
        page_top(phone_tab, s)
        for s in (".plan-form", "#itineraries-title", "#plan-map", "#details-title")
    ]
    assert order == sorted(order), order
    # Choosing an itinerary shows its map and its steps together on the screen.
    chosen = page.locator("button.itinerary").last
    chosen.click()
    page.wait_for_function(
        "() => Math.abs(document.querySelector('#plan-map').getBoundingClientRect().top) < 2"
    )
    page.locator(".leg .steps summary").first.click()
    page.locator(".leg .steps li").first.scroll_into_view_if_needed()
    map_box = page.locator("#plan-map").bounding_box()
    step_box = page.locator(".leg .steps li").first.bounding_box()
    assert map_box is not None and step_box is not None
    assert map_box["y"] >= -1 and map_box["y"] + map_box["height"] <= step_box["y"]
    assert step_box["y"] + step_box["height"] <= 844
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone_tab.screenshot("plan-phone-map-and-steps")
    phone_tab.assert_accessible()


def test_suggestions_open_right_under_the_field_on_a_phone(phone_tab: Tab) -> None:
    page = phone_tab.page
    phone_tab.goto("#/plan")
    destination = page.get_by_role("combobox", name="Arrivée")
    destination.fill("Rue Lily")
    page.get_by_role("option", name="Rue Lily").first.wait_for()
    field_box = destination.bounding_box()
    list_box = page.get_by_role("listbox", name="Arrivée").bounding_box()
    assert field_box is not None and list_box is not None
    assert 0 <= list_box["y"] - (field_box["y"] + field_box["height"]) <= 6
    assert abs(list_box["x"] - field_box["x"]) <= 2
    phone_tab.screenshot("plan-phone-suggestions")


def test_the_shared_link_keeps_the_time_and_my_location_fills_the_origin(tab: Tab) -> None:
    page = tab.page
    page.context.grant_permissions(["geolocation"], origin=tab.base_url)
    page.context.set_geolocation({"latitude": RUE_LILY[0], "longitude": RUE_LILY[1]})
    tab.goto("#/plan")
    wait_for_streets(tab)
    page.get_by_role("button", name="Ma position").click()
    origin = page.get_by_role("combobox", name="Départ")
    page.wait_for_function("() => document.querySelector('input[name=origin]').value !== ''")
    assert origin.input_value() == "Ma position"
    assert page.locator(".endpoint-a").count() == 1
    destination = page.get_by_role("combobox", name="Arrivée")
    destination.fill(f"{NORTH_WEST[0]}, {NORTH_WEST[1]}")
    destination.press("Enter")
    page.get_by_role("button", name="Rechercher").click()
    page.locator("button.itinerary").first.wait_for()
    query = parse_qs(page.url.split("?", 1)[1])
    assert query["from"] == [f"{RUE_LILY[0]:.6f},{RUE_LILY[1]:.6f}"]
    # "Leave now" is shared as the moment of the search, so the link shows the same trip.
    shared = parse_qs(page.locator(".share-url").input_value().split("?", 1)[1])
    assert shared["when"] == ["depart"] and len(shared["at"][0]) == 16
    assert "heure de départ" in page.locator(".share").inner_text()
    # A chosen time is in the page's own URL too.
    page.get_by_label("Quand").select_option("arrive")
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT08:30")
    page.get_by_label("Date et heure").fill(tomorrow)
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_function("() => location.hash.includes('when=arrive')")
    query = parse_qs(page.url.split("?", 1)[1])
    assert query["at"] == [tomorrow]
    page.locator("button.itinerary").first.wait_for()
    assert "heure d’arrivée" in page.locator(".share").inner_text()
    # A desktop keeps the panel beside the map.
    panel = page.locator(".panel").bounding_box()
    map_box = page.locator("#plan-map").bounding_box()
    assert panel is not None and map_box is not None
    assert map_box["x"] >= panel["x"] + panel["width"] - 1
    tab.screenshot("plan-desktop-shared-time")
    tab.assert_accessible()


def test_keyboard_reaches_the_form_and_focus_is_visible(tab: Tab) -> None:
    page = tab.page
    tab.goto("#/plan")
    page.get_by_role("heading", name="Planifier un trajet").wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('role')") == "combobox":
            break
    focused = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {name: document.activeElement.name, outline: style.outlineStyle,
                    width: parseFloat(style.outlineWidth)};
        }"""
    )
    assert focused["name"] == "origin"
    assert focused["outline"] != "none" and focused["width"] >= 2


# Two places of the extract with no other test's stations within 300 m of them.
GUILMANT = (48.8150, 2.2420)
STALINGRAD = (48.8240, 2.2520)
UNPRICED_STATIONS = """
mutation Stations($id: ID!, $stations: [StationInput!]!) {
  upsertStations(serviceId: $id, stations: $stations) { created }
}
"""


def test_unknown_price_and_old_counts_are_said_as_such(tab: Tab, web_server: WebServer) -> None:
    # A bike share that published no prices, its counts from the real Vélib' snapshot's day.
    key = web_server.partner_key("Vélos d'hier", kind="operator")
    service = web_server.graphql(
        CREATE, {"input": {"kind": "BIKE_SHARE", "name": "Vélos d'hier"}}, key=key
    )["createService"]["id"]
    stations = [
        {"externalId": "g", "name": "Guilmant", "lat": GUILMANT[0], "lon": GUILMANT[1] + 0.0003},
        {"externalId": "s", "name": "Stalingrad", "lat": STALINGRAD[0], "lon": STALINGRAD[1]},
    ]
    web_server.graphql(UNPRICED_STATIONS, {"id": service, "stations": stations}, key=key)
    rows = [
        {"stationExternalId": s["externalId"], "vehiclesAvailable": 4, "docksAvailable": 9,
         "reportedAt": "2025-10-18T11:09:00+02:00"}
        for s in stations
    ]  # fmt: skip
    web_server.graphql(AVAILABILITY, {"id": service, "rows": rows}, key=key)
    web_server.graphql(PUBLISH, {"id": service}, key=key)

    tab.goto(
        plan_hash(GUILMANT, STALINGRAD, direct="WALK", services="BIKE_SHARE,CAR_SHARE,ON_DEMAND",
                  maxWalk="300")
    )  # fmt: skip
    page = tab.page
    shared = page.locator("button.itinerary").filter(has_text="Vélo partagé")
    shared.first.wait_for()
    assert "Prix inconnu" in shared.first.inner_text()
    shared.first.click()
    details = page.locator(".itinerary-details").inner_text()
    assert "prix inconnu" in details
    assert "disponibilité au 18/10/2025 11:09" in details
    # Car share and on-demand rides were asked for and nobody publishes them: the plan says
    # so, in words, on one line.
    unpublished = page.locator('.results li[data-code="NO_SERVICE_PUBLISHED"]').inner_text()
    assert "Autopartage et Transport à la demande" in unpublished
    page.locator(".results .error").scroll_into_view_if_needed()
    tab.screenshot("plan-unknown-price-stale-counts")
    page.locator(".itinerary-details .leg").nth(1).scroll_into_view_if_needed()
    tab.screenshot("plan-unknown-price-stale-counts-details")
    tab.assert_accessible()


def test_a_link_may_carry_the_language_until_the_reader_chooses(tab: Tab) -> None:
    page = tab.page
    tab.goto("?lang=en" + plan_hash(RUE_LILY, NORTH_WEST))
    page.get_by_role("heading", name="Plan a trip").wait_for()
    page.locator("button.itinerary").first.wait_for()
    assert "walking" in page.locator("button.itinerary").first.inner_text()
    # The reader's own choice then wins over the link, and survives a reload.
    page.get_by_role("button", name="Passer en français").click()
    page.get_by_role("heading", name="Planifier un trajet").wait_for()
    assert "lang=" not in page.url
    page.reload()
    page.get_by_role("heading", name="Planifier un trajet").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
