"""Sub-commands that run and administer the marketplace server.

``serve`` runs uvicorn, in one process or ``--workers N`` (uvicorn's process model: a parent
that restarts dead workers, each worker a full app on the shared database), on a database at
the code's schema revision, else it refuses to start; ``migrate`` applies the migrations
(serialized, :mod:`marketplace.migrate`);
``partner create`` bootstraps a deployment with a partner and its first API key;
``import gbfs|gtfs`` (see :mod:`marketplace.cli.imports`) loads a partner's feeds;
``export-schema`` rewrites ``schema.graphql``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from marketplace.cli import imports

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve``, ``migrate``, ``import``, ``export-schema`` and ``partner``."""
    serve = subparsers.add_parser("serve", help="run the web server (GraphQL API and web client)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--streets", default=None, help="street network file or artefact")
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="server processes sharing the port (default 1); caches stay coherent through "
        "the catalogue version, street artefacts are memory-mapped and shared",
    )
    serve.add_argument(
        "--worker-healthcheck-timeout-s",
        type=_positive_int,
        default=30,
        help="with --workers: restart a worker that does not answer the parent's ping within "
        "this many seconds (default 30: a worker busy planning on a loaded machine is not dead)",
    )
    serve.set_defaults(handler=_serve)

    migrate = subparsers.add_parser(
        "migrate", help="apply database migrations (DATABASE_URL, default SQLite under data/)"
    )
    migrate.set_defaults(handler=_migrate)

    imports.register(subparsers)

    export = subparsers.add_parser(
        "export-schema", help="write the GraphQL schema (SDL) to schema.graphql or a path"
    )
    export.add_argument("--output", default=None, help="file to write (default: schema.graphql)")
    export.set_defaults(handler=_export_schema)

    partner = subparsers.add_parser("partner", help="manage partner organisations")
    partner_commands = partner.add_subparsers(dest="partner_command", required=True)
    create = partner_commands.add_parser(
        "create", help="register a partner and print its id and a first API key"
    )
    create.add_argument("--name", required=True, help="organisation name (unique)")
    create.add_argument(
        "--kind",
        choices=["startup", "operator", "city"],
        default="operator",
        help="city partners may suspend any service (default: operator)",
    )
    create.add_argument("--key-name", default="bootstrap", help="label of the first key")
    create.set_defaults(handler=_partner_create)


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} must be at least 1")
    return value


APP_FACTORY = "marketplace.app:app_from_environ"
"""What each uvicorn worker imports and calls (``factory=True``)."""


def _serve(args: argparse.Namespace) -> int:

    import uvicorn

    from marketplace.db import Database
    from marketplace.settings import Settings

    settings = Settings.from_environ(streets=args.streets)
    # An unusable database stops here in one line (main prints it), not in a traceback of
    # uvicorn's lifespan; a stale schema likewise, before loading streets (minutes) and before
    # N workers start: only `migrate` changes it.
    database = Database(settings.database_url)
    try:
        database.check_connection()
        database.require_current_schema()
    finally:
        database.dispose()

    if args.streets:
        os.environ["ISSY_STREETS"] = str(Path(args.streets).expanduser().resolve())
    if args.workers > 1 and not os.environ.get("ISSY_QUERY_PARALLELISM"):
        # The processes are the parallelism: query threads beyond a worker's share of the
        # CPUs only contend for its GIL (benchmarks/load.py: 8.3 against 10.7 ms of server
        # CPU per request with 2 workers on 2 cores, 2.10x against 1.64x the baseline).
        os.environ["ISSY_QUERY_PARALLELISM"] = str(worker_query_parallelism(args.workers))
    # Each worker builds its app from the environment (a missing network does not stop the
    # server: routing answers say how to provide one).
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        timeout_worker_healthcheck=args.worker_healthcheck_timeout_s,
    )
    return 0


def worker_query_parallelism(workers: int, cpus: int | None = None) -> int:
    """Street queries each of ``workers`` processes runs at once by default: its share of
    the CPUs, at least one."""
    return max(1, (cpus or os.cpu_count() or 1) // max(1, workers))


def _migrate(args: argparse.Namespace) -> int:
    from marketplace.db import Database
    from marketplace.migrate import migrate
    from marketplace.settings import Settings

    database = Database(Settings.from_environ().database_url)
    try:
        database.check_connection()  # an unusable database is one line, not a traceback
        before, after = migrate(database.engine)
    finally:
        database.dispose()
    if before == after:
        print(f"database at head {after} ({database.backend}): nothing to do")
    else:
        print(f"database migrated from {before or 'empty'} to head {after} ({database.backend})")
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from marketplace.api.schema import SCHEMA_FILE, schema_sdl

    output = Path(args.output) if args.output else SCHEMA_FILE
    output.write_text(schema_sdl(), encoding="utf-8")
    print(f"wrote {output}")
    return 0


def _partner_create(args: argparse.Namespace) -> int:
    import sys

    from marketplace.api.relay import encode_global_id
    from marketplace.db import Database
    from marketplace.errors import MarketplaceError
    from marketplace.identity.partners import create_api_key, create_partner
    from marketplace.models import PartnerKind
    from marketplace.settings import Settings

    database = Database(Settings.from_environ().database_url)
    try:
        database.require_current_schema()

        def create(session):  # type: ignore[no-untyped-def]
            partner = create_partner(session, name=args.name, kind=PartnerKind(args.kind))
            assert partner.id is not None
            created = create_api_key(session, partner_id=partner.id, name=args.key_name)
            return partner, created

        partner, created = database.call(create)
    except MarketplaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    assert partner.id is not None
    print(f"partner id: {encode_global_id('Partner', partner.id)}")
    print(f"api key:    {created.token}")
    print("keep the key now: it is stored hashed and cannot be shown again")
    return 0
