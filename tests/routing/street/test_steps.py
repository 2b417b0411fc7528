"""Turn classification and step merging, on hand-made pieces with known answers."""

from __future__ import annotations

import pytest

from routing.street.steps import Piece, Turn, build_steps, classify_turn


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(0, 0, Turn.STRAIGHT, id="straight"),
        pytest.param(0, 90, Turn.RIGHT, id="north-to-east-is-right"),
        pytest.param(0, 270, Turn.LEFT, id="north-to-west-is-left"),
        pytest.param(350, 80, Turn.RIGHT, id="wraps-around-north"),
        pytest.param(90, 120, Turn.SLIGHT_RIGHT, id="slight-right"),
        pytest.param(90, 60, Turn.SLIGHT_LEFT, id="slight-left"),
        pytest.param(0, 150, Turn.SHARP_RIGHT, id="sharp-right"),
        pytest.param(0, 210, Turn.SHARP_LEFT, id="sharp-left"),
        pytest.param(0, 180, Turn.U_TURN, id="u-turn"),
    ],
)
def test_classify_turn(before: float, after: float, expected: Turn) -> None:
    assert classify_turn(before, after) is expected


def _piece(name: str | None, *points: tuple[float, float], metres: float = 100.0) -> Piece:
    return Piece(name, metres, metres / 1.33, points)


def test_same_street_pieces_merge_and_a_turn_starts_a_step() -> None:
    north = [(48.820, 2.260), (48.821, 2.260), (48.822, 2.260)]
    east = (48.822, 2.2615)
    pieces = [
        _piece("Rue A", north[0], north[1]),
        _piece("Rue A", north[1], north[2]),
        _piece("Rue B", north[2], east),
    ]
    steps = build_steps(pieces)
    assert [s.turn for s in steps] == [Turn.DEPART, Turn.RIGHT, Turn.ARRIVE]
    assert [s.street for s in steps[:2]] == ["Rue A", "Rue B"]
    assert steps[0].distance_m == pytest.approx(200.0)
    assert steps[0].bearing_after_deg == pytest.approx(0.0, abs=1.0)  # heading north
    assert steps[1].bearing_after_deg == pytest.approx(90.0, abs=1.0)
    assert (steps[-1].lat, steps[-1].lon) == east


def test_unnamed_pieces_split_at_real_turns_only() -> None:
    a, b, c, d = (48.820, 2.260), (48.821, 2.260), (48.8219, 2.2601), (48.8219, 2.2620)
    steps = build_steps([_piece(None, a, b), _piece(None, b, c), _piece(None, c, d)])
    turns = [s.turn for s in steps]
    assert turns == [Turn.DEPART, Turn.RIGHT, Turn.ARRIVE]
    assert steps[0].distance_m == pytest.approx(200.0)


def test_zero_length_pieces_add_no_step() -> None:
    a, b = (48.820, 2.260), (48.821, 2.260)
    steps = build_steps([_piece("Rue A", a, a, metres=0.0), _piece("Rue A", a, b)])
    assert [s.turn for s in steps] == [Turn.DEPART, Turn.ARRIVE]


def test_no_pieces_no_steps() -> None:
    assert build_steps([]) == []
