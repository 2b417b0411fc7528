"""Import mutations: a partner uploads its GBFS or GTFS feed and gets a report back."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlmodel import Session
from strawberry.scalars import JSON

from marketplace.api.catalogue.live_feeds import LiveFeedType, live_feed_type
from marketplace.api.catalogue.types import ServiceType
from marketplace.api.context import Info
from marketplace.api.permissions import IsPartner
from marketplace.api.relay import decode_global_id
from marketplace.catalogue.services import lock_owned_service
from marketplace.errors import InvalidInput
from marketplace.ingest.gbfs import import_gbfs, parse_gbfs
from marketplace.ingest.gtfs import import_gtfs, parse_gtfs
from marketplace.ingest.gtfs_area import parse_bbox, restrict_texts_to_area
from marketplace.ingest.live_feeds import DEFAULT_INTERVAL_S, register_live_feed
from marketplace.ingest.report import ImportReport
from marketplace.models import LiveFeed, LiveFeedKind

__all__ = ["IngestMutation"]

MAX_SKIPPED_SHOWN = 200


@strawberry.type(description="Rows written from one feed.")
class ImportCount:
    feed: str
    created: int
    updated: int


@strawberry.type(name="SkippedRow", description="A row left out of an import, and why.")
class SkippedRowType:
    feed: str
    id: str
    reason: str


@strawberry.type(name="ImportReport", description="What an import did.")
class ImportReportType:
    service: ServiceType
    counts: list[ImportCount]
    skipped_count: int
    skipped: list[SkippedRowType] = strawberry.field(
        description=f"The first {MAX_SKIPPED_SHOWN} rows skipped, with reasons."
    )


def _report(report: ImportReport) -> ImportReportType:
    assert report.service is not None
    feeds = sorted(set(report.created) | set(report.updated))
    return ImportReportType(
        service=ServiceType.from_row(report.service),
        counts=[
            ImportCount(
                feed=feed,
                created=report.created.get(feed, 0),
                updated=report.updated.get(feed, 0),
            )
            for feed in feeds
        ],
        skipped_count=report.skipped_count,
        skipped=[
            SkippedRowType(feed=s.feed, id=s.id, reason=s.reason)
            for s in report.skipped[:MAX_SKIPPED_SHOWN]
        ],
    )


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
        return _report(report)

    @strawberry.mutation(
        description="Import a GTFS feed (stops, routes, trips, stop_times, calendar and/or "
        "calendar_dates) into your service, in one transaction. `files` maps file names "
        "(`stops.txt`…) to their CSV text. Stops are upserted as stations; the timetable is "
        "replaced as a whole. With `bbox`, only what touches that area is imported, as the "
        "command line's `import gtfs --bbox` does.",
        permission_classes=[IsPartner],
    )
    async def import_gtfs(
        self,
        info: Info,
        service_id: strawberry.ID,
        files: JSON,
        bbox: Annotated[
            str | None,
            strawberry.argument(
                description="`min_lon,min_lat,max_lon,max_lat` in degrees (GeoJSON order), "
                "such as `2.22,48.81,2.29,48.84` for Issy: keep the stops inside, the trips "
                "calling there (their calls inside only), their routes, calendars and fares."
            ),
        ] = None,
    ) -> ImportReportType:
        _, sid = decode_global_id(service_id, expected="MobilityService")
        actor = await info.context.actor()

        def run(session: Session) -> ImportReport:
            # Whose service it is comes first: a stranger learns nothing about the payload.
            lock_owned_service(session, actor, sid)
            if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
                raise InvalidInput(
                    "files must be an object mapping GTFS file names to their CSV text, e.g. "
                    '{"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\\n…"}'
                )
            texts: dict[str, str] = files
            if bbox is not None:
                texts = restrict_texts_to_area(texts, parse_bbox(bbox, option="bbox"))
            return import_gtfs(session, actor=actor, service_id=sid, feed=parse_gtfs(texts))

        report = await info.context.run(run)
        return _report(report)
