"""Streets the city closes to cars: what a planner decided, stored so every plan sees it.

A closure names a street of the drive network (every edge with that name) or one OSM way,
says why, and holds from ``starts_at`` until ``ends_at`` (open-ended when ``None``) unless a
planner reopens it earlier (``reopened_at``). It is a decision, not a what-if: scenarios
(``runScenario``) never write here, so they never change commuters' plans. Writes bump the
catalogue version (:mod:`marketplace.events.version`), so every server process plans with
the closures committed before the plan.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, utcnow

__all__ = ["StreetClosure"]


class StreetClosure(SQLModel, table=True):
    """One street (by name) or OSM way closed to cars for a window."""

    __tablename__ = "street_closure"

    id: int | None = Field(default=None, primary_key=True)
    street: str | None = Field(default=None, sa_column=sa.Column(sa.String(200), nullable=True))
    osm_way_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    reason: str = Field(sa_column=sa.Column(sa.String(500), nullable=False))
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    reopened_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
