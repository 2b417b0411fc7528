"""Background jobs (traffic assignments and scenarios): their state, progress and result.

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

__all__ = ["Job", "JobKind", "JobStatus"]


class JobKind(enum.Enum):
    """What a job does."""

    ASSIGNMENT = "assignment"
    SCENARIO = "scenario"


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
