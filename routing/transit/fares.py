"""GTFS fares v1 (``fare_attributes.txt`` + ``fare_rules.txt``) as values, and journey prices.

A :class:`FareTable` prices a sequence of rides the way the specification reads: a fare
applies to a run of consecutive rides when every ride's route is one the fare's rules allow,
a rule's ``origin_id``/``destination_id`` zones match the run's first boarding and last
alighting stops, the zones passed equal the fare's ``contains_id`` zones when it names any,
the run has no more changes than the fare's ``transfers`` and the last boarding falls within
``transfer_duration`` of the first. The journey's price is the cheapest way to cover all its
rides with such runs (a small dynamic programme: journeys have a handful of rides).

An unknown price stays unknown: a ride no fare covers makes the whole journey's price
``None``, never 0, and so do tickets in different currencies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from routing.transit.errors import TimetableError

__all__ = [
    "FareAttribute",
    "FareRide",
    "FareRule",
    "FareTable",
    "Ticket",
    "price_minor",
]

# ISO 4217 currencies without or with three minor digits; the others have two.
_MINOR_DIGITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "TND": 3}


@dataclass(frozen=True, slots=True)
class FareAttribute:
    """A ``fare_attributes.txt`` row: price in minor units (cents) of ``currency``.

    ``transfers`` is how many changes the ticket allows (``None``: unlimited, GTFS empty);
    ``transfer_duration_s`` how long after the first boarding a change may still board
    (``None``: no limit). ``scope`` is the prefix of the route ids the fare may price: a
    network of several feeds (:func:`routing.transit.network.merge_timetables`) keeps each
    feed's fares to its own routes; ``""`` prices any route.
    """

    id: str
    price_minor: int
    currency: str
    transfers: int | None = None
    transfer_duration_s: int | None = None
    scope: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            raise TimetableError("fare_id is empty; expected a non-empty string")
        if self.price_minor < 0:
            raise TimetableError(
                f"fare {self.id!r}: price {self.price_minor} minor units; expected >= 0"
            )
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise TimetableError(
                f"fare {self.id!r}: currency_type {self.currency!r}; expected an ISO 4217 "
                "code such as 'EUR'"
            )
        if self.transfers is not None and self.transfers not in (0, 1, 2):
            raise TimetableError(
                f"fare {self.id!r}: transfers {self.transfers!r}; expected 0, 1, 2 or empty "
                "(unlimited)"
            )
        if self.transfer_duration_s is not None and self.transfer_duration_s < 0:
            raise TimetableError(
                f"fare {self.id!r}: transfer_duration {self.transfer_duration_s!r}; expected "
                "seconds >= 0"
            )


@dataclass(frozen=True, slots=True)
class FareRule:
    """A ``fare_rules.txt`` row; an empty field (``None``) matches anything."""

    fare_id: str
    route_id: str | None = None
    origin_zone: str | None = None
    destination_zone: str | None = None
    contains_zone: str | None = None


@dataclass(frozen=True, slots=True)
class FareRide:
    """One ride as fares see it: its route, the zones of its stops, its departure."""

    route_id: str
    board_zone: str | None
    alight_zone: str | None
    zones: frozenset[str]  # every zone of the stops ridden through, both ends included
    departure_s: int


@dataclass(frozen=True, slots=True)
class Ticket:
    """A fare bought for rides ``first`` to ``last`` (positions in the journey's rides)."""

    fare: FareAttribute
    first: int
    last: int


@dataclass(frozen=True)
class FareTable:
    """A feed's fares; empty when it has none (then every price is unknown)."""

    attributes: tuple[FareAttribute, ...] = ()
    rules: tuple[FareRule, ...] = ()
    _rules_of: dict[str, tuple[FareRule, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = [a.id for a in self.attributes]
        if len(set(ids)) != len(ids):
            raise TimetableError("fare_attributes.txt: a fare_id appears twice; expected unique")
        rules_of: dict[str, list[FareRule]] = {fare_id: [] for fare_id in ids}
        for rule in self.rules:
            if rule.fare_id not in rules_of:
                raise TimetableError(
                    f"fare_rules.txt: fare_id {rule.fare_id!r} is not in fare_attributes.txt"
                )
            rules_of[rule.fare_id].append(rule)
        object.__setattr__(self, "_rules_of", {k: tuple(v) for k, v in rules_of.items()})

    def __bool__(self) -> bool:
        return bool(self.attributes)

    def prices_route(self, route_id: str) -> bool:
        """Whether this table prices rides of ``route_id`` at all (a fare's scope holds it)."""
        return any(route_id.startswith(fare.scope) for fare in self.attributes)

    def rules_of(self, fare_id: str) -> tuple[FareRule, ...]:
        """The ``fare_rules.txt`` rows of ``fare_id``."""
        return self._rules_of[fare_id]

    def covers(self, fare: FareAttribute, rides: Sequence[FareRide]) -> bool:
        """Whether ``fare`` alone pays for ``rides`` taken one after the other."""
        if not all(ride.route_id.startswith(fare.scope) for ride in rides):
            return False
        if fare.transfers is not None and len(rides) - 1 > fare.transfers:
            return False
        if (
            fare.transfer_duration_s is not None
            and rides[-1].departure_s - rides[0].departure_s > fare.transfer_duration_s
        ):
            return False
        rules = self._rules_of[fare.id]
        if not rules:
            return True  # a fare without rules applies to every ride (single-fare feeds)
        plain = [r for r in rules if r.contains_zone is None]
        contains = [r for r in rules if r.contains_zone is not None]
        for ride in rides:
            if not any(r.route_id in (None, ride.route_id) for r in rules):
                return False
        first, last = rides[0], rides[-1]
        routes = {ride.route_id for ride in rides}
        if any(
            r.origin_zone in (None, first.board_zone)
            and r.destination_zone in (None, last.alight_zone)
            and (r.route_id is None or r.route_id in routes)
            for r in plain
        ):
            return True
        return bool(contains) and self._contains_match(contains, rides)

    @staticmethod
    def _contains_match(contains: list[FareRule], rides: Sequence[FareRide]) -> bool:
        # GTFS: a fare with contains_id rows applies when the zones passed are exactly those.
        passed = frozenset().union(*(ride.zones for ride in rides))
        wanted = frozenset(r.contains_zone for r in contains if r.contains_zone is not None)
        return bool(passed) and passed == wanted

    def cheapest_ride_minor(self, ride: FareRide) -> int | None:
        """The lowest price paying for ``ride`` alone, or ``None`` when no fare covers it."""
        prices = [f.price_minor for f in self.attributes if self.covers(f, [ride])]
        return min(prices) if prices else None

    def tickets(self, rides: Sequence[FareRide]) -> tuple[Ticket, ...] | None:
        """The cheapest tickets covering ``rides`` in order, or ``None`` when some ride has no
        fare or the cheapest way mixes currencies (a total would be meaningless)."""
        n = len(rides)
        best: list[float] = [math.inf] * n + [0.0]
        choice: list[Ticket | None] = [None] * n
        for i in range(n - 1, -1, -1):
            for j in range(i, n):
                for fare in self.attributes:
                    cost = fare.price_minor + best[j + 1]
                    if cost < best[i] and self.covers(fare, rides[i : j + 1]):
                        best[i], choice[i] = cost, Ticket(fare, i, j)
        if n and not math.isfinite(best[0]):
            return None
        result: list[Ticket] = []
        i = 0
        while i < n:
            ticket = choice[i]
            assert ticket is not None
            result.append(ticket)
            i = ticket.last + 1
        if len({t.fare.currency for t in result}) > 1:
            return None
        return tuple(result)


def price_minor(text: str, currency: str) -> int | None:
    """``"1.90"`` EUR -> 190; ``None`` when not a non-negative amount of that currency."""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    minor = amount.scaleb(_MINOR_DIGITS.get(currency.upper(), 2))
    if minor != minor.to_integral_value():
        return None
    return int(minor)
