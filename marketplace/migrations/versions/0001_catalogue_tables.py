"""Catalogue tables: partners, API keys, services, stations, availability, vehicles, prices.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "STARTUP", "OPERATOR", "CITY", name="partnerkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("name", name=op.f("uq_partner_name")),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_api_key_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_index(op.f("ix_api_key_partner_id"), "api_key", ["partner_id"])

    op.create_table(
        "mobility_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "BIKE_SHARE",
                "SCOOTER_SHARE",
                "CAR_SHARE",
                "SHUTTLE",
                "ON_DEMAND",
                "CARPOOL",
                "PARKING",
                "EV_CHARGING",
                "PUBLIC_TRANSPORT",
                name="servicekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("booking_url", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "PUBLISHED",
                "SUSPENDED",
                "RETIRED",
                name="servicestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_by_id", sa.Integer(), nullable=True),
        sa.Column("service_area", sa.Text(), nullable=True),
        sa.Column("area_min_lon", sa.Float(), nullable=True),
        sa.Column("area_min_lat", sa.Float(), nullable=True),
        sa.Column("area_max_lon", sa.Float(), nullable=True),
        sa.Column("area_max_lat", sa.Float(), nullable=True),
        sa.Column("opening_hours", sa.Text(), nullable=True),
        sa.Column("wheelchair_accessible", sa.Boolean(), nullable=False),
        sa.Column("co2_g_per_km", sa.Float(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_mobility_service_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_changed_by_id"],
            ["partner.id"],
            name=op.f("fk_mobility_service_status_changed_by_id_partner"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobility_service")),
    )
    op.create_index(op.f("ix_mobility_service_kind"), "mobility_service", ["kind"])
    op.create_index(op.f("ix_mobility_service_partner_id"), "mobility_service", ["partner_id"])
    op.create_index(op.f("ix_mobility_service_status"), "mobility_service", ["status"])

    op.create_table(
        "pricing_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unlock_fee_minor", sa.Integer(), nullable=False),
        sa.Column("per_minute_minor", sa.Integer(), nullable=False),
        sa.Column("per_km_minor", sa.Integer(), nullable=False),
        sa.Column("per_hour_minor", sa.Integer(), nullable=False),
        sa.Column("daily_cap_minor", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_pricing_plan_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_plan")),
        sa.UniqueConstraint(
            "service_id", "external_id", name=op.f("uq_pricing_plan_service_id_external_id")
        ),
    )
    op.create_index(op.f("ix_pricing_plan_service_id"), "pricing_plan", ["service_id"])

    op.create_table(
        "station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "STATION", "STOP", "PARKING_SITE", name="stationkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("wheelchair_accessible", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_station_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station")),
        sa.UniqueConstraint(
            "service_id", "external_id", name=op.f("uq_station_service_id_external_id")
        ),
    )
    op.create_index(op.f("ix_station_lat"), "station", ["lat"])
    op.create_index(op.f("ix_station_lon"), "station", ["lon"])
    op.create_index(op.f("ix_station_service_id"), "station", ["service_id"])

    op.create_table(
        "vehicle_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "form_factor",
            sa.Enum(
                "BICYCLE",
                "CARGO_BICYCLE",
                "CAR",
                "MOPED",
                "SCOOTER_STANDING",
                "SCOOTER_SEATED",
                "OTHER",
                name="formfactor",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "propulsion",
            sa.Enum(
                "HUMAN",
                "ELECTRIC_ASSIST",
                "ELECTRIC",
                "COMBUSTION",
                "COMBUSTION_DIESEL",
                "HYBRID",
                "PLUG_IN_HYBRID",
                "HYDROGEN_FUEL_CELL",
                name="propulsion",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("max_range_m", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_vehicle_type_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_type")),
        sa.UniqueConstraint(
            "service_id", "external_id", name=op.f("uq_vehicle_type_service_id_external_id")
        ),
    )
    op.create_index(op.f("ix_vehicle_type_service_id"), "vehicle_type", ["service_id"])

    op.create_table(
        "station_availability",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("vehicles_available", sa.Integer(), nullable=True),
        sa.Column("docks_available", sa.Integer(), nullable=True),
        sa.Column("is_renting", sa.Boolean(), nullable=False),
        sa.Column("is_returning", sa.Boolean(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
            name=op.f("fk_station_availability_station_id_station"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_station_availability")),
    )


def downgrade() -> None:
    op.drop_table("station_availability")
    op.drop_index(op.f("ix_vehicle_type_service_id"), table_name="vehicle_type")

    op.drop_table("vehicle_type")
    op.drop_index(op.f("ix_station_service_id"), table_name="station")
    op.drop_index(op.f("ix_station_lon"), table_name="station")
    op.drop_index(op.f("ix_station_lat"), table_name="station")

    op.drop_table("station")
    op.drop_index(op.f("ix_pricing_plan_service_id"), table_name="pricing_plan")

    op.drop_table("pricing_plan")
    op.drop_index(op.f("ix_mobility_service_status"), table_name="mobility_service")
    op.drop_index(op.f("ix_mobility_service_partner_id"), table_name="mobility_service")
    op.drop_index(op.f("ix_mobility_service_kind"), table_name="mobility_service")

    op.drop_table("mobility_service")
    op.drop_index(op.f("ix_api_key_partner_id"), table_name="api_key")

    op.drop_table("api_key")
    op.drop_table("partner")
