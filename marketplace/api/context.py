"""The per-request context: settings, database, loaders, the calling partner or person, and
the language answers are worded in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from anyio import to_thread
from starlette.requests import HTTPConnection
from strawberry.types import Info as _Info

from marketplace.api.catalogue.loaders import Loaders
from marketplace.api.community.loaders import CommunityLoaders
from marketplace.db import Database
from marketplace.events.live import LiveUpdates
from marketplace.events.version import Versions
from marketplace.http.language import preferred_language
from marketplace.i18n import Language
from marketplace.identity.actors import Actor
from marketplace.identity.bearer import authenticate_token_versioned, bearer_token_of
from marketplace.settings import Settings

__all__ = ["Context", "Info", "bearer_token"]

T = TypeVar("T")


def bearer_token(
    connection: HTTPConnection, connection_params: dict[str, Any] | None
) -> str | None:
    """The API key of a request: ``Authorization: Bearer …`` or, for WebSockets, the
    ``Authorization`` entry of the ``connection_init`` payload (browsers cannot set headers
    on a WebSocket).

    Raises
    ------
    NotAuthenticated
        An ``Authorization`` value that is not a bearer token.
    """
    header = connection.headers.get("authorization")
    if header is None and connection_params:
        value = connection_params.get("Authorization") or connection_params.get("authorization")
        header = value if isinstance(value, str) else None
    return bearer_token_of(header)


class Context:
    """What every resolver of one request (or one WebSocket operation) shares."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        live: LiveUpdates,
        connection: HTTPConnection,
        connection_params: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.live = live
        self.connection = connection
        self.connection_params = connection_params
        self.loaders = Loaders(db)
        self.community = CommunityLoaders(db)
        self.language: Language = preferred_language(connection)
        """``Accept-Language`` (or ``?lang=``), French by default; a ``locale`` argument
        where a field has one (``plan``) overrides it."""
        self._actor_resolved = False
        self._actor: Actor | None = None
        self._versions: Versions | None = None

    async def actor(self) -> Actor | None:
        """The calling partner or person, or ``None`` when no token was sent.

        ``Bearer sess_…`` is a person's session (:mod:`marketplace.identity`); any other bearer
        token is a partner API key.

        Raises
        ------
        NotAuthenticated
            A key or session was sent but is malformed, unknown, revoked or expired: a bad
            token is never silently treated as anonymous.
        """
        if not self._actor_resolved:
            token = bearer_token(self.connection, self.connection_params)
            if token is None:
                self._actor = None
            else:
                self._actor, versions = await to_thread.run_sync(
                    authenticate_token_versioned, self.db, token
                )
                if self._versions is None and self._short_lived:
                    self._versions = versions
            self._actor_resolved = True
        return self._actor

    async def versions(self) -> Versions:
        """The catalogue, timetable and credentials versions as this request first read them
        (authenticating an API key reads them; otherwise one read now), for caches that must
        answer as of one moment of the request, never older than its start."""
        if self._versions is not None:
            return self._versions
        versions = await to_thread.run_sync(self.db.versions)
        if self._short_lived:
            self._versions = versions
        return versions

    @property
    def _short_lived(self) -> bool:
        # An HTTP request; a WebSocket's context may live as long as its subscription.
        return self.connection.scope.get("type") == "http"

    async def run(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run storage work in one transaction in a worker thread."""
        return await self.db.run(work, *args, **kwargs)


Info = _Info[Context, None]
