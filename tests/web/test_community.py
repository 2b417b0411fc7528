"""A resident signs up, reviews a service and sees its rating change; suggests and votes."""

from __future__ import annotations

import pytest

from tests.web.browser import Tab, WebServer

pytestmark = pytest.mark.browser

SUGGEST = "mutation S($input: SuggestionInput!) { suggest(input: $input) { id } }"
REVIEW = """
mutation Review($id: ID!, $rating: Int!, $text: String!) {
  reviewService(serviceId: $id, rating: $rating, text: $text) { id }
}
"""


def test_sign_up_review_and_see_the_rating_change(
    tab: Tab, web_server: WebServer, catalogue: dict[str, str]
) -> None:
    page = tab.page
    tab.goto(f"#/services/{catalogue['scooters']}")
    page.get_by_role("heading", name="Trottinettes Seine Ouest", level=1).wait_for()
    page.get_by_role("link", name="Connectez-vous pour donner votre avis").first.click()

    signup = page.locator("form", has=page.get_by_role("heading", name="Créer un compte"))
    signup.get_by_label("Nom affiché").fill("Camille")
    signup.get_by_label("Adresse e-mail").fill("camille@example.org")
    signup.get_by_label("Choisissez un mot de passe").fill("le vélo du dimanche matin")
    tab.screenshot("account-sign-up")
    tab.assert_accessible()
    signup.get_by_role("button", name="Créer mon compte").click()
    page.get_by_text("Presque fini : ouvrez le lien envoyé à camille@example.org.").wait_for()

    # The emailed link confirms the account and comes back to the service, signed in.
    page.goto(web_server.confirmation_link("camille@example.org"))
    page.get_by_role("heading", name="Trottinettes Seine Ouest", level=1).wait_for()
    assert page.locator("#account-link").inner_text() == "Camille"
    rating = page.locator("#service-rating")
    rating.wait_for()
    assert "Aucun avis" in rating.inner_text()

    form = page.locator("form", has=page.get_by_role("heading", name="Donner votre avis"))
    form.get_by_label("4", exact=True).check()
    form.get_by_label("Votre commentaire").fill("Pratiques pour descendre à la gare.")
    form.get_by_role("button", name="Publier mon avis").click()
    page.get_by_text("Note moyenne 4/5 (1 avis)").wait_for()
    assert "Pratiques pour descendre à la gare." in page.locator(".review-list").inner_text()

    # Another resident (through the API) rates it 2: the page shows the new average.
    token = web_server.resident("dominique@example.org", "trottinette et tramway", "Dominique")
    web_server.graphql(
        REVIEW,
        {"id": catalogue["scooters"], "rating": 2, "text": "Souvent déchargées"},
        key=token,
    )
    page.reload()
    page.get_by_text("Note moyenne 3/5 (2 avis)").wait_for()
    # Camille's own review is now editable in place.
    page.get_by_role("heading", name="Modifier votre avis").wait_for()

    # Camille's idea for the service is not hers to vote for; Dominique's is.
    suggest = page.locator("form", has=page.get_by_role("heading", name="Proposer une idée"))
    suggest.get_by_label("Titre").fill("Une station près du parc")
    suggest.get_by_label("Votre idée").fill("Au parc de l'Île Saint-Germain, le week-end.")
    suggest.get_by_role("button", name="Proposer").click()
    mine = page.locator(".suggestion-list li", has_text="Une station près du parc")
    mine.get_by_text("Votre idée : vous ne pouvez pas voter pour elle.").wait_for()
    assert mine.get_by_role("button").count() == 0
    web_server.graphql(
        SUGGEST,
        {"input": {"title": "Des bornes à la gare", "text": "Deux bornes de plus à la gare.",
                   "serviceId": catalogue["scooters"]}},
        key=token,
    )  # fmt: skip
    page.reload()
    vote = page.get_by_role("button", name="Voter pour « Des bornes à la gare »")
    vote.click()
    page.locator(".suggestion-list li", has_text="Des bornes à la gare").filter(
        has_text="1 vote"
    ).wait_for()
    withdraw = page.get_by_role("button", name="Retirer mon vote pour « Des bornes à la gare »")
    assert withdraw.get_attribute("aria-pressed") == "true"
    tab.screenshot("service-community")
    tab.assert_accessible()
