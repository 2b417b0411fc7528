"""Places people look for (points of interest, addresses) and regions drawn on the map.

Stations and stops are not here: they belong to a service (:mod:`marketplace.models.station`),
and place search reads them from the published catalogue. These rows come from reference
open data (the city's points of interest, a boundary), so they carry the dataset they came
from and its own id, and a reload matches them on that pair.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, utcnow

__all__ = ["Place", "PlaceKind", "Region"]


class PlaceKind(enum.Enum):
    """A point of interest (a named venue) or a postal address."""

    POI = "poi"
    ADDRESS = "address"


class Place(SQLModel, table=True):
    """A named point from an open dataset, found by place search."""

    __tablename__ = "place"
    __table_args__ = (sa.UniqueConstraint("source", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    external_id: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    kind: PlaceKind = Field(sa_column=enum_column(PlaceKind))
    label: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    address: str | None = Field(default=None, sa_column=sa.Column(sa.String(300)))
    category: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))
    lat: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    lon: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Region(SQLModel, table=True):
    """An area with an official boundary (GeoJSON text, WGS 84), e.g. the commune of Issy."""

    __tablename__ = "region"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    source: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    boundary_geojson: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    centre_lat: float
    centre_lon: float
    attribution: str = Field(default="", sa_column=sa.Column(sa.String(300), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
