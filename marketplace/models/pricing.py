"""Pricing plans of a service (GBFS ``system_pricing_plans``, TOMP fares).

Money is stored as integers in the currency's minor unit (cents for EUR), never floats, so
sums and caps are exact.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = ["PricingPlan"]


class PricingPlan(SQLModel, table=True):
    """One plan of a service: unlock fee plus time and distance rates, with a daily cap."""

    __tablename__ = "pricing_plan"
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
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    currency: str = Field(sa_column=sa.Column(sa.String(3), nullable=False))
    unlock_fee_minor: int = 0
    per_minute_minor: int = 0
    per_km_minor: int = 0
    per_hour_minor: int = 0
    daily_cap_minor: int | None = None
