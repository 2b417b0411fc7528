"""Every page reads in one language: French (the default), then English.

Each page is shown with results, an error or its empty state, on a server started from an
empty database and seeded through the API; the visible text must hold no sentence of the
other language, no ``null`` / ``undefined`` / ``NaN`` and no raw enum code. Names are
content, not wording: street names (``Rue de la Paix``), the seeded service and station
names and Issy's own name are taken out before the text is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser import (
    ARTIFACTS,
    DESKTOP,
    NORTH_WEST,
    RUE_LILY,
    Tab,
    WebServer,
    plan_hash,
    seed_service,
)

pytestmark = pytest.mark.browser

SERVICE = "Trottinettes Seine Ouest"
STATIONS = ("Place Rabelais", "Gare de Meudon")
PARTNER = "Mobilités Meudon-Issy"
PLANNER = ("urbaniste.langue@ville-issy.example", "les rues du plateau le matin", "Inès")
# Names that are content in any language: the seeds', the city's, the map's credits.
NAMES = (
    SERVICE,
    f"{SERVICE}, à Issy et Meudon",
    *STATIONS,
    PARTNER,
    "Issy-les-Moulineaux",
    "Issy Mobility",
    "OpenStreetMap contributors",
    PLANNER[2],
)
# A French street name: its kind, then capitalised words joined by French articles.
_STREET = re.compile(
    r"\b(?:Rue|Avenue|Boulevard|Place|Allée|Quai|Chemin|Impasse|Route|Sentier|Square|"
    r"Passage|Villa|Cité|Parvis|Rond-Point|Pont|Voie|Sente|Esplanade|Cours|Promenade|Chaussée)"
    r"(?:[ -](?:(?:de la|de l[’']|de|du|des|d[’']|l[’']|la|le|les|aux|au|sur|et)\s*)?"
    r"[A-ZÉÈÀÂÎÔ0-9][\w’'.-]*)+"
)
# Words that carry a sentence and that the other language does not spell the same way.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "with",
        "your",
        "you",
        "this",
        "is",
        "are",
        "for",
        "of",
        "to",
        "from",
        "not",
        "has",
        "have",
        "been",
        "will",
        "was",
        "by",
        "at",
        "it",
        "no",
        "yet",
        "there",
        "in",
    ]
)
FRENCH_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "de",
        "et",
        "est",
        "une",
        "un",
        "pour",
        "avec",
        "sur",
        "dans",
        "vous",
        "votre",
        "vos",
        "pas",
        "à",
        "au",
        "aux",
        "ce",
        "cette",
        "qui",
        "que",
        "aucun",
        "aucune",
    ]
)
_RAW_CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")
_BROKEN = re.compile(r"\b(?:null|undefined|NaN)\b")


def _without_names(line: str) -> str:
    for name in sorted(NAMES, key=len, reverse=True):
        line = line.replace(name, " ")
    return _STREET.sub(" ", line)


def problems(text: str, language: str) -> list[str]:
    """The lines of ``text`` that break the page's language, each with why."""
    foreign = ENGLISH_WORDS if language == "fr" else FRENCH_WORDS
    found = []
    for raw in text.splitlines():
        line = _without_names(raw)
        words = set(re.findall(r"[a-zà-ÿœ]+", line.lower()))
        if len(words & foreign) >= 2:
            found.append(f"other language ({sorted(words & foreign)}): {raw!r}")
        if _BROKEN.search(line):
            found.append(f"broken value: {raw!r}")
        if _RAW_CODE.search(line):
            found.append(f"raw code: {raw!r}")
    return found


def test_the_detector_tells_the_languages_apart() -> None:
    assert problems("Tournez à gauche sur Rue de la Paix, puis continuez sur 120 m", "fr") == []
    assert problems("Turn left onto Avenue de Verdun, then continue for 120 m", "en") == []
    assert problems("origin and destination are the same place", "fr")
    assert problems("le départ et l'arrivée sont au même endroit", "en")
    assert problems("Prix : null €", "fr") and problems("NO_SERVICE_PUBLISHED", "en")
    assert problems("Trottinettes Seine Ouest, à Issy et Meudon", "en") == []


@pytest.fixture(scope="module")
def seeded(fresh_server: WebServer) -> dict[str, str]:
    """A published scooter share with a station, a planner account; nothing else."""
    key = fresh_server.partner_key(PARTNER, kind="operator")
    service = seed_service(
        fresh_server,
        key,
        kind="SCOOTER_SHARE",
        name=SERVICE,
        stations=[{"externalId": "s1", "name": STATIONS[0], "lat": 48.8125, "lon": 2.2385}],
    )
    email, password, name = PLANNER
    fresh_server.person(email, password, "planner", name)
    signed_in = fresh_server.graphql(
        "mutation In($e: String!, $p: String!) { signIn(email: $e, password: $p) "
        "{ token expiresAt viewer { id displayName email role } } }",
        {"e": email, "p": password},
    )["signIn"]
    return {"key": key, "service": service, "session": json.dumps(signed_in)}


