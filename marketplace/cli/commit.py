"""The command line's unit of work: one transaction, then the change announced as a server would.

:meth:`Database.call` commits (the catalogue version is bumped in that very transaction, see
:mod:`marketplace.events.version`) and publishes the recorded changes on this process's bus.
A command has no server listening on its bus, so when the settings name a broadcast URL
(Redis) the changes are relayed there too, through the same
:class:`~marketplace.events.live.LiveUpdates` bridge the servers use: running servers refresh
at once instead of at their next version check.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from anyio import to_thread
from redis.exceptions import RedisError
from sqlmodel import Session

from marketplace.db import Database
from marketplace.events.live import LiveUpdates

__all__ = ["call_and_announce"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def call_and_announce(
    database: Database, work: Callable[[Session], T], *, broadcast_url: str | None
) -> T:
    """Run ``work(session)`` in one transaction; announce its changes to every server.

    Parameters
    ----------
    database
        Where the work commits.
    work
        The storage calls to make; any exception rolls everything back and is re-raised.
    broadcast_url
        ``redis://...`` to relay the changes to other processes; ``None`` for none (the
        servers still see the change through the catalogue version).
    """
    if broadcast_url is None:
        return database.call(work)
    return asyncio.run(_call_relayed(database, work, broadcast_url))


async def _call_relayed(database: Database, work: Callable[[Session], T], url: str) -> T:
    live = LiveUpdates(url)
    try:
        await live.start()
    except (OSError, RedisError) as exc:
        # The change must not wait for the message bus: servers check the version anyway.
        log.warning("cannot reach %s (%s): servers will see the change by its version", url, exc)
        return database.call(work)
    try:
        # In a worker thread, as in a server: the bridge forwards to this running loop.
        return await to_thread.run_sync(database.call, work)
    finally:
        await live.stop()
