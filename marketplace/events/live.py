"""Live events for subscriptions, in process or across processes through Redis.

:class:`LiveUpdates` subscribes to the event bus (:mod:`marketplace.events.bus`) and
republishes each local event on a ``broadcaster`` channel (``memory://`` by default,
``redis://`` when the settings say so): catalogue events on one channel, community events on
another. GraphQL subscriptions listen on those channels. With Redis, catalogue events from
other server processes are also handed to this process's observers, so every process's trip
planner refreshes, whichever process took the partner's mutation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable

from broadcaster import Broadcast
from broadcaster._backends.redis import RedisBackend
from broadcaster._base import Unsubscribed

from marketplace.events import bus, community
from marketplace.events.catalogue import CatalogueEvent, decode_event, encode_event
from marketplace.events.community import CommunityEvent

__all__ = ["CHANNEL", "LiveUpdates"]

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


class LiveUpdates:
    """The bridge between the event bus and the broadcast channels.

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
        self._unsubscribers: list[Callable[[], None]] = []
        self._pending: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Connect, and start forwarding events both ways."""
        await self.broadcast.connect()
        self._loop = asyncio.get_running_loop()
        self._unsubscribers = [
            bus.subscribe(CatalogueEvent, self._forward),
            bus.subscribe(CommunityEvent, self._forward_community),
        ]
        if self.shared:
            self._relay = asyncio.create_task(self._relay_remote_events())

    async def stop(self) -> None:
        """Stop forwarding and disconnect."""
        for unsubscribe in self._unsubscribers:
            unsubscribe()
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
        self._loop.call_soon_threadsafe(self._schedule_publish, CHANNEL, message)

    def _forward_community(self, event: CommunityEvent) -> None:
        # Followers listen on the community channel itself: nothing to relay back.
        if self._loop is None:
            return
        message = community.encode_event(event)
        self._loop.call_soon_threadsafe(self._schedule_publish, community.CHANNEL, message)

    def _schedule_publish(self, channel: str, message: str) -> None:
        task = asyncio.ensure_future(self.broadcast.publish(channel, message))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _relay_remote_events(self) -> None:
        async for event in self.listen():
            if event.origin != self.origin:
                bus.publish(event)

    def listening(self, channel: str) -> int:
        """How many subscriptions of this process listen on ``channel`` now.

        A GraphQL subscription hears only events published after it reached the channel;
        callers that must not miss the first event (tests, health checks) wait on this.
        """
        return len(self.broadcast._subscribers.get(channel, ()))

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
