"""GTFS Fares v2 (``fare_products``, ``fare_leg_rules``, ``fare_transfer_rules``) and journey
prices.

Each ride (a *leg*) is matched against ``fare_leg_rules.txt`` on its route's network and the
areas of its boarding and alighting stops, as the reference says:

- without a ``rule_priority`` column, an empty field matches only the values no other rule of
  the file names for that field (the most specific rule wins);
- with the column, an empty field matches anything and, of the rules that match, only those
  with the highest ``rule_priority`` apply.

A rule naming a timeframe group (``timeframes.txt``) matches a ride when its boarding (for
``from_timeframe_group_id``) or alighting (``to_timeframe_group_id``) local time falls in one
of the group's timeframes: ``start_time <= time of day < end_time`` on a date the timeframe's
calendar service is active. The time of day and the date are the event's wall clock in the
agency's timezone (the reference's "local time semantics": a ride at 25:10 of Monday's service
is Tuesday 01:10). An empty timeframe field does not affect matching. A ride whose local times
are not known, or a rule naming a group with no timeframe, leaves the price unknown when such
a rule could apply (its other fields match and its priority is not lower).

Consecutive rides then go through ``fare_transfer_rules.txt``: a rule between the first
ride's leg group and the second's, within ``duration_limit`` (measured from the first ride of
the transfer sub-journey, by ``duration_limit_type``) and ``transfer_count``, prices the pair
``A + AB`` (type 0), ``A + AB + B`` (type 1) or ``AB`` (type 2), an empty
``fare_product_id`` being a free transfer. Without a matching rule the next ride starts a new
sub-journey and pays its own product. When a ride matches several products the cheapest
combination over the journey is taken (a product sold on several media costs its cheapest).

Unknown stays unknown: a ride no rule matches, or prices in different currencies, make the
journey's price ``None``, never 0.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from routing.transit.errors import TimetableError

__all__ = [
    "FareLegRule",
    "FareProduct",
    "FareTransferRule",
    "FaresV2",
    "LegPrice",
    "ServiceDays",
    "Timeframe",
    "V2Ride",
]

DAY_S = 24 * 3600

MAX_COMBINATIONS = 4096
"""Most combinations of matching products tried for one journey; beyond, the price is
unknown (a journey has a handful of rides, each usually matching one product)."""


@dataclass(frozen=True, slots=True)
class FareProduct:
    """A ``fare_products.txt`` row: ``amount_minor`` in minor units (cents) of ``currency``;
    negative for a discount (a transfer product may be one)."""

    id: str
    amount_minor: int
    currency: str
    media_id: str | None = None


@dataclass(frozen=True, slots=True)
class FareLegRule:
    """A ``fare_leg_rules.txt`` row; ``None`` is an empty field. ``rule_priority`` is ``None``
    when the file has no such column (then empty fields match "every other value")."""

    fare_product_id: str
    leg_group_id: str | None = None
    network_id: str | None = None
    from_area_id: str | None = None
    to_area_id: str | None = None
    from_timeframe_group_id: str | None = None
    to_timeframe_group_id: str | None = None
    rule_priority: int | None = None

    @property
    def timed(self) -> bool:
        return self.from_timeframe_group_id is not None or self.to_timeframe_group_id is not None


class ServiceDays(Protocol):
    """The days a calendar service is active
    (:class:`routing.transit.timetable.ServiceCalendar`, which imports this module)."""

    def runs_on(self, day: dt.date) -> bool: ...


@dataclass(frozen=True, slots=True)
class Timeframe:
    """A ``timeframes.txt`` row: ``start_s <= time of day < end_s`` (seconds after local
    midnight, ``end_s`` at most 86400) on the days calendar ``service_id`` is active."""

    group_id: str
    start_s: int
    end_s: int
    service_id: str

    def holds(self, at: dt.datetime, calendar: ServiceDays | None) -> bool:
        """Whether the local wall-clock time ``at`` is in this timeframe; never without the
        service's ``calendar``."""
        if calendar is None or not calendar.runs_on(at.date()):
            return False
        of_day_s = at.hour * 3600 + at.minute * 60 + at.second
        return self.start_s <= of_day_s < self.end_s


