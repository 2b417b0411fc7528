"""Travel modes on the street network and their default speeds."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["DEFAULT_PROFILES", "Mode", "ModeProfile"]


class Mode(enum.StrEnum):
    """A way of moving along streets under one's own steam or in one's own car."""

    WALK = "walk"
    BIKE = "bike"
    DRIVE = "drive"


@dataclass(frozen=True, slots=True)
class ModeProfile:
    """Speeds used to turn lengths into travel times for one mode.

    ``speed_kmh`` is the travel speed for walking and cycling; for driving it is only the
    fallback when neither ``maxspeed`` nor the French urban defaults apply.
    """

    mode: Mode
    speed_kmh: float

    def __post_init__(self) -> None:
        if not 0.5 <= self.speed_kmh <= 150:
            raise ValueError(
                f"speed_kmh={self.speed_kmh!r} for {self.mode.value} is out of range; "
                "accepted: 0.5 to 150 km/h"
            )


DEFAULT_PROFILES: dict[Mode, ModeProfile] = {
    Mode.WALK: ModeProfile(Mode.WALK, 4.8),
    Mode.BIKE: ModeProfile(Mode.BIKE, 15.0),
    Mode.DRIVE: ModeProfile(Mode.DRIVE, 50.0),
}
