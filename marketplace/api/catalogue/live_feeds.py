"""A service's registered live feeds as the API shows them to the service's partner."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry

from marketplace.i18n import Language, Message
from marketplace.models import LiveFeed, LiveFeedKind

__all__ = ["LiveFeedKind", "LiveFeedType", "live_feed_type"]

LiveFeedKindType = strawberry.enum(
    LiveFeedKind,
    name="LiveFeedKind",
    description="GBFS: a gbfs.json followed to its feeds, read again after its ttl; "
    "GTFS_RT_TRIP_UPDATES / GTFS_RT_ALERTS: a GTFS-Realtime protobuf read every intervalS.",
)


@strawberry.type(
    name="LiveFeed",
    description="A feed URL registered for a service, which the platform polls, and how the "
    "last reads went.",
)
class LiveFeedType:
    kind: LiveFeedKind
    url: str
    interval_s: int = strawberry.field(
        description="Seconds between reads of a GTFS-Realtime feed (GBFS uses its own ttl)."
    )
    last_attempt_at: datetime | None
    last_success_at: datetime | None = strawberry.field(
        description="When the feed was last read and applied; null: never yet."
    )
    last_error: str | None = strawberry.field(
        description="Why the last read failed (in your language); null after a success."
    )
    failures: int = strawberry.field(
        description="Failed reads in a row; the next read waits intervalS x 2^failures "
        "(at most an hour)."
    )
    next_poll_at: datetime
    problems: list[str] = strawberry.field(
        description="What the last good GTFS-Realtime payload named that the timetable lacks "
        "(unknown trips or stops): those updates are left out."
    )


def _messages(text: str | None) -> list[Message]:
    if not text:
        return []
    return [Message(item["id"], item["params"]) for item in json.loads(text)]


def live_feed_type(feed: LiveFeed, language: Language) -> LiveFeedType:
    error = None
    if feed.last_error_id is not None:
        params = json.loads(feed.last_error_params or "{}")
        error = Message(feed.last_error_id, params).render(language)
    return LiveFeedType(
        kind=feed.kind,
        url=feed.url,
        interval_s=feed.interval_s,
        last_attempt_at=feed.last_attempt_at,
        last_success_at=feed.last_success_at,
        last_error=error,
        failures=feed.failures,
        next_poll_at=feed.next_poll_at,
        problems=[m.render(language) for m in _messages(feed.problems)],
    )
