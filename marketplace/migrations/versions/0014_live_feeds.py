"""Live feeds partners register (GBFS, GTFS-Realtime) and the state of their polling.

Revision ID: 0014_live_feeds
Revises: 0013_street_closures
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_live_feeds"
down_revision: str | None = "0013_street_closures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_id", sa.String(length=64), nullable=True),
        sa.Column("last_error_params", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("payload_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_live_feed_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_feed")),
        sa.UniqueConstraint("service_id", "kind", name=op.f("uq_live_feed_service_id_kind")),
    )
    op.create_index(op.f("ix_live_feed_service_id"), "live_feed", ["service_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_live_feed_service_id"), table_name="live_feed")
    op.drop_table("live_feed")
