"""``GET /healthz``: whether the database answers, and what the server runs with.

``catalogue_version`` is the committed catalogue version every plan is checked against: two
server processes on one database report the same number once both have seen a change.
``worker`` names the process that answered (its pid): behind ``serve --workers N`` successive
requests reach different workers. ``warm_up`` says whether the start-up plan
(:mod:`marketplace.planning.warm_up`) has run: until it is ``done``, a first plan may be slow.
"""

from __future__ import annotations

import logging
import os

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketplace.db import Database
from marketplace.planning.warm_up import WarmUp

__all__ = ["health_routes"]

log = logging.getLogger(__name__)


async def _healthz(request: Request) -> JSONResponse:
    db: Database = request.app.state.db

    try:
        version = await run_in_threadpool(db.catalogue_version)
    except Exception:
        log.exception("health check: database unreachable")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return JSONResponse(
        {
            "status": "ok",
            "worker": {"pid": os.getpid()},
            "database": db.backend,
            "catalogue_version": version,
            "streets": request.app.state.planning.streets.network is not None,
            "live": "redis" if request.app.state.live.shared else "in-process",
            "warm_up": _warm_up_state(request),
        }
    )


def _warm_up_state(request: Request) -> dict[str, object]:
    """``off`` (not asked, or no streets), ``running``, ``done`` (with its seconds) or
    ``failed`` (with why: the first real plan then pays what it would have)."""
    warm_up: WarmUp | None = getattr(request.app.state, "warm_up", None)
    if warm_up is None:
        return {"state": "off"}
    if not warm_up.done:
        return {"state": "running"}
    if warm_up.problem is not None:
        return {"state": "failed", "problem": warm_up.problem}
    return {"state": "done", "seconds": round(warm_up.seconds or 0.0, 2)}


def health_routes() -> list[Route]:
    """The routes to mount in the app."""
    return [Route("/healthz", _healthz)]
