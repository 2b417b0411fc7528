"""The ``job`` table's storage functions: queue, claim, progress, finish, cancel, reap, sweep.

Every state change is one conditional ``UPDATE`` (``WHERE status = ...``), so two workers
handed the same id, or a cancel racing a claim, never both win. A running job renews its
lease (``heartbeat_at``) while it works; :func:`reap_lost_jobs` queues the ones whose lease
ran out again once, then marks them ``FAILED``, so a job whose worker died is never left
``RUNNING``. A job ``QUEUED`` in this table that the queue lost on the way (its process died
between committing and handing it over, or a worker took it from the queue and died before
claiming it) is found by :func:`unhanded_jobs` and handed again.

A job may carry a payload (an import's feed, :class:`~marketplace.models.JobPayload`); it is
deleted in the transaction that finishes the job, however it finishes.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from marketplace.errors import Conflict, NotFound
from marketplace.models import Job, JobKind, JobPayload, JobStatus, utcnow

__all__ = [
    "JOB_LOST",
    "MAX_ATTEMPTS",
    "LostJobs",
    "claim_job",
    "create_job",
    "finish_job",
    "get_job",
    "mark_handed",
    "read_payload",
    "reap_lost_jobs",
    "renew_lease",
    "report_progress",
    "request_cancel",
    "unhanded_jobs",
]

# The error code of a job whose worker stopped renewing its lease (on its last attempt).
JOB_LOST = "WORKER_LOST"
# Runs a job gets when its workers die: the first, and one retry (a job that kills its
# worker twice, by memory say, would kill the next one too).
MAX_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class LostJobs:
    """What :func:`reap_lost_jobs` did: jobs failed for good, and jobs queued again."""

    failed: list[int]
    requeued: list[tuple[int, JobKind]]


def create_job(
    session: Session,
    *,
    kind: JobKind,
    params: dict[str, Any],
    partner_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Job:
    """A new ``QUEUED`` job (flushed: its id is set), owned by ``partner_id`` when it is a
    partner's, with ``payload`` stored beside it for its worker."""
    job = Job(
        kind=kind,
        status=JobStatus.QUEUED,
        params=json.dumps(params),
        partner_id=partner_id,
        queued_at=utcnow(),
    )
    session.add(job)
    session.flush()
    if payload is not None:
        assert job.id is not None
        body = zlib.compress(json.dumps(payload).encode("utf-8"), level=1)
        session.add(JobPayload(job_id=job.id, body=body))
        session.flush()
    return job


def read_payload(session: Session, job_id: int) -> dict[str, Any] | None:
    """The payload stored with job ``job_id``, if any is left."""
    row = session.get(JobPayload, job_id)
    if row is None:
        return None
    payload: dict[str, Any] = json.loads(zlib.decompress(row.body).decode("utf-8"))
    return payload


def _drop_payload(session: Session, job_id: int) -> None:
    session.execute(sa.delete(JobPayload).where(col(JobPayload.job_id) == job_id))


def get_job(session: Session, job_id: int) -> Job:
    """The job ``job_id``; :class:`NotFound` otherwise."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def _update(session: Session, job_id: int, where: Any, **values: Any) -> bool:
    result = session.execute(sa.update(Job).where(col(Job.id) == job_id, where).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def claim_job(session: Session, job_id: int, *, worker: str) -> Job | None:
    """Move a ``QUEUED`` job to ``RUNNING`` for ``worker``; ``None`` when it is not queued
    (already taken, finished, or cancelled before it started)."""
    now = utcnow()
    claimed = _update(
        session,
        job_id,
        col(Job.status) == JobStatus.QUEUED,
        status=JobStatus.RUNNING,
        worker=worker,
        started_at=now,
        heartbeat_at=now,
        attempts=Job.attempts + 1,
    )
    return session.get(Job, job_id, populate_existing=True) if claimed else None


def _running(attempt: int | None) -> Any:
    """Still running, and (given ``attempt``) still the run that attempt started: a worker
    that hung past its lease must not touch the retry another worker is running."""
    running = col(Job.status) == JobStatus.RUNNING
    return running if attempt is None else sa.and_(running, col(Job.attempts) == attempt)


def renew_lease(session: Session, job_id: int, *, attempt: int | None = None) -> bool:
    """Renew a running job's lease; ``False`` when it no longer runs (reaped, finished)."""
    return _update(session, job_id, _running(attempt), heartbeat_at=utcnow())


def report_progress(
    session: Session, job_id: int, *, progress: float, stage: str, attempt: int | None = None
) -> bool:
    """Record progress (and renew the lease); returns whether a cancel was requested."""
    _update(
        session,
        job_id,
        _running(attempt),
        progress=min(max(progress, 0.0), 1.0),
        stage=stage[:200],
        heartbeat_at=utcnow(),
    )
    requested = session.execute(
        select(Job.cancel_requested).where(col(Job.id) == job_id)
    ).scalar_one_or_none()
    return bool(requested)


