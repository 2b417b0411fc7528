"""People (accounts, sessions, sign-in attempts) and co-creation: reviews, suggestions,
votes, comments, status history, follows, city challenges and proposals, moderation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 03:28:08.838754
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_sha256", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    op.create_index("ix_sign_in_attempt_email_sha256_at", "sign_in_attempt", ["email_sha256", "at"])

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "RESIDENT",
                "PARTNER_MEMBER",
                "PLANNER",
                "ADMIN",
                name="personrole",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_person_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("email", name=op.f("uq_person_email")),
    )
    op.create_index(op.f("ix_person_partner_id"), "person", ["partner_id"])

    op.create_table(
        "challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
            name=op.f("fk_challenge_created_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge")),
    )
    op.create_index(op.f("ix_challenge_created_by_id"), "challenge", ["created_by_id"])

    op.create_table(
        "content_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "content_kind",
            sa.Enum(
                "REVIEW",
                "SUGGESTION",
                "COMMENT",
                "PROPOSAL",
                name="contentkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["person.id"],
            name=op.f("fk_content_report_reporter_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_report")),
        sa.UniqueConstraint(
            "content_kind",
            "content_id",
            "reporter_id",
            name=op.f("uq_content_report_content_kind_content_id_reporter_id"),
        ),
    )
    op.create_index(op.f("ix_content_report_content_id"), "content_report", ["content_id"])
    op.create_index(op.f("ix_content_report_reporter_id"), "content_report", ["reporter_id"])

    op.create_table(
        "moderation_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "content_kind",
            sa.Enum(
                "REVIEW",
                "SUGGESTION",
                "COMMENT",
                "PROPOSAL",
                name="contentkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("HIDE", "RESTORE", name="moderationdecision", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["person.id"],
            name=op.f("fk_moderation_action_moderator_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_action")),
    )
    op.create_index(
        "ix_moderation_action_content", "moderation_action", ["content_kind", "content_id"]
    )

    op.create_table(
        "person_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_session_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_session")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_person_session_token_sha256")),
    )
    op.create_index(op.f("ix_person_session_person_id"), "person_session", ["person_id"])

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("reply_by_id", sa.Integer(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_review_rating_range")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_review_author_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_by_id"],
            ["person.id"],
            name=op.f("fk_review_reply_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_review_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("service_id", "author_id", name=op.f("uq_review_service_id_author_id")),
    )
    op.create_index(op.f("ix_review_author_id"), "review", ["author_id"])
    op.create_index(op.f("ix_review_reply_by_id"), "review", ["reply_by_id"])
    op.create_index(op.f("ix_review_service_id"), "review", ["service_id"])

    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("kinds", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "NEW",
                "UNDER_STUDY",
                "PLANNED",
                "DONE",
                "DECLINED",
                name="suggestionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("vote_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_suggestion_author_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_suggestion_service_id_mobility_service"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
    )
    op.create_index(op.f("ix_suggestion_author_id"), "suggestion", ["author_id"])
    op.create_index(op.f("ix_suggestion_service_id"), "suggestion", ["service_id"])
    op.create_index(op.f("ix_suggestion_status"), "suggestion", ["status"])
    op.create_index(op.f("ix_suggestion_vote_count"), "suggestion", ["vote_count"])

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_comment_author_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comment.id"],
            name=op.f("fk_comment_parent_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_comment_partner_id_partner"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_comment_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    op.create_index(op.f("ix_comment_author_id"), "comment", ["author_id"])
    op.create_index(op.f("ix_comment_parent_id"), "comment", ["parent_id"])
    op.create_index(op.f("ix_comment_partner_id"), "comment", ["partner_id"])
    op.create_index(op.f("ix_comment_suggestion_id"), "comment", ["suggestion_id"])

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("vote_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_proposal_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
            name=op.f("fk_proposal_challenge_id_challenge"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_proposal_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
    )
    op.create_index(op.f("ix_proposal_author_id"), "proposal", ["author_id"])
    op.create_index(op.f("ix_proposal_challenge_id"), "proposal", ["challenge_id"])
    op.create_index(op.f("ix_proposal_partner_id"), "proposal", ["partner_id"])
    op.create_index(op.f("ix_proposal_vote_count"), "proposal", ["vote_count"])

    op.create_table(
        "suggestion_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_suggestion_follow_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_suggestion_follow_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_follow")),
        sa.UniqueConstraint(
            "suggestion_id", "person_id", name=op.f("uq_suggestion_follow_suggestion_id_person_id")
        ),
    )
    op.create_index(op.f("ix_suggestion_follow_person_id"), "suggestion_follow", ["person_id"])
    op.create_index(
        op.f("ix_suggestion_follow_suggestion_id"), "suggestion_follow", ["suggestion_id"]
    )

    op.create_table(
        "suggestion_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "NEW",
                "UNDER_STUDY",
                "PLANNED",
                "DONE",
                "DECLINED",
                name="suggestionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "NEW",
                "UNDER_STUDY",
                "PLANNED",
                "DONE",
                "DECLINED",
                name="suggestionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_suggestion_status_change_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_suggestion_status_change_partner_id_partner"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_suggestion_status_change_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_status_change")),
    )
    op.create_index(
        op.f("ix_suggestion_status_change_decided_by_id"),
        "suggestion_status_change",
        ["decided_by_id"],
    )
    op.create_index(
        op.f("ix_suggestion_status_change_partner_id"), "suggestion_status_change", ["partner_id"]
    )
    op.create_index(
        op.f("ix_suggestion_status_change_suggestion_id"),
        "suggestion_status_change",
        ["suggestion_id"],
    )

    op.create_table(
        "suggestion_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_suggestion_vote_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_suggestion_vote_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_vote")),
        sa.UniqueConstraint(
            "suggestion_id", "person_id", name=op.f("uq_suggestion_vote_suggestion_id_person_id")
        ),
    )
    op.create_index(op.f("ix_suggestion_vote_person_id"), "suggestion_vote", ["person_id"])
    op.create_index(op.f("ix_suggestion_vote_suggestion_id"), "suggestion_vote", ["suggestion_id"])

    op.create_table(
        "proposal_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_service_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["mobility_service.id"],
            name=op.f("fk_proposal_service_service_id_mobility_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_service")),
        sa.UniqueConstraint(
            "proposal_id", "service_id", name=op.f("uq_proposal_service_proposal_id_service_id")
        ),
    )
    op.create_index(op.f("ix_proposal_service_proposal_id"), "proposal_service", ["proposal_id"])
    op.create_index(op.f("ix_proposal_service_service_id"), "proposal_service", ["service_id"])

    op.create_table(
        "proposal_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_proposal_vote_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_vote_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_vote")),
        sa.UniqueConstraint(
            "proposal_id", "person_id", name=op.f("uq_proposal_vote_proposal_id_person_id")
        ),
    )
    op.create_index(op.f("ix_proposal_vote_person_id"), "proposal_vote", ["person_id"])
    op.create_index(op.f("ix_proposal_vote_proposal_id"), "proposal_vote", ["proposal_id"])


def downgrade() -> None:
    # Indexes go with their tables.
    op.drop_table("proposal_vote")
    op.drop_table("proposal_service")
    op.drop_table("suggestion_vote")
    op.drop_table("suggestion_status_change")
    op.drop_table("suggestion_follow")
    op.drop_table("proposal")
    op.drop_table("comment")
    op.drop_table("suggestion")
    op.drop_table("review")
    op.drop_table("person_session")
    op.drop_table("moderation_action")
    op.drop_table("content_report")
    op.drop_table("challenge")
    op.drop_table("person")
    op.drop_table("sign_in_attempt")
