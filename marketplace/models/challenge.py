"""City challenges, partners' proposals answering them, and residents' votes on proposals."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, foreign_key_column, utcnow

__all__ = ["Challenge", "Proposal", "ProposalService", "ProposalVote"]


class Challenge(SQLModel, table=True):
    """A call from the city ("last mile from Issy Val de Seine at night"), open until
    ``deadline``, about an ``area`` (GeoJSON Polygon or MultiPolygon text)."""

    __tablename__ = "challenge"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=sa.Column(sa.String(150), nullable=False))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    area: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    deadline: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_by_id: int | None = Field(
        default=None, sa_column=foreign_key_column("person.id", nullable=True, ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Proposal(SQLModel, table=True):
    """A partner's answer to a challenge; ``vote_count`` is kept with the vote rows."""

    __tablename__ = "proposal"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(sa_column=foreign_key_column("challenge.id"))
    partner_id: int = Field(sa_column=foreign_key_column("partner.id"))
    author_id: int | None = Field(
        default=None, sa_column=foreign_key_column("person.id", nullable=True, ondelete="SET NULL")
    )
    title: str = Field(sa_column=sa.Column(sa.String(150), nullable=False))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    vote_count: int = Field(default=0, nullable=False, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProposalService(SQLModel, table=True):
    """A service (published or draft) of the proposing partner that a proposal puts forward."""

    __tablename__ = "proposal_service"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "service_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(sa_column=foreign_key_column("proposal.id"))
    service_id: int = Field(sa_column=foreign_key_column("mobility_service.id"))


class ProposalVote(SQLModel, table=True):
    """One resident's vote for a proposal."""

    __tablename__ = "proposal_vote"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(sa_column=foreign_key_column("proposal.id"))
    person_id: int = Field(sa_column=foreign_key_column("person.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
