"""Timetables of shuttles and public transport (GTFS): routes, calendars, trips, stop times.

Stops are the service's :class:`~marketplace.models.station.Station` rows of kind ``STOP``.
Times are seconds after midnight of the service day, as in GTFS (they may pass 24:00).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = [
    "TransitCalendar",
    "TransitCalendarDate",
    "TransitRoute",
    "TransitStopTime",
    "TransitTrip",
]


def _service_fk() -> sa.Column[Any]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("mobility_service.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


class TransitRoute(SQLModel, table=True):
    """A GTFS route (``routes.txt``)."""

    __tablename__ = "transit_route"
    __table_args__ = (sa.UniqueConstraint("service_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=_service_fk())
    external_id: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    short_name: str = Field(default="", sa_column=sa.Column(sa.String(50), nullable=False))
    long_name: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    route_type: int = 3
    # Six hex digits without '#' (GTFS route_color / route_text_color), None when not given.
    color: str | None = Field(default=None, sa_column=sa.Column(sa.String(6), nullable=True))
    text_color: str | None = Field(default=None, sa_column=sa.Column(sa.String(6), nullable=True))
    # The route's agency_timezone (IANA), None when the feed gives none: the city's own.
    timezone: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))


class TransitCalendar(SQLModel, table=True):
    """When trips run (``calendar.txt``); ``weekdays`` is seven 0/1 flags from Monday."""

    __tablename__ = "transit_calendar"
    __table_args__ = (sa.UniqueConstraint("service_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=_service_fk())
    external_id: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    weekdays: str = Field(default="0000000", sa_column=sa.Column(sa.String(7), nullable=False))
    start_date: date | None = None
    end_date: date | None = None


class TransitCalendarDate(SQLModel, table=True):
    """An exception to a calendar (``calendar_dates.txt``): 1 adds the date, 2 removes it."""

    __tablename__ = "transit_calendar_date"

    calendar_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("transit_calendar.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    day: date = Field(sa_column=sa.Column(sa.Date, primary_key=True))
    exception_type: int = 1


class TransitTrip(SQLModel, table=True):
    """A GTFS trip (``trips.txt``)."""

    __tablename__ = "transit_trip"
    __table_args__ = (sa.UniqueConstraint("service_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=_service_fk())
    route_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("transit_route.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    calendar_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("transit_calendar.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    external_id: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    headsign: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    direction_id: int | None = None


class TransitStopTime(SQLModel, table=True):
    """A trip's call at a stop (``stop_times.txt``), in seconds after midnight."""

    __tablename__ = "transit_stop_time"

    trip_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("transit_trip.id", ondelete="CASCADE"), primary_key=True
        )
    )
    stop_sequence: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True))
    station_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("station.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    arrival_s: int
    departure_s: int
