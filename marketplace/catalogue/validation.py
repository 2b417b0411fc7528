"""Validation of catalogue input at the boundary: each check says what was wrong and what is
accepted, naming the offending field and value.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

from marketplace.catalogue.geo import ISSY_LAT, ISSY_LON, BBox, haversine_m
from marketplace.clock import PARIS
from marketplace.errors import InvalidInput
from marketplace.i18n import Message

__all__ = [
    "CURRENCIES",
    "MAX_DISTANCE_FROM_ISSY_M",
    "WEEKDAYS",
    "OpeningPeriod",
    "ValidArea",
    "check_coordinates",
    "check_currency",
    "check_non_negative",
    "check_text",
    "check_url",
    "dump_opening_hours",
    "is_open_at",
    "load_opening_hours",
    "minor_unit_digits",
    "validate_service_area",
]

MAX_DISTANCE_FROM_ISSY_M = 30_000.0
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
# Active ISO 4217 codes (2024); a partner quoting in another currency is almost surely a typo.
CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)
# ISO 4217 currencies without cents, or with mills; every other one has two decimals.
_MINOR_DIGITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "TND": 3}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


@dataclass(frozen=True, slots=True)
class ValidArea:
    """A checked service area: normalised GeoJSON text and its bounding box."""

    geojson: str
    bbox: BBox


@dataclass(frozen=True, slots=True)
class OpeningPeriod:
    """Open from ``opens`` to ``closes`` (``HH:MM``, local time) on ``day``."""

    day: str
    opens: str
    closes: str


def check_text(field: str, value: str, *, max_len: int, required: bool = True) -> str:
    """Strip ``value`` and check its length."""
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(Message("validation.empty", {"field": field}), field=field)
    if len(cleaned) > max_len:
        raise InvalidInput(
            Message(
                "validation.too_long",
                {"field": field, "length": len(cleaned), "maximum": max_len},
            ),
            field=field,
        )
    return cleaned


def check_url(field: str, value: str | None) -> str | None:
    """An absolute ``http(s)`` URL, or ``None``."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(value) > 500:
        raise InvalidInput(
            f"{field} {value!r} is not an absolute http(s) URL of at most 500 characters",
            field=field,
        )
    return value


def check_non_negative(field: str, value: float | None) -> None:
    """Counts, fees and rates are never negative (nor NaN)."""
    if value is not None and (math.isnan(value) or value < 0):
        raise InvalidInput(
            Message("validation.negative", {"field": field, "value": value}), field=field
        )


def check_coordinates(field: str, lat: float, lon: float) -> None:
    """A WGS 84 point within :data:`MAX_DISTANCE_FROM_ISSY_M` of Issy."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(
            f"{field} ({lat}, {lon}) is not a WGS 84 latitude/longitude pair", field=field
        )
    distance = haversine_m(lat, lon, ISSY_LAT, ISSY_LON)
    if distance > MAX_DISTANCE_FROM_ISSY_M:
        raise InvalidInput(
            Message(
                "validation.far_from_issy",
                {
                    "field": field,
                    "point": f"({lat:.5f}, {lon:.5f})",
                    "distance_km": f"{distance / 1000:.1f}",
                    "issy": f"({ISSY_LAT} N, {ISSY_LON} E)",
                    "limit_km": f"{MAX_DISTANCE_FROM_ISSY_M / 1000:.0f}",
                },
            ),
            field=field,
        )


def check_currency(field: str, value: str) -> str:
    """An active ISO 4217 code, upper-cased."""
    code = value.strip().upper()
    if code not in CURRENCIES:
        raise InvalidInput(
            Message("validation.currency", {"field": field, "value": repr(value)}), field=field
        )
    return code


def minor_unit_digits(currency: str) -> int:
    """Decimals of the currency's minor unit: 2 for EUR (cents), 0 for JPY, 3 for KWD."""
    return _MINOR_DIGITS.get(currency.upper(), 2)


def _check_rings(field: str, kind: str, coordinates: object) -> None:
    """Every ring a closed list of at least four positions, as GeoJSON (RFC 7946 §3.1.6)
    requires: shapely would close an open ring silently, turning a cut-off polygon into
    another shape than the partner drew."""
    polygons = coordinates if kind == "MultiPolygon" else [coordinates]
    if not isinstance(polygons, list) or not polygons:
        raise InvalidInput(Message("area.no_coordinates", {"field": field}), field=field)
    for p, rings in enumerate(polygons):
        if not isinstance(rings, list) or not rings:
            raise InvalidInput(
                Message("area.no_rings", {"field": field, "polygon": p}), field=field
            )
        for r, ring in enumerate(rings):
            where = {"field": field, "polygon": p, "ring": r}
            if not isinstance(ring, list) or len(ring) < 4:
                raise InvalidInput(Message("area.ring_too_short", where), field=field)
            if ring[0] != ring[-1]:
                raise InvalidInput(
                    Message("area.ring_open", {**where, "first": ring[0], "last": ring[-1]}),
                    field=field,
                )


