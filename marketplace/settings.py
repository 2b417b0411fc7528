"""Settings of the marketplace server, read once from the environment.

Library code never reads the environment: :func:`Settings.from_environ` is called by the
command line (or a test) and the resulting frozen value is handed to
:func:`marketplace.app.create_app`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from marketplace.outbound import OutboundPolicy

__all__ = ["REPO_ROOT", "Settings", "default_database_url"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_database_url(data_dir: Path | None = None) -> str:
    """The SQLite file under ``data/`` at the repository root, creating the folder if missing.

    Parameters
    ----------
    data_dir
        Folder that holds the database file; ``<repo>/data`` when omitted.

    Returns
    -------
    str
        A ``sqlite:///`` URL with an absolute path.
    """
    folder = data_dir if data_dir is not None else REPO_ROOT / "data"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'issy.sqlite3'}"


def _int(env: Mapping[str, str], name: str, default: int, *, allow_zero: bool = False) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None
    if value < 0 or (value == 0 and not allow_zero):
        kind = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"{name}={raw!r} must be {kind} integer")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server needs to know about its environment.

    Attributes
    ----------
    database_url
        SQLAlchemy URL; ``sqlite:///...`` or ``postgresql://...`` (rewritten to psycopg 3).
    broadcast_url
        ``redis://...`` to fan live updates out across server processes; ``None`` keeps them
        in process.
    streets
        Street network file or artefact for the trip planner, or ``None``.
    max_page_size
        Largest ``first`` a connection accepts.
    default_page_size
        Page size when ``first`` is omitted.
    max_body_bytes
        Largest HTTP request body accepted (413 above it).
    max_query_depth
        Deepest GraphQL selection accepted.
    max_query_cost, max_aliases
        Largest cost (a field 1, a ``plan`` 100) and number of aliases of one GraphQL
        operation (:mod:`marketplace.api.query_cost`).
    max_batch_size
        Largest batch of stations or availability rows in one mutation.
    graphiql
        Send a browser's ``GET /graphql`` to the API explorer (``/graphiql.html``).
    public_url
        Where people reach the web client; links in emails (sign-up confirmations) start
        with it. Never taken from the request's ``Host`` header, which a caller controls.
    availability_max_age_s
        Station counts older than this are shown "as of" their time in plans, not as live,
        and such stations rank below live ones.
    job_workers
        Threads of this server process per job queue: traffic jobs (assignments, scenarios;
        only with a street network) and partners' imports; ``0`` leaves them all to
        ``issy-mobility worker`` processes.
    job_lease_s
        A running job whose worker has not renewed its lease for this long is marked failed.
    job_queue_url
        ``redis://...`` to queue jobs in Redis; ``None`` queues them in the database.
    poll_live_feeds
        Whether this server polls the partners' registered live feeds (GBFS, GTFS-Realtime);
        ``None``: when it runs the jobs itself (no ``job_queue_url``), else
        ``issy-mobility worker`` does.
    plan_rate_per_min, plan_burst
        Trip plans one client (API key, session or IP address) may ask for: ``plan_burst``
        at once, refilled at ``plan_rate_per_min`` (shared through Redis when
        ``broadcast_url`` is set).
    plan_budget_ms
        Longest a plan may take; the client then gets ``PLAN_TIMEOUT``.
    query_parallelism
        Street queries one worker process runs at once (threads answering plans together);
        ``None``: the number of CPUs (``serve --workers N`` sets each worker's share, CPUs /
        N, unless ``ISSY_QUERY_PARALLELISM`` is given). ``1`` runs them one at a time.
    warm_up
        Plan one trip in the background as the server starts, so the first commuter's plan
        does not pay the kernels' loading (:mod:`marketplace.planning.warm_up`). Off for
        apps built in code (tests), on for ``issy-mobility serve`` unless ``ISSY_WARM_UP=0``.
    outbound
        Which non-public addresses the platform may fetch when it reads a URL a partner gave
        (an import, a live feed): none by default (:mod:`marketplace.outbound`).
    keep_alive_max_requests
        Requests one kept-alive HTTP connection may carry before the server closes it (the
        client opens another), so that long-lived clients spread over the ``--workers``
        (:mod:`marketplace.http.keep_alive`); ``0``: no limit.
    lock_wait_ms
        How long a write waits for a lock another writer holds (SQLite's one write lock
        during a long import; a PostgreSQL row or table lock) before the client gets
        ``DATABASE_BUSY``, nothing written.
    """

    database_url: str
    broadcast_url: str | None = None
    streets: str | None = None
    max_page_size: int = 100
    default_page_size: int = 20
    max_body_bytes: int = 2_000_000
    max_query_depth: int = 10
    max_query_cost: int = 1000
    max_aliases: int = 30
    max_batch_size: int = 1000
    graphiql: bool = True
    public_url: str = "http://localhost:8000"
    availability_max_age_s: int = 600
    job_workers: int = 1
    job_lease_s: int = 30
    job_queue_url: str | None = None
    poll_live_feeds: bool | None = None
    plan_rate_per_min: int = 120
    plan_burst: int = 20
    plan_budget_ms: int = 30_000
    keep_alive_max_requests: int = 100
    query_parallelism: int | None = None
    warm_up: bool = False
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)
    lock_wait_ms: int = 30_000

    @classmethod
    def from_environ(
        cls, streets: str | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Read the settings from the environment.

        Parameters
        ----------
        streets
            Street network path; falls back to ``ISSY_STREETS``.
        environ
            Mapping to read instead of :data:`os.environ` (tests).

        Returns
        -------
        Settings

        Raises
        ------
        ValueError
            When a numeric variable is not a positive integer.

        Notes
        -----
        Variables: ``DATABASE_URL``, ``ISSY_BROADCAST_URL`` (or ``REDIS_URL``),
        ``ISSY_STREETS``, ``ISSY_MAX_PAGE_SIZE``, ``ISSY_MAX_BODY_BYTES``,
        ``ISSY_MAX_QUERY_DEPTH``, ``ISSY_MAX_BATCH_SIZE``, ``ISSY_GRAPHIQL`` (``0`` turns it
        off), ``ISSY_PUBLIC_URL``, ``ISSY_AVAILABILITY_MAX_AGE_S``, ``ISSY_JOB_WORKERS`` (job
        threads in the server; ``0``: only ``issy-mobility worker`` processes run jobs),
        ``ISSY_JOB_LEASE_S``, ``ISSY_JOB_QUEUE_URL`` (``redis://``; default: the database).
        ``ISSY_MAX_QUERY_DEPTH``, ``ISSY_MAX_QUERY_COST``, ``ISSY_MAX_ALIASES``,
        ``ISSY_MAX_BATCH_SIZE``, ``ISSY_GRAPHIQL`` (``0`` turns it
        off), ``ISSY_PUBLIC_URL``, ``ISSY_AVAILABILITY_MAX_AGE_S``, ``ISSY_PLAN_RATE_PER_MIN``,
        ``ISSY_PLAN_BURST``, ``ISSY_PLAN_BUDGET_MS``, ``ISSY_KEEP_ALIVE_MAX_REQUESTS``,
        ``ISSY_QUERY_PARALLELISM``,
        ``ISSY_WARM_UP`` (``0`` turns the start-up plan off),
        ``ISSY_OUTBOUND_ALLOW_PRIVATE`` (``1``: fetch partners' URLs on any address),
        ``ISSY_OUTBOUND_ALLOW`` (host names and CIDR networks fetched though not public),
        ``ISSY_LOCK_WAIT_MS`` (``ISSY_SQLITE_BUSY_TIMEOUT_MS``, its former name, is still read).
        """
        env = os.environ if environ is None else environ
        database_url = env.get("DATABASE_URL") or default_database_url()
        broadcast = env.get("ISSY_BROADCAST_URL") or env.get("REDIS_URL") or None
        max_page = _int(env, "ISSY_MAX_PAGE_SIZE", 100)
        return cls(
            database_url=database_url,
            broadcast_url=broadcast,
            streets=streets or env.get("ISSY_STREETS") or None,
            max_page_size=max_page,
            default_page_size=min(20, max_page),
            max_body_bytes=_int(env, "ISSY_MAX_BODY_BYTES", 2_000_000),
            max_query_depth=_int(env, "ISSY_MAX_QUERY_DEPTH", 10),
            max_query_cost=_int(env, "ISSY_MAX_QUERY_COST", 1000),
            max_aliases=_int(env, "ISSY_MAX_ALIASES", 30),
            max_batch_size=_int(env, "ISSY_MAX_BATCH_SIZE", 1000),
            graphiql=env.get("ISSY_GRAPHIQL", "1") not in {"0", "false", "no"},
            public_url=env.get("ISSY_PUBLIC_URL") or "http://localhost:8000",
            availability_max_age_s=_int(env, "ISSY_AVAILABILITY_MAX_AGE_S", 600),
            job_workers=_int(env, "ISSY_JOB_WORKERS", 1)
            if env.get("ISSY_JOB_WORKERS") != "0"
            else 0,
            job_lease_s=_int(env, "ISSY_JOB_LEASE_S", 30),
            job_queue_url=env.get("ISSY_JOB_QUEUE_URL") or None,
            poll_live_feeds=None
            if not env.get("ISSY_POLL_LIVE_FEEDS")
            else env["ISSY_POLL_LIVE_FEEDS"] not in {"0", "false", "no"},
            plan_rate_per_min=_int(env, "ISSY_PLAN_RATE_PER_MIN", 120),
            plan_burst=_int(env, "ISSY_PLAN_BURST", 20),
            plan_budget_ms=_int(env, "ISSY_PLAN_BUDGET_MS", 30_000),
            keep_alive_max_requests=_int(env, "ISSY_KEEP_ALIVE_MAX_REQUESTS", 100, allow_zero=True),
            query_parallelism=(
                _int(env, "ISSY_QUERY_PARALLELISM", 1)
                if env.get("ISSY_QUERY_PARALLELISM")
                else None
            ),
            warm_up=env.get("ISSY_WARM_UP", "1") not in {"0", "false", "no"},
            outbound=OutboundPolicy.from_environ(env),
            lock_wait_ms=_int(
                env, "ISSY_LOCK_WAIT_MS", _int(env, "ISSY_SQLITE_BUSY_TIMEOUT_MS", 30_000)
            ),
        )
