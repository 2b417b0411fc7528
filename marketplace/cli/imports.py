"""``issy-mobility import gbfs|gtfs|gtfs-rt``: load a partner's feeds, as the API's imports do.

``import gtfs-rt`` registers a GTFS-Realtime file or URL as the service's live feed, reads it
at once and prints how that went; the platform's poller then reads it again every
``--interval`` seconds (a file that another program rewrites works too).

``import gtfs PATH --bbox MIN_LON,MIN_LAT,MAX_LON,MAX_LAT`` streams a large regional feed and
keeps what touches the box (:mod:`marketplace.ingest.gtfs_area`), printing its progress.

The platform's operators run these (no API key): ``--partner`` names the owner, and the feed
goes into ``--service`` or into a new draft service. One transaction per import: a rejected
feed leaves the database as it was; a committed one bumps the catalogue version (so running
servers plan with it) and is relayed to them through Redis when ``ISSY_BROADCAST_URL`` is set.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable

from sqlmodel import Session

from marketplace.identity.actors import Actor
from marketplace.ingest.report import ImportReport

__all__ = ["register"]

Importer = Callable[[Session, Actor, int], ImportReport]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import gbfs`` and ``import gtfs``."""
    importer = subparsers.add_parser("import", help="import partner feeds into the catalogue")
    formats = importer.add_subparsers(dest="import_format", required=True)
    gbfs = formats.add_parser(
        "gbfs", help="GBFS feeds (files, a folder, or a gbfs.json URL) into a service"
    )
    gbfs.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
    _common(gbfs, default_kind="BIKE_SHARE")
    gbfs.set_defaults(handler=_import_gbfs)
    gtfs = formats.add_parser("gtfs", help="a GTFS zip or folder into a service")
    gtfs.add_argument("path", metavar="PATH")
    gtfs.add_argument(
        "--bbox",
        default=None,
        metavar="MIN_LON,MIN_LAT,MAX_LON,MAX_LAT",
        help="keep only what touches this box, read as a stream (a large regional feed)",
    )
    _common(gtfs, default_kind="SHUTTLE")
    gtfs.set_defaults(handler=_import_gtfs)
    realtime = formats.add_parser(
        "gtfs-rt", help="a GTFS-Realtime file or URL (trip updates or alerts) for a service"
    )
    realtime.add_argument("source", metavar="PATH_OR_URL")
    realtime.add_argument("--partner", required=True, help="id of the partner that owns it")
    realtime.add_argument("--service", required=True, help="id of the timetabled service")
    realtime.add_argument("--alerts", action="store_true", help="the feed holds service alerts")
    realtime.add_argument("--interval", type=int, default=30, help="seconds between reads")
    realtime.set_defaults(handler=_import_gtfs_rt)


def _import_gtfs_rt(args: argparse.Namespace) -> int:
    from pathlib import Path

    from marketplace.cli.ids import parse_cli_id
    from marketplace.db import Database
    from marketplace.errors import MarketplaceError
    from marketplace.i18n import Message
    from marketplace.identity.partners import get_partner
    from marketplace.ingest.live_feeds import feed_fetcher, poll_feed, register_live_feed
    from marketplace.models import LiveFeed, LiveFeedKind
    from marketplace.settings import Settings

    source: str = args.source
    url = source if "://" in source else Path(source).resolve().as_uri()
    kind = LiveFeedKind.GTFS_RT_ALERTS if args.alerts else LiveFeedKind.GTFS_RT_TRIP_UPDATES
    settings = Settings.from_environ()
    database = Database(settings.database_url, busy_timeout_ms=settings.lock_wait_ms)
    try:
        database.require_current_schema()
        partner_id = parse_cli_id(args.partner, type_name="Partner", option="--partner")
        service_id = parse_cli_id(args.service, type_name="MobilityService", option="--service")

        def register_feed(session: Session) -> int:
            partner = get_partner(session, partner_id)
            actor = Actor(partner_id=partner.id, partner_name=partner.name, kind=partner.kind)
            feed = register_live_feed(
                session,
                actor=actor,
                service_id=service_id,
                kind=kind,
                url=url,
                interval_s=args.interval,
                allow_files=True,
            )
            assert feed.id is not None
            return feed.id

        feed_id = database.call(register_feed)
        poll_feed(database, feed_id, fetch=feed_fetcher(settings.outbound))
        feed = database.call(lambda session: session.get(LiveFeed, feed_id))
        assert feed is not None
    except MarketplaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    if feed.last_error_id is not None:
        error = Message(feed.last_error_id, json.loads(feed.last_error_params or "{}"))
        print(f"error: {error.render('en')}", file=sys.stderr)
        return 1
    problems = [
        Message(p["id"], p["params"]).render("en") for p in json.loads(feed.problems or "[]")
    ]
    print(f"read {url}: {len(feed.payload or b'')} bytes, {len(problems)} problem(s)")
    for problem in problems:
        print(f"  {problem}")
    return 0


