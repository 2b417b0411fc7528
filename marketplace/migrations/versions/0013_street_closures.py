"""Street closures a planner decides (cars go around them in the next plans).

Revision ID: 0013_street_closures
Revises: 0012_free_vehicles
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_street_closures"
down_revision: str | None = "0012_free_vehicles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "street_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("osm_way_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_closure")),
    )


def downgrade() -> None:
    op.drop_table("street_closure")