@dataclass(frozen=True, slots=True)
class FareTransferRule:
    """A ``fare_transfer_rules.txt`` row. ``transfer_count`` -1 is unlimited; ``None`` when
    the groups differ. ``fare_transfer_type`` 0: A + AB, 1: A + AB + B, 2: AB."""

    fare_transfer_type: int
    from_leg_group_id: str | None = None
    to_leg_group_id: str | None = None
    transfer_count: int | None = None
    duration_limit_s: int | None = None
    duration_limit_type: int | None = None
    fare_product_id: str | None = None


@dataclass(frozen=True, slots=True)
class V2Ride:
    """One ride as fares v2 see it. ``board_at`` and ``alight_at`` are its departure from the
    first stop and arrival at the last as local wall-clock times in the agency's timezone
    (``None``: not known, and timeframe rules cannot be evaluated)."""

    route_id: str
    board_stop_id: str
    alight_stop_id: str
    departure_s: int
    arrival_s: int
    board_at: dt.datetime | None = None
    alight_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class LegPrice:
    """What one ride adds to the journey's price (0 when a transfer covers it)."""

    price_minor: int
    currency: str
    fare_product_id: str | None


@dataclass(frozen=True, slots=True)
class _Option:
    """One way to pay a ride: its leg group and product."""

    group: str | None
    product: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class FaresV2:
    """A feed's fares v2; empty (falsy) when it has none.

    ``route_networks`` maps a route to its network (``routes.network_id`` or
    ``route_networks.txt``), ``stop_areas`` a stop to its areas (``stop_areas.txt``, a
    station's areas given to its stops). ``scope`` is the prefix of the route ids these fares
    price in a network of several feeds (:func:`routing.transit.network.merge_timetables`).
    ``timeframes`` are its ``timeframes.txt`` rows and ``calendars`` the feed's calendars of
    their services, by the feed's own ``service_id``.
    """

    products: tuple[FareProduct, ...] = ()
    leg_rules: tuple[FareLegRule, ...] = ()
    transfer_rules: tuple[FareTransferRule, ...] = ()
    route_networks: dict[str, str] = field(default_factory=dict)
    stop_areas: dict[str, frozenset[str]] = field(default_factory=dict)
    scope: str = ""
    timeframes: tuple[Timeframe, ...] = ()
    calendars: Mapping[str, ServiceDays] = field(default_factory=dict)
    _price: dict[str, tuple[int, str]] = field(init=False, repr=False, compare=False)
    _named: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        price: dict[str, tuple[int, str]] = {}
        for product in self.products:
            known = price.get(product.id)
            if known is None or product.amount_minor < known[0]:
                price[product.id] = (product.amount_minor, product.currency)
        for rule in self.leg_rules:
            if rule.fare_product_id not in price:
                raise TimetableError(
                    f"fare_leg_rules.txt: fare_product_id {rule.fare_product_id!r} is not in "
                    "fare_products.txt"
                )
        for transfer in self.transfer_rules:
            if transfer.fare_product_id is not None and transfer.fare_product_id not in price:
                raise TimetableError(
                    f"fare_transfer_rules.txt: fare_product_id {transfer.fare_product_id!r} is "
                    "not in fare_products.txt"
                )
        object.__setattr__(self, "_price", price)
        object.__setattr__(
            self,
            "_named",
            (
                frozenset(r.network_id for r in self.leg_rules if r.network_id is not None),
                frozenset(r.from_area_id for r in self.leg_rules if r.from_area_id is not None),
                frozenset(r.to_area_id for r in self.leg_rules if r.to_area_id is not None),
                frozenset(
                    t.from_leg_group_id
                    for t in self.transfer_rules
                    if t.from_leg_group_id is not None
                ),
                frozenset(
                    t.to_leg_group_id for t in self.transfer_rules if t.to_leg_group_id is not None
                ),
            ),
        )

    def __bool__(self) -> bool:
        return bool(self.leg_rules)

    @property
    def prioritised(self) -> bool:
        """Whether ``fare_leg_rules.txt`` has a ``rule_priority`` column."""
        return any(rule.rule_priority is not None for rule in self.leg_rules)

    def prices_route(self, route_id: str) -> bool:
        """Whether these fares price rides of ``route_id`` (it is of this feed)."""
        return bool(self) and route_id.startswith(self.scope)

    # -- legs ---------------------------------------------------------------------------------

    def _field_matches(
        self, wanted: str | None, values: frozenset[str], named: frozenset[str]
    ) -> bool:
        if wanted is not None:
            return wanted in values
        return self.prioritised or not (values & named)

    def _matches_place(
        self, rule: FareLegRule, route_id: str, from_areas: frozenset[str], to_areas: frozenset[str]
    ) -> bool:
        network = self.route_networks.get(route_id)
        networks = frozenset() if network is None else frozenset((network,))
        named_networks, named_from, named_to = self._named[:3]
        return (
            self._field_matches(rule.network_id, networks, named_networks)
            and self._field_matches(rule.from_area_id, from_areas, named_from)
            and self._field_matches(rule.to_area_id, to_areas, named_to)
        )

    def _in_group(self, group: str | None, at: dt.datetime | None) -> bool | None:
        """Whether ``at`` is in timeframe ``group`` (``True`` for no group); ``None`` when it
        cannot be told (no time, or no timeframe of that group)."""
        if group is None:
            return True
        frames = [f for f in self.timeframes if f.group_id == group]
        if at is None or not frames:
            return None
        return any(f.holds(at, self.calendars.get(f.service_id)) for f in frames)

    def _options(
        self,
        route_id: str,
        from_areas: frozenset[str],
        to_areas: frozenset[str],
        board_at: dt.datetime | None = None,
        alight_at: dt.datetime | None = None,
    ) -> tuple[_Option, ...]:
        matching: list[FareLegRule] = []
        unknown: list[FareLegRule] = []  # timed rules that cannot be evaluated
        for rule in self.leg_rules:
            if not self._matches_place(rule, route_id, from_areas, to_areas):
                continue
            ends = (
                self._in_group(rule.from_timeframe_group_id, board_at),
                self._in_group(rule.to_timeframe_group_id, alight_at),
            )
            if False in ends:
                continue
            (unknown if None in ends else matching).append(rule)
        if not matching:
            return ()
        best = max(r.rule_priority or 0 for r in matching)
        if any((r.rule_priority or 0) >= best for r in unknown):
            return ()
        chosen = [r for r in matching if (r.rule_priority or 0) == best]
        return tuple(
            _Option(r.leg_group_id, r.fare_product_id, *self._price[r.fare_product_id])
            for r in chosen
        )

    def leg_options(self, ride: V2Ride) -> tuple[_Option, ...]:
        """The ways ``ride`` may be paid (its matching rules' groups and products); empty when
        no rule matches or a timeframe rule that cannot be evaluated could apply."""
        return self._options(
            ride.route_id,
            self.stop_areas.get(ride.board_stop_id, frozenset()),
            self.stop_areas.get(ride.alight_stop_id, frozenset()),
            ride.board_at,
            ride.alight_at,
        )

    def cheapest_ride_minor(
        self, route_id: str, from_areas: frozenset[str], to_areas: frozenset[str]
    ) -> int | None:
        """The lowest price of one ride of ``route_id`` between stops of those areas, alone
        (no transfer), or ``None`` when unknown: the search's view of a ride's price.

        The search does not know the ride's times: where a timeframe rule could apply, this is
        a lower bound, the cheapest product of any rule matching the ride's route and areas
        (whatever its timeframe or priority, one of them prices the ride); the itinerary's
        price, with its times, is exact."""
        options = self._options(route_id, from_areas, to_areas)
        if options:
            return min(o.amount_minor for o in options)
        placed = [
            r for r in self.leg_rules if self._matches_place(r, route_id, from_areas, to_areas)
        ]
        if not any(r.timed for r in placed):
            return None
        return min(self._price[r.fare_product_id][0] for r in placed)

    # -- transfers ----------------------------------------------------------------------------

    def _transfer(
        self,
        before: _Option,
        after: _Option,
        count: int,
        first: V2Ride,
        following: V2Ride,
    ) -> FareTransferRule | None:
        """The rule pricing the ``count``-th change of a sub-journey begun with ``first``, from
        a ride paid by ``before`` to ``following`` paid by ``after``; ``None`` when none does."""
        if before.group is None or after.group is None:
            return None
        named_from, named_to = self._named[3:]
        candidates: list[FareTransferRule] = []
        for rule in self.transfer_rules:
            if rule.from_leg_group_id is not None:
                if rule.from_leg_group_id != before.group:
                    continue
            elif before.group in named_from:
                continue
            if rule.to_leg_group_id is not None:
                if rule.to_leg_group_id != after.group:
                    continue
            elif after.group in named_to:
                continue
            if rule.transfer_count not in (None, -1) and count > (rule.transfer_count or 0):
                continue
            if rule.duration_limit_s is not None:
                start = first.arrival_s if rule.duration_limit_type in (2, 3) else first.departure_s
                end = (
                    following.arrival_s
                    if rule.duration_limit_type in (0, 3)
                    else following.departure_s
                )
                if end - start > rule.duration_limit_s:
                    continue
            candidates.append(rule)
        if not candidates:
            return None
        # Of several transfer_count rules, the smallest count still covering this change.
        counted = [r for r in candidates if r.transfer_count not in (None, -1)]
        if counted:
            return min(counted, key=lambda r: r.transfer_count or 0)
        return min(candidates, key=lambda r: self._transfer_amount(r))

    def _transfer_amount(self, rule: FareTransferRule) -> int:
        if rule.fare_product_id is None:
            return 0
        return self._price[rule.fare_product_id][0]

    def _combination(
        self, rides: Sequence[V2Ride], options: Sequence[_Option]
    ) -> list[LegPrice] | None:
        paid: list[LegPrice] = []
        currencies = set()
        start, count = 0, 0
        for i, (ride, option) in enumerate(zip(rides, options, strict=True)):
            rule = (
                None
                if i == 0
                else self._transfer(options[i - 1], option, count + 1, rides[start], ride)
            )
            if rule is None:
                start, count = i, 0
                paid.append(LegPrice(option.amount_minor, option.currency, option.product))
                currencies.add(option.currency)
                continue
            count += 1
            amount = self._transfer_amount(rule)
            if rule.fare_product_id is not None:
                currencies.add(self._price[rule.fare_product_id][1])
            if rule.fare_transfer_type == 1:
                amount += option.amount_minor
                currencies.add(option.currency)
            elif rule.fare_transfer_type == 2:
                before = paid[i - 1]
                paid[i - 1] = LegPrice(0, before.currency, before.fare_product_id)
            paid.append(LegPrice(amount, option.currency, rule.fare_product_id or option.product))
        if len(currencies) != 1:
            return None
        currency = next(iter(currencies))
        return [LegPrice(p.price_minor, currency, p.fare_product_id) for p in paid]

    def prices(self, rides: Sequence[V2Ride]) -> list[LegPrice] | None:
        """What each of ``rides`` (taken one after the other) adds to the cheapest price of the
        journey, or ``None`` when any ride's price is unknown or currencies mix."""
        if not rides:
            return []
        options = [self.leg_options(ride) for ride in rides]
        if not all(options):
            return None
        combinations = 1
        for choices in options:
            combinations *= len(choices)
        if combinations > MAX_COMBINATIONS:
            return None
        best: list[LegPrice] | None = None
        for chosen in itertools.product(*options):
            priced = self._combination(rides, chosen)
            if priced is not None and (
                best is None
                or sum(p.price_minor for p in priced) < sum(p.price_minor for p in best)
            ):
                best = priced
        return best
