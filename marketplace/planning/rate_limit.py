"""How many trip plans one client may ask for: a token bucket per client.

Each client (an API key or session token, else an IP address) has a bucket of ``burst``
tokens refilled at ``per_minute / 60`` tokens a second; a plan takes one token, and a client
with an empty bucket is told how long to wait. With Redis (the server's live-update URL) the
buckets live there, updated atomically by one Lua script on Redis' own clock, so every worker
and server process shares them; without it they live in the process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Protocol

import redis.asyncio as aioredis

__all__ = ["InProcessBuckets", "PlanRateLimiter", "RedisBuckets", "client_key"]

_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""
_PREFIX = "issy:plan-bucket:"


def client_key(token: str | None, address: str | None) -> str:
    """Who is asking: a hash of the bearer token (never the token itself), else the IP."""
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return f"ip:{address or 'unknown'}"


class PlanRateLimiter(Protocol):
    """Takes a token for ``client``; returns 0 when granted, else the seconds to wait."""

    per_minute: int
    burst: int

    async def take(self, client: str) -> float: ...

    async def close(self) -> None: ...


class InProcessBuckets:
    """The buckets of one process (no Redis)."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.per_minute = per_minute
        self.burst = burst
        self._rate_per_s = per_minute / 60.0
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    async def take(self, client: str) -> float:
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self._rate_per_s)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self._rate_per_s
            self._buckets[client] = (tokens, now)
            if len(self._buckets) > 100_000:  # forget full buckets, not active clients
                self._forget_full(now)
        return wait

    def _forget_full(self, now: float) -> None:
        full_after_s = self.burst / self._rate_per_s
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after_s}

    async def close(self) -> None:
        return None


class RedisBuckets:
    """The buckets in Redis, shared by every process that uses the same Redis."""

    def __init__(self, url: str, per_minute: int, burst: int) -> None:
        self.per_minute = per_minute
        self.burst = burst
        self._client = aioredis.Redis.from_url(url)
        self._script = self._client.register_script(_SCRIPT)

    async def take(self, client: str) -> float:
        wait = await self._script(
            keys=[_PREFIX + client], args=[self.per_minute / 60.0, self.burst]
        )
        return float(wait)

    async def close(self) -> None:
        await self._client.aclose()
