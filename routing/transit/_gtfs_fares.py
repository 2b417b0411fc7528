"""``fare_attributes.txt`` and ``fare_rules.txt`` into a :class:`~routing.transit.fares.FareTable`.

Prices are read by :func:`~routing.transit.fares.price_minor`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from routing.transit._gtfs_fields import _at, _integer, _required
from routing.transit.errors import TimetableError
from routing.transit.fares import FareAttribute, FareRule, FareTable, price_minor

__all__ = ["read_fares"]

_Rows = Callable[[str, tuple[str, ...]], Iterator[tuple[int, dict[str, str]]]]


def read_fares(rows: _Rows, route_ids: set[str]) -> FareTable:
    """The feed's fares v1; an empty table when it has none.

    Raises
    ------
    TimetableError
        A price, currency, transfers or transfer_duration that is not one, a rule naming an
        unknown fare or route; the message names the file and line.
    """
    name = "fare_attributes.txt"
    attributes: dict[str, FareAttribute] = {}
    for line, row in rows(name, ("fare_id", "price", "currency_type")):
        fare_id = _required(row, "fare_id", name, line)
        if fare_id in attributes:
            raise TimetableError(f"{name} line {line}: fare_id {fare_id!r} appears twice")
        currency = _required(row, "currency_type", name, line).upper()
        price = price_minor(_required(row, "price", name, line), currency)
        if price is None:
            raise TimetableError(
                f"{name} line {line}: price {row['price']!r} is not an amount of {currency}; "
                "expected a number >= 0 with at most the currency's decimals, such as 1.90"
            )
        transfers_text = row.get("transfers", "")
        duration_text = row.get("transfer_duration", "")
        with _at(name, line):
            attributes[fare_id] = FareAttribute(
                fare_id,
                price,
                currency,
                _integer(transfers_text, "transfers", name, line) if transfers_text else None,
                _integer(duration_text, "transfer_duration", name, line) if duration_text else None,
            )
    name = "fare_rules.txt"
    rules: list[FareRule] = []
    for line, row in rows(name, ("fare_id",)):
        fare_id = _required(row, "fare_id", name, line)
        if fare_id not in attributes:
            raise TimetableError(
                f"{name} line {line}: fare_id {fare_id!r} is not in fare_attributes.txt"
            )
        route_id = row.get("route_id") or None
        if route_id is not None and route_id not in route_ids:
            raise TimetableError(f"{name} line {line}: route_id {route_id!r} is not in routes.txt")
        rules.append(
            FareRule(
                fare_id,
                route_id,
                row.get("origin_id") or None,
                row.get("destination_id") or None,
                row.get("contains_id") or None,
            )
        )
    return FareTable(tuple(attributes.values()), tuple(rules))
