"""The background poller of registered live feeds (GBFS, GTFS-Realtime).

One daemon thread per process that polls: the server on a SQLite database (which runs its
jobs itself), ``issy-mobility worker`` when a queue is used. Every ``tick_s`` it claims the
feeds that are due (:func:`~marketplace.ingest.live_feeds.claim_due_feeds`, safe with
several pollers on one database) and reads each once. A bad feed only changes that feed's
status; nothing a feed serves stops the thread.
"""

from __future__ import annotations

import logging
import threading

from marketplace.db import Database
from marketplace.ingest.live_feeds import FetchBytes, claim_due_feeds, fetch_bytes, poll_feed
from marketplace.models import utcnow

__all__ = ["FeedPoller"]

log = logging.getLogger(__name__)


class FeedPoller:
    """Polls the due feeds of ``db`` every ``tick_s`` seconds in a daemon thread."""

    def __init__(self, db: Database, *, tick_s: float = 1.0, fetch: FetchBytes = fetch_bytes):
        self._db = db
        self._tick_s = tick_s
        self._fetch = fetch
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="feed-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poll_due(self) -> int:
        """Poll every feed due now, once; how many were polled."""
        claimed = self._db.call(claim_due_feeds, utcnow())
        for feed_id in claimed:
            if self._stop.is_set():
                break
            try:
                poll_feed(self._db, feed_id, fetch=self._fetch)
            except Exception:
                # A database hiccup: the claim lapses and the feed is read again later.
                log.exception("polling live feed %s failed", feed_id)
        return len(claimed)

    def _loop(self) -> None:
        while not self._stop.wait(self._tick_s):
            try:
                self.poll_due()
            except Exception:
                log.exception("claiming live feeds failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
