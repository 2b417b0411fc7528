"""The live data of timetabled services (GTFS-Realtime), read for the planner's snapshot.

Each registered GTFS-RT feed keeps its last good payload (:mod:`marketplace.ingest.
live_feeds`); the snapshot reads them with the timetables, so a plan uses the delays,
cancellations, skipped stops and alerts of the last poll committed before it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping

from sqlmodel import Session, col, select

from marketplace.catalogue.published import ServiceView
from marketplace.catalogue.timetables import TimetableView
from marketplace.errors import InvalidInput
from marketplace.ingest.gtfs_rt import read_live_feeds
from marketplace.models import LiveFeed, LiveFeedKind
from routing.regions.issy import TIMEZONE
from routing.transit.realtime import TripUpdates

__all__ = ["live_updates"]

log = logging.getLogger(__name__)

_GTFS_RT = (LiveFeedKind.GTFS_RT_TRIP_UPDATES, LiveFeedKind.GTFS_RT_ALERTS)


def live_updates(
    session: Session,
    views: Mapping[int, ServiceView],
    timetables: Mapping[int, TimetableView],
) -> dict[int, TripUpdates]:
    """Live updates by service id, for the services with a timetable and a read feed."""
    payloads = defaultdict(list)
    for feed in session.exec(
        select(LiveFeed)
        .where(col(LiveFeed.kind).in_(_GTFS_RT), col(LiveFeed.payload).is_not(None))
        .order_by(col(LiveFeed.id))
    ):
        if feed.service_id in timetables and feed.payload and feed.payload_at:
            payloads[feed.service_id].append((feed.payload, feed.payload_at))
    result: dict[int, TripUpdates] = {}
    for service_id, read in payloads.items():
        view = views.get(service_id)
        if view is None:
            continue
        try:
            reading = read_live_feeds(
                read,
                service_id=service_id,
                timetable=timetables[service_id],
                stations={s.external_id: s.id for s in view.stations},
                timezone=TIMEZONE,
            )
        except InvalidInput as exc:  # kept payloads were decoded once: not expected
            log.warning("live feed of service %s left out: %s", service_id, exc)
            continue
        result[service_id] = reading.updates
    return result
