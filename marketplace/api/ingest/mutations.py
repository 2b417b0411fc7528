"""Import mutations: a partner uploads its GBFS or GTFS feed and gets a report back."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from anyio import to_thread
from sqlmodel import Session
from strawberry.scalars import JSON

from marketplace.api.catalogue.live_feeds import LiveFeedType, live_feed_type
from marketplace.api.context import Info
from marketplace.api.ingest.types import ImportReportType, report_type
from marketplace.api.jobs.operations import queue_job
from marketplace.api.jobs.types import JobType
from marketplace.api.permissions import IsPartner
from marketplace.api.relay import decode_global_id
from marketplace.catalogue.access import require_owner
from marketplace.catalogue.services import get_service, lock_owned_service
from marketplace.errors import InvalidInput, TooLargeToWait
from marketplace.identity.actors import require_actor
from marketplace.ingest.gbfs import import_gbfs, parse_gbfs
from marketplace.ingest.gtfs import (
    PreparedGtfs,
    parse_gtfs,
    prepare_gtfs,
    service_stop_ids,
    write_gtfs,
)
from marketplace.ingest.gtfs_area import parse_bbox, restrict_texts_to_area
from marketplace.ingest.gtfs_files import require_feed_files
from marketplace.ingest.live_feeds import DEFAULT_INTERVAL_S, register_live_feed
from marketplace.ingest.report import ImportReport
from marketplace.jobs.gtfs_import import gtfs_import_params
from marketplace.models import JobKind, LiveFeed, LiveFeedKind
from marketplace.outbound import check_url

__all__ = ["IngestMutation"]

SYNC_MAX_STOP_TIMES = 10_000
"""Rows of ``stop_times.txt`` that ``importGtfs`` imports while the caller waits; larger
feeds are queued (``queueGtfsImport``), so no request holds a server thread for long."""

QUEUE_GTFS_IMPORT = "queueGtfsImport"

_BBOX = (
    "`min_lon,min_lat,max_lon,max_lat` in degrees (GeoJSON order), such as "
    "`2.22,48.81,2.29,48.84` for Issy: keep the stops inside, the trips calling there (their "
    "calls inside only), their routes, calendars and fares."
)


def _gtfs_files(files: object) -> dict[str, str]:
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise InvalidInput(
            "files must be an object mapping GTFS file names to their CSV text, e.g. "
            '{"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\\n…"}'
        )
    texts: dict[str, str] = files
    return texts


def _stop_time_rows(files: dict[str, str]) -> int:
    text = files.get("stop_times.txt", "")
    return max(0, text.count("\n") - 1 + (0 if text.endswith("\n") or not text else 1))


def _check_feed_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")) or len(url) > 2000:
        raise InvalidInput(
            f"url {url[:200]!r} is not an http:// or https:// URL of at most 2000 characters; "
            "give the address of your GTFS zip"
        )
    return url


@strawberry.type
class IngestMutation:
    @strawberry.mutation(
        description="Register (or replace) a feed URL of your service that the platform "
        "polls: GBFS (its gbfs.json; read again after the ttl it gives) or GTFS-Realtime trip "
        "updates or alerts (read every `intervalS`, 5 to 3600 s), applied to the next plans. "
        "Trip updates and alerts are matched on the GTFS trip_id, route_id and stop_id of "
        "the timetable you imported. See the service's `liveFeeds` for the last reads.",
        permission_classes=[IsPartner],
    )
    async def register_live_feed(
        self,
        info: Info,
        service_id: strawberry.ID,
        kind: LiveFeedKind,
        url: str,
        interval_s: int = DEFAULT_INTERVAL_S,
    ) -> LiveFeedType:
        _, sid = decode_global_id(service_id, expected="MobilityService")
        actor = await info.context.actor()
        if url.strip().startswith(("http://", "https://")):  # others: register's own message
            check_url(url.strip(), policy=info.context.settings.outbound)

        def run(session: Session) -> LiveFeed:
            return register_live_feed(
                session,
                actor=actor,
                service_id=sid,
                kind=kind,
                url=url.strip(),
                interval_s=interval_s,
            )

        feed = await info.context.run(run)
        return live_feed_type(feed, info.context.language)

    @strawberry.mutation(
        description="Import GBFS 2.x/3.0 feeds into your service, in one transaction. `feeds` "
        "maps feed names (station_information, station_status, vehicle_types, "
        "system_pricing_plans, geofencing_zones, and a free-floating service's vehicles as "
        "vehicle_status or free_bike_status) to their JSON documents. Rows are matched on the "
        "feed's ids, so importing again updates rather than duplicates; a vehicle outside the "
        "service zone or in a no-parking area is skipped and reported.",
        permission_classes=[IsPartner],
    )
    async def import_gbfs(
        self, info: Info, service_id: strawberry.ID, feeds: JSON
    ) -> ImportReportType:
        _, sid = decode_global_id(service_id, expected="MobilityService")
        actor = await info.context.actor()

        def run(session: Session) -> ImportReport:
            # Whose service it is comes first: a stranger learns nothing about the payload.
            lock_owned_service(session, actor, sid)
            if not isinstance(feeds, dict):
                raise InvalidInput(
                    "feeds must be an object mapping feed names to GBFS documents, e.g. "
                    '{"station_information": {...}, "station_status": {...}}'
                )
            documents: dict[str, Any] = feeds
            return import_gbfs(session, actor=actor, service_id=sid, feeds=parse_gbfs(documents))

        # Parsing a metropolis-sized feed is CPU work: keep it off the event loop too.
        report = await info.context.run(run)
        return report_type(report)

    @strawberry.mutation(
        description="Import a GTFS feed (stops, routes, trips, stop_times, calendar and/or "
        "calendar_dates) into your service, in one transaction, while you wait. `files` maps "
        "file names (`stops.txt`…) to their CSV text. Stops are upserted as stations; the "
        "timetable is replaced as a whole. With `bbox`, only what touches that area is "
        "imported, as the command line's `import gtfs --bbox` does. Up to "
        f"{SYNC_MAX_STOP_TIMES:,} stop_times rows (after the bbox cut); a larger feed is "
        "refused with TOO_LARGE_TO_WAIT: queue it with queueGtfsImport.",
        permission_classes=[IsPartner],
    )
    async def import_gtfs(
        self,
        info: Info,
        service_id: strawberry.ID,
        files: JSON,
        bbox: Annotated[str | None, strawberry.argument(description=_BBOX)] = None,
    ) -> ImportReportType:
        _, sid = decode_global_id(service_id, expected="MobilityService")
        actor = await info.context.actor()

        def stations(session: Session) -> frozenset[str]:
            # Whose service it is comes first: a stranger learns nothing about the payload.
            require_owner(actor, get_service(session, actor=actor, service_id=sid))
            return service_stop_ids(session, sid)

        def prepare(known_stop_ids: frozenset[str]) -> PreparedGtfs:
            texts = _gtfs_files(files)
            if bbox is not None:
                texts = restrict_texts_to_area(texts, parse_bbox(bbox, option="bbox"))
            rows = _stop_time_rows(texts)
            if rows > SYNC_MAX_STOP_TIMES:
                raise TooLargeToWait(
                    f"stop_times.txt has {rows:,} rows; importGtfs imports at most "
                    f"{SYNC_MAX_STOP_TIMES:,} while you wait: queue this feed with "
                    f"{QUEUE_GTFS_IMPORT}(serviceId, files) (or url), which returns a Job to "
                    "follow with job(id) or jobProgress(id); nothing was imported",
                    limit=SYNC_MAX_STOP_TIMES,
                    rows=rows,
                    mutation=QUEUE_GTFS_IMPORT,
                )
            return prepare_gtfs(parse_gtfs(texts), service_id=sid, known_stop_ids=known_stop_ids)

        # Read, checked and mapped outside the write transaction, so other writers (SQLite
        # has one at a time) wait only for the inserts, as the import job does; the write
        # locks the service and checks its owner and stations again.
        known = await info.context.run(stations)
        prepared = await to_thread.run_sync(prepare, known)
        report = await info.context.run(
            lambda s: write_gtfs(s, actor=actor, service_id=sid, prepared=prepared)
        )
        return report_type(report)

    @strawberry.mutation(
        description="Queue the import of a GTFS feed of any size into your service, and get "
        "the Job at once (follow it with job(id) or jobProgress(id): rows read, then "
        "stop_times written; cancelJob stops it). Give `files` (as importGtfs) or `url`, the "
        "address of your GTFS zip, which a worker downloads. With `bbox`, only what touches "
        "that area is imported, as importGtfs and `import gtfs --bbox` do. The feed is "
        "written in one transaction with the job's success: a failed or cancelled import "
        "writes nothing. The finished job's importReport says what was imported and the "
        "catalogue version trip plans see it from. Only you (your partner's keys and "
        "members) read the job.",
        permission_classes=[IsPartner],
    )
    async def queue_gtfs_import(
        self,
        info: Info,
        service_id: strawberry.ID,
        files: JSON | None = None,
        url: str | None = None,
        bbox: Annotated[str | None, strawberry.argument(description=_BBOX)] = None,
    ) -> JobType:
        _, sid = decode_global_id(service_id, expected="MobilityService")
        actor = require_actor(await info.context.actor())
        if (files is None) == (url is None):
            raise InvalidInput(
                "give either files (GTFS file names to their CSV text) or url (the address "
                "of your GTFS zip), not both nor neither"
            )
        texts = _gtfs_files(files) if files is not None else None
        address = _check_feed_url(url) if url is not None else None
        if address is not None:
            check_url(address, policy=info.context.settings.outbound)
        if bbox is not None:
            parse_bbox(bbox, option="bbox")  # refused now, not when the worker reads it

        def check(session: Session) -> None:
            # Whose service it is comes first: a stranger learns nothing about the payload.
            lock_owned_service(session, actor, sid)
            if texts is not None:
                require_feed_files(texts)

        return await queue_job(
            info,
            JobKind.GTFS_IMPORT,
            gtfs_import_params(service_id=sid, url=address, bbox=bbox),
            partner_id=actor.partner_id,
            payload={"files": texts} if texts is not None else None,
            check=check,
        )
