"""Run one job: claim it, renew its lease while it works, report progress, record the outcome
(an import records it itself, with its timetable: :mod:`marketplace.jobs.gtfs_import`).

Blocking: a queue worker thread calls :meth:`JobExecutor.run`. A job's parameters were checked
when it was queued (:mod:`marketplace.api.traffic.mutations`); what only the work can find
(no demand in the period, closures cutting zones off) ends the job ``FAILED`` with the same
code and message the API would have given.
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marketplace.db import Database
from marketplace.errors import MarketplaceError
from marketplace.jobs.gtfs_import import ImportCancelled, ImportSuperseded, run_gtfs_import
from marketplace.jobs.store import claim_job, finish_job, renew_lease, report_progress
from marketplace.models import DemandSource, Job, JobKind, JobStatus
from marketplace.outbound import OutboundPolicy
from marketplace.traffic.config import TrafficConfig
from marketplace.traffic.demand import SourceRequest
from marketplace.traffic.runner import (
    AssignmentOptions,
    ScenarioEdits,
    run_assignment,
    run_scenario_against_latest,
)
from routing.errors import RoutingError
from routing.street.network import StreetNetwork

__all__ = ["MESSAGE_KEY", "JobCancelled", "JobExecutor", "worker_name"]

log = logging.getLogger(__name__)

# Progress is written at most this often (an iteration can take a millisecond).
PROGRESS_INTERVAL_S = 0.3


# An error's code, message and details (the GraphQL extensions besides the code).
_Error = tuple[str, str, dict[str, Any] | None]

MESSAGE_KEY = "_message"
"""Key, in a failed job's stored details, of its catalogue message id and parameters: the
worker words nothing (it knows no reader); the job is worded in each reader's language."""


class JobCancelled(Exception):
    """Raised from a progress report when a planner cancelled the job."""


