"""Free-floating vehicles of a service where they stand now (GBFS ``vehicle_status``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, utcnow

__all__ = ["FreeVehicle"]


class FreeVehicle(SQLModel, table=True):
    """A vehicle left in a free-floating service's zone, ready (or not) to be picked up.

    ``external_id`` is the partner's id (GBFS ``vehicle_id``), unique within a service;
    ``battery_pct`` the charge of an electric one (GBFS ``current_fuel_percent`` x 100);
    ``reported_at`` the partner's time of the position (GBFS ``last_reported``).
    """

    __tablename__ = "free_vehicle"
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
    lat: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    lon: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    battery_pct: int | None = None
    is_reserved: bool = False
    is_disabled: bool = False
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
