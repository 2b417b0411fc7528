"""Ideas and challenges: a resident reads the city's challenge, places an idea on the map,
votes and comments."""

from __future__ import annotations

import pytest

from tests.web.browser import Tab, WebServer

pytestmark = pytest.mark.browser

SIGN_IN = "mutation In($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }"
VOTE = "mutation V($id: ID!) { voteForSuggestion(id: $id) { voted } }"
OPEN_CHALLENGE = """
mutation Open($input: ChallengeInput!) { openChallenge(input: $input) { id } }
"""
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[2.236, 48.810], [2.246, 48.810], [2.246, 48.818], [2.236, 48.818], [2.236, 48.810]]
    ],
}


@pytest.fixture(scope="module")
def challenge(web_server: WebServer) -> None:
    web_server.person(
        "moderation@ville-issy.example", "la mairie veille au grain", "admin", "Ville"
    )
    token = web_server.graphql(
        SIGN_IN, {"e": "moderation@ville-issy.example", "p": "la mairie veille au grain"}
    )["signIn"]["token"]
    web_server.graphql(
        OPEN_CHALLENGE,
        {
            "input": {
                "title": "Le dernier kilomètre depuis la gare de Meudon",
                "text": "Comment rejoindre le plateau le soir, après 21 h ?",
                "area": SQUARE,
                "deadline": "2031-06-30T18:00:00+02:00",
            }
        },
        key=token,
    )


AGENT = "agent.mobilite@ville-issy.example"
AGENT_PASSWORD = "un appel aux operateurs"
CHALLENGE_TITLE = "Stationnement vélo autour de la gare"


def test_city_staff_open_a_challenge_from_the_page(
    tab: Tab, phone_tab: Tab, web_server: WebServer
) -> None:
    # First in this module: no challenge exists yet, so the page explains what one is.
    explained = "Un défi est un appel de la ville"
    phone_tab.goto("#/ideas")
    phone_tab.page.get_by_text(explained).wait_for()
    phone_tab.screenshot("ideas-no-challenge-phone", full_page=True)
    page = tab.page
    tab.goto("#/ideas")
    page.get_by_text(explained).wait_for()
    assert page.get_by_role("heading", name="Lancer un défi").count() == 0
    tab.screenshot("ideas-no-challenge")

    web_server.person(AGENT, AGENT_PASSWORD, role="planner", name="Agent mobilité")
    page.locator("main").get_by_role("link", name="Connectez-vous").click()
    signin = page.locator("form", has=page.get_by_role("heading", name="Connexion"))
    signin.get_by_label("Adresse e-mail").fill(AGENT)
    signin.get_by_label("Mot de passe").fill(AGENT_PASSWORD)
    signin.get_by_role("button", name="Se connecter").click()
    form = page.locator("form", has=page.get_by_role("heading", name="Lancer un défi"))
    form.wait_for()
    # City staff open challenges; residents alone suggest ideas.
    assert page.get_by_role("heading", name="Proposer une idée").count() == 0
    form.get_by_label("Titre du défi").fill(CHALLENGE_TITLE)
    form.get_by_label("Le besoin, en quelques phrases").fill(
        "Où garer 200 vélos de plus, à l'abri, à moins de 100 m des quais ?"
    )
    tab.screenshot("ideas-challenge-form")
    form.get_by_role("button", name="Lancer le défi").click()
    form.get_by_text("Défi lancé").wait_for()
    card = page.locator(".cards-list .card", has_text=CHALLENGE_TITLE)
    card.wait_for()
    assert "Ouvert jusqu’au" in card.inner_text()
    assert page.get_by_text(explained).count() == 0
    tab.screenshot("ideas-challenge-opened", full_page=True)
    tab.assert_accessible()
    opened = web_server.graphql("{ challenges(first: 10) { nodes { title isOpen area } } }")
    [challenge] = [c for c in opened["challenges"]["nodes"] if c["title"] == CHALLENGE_TITLE]
    assert challenge["isOpen"] and challenge["area"]["type"] == "Polygon"
    # The same page in English.
    page.locator("#lang-switch").click()
    page.get_by_role("heading", name="Open a challenge").wait_for()
    tab.screenshot("ideas-challenge-opened-en", full_page=True)
    assert tab.errors == []


