"""Journeys end to end, as a new user lives them: a fresh database seeded only as `make run`
seeds one (Issy's open data), the real server, the pages in French at desktop (1280x800) and
phone (390x844) sizes. The tests act through the pages only; the API is read just to check
what the pages did. Screenshots land in test-artifacts/journeys/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.paths import REPO_ROOT
from tests.web.browser import (
    NORTH_WEST,
    RUE_LILY,
    Tab,
    WebServer,
    click_polygon,
    partner_sign_in,
    plan_hash,
    sign_in_to_the_dashboard,
)

pytestmark = pytest.mark.browser

JOURNEYS = REPO_ROOT / "test-artifacts" / "journeys"
# What never belongs on a French page: raw codes, empty values, a currency with no amount.
LEAKS = re.compile(r"\bnull\b|\bundefined\b|\bNaN\b|\bEUR\b|[A-Z]{3,}_[A-Z_]+")
# A place of the city's open data (points of interest, 2014) inside the west-Issy street
# extract the server routes on, near Vélib' stations; the destination 1 km west of it.
ORIGIN = "Eglise Catholique Sainte-Lucie"
DESTINATION = "48.8193, 2.2400"
REGION = "query { region { name } }"
VELIB = "Vélib' Métropole"
RESIDENT = "sacha@example.org"
IDEA = "Des vélos près du tram T2"
PLANNER = "urbaniste.journee@ville-issy.example"
PLANNER_PASSWORD = "une journée de trafic à Issy"
STARTUP = "Seine Mobilités"
SCOOTERS = "Trottinettes Seine Mobilités"
# Where the scooter waits: about 90 m from Rue Lily, where the commuter's trip starts.
PICK_UP = (48.8099, 2.2560)


def snapshot(tab: Tab, name: str, *, full_page: bool = False) -> Path:
    """A screenshot kept for reviewers under test-artifacts/journeys/."""
    JOURNEYS.mkdir(parents=True, exist_ok=True)
    path = JOURNEYS / f"{name}.png"
    tab.page.screenshot(path=str(path), full_page=full_page)
    return path


def pick_place(tab: Tab, field: str, text: str) -> None:
    """Type the start of a place's name and choose it among the suggestions."""
    page = tab.page
    box = page.get_by_role("combobox", name=field)
    box.fill(text[:-4])
    option = page.get_by_role("option", name=text).first
    option.wait_for()
    option.click()
    assert box.input_value() == text


def assert_no_leaks(tab: Tab) -> None:
    text = tab.page.locator("main").inner_text()
    found = LEAKS.findall(text)
    assert not found, (found, text[:2000])


def test_commuter_plans_with_the_city_bikes_on_a_map_of_issy(
    seeded_tabs: dict[str, Tab], seeded_server: WebServer
) -> None:
    tab = seeded_tabs["desktop"]
    page = tab.page
    region = seeded_server.graphql(REGION)["region"]["name"]
    tab.goto("#/plan")
    page.get_by_role("heading", name="Planifier un trajet").wait_for()
    # The map's context comes from the seeded data: Issy's boundary, then the stations.
    page.wait_for_selector(f'#plan-map[data-boundary="{region}"]')
    page.wait_for_selector("#plan-map[data-streets]")

    pick_place(tab, "Départ", ORIGIN)
    # The destination as a commuter may type it: "latitude, longitude" (Bas-Meudon).
    destination = page.get_by_role("combobox", name="Arrivée")
    destination.fill(DESTINATION)
    destination.press("Enter")
    # Walking and the city's bikes only (one's own bike would beat a short Vélib' ride).
    page.get_by_label("Vélo", exact=True).uncheck()
    for box in page.locator('input[name="services"]').all():
        box.uncheck()
    page.get_by_label("Vélos en libre-service").check()
    page.get_by_role("button", name="Rechercher").click()
    page.locator("button.itinerary").first.wait_for(timeout=60_000)

    # A Vélib' ride: the open data has no prices, so the price reads as unknown, in words.
    bikes = page.locator("button.itinerary").filter(has_text="Vélo partagé")
    assert bikes.count() >= 1, page.locator(".results").inner_text()
    bikes.first.click()
    assert bikes.first.locator(".fact-price").inner_text() == "Prix inconnu"
    details = page.locator(".itinerary-details")
    assert "prix inconnu" in details.inner_text()
    assert details.locator(".leg-head a").count() >= 1  # the service, named and linked
    assert_no_leaks(tab)

    # The route is drawn, and the stations near it are named on the map under it.
    page.wait_for_selector("#plan-map[data-legs]")
    page.wait_for_function(
        "() => Number(document.querySelector('#plan-map').dataset.contextStations) > 0"
    )
    assert int(page.get_attribute("#plan-map", "data-context-labels") or "0") >= 1
    labels = page.locator(".station-label").all_inner_texts()
    assert any("Vélib" in label or "-" in label for label in labels), labels
    snapshot(tab, "commuter-desktop")
    tab.assert_accessible()
    link = page.url
    read: Any = seeded_server.graphql(
        "query($t: String!) { placeSearch(text: $t, first: 1) { label } }", {"t": ORIGIN}
    )
    assert read["placeSearch"][0]["label"] == ORIGIN

    # The same plan on a phone, from the link: form, itineraries, then the map and steps.
    phone = seeded_tabs["phone"]
    phone.page.goto(link)
    phone.page.locator("button.itinerary").first.wait_for(timeout=60_000)
    phone.page.locator(".itinerary-details").wait_for()
    assert "prix inconnu" in phone.page.locator(".itinerary-details").inner_text()
    assert_no_leaks(phone)
    snapshot(phone, "commuter-phone", full_page=True)
    phone.assert_accessible()
    # In English too: the unknown price in words, never a currency alone.
    phone.page.locator("#lang-switch").click()
    phone.page.get_by_role("heading", name="Plan a trip").wait_for()
    bike = phone.page.locator("button.itinerary").filter(has_text="Shared bike")
    bike.first.wait_for(timeout=60_000)
    bike.first.click()
    assert bike.first.locator(".fact-price").inner_text() == "Price unknown"
    assert "price unknown" in phone.page.locator(".itinerary-details").inner_text()
    assert_no_leaks(phone)
    snapshot(phone, "commuter-phone-en", full_page=True)
    assert not [e for e in tab.errors + phone.errors if "favicon" not in e]