@pytest.fixture(params=["fr", "en"])
def reader(
    request: pytest.FixtureRequest, browser: Any, fresh_server: WebServer
) -> Iterator[tuple[Tab, str]]:
    """A desktop page whose reader chose ``fr`` or ``en`` (kept like the client keeps it)."""
    language = request.param
    context = browser.new_context(
        viewport=DESKTOP,
        locale="fr-FR" if language == "fr" else "en-GB",
        timezone_id="Europe/Paris",
    )
    context.set_default_timeout(30_000)
    context.add_init_script(f"localStorage.setItem('issy.language', '{language}')")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield Tab(page=page, base_url=fresh_server.url, errors=errors), language
    finally:
        context.close()


def _read(tab: Tab, name: str, language: str) -> list[str]:
    page = tab.page
    page.wait_for_load_state("networkidle")
    # Steps and stops fold inside <details>: open them so their words are read too.
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    tab.screenshot(f"language-{language}-{name}", full_page=True)
    text: str = page.evaluate("() => document.body.innerText")
    # The words read, beside the screenshot, for a reviewer to skim.
    (ARTIFACTS / f"language-{language}-{name}.txt").write_text(text, encoding="utf-8")
    return [f"{name}: {problem}" for problem in problems(text, language)]


def test_every_page_reads_in_one_language(reader: tuple[Tab, str], seeded: dict[str, str]) -> None:
    tab, language = reader
    page = tab.page
    found: list[str] = []

    # A plan with itineraries, its steps unfolded.
    tab.goto(plan_hash(RUE_LILY, NORTH_WEST))
    page.locator("button.itinerary").first.wait_for()
    page.locator(".leg").first.wait_for()
    assert page.locator("html").get_attribute("lang") == language
    found += _read(tab, "plan", language)
    steps = page.locator("details.steps li").all_inner_texts()
    assert steps, "the selected itinerary shows its steps"

    # A plan the server refuses: the routing error, worded.
    tab.goto(plan_hash((48.8867, 2.3431), NORTH_WEST))
    page.locator(".results .error[role=alert]").wait_for()
    found += _read(tab, "plan-error", language)

    # A request the server refuses as a whole (same place twice): worded, not the log sentence.
    tab.goto(plan_hash(RUE_LILY, RUE_LILY))
    refused = page.locator(".results .error[role=alert]")
    refused.wait_for()
    same = "au même endroit" if language == "fr" else "are the same place"
    assert same in refused.inner_text()
    found += _read(tab, "plan-same-place", language)

    # The catalogue, then one service's page.
    tab.goto("#/services")
    page.get_by_role("heading", name=SERVICE).first.wait_for()
    found += _read(tab, "services", language)
    tab.goto(f"#/services/{seeded['service']}")
    page.get_by_role("heading", name=SERVICE, level=1).wait_for()
    found += _read(tab, "service", language)

    # Ideas with none yet: the empty state.
    tab.goto("#/ideas")
    page.locator("h1").first.wait_for()
    found += _read(tab, "ideas", language)

    # A failed sign-in: the server's refusal in the reader's language.
    tab.goto("#/account")
    signin = page.locator("form").first
    signin.locator("input[type=email]").fill("nobody@example.org")
    signin.locator("input[type=password]").fill("not the right password")
    signin.locator("button[type=submit]").click()
    alert = page.locator(".error[role=alert]")
    alert.wait_for()
    wrong = "adresse e-mail ou mot de passe incorrect"
    assert (wrong if language == "fr" else "email or password is wrong") in alert.inner_text()
    found += _read(tab, "account-failed-sign-in", language)

    # The partner console with its key, listing its service.
    page.evaluate(f"() => sessionStorage.setItem('issy.partnerKey', '{seeded['key']}')")
    tab.goto("#/partner")
    page.get_by_text(SERVICE).first.wait_for()
    found += _read(tab, "partner", language)

    # The planner's dashboard before any assignment ran.
    page.evaluate("(s) => localStorage.setItem('issy.session', s)", seeded["session"])
    tab.goto("#/planner")
    page.locator("main h1").first.wait_for()
    page.locator("main form").first.wait_for()
    found += _read(tab, "planner", language)

    assert not found, "\n".join(found) + f"\n(screenshots in {ARTIFACTS})"
    assert not tab.errors, tab.errors