def test_resident_places_an_idea_votes_and_comments(
    tab: Tab, web_server: WebServer, challenge: None
) -> None:
    web_server.resident("sacha@example.org", "un plateau bien desservi", "Sacha")
    page = tab.page
    tab.goto("#/ideas")
    page.get_by_text("Le dernier kilomètre depuis la gare de Meudon").wait_for()
    assert "Ouvert jusqu’au" in page.locator(".card", has_text="dernier kilomètre").inner_text()

    page.locator("main").get_by_role("link", name="Connectez-vous").click()
    signin = page.locator("form", has=page.get_by_role("heading", name="Connexion"))
    signin.get_by_label("Adresse e-mail").fill("sacha@example.org")
    signin.get_by_label("Mot de passe").fill("un plateau bien desservi")
    signin.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Proposer une idée").wait_for()

    page.get_by_label("Titre").fill("Navette du soir vers le plateau")
    page.get_by_label("Votre idée").fill("Une navette toutes les 20 minutes de 21 h à minuit.")
    page.get_by_label("Navette").check()
    page.wait_for_selector("#ideas-map[data-streets]")
    box = page.locator("#ideas-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "Lieu :" in page.locator("form", has_text="Proposer une idée").inner_text()
    page.get_by_role("button", name="Proposer", exact=True).click()

    # One's own idea is not votable; following it shows, and can be undone.
    card = page.locator(".suggestion-list .card", has_text="Navette du soir vers le plateau")
    card.wait_for()
    card.get_by_text("Votre idée : vous ne pouvez pas voter pour elle.").wait_for()
    assert (
        card.get_by_role("button", name="Voter pour « Navette du soir vers le plateau »").count()
        == 0
    )
    # An author follows their idea from the start (the API says so: viewerFollows); unfollowing
    # and following again show, and survive a reload, with nothing kept in the browser.
    follow = "Suivre « Navette du soir vers le plateau »"
    unfollow = card.get_by_role("button", name="Ne plus suivre « Navette du soir vers le plateau »")
    unfollow.wait_for()
    assert unfollow.get_attribute("aria-pressed") == "true"
    assert card.locator(".followed-badge").inner_text() == "Suivie"
    unfollow.click()
    card.get_by_role("button", name=follow, exact=True).wait_for()
    assert card.locator(".followed-badge").count() == 0
    page.reload()
    card.get_by_role("button", name=follow, exact=True).click()
    unfollow.wait_for()
    page.reload()  # the followed state survives a reload
    unfollow.wait_for()
    assert card.locator(".followed-badge").inner_text() == "Suivie"
    stored = page.evaluate("() => Object.keys(localStorage)")
    assert not [key for key in stored if "follow" in key], stored

    # A comment posted leaves its thread open, with the comment in it.
    card.get_by_text("Commentaires (0)").click()
    card.get_by_label("Votre commentaire").fill("Avec un arrêt place Rabelais ?")
    card.get_by_role("button", name="Commenter").click()
    card.get_by_text("Commentaires (1)").wait_for()
    assert card.locator("details").get_attribute("open") is not None
    card.get_by_text("Avec un arrêt place Rabelais ?").wait_for()
    assert card.get_by_label("Votre commentaire").is_visible()
    tab.screenshot("ideas")
    tab.assert_accessible()

    # Another resident votes for it (through the API); Sacha sees the count.
    other = web_server.resident("noa@example.org", "la navette de minuit", "Noa")
    idea_id = card.get_attribute("data-id")
    web_server.graphql(VOTE, {"id": idea_id}, key=other)
    page.reload()
    card.get_by_text("1 vote").wait_for()
