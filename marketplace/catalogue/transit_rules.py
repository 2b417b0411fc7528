"""Fares, stops' fare zones and transfer rules of published timetables, as plain values.

Stations are referred to by their database id, as in
:mod:`marketplace.catalogue.timetables`; prices are minor units (cents).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from marketplace.models import (
    TransitFare,
    TransitFareRule,
    TransitFaresV2,
    TransitStopZone,
    TransitTransfer,
)

__all__ = ["FareView", "TransferView", "TransitRulesView", "transit_rules"]


@dataclass(frozen=True, slots=True)
class FareView:
    """A fare and its rules ``(route, origin zone, destination zone, contains zone)``."""

    external_id: str
    price_minor: int
    currency: str
    transfers: int | None
    transfer_duration_s: int | None
    rules: tuple[tuple[str | None, str | None, str | None, str | None], ...]


@dataclass(frozen=True, slots=True)
class TransferView:
    """A ``transfers.txt`` rule between two stations of the service."""

    from_station_id: int
    to_station_id: int
    transfer_type: int
    min_transfer_s: int | None


@dataclass(frozen=True, slots=True)
class TransitRulesView:
    """One service's fares, stop zones (station id -> zone) and transfer rules; ``fares_v2``
    its GTFS Fares v2 document (:mod:`marketplace.catalogue.fares_v2`), ``None`` without."""

    fares: tuple[FareView, ...] = ()
    zones: dict[int, str] = field(default_factory=dict)
    transfers: tuple[TransferView, ...] = ()
    fares_v2: str | None = None


def transit_rules(session: Session, service_ids: Sequence[int]) -> dict[int, TransitRulesView]:
    """The rules of each of ``service_ids`` that has any."""
    ids = list(service_ids)
    fares = list(
        session.exec(
            select(TransitFare)
            .where(col(TransitFare.service_id).in_(ids))
            .order_by(col(TransitFare.id))
        )
    )
    rules: dict[int, list[TransitFareRule]] = defaultdict(list)
    for rule in session.exec(
        select(TransitFareRule)
        .where(col(TransitFareRule.fare_id).in_([f.id for f in fares]))
        .order_by(col(TransitFareRule.id))
    ):
        rules[rule.fare_id].append(rule)
    zones: dict[int, dict[int, str]] = defaultdict(dict)
    for zone in session.exec(
        select(TransitStopZone).where(col(TransitStopZone.service_id).in_(ids))
    ):
        zones[zone.service_id][zone.station_id] = zone.zone_id
    transfers: dict[int, list[TransferView]] = defaultdict(list)
    for transfer in session.exec(
        select(TransitTransfer)
        .where(col(TransitTransfer.service_id).in_(ids))
        .order_by(col(TransitTransfer.id))
    ):
        transfers[transfer.service_id].append(
            TransferView(
                transfer.from_station_id,
                transfer.to_station_id,
                transfer.transfer_type,
                transfer.min_transfer_s,
            )
        )
    documents = {
        row.service_id: row.document
        for row in session.exec(
            select(TransitFaresV2).where(col(TransitFaresV2.service_id).in_(ids))
        )
    }
    fare_views: dict[int, list[FareView]] = defaultdict(list)
    for fare in fares:
        fare_views[fare.service_id].append(
            FareView(
                fare.external_id,
                fare.price_minor,
                fare.currency,
                fare.transfers,
                fare.transfer_duration_s,
                tuple(
                    (r.route_external_id, r.origin_zone, r.destination_zone, r.contains_zone)
                    for r in rules[fare.id or 0]
                ),
            )
        )
    return {
        sid: TransitRulesView(
            tuple(fare_views[sid]), zones[sid], tuple(transfers[sid]), documents.get(sid)
        )
        for sid in ids
        if sid in fare_views or sid in zones or sid in transfers or sid in documents
    }
