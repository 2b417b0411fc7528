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

__all__ = [
    "OutboxMessage",
    "Person",
    "PersonRole",
    "PersonSession",
    "SignInAttempt",
    "SignUpAttempt",
    "SignUpRequest",
]


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
    """A person's account; ``email`` is stored normalised (see :mod:`marketplace.identity`)."""

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
    addresses in clear. Attempts are counted per email and client address pair (the
    address also hashed), so a stranger failing on purpose locks out only themselves.
    """

    __tablename__ = "sign_in_attempt"
    __table_args__ = (sa.Index("ix_sign_in_attempt_email_sha256_at", "email_sha256", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    email_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    client_sha256: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(64), nullable=True)
    )
    succeeded: bool = Field(default=False, nullable=False)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class SignUpRequest(SQLModel, table=True):
    """A sign-up waiting for its email to be confirmed.

    No :class:`Person` exists until the link sent to the address is followed, so an
    unconfirmed sign-up holds no account, and a sign-up for a registered email touches
    nothing of that account. Only a SHA-256 of the confirmation token is stored.
    """

    __tablename__ = "sign_up_request"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, index=True))
    display_name: str = Field(sa_column=sa.Column(sa.String(80), nullable=False))
    password_hash: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    token_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class SignUpAttempt(SQLModel, table=True):
    """One accepted sign-up request, counted per email and per client address.

    ``key_sha256`` is a SHA-256 of ``email:<normalised email>`` or ``ip:<address>``, so the
    rate limit works without keeping either in clear.
    """

    __tablename__ = "sign_up_attempt"
    __table_args__ = (sa.Index("ix_sign_up_attempt_key_sha256_at", "key_sha256", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class OutboxMessage(SQLModel, table=True):
    """An email the platform would send (sign-up confirmations, "you already have an
    account" notices), written in the same transaction as what caused it.

    A deployment plugs a sender in (:func:`marketplace.identity.outbox.deliver_outbox` with an
    SMTP sender) that sends unsent rows and stamps ``sent_at``; without one the rows simply
    wait, and tests read them.
    """

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    to_email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, index=True))
    kind: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    subject: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
