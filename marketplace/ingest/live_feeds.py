"""Feeds a partner registers for a service, and one poll of one of them.

A GBFS feed is a ``gbfs.json`` followed to the feeds it lists and imported as ``importGbfs``
would (the partner's own rules apply), next read after the smallest ``ttl`` its documents
give (the registered interval when they say 0). A GTFS-Realtime feed (trip updates or alerts)
is read every ``interval_s``; a payload that is a ``FeedMessage`` is kept for the trip planner
and, when it differs from the last one, bumps the catalogue version so the next plan reads it
in every process. What the feed names that the timetable lacks is kept as ``problems``.

A failed read (no answer, an HTTP error, not protobuf, not GBFS) changes nothing but the
feed's status: ``last_error``, one more ``failure``, and the next read pushed back
exponentially (interval x 2^failures, at most :data:`MAX_BACKOFF_S`). Several processes may
poll the same database: a feed is claimed by moving its ``next_poll_at`` forward with a
compare-and-set, so only one of them reads it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import sqlalchemy as sa
from sqlmodel import Session, col, select

from marketplace.catalogue.services import lock_owned_service
from marketplace.catalogue.timetables import published_timetables
from marketplace.db import Database
from marketplace.errors import InvalidInput, MarketplaceError
from marketplace.events.version import mark_catalogue_changed
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.ingest.gbfs import import_gbfs, parse_gbfs
from marketplace.ingest.gtfs_rt import decode_feed, read_live_feeds
from marketplace.ingest.sources import read_gbfs_sources
from marketplace.models import (
    LiveFeed,
    LiveFeedKind,
    MobilityService,
    Partner,
    Station,
    utcnow,
)
from marketplace.outbound import OutboundFailed, OutboundPolicy, OutboundRefused, fetch_url
from routing.regions.issy import TIMEZONE

__all__ = [
    "DEFAULT_INTERVAL_S",
    "MAX_BACKOFF_S",
    "FetchBytes",
    "claim_due_feeds",
    "feed_fetcher",
    "fetch_bytes",
    "poll_feed",
    "register_live_feed",
]

DEFAULT_INTERVAL_S = 30
MIN_INTERVAL_S = 5
MAX_INTERVAL_S = 3600
MAX_BACKOFF_S = 3600
# A claimed feed is not claimed again for this long, even if its poller died meanwhile.
CLAIM_S = 120
_TIMEOUT_S = 15.0
_MAX_BYTES = 32 * 1024 * 1024

FetchBytes = Callable[[str], bytes]
STRICT = OutboundPolicy()


class FetchFailed(Exception):
    """A feed could not be read; ``message`` says why, for the feed's status."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render("en"))
        self.message = message


def fetch_bytes(url: str, *, policy: OutboundPolicy = STRICT) -> bytes:
    """The body at ``url`` (redirects followed, each hop checked against ``policy``: see
    :mod:`marketplace.outbound`), or the file a ``file://`` URL names (only the operator's
    command line registers those).

    Raises
    ------
    FetchFailed
        No answer, an HTTP error status, an address ``policy`` refuses, an unreadable file,
        a body over 32 MiB, more than 15 s.
    """
    if url.startswith("file://"):
        try:
            return Path(url2pathname(urlsplit(url).path)).read_bytes()[: _MAX_BYTES + 1]
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise FetchFailed(
                Message("live_feed.fetch_failed", {"url": url, "reason": reason})
            ) from None
    try:
        return fetch_url(url, policy=policy, max_bytes=_MAX_BYTES, timeout_s=_TIMEOUT_S)
    except (OutboundRefused, OutboundFailed) as exc:
        raise FetchFailed(
            Message("live_feed.fetch_failed", {"url": url, "reason": exc.message})
        ) from None


def feed_fetcher(policy: OutboundPolicy) -> FetchBytes:
    """:func:`fetch_bytes` under the deployment's ``policy`` (its setting ``outbound``)."""
    return functools.partial(fetch_bytes, policy=policy)


def _check(url: str, interval_s: int, *, allow_files: bool) -> None:
    schemes = ("http://", "https://", "file://") if allow_files else ("http://", "https://")
    if not url.startswith(schemes) or len(url) > 2000:
        raise InvalidInput(Message("live_feed.bad_url", {"url": url[:200]}))
    if not MIN_INTERVAL_S <= interval_s <= MAX_INTERVAL_S:
        params = {"value": interval_s, "low": MIN_INTERVAL_S, "high": MAX_INTERVAL_S}
        raise InvalidInput(Message("live_feed.bad_interval", params))


def register_live_feed(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    kind: LiveFeedKind,
    url: str,
    interval_s: int = DEFAULT_INTERVAL_S,
    allow_files: bool = False,
) -> LiveFeed:
    """Register (or replace) the service's feed of ``kind``; it is read at once.

    ``allow_files`` accepts ``file://`` URLs: for the operator's command line only, never
    for a caller of the API (it would read the server's files).

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden, Conflict
        The caller may not change the service.
    InvalidInput
        Not an http(s) URL, or an interval outside 5 to 3600 s.
    """
    lock_owned_service(session, actor, service_id)
    _check(url, interval_s, allow_files=allow_files)
    feed = session.exec(
        select(LiveFeed).where(LiveFeed.service_id == service_id, col(LiveFeed.kind) == kind)
    ).first()
    if feed is None:
        feed = LiveFeed(service_id=service_id, kind=kind, url=url)
    elif feed.url != url:
        feed.payload = feed.payload_at = feed.problems = None
        mark_catalogue_changed(session)  # the old feed's delays no longer hold
    feed.url, feed.interval_s = url, interval_s
    feed.failures, feed.next_poll_at = 0, utcnow()
    feed.last_error_id = feed.last_error_params = None
    session.add(feed)
    session.flush()
    return feed


