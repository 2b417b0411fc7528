"""Background jobs (traffic assignments, scenarios, GTFS imports): state, progress, result.

The queue library (:mod:`marketplace.jobs.queue`) only carries a job's id to a worker; this
row is the truth planners read: status, progress, the result or the error, and the lease
that tells a live worker from a dead one (``heartbeat_at``, renewed while the job runs).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, utcnow

__all__ = ["Job", "JobKind", "JobPayload", "JobStatus"]


class JobKind(enum.Enum):
    """What a job does."""

    ASSIGNMENT = "assignment"
    SCENARIO = "scenario"
    GTFS_IMPORT = "gtfs_import"

    @property
    def is_import(self) -> bool:
        """A partner's feed import (its partner reads it), not a planner's traffic job."""
        return self is JobKind.GTFS_IMPORT


class JobStatus(enum.Enum):
    """``QUEUED`` -> ``RUNNING`` -> one of ``SUCCEEDED``, ``FAILED``, ``CANCELLED``."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """True once the job will change no more."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class Job(SQLModel, table=True):
    """One job, from the request that queued it to its outcome."""

    __tablename__ = "job"
    __table_args__ = (sa.Index("ix_job_status_heartbeat_at", "status", "heartbeat_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: JobKind = Field(sa_column=enum_column(JobKind))
    status: JobStatus = Field(sa_column=enum_column(JobStatus))
    params: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    """JSON: what the worker needs to run it (period, sources, options or edits)."""
    progress: float = Field(default=0.0, sa_column=sa.Column(sa.Float, nullable=False))
    """0 to 1: the share of the work done (assignments: iterations against the limit)."""
    stage: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    """What the job is doing, in words (``iteration 12, relative gap 3.1e-03``)."""
    result: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    """JSON once succeeded: the stored run's id (and the base run and summary of a scenario)."""
    error_code: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    error_message: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    error_details: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    """JSON: the error's details (the GraphQL extensions besides the code), if any."""
    cancel_requested: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False))
    worker: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))
    """``host:pid`` of the process running it."""
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False)
    )
    started_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    heartbeat_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    finished_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    queued_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    """When it was last handed to the queue (created, or queued again): a job ``QUEUED``
    long after this that the queue does not hold was lost on the way and is handed again."""
    partner_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    """The partner whose import it is (only its keys and members read it); ``None`` for the
    planners' traffic jobs."""


class JobPayload(SQLModel, table=True):
    """What a queued import reads (the feed's files, compressed), kept apart from the job row
    that every progress read fetches, and deleted once the job has finished."""

    __tablename__ = "job_payload"

    job_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("job.id", ondelete="CASCADE"), primary_key=True
        )
    )
    body: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    """zlib-compressed JSON."""
