"""What a GTFS feed says beyond its trips: fares (v1), stops' fare zones, ``transfers.txt``.

Written with the timetable, in the same transaction, and replaced with it on every import.
Like the rest of the import, a bad row is skipped and reported with its line and the reason,
never half-kept: a fare with a price that is not one, a rule naming an unknown fare, a
transfer between unknown stops or of type 2 without its minimum time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from marketplace.catalogue.fares_v2 import fares_v2_document
from marketplace.errors import InvalidInput
from marketplace.ingest.gtfs_files import GtfsFeed
from marketplace.ingest.report import ImportReport, SkippedRow
from marketplace.models import (
    TransitFare,
    TransitFareRule,
    TransitFaresV2,
    TransitStopZone,
    TransitTransfer,
)
from routing.transit.errors import TimetableError
from routing.transit.fares import price_minor
from routing.transit.fares_v2 import FaresV2
from routing.transit.gtfs_fares_v2 import read_fares_v2
from routing.transit.timetable import ServiceCalendar

__all__ = [
    "agency_timezones",
    "import_fares",
    "import_fares_v2",
    "import_stop_zones",
    "import_transfers",
    "read_feed_fares_v2",
]

_MAX_TRANSFER_S = 86_400


def _whole(text: str, maximum: int) -> int | None:
    return int(text) if text.isdigit() and int(text) <= maximum else None


def agency_timezones(feed: GtfsFeed, report: ImportReport) -> dict[str, str]:
    """``agency_id -> agency_timezone``; ``""`` names the zone of a feed's only agency (its
    routes may leave ``agency_id`` empty). A zone that is no IANA zone is reported and
    left out: the routes then run on the city's clock."""
    zones: dict[str, str] = {}
    rows = feed.tables.get("agency.txt", [])
    for line, row in rows:
        zone = row.get("agency_timezone", "")
        if not zone:
            continue
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            report.skip(
                SkippedRow(
                    "agency.txt",
                    row.get("agency_id", ""),
                    f"line {line}: agency_timezone {zone!r} is not an IANA time zone (such as "
                    "'Europe/Paris'); its routes run on the city's clock",
                )
            )
            continue
        zones[row.get("agency_id", "")] = zone
    if len(rows) == 1 and zones:
        zones[""] = next(iter(zones.values()))
    return zones


def import_stop_zones(
    session: Session,
    service_id: int,
    feed: GtfsFeed,
    station_ids: dict[str, int],
    report: ImportReport,
) -> None:
    """Each stop's ``zone_id`` (the fare zone ``fare_rules.txt`` names)."""
    zones = [
        TransitStopZone(
            station_id=station_ids[row["stop_id"]],
            service_id=service_id,
            zone_id=row["zone_id"][:100],
        )
        for _, row in feed.tables["stops.txt"]
        if row.get("zone_id") and row["stop_id"] in station_ids
    ]
    session.add_all({z.station_id: z for z in zones}.values())
    if zones:
        report.count("stops.txt zone_id", created=len(zones))


def import_fares(
    session: Session, service_id: int, feed: GtfsFeed, route_ids: set[str], report: ImportReport
) -> None:
    """``fare_attributes.txt`` and ``fare_rules.txt``; prices in minor units (cents)."""
    fares: dict[str, TransitFare] = {}
    for line, row in feed.tables.get("fare_attributes.txt", []):
        fare_id, currency = row["fare_id"], row["currency_type"].upper()
        price = price_minor(row["price"], currency) if len(currency) == 3 else None
        transfers_text, duration_text = row.get("transfers", ""), row.get("transfer_duration", "")
        transfers = _whole(transfers_text, 2) if transfers_text else None
        duration = _whole(duration_text, 7 * _MAX_TRANSFER_S) if duration_text else None
        problem = (
            "empty or repeated fare_id"
            if not fare_id or fare_id in fares
            else f"price {row['price']!r} is not an amount of {currency!r} (such as 1.90 EUR)"
            if price is None or not currency.isalpha()
            else f"transfers {transfers_text!r} is not 0, 1, 2 or empty"
            if transfers_text and transfers is None
            else f"transfer_duration {duration_text!r} is not whole seconds"
            if duration_text and duration is None
            else None
        )
        if problem is not None or price is None:
            report.skip(SkippedRow("fare_attributes.txt", fare_id, f"line {line}: {problem}"))
            continue
        fares[fare_id] = TransitFare(
            service_id=service_id,
            external_id=fare_id[:100],
            price_minor=price,
            currency=currency,
            transfers=transfers,
            transfer_duration_s=duration,
        )
    session.add_all(fares.values())
    session.flush()
    rules: list[TransitFareRule] = []
    for line, row in feed.tables.get("fare_rules.txt", []):
        fare = fares.get(row["fare_id"])
        route = row.get("route_id") or None
        if fare is None or fare.id is None or (route is not None and route not in route_ids):
            report.skip(
                SkippedRow(
                    "fare_rules.txt",
                    row["fare_id"],
                    f"line {line}: fare_id not among the fares imported, or route_id unknown",
                )
            )
            continue
        rules.append(
            TransitFareRule(
                fare_id=fare.id,
                route_external_id=route,
                origin_zone=(row.get("origin_id") or None),
                destination_zone=(row.get("destination_id") or None),
                contains_zone=(row.get("contains_id") or None),
            )
        )
    session.add_all(rules)
    # Counted when the feed has the file, so a feed without fares reports no fare tables.
    for name, made in (("fare_attributes.txt", len(fares)), ("fare_rules.txt", len(rules))):
        if name in feed.tables:
            report.count(name, created=made)