def service_live_feeds(session: Session, service_id: int) -> list[LiveFeed]:
    """The feeds registered for ``service_id``, by kind."""
    return sorted(
        session.exec(select(LiveFeed).where(LiveFeed.service_id == service_id)),
        key=lambda feed: feed.kind.value,
    )


def claim_due_feeds(session: Session, now: dt.datetime) -> list[int]:
    """Ids of the feeds due at ``now`` that this caller claimed (others' claims lose)."""
    due = session.exec(
        select(LiveFeed.id, LiveFeed.next_poll_at).where(col(LiveFeed.next_poll_at) <= now)
    ).all()
    claimed = []
    table = LiveFeed.__table__  # type: ignore[attr-defined]
    for feed_id, next_poll_at in due:
        result = session.execute(
            sa.update(table)
            .where(table.c.id == feed_id, table.c.next_poll_at == next_poll_at)
            .values(next_poll_at=now + dt.timedelta(seconds=CLAIM_S))
        )
        if getattr(result, "rowcount", 0) == 1 and feed_id is not None:
            claimed.append(feed_id)
    return claimed


@dataclass(frozen=True, slots=True)
class _Outcome:
    next_in_s: float
    payload: bytes | None = None
    problems: tuple[Message, ...] = ()


def poll_feed(
    db: Database,
    feed_id: int,
    *,
    fetch: FetchBytes = fetch_bytes,
    now: Callable[[], dt.datetime] = utcnow,
) -> None:
    """Read feed ``feed_id`` once and record how it went; never raises for a bad feed."""
    feed = db.call(lambda session: session.get(LiveFeed, feed_id))
    if feed is None:
        return
    started = now()
    try:
        if feed.kind is LiveFeedKind.GBFS:
            outcome = _poll_gbfs(db, feed, fetch)
        else:
            outcome = _poll_gtfs_rt(db, feed, fetch)
    except FetchFailed as exc:
        db.call(_failed, feed_id, started, exc.message)
    except MarketplaceError as exc:
        message = exc.worded or Message(
            "live_feed.fetch_failed", {"url": feed.url, "reason": exc.message}
        )
        db.call(_failed, feed_id, started, message)
    else:
        db.call(_succeeded, feed_id, started, outcome)


def _failed(session: Session, feed_id: int, at: dt.datetime, message: Message) -> None:
    feed = session.get(LiveFeed, feed_id)
    if feed is None:
        return
    feed.failures += 1
    backoff_s = min(feed.interval_s * 2**feed.failures, MAX_BACKOFF_S)
    feed.last_attempt_at = at
    feed.next_poll_at = at + dt.timedelta(seconds=backoff_s)
    feed.last_error_id = message.id
    feed.last_error_params = json.dumps(dict(message.params), default=str)
    session.add(feed)


def _succeeded(session: Session, feed_id: int, at: dt.datetime, outcome: _Outcome) -> None:
    feed = session.get(LiveFeed, feed_id)
    if feed is None:
        return
    feed.failures = 0
    feed.last_attempt_at = feed.last_success_at = at
    feed.next_poll_at = at + dt.timedelta(seconds=outcome.next_in_s)
    feed.last_error_id = feed.last_error_params = None
    if outcome.payload is not None:
        if outcome.payload != feed.payload:
            mark_catalogue_changed(session)  # the next plan, in every process, reads it
        feed.payload, feed.payload_at = outcome.payload, at
        feed.problems = json.dumps(
            [{"id": m.id, "params": dict(m.params)} for m in outcome.problems], default=str
        )
    session.add(feed)


def _poll_gtfs_rt(db: Database, feed: LiveFeed, fetch: FetchBytes) -> _Outcome:
    payload = fetch(feed.url)
    decode_feed(payload)  # not protobuf: refused before anything is kept

    def match(session: Session) -> tuple[Message, ...]:
        tables = published_timetables(session, service_ids=[feed.service_id])
        stations = {
            external_id: station_id
            for external_id, station_id in session.exec(
                select(Station.external_id, Station.id).where(Station.service_id == feed.service_id)
            )
            if station_id is not None
        }
        reading = read_live_feeds(
            [(payload, utcnow())],
            service_id=feed.service_id,
            timetable=tables[0] if tables else None,
            stations=stations,
            timezone=TIMEZONE,
        )
        return reading.problems

    return _Outcome(float(feed.interval_s), payload, db.call(match))


def _poll_gbfs(db: Database, feed: LiveFeed, fetch: FetchBytes) -> _Outcome:
    ttls: list[float] = []

    def fetch_json(url: str) -> Any:
        body = fetch(url)
        try:
            document = json.loads(body)
        except ValueError as exc:
            reason = f"not JSON ({exc})"
            raise FetchFailed(
                Message("live_feed.fetch_failed", {"url": url, "reason": reason})
            ) from None
        ttl = document.get("ttl") if isinstance(document, dict) else None
        if isinstance(ttl, int | float) and ttl > 0:
            ttls.append(float(ttl))
        return document

    documents = read_gbfs_sources([feed.url], fetch=fetch_json)
    feeds = parse_gbfs(documents)

    def write(session: Session) -> None:
        service = session.get(MobilityService, feed.service_id)
        partner = session.get(Partner, service.partner_id) if service else None
        if partner is None:
            return
        actor = Actor(partner_id=partner.id, partner_name=partner.name, kind=partner.kind)
        import_gbfs(session, actor=actor, service_id=feed.service_id, feeds=feeds)

    db.call(write)
    return _Outcome(max(min(ttls, default=feed.interval_s), MIN_INTERVAL_S))
