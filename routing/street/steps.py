"""Turn-by-turn steps: consecutive edges of one street merged, turns read from bearings.

Steps are codes and numbers (a :class:`Turn`, the street's name or none, metres, bearings),
never words: the marketplace words them in its reader's language.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from routing.geometry import bearing_deg

__all__ = ["Piece", "Step", "Turn", "build_steps", "classify_turn"]


class Turn(enum.StrEnum):
    """The direction taken where a step begins."""

    DEPART = "depart"
    STRAIGHT = "straight"
    SLIGHT_LEFT = "slight left"
    LEFT = "left"
    SHARP_LEFT = "sharp left"
    SLIGHT_RIGHT = "slight right"
    RIGHT = "right"
    SHARP_RIGHT = "sharp right"
    U_TURN = "u-turn"
    ARRIVE = "arrive"


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of one edge walked or driven: its street, size and polyline (lat, lon)."""

    name: str | None
    distance_m: float
    duration_s: float
    coordinates: Sequence[tuple[float, float]]


@dataclass(frozen=True, slots=True)
class Step:
    """One instruction: follow ``street`` for ``distance_m`` after turning ``turn``."""

    turn: Turn
    street: str | None
    distance_m: float
    duration_s: float
    lat: float
    lon: float
    bearing_before_deg: float
    bearing_after_deg: float


def classify_turn(bearing_before_deg: float, bearing_after_deg: float) -> Turn:
    """Name the turn from one heading to the next (compass degrees; right is clockwise)."""
    delta = (bearing_after_deg - bearing_before_deg + 540.0) % 360.0 - 180.0
    size = abs(delta)
    if size <= 20:
        return Turn.STRAIGHT
    if size >= 165:
        return Turn.U_TURN
    if size <= 45:
        return Turn.SLIGHT_RIGHT if delta > 0 else Turn.SLIGHT_LEFT
    if size <= 135:
        return Turn.RIGHT if delta > 0 else Turn.LEFT
    return Turn.SHARP_RIGHT if delta > 0 else Turn.SHARP_LEFT


def _end_bearings(coordinates: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Bearing of the first and of the last non-degenerate segment, or None if all are points."""
    points = [p for i, p in enumerate(coordinates) if i == 0 or p != coordinates[i - 1]]
    if len(points) < 2:
        return None
    first = bearing_deg(*points[0], *points[1])
    last = bearing_deg(*points[-2], *points[-1])
    return first, last


@dataclass(slots=True)
class _Draft:
    """A step being accumulated."""

    turn: Turn
    street: str | None
    distance_m: float
    duration_s: float
    lat: float
    lon: float
    bearing_before_deg: float
    bearing_after_deg: float

    def add(self, piece: Piece) -> None:
        self.distance_m += piece.distance_m
        self.duration_s += piece.duration_s

    def freeze(self) -> Step:
        return Step(
            self.turn,
            self.street,
            self.distance_m,
            self.duration_s,
            self.lat,
            self.lon,
            self.bearing_before_deg,
            self.bearing_after_deg,
        )


def build_steps(pieces: Sequence[Piece]) -> list[Step]:
    """Merge consecutive pieces of the same street into steps and add depart/arrive.

    Unnamed pieces merge with each other too, unless the turn between them is sharper than a
    slight one: with no name to tell the streets apart, the turn is the only landmark.
    """
    steps: list[Step] = []
    current: _Draft | None = None
    previous_bearing: float | None = None
    for piece in pieces:
        bearings = _end_bearings(piece.coordinates)
        if bearings is None:  # a zero-length stretch (snapped onto a node): no direction
            if current is not None:
                current.add(piece)
            continue
        first, last = bearings
        if current is None or previous_bearing is None:
            turn = Turn.DEPART
        else:
            turn = classify_turn(previous_bearing, first)
        if (
            current is not None
            and piece.name == current.street
            and (piece.name is not None or turn in _GENTLE)
        ):
            current.add(piece)
        else:
            if current is not None:
                steps.append(current.freeze())
            lat, lon = piece.coordinates[0]
            before = previous_bearing if previous_bearing is not None else first
            current = _Draft(
                turn, piece.name, piece.distance_m, piece.duration_s, lat, lon, before, first
            )
        previous_bearing = last
    if current is None:
        return []
    steps.append(current.freeze())
    lat, lon = pieces[-1].coordinates[-1]
    final = previous_bearing if previous_bearing is not None else 0.0
    steps.append(Step(Turn.ARRIVE, None, 0.0, 0.0, lat, lon, final, final))
    return steps


_GENTLE = frozenset({Turn.STRAIGHT, Turn.SLIGHT_LEFT, Turn.SLIGHT_RIGHT})