def read_feed_fares_v2(
    feed: GtfsFeed, calendars: Mapping[str, ServiceCalendar] | None = None
) -> FaresV2:
    """The feed's fares v2 (empty without ``fare_leg_rules.txt``), checked whole before
    anything is written: a fare table half kept would price journeys wrongly. ``calendars``
    are the feed's, by ``service_id`` (``timeframes.txt`` names them).

    Raises
    ------
    InvalidInput
        A row the reference does not accept; the message names the file, the line and the
        field, and what is accepted.
    """

    def rows(name: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
        # The columns were checked when the feed was parsed (REQUIRED_COLUMNS).
        return iter(feed.tables.get(name, []))

    try:
        return read_fares_v2(rows, calendars)
    except TimetableError as exc:
        raise InvalidInput(f"{exc}; nothing was imported") from None


def import_fares_v2(
    session: Session, service_id: int, feed: GtfsFeed, fares: FaresV2, report: ImportReport
) -> None:
    """Store ``fares`` (from :func:`read_feed_fares_v2`) with the service's timetable."""
    if not fares:
        return
    session.add(TransitFaresV2(service_id=service_id, document=fares_v2_document(fares)))
    for name, made in (
        ("fare_products.txt", len(fares.products)),
        ("fare_leg_rules.txt", len(fares.leg_rules)),
        ("fare_transfer_rules.txt", len(fares.transfer_rules)),
    ):
        if name in feed.tables:
            report.count(name, created=made)


def import_transfers(
    session: Session,
    service_id: int,
    feed: GtfsFeed,
    station_ids: dict[str, int],
    report: ImportReport,
) -> None:
    """``transfers.txt`` rules between two of the feed's stops (types 0-3). Rules naming
    trips or routes are reported and left out: the search has no per-trip transfers."""
    seen: set[tuple[int, int]] = set()
    transfers: list[TransitTransfer] = []
    for line, row in feed.tables.get("transfers.txt", []):
        ident = f"{row['from_stop_id']}->{row['to_stop_id']}"
        kind = _whole(row["transfer_type"] or "0", 5)
        text = row.get("min_transfer_time", "")
        minimum = _whole(text, _MAX_TRANSFER_S) if text else None
        ends = (station_ids.get(row["from_stop_id"]), station_ids.get(row["to_stop_id"]))
        problem = (
            "trip- and route-specific transfers are not searched"
            if any(row.get(c) for c in ("from_trip_id", "to_trip_id", "from_route_id"))
            else "from_stop_id or to_stop_id is not a stop of stops.txt"
            if ends[0] is None or ends[1] is None
            else f"transfer_type {row['transfer_type']!r}; accepted: 0, 1, 2, 3"
            if kind is None or kind > 3
            else f"min_transfer_time {text!r}; accepted: whole seconds up to 86400"
            if text and minimum is None
            else "transfer_type 2 needs min_transfer_time"
            if kind == 2 and minimum is None
            else "repeats an earlier rule between the same stops"
            if ends in seen
            else None
        )
        if problem is not None or ends[0] is None or ends[1] is None or kind is None:
            report.skip(SkippedRow("transfers.txt", ident, f"line {line}: {problem}"))
            continue
        seen.add((ends[0], ends[1]))
        transfers.append(
            TransitTransfer(
                service_id=service_id,
                from_station_id=ends[0],
                to_station_id=ends[1],
                transfer_type=kind,
                min_transfer_s=minimum,
            )
        )
    session.add_all(transfers)
    if "transfers.txt" in feed.tables:
        report.count("transfers.txt", created=len(transfers))
