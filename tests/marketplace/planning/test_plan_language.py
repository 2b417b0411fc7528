"""A plan speaks its caller's language: steps, routing errors and request errors in French
(the default and ``Accept-Language: fr``) or English (``Accept-Language: en`` or ``locale``),
on the real west-Issy extract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.settings import Settings
from marketplace.streets import StreetsState, load_streets
from tests.marketplace.helpers import Api
from tests.marketplace.trips import DESTINATION, MONDAY_MORNING, ORIGIN

PLAN = """
query Plan($origin: PlanLocationInput!, $destination: PlanLocationInput!,
           $when: PlanDateTimeInput, $locale: String) {
  plan(origin: $origin, destination: $destination, dateTime: $when, locale: $locale,
       modes: {direct: [WALK], services: []}) {
    edges { node { legs { steps { instruction streetName turn distanceM } } } }
    routingErrors { code description }
  }
}
"""

FAR = {"coordinate": {"latitude": 48.90, "longitude": 2.35}}


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    source = shared_data / "osm" / "meudon_drive_overpass_issy_west_2024-12-14.json.gz"
    state = load_streets(source, cache_dir=tmp_path_factory.mktemp("streets"))
    assert state.network is not None, state.problem
    return state


@pytest.fixture
def client(settings: Settings, streets: StreetsState) -> Iterator[TestClient]:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as test_client:
        yield test_client


def _plan(api: Api, **variables: Any) -> dict[str, Any]:
    base = {
        "origin": ORIGIN,
        "destination": DESTINATION,
        "when": {"earliestDeparture": MONDAY_MORNING},
    }
    body = api.post(PLAN, {**base, **variables})
    return body


def _steps(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert not body.get("errors"), body["errors"]
    legs = body["data"]["plan"]["edges"][0]["node"]["legs"]
    return [step for leg in legs for step in leg["steps"]]


FRENCH_OPENINGS = ("Partez vers ", "Continuez tout droit sur ", "Tournez ", "Faites demi-tour")
ENGLISH_OPENINGS = ("Head ", "Continue straight onto ", "Turn ", "Make a U-turn")


def _check_steps(steps: list[dict[str, Any]], openings: tuple[str, ...], arrive: str) -> None:
    assert len(steps) >= 3
    assert steps[-1]["instruction"] == arrive
    for step in steps[:-1]:
        text = step["instruction"]
        assert text.startswith(openings), text
        if step["streetName"]:  # the real OSM name, untranslated, inside the sentence
            assert step["streetName"] in text


def test_steps_are_french_by_default_and_english_on_request(client: TestClient) -> None:
    french = _steps(_plan(Api(client, language=None)))
    _check_steps(french, FRENCH_OPENINGS, "Vous êtes arrivé à destination")
    assert any(", puis continuez sur " in s["instruction"] for s in french)
    english = _steps(_plan(Api(client, language="en-GB,en;q=0.9")))
    _check_steps(english, ENGLISH_OPENINGS, "Arrive at your destination")
    # The same steps: only the words differ.
    assert [(s["turn"], s["streetName"]) for s in english] == [
        (s["turn"], s["streetName"]) for s in french
    ]


def test_locale_argument_overrides_accept_language(client: TestClient) -> None:
    steps = _steps(_plan(Api(client, language="fr"), locale="en"))
    _check_steps(steps, ENGLISH_OPENINGS, "Arrive at your destination")
    refused = Api(client, language="en").error(
        PLAN,
        {"origin": ORIGIN, "destination": DESTINATION, "locale": "de"},
    )
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"
    assert refused["message"] == "locale 'de' is not offered; accepted: fr, en"


def test_routing_errors_are_described_in_the_callers_language(client: TestClient) -> None:
    french = _plan(Api(client, language="fr-FR"), origin=FAR)["data"]["plan"]["routingErrors"]
    assert french[0]["code"] == "OUTSIDE_BOUNDS"
    assert french[0]["description"] == (
        "Le départ est à 10,9 km de la rue la plus proche du plan, hors de la zone couverte."
    )
    english = _plan(Api(client, language="en"), origin=FAR)["data"]["plan"]["routingErrors"]
    assert english[0]["code"] == "OUTSIDE_BOUNDS"
    assert english[0]["description"].startswith("origin (48.90000, 2.35000) lies 10.9 km")


def test_request_errors_are_worded_in_the_callers_language(client: TestClient) -> None:
    same = {"destination": ORIGIN}
    french = _plan(Api(client, language=None), **same)["errors"][0]
    assert french["extensions"]["code"] == "BAD_USER_INPUT"
    assert french["message"] == (
        "le départ et l'arrivée sont au même endroit (à moins de 10 m) ; accepté : deux "
        "points distincts"
    )
    english = _plan(Api(client, language="en"), **same)["errors"][0]
    assert english["message"].startswith("origin and destination are the same place")
    naive = {"when": {"earliestDeparture": "2026-11-30T08:30:00"}}
    assert (
        "n'a pas de fuseau horaire"
        in _plan(Api(client, language="fr"), **naive)["errors"][0]["message"]
    )


def test_every_request_rule_is_worded_in_french(client: TestClient) -> None:
    """The preference limits too: no rule falls back to its English log sentence."""
    cases = [
        ({"maxTransfers": 9}, "maxTransfers 9 ; accepté : de 0 à 8 correspondances"),
        ({"walkSpeedKmh": 30.0}, "vitesse de marche 30.0 km/h ; acceptée : de 1 à 10"),
    ]
    for preferences, french in cases:
        body = client.post(
            "/graphql",
            json={
                "query": PREFERENCES_PLAN,
                "variables": {"origin": ORIGIN, "destination": DESTINATION, "prefs": preferences},
            },
            headers={"Accept-Language": "fr"},
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["errors"][0]["message"] == french


PREFERENCES_PLAN = """
query Plan($origin: PlanLocationInput!, $destination: PlanLocationInput!,
           $prefs: PlanPreferencesInput) {
  plan(origin: $origin, destination: $destination, preferences: $prefs,
       modes: {direct: [WALK], services: []}) { edges { node { durationS } } }
}
"""
