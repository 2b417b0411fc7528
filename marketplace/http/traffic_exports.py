"""``GET /traffic/<period>/<file>``: the latest run's exports, for planners.

Files: ``segments.geojson``, ``segments.csv``, ``hotspots.geojson``, ``hotspots.csv`` and
``hotspots.png`` (titled in ``?lang=fr|en`` or the ``Accept-Language``, framed on Issy's
hotspots); the CSV header row is in that language too, or the column ids with
``?header=ids``; ``?run=<TrafficRun id>`` picks another successful run of the period. The
same bearer authentication as ``/graphql`` (a planner's session or the city's API key);
errors are JSON ``{"error": message, "code": CODE}`` with the matching HTTP status, the
message in the same language.
"""

from __future__ import annotations

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketplace.api.relay import decode_global_id, parse_database_id
from marketplace.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    MarketplaceError,
    NotAuthenticated,
    NotFound,
)
from marketplace.http.language import preferred_language
from marketplace.i18n import Language, Message
from marketplace.identity.actors import require_planner
from marketplace.identity.bearer import authenticate_token, bearer_token_of
from marketplace.models import RunStatus, TrafficHotspot, TrafficRun, TrafficSegment
from marketplace.traffic.config import period_named
from marketplace.traffic.exports import CSV_HEADERS, EXPORT_FILES, CsvHeader, export_file
from marketplace.traffic.runner import drive_graph, network_sha256
from marketplace.traffic.runs import get_run, latest_run, run_hotspots, run_segments
from routing.errors import RoutingError

__all__ = ["traffic_routes"]

_STATUS = {
    InvalidInput: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
}


def _error(error: MarketplaceError, language: Language) -> JSONResponse:
    status = next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 400)
    message = error.localized(language)
    return JSONResponse({"error": message, "code": error.code}, status_code=status)


def _header(request: Request) -> CsvHeader:
    asked = request.query_params.get("header", "labels")
    for header in CSV_HEADERS:
        if asked == header:
            return header
    raise InvalidInput(Message("exports.header", {"value": asked}), field="header")


def _read(
    session: Session, period: str, run_param: str | None
) -> tuple[TrafficRun, list[TrafficSegment], list[TrafficHotspot]]:
    if run_param is None:
        run = latest_run(session, period)
        if run is None:
            raise NotFound(f"no successful traffic run of {period} yet; run runAssignment first")
    else:
        run_id = (
            parse_database_id(run_param, what="traffic run")
            if run_param.isascii() and run_param.isdigit()
            else decode_global_id(run_param, "TrafficRun")[1]
        )
        run = get_run(session, run_id)
        if run.period != period or run.status is not RunStatus.SUCCEEDED:
            raise NotFound(f"run {run_param} is no successful run of {period}")
    assert run.id is not None
    return run, run_segments(session, run.id), run_hotspots(session, run.id)


async def _export(request: Request) -> Response:
    period: str = request.path_params["period"]
    name: str = request.path_params["file"]
    state = request.app.state
    language = preferred_language(request)
    try:
        header = _header(request)
        token = bearer_token_of(request.headers.get("authorization"))
        actor = (
            None if token is None else await run_in_threadpool(authenticate_token, state.db, token)
        )
        require_planner(actor, what="traffic exports")
        period_named(period)
        if name not in EXPORT_FILES:
            raise NotFound(f"no export {name!r}; available: {', '.join(EXPORT_FILES)}")
        run, segments, hotspots = await state.db.run(_read, period, request.query_params.get("run"))
        try:
            network = state.planning.network()
            graph = drive_graph(network)
        except RoutingError as exc:
            return JSONResponse({"error": str(exc), "code": "SERVICE_UNAVAILABLE"}, status_code=503)
        exported = await run_in_threadpool(
            lambda: export_file(
                name,
                graph,
                run,
                segments,
                hotspots,
                network_sha256(network),
                language=language,
                header=header,
            )
        )
    except MarketplaceError as error:
        return _error(error, language)
    filename = f"issy_traffic_{period}_run{run.id}_{name}"
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Planners' data: never kept by a shared cache.
            "Cache-Control": "private, no-store",
        },
    )


def traffic_routes() -> list[Route]:
    """The routes to mount in the app."""
    return [Route("/traffic/{period}/{file}", _export, name="traffic_export")]
