"""The Starlette application: ``create_app(settings)``.

The lifespan checks the database is at the code's schema revision (it never migrates: that is
`issy-mobility migrate`), opens the engine and the live-update bus, and
offers a seam for the street network (``street_loader``) that the trip planner will use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.api.schema import GraphQLView
from marketplace.db import Database
from marketplace.events.live import LiveUpdates
from marketplace.http.gbfs import gbfs_routes
from marketplace.http.health import health_routes
from marketplace.http.keep_alive import KeepAliveLimit
from marketplace.http.traffic_exports import traffic_routes
from marketplace.ingest.live_feeds import feed_fetcher
from marketplace.jobs.execute import JobExecutor
from marketplace.jobs.feed_poller import FeedPoller
from marketplace.jobs.queue import Reaper, reap_and_sweep, start_job_queues
from marketplace.planning.plans import Planning
from marketplace.planning.rate_limit import InProcessBuckets, PlanRateLimiter, RedisBuckets
from marketplace.planning.warm_up import WarmUp
from marketplace.settings import Settings
from marketplace.streets import StreetsState
from marketplace.traffic.config import traffic_config
from marketplace.traffic.planned import DemandRecorder
from routing.street.hierarchy.ch import set_query_parallelism

__all__ = [
    "WEB_DIR",
    "BodySizeLimit",
    "StreetLoader",
    "app_from_environ",
    "create_app",
    "web_client_routes",
]

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web"
"""The static web client (plain ES modules, no build step)."""

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
# Mount name and npm package folder of what the API explorer loads (UMD builds, no bundler).
VENDOR_GRAPHIQL = (("graphiql", "graphiql"), ("react", "react"), ("react-dom", "react-dom"))
"""Where ``make setup`` (``npm ci``) puts the browser libraries the client loads."""

StreetLoader = Callable[[Settings], StreetsState]
"""Loads the street network for the trip planner (:func:`marketplace.streets.load_streets`)."""


class _BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse HTTP request bodies above ``max_bytes`` with 413, before parsing them.

    Checks ``Content-Length`` up front and counts streamed (chunked) bodies as they come.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"request body exceeds {self.max_bytes} bytes; split the "
                        "batch into smaller calls",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                    }
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)


def _as_streets_state(loaded: StreetsState | None) -> StreetsState:
    """No loader (or nothing loaded): a state whose problem names the fix."""
    if loaded is not None:
        return loaded
    from routing.errors import NoStreetNetworkError

    return StreetsState(
        network=None,
        problem=NoStreetNetworkError(
            "no street network is loaded: start the server with --streets PATH or "
            "ISSY_STREETS (an OSM file, GraphML, topology CSV or a built artefact), or run "
            "`issy-mobility graph download` while online"
        ),
    )


def plan_rate_limiter(settings: Settings) -> PlanRateLimiter:
    """Plan buckets in Redis when the server has one (shared by all processes), else here."""
    if settings.broadcast_url and settings.broadcast_url.startswith(("redis://", "rediss://")):
        return RedisBuckets(settings.broadcast_url, settings.plan_rate_per_min, settings.plan_burst)
    return InProcessBuckets(settings.plan_rate_per_min, settings.plan_burst)


def web_client_routes() -> list[BaseRoute]:
    """The web client at ``/`` and its browser libraries under ``/vendor`` (from npm).

    Leaflet, Leaflet-Geoman and GraphiQL (with React) are served from the installed npm
    packages, never a CDN. When the packages are not installed (``make setup`` runs ``npm ci``)
    the client is still served; its map says why.
    """
    routes: list[BaseRoute] = []
    leaflet = NODE_MODULES / "leaflet" / "dist"
    if leaflet.is_dir():
        routes.append(Mount("/vendor/leaflet", app=StaticFiles(directory=leaflet), name="leaflet"))
    # The partner console draws service zones with Leaflet-Geoman (npm, like Leaflet).
    geoman = NODE_MODULES / "@geoman-io" / "leaflet-geoman-free" / "dist"
    if geoman.is_dir():
        routes.append(Mount("/vendor/geoman", app=StaticFiles(directory=geoman), name="geoman"))
    # The API explorer (/graphiql.html): GraphiQL and the React it runs on, from npm too.
    for package, folder in VENDOR_GRAPHIQL:
        if (NODE_MODULES / folder).is_dir():
            routes.append(
                Mount(
                    f"/vendor/{package}",
                    app=StaticFiles(directory=NODE_MODULES / folder),
                    name=package,
                )
            )
    if WEB_DIR.is_dir():
        routes.append(Mount("/", app=StaticFiles(directory=WEB_DIR, html=True), name="web"))
    return routes


def create_app(settings: Settings, *, street_loader: StreetLoader | None = None) -> Starlette:
    """Build the marketplace web application.

    Parameters
    ----------
    settings
        Read once by the caller (:meth:`Settings.from_environ`).
    street_loader
        The seam for the trip planner: called once in the lifespan (in a worker thread) and
        its result kept as ``app.state.streets``. ``None`` leaves ``app.state.streets`` unset
        (``None``): the catalogue works without streets.

    Returns
    -------
    starlette.applications.Starlette
        Routes ``/graphql`` (HTTP, a browser's GET sent on to ``/graphiql.html``,
        graphql-transport-ws), ``/healthz``, the GBFS 3.0 feeds
        ``/gbfs/<service id>/<feed>.json`` and the web client at ``/``.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url, busy_timeout_ms=settings.lock_wait_ms)
        # Never migrate here: replicas starting together would race (`issy-mobility migrate`).
        try:
            await run_in_threadpool(db.require_current_schema)
        except BaseException:
            db.dispose()
            raise
        live = LiveUpdates(settings.broadcast_url)
        await live.start()
        app.state.db = db
        app.state.live = live
        app.state.settings = settings
        # Before the network loads: its hierarchies size their scratch pools from it.
        parallelism = settings.query_parallelism or os.cpu_count() or 1
        set_query_parallelism(parallelism)
        # Plans get threads of their own (two per parallel query: one may wait on the
        # database): queued plans wait here, not in the pool catalogue queries run in.
        app.state.plan_threads = anyio.CapacityLimiter(2 * parallelism)
        app.state.streets = (
            await run_in_threadpool(street_loader, settings) if street_loader else None
        )
        app.state.planning = Planning(
            _as_streets_state(app.state.streets),
            db,
            availability_max_age=dt.timedelta(seconds=settings.availability_max_age_s),
        )
        planning = app.state.planning
        executor = JobExecutor(
            db,
            network=planning.network,
            config=lambda: traffic_config(app.state),
            lease_s=settings.job_lease_s,
            outbound=settings.outbound,
        )
        app.state.jobs = await run_in_threadpool(
            functools.partial(
                start_job_queues,
                settings.database_url,
                settings.job_queue_url,
                runner=executor.run,
                # Traffic jobs need the streets: a server without them leaves them to others.
                traffic_threads=settings.job_workers if planning.streets.network is not None else 0,
                import_threads=settings.job_workers,
            )
        )
        reaper = Reaper(
            lambda: reap_and_sweep(db, app.state.jobs, settings.job_lease_s),
            interval_s=settings.job_lease_s / 2,
        )
        reaper.start()
        # Live feeds: polled here when this process runs the jobs (SQLite's own queue, no
        # ISSY_JOB_QUEUE_URL); with a queue, `issy-mobility worker` polls them.
        polls = settings.poll_live_feeds
        poller = (
            FeedPoller(db, fetch=feed_fetcher(settings.outbound))
            if (polls is None and not settings.job_queue_url) or polls
            else None
        )
        if poller is not None:
            poller.start()
        app.state.plan_limiter = plan_rate_limiter(settings)
        # Planned trips are counted in memory and written about once a second.
        app.state.demand = DemandRecorder(db)
        app.state.demand.start()
        # One plan now, in the background, so no commuter's first plan pays the compilations.
        app.state.warm_up = None
        if settings.warm_up and planning.streets.network is not None:
            app.state.warm_up = WarmUp(planning)
            app.state.warm_up.start()
        log.info("marketplace ready on %s (%s)", db.backend, "redis" if live.shared else "local")
        try:
            yield
        finally:
            reaper.stop()
            if poller is not None:
                poller.stop()
            app.state.jobs.stop()
            app.state.planning.close()
            await run_in_threadpool(app.state.demand.stop)  # the last counts are written
            await app.state.plan_limiter.close()
            await live.stop()
            db.dispose()

    graphql = GraphQLView(settings)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *health_routes(),
            *gbfs_routes(),
            *traffic_routes(),
            # Last: the client's catch-all mount must not shadow the API.
            *web_client_routes(),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(KeepAliveLimit, max_requests=settings.keep_alive_max_requests)
    return app


def app_from_environ() -> Starlette:
    """The app of ``issy-mobility serve``: settings from the environment, streets loaded.

    uvicorn calls this in every worker process (``factory=True``): workers are spawned, so
    each reads what the command line wrote into the environment (``ISSY_STREETS`` carries
    ``--streets``) rather than inheriting objects.
    """
    from marketplace.streets import load_streets

    # A missing network does not stop the server: routing answers say how to provide one.
    return create_app(Settings.from_environ(), street_loader=lambda s: load_streets(s.streets))
