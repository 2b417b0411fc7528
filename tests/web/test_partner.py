"""A partner publishes a bike share through the console; the next plan rides it."""

from __future__ import annotations

import pytest

from tests.web.conftest import Tab, WebServer
from tests.web.test_plan import NORTH_WEST, RUE_LILY, plan_hash

pytestmark = pytest.mark.browser


def add_station(tab: Tab, external_id: str, name: str, lat: float, lon: float) -> None:
    page = tab.page
    form = page.locator(
        "form", has=page.get_by_role("heading", name="Ajouter ou modifier une station")
    )
    form.get_by_label("Identifiant (le vôtre)").fill(external_id)
    form.get_by_label("Nom de la station").fill(name)
    form.get_by_label("Latitude").fill(str(lat))
    form.get_by_label("Longitude").fill(str(lon))
    form.get_by_label("Capacité").fill("12")
    form.get_by_role("button", name="Enregistrer la station").click()
    page.get_by_role("listitem").filter(has_text=f"({external_id})").wait_for()


def set_availability(tab: Tab, station: str, vehicles: int, docks: int) -> None:
    page = tab.page
    form = page.locator("form", has=page.get_by_role("heading", name="Disponibilités"))
    form.get_by_label("Station").select_option(label=station)
    form.get_by_label("Véhicules disponibles").fill(str(vehicles))
    form.get_by_label("Places libres").fill(str(docks))
    form.get_by_role("button", name="Envoyer").click()
    page.get_by_role("listitem").filter(has_text=f"{station} (").filter(
        has_text=f"{vehicles} véhicule(s)"
    ).wait_for()


def test_publish_a_service_in_the_console_and_ride_it_in_the_next_plan(
    tab: Tab, web_server: WebServer
) -> None:
    key = web_server.partner_key("Vélos du Plateau SAS")
    page = tab.page
    tab.goto("#/partner")

    # A wrong key is refused in words; the right one opens the console.
    page.get_by_label("Clé d'API").fill("issy_wrong_key")
    page.get_by_role("button", name="Se connecter").click()
    page.locator(".error[role=alert]").wait_for()
    page.get_by_label("Clé d'API").fill(key)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Connecté pour Vélos du Plateau SAS.").wait_for()
    assert page.evaluate("() => sessionStorage.getItem('issy.partnerKey')") == key
    tab.screenshot("partner-console-empty")
    tab.assert_accessible()

    # Create the draft.
    create = page.locator("form", has=page.get_by_role("heading", name="Créer un service"))
    create.get_by_label("Type").select_option("BIKE_SHARE")
    create.get_by_label("Nom").fill("Vélos du Plateau")
    create.get_by_label("Description").fill("Vélos à assistance électrique, du plateau à la Seine")
    create.get_by_label("CO₂ par passager-km (g)").fill("8")
    create.get_by_role("button", name="Créer le brouillon").click()
    page.get_by_role("heading", name="Vélos du Plateau", level=1).wait_for()
    assert page.locator("#service-status").inner_text() == "Brouillon"

    # Stations where the commuter starts and ends, live counts, a price; then publish.
    add_station(tab, "lily", "Rue Lily", RUE_LILY[0] + 0.0002, RUE_LILY[1] - 0.0002)
    add_station(tab, "plateau", "Plateau Nord", NORTH_WEST[0] - 0.0002, NORTH_WEST[1] + 0.0002)
    set_availability(tab, "Rue Lily", vehicles=6, docks=6)
    set_availability(tab, "Plateau Nord", vehicles=1, docks=11)
    prices = page.locator("form", has=page.get_by_role("heading", name="Tarif standard"))
    prices.get_by_label("Déverrouillage (€)").fill("1")
    prices.get_by_label("Par minute (€)").fill("0.05")
    prices.get_by_role("button", name="Enregistrer le tarif").click()
    page.get_by_text("Tarif enregistré.").wait_for()
    page.evaluate("() => window.scrollTo(0, 0)")
    tab.screenshot("partner-service-draft")
    tab.assert_accessible()

    page.get_by_role("button", name="Publier", exact=True).click()
    page.locator("p.success", has_text="Service publié").wait_for()
    assert page.locator("#service-status").inner_text() == "Publié"

    page.get_by_role("link", name="← Vos services").click()
    row = page.locator("table.own-services tbody tr").filter(has_text="Vélos du Plateau")
    row.wait_for()
    assert "Publié" in row.inner_text()
    tab.screenshot("partner-console")

    # The very next plan uses the new service.
    tab.goto(plan_hash(RUE_LILY, NORTH_WEST, direct="WALK", services="BIKE_SHARE"))
    page.locator("button.itinerary").first.wait_for()
    cards = page.locator("button.itinerary")
    shared = cards.filter(has_text="Vélo partagé")
    assert shared.count() >= 1, cards.all_inner_texts()
    shared.first.click()
    details = page.locator(".itinerary-details")
    assert details.get_by_role("link", name="Vélos du Plateau").count() >= 1
    assert "véhicule(s) disponible(s)" in details.inner_text()
    assert "€" in shared.first.inner_text()
    tab.screenshot("plan-with-published-service")


def test_console_makes_keys_and_sign_out_forgets_the_key(tab: Tab, web_server: WebServer) -> None:
    key = web_server.partner_key("Navettes Val de Seine")
    page = tab.page
    tab.goto("#/partner")
    page.get_by_label("Clé d'API").fill(key)
    page.get_by_role("button", name="Se connecter").click()

    # A new key for a station feed: its secret is shown once, the table lists it.
    page.get_by_label("Nom de la clé").fill("flux-stations")
    page.get_by_role("button", name="Créer une clé").click()
    secret = page.get_by_label("Nouvelle clé")
    secret.wait_for()
    assert secret.input_value().startswith("issy_")
    assert page.locator("table.api-keys").get_by_text("flux-stations").count() == 1

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Clé d'API").wait_for()
    assert page.evaluate("() => sessionStorage.getItem('issy.partnerKey')") is None
