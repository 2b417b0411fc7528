"""Partners (organisations on the platform) and their API keys."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, utcnow

__all__ = ["ApiKey", "Partner", "PartnerKind"]


class PartnerKind(enum.Enum):
    """What kind of organisation a partner is; ``CITY`` partners administer the catalogue."""

    STARTUP = "startup"
    OPERATOR = "operator"
    CITY = "city"


class Partner(SQLModel, table=True):
    """An organisation that publishes services (or, for the city, oversees them)."""

    __tablename__ = "partner"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    kind: PartnerKind = Field(sa_column=enum_column(PartnerKind))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ApiKey(SQLModel, table=True):
    """A partner's API key; only a SHA-256 of the secret is stored.

    Keys are 256-bit random tokens, so a fast hash is enough (no dictionary to attack) and
    the lookup goes through the short public ``prefix``.
    """

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    prefix: str = Field(sa_column=sa.Column(sa.String(16), nullable=False, unique=True))
    secret_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
