"""Free-floating vehicles where they stand (GBFS vehicle_status), placed or imported by partners.

Revision ID: 0012_free_vehicles
Revises: 0011_jobs
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_free_vehicles"
down_revision: str | None = "0011_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "free_vehicle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("battery_pct", sa.Integer(), nullable=True),
        sa.Column("is_reserved", sa.Boolean(), nullable=False),
        sa.Column("is_disabled", sa.Boolean(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_free_vehicle_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_free_vehicle")),
        sa.UniqueConstraint(
            "service_id", "external_id", name=op.f("uq_free_vehicle_service_id_external_id")
        ),
    )
    op.create_index(op.f("ix_free_vehicle_service_id"), "free_vehicle", ["service_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_free_vehicle_service_id"), table_name="free_vehicle")
    op.drop_table("free_vehicle")
