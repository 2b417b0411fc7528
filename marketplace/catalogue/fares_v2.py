"""A service's GTFS Fares v2 as the JSON document stored with its timetable, and back.

Stops are named by their GTFS ``stop_id`` in the document (the feed's own words); the planner's
stops are station ids, so :func:`fares_v2_from_document` maps them with the service's stations.
Version 2 adds the timeframes and the calendars of their services; a version 1 document has
none, so a ride a timeframe rule could price stays unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from routing.transit.fares_v2 import (
    FareLegRule,
    FareProduct,
    FaresV2,
    FareTransferRule,
    ServiceDays,
    Timeframe,
)
from routing.transit.timetable import ServiceCalendar

__all__ = ["fares_v2_document", "fares_v2_from_document"]

_VERSION = 2


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _calendar_row(days: ServiceDays) -> list[Any]:
    if not isinstance(days, ServiceCalendar):
        raise TypeError(f"fares v2 calendars must be ServiceCalendar to be stored, not {days!r}")
    calendar = days
    return [
        calendar.service_id,
        list(calendar.weekdays),
        None if calendar.start_date is None else calendar.start_date.isoformat(),
        None if calendar.end_date is None else calendar.end_date.isoformat(),
        sorted(d.isoformat() for d in calendar.added_dates),
        sorted(d.isoformat() for d in calendar.removed_dates),
    ]


def _calendar(row: list[Any]) -> ServiceCalendar:
    service_id, weekdays, start, end, added, removed = row
    return ServiceCalendar(
        service_id,
        tuple(bool(w) for w in weekdays),
        _day(start),
        _day(end),
        frozenset(dt.date.fromisoformat(d) for d in added),
        frozenset(dt.date.fromisoformat(d) for d in removed),
    )


def fares_v2_document(fares: FaresV2) -> str:
    """``fares`` (stops by GTFS ``stop_id``) as JSON text."""
    return json.dumps(
        {
            "version": _VERSION,
            "products": [[p.id, p.amount_minor, p.currency, p.media_id] for p in fares.products],
            "leg_rules": [
                [
                    r.fare_product_id,
                    r.leg_group_id,
                    r.network_id,
                    r.from_area_id,
                    r.to_area_id,
                    r.from_timeframe_group_id,
                    r.to_timeframe_group_id,
                    r.rule_priority,
                ]
                for r in fares.leg_rules
            ],
            "transfer_rules": [
                [
                    t.fare_transfer_type,
                    t.from_leg_group_id,
                    t.to_leg_group_id,
                    t.transfer_count,
                    t.duration_limit_s,
                    t.duration_limit_type,
                    t.fare_product_id,
                ]
                for t in fares.transfer_rules
            ],
            "route_networks": fares.route_networks,
            "stop_areas": {stop: sorted(areas) for stop, areas in fares.stop_areas.items()},
            "timeframes": [
                [f.group_id, f.start_s, f.end_s, f.service_id] for f in fares.timeframes
            ],
            "calendars": [_calendar_row(c) for _, c in sorted(fares.calendars.items())],
        },
        sort_keys=True,
    )


def fares_v2_from_document(text: str, stop_ids: Mapping[str, str]) -> FaresV2:
    """The fares stored as ``text``, stops renamed by ``stop_ids`` (GTFS ``stop_id`` -> the
    planner's stop id; stops not in it are left out)."""
    data = json.loads(text)
    return FaresV2(
        tuple(FareProduct(*row) for row in data["products"]),
        tuple(FareLegRule(*row) for row in data["leg_rules"]),
        tuple(FareTransferRule(*row) for row in data["transfer_rules"]),
        dict(data["route_networks"]),
        {
            stop_ids[stop]: frozenset(areas)
            for stop, areas in data["stop_areas"].items()
            if stop in stop_ids
        },
        timeframes=tuple(Timeframe(*row) for row in data.get("timeframes", ())),
        calendars={c.service_id: c for c in map(_calendar, data.get("calendars", ()))},
    )
