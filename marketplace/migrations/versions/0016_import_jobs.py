"""GTFS imports as jobs: the partner owning an import job, when a job was last handed to
the queue (to find jobs the queue lost), and the payload a queued import reads.

Revision ID: 0016_import_jobs
Revises: 0015_gtfs_fares_transfers
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_import_jobs"
down_revision: str | None = "0015_gtfs_fares_transfers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_job_partner_id_partner"), "partner", ["partner_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index(op.f("ix_job_partner_id"), ["partner_id"])
    # Jobs queued before: as if handed when created (the sweep finds them if the queue lost them).
    op.execute("UPDATE job SET queued_at = created_at")
    op.create_table(
        "job_payload",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_job_payload_job_id_job"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_payload")),
    )


def downgrade() -> None:
    op.drop_table("job_payload")
    with op.batch_alter_table("job") as batch:
        batch.drop_index(op.f("ix_job_partner_id"))
        batch.drop_constraint(op.f("fk_job_partner_id_partner"), type_="foreignkey")
        batch.drop_column("partner_id")
        batch.drop_column("queued_at")
