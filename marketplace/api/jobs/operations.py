"""Jobs in GraphQL: queue one (for the traffic and import mutations), read it, follow it,
cancel it. Planners read and cancel traffic jobs; a partner its own imports
(:func:`~marketplace.jobs.access.require_job_access`).

The subscription reads the job's row (one indexed ``SELECT``) every
:data:`POLL_INTERVAL_S` and sends it when it changed: the worker may be another process,
with or without Redis between them, and the row is the truth either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import Any

import strawberry
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from marketplace.api.context import Info
from marketplace.api.jobs.types import JobType, job_type, read_job
from marketplace.api.relay import decode_global_id
from marketplace.db import DatabaseBusy
from marketplace.errors import NotAuthenticated
from marketplace.identity.actors import Actor
from marketplace.jobs.access import require_job_access
from marketplace.jobs.queue import JobQueues
from marketplace.jobs.store import create_job, get_job, request_cancel
from marketplace.models import JobKind
from marketplace.settings import Settings

__all__ = ["JobMutation", "JobQuery", "JobSubscription", "queue_job"]

POLL_INTERVAL_S = 0.25


def _settings(info: Info) -> Settings:
    settings: Settings = info.context.connection.app.state.settings
    return settings


async def queue_job(
    info: Info,
    kind: JobKind,
    params: dict[str, Any],
    *,
    partner_id: int | None = None,
    payload: dict[str, Any] | None = None,
    check: Callable[[Session], Any] | None = None,
) -> JobType:
    """Store a ``QUEUED`` job (after ``check``, in the same transaction), hand it to its
    queue, and return it at once. Should this process stop before handing it over, the
    reapers' sweep hands it (:func:`marketplace.jobs.queue.sweep_unhanded`)."""

    def create(session: Session) -> int:
        if check is not None:
            check(session)
        job = create_job(session, kind=kind, params=params, partner_id=partner_id, payload=payload)
        assert job.id is not None
        return job.id

    job_id = await info.context.run(create)
    queues: JobQueues = info.context.connection.app.state.jobs
    await run_in_threadpool(queues.enqueue, job_id, kind)
    return await info.context.run(lambda s: job_type(s, get_job(s, job_id)))


async def _actor_for_job(info: Info) -> Actor:
    actor = await info.context.actor()
    if actor is None:
        raise NotAuthenticated(
            "jobs are read by the planner or partner that queued them: send "
            "'Authorization: Bearer …'"
        )
    return actor


@strawberry.type
class JobQuery:
    @strawberry.field(
        description="A job: status, progress, and its outcome once finished. Planners read "
        "traffic jobs; a partner reads its own imports (FORBIDDEN for another partner's)."
    )
    async def job(self, info: Info, id: strawberry.ID) -> JobType:
        _, job_id = decode_global_id(id, "Job")
        actor = await _actor_for_job(info)
        return await read_job(info, job_id, _settings(info).job_lease_s, actor)


@strawberry.type
class JobMutation:
    @strawberry.mutation(
        description="Cancel a job: at once if still QUEUED; a RUNNING job stops at its next "
        "progress report (CANCELLED, nothing stored: an import writes all or nothing). "
        "CONFLICT once it has finished. Planners cancel traffic jobs, a partner its imports."
    )
    async def cancel_job(self, info: Info, id: strawberry.ID) -> JobType:
        _, job_id = decode_global_id(id, "Job")
        actor = await _actor_for_job(info)

        def cancel(session: Session) -> JobType:
            require_job_access(actor, get_job(session, job_id))
            return job_type(session, request_cancel(session, job_id))

        try:
            return await info.context.run(cancel)
        except DatabaseBusy:
            # SQLite has one writer: an import writing its feed holds it until it commits.
            raise DatabaseBusy(
                f"job {job_id} could not be cancelled now: the SQLite database is busy with "
                "another write (an import writing its feed holds it until it is done); ask "
                "again in a few seconds"
            ) from None


@strawberry.type
class JobSubscription:
    @strawberry.subscription(
        description="A job as it progresses: sent at once, then on every change, ending once "
        "it has finished. Planners follow traffic jobs, a partner its imports."
    )
    async def job_progress(self, info: Info, id: strawberry.ID) -> AsyncGenerator[JobType, None]:
        _, job_id = decode_global_id(id, "Job")
        lease_s = _settings(info).job_lease_s
        actor = await _actor_for_job(info)
        last: tuple[Any, ...] | None = None
        while True:
            job = await read_job(info, job_id, lease_s, actor)
            seen = (job.status, job.progress, job.stage, job.cancel_requested)
            if seen != last:
                last = seen
                yield job
            if job.finished:
                return
            await asyncio.sleep(POLL_INTERVAL_S)
