"""A partner publishes a bike share through the console; the next plan rides it."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.web.browser import GTFS_FIXTURE, NORTH_WEST, RUE_LILY, Tab, WebServer, plan_hash

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
        has_text=f"{vehicles} véhicule{'s' if vehicles > 1 else ''} disponible"
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
    assert re.search(r"\d+ véhicules? disponibles?", details.inner_text())
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


UPDATE = """
mutation Update($id: ID!, $v: Int!, $input: UpdateServiceInput!) {
  updateService(id: $id, expectedVersion: $v, input: $input) { version }
}
"""


def open_console(tab: Tab, key: str, route: str) -> None:
    page = tab.page
    tab.goto("#/partner")
    page.get_by_label("Clé d'API").fill(key)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Connecté pour").wait_for()
    tab.goto(route)


def test_edit_a_service_and_a_conflict_says_reload(tab: Tab, web_server: WebServer) -> None:
    key = web_server.partner_key("Cars de la Seine")
    service = web_server.graphql(
        "mutation C($input: CreateServiceInput!) { createService(input: $input) { id version } }",
        {"input": {"kind": "SHUTTLE", "name": "Navette des Cars", "description": "Brouillon"}},
        key=key,
    )["createService"]
    page = tab.page
    open_console(tab, key, f"#/partner/{service['id']}")
    edit = page.locator("form", has=page.get_by_role("heading", name="Modifier le service"))
    edit.get_by_label("Nom", exact=True).wait_for()
    assert edit.get_by_label("Nom", exact=True).input_value() == "Navette des Cars"
    assert edit.get_by_label("Type").input_value() == "SHUTTLE"

    # Someone else renames the service while this form is open: the save is refused in words.
    web_server.graphql(
        UPDATE,
        {"id": service["id"], "v": service["version"], "input": {"name": "Navette du Port"}},
        key=key,
    )
    edit.get_by_label("Description").fill("Du plateau à la Seine, toutes les 20 minutes")
    edit.get_by_label("CO₂ par passager-km (g)").fill("40")
    edit.get_by_role("button", name="Enregistrer les modifications").click()
    conflict = edit.locator(".conflict[role=alert]")
    conflict.wait_for()
    assert "quelqu’un d’autre a modifié ce service" in conflict.inner_text()
    assert "rechargez" in conflict.inner_text()
    tab.screenshot("partner-edit-conflict")
    tab.assert_accessible()

    # Reload shows the other change (by keyboard); the second save goes through.
    reload_button = conflict.get_by_role("button", name="Recharger le service")
    assert page.evaluate("() => document.activeElement.textContent") == "Recharger le service"
    page.keyboard.press("Enter")
    edit.get_by_text("Service rechargé").wait_for()
    assert reload_button.count() == 0
    assert edit.get_by_label("Nom", exact=True).input_value() == "Navette du Port"
    assert page.get_by_role("heading", level=1).inner_text() == "Navette du Port"
    edit.get_by_label("Nom", exact=True).fill("Navette du Port d'Issy")
    edit.get_by_label("Site web").fill("https://navette.example.org")
    edit.get_by_role("button", name="Enregistrer les modifications").click()
    edit.locator("p.success", has_text="Modifications enregistrées").wait_for()
    saved = web_server.graphql(
        "query S($id: ID!) { service(id: $id) { name website version } }",
        {"id": service["id"]},
        key=key,
    )["service"]
    assert saved["name"] == "Navette du Port d'Issy"
    assert saved["website"] == "https://navette.example.org"
    assert saved["version"] == service["version"] + 2
    assert page.get_by_role("heading", level=1).inner_text() == "Navette du Port d'Issy"


STATION_INFORMATION = {
    "last_updated": 1767254400,
    "ttl": 60,
    "version": "2.3",
    "data": {
        "stations": [
            {
                "station_id": "lily",
                "name": "Rue Lily",
                "lat": 48.8093,
                "lon": 2.2561,
                "capacity": 10,
            },
            {"station_id": "plateau", "name": "Plateau Nord", "lat": 48.8191, "lon": 2.2402},
            {"station_id": "perdue", "name": "Sans position"},
        ]
    },
}
STATION_STATUS = {
    "last_updated": 1767254400,
    "ttl": 60,
    "version": "2.3",
    "data": {
        "stations": [
            {"station_id": "lily", "num_bikes_available": 4, "num_docks_available": 6,
             "is_installed": True, "is_renting": True, "is_returning": True,
             "last_reported": 1767254400},
        ]
    },
}  # fmt: skip


def test_import_gbfs_and_gtfs_feeds_in_the_console(
    tab: Tab, web_server: WebServer, tmp_path: Path
) -> None:
    key = web_server.partner_key("Flux Ouest SAS")
    create = "mutation C($input: CreateServiceInput!) { createService(input: $input) { id } }"
    bikes = web_server.graphql(
        create, {"input": {"kind": "BIKE_SHARE", "name": "Vélos Flux Ouest"}}, key=key
    )["createService"]["id"]
    page = tab.page
    open_console(tab, key, f"#/partner/{bikes}")
    imports = page.locator("section", has=page.get_by_role("heading", name="Importer un flux"))
    gbfs = imports.locator("form", has=page.get_by_role("heading", name="GBFS"))

    # station_information pasted, station_status uploaded as a file.
    gbfs.get_by_label("Contenu de station_information.json").fill("{not json")
    gbfs.get_by_role("button", name="Importer le GBFS").click()
    assert "n’est pas du JSON valide" in gbfs.locator(".form-error").inner_text()
    gbfs.get_by_label("Contenu de station_information.json").fill(json.dumps(STATION_INFORMATION))
    gbfs.get_by_label("Fichier station_status.json").set_input_files(
        files=[{"name": "station_status.json", "mimeType": "application/json",
                "buffer": json.dumps(STATION_STATUS).encode()}]
    )  # fmt: skip
    page.wait_for_function(
        "() => document.querySelector('textarea[name=gbfs_station_status]').value.includes('lily')"
    )
    gbfs.get_by_role("button", name="Importer le GBFS").click()
    report = imports.locator(".import-report")
    report.wait_for()
    counts = report.locator("table.import-counts tbody tr")
    rows = {counts.nth(i).locator("th").inner_text(): counts.nth(i).locator("td").all_inner_texts()
            for i in range(counts.count())}  # fmt: skip
    assert rows["station_information"] == ["2", "0"], rows
    assert rows["station_status"][0] == "1", rows
    assert "1 ligne ignorée." in report.inner_text()
    skipped = report.locator("table.import-skipped tbody tr")
    assert skipped.count() == 1
    assert "perdue" in skipped.first.inner_text() and "lat/lon" in skipped.first.inner_text()
    page.get_by_role("listitem").filter(has_text="Rue Lily (lily)").filter(
        has_text="4 véhicules disponibles"
    ).wait_for()
    tab.screenshot("partner-import-gbfs", full_page=True)
    tab.assert_accessible()

    # A GTFS timetable as a .zip (unpacked in the browser) into a draft shuttle.
    shuttle = web_server.graphql(
        create, {"input": {"kind": "SHUTTLE", "name": "Navette Flux Ouest"}}, key=key
    )["createService"]["id"]
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as feed:
        for path in sorted(GTFS_FIXTURE.glob("*.txt")):
            feed.write(path, f"gtfs/{path.name}")
    tab.goto(f"#/partner/{shuttle}")
    gtfs = imports.locator("form", has=page.get_by_role("heading", name="GTFS"))
    gtfs.get_by_role("button", name="Importer le GTFS").click()
    assert "Choisissez" in gtfs.locator(".form-error").inner_text()
    gtfs.get_by_label("Fichiers GTFS").set_input_files(str(archive))
    gtfs.get_by_role("button", name="Importer le GTFS").click()
    report.wait_for()
    report.locator("table.import-counts").get_by_text("stop_times.txt").wait_for()
    assert "1 ligne ignorée." in report.inner_text()
    assert "unknown trip_id or stop_id" in report.locator("table.import-skipped").inner_text()
    page.get_by_role("heading", name="Stations (4)").wait_for()

    # The same feed as its .txt files: stops are updated, not duplicated.
    gtfs.get_by_label("Fichiers GTFS").set_input_files(sorted(GTFS_FIXTURE.glob("*.txt")))
    gtfs.get_by_role("button", name="Importer le GTFS").click()
    stops_row = report.locator("table.import-counts tbody tr").filter(has_text="stops.txt")
    stops_row.locator("td").nth(1).filter(has_text="4").wait_for()
    assert stops_row.locator("td").first.inner_text() == "0"
    page.get_by_role("heading", name="Stations (4)").wait_for()
    tab.screenshot("partner-import-gtfs", full_page=True)
    tab.assert_accessible()