def test_resident_signs_up_reviews_the_city_bikes_and_suggests_an_idea(
    seeded_tabs: dict[str, Tab], seeded_server: WebServer
) -> None:
    tab = seeded_tabs["desktop"]
    page = tab.page
    tab.goto("#/services")
    page.get_by_role("link", name=VELIB).first.click()
    page.get_by_role("heading", name=VELIB, level=1).wait_for()
    page.wait_for_selector(".service-map[data-boundary]")
    page.get_by_role("link", name="Connectez-vous pour donner votre avis").first.click()
    signup = page.locator("form", has=page.get_by_role("heading", name="Créer un compte"))
    signup.get_by_label("Nom affiché").fill("Sacha")
    signup.get_by_label("Adresse e-mail").fill(RESIDENT)
    signup.get_by_label("Choisissez un mot de passe").fill("la Seine à vélo le dimanche")
    signup.get_by_role("button", name="Créer mon compte").click()
    page.get_by_text(f"Presque fini : ouvrez le lien envoyé à {RESIDENT}.").wait_for()
    # The emailed link (read from the outbox, as the mail would carry it) signs Sacha in.
    page.goto(seeded_server.confirmation_link(RESIDENT))
    page.get_by_role("heading", name=VELIB, level=1).wait_for()
    assert page.locator("#account-link").inner_text() == "Sacha"

    review = page.locator("form", has=page.get_by_role("heading", name="Donner votre avis"))
    review.get_by_label("4", exact=True).check()
    review.get_by_label("Votre commentaire").fill("Une station à deux pas de la Seine.")
    review.get_by_role("button", name="Publier mon avis").click()
    page.get_by_text("Note moyenne 4/5 (1 avis)").wait_for()
    suggest = page.locator("form", has=page.get_by_role("heading", name="Proposer une idée"))
    suggest.get_by_label("Titre").fill(IDEA)
    suggest.get_by_label("Votre idée").fill("Une station près de l'arrêt du tram, pour la gare.")
    suggest.get_by_role("button", name="Proposer").click()
    mine = page.locator(".suggestion-list li", has_text=IDEA)
    mine.get_by_text("Votre idée : vous ne pouvez pas voter pour elle.").wait_for()
    assert_no_leaks(tab)
    snapshot(tab, "resident-desktop", full_page=True)
    tab.assert_accessible()
    read = seeded_server.graphql("{ suggestions(first: 10) { edges { node { title } } } }")
    assert IDEA in [e["node"]["title"] for e in read["suggestions"]["edges"]]

    # On a phone, anyone finds the idea on the ideas page.
    phone = seeded_tabs["phone"]
    phone.goto("#/ideas")
    phone.page.get_by_text(IDEA).first.wait_for()
    assert_no_leaks(phone)
    snapshot(phone, "resident-phone", full_page=True)
    phone.assert_accessible()
    assert not [e for e in tab.errors + phone.errors if "favicon" not in e]


