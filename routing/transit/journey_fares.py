"""A journey's rides priced by their feeds' GTFS fares: v2 (:mod:`routing.transit.fares_v2`)
for the rides of a feed that has them, else v1 (:mod:`routing.transit.fares`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from routing.transit.fares import FareRide, FareTable
from routing.transit.fares_v2 import FaresV2, V2Ride
from routing.transit.timetable import TransitLeg

__all__ = ["LegFare", "fare_ride", "leg_fares"]


@dataclass(frozen=True, slots=True)
class LegFare:
    """What a ride costs under GTFS fares: the ticket bought when boarding it (0 when an
    earlier ticket covers it), or ``None`` with ``currency`` ``None`` when unknown."""

    price_minor: int | None
    currency: str | None
    fare_id: str | None = None


def fare_ride(leg: TransitLeg) -> FareRide:
    """The fare view of a ride: its route, the zones of its stops and its departure."""
    stops = [leg.board_stop, *(call.stop for call in leg.intermediate_stops), leg.alight_stop]
    return FareRide(
        route_id=leg.route.id,
        board_zone=leg.board_stop.zone_id,
        alight_zone=leg.alight_stop.zone_id,
        zones=frozenset(s.zone_id for s in stops if s.zone_id is not None),
        departure_s=leg.departure_s,
    )


Clock = Callable[[float], dt.datetime]
"""A time of the journey's service day (seconds after its start) as an aware datetime."""


def _local(at: Clock | None, leg: TransitLeg, seconds: float) -> dt.datetime | None:
    """``seconds`` on the wall clock of the leg's agency (the searcher's own zone when the
    route names none); ``None`` without a clock."""
    if at is None:
        return None
    moment = at(seconds)
    return moment if leg.route.timezone is None else moment.astimezone(ZoneInfo(leg.route.timezone))


def _v2_fares(
    fares: FaresV2, legs: Sequence[TransitLeg], result: list[LegFare | None], at: Clock | None
) -> set[int]:
    """Price the rides ``fares`` price into ``result``; their positions."""
    priced = [i for i, leg in enumerate(legs) if fares.prices_route(leg.route.id)]
    prices = fares.prices(
        [
            V2Ride(
                legs[i].route.id,
                legs[i].board_stop.id,
                legs[i].alight_stop.id,
                legs[i].departure_s,
                legs[i].arrival_s,
                _local(at, legs[i], legs[i].departure_s),
                _local(at, legs[i], legs[i].arrival_s),
            )
            for i in priced
        ]
    )
    for n, i in enumerate(priced):
        if prices is None:
            result[i] = LegFare(None, None)
        else:
            price = prices[n]
            result[i] = LegFare(price.price_minor, price.currency, price.fare_product_id)
    return set(priced)


def leg_fares(
    fares: FareTable,
    legs: Sequence[TransitLeg],
    fares_v2: Sequence[FaresV2] = (),
    at: Clock | None = None,
) -> list[LegFare | None]:
    """Per ride, its GTFS fare, or ``None`` for a ride whose route no fare table prices (its
    service prices it otherwise). Rides of one fare system are priced together, transfers
    included; when any of them has no fare the price of each is unknown. A feed's fares v2,
    when it has them, price its rides instead of v1. ``at`` gives the journey's times as
    datetimes, for fares v2 timeframes (without it, a ride a timeframe rule could price is
    unknown)."""
    result: list[LegFare | None] = [None] * len(legs)
    by_v2: set[int] = set()
    for table in fares_v2:
        by_v2 |= _v2_fares(table, legs, result, at)
    priced = [
        i for i, leg in enumerate(legs) if i not in by_v2 and fares.prices_route(leg.route.id)
    ]
    if not priced:
        return result
    tickets = fares.tickets([fare_ride(legs[i]) for i in priced])
    for i in priced:
        result[i] = LegFare(None, None)
    if tickets is None:
        return result
    for position in priced:
        result[position] = LegFare(0, tickets[0].fare.currency)
    for ticket in tickets:
        first = priced[ticket.first]
        result[first] = LegFare(ticket.fare.price_minor, ticket.fare.currency, ticket.fare.id)
    return result
