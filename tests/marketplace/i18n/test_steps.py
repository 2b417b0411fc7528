"""Turn-by-turn instructions worded from the engine's steps, on hand-made pieces."""

from __future__ import annotations

import pytest

from marketplace.i18n.steps import distance_text, step_instruction
from routing.street.steps import Piece, Step, Turn, build_steps


def _piece(name: str | None, start: tuple[float, float], end: tuple[float, float]) -> Piece:
    # 0.001 degree of latitude is about 111 m.
    length_m = 111_195 * (abs(end[0] - start[0]) + abs(end[1] - start[1]) * 0.66)
    return Piece(name, length_m, length_m / 1.4, (start, end))


def _steps() -> list[Step]:
    a, b, c, d = (48.820, 2.260), (48.8211, 2.260), (48.8211, 2.2617), (48.8221, 2.2617)
    return build_steps([_piece(None, a, b), _piece("Rue de Paris", b, c), _piece("Rue B", c, d)])


def test_steps_in_french() -> None:
    words = [step_instruction(step, "fr") for step in _steps()]
    assert words == [
        "Partez vers le nord sur une voie sans nom, puis continuez sur 120 m",
        "Tournez à droite sur Rue de Paris, puis continuez sur 120 m",
        "Tournez à gauche sur Rue B, puis continuez sur 110 m",
        "Vous êtes arrivé à destination",
    ]


def test_steps_in_english() -> None:
    words = [step_instruction(step, "en") for step in _steps()]
    assert words == [
        "Head north on an unnamed street, then continue for 120 m",
        "Turn right onto Rue de Paris, then continue for 120 m",
        "Turn left onto Rue B, then continue for 110 m",
        "Arrive at your destination",
    ]


def test_a_short_step_names_no_distance() -> None:
    step = Step(Turn.SLIGHT_LEFT, "Rue A", 12.0, 9.0, 48.82, 2.26, 0.0, 330.0)
    assert step_instruction(step, "fr") == "Tournez légèrement à gauche sur Rue A"
    assert step_instruction(step, "en") == "Turn slightly left onto Rue A"


@pytest.mark.parametrize(
    ("distance_m", "fr", "en"),
    [
        pytest.param(4.0, "10 m", "10 m", id="tiny"),
        pytest.param(118.0, "120 m", "120 m", id="metres"),
        pytest.param(1234.0, "1,2 km", "1.2 km", id="kilometres"),
    ],
)
def test_distances_in_each_language(distance_m: float, fr: str, en: str) -> None:
    assert distance_text(distance_m, "fr") == fr
    assert distance_text(distance_m, "en") == en
