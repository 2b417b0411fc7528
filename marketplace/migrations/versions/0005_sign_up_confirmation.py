"""Sign-up confirmed by email: pending sign-ups, sign-up rate limit, outbox of emails.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_up_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_up_request")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_sign_up_request_token_sha256")),
    )
    op.create_index(op.f("ix_sign_up_request_email"), "sign_up_request", ["email"])

    op.create_table(
        "sign_up_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_up_attempt")),
    )
    op.create_index("ix_sign_up_attempt_key_sha256_at", "sign_up_attempt", ["key_sha256", "at"])

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_email", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    op.create_index(op.f("ix_outbox_message_to_email"), "outbox_message", ["to_email"])
    op.create_index(op.f("ix_outbox_message_sent_at"), "outbox_message", ["sent_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_message_sent_at"), table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_to_email"), table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_index("ix_sign_up_attempt_key_sha256_at", table_name="sign_up_attempt")
    op.drop_table("sign_up_attempt")
    op.drop_index(op.f("ix_sign_up_request_email"), table_name="sign_up_request")
    op.drop_table("sign_up_request")
