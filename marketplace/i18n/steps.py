"""Turn-by-turn instructions in words, from the engine's maneuver, street and distance.

The engine (:mod:`routing.street.steps`) says what to do as codes (a :class:`Turn`, the
street's name or none, metres, bearings); the words are the marketplace's, in the reader's
language.
"""

from __future__ import annotations

from marketplace.i18n.catalogue import Language, render
from routing.street.steps import Step, Turn

__all__ = ["compass_heading", "distance_text", "step_instruction"]

_COMPASS = (
    "north",
    "north-east",
    "east",
    "south-east",
    "south",
    "south-west",
    "west",
    "north-west",
)

# Shorter than this, "then continue" says nothing a walker could use.
_CONTINUE_FROM_M = 30.0


def compass_heading(bearing_deg: float) -> str:
    """The nearest of the eight compass points (``north-east``...) of a bearing in degrees."""
    return _COMPASS[round(bearing_deg / 45) % 8]


def distance_text(distance_m: float, language: Language) -> str:
    """``120 m`` (to 10 m) below a kilometre, else ``1,2 km`` / ``1.2 km``."""
    if distance_m < 995:
        return f"{max(10, round(distance_m / 10) * 10)} m"
    km = f"{distance_m / 1000:.1f}"
    return f"{km.replace('.', ',') if language == 'fr' else km} km"


def step_instruction(step: Step, language: Language) -> str:
    """The step in words: the maneuver onto its street, then how far to go on it."""
    street = step.street or render(language, "step.unnamed_street")
    if step.turn is Turn.ARRIVE:
        return render(language, "step.arrive")
    if step.turn is Turn.DEPART:
        heading = render(language, f"compass.{compass_heading(step.bearing_after_deg)}")
        text = render(language, "step.depart", heading=heading, street=street)
    else:
        text = render(language, f"step.{step.turn.value}", street=street)
    if step.distance_m >= _CONTINUE_FROM_M:
        distance = distance_text(step.distance_m, language)
        text = render(language, "step.then_continue", instruction=text, distance=distance)
    return text
