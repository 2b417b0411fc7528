"""GBFS import (versions 2.x and 3.0): stations, live status, vehicle types, pricing plans,
no-parking zones and free-floating vehicles.

Two levels of failure, as partners expect from a feed validator:

- a malformed *document* (not an object, no ``data.stations`` list, an unknown feed name) is
  rejected whole with the reason, before anything is written;
- a bad *row* (no coordinates, a station 40 km away, a status for an unknown station) is
  skipped, and the report says which and why.

Everything is written in the caller's single transaction, through the same catalogue
functions as the API (so the same rules hold), and re-importing the same feeds changes
nothing: rows are matched on the feed's own ids.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.ops import unary_union
from sqlmodel import Session, select

from marketplace.catalogue.offers import (
    PricingPlanInput,
    VehicleTypeInput,
    set_pricing_plan,
    upsert_vehicle_types,
)
from marketplace.catalogue.services import apply_field, lock_owned_service
from marketplace.catalogue.stations import (
    CLOCK_SKEW,
    MAX_STATION_CAPACITY,
    AvailabilityInput,
    StationInput,
    count_problems,
    update_availability,
    upsert_stations,
)
from marketplace.catalogue.validation import CURRENCIES, check_coordinates, minor_unit_digits
from marketplace.catalogue.vehicles import (
    VehicleInput,
    place_vehicles,
    position_problem,
    service_zones,
)
from marketplace.errors import InvalidInput
from marketplace.identity.actors import Actor
from marketplace.ingest.report import ImportReport, SkippedRow
from marketplace.models import FormFactor, MobilityService, Propulsion, Station, utcnow
from marketplace.text import ACCEPTED_TEXT, forbidden_character

__all__ = ["GBFS_FEEDS", "GbfsFeeds", "import_gbfs", "parse_gbfs"]

GBFS_FEEDS = (
    "station_information",
    "station_status",
    "vehicle_types",
    "system_pricing_plans",
    "geofencing_zones",
    "vehicle_status",
    "free_bike_status",
)
# Free-floating vehicles: GBFS 3.0 `vehicle_status` (data.vehicles) or 2.x `free_bike_status`
# (data.bikes), with the key of each row's id.
_VEHICLE_FEEDS = {
    "vehicle_status": ("vehicles", "vehicle_id"),
    "free_bike_status": ("bikes", "bike_id"),
}


@dataclass(frozen=True, slots=True)
class GbfsFeeds:
    """Parsed, row-checked feeds, ready to write."""

    stations: list[StationInput] | None
    status: list[AvailabilityInput] | None
    vehicle_types: list[VehicleTypeInput] | None
    pricing_plans: list[PricingPlanInput] | None
    skipped: list[SkippedRow]
    no_parking_area: str | None = None  # GeoJSON MultiPolygon of zones where rides may not end
    no_parking_zones: int = 0
    vehicles: list[VehicleInput] | None = None
    vehicles_feed: str = "vehicle_status"


def _rows(feed: str, document: Any, key: str) -> list[Any]:
    data = document.get("data") if isinstance(document, dict) else None
    # GBFS 2.x nests some feeds by language; 3.0 never does.
    rows = data.get(key) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise InvalidInput(
            f"{feed} is not a GBFS {feed} document: expected an object with "
            f"data.{key} as a list, got {type(document).__name__}"
            + (f" with data keys {sorted(data)[:5]}" if isinstance(data, dict) else ""),
            field=feed,
        )
    return rows


def _text(value: Any) -> str | None:
    """A GBFS string: plain (2.x) or localised ``[{text, language}]`` (3.0, French first)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for item in value:
            if str(item.get("language", "")).lower().startswith("fr"):
                return str(item.get("text", ""))
        return str(value[0].get("text", ""))
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _flag(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    return bool(value) if isinstance(value, bool | int) else str(value).lower() == "true"


_OLDEST_REPORT = datetime(2000, 1, 1, tzinfo=UTC)
"""No dock reported anything before GBFS existed; older readings are garbage, not data."""


def _timestamp(value: Any) -> datetime | str | None:
    """``last_reported``: POSIX seconds (2.x) or RFC 3339 (3.0); ``None`` when absent, else
    the problem (a string) when it is no time, before 2000, or in the future.

    A reading that cannot be dated is skipped, never stored as "now": stale availability
    would look fresh to every planner.
    """
    if value is None:
        return None
    parsed: datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if _OLDEST_REPORT.timestamp() <= value <= (utcnow() + CLOCK_SKEW).timestamp():
            parsed = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            parsed = None
    if parsed is None or not _OLDEST_REPORT <= parsed <= utcnow() + CLOCK_SKEW:
        return (
            f"last_reported {value!r} is no time since 2000 and not in the future; accepted: "
            "POSIX seconds (GBFS 2.x) or RFC 3339 with a timezone (3.0)"
        )
    return parsed


def _station(row: Any, skipped: list[SkippedRow]) -> StationInput | None:
    feed = "station_information"
    if not isinstance(row, dict) or row.get("station_id") in (None, ""):
        skipped.append(SkippedRow(feed, "?", "no station_id"))
        return None
    sid = str(row["station_id"])
    name, lat, lon = _text(row.get("name")), _number(row.get("lat")), _number(row.get("lon"))
    capacity = row.get("capacity")
    seats = _count(capacity)
    problem = None
    if not name or not name.strip() or len(name) > 200:
        problem = "name missing or longer than 200 characters"
    elif lat is None or lon is None:
        problem = "lat/lon missing or not numbers"
    elif capacity is not None and (seats is None or not 0 <= seats <= MAX_STATION_CAPACITY):
        problem = f"capacity {capacity!r} is not a count from 0 to {MAX_STATION_CAPACITY}"
    elif len(sid) > 100:
        problem = "station_id longer than 100 characters"
    else:
        try:
            check_coordinates("position", lat, lon)
        except InvalidInput as exc:
            problem = exc.message
    if problem:
        skipped.append(SkippedRow(feed, sid, problem))
        return None
    assert name is not None and lat is not None and lon is not None
    return StationInput(
        external_id=sid,
        name=name.strip(),
        lat=lat,
        lon=lon,
        capacity=seats,
        wheelchair_accessible=False,
    )


def _status(row: Any, skipped: list[SkippedRow]) -> AvailabilityInput | None:
    feed = "station_status"
    if not isinstance(row, dict) or row.get("station_id") in (None, ""):
        skipped.append(SkippedRow(feed, "?", "no station_id"))
        return None
    sid = str(row["station_id"])
    vehicles = row.get("num_vehicles_available", row.get("num_bikes_available"))
    docks = row.get("num_docks_available")
    for label, value in (("vehicles available", vehicles), ("docks available", docks)):
        number = _count(value)
        if value is not None and (number is None or number < 0):
            skipped.append(SkippedRow(feed, sid, f"{label} {value!r} is not a count"))
            return None
    reported_at = _timestamp(row.get("last_reported"))
    if isinstance(reported_at, str):
        skipped.append(SkippedRow(feed, sid, reported_at))
        return None
    installed = _flag(row.get("is_installed"))
    return AvailabilityInput(
        station_external_id=sid,
        vehicles_available=_count(vehicles),
        docks_available=_count(docks),
        is_renting=installed and _flag(row.get("is_renting")),
        is_returning=installed and _flag(row.get("is_returning")),
        reported_at=reported_at,
    )


def _vehicle(feed: str, id_key: str, row: Any, skipped: list[SkippedRow]) -> VehicleInput | None:
    if not isinstance(row, dict) or row.get(id_key) in (None, ""):
        skipped.append(SkippedRow(feed, "?", f"no {id_key}"))
        return None
    vid = str(row[id_key])
    lat, lon = _number(row.get("lat")), _number(row.get("lon"))
    fuel = row.get("current_fuel_percent")
    charge = _number(fuel)
    reported_at = _timestamp(row.get("last_reported"))
    problem = None
    if len(vid) > 100:
        problem = f"{id_key} longer than 100 characters"
    elif lat is None or lon is None:
        # GBFS leaves reserved vehicles' positions out: nothing to place.
        problem = "lat/lon missing or not numbers"
    elif fuel is not None and (charge is None or not 0 <= charge <= 1):
        problem = f"current_fuel_percent {fuel!r} is not a share from 0 to 1"
    elif isinstance(reported_at, str):
        problem = reported_at
    if problem:
        skipped.append(SkippedRow(feed, vid, problem))
        return None
    assert lat is not None and lon is not None and not isinstance(reported_at, str)
    return VehicleInput(
        external_id=vid,
        lat=lat,
        lon=lon,
        battery_pct=round(charge * 100) if charge is not None else None,
        is_reserved=_flag(row.get("is_reserved"), default=False),
        is_disabled=_flag(row.get("is_disabled"), default=False),
        reported_at=reported_at,
    )


def _vehicle_type(row: Any, skipped: list[SkippedRow]) -> VehicleTypeInput | None:
    feed = "vehicle_types"
    vid = str(row.get("vehicle_type_id", "")) if isinstance(row, dict) else ""
    if not vid:
        skipped.append(SkippedRow(feed, "?", "no vehicle_type_id"))
        return None
    try:
        form_factor = FormFactor(row.get("form_factor"))
        propulsion = Propulsion(row.get("propulsion_type"))
    except ValueError:
        skipped.append(
            SkippedRow(
                feed,
                vid,
                f"form_factor {row.get('form_factor')!r} or propulsion_type "
                f"{row.get('propulsion_type')!r} is not a GBFS value",
            )
        )
        return None
    max_range = _count(row.get("max_range_meters"))
    return VehicleTypeInput(
        external_id=vid,
        form_factor=form_factor,
        propulsion=propulsion,
        name=(_text(row.get("name")) or "")[:200],
        max_range_m=max_range,
    )


def _minor(amount: Any, currency: str) -> int | None:
    number = _number(amount)
    if number is None or number < 0:
        return None
    rounded: int = round(number * 10 ** minor_unit_digits(currency))
    return rounded


def _segment_rate(segments: Any, currency: str, per: float) -> int:
    """Rate of the first pricing segment, per minute or per km, in minor units."""
    if not isinstance(segments, list) or not segments or not isinstance(segments[0], dict):
        return 0
    first = segments[0]
    interval = _number(first.get("interval")) or 1.0
    rate = _minor(_number(first.get("rate")) or 0.0, currency) or 0
    return round(rate * per / interval)


def _pricing_plan(row: Any, skipped: list[SkippedRow]) -> PricingPlanInput | None:
    feed = "system_pricing_plans"
    pid = str(row.get("plan_id", "")) if isinstance(row, dict) else ""
    if not pid:
        skipped.append(SkippedRow(feed, "?", "no plan_id"))
        return None
    currency = str(row.get("currency", "")).upper()
    unlock = _minor(row.get("price"), currency)
    if currency not in CURRENCIES or unlock is None:
        skipped.append(
            SkippedRow(feed, pid, f"currency {currency!r} or price {row.get('price')!r} invalid")
        )
        return None
    return PricingPlanInput(
        external_id=pid,
        name=(_text(row.get("name")) or pid)[:200],
        currency=currency,
        description=(_text(row.get("description")) or "")[:2000],
        unlock_fee_minor=unlock,
        per_minute_minor=_segment_rate(row.get("per_min_pricing"), currency, per=1.0),
        per_km_minor=_segment_rate(row.get("per_km_pricing"), currency, per=1.0),
    )


def _storable(feed: str, row: Any, id_key: str, skipped: list[SkippedRow]) -> bool:
    """Whether every text of ``row`` follows :mod:`marketplace.text`'s rule; a row that does
    not (a NUL in a station name...) is skipped whole and reported, on both databases alike."""
    pending: list[tuple[str, Any]] = [("", row)]
    while pending:
        path, value = pending.pop()
        texts = [value] if isinstance(value, str) else []
        if isinstance(value, dict):
            texts = [str(k) for k in value]
            pending.extend((f"{path}.{k}".lstrip("."), v) for k, v in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
        for text in texts:
            found = forbidden_character(text)
            if found is not None:
                ident = row.get(id_key) if isinstance(row, dict) else None
                shown = "?" if forbidden_character(str(ident)) else str(ident or "?")
                reason = f"{path or 'a key'} holds U+{ord(found[1]):04X}; {ACCEPTED_TEXT}"
                skipped.append(SkippedRow(feed, shown, reason))
                return False
    return True


def parse_gbfs(documents: Mapping[str, Any]) -> GbfsFeeds:
    """Check GBFS documents and turn their rows into catalogue inputs.

    Parameters
    ----------
    documents
        Feed name (see :data:`GBFS_FEEDS`) to the parsed JSON document.

    Raises
    ------
    InvalidInput
        No feed, an unknown feed name, or a document without its ``data`` list.
    """
    unknown = sorted(set(documents) - set(GBFS_FEEDS))
    if unknown or not documents:
        raise InvalidInput(
            f"unknown GBFS feed(s) {', '.join(unknown) or '(none given)'}; accepted: "
            f"{', '.join(GBFS_FEEDS)}"
        )
    skipped: list[SkippedRow] = []

    def rows(feed: str, key: str, id_key: str) -> list[Any] | None:
        if feed not in documents:
            return None
        return [
            row
            for row in _rows(feed, documents[feed], key)
            if _storable(feed, row, id_key, skipped)
        ]

    info = rows("station_information", "stations", "station_id")
    status = rows("station_status", "stations", "station_id")
    types = rows("vehicle_types", "vehicle_types", "vehicle_type_id")
    plans = rows("system_pricing_plans", "plans", "plan_id")
    no_parking, zones = (
        _no_parking(documents["geofencing_zones"], skipped)
        if "geofencing_zones" in documents
        else (None, 0)
    )

    def keep(parsed: list[Any]) -> list[Any]:
        return [item for item in parsed if item is not None]

    given = [feed for feed in _VEHICLE_FEEDS if feed in documents]
    if len(given) > 1:
        raise InvalidInput(
            "send vehicle_status (GBFS 3.0) or free_bike_status (2.x), not both",
            field="feeds",
        )
    vehicles = None
    if given:
        key, id_key = _VEHICLE_FEEDS[given[0]]
        found = rows(given[0], key, id_key)
        assert found is not None
        vehicles = keep([_vehicle(given[0], id_key, r, skipped) for r in found])

    return GbfsFeeds(
        stations=keep([_station(r, skipped) for r in info]) if info is not None else None,
        status=keep([_status(r, skipped) for r in status]) if status is not None else None,
        vehicle_types=keep([_vehicle_type(r, skipped) for r in types])
        if types is not None
        else None,
        pricing_plans=keep([_pricing_plan(r, skipped) for r in plans])
        if plans is not None
        else None,
        skipped=skipped,
        no_parking_area=no_parking,
        no_parking_zones=zones,
        vehicles=vehicles,
        vehicles_feed=given[0] if given else "vehicle_status",
    )


def _ends_forbidden(rules: Any) -> bool:
    """Whether a zone's rules forbid ending a ride there (GBFS 3.0 or 2.x field names)."""
    if not isinstance(rules, list):
        return False
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        # A rule limited to some vehicle types still marks the area: the planner does not
        # know which vehicle a traveller will find, so it keeps clear of it.
        if rule.get("ride_end_allowed") is False or rule.get("ride_allowed") is False:
            return True
    return False


def _no_parking(document: Any, skipped: list[SkippedRow]) -> tuple[str | None, int]:
    """The union of geofencing zones where rides may not end, as GeoJSON, and their count."""
    data = document.get("data") if isinstance(document, dict) else None
    zones = data.get("geofencing_zones") if isinstance(data, dict) else None
    features = zones.get("features") if isinstance(zones, dict) else None
    if not isinstance(features, list):
        raise InvalidInput(
            "geofencing_zones has no data.geofencing_zones.features list; accepted: a GBFS "
            "geofencing_zones.json document (a GeoJSON FeatureCollection)",
            field="geofencing_zones",
        )
    shapes = []
    for index, feature in enumerate(features):
        ident = str(index)
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict) or not _ends_forbidden(props.get("rules")):
            continue
        try:
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            skipped.append(SkippedRow("geofencing_zones", ident, f"unreadable geometry: {exc}"))
            continue
        if not isinstance(geometry, Polygon | MultiPolygon) or not geometry.is_valid:
            skipped.append(SkippedRow("geofencing_zones", ident, "not a valid (Multi)Polygon"))
            continue
        shapes.append(geometry)
    if not shapes:
        return None, 0
    merged = unary_union(shapes)
    if isinstance(merged, Polygon):
        merged = MultiPolygon([merged])
    return json.dumps(mapping(merged)), len(shapes)


def _dedupe(items: list[Any], key: str, feed: str, skipped: list[SkippedRow]) -> list[Any]:
    seen: dict[str, Any] = {}
    for item in items:
        ident = getattr(item, key)
        if ident in seen:
            skipped.append(SkippedRow(feed, ident, "repeated id; the first row was kept"))
        else:
            seen[ident] = item
    return list(seen.values())


def _import_vehicles(
    session: Session,
    actor: Actor | None,
    service: MobilityService,
    feeds: GbfsFeeds,
    report: ImportReport,
) -> None:
    """Place the feed's vehicles that stand where the service's rides may end (after the
    same import's geofencing zones); the others are reported, not placed."""
    assert feeds.vehicles is not None and service.id is not None
    zone, no_parking = service_zones(service)
    feed = feeds.vehicles_feed
    rows = []
    for row in _dedupe(feeds.vehicles, "external_id", feed, report.skipped):
        problem = position_problem("position", row.lat, row.lon, zone, no_parking)
        if problem:
            report.skipped.append(SkippedRow(feed, row.external_id, problem))
        else:
            rows.append(row)
    if rows:
        placed = place_vehicles(
            session, actor=actor, service_id=service.id, vehicles=rows, max_batch=len(rows)
        )
        report.count(feed, created=placed.created, updated=placed.updated)


def import_gbfs(
    session: Session, *, actor: Actor | None, service_id: int, feeds: GbfsFeeds
) -> ImportReport:
    """Write parsed GBFS feeds into the caller's service, in the caller's transaction.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden, Conflict
        The caller may not change the service (or it is retired).
    """
    service = lock_owned_service(session, actor, service_id)
    report = ImportReport(service_id=service_id, skipped=list(feeds.skipped))
    station_ids: set[int] = set()
    if feeds.stations:
        stations = _dedupe(feeds.stations, "external_id", "station_information", report.skipped)
        result = upsert_stations(
            session, actor=actor, service_id=service_id, stations=stations, max_batch=len(stations)
        )
        report.count("station_information", created=result.created, updated=result.updated)
        station_ids.update(result.station_ids)
    if feeds.status:
        capacities: dict[str, int | None] = dict(
            session.exec(
                select(Station.external_id, Station.capacity).where(
                    Station.service_id == service_id
                )
            ).all()
        )
        rows = []
        for row in _dedupe(feeds.status, "station_external_id", "station_status", report.skipped):
            sid = row.station_external_id
            if sid not in capacities:
                report.skipped.append(SkippedRow("station_status", sid, "unknown station"))
                continue
            # More vehicles than places is a broken counter, not a crowd: never stored.
            problems = count_problems(row, capacities[sid], where=f"station {sid}")
            if problems:
                report.skipped.append(SkippedRow("station_status", sid, "; ".join(problems)))
                continue
            rows.append(row)
        if rows:
            result = update_availability(
                session, actor=actor, service_id=service_id, rows=rows, max_batch=len(rows)
            )
            report.count("station_status", created=result.created, updated=result.updated)
            station_ids.update(result.station_ids)
    if feeds.vehicle_types:
        types = _dedupe(feeds.vehicle_types, "external_id", "vehicle_types", report.skipped)
        written, _ = upsert_vehicle_types(
            session, actor=actor, service_id=service_id, vehicle_types=types
        )
        report.count("vehicle_types", updated=len(written))
    for plan in _dedupe(
        feeds.pricing_plans or [], "external_id", "system_pricing_plans", report.skipped
    ):
        set_pricing_plan(session, actor=actor, service_id=service_id, plan=plan)
        report.count("system_pricing_plans", updated=1)
    if feeds.no_parking_area is not None:
        apply_field(service, "no_parking_area", feeds.no_parking_area)
        service.version += 1
        report.count("geofencing_zones", updated=feeds.no_parking_zones)
    if feeds.vehicles:
        _import_vehicles(session, actor, service, feeds, report)
    report.station_ids = tuple(sorted(station_ids))
    report.service = service
    return report
