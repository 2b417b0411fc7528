"""GTFS Fares v2 files into a :class:`~routing.transit.fares_v2.FaresV2`.

Reads ``fare_media.txt``, ``fare_products.txt``, ``fare_leg_rules.txt``,
``fare_transfer_rules.txt``, ``networks.txt``, ``route_networks.txt`` (and ``routes.network_id``),
``areas.txt``, ``stop_areas.txt`` and ``timeframes.txt`` (with the feed's calendars of its
services). A feed has fares v2 when it has ``fare_leg_rules.txt``.
Every error names the file, the line and the field, what was wrong and what is accepted: a
fare table that is half right would price journeys wrongly, so none of it is kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

from routing.transit.errors import TimetableError
from routing.transit.fares import price_minor
from routing.transit.fares_v2 import (
    DAY_S,
    FareLegRule,
    FareProduct,
    FaresV2,
    FareTransferRule,
    Timeframe,
)
from routing.transit.timetable import ServiceCalendar

__all__ = ["FARES_V2_COLUMNS", "read_fares_v2"]

Rows = Callable[[str, tuple[str, ...]], Iterator[tuple[int, dict[str, str]]]]

FARES_V2_COLUMNS: dict[str, tuple[str, ...]] = {
    "fare_media.txt": ("fare_media_id", "fare_media_type"),
    "fare_products.txt": ("fare_product_id", "amount", "currency"),
    "fare_leg_rules.txt": ("fare_product_id",),
    "fare_transfer_rules.txt": ("fare_transfer_type",),
    "networks.txt": ("network_id",),
    "route_networks.txt": ("network_id", "route_id"),
    "areas.txt": ("area_id",),
    "stop_areas.txt": ("area_id", "stop_id"),
    "timeframes.txt": ("timeframe_group_id", "service_id"),
}
"""The files of fares v2 and the columns each must have."""


def _optional(row: dict[str, str], column: str) -> str | None:
    return row.get(column, "").strip() or None


def _required(row: dict[str, str], column: str, name: str, line: int) -> str:
    value = row.get(column, "").strip()
    if not value:
        raise TimetableError(f"{name} line {line}: {column} is empty; it is required")
    return value


def _whole(
    row: dict[str, str], column: str, name: str, line: int, *, low: int, accepted: str
) -> int | None:
    text = row.get(column, "").strip()
    if not text:
        return None
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdigit() or int(text) < low:
        raise TimetableError(f"{name} line {line}: {column} {text!r}; accepted: {accepted}")
    return int(text)


def _known(
    value: str | None, known: set[str], column: str, name: str, line: int, where: str
) -> str | None:
    if value is not None and value not in known:
        raise TimetableError(f"{name} line {line}: {column} {value!r} is not in {where}")
    return value


def _amount(text: str, currency: str, name: str, line: int) -> int:
    negative = text.startswith("-")
    minor = price_minor(text[1:] if negative else text, currency)
    if minor is None:
        raise TimetableError(
            f"{name} line {line}: amount {text!r} is not an amount of {currency}; accepted: a "
            "number with at most the currency's decimals, such as 2.15 (negative for a discount)"
        )
    return -minor if negative else minor


def _products(rows: Rows) -> tuple[list[FareProduct], set[str]]:
    media: set[str] = set()
    name = "fare_media.txt"
    for line, row in rows(name, FARES_V2_COLUMNS[name]):
        media_id = _required(row, "fare_media_id", name, line)
        if media_id in media:
            raise TimetableError(f"{name} line {line}: fare_media_id {media_id!r} appears twice")
        _whole(row, "fare_media_type", name, line, low=0, accepted="0, 1, 2, 3 or 4")
        if row["fare_media_type"].strip() not in ("0", "1", "2", "3", "4"):
            raise TimetableError(
                f"{name} line {line}: fare_media_type {row['fare_media_type']!r}; accepted: "
                "0, 1, 2, 3 or 4"
            )
        media.add(media_id)
    name = "fare_products.txt"
    products: list[FareProduct] = []
    seen: set[tuple[str, str | None]] = set()
    for line, row in rows(name, FARES_V2_COLUMNS[name]):
        product_id = _required(row, "fare_product_id", name, line)
        currency = _required(row, "currency", name, line).upper()
        if len(currency) != 3 or not currency.isalpha():
            raise TimetableError(
                f"{name} line {line}: currency {currency!r}; accepted: an ISO 4217 code such as EUR"
            )
        medium = _known(
            _optional(row, "fare_media_id"), media, "fare_media_id", name, line, "fare_media.txt"
        )
        if (product_id, medium) in seen:
            raise TimetableError(
                f"{name} line {line}: fare_product_id {product_id!r} with fare_media_id "
                f"{medium or ''!r} appears twice"
            )
        seen.add((product_id, medium))
        amount = _amount(_required(row, "amount", name, line), currency, name, line)
        products.append(FareProduct(product_id, amount, currency, medium))
    return products, {p.id for p in products}


def _networks(rows: Rows, route_ids: set[str]) -> tuple[dict[str, str], set[str]]:
    declared = {
        _required(row, "network_id", "networks.txt", line)
        for line, row in rows("networks.txt", FARES_V2_COLUMNS["networks.txt"])
    }
    route_networks: dict[str, str] = {}
    for _, row in rows("routes.txt", ("route_id",)):
        network = _optional(row, "network_id")
        if network is not None:
            route_networks[row["route_id"]] = network
    name = "route_networks.txt"
    for line, row in rows(name, FARES_V2_COLUMNS[name]):
        network = _required(row, "network_id", name, line)
        route_id = _known(
            _required(row, "route_id", name, line), route_ids, "route_id", name, line, "routes.txt"
        )
        assert route_id is not None
        if route_networks.get(route_id, network) != network:
            raise TimetableError(
                f"{name} line {line}: route_id {route_id!r} is already in network "
                f"{route_networks[route_id]!r}; a route belongs to one network"
            )
        route_networks[route_id] = network
    return route_networks, declared | set(route_networks.values())


def _areas(rows: Rows) -> dict[str, frozenset[str]]:
    areas = {
        _required(row, "area_id", "areas.txt", line)
        for line, row in rows("areas.txt", FARES_V2_COLUMNS["areas.txt"])
    }
    children: defaultdict[str, list[str]] = defaultdict(list)
    stops: set[str] = set()
    for _, row in rows("stops.txt", ("stop_id",)):
        stops.add(row["stop_id"])
        parent = _optional(row, "parent_station")
        if parent is not None:
            children[parent].append(row["stop_id"])
    of_stop: defaultdict[str, set[str]] = defaultdict(set)
    name = "stop_areas.txt"
    for line, row in rows(name, FARES_V2_COLUMNS[name]):
        area = _known(
            _required(row, "area_id", name, line), areas, "area_id", name, line, "areas.txt"
        )
        stop = _known(
            _required(row, "stop_id", name, line), stops, "stop_id", name, line, "stops.txt"
        )
        assert area is not None and stop is not None
        # A station's area is its platforms' area: rides board and alight at platforms.
        for member in (stop, *children.get(stop, ())):
            of_stop[member].add(area)
    return {stop: frozenset(found) for stop, found in of_stop.items()}


def _time_s(row: dict[str, str], column: str, name: str, line: int) -> int | None:
    text = row.get(column, "").strip()
    if not text:
        return None
    parts = text.split(":")
    if (
        len(parts) != 3
        or not all(p.isdigit() and len(p) <= 2 for p in parts)
        or int(parts[1]) > 59
        or int(parts[2]) > 59
        or int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2]) > DAY_S
    ):
        raise TimetableError(
            f"{name} line {line}: {column} {text!r}; accepted: HH:MM:SS from 00:00:00 to 24:00:00"
        )
    return int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])


def _timeframes(rows: Rows, services: set[str]) -> list[Timeframe]:
    name = "timeframes.txt"
    frames: list[Timeframe] = []
    for line, row in rows(name, FARES_V2_COLUMNS[name]):
        group = _required(row, "timeframe_group_id", name, line)
        service = _known(
            _required(row, "service_id", name, line),
            services,
            "service_id",
            name,
            line,
            "calendar.txt nor calendar_dates.txt",
        )
        assert service is not None
        start_s = _time_s(row, "start_time", name, line)
        end_s = _time_s(row, "end_time", name, line)
        if (start_s is None) != (end_s is None):
            raise TimetableError(
                f"{name} line {line}: start_time and end_time go together; accepted: both set "
                "or both empty (the whole day)"
            )
        if start_s is not None and end_s is not None and start_s >= end_s:
            raise TimetableError(
                f"{name} line {line}: start_time {row['start_time'].strip()!r} is not before "
                f"end_time {row['end_time'].strip()!r}; accepted: start_time < end_time"
            )
        frames.append(Timeframe(group, start_s or 0, DAY_S if end_s is None else end_s, service))
    return frames


def _leg_rules(
    rows: Rows, products: set[str], networks: set[str], areas: set[str], timeframes: set[str]
) -> list[FareLegRule]:
    name = "fare_leg_rules.txt"
    rules: list[FareLegRule] = []
    for line, row in rows(name, FARES_V2_COLUMNS[name]):
        product = _known(
            _required(row, "fare_product_id", name, line),
            products,
            "fare_product_id",
            name,
            line,
            "fare_products.txt",
        )
        assert product is not None
        frames = [
            _known(_optional(row, c), timeframes, c, name, line, "timeframes.txt")
            for c in ("from_timeframe_group_id", "to_timeframe_group_id")
        ]
        priority = _whole(
            row, "rule_priority", name, line, low=0, accepted="a whole number >= 0 or empty"
        )
        rules.append(
            FareLegRule(
                product,
                _optional(row, "leg_group_id"),
                _known(
                    _optional(row, "network_id"),
                    networks,
                    "network_id",
                    name,
                    line,
                    "networks.txt, route_networks.txt nor routes.txt network_id",
                ),
                _known(
                    _optional(row, "from_area_id"), areas, "from_area_id", name, line, "areas.txt"
                ),
                _known(_optional(row, "to_area_id"), areas, "to_area_id", name, line, "areas.txt"),
                frames[0],
                frames[1],
                # With the column, an empty priority is 0; without it, None (other matching).
                (priority or 0) if "rule_priority" in row else None,
            )
        )
    return rules


def _transfer_rules(rows: Rows, products: set[str], groups: set[str]) -> list[FareTransferRule]:
    name = "fare_transfer_rules.txt"
    rules: list[FareTransferRule] = []
    for line, row in rows(name, FARES_V2_COLUMNS[name]):
        ends = [
            _known(_optional(row, c), groups, c, name, line, "fare_leg_rules.txt leg_group_id")
            for c in ("from_leg_group_id", "to_leg_group_id")
        ]
        count = _whole(
            row,
            "transfer_count",
            name,
            line,
            low=-1,
            accepted="-1 (no limit) or a whole number >= 1",
        )
        if count == 0:
            raise TimetableError(
                f"{name} line {line}: transfer_count '0'; accepted: -1 (no limit) or a whole "
                "number >= 1"
            )
        same = ends[0] is not None and ends[0] == ends[1]
        if count is not None and not same:
            raise TimetableError(
                f"{name} line {line}: transfer_count is set but from_leg_group_id and "
                "to_leg_group_id differ; accepted: empty unless the two groups are the same"
            )
        if count is None and same:
            raise TimetableError(
                f"{name} line {line}: transfer_count is empty but from_leg_group_id equals "
                "to_leg_group_id; accepted: -1 (no limit) or a whole number >= 1"
            )
        limit = _whole(
            row, "duration_limit", name, line, low=1, accepted="whole seconds >= 1 or empty"
        )
        limit_type = _whole(row, "duration_limit_type", name, line, low=0, accepted="0, 1, 2 or 3")
        if limit_type is not None and limit_type > 3:
            raise TimetableError(
                f"{name} line {line}: duration_limit_type {limit_type!r}; accepted: 0, 1, 2 or 3"
            )
        if (limit is None) != (limit_type is None):
            raise TimetableError(
                f"{name} line {line}: duration_limit and duration_limit_type go together; "
                "accepted: both set or both empty"
            )
        kind = _whole(row, "fare_transfer_type", name, line, low=0, accepted="0, 1 or 2")
        if kind is None or kind > 2:
            raise TimetableError(
                f"{name} line {line}: fare_transfer_type {row['fare_transfer_type']!r}; "
                "accepted: 0 (A + AB), 1 (A + AB + B) or 2 (AB)"
            )
        product = _known(
            _optional(row, "fare_product_id"),
            products,
            "fare_product_id",
            name,
            line,
            "fare_products.txt",
        )
        rules.append(FareTransferRule(kind, ends[0], ends[1], count, limit, limit_type, product))
    return rules


def read_fares_v2(rows: Rows, calendars: Mapping[str, ServiceCalendar] | None = None) -> FaresV2:
    """The feed's fares v2; empty when it has no ``fare_leg_rules.txt``.

    ``rows(name, required)`` yields ``(line, row)`` of a file (nothing when absent), checking
    its required columns; ``calendars`` are the feed's, by ``service_id`` (``timeframes.txt``
    names them).

    Raises
    ------
    TimetableError
        A value that is not what the reference accepts, or a reference to an unknown product,
        medium, network, area, stop, route, timeframe, service or leg group; the message names the
        file, the line and the field.
    """
    rule_rows = list(rows("fare_leg_rules.txt", FARES_V2_COLUMNS["fare_leg_rules.txt"]))
    if not rule_rows:
        return FaresV2()
    products, product_ids = _products(rows)
    route_ids = {row["route_id"] for _, row in rows("routes.txt", ("route_id",))}
    route_networks, networks = _networks(rows, route_ids)
    stop_areas = _areas(rows)
    areas = {row["area_id"].strip() for _, row in rows("areas.txt", FARES_V2_COLUMNS["areas.txt"])}
    known_calendars = dict(calendars or {})
    timeframes = _timeframes(rows, set(known_calendars))
    leg_rules = _leg_rules(rows, product_ids, networks, areas, {f.group_id for f in timeframes})
    groups = {r.leg_group_id for r in leg_rules if r.leg_group_id is not None}
    transfer_rules = _transfer_rules(rows, product_ids, groups)
    return FaresV2(
        tuple(products),
        tuple(leg_rules),
        tuple(transfer_rules),
        route_networks,
        stop_areas,
        timeframes=tuple(timeframes),
        calendars={f.service_id: known_calendars[f.service_id] for f in timeframes},
    )
