"""Reports of abusive content and the moderators' decisions, kept as an audit trail."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, utcnow

__all__ = ["ContentKind", "ContentReport", "ModerationAction", "ModerationDecision"]


class ContentKind(enum.Enum):
    """Community content that can be reported and hidden."""

    REVIEW = "review"
    SUGGESTION = "suggestion"
    COMMENT = "comment"
    PROPOSAL = "proposal"


class ModerationDecision(enum.Enum):
    """What a moderator did to a piece of content."""

    HIDE = "hide"
    RESTORE = "restore"


class ContentReport(SQLModel, table=True):
    """A person flags content as abusive; one report per person and content."""

    __tablename__ = "content_report"
    __table_args__ = (sa.UniqueConstraint("content_kind", "content_id", "reporter_id"),)

    id: int | None = Field(default=None, primary_key=True)
    content_kind: ContentKind = Field(sa_column=enum_column(ContentKind))
    content_id: int = Field(nullable=False, index=True)
    reporter_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ModerationAction(SQLModel, table=True):
    """One hide or restore, with its reason: rows are only ever added (the audit trail)."""

    __tablename__ = "moderation_action"
    __table_args__ = (sa.Index("ix_moderation_action_content", "content_kind", "content_id"),)

    id: int | None = Field(default=None, primary_key=True)
    content_kind: ContentKind = Field(sa_column=enum_column(ContentKind))
    content_id: int = Field(nullable=False)
    decision: ModerationDecision = Field(sa_column=enum_column(ModerationDecision))
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    moderator_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("person.id", ondelete="SET NULL")),
    )
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