def validate_service_area(geojson: str, *, field: str = "serviceArea") -> ValidArea:
    """Parse and check a service area.

    Accepted: a GeoJSON ``Polygon`` or ``MultiPolygon`` geometry (or a ``Feature`` wrapping
    one) in WGS 84 longitude/latitude, its rings closed, valid by OGC rules, every vertex within
    :data:`MAX_DISTANCE_FROM_ISSY_M` of Issy.

    Raises
    ------
    InvalidInput
        With the reason: not JSON, wrong type, invalid geometry (shapely's explanation), or
        too far from Issy.
    """
    try:
        data = json.loads(geojson)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            Message("area.not_json", {"field": field, "detail": exc}), field=field
        ) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in {"Polygon", "MultiPolygon"}:
        raise InvalidInput(
            Message("area.type", {"field": field, "kind": kind or type(data).__name__}),
            field=field,
        )
    _check_rings(field, kind, data.get("coordinates"))
    try:
        geometry = shape(data)
    except Exception as exc:  # shapely raises several types on malformed coordinates
        raise InvalidInput(
            Message("area.malformed", {"field": field, "detail": exc}), field=field
        ) from None
    assert isinstance(geometry, Polygon | MultiPolygon)
    if geometry.is_empty or not geometry.is_valid:
        if geometry.is_empty:
            raise InvalidInput(Message("area.empty", {"field": field}), field=field)
        raise InvalidInput(
            Message("area.invalid", {"field": field, "detail": explain_validity(geometry)}),
            field=field,
        )
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (min_lon >= -180 and max_lon <= 180 and min_lat >= -90 and max_lat <= 90):
        raise InvalidInput(Message("area.lon_lat", {"field": field}), field=field)
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    farthest = max(
        haversine_m(lat, lon, ISSY_LAT, ISSY_LON)
        for polygon in polygons
        for lon, lat, *_ in polygon.exterior.coords
    )
    if farthest > MAX_DISTANCE_FROM_ISSY_M:
        values = {
            "field": field,
            "distance_km": f"{farthest / 1000:.1f}",
            "issy": f"({ISSY_LAT} N, {ISSY_LON} E)",
            "limit_km": f"{MAX_DISTANCE_FROM_ISSY_M / 1000:.0f}",
        }
        raise InvalidInput(Message("area.far_from_issy", values), field=field)
    return ValidArea(
        geojson=json.dumps(data, separators=(",", ":")),
        bbox=BBox(min_lon, min_lat, max_lon, max_lat),
    )


def _minutes(field: str, value: str) -> int:
    if not _TIME.match(value):
        raise InvalidInput(
            Message("validation.time_of_day", {"field": field, "value": repr(value)}), field=field
        )
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def dump_opening_hours(periods: list[OpeningPeriod] | None) -> str | None:
    """Check weekly opening periods and serialise them; ``None`` means always open.

    Each period is one day's ``opens < closes`` (``24:00`` ends a day; split a night across
    two days). Periods of one day must not overlap.
    """
    if periods is None:
        return None
    by_day: dict[str, list[tuple[int, int]]] = {}
    for index, period in enumerate(periods):
        field = f"openingHours[{index}]"
        day = period.day.upper()
        if day not in WEEKDAYS:
            raise InvalidInput(
                f"{field}.day {period.day!r} is not one of {', '.join(WEEKDAYS)}", field=field
            )
        start = _minutes(f"{field}.opens", period.opens)
        end = _minutes(f"{field}.closes", period.closes)
        if start >= end:
            raise InvalidInput(
                Message(
                    "validation.closes_before_opening",
                    {"field": field, "opens": period.opens, "closes": period.closes},
                ),
                field=field,
            )
        for other_start, other_end in by_day.get(day, []):
            if start < other_end and other_start < end:
                raise InvalidInput(
                    Message(
                        "validation.hours_overlap",
                        {"field": field, "day": Message(f"weekday.{day}")},
                    ),
                    field=field,
                )
        by_day.setdefault(day, []).append((start, end))
    ordered = sorted(periods, key=lambda p: (WEEKDAYS.index(p.day.upper()), p.opens))
    return json.dumps(
        [{"day": p.day.upper(), "opens": p.opens, "closes": p.closes} for p in ordered]
    )


def is_open_at(periods: list[OpeningPeriod] | None, moment: datetime) -> bool:
    """Whether a service with these opening hours is open at ``moment`` (Issy local time).

    ``None`` means always open. ``moment`` must be timezone-aware.
    """
    if periods is None:
        return True
    if moment.tzinfo is None:
        raise InvalidInput("openAt needs a timezone, e.g. 2030-01-01T08:00:00+01:00")
    local = moment.astimezone(PARIS)
    day = WEEKDAYS[local.weekday()]
    minute = local.hour * 60 + local.minute
    return any(
        p.day == day and _minutes("opens", p.opens) <= minute < _minutes("closes", p.closes)
        for p in periods
    )


def load_opening_hours(stored: str | None) -> list[OpeningPeriod] | None:
    """The periods stored by :func:`dump_opening_hours`."""
    if stored is None:
        return None
    return [OpeningPeriod(**item) for item in json.loads(stored)]