def worker_name() -> str:
    """``host:pid`` of this process, recorded on the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def assignment_params(
    *, period: str, sources: list[SourceRequest], options: AssignmentOptions
) -> dict[str, Any]:
    """The JSON parameters of an assignment job."""
    return {
        "period": period,
        "sources": [[s.source.name, s.scale] for s in sources],
        "options": {
            "algorithm": options.algorithm,
            "relative_gap": options.relative_gap,
            "max_iterations": options.max_iterations,
            "min_volume_capacity": options.min_volume_capacity,
        },
    }


def scenario_params(*, period: str, edits: ScenarioEdits) -> dict[str, Any]:
    """The JSON parameters of a scenario job."""
    return {
        "period": period,
        "edits": {
            "close_streets": list(edits.close_streets),
            "close_ways": list(edits.close_ways),
            "remove_lane_streets": list(edits.remove_lane_streets),
            "remove_lane_ways": list(edits.remove_lane_ways),
        },
    }


def assignment_progress(iteration: int, gap: float, options: AssignmentOptions) -> float:
    """0 to 1: how far the gap has come down towards the target (log scale), or the share
    of the iteration limit used, whichever is further."""
    by_iterations = iteration / options.max_iterations
    if not 0 < gap < 1:
        return by_iterations
    by_gap = math.log10(gap) / math.log10(options.relative_gap)
    return min(1.0, max(by_iterations, by_gap))


@dataclass
class JobExecutor:
    """Runs jobs for one process: its database, its street network, its traffic settings."""

    db: Database
    network: Callable[[], StreetNetwork]
    config: Callable[[], TrafficConfig]
    lease_s: float = 30.0
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)

    def run(self, job_id: int) -> None:
        """Run job ``job_id`` if it is still queued (a queue may deliver an id twice)."""
        job = self.db.call(claim_job, job_id, worker=worker_name())
        if job is None:
            log.info("job %s is not queued any more: skipped", job_id)
            return
        stop = threading.Event()
        attempt = job.attempts
        beat = threading.Thread(
            target=self._heartbeat,
            args=(job_id, attempt, stop),
            name=f"job-{job_id}-lease",
            daemon=True,
        )
        beat.start()
        try:
            outcome = self._outcome(job)
            if outcome is not None:
                self._finish(job_id, attempt, *outcome)
        finally:
            stop.set()
            beat.join()

    def _heartbeat(self, job_id: int, attempt: int, stop: threading.Event) -> None:
        # The engine's iterations report progress too; this keeps the lease alive through
        # long steps that do not (reading demand, a scenario, storing the run).
        while not stop.wait(self.lease_s / 3):
            try:
                if not self.db.call(renew_lease, job_id, attempt=attempt):
                    return
            except Exception:  # a database hiccup: the next beat tries again
                log.exception("could not renew the lease of job %s", job_id)

    def _finish(
        self,
        job_id: int,
        attempt: int,
        status: JobStatus,
        result: dict[str, Any] | None,
        error: _Error | None,
    ) -> None:
        code, message, details = error if error else (None, None, None)
        if not self.db.call(
            finish_job,
            job_id,
            status=status,
            result=result,
            error_code=code,
            error_message=message,
            error_details=details,
            attempt=attempt,
        ):
            log.warning("job %s was no longer running when it finished (reaped?)", job_id)

    def _outcome(self, job: Job) -> tuple[JobStatus, dict[str, Any] | None, _Error | None] | None:
        """The job's outcome to record; ``None`` when it was recorded already (an import
        commits its outcome with its timetable) or the job is not this run's any more."""
        assert job.id is not None
        try:
            if job.kind is JobKind.GTFS_IMPORT:
                self._gtfs_import(job)
                return None
            if job.kind is JobKind.ASSIGNMENT:
                result = self._assignment(job.id, job.attempts, json.loads(job.params))
            else:
                result = self._scenario(job.id, job.attempts, json.loads(job.params))
        except (JobCancelled, ImportCancelled):
            return JobStatus.CANCELLED, None, None
        except ImportSuperseded:
            log.warning("job %s was queued again while this run imported: nothing written", job.id)
            return None
        except MarketplaceError as exc:
            details = dict(exc.details or {})
            if exc.worded is not None:
                # Parameters as JSON keeps them (a date as its ISO text, as in the message).
                params = json.loads(json.dumps(dict(exc.worded.params), default=str))
                details[MESSAGE_KEY] = {"id": exc.worded.id, "params": params}
            return JobStatus.FAILED, None, (exc.code, exc.message, details or None)
        except RoutingError as exc:
            return JobStatus.FAILED, None, ("SERVICE_UNAVAILABLE", str(exc), None)
        except Exception:
            log.exception("job %s failed", job.id)
            failed = "the job failed; the worker's log has the details"
            return JobStatus.FAILED, None, ("INTERNAL_SERVER_ERROR", failed, None)
        return JobStatus.SUCCEEDED, result, None

    def _assignment(self, job_id: int, attempt: int, params: dict[str, Any]) -> dict[str, Any]:
        options = AssignmentOptions(**params["options"])
        sources = [SourceRequest(DemandSource[name], scale) for name, scale in params["sources"]]
        last = [0.0, 0.0]  # when progress was last written, and the share written

        def progress(iteration: int, gap: float) -> None:
            now = time.monotonic()
            if now - last[0] < PROGRESS_INTERVAL_S:
                return
            # The gap does not fall steadily (Frank-Wolfe zigzags): progress never goes back.
            share = max(last[1], assignment_progress(iteration, gap, options))
            last[0], last[1] = now, share
            stage = f"iteration {iteration}, relative gap {gap:.2e}"
            if self.db.call(report_progress, job_id, progress=share, stage=stage, attempt=attempt):
                raise JobCancelled

        self.db.call(
            report_progress, job_id, progress=0.0, stage="reading the demand", attempt=attempt
        )
        run = run_assignment(
            self.db,
            self.network(),
            self.config(),
            period=params["period"],
            sources=sources,
            options=options,
            progress=progress,
        )
        return {"run_id": run.id}

    def _gtfs_import(self, job: Job) -> None:
        assert job.id is not None
        job_id, attempt = job.id, job.attempts

        def report(share: float, stage: str) -> bool:
            return self.db.call(
                report_progress, job_id, progress=share, stage=stage, attempt=attempt
            )

        run_gtfs_import(self.db, job, report, outbound=self.outbound)

    def _scenario(self, job_id: int, attempt: int, params: dict[str, Any]) -> dict[str, Any]:
        edits = ScenarioEdits(**params["edits"])
        if self.db.call(
            report_progress,
            job_id,
            progress=0.05,
            stage="assigning the base and the scenario",
            attempt=attempt,
        ):
            raise JobCancelled
        outcome = run_scenario_against_latest(
            self.db, self.network(), period=params["period"], edits=edits
        )
        return {
            "run_id": outcome.run.id,
            "base_run_id": outcome.base_run.id,
            "summary": outcome.summary,
        }
