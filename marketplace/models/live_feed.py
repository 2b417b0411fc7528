"""Live feeds a partner registers for a service, polled by the platform.

A row says where to read (``url``), what it holds (``kind``: a GBFS ``gbfs.json`` to follow,
GTFS-Realtime trip updates or service alerts), how often (``interval_s`` for GTFS-RT; GBFS
says its own ``ttl``), and how the last reads went: ``last_success_at``, ``last_error`` (a
catalogue message id and its parameters, so each reader sees it in their language),
``failures`` in a row (the backoff doubles with each) and ``next_poll_at``. A GTFS-RT feed keeps
its last good payload (the protobuf bytes) for the trip planner; ``problems`` lists what it
named that the service's timetable lacks (unknown trip or stop ids), as JSON messages.

Not a catalogue table: a poll's bookkeeping bumps no catalogue version; only a new payload
does (:func:`marketplace.events.version.mark_catalogue_changed`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, utcnow

__all__ = ["LiveFeed", "LiveFeedKind"]


class LiveFeedKind(enum.Enum):
    """What a registered feed holds."""

    GBFS = "GBFS"  # a gbfs.json discovery document, followed to its feeds
    GTFS_RT_TRIP_UPDATES = "GTFS_RT_TRIP_UPDATES"
    GTFS_RT_ALERTS = "GTFS_RT_ALERTS"


def _service_fk() -> sa.Column[Any]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("mobility_service.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


class LiveFeed(SQLModel, table=True):
    """One registered feed URL of a service and the state of its polling."""

    __tablename__ = "live_feed"
    __table_args__ = (sa.UniqueConstraint("service_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=_service_fk())
    kind: LiveFeedKind = Field(sa_column=enum_column(LiveFeedKind))
    url: str = Field(sa_column=sa.Column(sa.String(2000), nullable=False))
    interval_s: int = 30
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    next_poll_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_error_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    last_error_params: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    failures: int = 0
    payload: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary))
    payload_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    problems: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
