"""Counts read as real plurals in both languages ("1 itinéraire", "2 itinéraires"), chosen by
the browser's Intl.PluralRules rather than written "itinéraire(s)"."""

from __future__ import annotations

import pytest

from tests.web.browser import NORTH_WEST, RUE_LILY, Tab, plan_hash

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("direct", "count", "french", "english"),
    [
        pytest.param("WALK", 1, "1 itinéraire", "1 itinerary", id="one"),
        pytest.param("WALK,BICYCLE", 2, "2 itinéraires", "2 itineraries", id="two"),
    ],
)
def test_the_itinerary_count_heading_is_a_real_plural(
    tab: Tab, direct: str, count: int, french: str, english: str
) -> None:
    page = tab.page
    tab.goto(plan_hash(RUE_LILY, NORTH_WEST, direct=direct, services=""))
    page.locator("button.itinerary").first.wait_for()
    assert page.locator("button.itinerary").count() == count
    assert page.locator("#itineraries-title").inner_text() == french
    tab.screenshot(f"plural-fr-{count}")

    page.get_by_role("button", name="Switch to English").click()
    page.get_by_role("heading", name="Plan a trip").wait_for()
    page.get_by_role("heading", name=english, exact=True).wait_for()
    assert page.locator("button.itinerary").count() == count
    tab.screenshot(f"plural-en-{count}")


@pytest.mark.parametrize(
    ("n", "french", "english"),
    [
        # French counts 0 with the singular; English with the plural.
        pytest.param(0, "0 ligne ignorée.", "0 rows skipped.", id="zero"),
        pytest.param(1, "1 ligne ignorée.", "1 row skipped.", id="one"),
        pytest.param(2, "2 lignes ignorées.", "2 rows skipped.", id="two"),
        pytest.param(1.5, "1.5 ligne ignorée.", "1.5 rows skipped.", id="fraction"),
    ],
)
def test_plural_forms_follow_each_language(tab: Tab, n: float, french: str, english: str) -> None:
    page = tab.page
    tab.goto("#/plan")
    page.get_by_role("heading", name="Planifier un trajet").wait_for()
    texts = page.evaluate(
        """async (n) => {
            const i18n = await import('/js/i18n/index.js');
            const fr = i18n.t('partner.skippedCount', { n });
            i18n.setLanguage('en');
            const en = i18n.t('partner.skippedCount', { n });
            i18n.setLanguage('fr');
            return { fr, en };
        }""",
        n,
    )
    assert texts == {"fr": french, "en": english}
