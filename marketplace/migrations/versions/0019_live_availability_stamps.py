"""Each station availability row's live sequence number, so planners re-read only new rows.

Revision ID: 0019_live_availability_stamps
Revises: 0018_gtfs_fares_v2
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_live_availability_stamps"
down_revision: str | None = "0018_gtfs_fares_v2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("station_availability") as batch:
        batch.add_column(
            sa.Column("live_sequence", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.create_index(
            batch.f("ix_station_availability_live_sequence"), ["live_sequence"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("station_availability") as batch:
        batch.drop_index(batch.f("ix_station_availability_live_sequence"))
        batch.drop_column("live_sequence")
