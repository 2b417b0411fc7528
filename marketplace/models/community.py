"""Residents' voice: reviews of services, suggestions, their votes, comments and status.

Content a moderator hides keeps its row and gets ``hidden_at``; public queries leave it out,
the moderation trail (:mod:`marketplace.models.moderation`) says who hid it and why.
Counters (``vote_count``) are denormalised so that "most voted" sorts in SQL; they change in
the same transaction as the vote rows, under a row lock.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, foreign_key_column, utcnow

__all__ = [
    "Comment",
    "Review",
    "Suggestion",
    "SuggestionFollow",
    "SuggestionStatus",
    "SuggestionStatusChange",
    "SuggestionVote",
]


class SuggestionStatus(enum.Enum):
    """Where a suggestion stands: ``NEW -> UNDER_STUDY -> PLANNED -> DONE``, or ``DECLINED``."""

    NEW = "new"
    UNDER_STUDY = "under_study"
    PLANNED = "planned"
    DONE = "done"
    DECLINED = "declined"


class Review(SQLModel, table=True):
    """A resident's rating (1 to 5) and text about a service; one per resident and service.

    The owning partner may answer once (``reply_*``), shown as the partner's answer.
    """

    __tablename__ = "review"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "author_id"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=foreign_key_column("mobility_service.id"))
    author_id: int = Field(sa_column=foreign_key_column("person.id"))
    rating: int = Field(nullable=False)
    text: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reply_text: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    reply_by_id: int | None = Field(
        default=None, sa_column=foreign_key_column("person.id", nullable=True, ondelete="SET NULL")
    )
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Suggestion(SQLModel, table=True):
    """An idea for a new service or an improvement, with an optional place on the map.

    ``kinds`` is a comma-separated list of :class:`~marketplace.models.ServiceKind` names;
    ``location`` GeoJSON text (a Point, Polygon or MultiPolygon).
    """

    __tablename__ = "suggestion"

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(sa_column=foreign_key_column("person.id"))
    service_id: int | None = Field(
        default=None,
        sa_column=foreign_key_column("mobility_service.id", nullable=True, ondelete="SET NULL"),
    )
    title: str = Field(sa_column=sa.Column(sa.String(150), nullable=False))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    location: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    kinds: str = Field(default="", sa_column=sa.Column(sa.String(300), nullable=False))
    status: SuggestionStatus = Field(
        default=SuggestionStatus.NEW, sa_column=enum_column(SuggestionStatus, index=True)
    )
    vote_count: int = Field(default=0, nullable=False, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SuggestionVote(SQLModel, table=True):
    """One resident's vote for a suggestion (the unique constraint makes it one)."""

    __tablename__ = "suggestion_vote"
    __table_args__ = (sa.UniqueConstraint("suggestion_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(sa_column=foreign_key_column("suggestion.id"))
    person_id: int = Field(sa_column=foreign_key_column("person.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class SuggestionFollow(SQLModel, table=True):
    """A person follows a suggestion: new comments and status changes reach them live."""

    __tablename__ = "suggestion_follow"
    __table_args__ = (sa.UniqueConstraint("suggestion_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(sa_column=foreign_key_column("suggestion.id"))
    person_id: int = Field(sa_column=foreign_key_column("person.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Comment(SQLModel, table=True):
    """A comment on a suggestion, possibly answering another (``parent_id``).

    ``official`` marks a partner's or the city's answer; ``partner_id`` names the partner it
    speaks for (``None`` for city staff without a partner).
    """

    __tablename__ = "comment"

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(sa_column=foreign_key_column("suggestion.id"))
    parent_id: int | None = Field(
        default=None, sa_column=foreign_key_column("comment.id", nullable=True)
    )
    author_id: int = Field(sa_column=foreign_key_column("person.id"))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    official: bool = Field(default=False, nullable=False)
    partner_id: int | None = Field(
        default=None, sa_column=foreign_key_column("partner.id", nullable=True, ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SuggestionStatusChange(SQLModel, table=True):
    """Who moved a suggestion to which status, and why; the history is never rewritten."""

    __tablename__ = "suggestion_status_change"

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(sa_column=foreign_key_column("suggestion.id"))
    from_status: SuggestionStatus = Field(sa_column=enum_column(SuggestionStatus))
    to_status: SuggestionStatus = Field(sa_column=enum_column(SuggestionStatus))
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    decided_by_id: int | None = Field(
        default=None, sa_column=foreign_key_column("person.id", nullable=True, ondelete="SET NULL")
    )
    partner_id: int | None = Field(
        default=None, sa_column=foreign_key_column("partner.id", nullable=True, ondelete="SET NULL")
    )
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
