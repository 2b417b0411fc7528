"""Route colours: GTFS route_color and route_text_color kept for the client's legs.

Revision ID: 0010_route_colours
Revises: 0009_sign_in_by_address
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_route_colours"
down_revision: str | None = "0009_sign_in_by_address"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transit_route") as batch:
        batch.add_column(sa.Column("color", sa.String(6), nullable=True))
        batch.add_column(sa.Column("text_color", sa.String(6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transit_route") as batch:
        batch.drop_column("text_color")
        batch.drop_column("color")
