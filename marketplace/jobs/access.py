"""Who may read or cancel a job: the city's planners a traffic job, the partner that queued
it an import (any of its keys or members), nobody else."""

from __future__ import annotations

from marketplace.errors import Forbidden, NotAuthenticated
from marketplace.identity.actors import Actor, require_planner
from marketplace.models import Job

__all__ = ["require_job_access"]


def require_job_access(actor: Actor | None, job: Job) -> None:
    """Raise unless ``actor`` may read and cancel ``job``.

    Raises
    ------
    NotAuthenticated
        Anonymous caller.
    Forbidden
        A traffic job and no planner; an import and not its partner.
    """
    if job.partner_id is None:
        require_planner(actor)
        return
    if actor is None:
        raise NotAuthenticated(
            "this job is a partner's import: send its partner's key as "
            "'Authorization: Bearer issy_…'"
        )
    if actor.partner_id != job.partner_id:
        raise Forbidden(
            f"job {job.id} is a partner's import, not yours: only the partner that queued an "
            "import may read or cancel it"
        )