def _common(parser: argparse.ArgumentParser, *, default_kind: str) -> None:
    parser.add_argument("--partner", required=True, help="id of the partner that owns the service")
    parser.add_argument("--service", default=None, help="service id; a new draft when omitted")
    parser.add_argument("--name", default=None, help="name of the new service")
    parser.add_argument("--kind", default=default_kind, help="kind of the new service")
    parser.add_argument("--publish", action="store_true", help="publish the service afterwards")


def _import_gbfs(args: argparse.Namespace) -> int:
    from marketplace.ingest.gbfs import import_gbfs, parse_gbfs
    from marketplace.ingest.sources import fetch_json, read_gbfs_sources
    from marketplace.settings import Settings

    print(f"reading {len(args.sources)} GBFS source(s)…", file=sys.stderr)
    policy = Settings.from_environ().outbound
    fetch = functools.partial(fetch_json, policy=policy)
    feeds = parse_gbfs(read_gbfs_sources(args.sources, fetch=fetch))
    return _run(
        args,
        "GBFS import",
        lambda session, actor, sid: import_gbfs(session, actor=actor, service_id=sid, feeds=feeds),
    )


def _import_gtfs(args: argparse.Namespace) -> int:
    from marketplace.errors import MarketplaceError
    from marketplace.ingest.gtfs import import_gtfs, parse_gtfs, read_gtfs
    from marketplace.ingest.gtfs_area import parse_bbox, restrict_to_area

    def progress(name: str, rows: int) -> None:
        print(f"  {name}: {rows:,} rows read", file=sys.stderr)

    try:
        if args.bbox is None:
            print(f"reading GTFS {args.path}…", file=sys.stderr)
            feed = parse_gtfs(read_gtfs(args.path))
        else:
            box = parse_bbox(args.bbox)
            print(f"reading GTFS {args.path} within {args.bbox}…", file=sys.stderr)
            feed = parse_gtfs(restrict_to_area(args.path, box, progress=progress))
    except MarketplaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return _run(
        args,
        "GTFS import",
        lambda session, actor, sid: import_gtfs(session, actor=actor, service_id=sid, feed=feed),
    )


def _run(args: argparse.Namespace, default_name: str, importer: Importer) -> int:
    from marketplace.api.relay import encode_global_id
    from marketplace.catalogue.services import ServiceFields, change_status, create_service
    from marketplace.cli.commit import call_and_announce
    from marketplace.cli.ids import parse_cli_id
    from marketplace.db import Database
    from marketplace.errors import InvalidInput, MarketplaceError
    from marketplace.identity.partners import get_partner
    from marketplace.models import ServiceKind, ServiceStatus
    from marketplace.settings import Settings

    try:
        partner_id = parse_cli_id(args.partner, type_name="Partner", option="--partner")
        existing = (
            None
            if args.service is None
            else parse_cli_id(args.service, type_name="MobilityService", option="--service")
        )
        kind = ServiceKind.__members__.get(args.kind.upper())
        if kind is None:
            raise InvalidInput(
                f"--kind {args.kind!r} is not a kind of service; accepted: "
                f"{', '.join(k.name for k in ServiceKind)}"
            )
    except MarketplaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def run(session: Session) -> tuple[int, ImportReport]:
        partner = get_partner(session, partner_id)
        assert partner.id is not None
        actor = Actor(partner_id=partner.id, partner_name=partner.name, kind=partner.kind)
        if existing is not None:
            service_id = existing
        else:
            fields = ServiceFields(kind, args.name or default_name)
            created = create_service(session, actor=actor, fields=fields)
            assert created.id is not None
            service_id = created.id
        report = importer(session, actor, service_id)
        if (
            args.publish
            and report.service is not None
            and report.service.status is not ServiceStatus.PUBLISHED
        ):
            change_status(
                session, actor=actor, service_id=service_id, status=ServiceStatus.PUBLISHED
            )
        return service_id, report

    settings = Settings.from_environ()
    database = Database(settings.database_url, busy_timeout_ms=settings.lock_wait_ms)
    try:
        database.require_current_schema()
        service_id, report = call_and_announce(database, run, broadcast_url=settings.broadcast_url)
    except MarketplaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(f"service id: {encode_global_id('MobilityService', service_id)}")
    for feed in sorted(set(report.created) | set(report.updated)):
        created, updated = report.created.get(feed, 0), report.updated.get(feed, 0)
        print(f"{feed}: {created} created, {updated} updated")
    print(f"skipped: {report.skipped_count}")
    for row in report.skipped[:20]:
        print(f"  {row.feed} {row.id}: {row.reason}")
    return 0
