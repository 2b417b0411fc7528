"""Stations, stops and parking sites of a service, and their live availability."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, utcnow

__all__ = ["Station", "StationAvailability", "StationKind"]


class StationKind(enum.Enum):
    """A docking station (GBFS ``station``), a stop of a line, or a parking site."""

    STATION = "station"
    STOP = "stop"
    PARKING_SITE = "parking_site"


class Station(SQLModel, table=True):
    """A fixed place of a service (GBFS ``station_information``).

    ``external_id`` is the partner's own id (GBFS ``station_id``), unique within a service,
    so partners upsert with their ids and never need ours.
    """

    __tablename__ = "station"
    __table_args__ = (sa.UniqueConstraint("service_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("mobility_service.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    external_id: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    kind: StationKind = Field(default=StationKind.STATION, sa_column=enum_column(StationKind))
    lat: float = Field(sa_column=sa.Column(sa.Float, nullable=False, index=True))
    lon: float = Field(sa_column=sa.Column(sa.Float, nullable=False, index=True))
    capacity: int | None = None
    wheelchair_accessible: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class StationAvailability(SQLModel, table=True):
    """The latest live state of one station (GBFS ``station_status``).

    ``docks_available`` counts free docks at bike stations and free spaces at parking sites
    (GBFS ``num_docks_available``); ``reported_at`` is the partner's time of the reading
    (GBFS ``last_reported``), ``received_at`` ours.
    """

    __tablename__ = "station_availability"

    station_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("station.id", ondelete="CASCADE"), primary_key=True
        )
    )
    vehicles_available: int | None = None
    docks_available: int | None = None
    is_renting: bool = True
    is_returning: bool = True
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    live_sequence: int = Field(
        default=0,
        sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0", index=True),
    )
    """The live sequence number (:func:`marketplace.events.version.claim_live_sequence`) of
    the batch that wrote the row last; 0 when written otherwise (the planner then reads
    everything again, see :data:`marketplace.events.version.LIVE_TABLES`)."""
