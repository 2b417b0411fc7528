"""Where free-floating vehicles may not be left: a service's no-parking area.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mobility_service") as batch:
        batch.add_column(sa.Column("no_parking_area", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mobility_service") as batch:
        batch.drop_column("no_parking_area")
