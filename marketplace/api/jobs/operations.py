"""Jobs in GraphQL: queue one (for the traffic mutations), read it, follow it, cancel it.

The subscription reads the job's row (one indexed ``SELECT``) every
:data:`POLL_INTERVAL_S` and sends it when it changed: the worker may be another process,
with or without Redis between them, and the row is the truth either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from marketplace.api.context import Info
from marketplace.api.jobs.types import JobType, job_type, read_job
from marketplace.api.permissions import IsPlanner
from marketplace.api.relay import decode_global_id
from marketplace.jobs.queue import JobQueue
from marketplace.jobs.store import create_job, get_job, request_cancel
from marketplace.models import JobKind
from marketplace.settings import Settings

__all__ = ["JobMutation", "JobQuery", "JobSubscription", "queue_job"]

POLL_INTERVAL_S = 0.25


def _settings(info: Info) -> Settings:
    settings: Settings = info.context.connection.app.state.settings
    return settings


async def queue_job(info: Info, kind: JobKind, params: dict[str, Any]) -> JobType:
    """Store a ``QUEUED`` job, hand it to the queue, and return it at once."""
    job = await info.context.run(create_job, kind=kind, params=params)
    assert job.id is not None
    queue: JobQueue = info.context.connection.app.state.jobs
    await run_in_threadpool(queue.enqueue, job.id)
    job_id = job.id
    return await info.context.run(lambda s: job_type(s, get_job(s, job_id)))


@strawberry.type
class JobQuery:
    @strawberry.field(
        description="A traffic job: status, progress, and its run once SUCCEEDED. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def job(self, info: Info, id: strawberry.ID) -> JobType:
        _, job_id = decode_global_id(id, "Job")
        return await read_job(info, job_id, _settings(info).job_lease_s)


@strawberry.type
class JobMutation:
    @strawberry.mutation(
        description="Cancel a job: at once if still QUEUED; a RUNNING assignment stops at its "
        "next progress report (CANCELLED, nothing stored). CONFLICT once it has finished. "
        "Planners only.",
        permission_classes=[IsPlanner],
    )
    async def cancel_job(self, info: Info, id: strawberry.ID) -> JobType:
        _, job_id = decode_global_id(id, "Job")

        def cancel(session: Session) -> JobType:
            return job_type(session, request_cancel(session, job_id))

        return await info.context.run(cancel)


@strawberry.type
class JobSubscription:
    @strawberry.subscription(
        description="A job as it progresses: sent at once, then on every change, ending once "
        "it has finished. Planners only.",
        permission_classes=[IsPlanner],
    )
    async def job_progress(self, info: Info, id: strawberry.ID) -> AsyncGenerator[JobType, None]:
        _, job_id = decode_global_id(id, "Job")
        lease_s = _settings(info).job_lease_s
        last: tuple[Any, ...] | None = None
        while True:
            job = await read_job(info, job_id, lease_s)
            seen = (job.status, job.progress, job.stage, job.cancel_requested)
            if seen != last:
                last = seen
                yield job
            if job.finished:
                return
            await asyncio.sleep(POLL_INTERVAL_S)