def test_planner_runs_the_first_assignment_on_the_seeded_city(
    seeded_tabs: dict[str, Tab], seeded_server: WebServer
) -> None:
    # City staff accounts are made by the operators' command line, as in production.
    seeded_server.person(PLANNER, PLANNER_PASSWORD, role="planner", name="Urbaniste")
    tab = seeded_tabs["desktop"]
    page = tab.page
    sign_in_to_the_dashboard(tab, PLANNER, PLANNER_PASSWORD)
    form = page.locator("form", has=page.get_by_role("heading", name="Lancer l’affectation"))
    form.wait_for()
    assert form.get_by_label("demande par défaut d’Issy").is_checked()
    snapshot(tab, "planner-desktop-empty")
    tab.assert_accessible()
    form.get_by_role("button", name="Lancer l’affectation").click()
    page.locator(".assignment-result").wait_for(timeout=300_000)
    page.locator(".runs-table tbody tr").first.wait_for()
    page.get_by_role("heading", name="Comparer un scénario").wait_for()
    assert_no_leaks(tab)
    snapshot(tab, "planner-desktop-result", full_page=True)
    tab.assert_accessible()
    token = seeded_server.graphql(
        "mutation In($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
        {"e": PLANNER, "p": PLANNER_PASSWORD},
    )["signIn"]["token"]
    runs = seeded_server.graphql(
        '{ trafficRuns(period: "morning_peak") { demandSource status } }', key=token
    )["trafficRuns"]
    assert [r["demandSource"] for r in runs] == ["ISSY_DEFAULT"]

    phone = seeded_tabs["phone"]
    sign_in_to_the_dashboard(phone, PLANNER, PLANNER_PASSWORD)
    phone.page.locator(".runs-table tbody tr").first.wait_for()
    assert_no_leaks(phone)
    snapshot(phone, "planner-phone", full_page=True)
    phone.assert_accessible()
    assert not [e for e in tab.errors + phone.errors if "favicon" not in e]


def test_partner_starts_a_free_floating_scooter_service_ridden_in_the_next_plan(
    seeded_tabs: dict[str, Tab], seeded_server: WebServer
) -> None:
    # A startup's first API key comes from the operators' command line, as in production.
    key = seeded_server.partner_key(STARTUP)
    tab = seeded_tabs["desktop"]
    page = tab.page
    partner_sign_in(tab, key, STARTUP)
    create = page.locator("form", has=page.get_by_role("heading", name="Créer un service"))
    create.get_by_label("Type").select_option("SCOOTER_SHARE")
    create.get_by_label("En free-floating").check()
    create.get_by_label("Nom").fill(SCOOTERS)
    create.get_by_role("button", name="Créer le brouillon").click()
    page.get_by_role("heading", name=SCOOTERS, level=1).wait_for()
    page.wait_for_selector("#editor-map[data-streets]")
    page.wait_for_selector("#editor-map[data-boundary]")
    page.wait_for_timeout(1200)  # the map frames the streets (animated): draw on a still map

    zones = page.locator("section.zones")
    page.locator("#editor-map").scroll_into_view_if_needed()
    zones.get_by_role("button", name="Dessiner la zone de service").click()
    click_polygon(tab, [(0.12, 0.04), (0.95, 0.04), (0.95, 0.88), (0.04, 0.88)])
    zones.get_by_text("1 zone de service, aucune zone sans stationnement.").wait_for()
    zones.get_by_role("button", name="Enregistrer les zones").click()
    zones.locator("p.success", has_text="Zones enregistrées").wait_for()

    vehicles = page.locator("section.vehicles")
    vehicles.get_by_label("Identifiant du véhicule").fill("SM-1")
    vehicles.get_by_label("Batterie (%)").fill("64")
    vehicles.get_by_label("Latitude").fill(str(PICK_UP[0]))
    vehicles.get_by_label("Longitude").fill(str(PICK_UP[1]))
    vehicles.get_by_role("button", name="Enregistrer le véhicule").click()
    vehicles.locator("p.success", has_text="Véhicule SM-1 enregistré.").wait_for()
    prices = page.locator("form", has=page.get_by_role("heading", name="Tarif standard"))
    prices.get_by_label("Déverrouillage (€)").fill("1")
    prices.get_by_label("Par minute (€)").fill("0.25")
    prices.get_by_role("button", name="Enregistrer le tarif").click()
    page.get_by_text("Tarif enregistré.").wait_for()
    page.get_by_role("button", name="Publier", exact=True).click()
    page.locator("p.success", has_text="Service publié").wait_for()
    assert_no_leaks(tab)
    snapshot(tab, "partner-desktop", full_page=True)
    tab.assert_accessible()
    read = seeded_server.graphql(
        "{ services(filter: {kinds: [SCOOTER_SHARE]}) { edges { node { name vehicles "
        "{ externalId batteryPct } } } } }"
    )["services"]["edges"]
    assert [e["node"] for e in read] == [
        {"name": SCOOTERS, "vehicles": [{"externalId": "SM-1", "batteryPct": 64}]}
    ]

    # A commuter on a phone plans right after: the ride starts at the placed scooter, priced.
    phone = seeded_tabs["phone"]
    phone.goto(plan_hash(RUE_LILY, NORTH_WEST, direct="WALK", services="SCOOTER_SHARE"))
    scooter = phone.page.locator("button.itinerary").filter(has_text="Trottinette")
    scooter.first.wait_for(timeout=60_000)
    scooter.first.click()
    details = phone.page.locator(".itinerary-details")
    assert f"{SCOOTERS} SM-1" in details.inner_text()
    assert "€" in scooter.first.locator(".fact-price").inner_text()
    assert_no_leaks(phone)
    snapshot(phone, "partner-phone-plan", full_page=True)
    phone.assert_accessible()
    assert not [e for e in tab.errors + phone.errors if "favicon" not in e]
