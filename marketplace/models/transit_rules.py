"""What a GTFS feed says beyond its trips: fares (v1 and v2), fare zones of stops, transfer rules.

Replaced with the timetable on every import, like the trips (see
:mod:`marketplace.models.timetable`). Prices are minor units (cents) of ``currency``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = [
    "TransitFare",
    "TransitFareRule",
    "TransitFaresV2",
    "TransitStopZone",
    "TransitTransfer",
]


def _service_fk() -> sa.Column[Any]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("mobility_service.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def _station_fk(*, primary_key: bool = False) -> sa.Column[Any]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("station.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
        index=not primary_key,
    )


class TransitFare(SQLModel, table=True):
    """A ``fare_attributes.txt`` row; ``transfers`` None is unlimited changes."""

    __tablename__ = "transit_fare"
    __table_args__ = (sa.UniqueConstraint("service_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=_service_fk())
    external_id: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    price_minor: int
    currency: str = Field(sa_column=sa.Column(sa.String(3), nullable=False))
    transfers: int | None = None
    transfer_duration_s: int | None = None


class TransitFareRule(SQLModel, table=True):
    """A ``fare_rules.txt`` row; an empty (None) field matches anything."""

    __tablename__ = "transit_fare_rule"

    id: int | None = Field(default=None, primary_key=True)
    fare_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("transit_fare.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    route_external_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(100), nullable=True)
    )
    origin_zone: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))
    destination_zone: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))
    contains_zone: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))


class TransitStopZone(SQLModel, table=True):
    """The fare zone (GTFS ``zone_id``) of one of a service's stops."""

    __tablename__ = "transit_stop_zone"

    station_id: int = Field(sa_column=_station_fk(primary_key=True))
    service_id: int = Field(sa_column=_service_fk())
    zone_id: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))


class TransitTransfer(SQLModel, table=True):
    """A ``transfers.txt`` row between two of a service's stops: ``transfer_type`` 0
    recommended, 1 timed, 2 needs ``min_transfer_s``, 3 impossible."""

    __tablename__ = "transit_transfer"

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=_service_fk())
    from_station_id: int = Field(sa_column=_station_fk())
    to_station_id: int = Field(sa_column=_station_fk())
    transfer_type: int = 0
    min_transfer_s: int | None = None


class TransitFaresV2(SQLModel, table=True):
    """A service's GTFS Fares v2 as one JSON document (products, leg and transfer rules, route
    networks, stop areas by ``stop_id``; :mod:`marketplace.catalogue.fares_v2`): read and
    written whole, never queried inside."""

    __tablename__ = "transit_fares_v2"

    service_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("mobility_service.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    document: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
