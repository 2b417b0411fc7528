"""``GET /healthz``: whether the database answers, and what the server runs with."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketplace.db import Database

__all__ = ["health_routes"]

log = logging.getLogger(__name__)


async def _healthz(request: Request) -> JSONResponse:
    db: Database = request.app.state.db

    def ping() -> str:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return db.backend

    try:
        backend = await run_in_threadpool(ping)
    except Exception:
        log.exception("health check: database unreachable")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return JSONResponse(
        {
            "status": "ok",
            "database": backend,
            "streets": request.app.state.planning.streets.network is not None,
            "live": "redis" if request.app.state.live.shared else "in-process",
        }
    )


def health_routes() -> list[Route]:
    """The routes to mount in the app."""
    return [Route("/healthz", _healthz)]
