"""GTFS fares v1, stops' fare zones, transfers.txt rules and routes' agency time zones.

Revision ID: 0015_gtfs_fares_transfers
Revises: 0014_live_feeds
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_gtfs_fares_transfers"
down_revision: str | None = "0014_live_feeds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _service() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("service_id", sa.Integer(), nullable=False)


def _service_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["service_id"],
        ["mobility_service.id"],
        name=op.f(f"fk_{table}_service_id_mobility_service"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("transit_route") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    op.create_table(
        "transit_fare",
        sa.Column("id", sa.Integer(), nullable=False),
        _service(),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=True),
        sa.Column("transfer_duration_s", sa.Integer(), nullable=True),
        _service_fk("transit_fare"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_fare")),
        sa.UniqueConstraint(
            "service_id", "external_id", name=op.f("uq_transit_fare_service_id_external_id")
        ),
    )
    op.create_index(op.f("ix_transit_fare_service_id"), "transit_fare", ["service_id"])
    op.create_table(
        "transit_fare_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fare_id", sa.Integer(), nullable=False),
        sa.Column("route_external_id", sa.String(length=100), nullable=True),
        sa.Column("origin_zone", sa.String(length=100), nullable=True),
        sa.Column("destination_zone", sa.String(length=100), nullable=True),
        sa.Column("contains_zone", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["fare_id"],
            ["transit_fare.id"],
            name=op.f("fk_transit_fare_rule_fare_id_transit_fare"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_fare_rule")),
    )
    op.create_index(op.f("ix_transit_fare_rule_fare_id"), "transit_fare_rule", ["fare_id"])
    op.create_table(
        "transit_stop_zone",
        sa.Column("station_id", sa.Integer(), nullable=False),
        _service(),
        sa.Column("zone_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
            name=op.f("fk_transit_stop_zone_station_id_station"),
            ondelete="CASCADE",
        ),
        _service_fk("transit_stop_zone"),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_transit_stop_zone")),
    )
    op.create_index(op.f("ix_transit_stop_zone_service_id"), "transit_stop_zone", ["service_id"])
    op.create_table(
        "transit_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        _service(),
        sa.Column("from_station_id", sa.Integer(), nullable=False),
        sa.Column("to_station_id", sa.Integer(), nullable=False),
        sa.Column("transfer_type", sa.Integer(), nullable=False),
        sa.Column("min_transfer_s", sa.Integer(), nullable=True),
        _service_fk("transit_transfer"),
        sa.ForeignKeyConstraint(
            ["from_station_id"],
            ["station.id"],
            name=op.f("fk_transit_transfer_from_station_id_station"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_station_id"],
            ["station.id"],
            name=op.f("fk_transit_transfer_to_station_id_station"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_transfer")),
    )
    for column in ("service_id", "from_station_id", "to_station_id"):
        op.create_index(op.f(f"ix_transit_transfer_{column}"), "transit_transfer", [column])


def downgrade() -> None:
    op.drop_table("transit_transfer")
    op.drop_table("transit_stop_zone")
    op.drop_table("transit_fare_rule")
    op.drop_table("transit_fare")
    with op.batch_alter_table("transit_route") as batch:
        batch.drop_column("timezone")
