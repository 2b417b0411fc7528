"""GTFS Fares v2 of a timetabled service, stored with its timetable.

Revision ID: 0018_gtfs_fares_v2
Revises: 0017_timetable_revisions
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_gtfs_fares_v2"
down_revision: str | None = "0017_timetable_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transit_fares_v2",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_transit_fares_v2_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_transit_fares_v2")),
    )


def downgrade() -> None:
    op.drop_table("transit_fares_v2")
