"""A partner's GTFS import run as a job: read the feed, then write it in one transaction.

Reading (the feed from the job's payload, or downloaded from the partner's URL, then parsed,
checked and mapped by :func:`~marketplace.ingest.gtfs.prepare_gtfs`) writes nothing and reports
the rows read; writing is :func:`~marketplace.ingest.gtfs.write_gtfs` in one transaction that
reports the stop times written and records the job ``SUCCEEDED`` with its report before
committing. So the timetable lands with the job's success or not at
all: a cancel (seen at a progress report, or by that last conditional update) or a crash
rolls everything back, and nothing is left half-written.

On PostgreSQL the progress of the writing is committed as it goes (the job's row is not the
rows being written). A SQLite database has one writer at a time: while the import writes,
neither its progress nor a cancel can be committed; the job says what it is writing before
it starts, and a cancel asked meanwhile waits for the commit (then finds the job finished).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from marketplace.db import Database
from marketplace.errors import InvalidInput, NotFound
from marketplace.events.version import bump_catalogue_version_now
from marketplace.identity.actors import Actor
from marketplace.ingest.gtfs import (
    parse_gtfs,
    prepare_gtfs,
    read_gtfs,
    service_stop_ids,
    write_gtfs,
)
from marketplace.ingest.gtfs_area import parse_bbox, restrict_texts_to_area, restrict_to_area
from marketplace.ingest.gtfs_files import MAX_ZIP_BYTES
from marketplace.ingest.report import ImportReport
from marketplace.jobs.store import finish_job, read_payload
from marketplace.models import Job, JobStatus, Partner
from marketplace.outbound import OutboundFailed, OutboundPolicy, OutboundRefused, open_url

__all__ = [
    "MAX_SKIPPED_IN_RESULT",
    "ImportCancelled",
    "ImportSuperseded",
    "gtfs_import_params",
    "run_gtfs_import",
]

MAX_SKIPPED_IN_RESULT = 200
"""Skipped rows kept, with reasons, in a finished job's result (all are counted)."""

# Progress is committed at most this often (a batch of rows can take milliseconds).
_PROGRESS_INTERVAL_S = 0.3
# Share of the progress given to reading; writing gets the rest.
_READ_SHARE = 0.5
_DOWNLOAD_TIMEOUT_S = 60.0

# Reports progress and says whether a cancel was requested.
Report = Callable[[float, str], bool]


class ImportCancelled(Exception):
    """The partner cancelled the import: nothing of it was written."""


class ImportSuperseded(Exception):
    """The job stopped being this run's (its lease ran out and it was queued again): this run
    writes nothing, the retry does."""


def gtfs_import_params(
    *, service_id: int, url: str | None, bbox: str | None = None
) -> dict[str, Any]:
    """The JSON parameters of an import job (the files, when sent, are its payload);
    ``bbox`` (as ``import gtfs --bbox``) keeps only what touches that area."""
    return {"service_id": service_id, "url": url, "bbox": bbox}


def _download(url: str, folder: Path, report: Report, policy: OutboundPolicy) -> Path:
    """The zip at ``url`` in ``folder``, fetched under ``policy`` (:mod:`marketplace.outbound`),
    stopped at :data:`MAX_ZIP_BYTES`."""
    path = folder / "feed.zip"
    received = 0
    try:
        with (
            open_url(
                url, policy=policy, max_bytes=MAX_ZIP_BYTES, timeout_s=_DOWNLOAD_TIMEOUT_S
            ) as chunks,
            path.open("wb") as out,
        ):
            last = 0.0
            for chunk in chunks:
                received += len(chunk)
                out.write(chunk)
                if time.monotonic() - last > _PROGRESS_INTERVAL_S:
                    last = time.monotonic()
                    if report(0.0, f"downloading the feed: {received / 2**20:.1f} MiB"):
                        raise ImportCancelled
    except OutboundRefused as exc:
        raise OutboundRefused(f"the feed at {url}: {exc.message}; nothing was imported") from None
    except OutboundFailed as exc:
        raise InvalidInput(
            f"could not download the feed at {url}: {exc.message}; give a URL that answers "
            "the GTFS zip to a GET; nothing was imported"
        ) from None
    return path


