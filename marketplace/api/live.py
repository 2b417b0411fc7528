"""Live catalogue events for subscriptions, in process or across processes through Redis.

:class:`LiveUpdates` subscribes to :mod:`marketplace.catalogue.events` and republishes each
local event on a ``broadcaster`` channel (``memory://`` by default, ``redis://`` when the
settings say so). GraphQL subscriptions listen on that channel. With Redis, events from other
server processes are also handed to this process's catalogue observers, so every process's
trip planner refreshes, whichever process took the partner's mutation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from broadcaster import Broadcast
from broadcaster._backends.redis import RedisBackend
from broadcaster._base import Unsubscribed

from marketplace.catalogue import events
from marketplace.catalogue.events import CatalogueEvent, ChangeKind
from marketplace.models import ServiceStatus

__all__ = ["CHANNEL", "LiveUpdates", "decode_event", "encode_event"]

log = logging.getLogger(__name__)

CHANNEL = "issy-mobility.catalogue"


class _RedisBackend(RedisBackend):
    """broadcaster 0.3.1's Redis backend, subscribing before it starts listening.

    The original wakes its listener first; with redis-py 5+ ``listen()`` returns at once
    while nothing is subscribed yet, and the listener then sleeps forever: no event ever
    arrives.
    """

    async def subscribe(self, channel: str) -> None:
        await self._pubsub.subscribe(channel)
        self._ready.set()


def _broadcast(url: str | None) -> Broadcast:
    if url is None:
        return Broadcast("memory://")
    if url.startswith(("redis://", "rediss://")):
        return Broadcast(backend=_RedisBackend(url))
    return Broadcast(url)


def encode_event(event: CatalogueEvent, origin: str) -> str:
    """JSON for the wire, stamped with the sending process."""
    return json.dumps(
        {
            "kind": event.kind.value,
            "service_id": event.service_id,
            "partner_id": event.partner_id,
            "status": event.status.name,
            "version": event.version,
            "station_ids": list(event.station_ids),
            "at": event.at.isoformat(),
            "origin": origin,
        }
    )


def decode_event(message: str) -> CatalogueEvent:
    """The event of :func:`encode_event`."""
    data = json.loads(message)
    return CatalogueEvent(
        kind=ChangeKind(data["kind"]),
        service_id=data["service_id"],
        partner_id=data["partner_id"],
        status=ServiceStatus[data["status"]],
        version=data["version"],
        station_ids=tuple(data["station_ids"]),
        at=datetime.fromisoformat(data["at"]),
        origin=data["origin"],
    )


class LiveUpdates:
    """The bridge between catalogue observers and a broadcast channel.

    Parameters
    ----------
    url
        ``redis://host:port`` to share events between processes; ``None`` for in process.
    """

    def __init__(self, url: str | None) -> None:
        self.shared = url is not None
        self.broadcast = _broadcast(url)
        self.origin = uuid.uuid4().hex
        self._loop: asyncio.AbstractEventLoop | None = None
        self._relay: asyncio.Task[None] | None = None
        self._unsubscribe = lambda: None
        self._pending: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Connect, and start forwarding events both ways."""
        await self.broadcast.connect()
        self._loop = asyncio.get_running_loop()
        self._unsubscribe = events.subscribe(self._forward)
        if self.shared:
            self._relay = asyncio.create_task(self._relay_remote_events())

    async def stop(self) -> None:
        """Stop forwarding and disconnect."""
        self._unsubscribe()
        if self._relay is not None:
            self._relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._relay
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        await self.broadcast.disconnect()

    def _forward(self, event: CatalogueEvent) -> None:
        if event.origin is not None or self._loop is None:
            return  # relayed from another process: already on the channel
        message = encode_event(event, self.origin)
        self._loop.call_soon_threadsafe(self._schedule_publish, message)

    def _schedule_publish(self, message: str) -> None:
        task = asyncio.ensure_future(self.broadcast.publish(CHANNEL, message))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _relay_remote_events(self) -> None:
        async for event in self.listen():
            if event.origin != self.origin:
                events.publish(event)

    async def listen(self) -> AsyncIterator[CatalogueEvent]:
        """Every catalogue event from now on (this process's and, with Redis, others')."""
        async with self.broadcast.subscribe(CHANNEL) as subscriber:
            while True:
                try:
                    message = await subscriber.get()
                except Unsubscribed:
                    return
                try:
                    yield decode_event(message.message)
                except (KeyError, ValueError):
                    log.warning("ignoring malformed catalogue event %r", message.message)
