"""Mobility services: the catalogue's central aggregate."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, utcnow

__all__ = ["MobilityService", "ServiceKind", "ServiceStatus"]


class ServiceKind(enum.Enum):
    """What a service offers (TOMP-API asset classes, grouped the way commuters think)."""

    BIKE_SHARE = "bike_share"
    SCOOTER_SHARE = "scooter_share"
    CAR_SHARE = "car_share"
    SHUTTLE = "shuttle"
    ON_DEMAND = "on_demand"
    CARPOOL = "carpool"
    PARKING = "parking"
    EV_CHARGING = "ev_charging"
    PUBLIC_TRANSPORT = "public_transport"


class ServiceStatus(enum.Enum):
    """Lifecycle: ``DRAFT -> PUBLISHED -> SUSPENDED/RETIRED``; ``RETIRED`` is final."""

    DRAFT = "draft"
    PUBLISHED = "published"
    SUSPENDED = "suspended"
    RETIRED = "retired"


class MobilityService(SQLModel, table=True):
    """A service a partner offers in and around Issy.

    ``service_area`` is GeoJSON text (Polygon or MultiPolygon, WGS 84); its bounding box is
    kept in the ``area_*`` columns so geographic filters can narrow down in SQL first.
    ``opening_hours`` is JSON text (see :mod:`marketplace.catalogue.validation`); ``None``
    means always open. ``version`` grows on every change (optimistic concurrency).
    """

    __tablename__ = "mobility_service"

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: ServiceKind = Field(sa_column=enum_column(ServiceKind, index=True))
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    website: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
    booking_url: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
    status: ServiceStatus = Field(
        default=ServiceStatus.DRAFT, sa_column=enum_column(ServiceStatus, index=True)
    )
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    status_changed_by_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("partner.id", ondelete="SET NULL")),
    )
    service_area: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    area_min_lon: float | None = None
    area_min_lat: float | None = None
    area_max_lon: float | None = None
    area_max_lat: float | None = None
    # GeoJSON (Multi)Polygon where rides may not end (GBFS geofencing, ride_end_allowed false).
    no_parking_area: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    opening_hours: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    wheelchair_accessible: bool = False
    co2_g_per_km: float | None = None
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
