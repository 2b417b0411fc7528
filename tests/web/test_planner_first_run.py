"""A planner's first traffic run, from an empty database, entirely through the dashboard."""

from __future__ import annotations

import re

import pytest

from tests.web.browser import Tab, WebServer, sign_in_to_the_dashboard

pytestmark = pytest.mark.browser

EMAIL = "premiere.affectation@ville-issy.example"
PASSWORD = "tout commence par un calcul"
# Words of the API's own (English) errors that must never reach the French dashboard.
ENGLISH = re.compile(r"no successful traffic run|runAssignment|was imported yet|not found", re.I)


def test_the_first_assignment_runs_from_an_empty_dashboard(
    fresh_tabs: dict[str, Tab], fresh_server: WebServer
) -> None:
    fresh_server.person(EMAIL, PASSWORD, role="planner", name="Urbaniste")
    tab, page = fresh_tabs["desktop"], fresh_tabs["desktop"].page
    sign_in_to_the_dashboard(tab, EMAIL, PASSWORD)
    page.get_by_text("Aucun calcul de trafic pour la période « Pointe du matin").wait_for()
    form = page.locator("form", has=page.get_by_role("heading", name="Lancer l’affectation"))
    form.wait_for()
    assert form.get_by_label("demande par défaut d’Issy").is_checked()
    assert not form.get_by_label("matrice importée").is_checked()
    assert not ENGLISH.search(page.locator("main").inner_text())
    assert page.locator("main .error").count() == 0
    # The form comes right after the empty state, before the map and its tables.
    order = page.evaluate(
        """() => [...document.querySelectorAll('main .empty-state, main form h2, #planner-map')]
            .map((node) => node.id || node.textContent.trim())"""
    )
    assert order.index("assignment-title") < order.index("planner-map"), order
    tab.screenshot("planner-first-run")
    tab.assert_accessible()
    phone = fresh_tabs["phone"]
    sign_in_to_the_dashboard(phone, EMAIL, PASSWORD)
    phone.page.get_by_text("Aucun calcul de trafic").wait_for()
    phone.screenshot("planner-first-run-phone", full_page=True)

    # Progress shows while the run is under way (watched from the page, as it may be quick).
    page.evaluate(
        """() => {
            window.sawProgress = false;
            new MutationObserver(() => {
                const bar = document.querySelector('.assignment-progress progress');
                if (bar) window.sawProgress = true;
            }).observe(document.body, { childList: true, subtree: true });
        }"""
    )
    form.get_by_label("Seuil volume/capacité des points noirs").fill("0.5")
    form.get_by_role("button", name="Lancer l’affectation").click()
    result = page.locator(".assignment-result")
    result.wait_for(timeout=180_000)
    assert page.evaluate("() => window.sawProgress")
    assert page.locator(".assignment-progress").count() == 0
    text = result.inner_text()
    assert "Écart relatif" in text and "Itérations" in text, text

    # Then its result: the dashboard drawn with the run, the scenario form offered.
    page.locator(".runs-table tbody tr").first.wait_for()
    assert "demande par défaut d’Issy" in page.locator("main [role=status]").first.inner_text()
    page.get_by_role("heading", name="Comparer un scénario").wait_for()
    assert page.get_by_text("Aucun calcul de trafic").count() == 0
    assert not ENGLISH.search(page.locator("main").inner_text())
    tab.screenshot("planner-first-run-result", full_page=True)
    runs = fresh_server.graphql(
        '{ trafficRuns(period: "morning_peak") { demandSource status } }',
        key=fresh_server.graphql(
            "mutation In($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
            {"e": EMAIL, "p": PASSWORD},
        )["signIn"]["token"],
    )["trafficRuns"]
    assert [r["demandSource"] for r in runs] == ["ISSY_DEFAULT"]

    # The same dashboard in English.
    page.locator("#lang-switch").click()
    page.get_by_role("heading", name="Compare a scenario").wait_for()
    page.get_by_text("Click streets on the map to pick them").wait_for()
    assert "Issy default demand" in page.locator("main").inner_text()
    tab.screenshot("planner-first-run-result-en", full_page=True)
    assert tab.errors == []
