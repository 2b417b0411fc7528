"""GTFS Fares v2 (``fare_products``, ``fare_leg_rules``, ``fare_transfer_rules``) and journey
prices.

Each ride (a *leg*) is matched against ``fare_leg_rules.txt`` on its route's network and the
areas of its boarding and alighting stops, as the reference says:

- without a ``rule_priority`` column, an empty field matches only the values no other rule of
  the file names for that field (the most specific rule wins);
- with the column, an empty field matches anything and, of the rules that match, only those
  with the highest ``rule_priority`` apply.

Rules naming a timeframe group (``timeframes.txt``) are kept but not evaluated: when such a
rule could apply to a ride (its other fields match and its priority is not lower), the ride's
price is unknown rather than a guess.

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

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.transit.errors import TimetableError

__all__ = [
    "FareLegRule",
    "FareProduct",
    "FareTransferRule",
    "FaresV2",
    "LegPrice",
    "V2Ride",
]

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
    """One ride as fares v2 see it."""

    route_id: str
    board_stop_id: str
    alight_stop_id: str
    departure_s: int
    arrival_s: int


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
    """

    products: tuple[FareProduct, ...] = ()
    leg_rules: tuple[FareLegRule, ...] = ()
    transfer_rules: tuple[FareTransferRule, ...] = ()
    route_networks: dict[str, str] = field(default_factory=dict)
    stop_areas: dict[str, frozenset[str]] = field(default_factory=dict)
    scope: str = ""
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

    def _options(
        self, route_id: str, from_areas: frozenset[str], to_areas: frozenset[str]
    ) -> tuple[_Option, ...]:
        matching = [
            r for r in self.leg_rules if self._matches_place(r, route_id, from_areas, to_areas)
        ]
        untimed = [r for r in matching if not r.timed]
        if not untimed:
            return ()
        best = max(r.rule_priority or 0 for r in untimed)
        if any(r.timed and (r.rule_priority or 0) >= best for r in matching):
            return ()
        chosen = [r for r in untimed if (r.rule_priority or 0) == best]
        return tuple(
            _Option(r.leg_group_id, r.fare_product_id, *self._price[r.fare_product_id])
            for r in chosen
        )

    def leg_options(self, ride: V2Ride) -> tuple[_Option, ...]:
        """The ways ``ride`` may be paid (its matching rules' groups and products); empty when
        no rule matches or a timeframe rule, not evaluated, could apply."""
        return self._options(
            ride.route_id,
            self.stop_areas.get(ride.board_stop_id, frozenset()),
            self.stop_areas.get(ride.alight_stop_id, frozenset()),
        )

    def cheapest_ride_minor(
        self, route_id: str, from_areas: frozenset[str], to_areas: frozenset[str]
    ) -> int | None:
        """The lowest price of one ride of ``route_id`` between stops of those areas, alone
        (no transfer), or ``None`` when unknown: the search's view of a ride's price."""
        options = self._options(route_id, from_areas, to_areas)
        return min((o.amount_minor for o in options), default=None)

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
