"""What an import did, as GraphQL: answered by ``importGbfs``/``importGtfs`` at once, or
kept in a finished ``queueGtfsImport`` job."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlmodel import Session

from marketplace.api.catalogue.types import ServiceType
from marketplace.ingest.report import ImportReport
from marketplace.models import MobilityService

__all__ = ["MAX_SKIPPED_SHOWN", "ImportCount", "ImportReportType", "SkippedRowType", "report_type"]

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
    catalogue_version: int | None = strawberry.field(
        default=None,
        description="A queued import's: the catalogue version its data landed as (trip plans "
        "of this version or later see it; /healthz reports the current one).",
    )


def report_type(report: ImportReport) -> ImportReportType:
    """An import's report, answered at once."""
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


def stored_report_type(session: Session, result: dict[str, Any]) -> ImportReportType | None:
    """A finished import job's report (:func:`marketplace.jobs.gtfs_import.import_result`);
    ``None`` when its service was deleted since."""
    service = session.get(MobilityService, result["service_id"])
    if service is None:
        return None
    return ImportReportType(
        service=ServiceType.from_row(service),
        counts=[ImportCount(feed=f, created=c, updated=u) for f, c, u in result["counts"]],
        skipped_count=result["skipped_count"],
        skipped=[
            SkippedRowType(feed=f, id=i, reason=r)
            for f, i, r in result["skipped"][:MAX_SKIPPED_SHOWN]
        ],
        catalogue_version=result.get("catalogue_version"),
    )
