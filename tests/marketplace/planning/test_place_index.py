"""The place index on tiny inputs with known answers: folding, prefixes, typos, ranking."""

from __future__ import annotations

import pytest

from marketplace.planning.place_index import PlaceHit, PlaceIndex, PlaceKind, parse_coordinates

ISSY = (48.8245, 2.2700)
PLACES = [
    PlaceHit("Rue du Général Leclerc", PlaceKind.STREET, 48.8240, 2.2720),
    PlaceHit("Mairie d'Issy", PlaceKind.STOP, 48.8243, 2.2736, detail="RATP"),
    PlaceHit("MAIRIE D'ISSY", PlaceKind.STOP, 48.8244, 2.2737, detail="RATP"),
    PlaceHit("Mairie d'Issy", PlaceKind.STATION, 48.8245, 2.2730, detail="Vélib'", station_id=7),
    PlaceHit("Mairie du 15ème", PlaceKind.STATION, 48.8414, 2.2999, detail="Vélib'"),
    PlaceHit("Parvis Corentin Celton", PlaceKind.STATION, 48.8270, 2.2790, detail="Vélib'"),
    PlaceHit("Hôtel de Ville", PlaceKind.POI, 48.8245, 2.2731, detail="62 rue du Général Leclerc"),
    PlaceHit("29, rue Ernest Renan", PlaceKind.ADDRESS, 48.8268, 2.2800),
]


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(PLACES)


def labels(index: PlaceIndex, text: str, centre: tuple[float, float] = ISSY) -> list[str]:
    return [hit.label for hit in index.search(text, centre=centre, first=8)]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        pytest.param("mairie d'issy", "Mairie d'Issy", id="exact"),
        pytest.param("MAIRIE D ISSY", "Mairie d'Issy", id="case-and-punctuation"),
        pytest.param("general lecl", "Rue du Général Leclerc", id="accents-and-prefix"),
        pytest.param("corentin celtn", "Parvis Corentin Celton", id="typo"),
        pytest.param("rue ernest renan", "29, rue Ernest Renan", id="address"),
        pytest.param("hotel", "Hôtel de Ville", id="poi"),
    ],
)
def test_known_answers(index: PlaceIndex, text: str, first: str) -> None:
    assert labels(index, text)[0] == first


def test_a_stop_listed_twice_a_few_metres_apart_is_shown_once(index: PlaceIndex) -> None:
    hits = index.search("mairie d'issy", centre=ISSY, first=8)
    assert [(h.kind, h.label) for h in hits[:2]] == [
        (PlaceKind.STATION, "Mairie d'Issy"),
        (PlaceKind.STOP, "Mairie d'Issy"),
    ]
    assert sum(h.kind is PlaceKind.STOP for h in hits) == 1
    assert hits[0].station_id == 7


def test_equal_matches_rank_by_distance_to_the_centre(index: PlaceIndex) -> None:
    assert labels(index, "mairie du")[0] == "Mairie du 15ème"
    near_paris = (48.8414, 2.2999)
    assert labels(index, "mairie", centre=near_paris)[0] == "Mairie du 15ème"


def test_a_name_beats_a_detail(index: PlaceIndex) -> None:
    found = labels(index, "general leclerc")
    assert found.index("Rue du Général Leclerc") < found.index("Hôtel de Ville")


def test_short_words_are_never_guessed(index: PlaceIndex) -> None:
    assert labels(index, "xyz") == []
    assert labels(index, "mairi zzz") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("48.8245, 2.27", (48.8245, 2.27), id="comma"),
        pytest.param("48.8245 2.27", (48.8245, 2.27), id="space"),
        pytest.param(" 48.8245;2.27 ", (48.8245, 2.27), id="semicolon"),
        pytest.param("95.0, 2.27", None, id="latitude-out-of-range"),
        pytest.param("rue 12", None, id="words"),
    ],
)
def test_typed_coordinates(
    index: PlaceIndex, text: str, expected: tuple[float, float] | None
) -> None:
    assert parse_coordinates(text) == expected
    hits = index.search(text, centre=ISSY, first=3)
    if expected is not None:
        assert (hits[0].kind, hits[0].lat, hits[0].lon) == (PlaceKind.COORDINATE, *expected)