def _files(
    db: Database, job: Job, params: dict[str, Any], report: Report, policy: OutboundPolicy
) -> dict[str, str]:
    assert job.id is not None
    url = params.get("url")
    box = parse_bbox(params["bbox"], option="bbox") if params.get("bbox") else None

    def cut(name: str, rows: int) -> None:  # the area's streaming read, file by file
        if report(0.0, f"keeping the area's part of the feed: {rows:,} rows of {name} read"):
            raise ImportCancelled

    if url:
        with tempfile.TemporaryDirectory(prefix="issy-gtfs-") as folder:
            path = _download(url, Path(folder), report, policy)
            return read_gtfs(path) if box is None else restrict_to_area(path, box, progress=cut)
    payload = db.call(read_payload, job.id)
    if payload is None:
        raise NotFound(f"job {job.id} has no feed left to import; queue the import again")
    files: dict[str, str] = payload["files"]
    return files if box is None else restrict_texts_to_area(files, box, progress=cut)


def _actor(session: Session, partner_id: int | None) -> Actor:
    partner = session.get(Partner, partner_id) if partner_id is not None else None
    if partner is None or partner.id is None:
        raise NotFound("the partner that queued this import no longer exists")
    return Actor(partner_id=partner.id, partner_name=partner.name, kind=partner.kind)


def import_result(report: ImportReport, catalogue_version: int) -> dict[str, Any]:
    """A finished import's report as the job's JSON result."""
    feeds = sorted(set(report.created) | set(report.updated))
    return {
        "service_id": report.service_id,
        "counts": [[f, report.created.get(f, 0), report.updated.get(f, 0)] for f in feeds],
        "skipped_count": report.skipped_count,
        "skipped": [[s.feed, s.id, s.reason] for s in report.skipped[:MAX_SKIPPED_IN_RESULT]],
        "catalogue_version": catalogue_version,
    }


def run_gtfs_import(
    db: Database, job: Job, report: Report, *, outbound: OutboundPolicy | None = None
) -> dict[str, Any]:
    """Import the feed of ``job`` (claimed by this process, on attempt ``job.attempts``);
    a feed at a URL is downloaded under ``outbound`` (default: public addresses only).

    Returns the result it recorded, committed with the timetable (the job is ``SUCCEEDED``).

    Raises
    ------
    ImportCancelled
        A cancel was requested; nothing was written.
    ImportSuperseded
        The job is not this run's any more; nothing was written.
    MarketplaceError
        What the synchronous import would have answered (a feed missing a file, a service
        that is not the partner's any more...); nothing was written.
    """
    assert job.id is not None
    job_id, attempt = job.id, job.attempts
    params: dict[str, Any] = json.loads(job.params)
    service_id = int(params["service_id"])
    actor = db.call(_actor, job.partner_id)
    if report(0.0, "reading the feed"):
        raise ImportCancelled
    files = _files(db, job, params, report, outbound or OutboundPolicy())
    total_lines = max(1, sum(text.count("\n") for text in files.values()))
    done_files: dict[str, int] = {}
    last = [0.0]

    def rows_read(name: str, rows: int) -> None:
        done_files[name] = rows
        now = time.monotonic()
        if now - last[0] < _PROGRESS_INTERVAL_S:
            return
        last[0] = now
        read = sum(done_files.values())
        share = _READ_SHARE * min(1.0, read / total_lines)
        if report(share, f"reading the feed: {read:,} rows read ({name})"):
            raise ImportCancelled

    feed = parse_gtfs(files, rows_read)
    del files
    read = sum(len(rows) for rows in feed.tables.values())
    # Checked and mapped before the write transaction opens: on SQLite the import then holds
    # the one write lock only for the inserts, and other writers (a rating, a partner's
    # update) wait that long at most.
    known_stops = db.call(service_stop_ids, service_id)
    prepared = prepare_gtfs(feed, service_id=service_id, known_stop_ids=known_stops)
    del feed
    if report(_READ_SHARE, f"writing the timetable: {read:,} rows read"):
        raise ImportCancelled
    live = db.backend == "postgresql"  # SQLite: no other writer while this one writes

    def written(done: int, total: int) -> None:
        now = time.monotonic()
        if not live or (now - last[0] < _PROGRESS_INTERVAL_S and 0 < done < total):
            return
        last[0] = now
        share = _READ_SHARE + (1 - _READ_SHARE) * done / max(total, 1)
        if report(
            min(share, 0.99), f"writing the timetable: {done:,} of {total:,} stop_times written"
        ):
            raise ImportCancelled

    def write(session: Session) -> dict[str, Any]:
        imported = write_gtfs(
            session, actor=actor, service_id=service_id, prepared=prepared, written=written
        )
        result = import_result(imported, bump_catalogue_version_now(session))
        if finish_job(
            session,
            job_id,
            status=JobStatus.SUCCEEDED,
            result=result,
            attempt=attempt,
            unless_cancelled=True,
        ):
            return result
        cancelled = session.execute(
            select(Job.cancel_requested).where(col(Job.id) == job_id)
        ).scalar_one_or_none()
        raise ImportCancelled if cancelled else ImportSuperseded

    return db.call(write)
