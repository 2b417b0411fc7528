"""``placeSearch`` and ``region`` on the seeded open data, through GraphQL, on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from marketplace.catalogue.places import PlaceFields, upsert_places
from marketplace.ingest.open_data import read_open_data
from marketplace.ingest.seed import seed_open_data
from marketplace.models import PlaceKind
from marketplace.planning import places
from tests.marketplace.helpers import Api

SEARCH = """query($text: String!, $near: CoordinateInput) {
  placeSearch(text: $text, first: 8, near: $near) { label kind lat lon detail stationId } }"""


@pytest.fixture
def seeded(api: Api, shared_data: Path) -> Api:
    api.db.call(seed_open_data, read_open_data(shared_data))
    return api


def search(api: Api, text: str, **variables: object) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = api.ok(SEARCH, {"text": text, **variables})["placeSearch"]
    return hits


def test_what_people_type_is_found(seeded: Api) -> None:
    mairie = search(seeded, "mairie d'issy")
    assert all("mairie d'issy" in p["label"].lower() for p in mairie[:3])
    assert {"STATION", "STOP"} <= {p["kind"] for p in mairie}
    velib = next(p for p in mairie if p["detail"] == "Vélib' Métropole")
    assert velib["stationId"] is not None
    celton = search(seeded, "corentin celton")
    assert "celton" in celton[0]["label"].lower()
    assert any(p["detail"] and p["detail"].startswith("Métro 12") for p in celton)
    renan = search(seeded, "rue ernest renan")
    assert renan[0]["kind"] == "ADDRESS" and "ernest renan" in renan[0]["label"].lower()
    typo = search(seeded, "corentin celtn")
    assert typo and all("celton" in p["label"].lower() for p in typo)
    assert typo[0]["label"].lower().replace("-", " ") == "corentin celton"
    for typed in ("48.8245, 2.27", "48.8245 2.27"):
        point = search(seeded, typed)[0]
        assert (point["kind"], point["lat"], point["lon"]) == ("COORDINATE", 48.8245, 2.27)
    poi = search(seeded, "piscine")
    assert poi[0]["kind"] == "POI" and "Boulevard Gallieni" in poi[0]["detail"]


def test_near_moves_equal_matches(seeded: Api) -> None:
    boulogne = {"latitude": 48.8355, "longitude": 2.2410}
    mairies = [p["label"] for p in search(seeded, "mairie", near=boulogne)]
    default = [p["label"] for p in search(seeded, "mairie")]
    assert mairies != default


def test_the_boundary_is_drawn(seeded: Api) -> None:
    region = seeded.ok("{ region { name boundaryGeojson centreLat centreLon attribution } }")[
        "region"
    ]
    assert region["name"] == "Issy-les-Moulineaux"
    assert region["boundaryGeojson"]["type"] == "Polygon"
    assert "OpenStreetMap" in region["attribution"]
    assert seeded.ok('{ region(name: "Paris") { name } }')["region"] is None


def test_bad_arguments_say_what_is_accepted(api: Api) -> None:
    error = api.error(SEARCH, {"text": "x", "near": {"latitude": 45.0, "longitude": 2.0}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert api.ok("{ region { name } }")["region"] is None
    french = Api(api.client, language="fr")
    many = french.error('{ placeSearch(text: "mairie", first: 80) { label } }')
    assert many["message"] == "first 80 ; accepté : de 1 à 50"
    long = french.error(SEARCH, {"text": "x" * 201})
    assert long["message"] == "le texte dépasse 200 caractères"


def test_places_loaded_by_another_process_are_found(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(places, "PLACES_CHECK_S", 0.0)
    assert search(api, "piscine") == []
    row = PlaceFields(
        "test", "1", PlaceKind.POI, "Piscine Alfred Sevestre", None, None, 48.82, 2.26
    )
    # Written straight to the table, as a seed run elsewhere would: no event reaches here.
    api.db.call(upsert_places, [row])
    assert [p["label"] for p in search(api, "piscine")] == ["Piscine Alfred Sevestre"]
