"""Every page on a phone-sized screen, and what the client says when the server is gone."""

from __future__ import annotations

import pytest

from tests.web.browser import NORTH_WEST, PHONE, RUE_LILY, Tab, plan_hash

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("route", "heading"),
    [
        pytest.param("#/services", "Services de mobilité", id="services"),
        pytest.param("#/ideas", "Idées et défis", id="ideas"),
        pytest.param("#/partner", "Espace partenaire", id="partner"),
        pytest.param("#/account", "Mon compte", id="account"),
        pytest.param("#/planner", "Tableau de bord trafic", id="planner"),
    ],
)
def test_page_fits_a_phone(
    phone_tab: Tab, catalogue: dict[str, str], route: str, heading: str
) -> None:
    page = phone_tab.page
    phone_tab.goto(route)
    page.get_by_role("heading", name=heading, level=1).wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone_tab.screenshot(f"phone-{route.strip('#/')}")
    phone_tab.assert_accessible()
    assert not phone_tab.errors, phone_tab.errors


def test_unknown_page_says_so(tab: Tab) -> None:
    tab.goto("#/nowhere")
    tab.page.get_by_role("heading", name="Page introuvable").wait_for()


def test_a_plan_without_the_server_says_why(tab: Tab) -> None:
    page = tab.page
    tab.goto("#/plan")
    page.get_by_role("heading", name="Planifier un trajet").wait_for()
    # From now on the server is unreachable.
    page.route("**/graphql", lambda route: route.abort())
    tab.goto(plan_hash(RUE_LILY, NORTH_WEST))
    page.reload()
    alert = page.locator("[role=alert]").first
    alert.wait_for()
    assert "le serveur ne répond pas" in alert.inner_text()


def test_a_missing_map_library_is_explained(tab: Tab) -> None:
    page = tab.page
    page.route("**/vendor/leaflet/**", lambda route: route.abort())
    tab.goto("#/plan")
    alert = page.locator("[role=alert]").first
    alert.wait_for()
    assert "make setup" in alert.inner_text()
