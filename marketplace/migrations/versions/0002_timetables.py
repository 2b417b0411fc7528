"""Timetables (GTFS): routes, calendars and their exceptions, trips, stop times.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transit_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_transit_calendar_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_calendar")),
        sa.UniqueConstraint(
            "service_id", "external_id", name=op.f("uq_transit_calendar_service_id_external_id")
        ),
    )
    op.create_index(op.f("ix_transit_calendar_service_id"), "transit_calendar", ["service_id"])

    op.create_table(
        "transit_route",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("short_name", sa.String(length=50), nullable=False),
        sa.Column("long_name", sa.String(length=200), nullable=False),
        sa.Column("route_type", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_transit_route_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_route")),
        sa.UniqueConstraint(
            "service_id", "external_id", name=op.f("uq_transit_route_service_id_external_id")
        ),
    )
    op.create_index(op.f("ix_transit_route_service_id"), "transit_route", ["service_id"])

    op.create_table(
        "transit_calendar_date",
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("exception_type", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["transit_calendar.id"],
            name=op.f("fk_transit_calendar_date_calendar_id_transit_calendar"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("calendar_id", "day", name=op.f("pk_transit_calendar_date")),
    )
    op.create_table(
        "transit_trip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("headsign", sa.String(length=200), nullable=False),
        sa.Column("direction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["transit_calendar.id"],
            name=op.f("fk_transit_trip_calendar_id_transit_calendar"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["transit_route.id"],
            name=op.f("fk_transit_trip_route_id_transit_route"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_transit_trip_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_trip")),
        sa.UniqueConstraint(
            "service_id", "external_id", name=op.f("uq_transit_trip_service_id_external_id")
        ),
    )
    op.create_index(op.f("ix_transit_trip_calendar_id"), "transit_trip", ["calendar_id"])
    op.create_index(op.f("ix_transit_trip_route_id"), "transit_trip", ["route_id"])
    op.create_index(op.f("ix_transit_trip_service_id"), "transit_trip", ["service_id"])

    op.create_table(
        "transit_stop_time",
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("stop_sequence", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.Column("departure_s", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
            name=op.f("fk_transit_stop_time_station_id_station"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trip_id"],
            ["transit_trip.id"],
            name=op.f("fk_transit_stop_time_trip_id_transit_trip"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trip_id", "stop_sequence", name=op.f("pk_transit_stop_time")),
    )
    op.create_index(op.f("ix_transit_stop_time_station_id"), "transit_stop_time", ["station_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_transit_stop_time_station_id"), table_name="transit_stop_time")

    op.drop_table("transit_stop_time")
    op.drop_index(op.f("ix_transit_trip_service_id"), table_name="transit_trip")
    op.drop_index(op.f("ix_transit_trip_route_id"), table_name="transit_trip")
    op.drop_index(op.f("ix_transit_trip_calendar_id"), table_name="transit_trip")

    op.drop_table("transit_trip")
    op.drop_table("transit_calendar_date")
    op.drop_index(op.f("ix_transit_route_service_id"), table_name="transit_route")

    op.drop_table("transit_route")
    op.drop_index(op.f("ix_transit_calendar_service_id"), table_name="transit_calendar")

    op.drop_table("transit_calendar")
