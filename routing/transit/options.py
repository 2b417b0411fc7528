"""Ways between the trip's ends and stops that a multi-criteria search starts and ends with.

A walk to a stop is one; so is a shared bike's ride to a station beside it, one's own bike
left at a rack there or a car at a park-and-ride. Each carries its time, the part of it on
foot, its price and the private vehicles it needs, so McRAPTOR keeps it beside a plain walk
rather than letting a faster but paid (or car-only) option hide the walk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from routing.transit.timetable import Journey, TimetableError

__all__ = ["UNKNOWN_PRICE_MINOR", "OptionJourney", "StopOption"]

#: The price a search gives an option whose price is unknown: above any real fare, so such an
#: option never hides a known-price one, and a sum of them stays finite.
UNKNOWN_PRICE_MINOR = 10**9


@dataclass(frozen=True, slots=True)
class StopOption:
    """One way between the origin (or destination) and ``stop_id``.

    ``duration_s`` is the whole time, ``walk_s`` the part on foot (None: all of it),
    ``price_minor`` what it costs (:data:`UNKNOWN_PRICE_MINOR` when unknown) and
    ``vehicles`` bits naming the private vehicles it needs (an option needing one never hides
    an option that needs none).
    """

    stop_id: str
    duration_s: float
    walk_s: float | None = None
    price_minor: int = 0
    vehicles: int = 0

    @property
    def walking_s(self) -> float:
        return self.duration_s if self.walk_s is None else self.walk_s

    def check(self, role: str) -> None:
        """Raise TimetableError naming the option when a number is out of range."""
        for name, value in (("duration", self.duration_s), ("walk", self.walking_s)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise TimetableError(
                    f"{role} stop {self.stop_id!r}: {name} {value!r} s; expected finite "
                    "seconds >= 0"
                )
        if self.walking_s > self.duration_s:
            raise TimetableError(
                f"{role} stop {self.stop_id!r}: {self.walking_s} s on foot in a "
                f"{self.duration_s} s option; expected at most its duration"
            )
        if self.price_minor < 0 or self.vehicles < 0:
            raise TimetableError(
                f"{role} stop {self.stop_id!r}: price {self.price_minor}, vehicles "
                f"{self.vehicles}; expected both >= 0"
            )


@dataclass(frozen=True, slots=True)
class OptionJourney:
    """A journey found from access option ``access`` to egress option ``egress`` (indexes in
    the sequences searched), with its walking seconds and price (options' prices only)."""

    journey: Journey
    access: int
    egress: int
    walk_s: int
    price_minor: int
