"""Per-service timetable revisions, so a timetable change costs the planner what it changed.

Revision ID: 0017_timetable_revisions
Revises: 0016_import_jobs
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_timetable_revisions"
down_revision: str | None = "0016_import_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Services whose timetables exist before this revision have none: readers take a missing
    # row as revision 0, and the first write creates it.
    op.create_table(
        "timetable_revision",
        sa.Column("service_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_timetable_revision")),
    )


def downgrade() -> None:
    op.drop_table("timetable_revision")
