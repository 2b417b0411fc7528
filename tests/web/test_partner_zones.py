"""A startup draws a free-floating scooter share's zones in the console; the next plan rides it.

Also: opening hours per weekday, availability confirmed, a long station list searched and paged.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from shapely.geometry import Point, shape

from tests.web.browser import (
    NORTH_WEST,
    RUE_LILY,
    Tab,
    WebServer,
    click_polygon,
    partner_sign_in,
    plan_hash,
)

pytestmark = pytest.mark.browser

ZONES = "query Z($id: ID!) { service(id: $id) { serviceArea noParkingArea openingHours { day } } }"
VEHICLES = "query V($id: ID!) { service(id: $id) { vehicles { externalId lat lon batteryPct } } }"
# Where the scooter the plan takes waits: about 90 m north of Rue Lily, on the way north-west.
PICK_UP = (48.8099, 2.2560)


def test_draw_a_free_floating_scooter_zone_publish_and_ride_it(
    tab: Tab, web_server: WebServer
) -> None:
    key = web_server.partner_key("Trott'Issy")
    page = tab.page
    partner_sign_in(tab, key, "Trott'Issy")

    # Docked or free-floating is asked outright for a scooter share.
    create = page.locator("form", has=page.get_by_role("heading", name="Créer un service"))
    create.get_by_label("Type").select_option("SCOOTER_SHARE")
    create.get_by_label("En free-floating").check()
    create.get_by_label("Nom").fill("Trott'Issy libre")
    create.get_by_role("button", name="Créer le brouillon").click()
    page.get_by_role("heading", name="Trott'Issy libre", level=1).wait_for()
    assert "free-floating" in page.locator(".operation-note").inner_text()
    # A free-floating service has no station form.
    assert page.get_by_role("heading", name="Ajouter ou modifier une station").count() == 0
    # The map frames the streets once they load (animated): draw on a still map.
    page.wait_for_selector("#editor-map[data-streets]")
    page.wait_for_timeout(1200)

    # The service zone covers the map (clear of the zoom buttons); a small no-parking area
    # sits in its middle-top.
    zones = page.locator("section.zones")
    page.locator("#editor-map").scroll_into_view_if_needed()
    zones.get_by_role("button", name="Dessiner la zone de service").click()
    click_polygon(tab, [(0.12, 0.04), (0.95, 0.04), (0.95, 0.88), (0.04, 0.88)])
    zones.get_by_text("1 zone de service, aucune zone sans stationnement.").wait_for()
    zones.get_by_role("button", name="Dessiner une zone sans stationnement").click()
    click_polygon(tab, [(0.45, 0.08), (0.55, 0.08), (0.5, 0.16)])
    zones.get_by_text("1 zone de service, 1 zone sans stationnement.").wait_for()
    zones.get_by_role("button", name="Enregistrer les zones").click()
    zones.locator("p.success", has_text="Zones enregistrées").wait_for()
    service_id = unquote(page.url.split("#/partner/", 1)[1].split("?", 1)[0])
    read: dict[str, Any] = web_server.graphql(ZONES, {"id": service_id}, key=key)["service"]
    area, no_parking = shape(read["serviceArea"]), shape(read["noParkingArea"])
    for lat, lon in (RUE_LILY, NORTH_WEST):
        assert area.contains(Point(lon, lat)) and not no_parking.contains(Point(lon, lat))
    tab.screenshot("partner-free-floating-zones")
    tab.assert_accessible()

    # Vehicles: a map click fills the position, the id and battery are typed, each save says
    # so; one placed where parking is forbidden is explained and not written.
    vehicles = page.locator("section.vehicles")
    vehicles.get_by_text("Aucun véhicule placé pour l’instant.").wait_for()
    vehicles.get_by_role("button", name="Choisir sa position sur la carte").click()
    box = page.locator("#editor-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.7 * box["width"], box["y"] + 0.6 * box["height"])
    vehicles.get_by_text("Position reprise de la carte").wait_for()
    clicked = float(vehicles.get_by_label("Latitude").input_value())
    assert area.contains(Point(float(vehicles.get_by_label("Longitude").input_value()), clicked))
    vehicles.get_by_label("Identifiant du véhicule").fill("TI-02")
    vehicles.get_by_role("button", name="Enregistrer le véhicule").click()
    vehicles.locator("p.success", has_text="Véhicule TI-02 enregistré.").wait_for()
    # The one the plan will take: a short walk from Rue Lily, typed in for precision.
    vehicles.get_by_label("Identifiant du véhicule").fill("TI-01")
    vehicles.get_by_label("Batterie (%)").fill("76")
    vehicles.get_by_label("Latitude").fill(str(PICK_UP[0]))
    vehicles.get_by_label("Longitude").fill(str(PICK_UP[1]))
    vehicles.get_by_role("button", name="Enregistrer le véhicule").click()
    vehicles.locator("p.success", has_text="Véhicule TI-01 enregistré.").wait_for()
    banned = no_parking.representative_point()
    vehicles.get_by_label("Identifiant du véhicule").fill("TI-99")
    vehicles.get_by_label("Latitude").fill(f"{banned.y:.6f}")
    vehicles.get_by_label("Longitude").fill(f"{banned.x:.6f}")
    vehicles.get_by_role("button", name="Enregistrer le véhicule").click()
    assert "no-parking area" in vehicles.locator(".error").inner_text()
    assert vehicles.get_by_role("caption").inner_text() == "2 véhicules"
    # Dragging a marker moves the vehicle (and says so).
    marker = page.locator('.vehicle-pin[data-vehicle-id="TI-02"]')
    pin = marker.bounding_box()
    assert pin is not None
    x, y = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 30, y + 20, steps=6)
    page.mouse.up()
    vehicles.locator("p.success", has_text="Véhicule TI-02 déplacé.").wait_for()
    read = web_server.graphql(VEHICLES, {"id": service_id}, key=key)["service"]
    placed = {v["externalId"]: v for v in read["vehicles"]}
    assert set(placed) == {"TI-01", "TI-02"}
    assert placed["TI-01"]["batteryPct"] == 76
    assert placed["TI-02"]["lat"] < clicked  # dragged down the map: south
    tab.screenshot("partner-free-floating-vehicles")
    tab.assert_accessible()
    vehicles.get_by_role("button", name="Retirer TI-02").click()
    vehicles.locator("p.success", has_text="Véhicule TI-02 retiré.").wait_for()
    read = web_server.graphql(VEHICLES, {"id": service_id}, key=key)["service"]
    assert [v["externalId"] for v in read["vehicles"]] == ["TI-01"]

    # Opening hours per weekday: a wrong day is explained, then every day round the clock.
    hours = page.locator("form", has=page.get_by_role("heading", name="Horaires d’ouverture"))
    hours.get_by_label("Ouvert 24 h/24, 7 j/7").uncheck()
    hours.get_by_label("Fermeture le Lundi").fill("06:00")
    hours.get_by_role("button", name="Enregistrer les horaires").click()
    assert "Lundi" in hours.locator(".form-error").inner_text()
    for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"):
        hours.get_by_label(f"Ouverture le {day}").fill("00:00")
        hours.get_by_label(f"Fermeture le {day}").fill("23:59")
    hours.get_by_role("button", name="Enregistrer les horaires").click()
    hours.locator("p.success", has_text="Horaires enregistrés").wait_for()
    read = web_server.graphql(ZONES, {"id": service_id}, key=key)["service"]
    assert len(read["openingHours"]) == 7

    prices = page.locator("form", has=page.get_by_role("heading", name="Tarif standard"))
    prices.get_by_label("Déverrouillage (€)").fill("1")
    prices.get_by_label("Par minute (€)").fill("0.2")
    prices.get_by_role("button", name="Enregistrer le tarif").click()
    page.get_by_text("Tarif enregistré.").wait_for()
    page.get_by_role("button", name="Publier", exact=True).click()
    page.locator("p.success", has_text="Service publié").wait_for()

    # The very next plan rides a scooter of the new service.
    tab.goto(plan_hash(RUE_LILY, NORTH_WEST, direct="WALK", services="SCOOTER_SHARE"))
    page.locator("button.itinerary").first.wait_for()
    cards = page.locator("button.itinerary")
    scooter = cards.filter(has_text="Trottinette")
    assert scooter.count() >= 1, cards.all_inner_texts()
    scooter.first.click()
    details = page.locator(".itinerary-details")
    assert details.get_by_role("link", name="Trott'Issy libre").count() >= 1
    # The ride starts at the placed vehicle, named by its id.
    assert "Trott'Issy libre TI-01" in details.inner_text()
    tab.screenshot("plan-with-free-floating-scooter")


def test_a_long_station_list_is_searched_and_paged_below_the_forms(
    tab: Tab, web_server: WebServer
) -> None:
    key = web_server.partner_key("Grand Réseau Vélo")
    service_id: str = web_server.graphql(
        "mutation C($i: CreateServiceInput!) { createService(input: $i) { id } }",
        {"i": {"kind": "BIKE_SHARE", "name": "Grand Réseau"}},
        key=key,
    )["createService"]["id"]
    stations = [
        {"externalId": f"s{i:04d}", "name": f"Station {i:04d}", "lat": 48.80 + (i % 40) * 0.0005,
         "lon": 2.22 + (i // 40) * 0.0008, "capacity": 10}
        for i in range(1495)
    ]  # fmt: skip
    for start in (0, 1000):  # the API takes up to 1,000 stations a call
        web_server.graphql(
            "mutation S($id: ID!, $s: [StationInput!]!) "
            "{ upsertStations(serviceId: $id, stations: $s) { created } }",
            {"id": service_id, "s": stations[start : start + 1000]},
            key=key,
        )
    page = tab.page
    partner_sign_in(tab, key, "Grand Réseau Vélo")
    tab.goto(f"#/partner/{service_id}")
    page.get_by_role("heading", name="Stations (1495)").wait_for()
    assert page.locator(".station-list li").count() == 20
    assert page.evaluate("() => document.documentElement.scrollHeight") < 6000
    # The forms come before the list.
    form_top = page.get_by_role("heading", name="Ajouter ou modifier une station").bounding_box()
    list_top = page.get_by_role("heading", name="Stations (1495)").bounding_box()
    assert form_top is not None and list_top is not None and form_top["y"] < list_top["y"]
    region = page.locator("section.station-table")
    # French groups digits with a narrow no-break space.
    assert "Stations 1 à 20 sur 1\u202f495" in region.inner_text()
    region.get_by_role("button", name="Suivantes →").click()
    region.get_by_text("Stations 21 à 40 sur 1\u202f495").wait_for()
    region.get_by_label("Chercher une station (nom ou identifiant)").fill("Station 1234")
    region.get_by_text("Stations 1 à 1 sur 1").wait_for()
    assert page.locator(".station-list li").count() == 1

    # Sending availability says it was sent, and for which station.
    avail = page.locator("form", has=page.get_by_role("heading", name="Disponibilités"))
    avail.get_by_label("Station").select_option(label="Station 0007")
    avail.get_by_label("Véhicules disponibles").fill("3")
    avail.get_by_role("button", name="Envoyer").click()
    avail.locator("p.success", has_text="Disponibilités envoyées pour Station 0007").wait_for()
    tab.screenshot("partner-long-station-list", full_page=True)
    tab.assert_accessible()
