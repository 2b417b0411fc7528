"""A planner signs in and reads the hotspots of a traffic run, on the map, in the table and
in the exports."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import Tab, WebServer

pytestmark = pytest.mark.browser

EMAIL = "urbaniste@ville-issy.example"
PASSWORD = "les rues du plateau le matin"

# Four zones in the west Issy + Meudon extract and a heavy morning peak between them.
ZONES = "zone_id,lat,lon\na,48.8091,2.2563\nb,48.8193,2.2400\nc,48.8125,2.2385\nd,48.8166,2.2412\n"
TRIPS = "origin,destination,period,trips\n" + "".join(
    f"{o},{d},morning_peak,{n}\n"
    for o, d, n in [
        ("a", "b", 1800), ("b", "a", 900), ("c", "d", 1500),
        ("d", "c", 1200), ("a", "c", 800), ("b", "d", 700),
    ]
)  # fmt: skip


@pytest.fixture(scope="module")
def traffic_run(web_server: WebServer) -> str:
    web_server.person(EMAIL, PASSWORD, role="planner", name="Urbaniste")
    token: str = web_server.graphql(
        "mutation In($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
        {"e": EMAIL, "p": PASSWORD},
    )["signIn"]["token"]
    web_server.graphql(
        "mutation D($z: String!, $t: String!) { importDemand(zonesCsv: $z, tripsCsv: $t) "
        "{ __typename } }",
        {"z": ZONES, "t": TRIPS},
        key=token,
    )
    run = web_server.graphql(
        'mutation { runAssignment(period: "morning_peak", demandSource: IMPORTED, '
        "minVolumeCapacity: 0.5) { status hotspotCount } }",
        key=token,
    )["runAssignment"]
    assert run["hotspotCount"] >= 1
    web_server.graphql(
        "mutation R($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }",
        {
            "input": {
                "category": "ROADWORKS",
                "description": "Chaussée rétrécie devant l'école",
                "latitude": 48.8126,
                "longitude": 2.2466,
            }
        },
        key=token,
    )
    return token


def sign_in_to_the_dashboard(tab: Tab) -> None:
    page = tab.page
    tab.goto("#/planner")
    page.locator("main").get_by_role("link", name="Se connecter").click()
    signin = page.locator("form", has=page.get_by_role("heading", name="Connexion"))
    signin.get_by_label("Adresse e-mail").fill(EMAIL)
    signin.get_by_label("Mot de passe").fill(PASSWORD)
    signin.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Tableau de bord trafic").wait_for()


def test_planner_dashboard_shows_hotspots_and_exports(tab: Tab, traffic_run: str) -> None:
    page = tab.page
    sign_in_to_the_dashboard(tab)
    page.wait_for_selector("#planner-map[data-hotspots]")
    assert int(page.get_attribute("#planner-map", "data-hotspots")) >= 1
    assert int(page.get_attribute("#planner-map", "data-segments")) >= 1
    rows = page.locator("table.hotspot-table tbody tr")
    assert rows.count() >= 1
    assert rows.first.locator("td").first.inner_text() == "1"
    assert re.search(r"\d+ points? noirs?,", page.get_by_role("status").first.inner_text())
    tab.screenshot("planner-dashboard")
    tab.assert_accessible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger hotspots.csv").click()
    path = download.value.path()
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        assert handle.readline().startswith("rank,period,streets")

    page.get_by_role("button", name="Voir le point noir 1 sur la carte").click()
    page.wait_for_selector("#planner-map[data-incidents='1']")
    assert page.locator(".runs-table tbody tr").count() >= 1
    page.locator(".bar-chart").wait_for()

    # A street that cannot lose a lane says so in words.
    scenario = page.locator("form", has=page.get_by_role("heading", name="Comparer un scénario"))
    scenario.get_by_label("Modification").select_option("removeLaneStreets")
    scenario.get_by_label("Rues").fill("Avenue Henri IV")
    scenario.get_by_role("button", name="Calculer le scénario").click()
    assert "one lane" in scenario.locator(".error").inner_text()

    # Close a street of hotspot 2 and compare with the base case.
    scenario.get_by_label("Modification").select_option("closeStreets")
    scenario.get_by_label("Rues").fill("Rue Rabelais")
    scenario.get_by_role("button", name="Calculer le scénario").click()
    outcome = page.locator(".scenario-result")
    outcome.wait_for()
    assert "véh·h" in outcome.inner_text()
    # The scenario's run joins the runs table.
    page.locator(".runs-table tbody tr").filter(has_text="Scénario").filter(
        has_text="Rue Rabelais"
    ).first.wait_for()
    tab.screenshot("planner-scenario")


def test_run_the_assignment_from_the_dashboard(tab: Tab, traffic_run: str) -> None:
    page = tab.page
    sign_in_to_the_dashboard(tab)
    page.wait_for_selector("#planner-map[data-refreshes='1']")
    form = page.locator("form", has=page.get_by_role("heading", name="Lancer l’affectation"))
    assert form.get_by_label("Période").input_value() == "morning_peak"
    assert form.get_by_label("matrice importée").is_checked()

    # No demand source: said on the form, nothing runs.
    form.get_by_label("matrice importée").uncheck()
    form.get_by_role("button", name="Lancer l’affectation").click()
    assert "au moins une source" in form.locator(".form-error").inner_text()

    # By keyboard: tick the imported matrix again, set the threshold, run.
    form.get_by_label("matrice importée").focus()
    page.keyboard.press("Space")
    assert form.get_by_label("matrice importée").is_checked()
    form.get_by_label("Seuil volume/capacité des points noirs").fill("0.5")
    form.get_by_role("button", name="Lancer l’affectation").focus()
    page.keyboard.press("Enter")
    result = form.locator(".assignment-result")
    result.wait_for(timeout=120_000)
    text = result.inner_text()
    assert "Calcul convergé" in text, text
    assert "Écart relatif" in text and "Itérations" in text
    assert result.get_attribute("data-converged") == "true"
    run_id = result.get_attribute("data-run-id")

    # The dashboard is drawn again: the new run heads the runs table, hotspots are listed.
    page.wait_for_selector("#planner-map[data-refreshes='2']")
    newest = page.locator(".runs-table tbody tr").first
    assert newest.get_attribute("data-run-id") == run_id
    assert "Situation de référence (affiché)" in newest.inner_text()
    assert int(page.get_attribute("#planner-map", "data-hotspots")) >= 1
    assert page.locator("table.hotspot-table tbody tr").count() >= 1
    tab.screenshot("planner-assignment", full_page=True)
    tab.assert_accessible()


def test_planner_dashboard_needs_a_planner(tab: Tab) -> None:
    tab.goto("#/planner")
    tab.page.get_by_text("réservé aux urbanistes").wait_for()