def finish_job(
    session: Session,
    job_id: int,
    *,
    status: JobStatus,
    result: dict[str, Any] | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
    error_details: dict[str, Any] | None = None,
    attempt: int | None = None,
    unless_cancelled: bool = False,
) -> bool:
    """Record a running job's outcome; ``False`` when it was no longer running (reaped, or
    queued again after its lease ran out: ``attempt`` is then not the current one), or, with
    ``unless_cancelled``, when a cancel was requested (checked by the same conditional
    update, so a cancel committed meanwhile is never missed)."""
    assert status.finished
    where = _running(attempt)
    if unless_cancelled:
        where = sa.and_(where, col(Job.cancel_requested).is_(False))
    finished = _update(
        session,
        job_id,
        where,
        status=status,
        progress=1.0 if status is JobStatus.SUCCEEDED else Job.progress,
        result=None if result is None else json.dumps(result),
        error_code=error_code,
        error_message=error_message,
        error_details=json.dumps(error_details, default=str) if error_details else None,
        finished_at=utcnow(),
    )
    if finished:
        _drop_payload(session, job_id)
    return finished


def request_cancel(session: Session, job_id: int) -> Job:
    """Cancel a queued job at once, or ask a running one to stop at its next progress report.

    Raises
    ------
    NotFound
        No such job.
    Conflict
        The job has finished already (naming how).
    """
    job = get_job(session, job_id)
    if job.status.finished:
        raise Conflict(f"job {job_id} has already finished ({job.status.name}); nothing to cancel")
    now = utcnow()
    if _update(
        session,
        job_id,
        col(Job.status) == JobStatus.QUEUED,
        status=JobStatus.CANCELLED,
        cancel_requested=True,
        stage="cancelled before it started",
        finished_at=now,
    ):
        _drop_payload(session, job_id)
    else:
        _update(session, job_id, col(Job.status) == JobStatus.RUNNING, cancel_requested=True)
    return session.get(Job, job_id, populate_existing=True) or job


def reap_lost_jobs(
    session: Session, *, lease_s: float, max_attempts: int = MAX_ATTEMPTS
) -> LostJobs:
    """Deal with every running job whose lease ran out ``lease_s`` ago (its worker died or
    hangs): queue it again while it has had fewer than ``max_attempts`` runs, else mark it
    ``FAILED`` with :data:`JOB_LOST`.

    The caller hands the ids in :attr:`LostJobs.requeued` to the queue **after** committing
    (a worker must find them ``QUEUED``). ``attempts`` counts the runs started, so
    ``job(id)`` shows a retried job with 2 and the lost worker in its ``stage``.
    """
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=lease_s)
    lost = session.execute(
        sa.select(
            col(Job.id), col(Job.kind), col(Job.worker), col(Job.heartbeat_at), col(Job.attempts)
        ).where(col(Job.status) == JobStatus.RUNNING, col(Job.heartbeat_at) < cutoff)
    ).all()
    failed: list[int] = []
    requeued: list[tuple[int, JobKind]] = []
    for job_id, kind, worker, heartbeat_at, attempts in lost:
        assert job_id is not None
        stamp = heartbeat_at.isoformat(timespec="seconds") if heartbeat_at else "?"
        still_lost = sa.and_(col(Job.status) == JobStatus.RUNNING, col(Job.heartbeat_at) < cutoff)
        why = f"the worker running it ({worker}) stopped renewing its lease at {stamp}"
        if attempts < max_attempts:
            if _update(
                session,
                job_id,
                still_lost,
                status=JobStatus.QUEUED,
                progress=0.0,
                stage=f"queued again (attempt {attempts + 1} of {max_attempts}): {why}"[:200],
                worker=None,
                heartbeat_at=None,
                queued_at=now,
            ):
                requeued.append((job_id, kind))
        elif _update(
            session,
            job_id,
            still_lost,
            status=JobStatus.FAILED,
            error_code=JOB_LOST,
            error_message=(
                f"{why} (lease {lease_s:g} s), after {attempts} attempt(s); run it again"
            ),
            finished_at=now,
        ):
            _drop_payload(session, job_id)
            failed.append(job_id)
    return LostJobs(failed=failed, requeued=requeued)


def unhanded_jobs(session: Session, *, grace_s: float) -> list[tuple[int, JobKind]]:
    """Jobs ``QUEUED`` (created, or queued again by :func:`reap_lost_jobs`) at least
    ``grace_s`` ago: the ones the queue no longer holds were lost on their way to a worker
    (see :func:`marketplace.jobs.queue.sweep_unhanded`). Oldest first."""
    cutoff = utcnow() - dt.timedelta(seconds=grace_s)
    rows = session.execute(
        sa.select(col(Job.id), col(Job.kind))
        .where(col(Job.status) == JobStatus.QUEUED, col(Job.queued_at) < cutoff)
        .order_by(col(Job.id))
    ).all()
    return [(int(job_id), kind) for job_id, kind in rows if job_id is not None]


def mark_handed(session: Session, job_id: int, *, why: str) -> bool:
    """Record that a still-``QUEUED`` job was handed to the queue again, saying why; ``False``
    when it is not queued any more (a worker claimed it meanwhile)."""
    return _update(
        session,
        job_id,
        col(Job.status) == JobStatus.QUEUED,
        queued_at=utcnow(),
        stage=why[:200],
    )
