"""People: residents, partner members and city staff, their sessions and sign-in attempts.

API keys (:mod:`marketplace.models.partner`) stay for machines; these accounts are for
persons signing in with an email and a password.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, utcnow

__all__ = ["Person", "PersonRole", "PersonSession", "SignInAttempt"]


class PersonRole(enum.Enum):
    """What a person may do on the platform.

    ``PARTNER_MEMBER`` acts for its partner as the partner's API keys do; ``PLANNER`` reads
    the city's traffic and demand views; ``ADMIN`` (a city administrator) also moderates
    community content and opens city challenges.
    """

    RESIDENT = "resident"
    PARTNER_MEMBER = "partner_member"
    PLANNER = "planner"
    ADMIN = "admin"


class Person(SQLModel, table=True):
    """A person's account; ``email`` is stored normalised (see :mod:`marketplace.people`)."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, unique=True))
    display_name: str = Field(sa_column=sa.Column(sa.String(80), nullable=False))
    password_hash: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    role: PersonRole = Field(sa_column=enum_column(PersonRole))
    partner_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PersonSession(SQLModel, table=True):
    """A signed-in session; only a SHA-256 of its random token is stored.

    Tokens carry 256 random bits, so a fast hash suffices (there is no dictionary to try) and
    the lookup is a unique-index hit.
    """

    __tablename__ = "person_session"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    token_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInAttempt(SQLModel, table=True):
    """One sign-in attempt, kept so the rate limit holds across server processes.

    The email is stored as a SHA-256 of its normalised form: attempts against addresses that
    have no account are counted too (so the limit reveals nothing), without keeping those
    addresses in clear.
    """

    __tablename__ = "sign_in_attempt"
    __table_args__ = (sa.Index("ix_sign_in_attempt_email_sha256_at", "email_sha256", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    email_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    succeeded: bool = Field(default=False, nullable=False)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
