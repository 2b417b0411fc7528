"""The GraphQL ``Job``: a queued traffic assignment, scenario or GTFS import, its progress
and outcome."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, cast

import strawberry
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from marketplace.api.context import Info
from marketplace.api.ingest.types import ImportReportType, stored_report_type
from marketplace.api.relay import encode_global_id
from marketplace.api.traffic.types import ScenarioResult, TrafficRunType, run_type
from marketplace.i18n import DEFAULT_LANGUAGE, MESSAGE_IDS, Language, Message
from marketplace.identity.actors import Actor
from marketplace.jobs.access import require_job_access
from marketplace.jobs.execute import MESSAGE_KEY
from marketplace.models import Job, JobKind, JobStatus, TrafficRun

__all__ = ["JobError", "JobKind", "JobStatus", "JobType", "job_type"]

strawberry.enum(JobKind, description="What a job does.")
strawberry.enum(
    JobStatus,
    description="QUEUED, then RUNNING, then SUCCEEDED, FAILED or CANCELLED. A job whose "
    "worker died is QUEUED again once its lease runs out (attempts counts the runs, stage "
    "names the lost worker), and FAILED (code WORKER_LOST) when its second worker dies too; "
    "never left RUNNING.",
)


@strawberry.type(description="Why a job failed: the code and message the API would give.")
class JobError:
    code: str
    details: JSON | None = strawberry.field(
        description="What a GraphQL error would carry in its extensions besides the code "
        "(field, problems...)."
    )
    english: strawberry.Private[str]
    worded: strawberry.Private[Message | None]

    @strawberry.field(description="The error, in the reader's language when the catalogue has it.")
    def message(self, info: Info) -> str:
        language: Language = getattr(info.context, "language", DEFAULT_LANGUAGE)
        return self.worded.render(language) if self.worded is not None else self.english


def job_error(job: Job) -> JobError | None:
    """The stored failure of ``job``, worded when read (the worker knew no reader)."""
    if not job.error_code:
        return None
    details: dict[str, Any] | None = json.loads(job.error_details) if job.error_details else None
    stored = details.pop(MESSAGE_KEY, None) if details else None
    worded = None
    if isinstance(stored, dict) and stored.get("id") in MESSAGE_IDS:
        worded = Message(stored["id"], stored.get("params") or {})
    return JobError(
        code=job.error_code,
        details=cast(JSON, details) if details else None,
        english=job.error_message or "",
        worded=worded,
    )


@dataclass(frozen=True)
class _Outcome:
    run: TrafficRunType | None = None
    scenario: ScenarioResult | None = None
    import_report: ImportReportType | None = None


@strawberry.type(
    name="Job",
    description="A traffic assignment or scenario (a planner's), or a GTFS import (a "
    "partner's), run by a worker: poll job(id) or subscribe to jobProgress(id); cancelJob "
    "stops it.",
)
class JobType:
    id: strawberry.ID
    kind: JobKind
    status: JobStatus
    progress: float = strawberry.field(description="0 to 1.")
    stage: str = strawberry.field(description="What it is doing, in words.")
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    cancel_requested: bool
    error: JobError | None
    run: TrafficRunType | None = strawberry.field(
        description="The stored run once SUCCEEDED (the scenario's run for a scenario)."
    )
    scenario: ScenarioResult | None = strawberry.field(
        description="A scenario job's comparison with its base run, once SUCCEEDED."
    )
    import_report: ImportReportType | None = strawberry.field(
        description="A GTFS import job's report once SUCCEEDED: rows written per file, rows "
        "skipped with reasons, and the catalogue version it landed as."
    )

    @property
    def finished(self) -> bool:
        return self.status.finished


def _outcome(session: Session, job: Job) -> _Outcome:
    if job.status is not JobStatus.SUCCEEDED or job.result is None:
        return _Outcome()
    result: dict[str, Any] = json.loads(job.result)
    if job.kind.is_import:
        return _Outcome(import_report=stored_report_type(session, result))
    run_row = session.get(TrafficRun, result["run_id"])
    if run_row is None:  # deleted since: the job still says it succeeded
        return _Outcome()
    run = run_type(session, run_row)
    if job.kind is JobKind.SCENARIO:
        base_row = session.get(TrafficRun, result["base_run_id"])
        if base_row is None:
            return _Outcome(run=run)
        base = run_type(session, base_row)
        return _Outcome(run=run, scenario=ScenarioResult.from_summary(result["summary"], run, base))
    return _Outcome(run=run)


def job_type(session: Session, job: Job) -> JobType:
    """The job as GraphQL, with its run (and scenario comparison) once succeeded."""
    assert job.id is not None
    outcome = _outcome(session, job)
    return JobType(
        id=encode_global_id("Job", job.id),
        kind=job.kind,
        status=job.status,
        progress=job.progress,
        stage=job.stage,
        attempts=job.attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        cancel_requested=job.cancel_requested,
        error=job_error(job),
        run=outcome.run,
        scenario=outcome.scenario,
        import_report=outcome.import_report,
    )


async def read_job(info: Info, job_id: int, lease_s: float, actor: Actor | None) -> JobType:
    """The job, if ``actor`` may read it, after reaping lost ones (queued again once, then
    failed), so a reader never sees a dead job ``RUNNING``."""
    from marketplace.jobs.queue import JobQueues, reap_lost
    from marketplace.jobs.store import get_job

    queues: JobQueues | None = getattr(info.context.connection.app.state, "jobs", None)
    if queues is not None:
        await run_in_threadpool(reap_lost, info.context.db, queues, lease_s)

    def read(session: Session) -> JobType:
        job = get_job(session, job_id)
        require_job_access(actor, job)
        return job_type(session, job)

    return await info.context.run(read)
