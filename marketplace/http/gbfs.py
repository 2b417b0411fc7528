"""``/gbfs/<service id>/<feed>.json``: GBFS 3.0 feeds of published bike and scooter shares."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketplace.api.relay import decode_global_id, parse_database_id
from marketplace.catalogue.published import published_service
from marketplace.db import Database
from marketplace.errors import InvalidInput, NotFound
from marketplace.feeds.gbfs import FEEDS, GBFS_KINDS, TTL_S, build_feed

__all__ = ["gbfs_routes"]


def _not_found(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=404)


async def _feed(request: Request) -> JSONResponse:
    raw_id: str = request.path_params["service"]
    feed: str = request.path_params["feed"]
    if feed not in FEEDS:
        return _not_found(f"no GBFS feed {feed!r}; available: {', '.join(FEEDS)}")
    try:
        service_id = (
            parse_database_id(raw_id, what="service")
            if raw_id.isascii() and raw_id.isdigit()
            else decode_global_id(raw_id, expected="MobilityService")[1]
        )
    except (InvalidInput, NotFound) as exc:
        return _not_found(exc.message)
    db: Database = request.app.state.db
    service = await db.run(published_service, service_id)
    if service is None or service.kind not in GBFS_KINDS:
        return _not_found(f"no published bike or scooter share with id {raw_id}")
    base_url = str(request.url_for("gbfs_feed", service=raw_id, feed="gbfs")).removesuffix(
        "/gbfs.json"
    )
    document = build_feed(service, feed, base_url=base_url)
    return JSONResponse(document, headers={"Cache-Control": f"public, max-age={TTL_S}"})


def gbfs_routes() -> list[Route]:
    """The routes to mount in the app."""
    return [Route("/gbfs/{service}/{feed}.json", _feed, name="gbfs_feed")]
