"""API keys authenticated once per process, and checked again only when credentials changed.

Authenticating a key against its rows costs a transaction and two queries (the key by its
prefix, then its partner) on every request. :class:`ApiKeyCache` keeps, per process, the
:class:`~marketplace.identity.actors.Actor` of each key it authenticated together with the
*credentials version* it was checked at (:mod:`marketplace.events.version`): every
transaction that writes a partner or a key bumps that version before it commits, whichever
process or command made it. A request reads the version (one single-row ``SELECT``, no
transaction) and uses its cached entry only when the version has not moved since; otherwise
the key is checked against its rows again. So a key revoked, expired early or deleted, or a
partner renamed, is seen by every process on its very next request.

What the cache still checks on every use: the secret (against the stored SHA-256, in constant
time) and the expiry (against the clock). ``last_used_at`` is written as before, at most once
per :data:`~marketplace.identity.partners.LAST_USED_RESOLUTION` (by any process), and that
write does not move the credentials version.
"""

from __future__ import annotations

import hmac
import threading
import weakref
from dataclasses import dataclass, replace
from datetime import datetime

from marketplace.db import Database
from marketplace.events.version import Versions
from marketplace.identity.actors import Actor
from marketplace.identity.credentials import sha256_hex
from marketplace.identity.partners import (
    LAST_USED_RESOLUTION,
    check_expiry,
    check_key,
    split_key,
    stamp_last_used,
)
from marketplace.models import utcnow

__all__ = ["ApiKeyCache", "api_key_cache"]

MAX_ENTRIES = 10_000
"""Keys kept per process; past that the cache starts again empty (keys are few: partners)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    actor: Actor
    secret_sha256: str
    expires_at: datetime | None
    last_used_at: datetime | None
    version: int  # the credentials version read before the rows were


class ApiKeyCache:
    """Authenticated API keys of one database, per process (thread-safe).

    Parameters
    ----------
    db
        The database the keys and the credentials version are read from.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self.hits = 0
        """Requests answered from the cache (for tests and benchmarks)."""

    def authenticate(self, token: str) -> Actor:
        """The partner ``token`` belongs to (blocking: call it in a worker thread).

        Raises
        ------
        NotAuthenticated
            Malformed, unknown, revoked or expired key, as
            :func:`marketplace.identity.partners.authenticate` says it.
        """
        return self.authenticate_versioned(token)[0]

    def authenticate_versioned(self, token: str) -> tuple[Actor, Versions]:
        """:meth:`authenticate`, and the versions it read before checking the key (a request
        may check its other caches against them).

        Raises
        ------
        NotAuthenticated
        """
        prefix, secret = split_key(token)  # a malformed key costs no query
        versions = self._db.versions()
        version = versions.credentials
        with self._lock:
            entry = self._entries.get(prefix)
        if (
            entry is not None
            and entry.version == version
            and hmac.compare_digest(entry.secret_sha256, sha256_hex(secret))
        ):
            now = utcnow()
            check_expiry(prefix, entry.expires_at, now)
            if entry.last_used_at is None or now - entry.last_used_at > LAST_USED_RESOLUTION:
                key_id = entry.actor.key_id
                assert key_id is not None
                self._db.call(stamp_last_used, key_id, now)
                self._store(prefix, replace(entry, last_used_at=now))
            self.hits += 1
            return entry.actor, versions
        # Rows read after the version: they are at least as new as it says, so the entry is
        # not used past the next change. A refused key leaves any entry of its prefix alone:
        # a wrong secret must not evict the right one.
        checked = self._db.call(check_key, token)
        self._store(
            prefix,
            _Entry(
                checked.actor,
                checked.secret_sha256,
                checked.expires_at,
                checked.last_used_at,
                version,
            ),
        )
        return checked.actor, versions

    def _store(self, prefix: str, entry: _Entry) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES and prefix not in self._entries:
                self._entries.clear()
            self._entries[prefix] = entry


_CACHES: weakref.WeakKeyDictionary[Database, ApiKeyCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def api_key_cache(db: Database) -> ApiKeyCache:
    """The process's cache of keys authenticated against ``db`` (one per database object)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(db)
        if cache is None:
            cache = _CACHES[db] = ApiKeyCache(db)
        return cache
