"""Engine, sessions and migrations for SQLite and PostgreSQL.

The marketplace uses synchronous SQLAlchemy sessions and runs every unit of database work
in a worker thread (:meth:`Database.run`), so resolvers never block the event loop and the
same storage functions serve the API, the command line and the tests.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from anyio import to_thread
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from marketplace.errors import InvalidInput, MarketplaceError
from marketplace.events.unit_of_work import publish_pending
from marketplace.events.version import (
    Versions,
    read_catalogue_version,
    read_timetable_version,
    read_versions,
)
from marketplace.i18n import Message

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "MIGRATIONS_DIR",
    "POOL_PING_IDLE_S",
    "SQLITE_BUSY_TIMEOUT_MS",
    "Database",
    "DatabaseBusy",
    "DatabaseUnavailable",
    "create_db_engine",
    "normalise_database_url",
    "upgrade_database",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

T = TypeVar("T")

log = logging.getLogger(__name__)

# Alembic announces each of its plugins at INFO when imported: noise in a server log.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite write waits for the one writer (a long import's inserts) by default."""

# What SQLite says when a write could not get the lock before its busy timeout.
_BUSY = ("database is locked", "database table is locked", "database is busy")


class DatabaseBusy(MarketplaceError):
    """A write waited its whole lock wait for another writer (SQLite has one at a time; on
    PostgreSQL, one holding the same rows): nothing of it was written, and the same request
    can be sent again."""

    code = "DATABASE_BUSY"


class _ConnectionLost(Exception):
    """The connection of a transaction died before its commit was tried (internal)."""


class DatabaseUnavailable(MarketplaceError):
    """The database cannot be opened: unreachable server, refused login, missing folder.

    Raised before anything runs, so a server or command stops with one line saying why.
    """

    code = "SERVICE_UNAVAILABLE"


def _shown(url: str) -> str:
    """``url`` as it may appear in a log: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unreadable URL)"


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver.

    ``postgresql://`` and ``postgres://`` (what most hosting platforms hand out) would make
    SQLAlchemy look for psycopg2, which is not installed.

    Parameters
    ----------
    url
        Any SQLAlchemy URL.

    Returns
    -------
    str
        The same URL, with ``postgresql+psycopg://`` for PostgreSQL.

    Raises
    ------
    InvalidInput
        When the URL is no URL, or names neither SQLite nor PostgreSQL.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    try:
        backend = make_url(url).get_backend_name()
    except sa.exc.ArgumentError:
        backend = None
    if backend not in {"sqlite", "postgresql"}:
        raise InvalidInput(
            f"DATABASE_URL {url!r} names {backend!r}; accepted: sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        )
    return url


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers run while a writer commits; SQLite leaves foreign keys off unless
        # asked. A writer waits busy_timeout for the one write lock before giving up.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return set_pragmas


def _postgres_lock_timeout(lock_timeout_ms: int) -> Callable[[Any, Any], None]:
    def set_lock_timeout(dbapi_connection: Any, _record: Any) -> None:
        # Without it a write waits for a row lock as long as the holder's transaction lasts.
        # Set for the session (not SET LOCAL), committed so no transaction stays open.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        dbapi_connection.commit()

    return set_lock_timeout


def _is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is a write giving up on a lock after its wait: SQLite's busy timeout,
    or PostgreSQL's ``lock_timeout`` (SQLSTATE 55P03, lock not available)."""
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) == "55P03":
        return True
    text = str(exc.orig or exc).lower()
    return any(words in text for words in _BUSY)


POOL_PING_IDLE_S = 2.0
"""PostgreSQL: a pooled connection idle for longer than this is pinged before it is handed out
(a connection in steady use is not: ``pool_pre_ping`` cost a ``SELECT 1`` round trip on every
checkout)."""

_LAST_CHECKIN = "marketplace.db.last_checkin"


def _ping_idle_connections(engine: Engine, idle_s: float) -> None:
    """Ping, on checkout, pooled connections idle for longer than ``idle_s`` seconds; a dead one
    raises :class:`sqlalchemy.exc.DisconnectionError`, so the pool replaces it with a fresh
    connection (SQLAlchemy's documented pessimistic disconnect handling) and the caller never
    sees it. A connection killed while in steady use fails its next statement: SQLAlchemy then
    invalidates every connection of the pool opened before that moment (see
    :meth:`Database.versions`, which retries a read once on that)."""

    @sa.event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_CHECKIN] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_LAST_CHECKIN)
        if last is None or time.monotonic() - last <= idle_s:
            return  # new, or recently in use
        try:
            engine.dialect.do_ping(dbapi_connection)  # what pool_pre_ping runs, autocommit
        except Exception as exc:
            record.info.pop(_LAST_CHECKIN, None)
            raise sa.exc.DisconnectionError(f"pooled connection is dead: {exc}") from exc


def create_db_engine(
    url: str,
    *,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    ping_idle_s: float = POOL_PING_IDLE_S,
) -> Engine:
    """Create the engine for a SQLite or PostgreSQL URL.

    Parameters
    ----------
    url
        SQLAlchemy URL; ``postgresql://`` is rewritten to psycopg 3.
    busy_timeout_ms
        How long a write waits for a lock before failing (then :class:`DatabaseBusy`):
        SQLite's busy timeout for the one write lock, PostgreSQL's ``lock_timeout``.
    ping_idle_s
        PostgreSQL: pooled connections idle for longer than this are pinged on checkout.

    Returns
    -------
    sqlalchemy.engine.Engine
    """
    url = normalise_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:":
            # A mistyped path must not silently start an empty database elsewhere: only
            # the default folder (settings.default_database_url) is ever created.
            folder = Path(database).parent
            if not folder.is_dir():
                raise DatabaseUnavailable(
                    f"the folder {folder} of the SQLite database {database} does not exist; "
                    "create it or correct DATABASE_URL"
                )
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine
    engine = sa.create_engine(url, pool_size=10, max_overflow=10)
    sa.event.listen(engine, "connect", _postgres_lock_timeout(busy_timeout_ms))
    _ping_idle_connections(engine, ping_idle_s)
    return engine


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # env.py takes this engine rather than a URL in an ini file: one source of truth.
    config.attributes["engine"] = engine
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision``.

    Parameters
    ----------
    engine
        Engine of the database to migrate.
    revision
        Target revision, ``head`` by default.
    """
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


class Database:
    """An engine plus the way the rest of the marketplace uses it.

    Parameters
    ----------
    url
        SQLAlchemy URL of the database.
    busy_timeout_ms
        How long a write waits for a lock another writer holds (SQLite: the one write lock a
        long import holds; PostgreSQL: a row or table lock) before the caller gets
        :class:`DatabaseBusy`.
    ping_idle_s
        PostgreSQL: pooled connections idle for longer than this are pinged on checkout.
    """

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        ping_idle_s: float = POOL_PING_IDLE_S,
    ) -> None:
        self.url = normalise_database_url(url)
        self.busy_timeout_ms = busy_timeout_ms
        self.engine = create_db_engine(
            self.url, busy_timeout_ms=busy_timeout_ms, ping_idle_s=ping_idle_s
        )
        # PostgreSQL: autocommit for the version check, no BEGIN and ROLLBACK round trips
        # around the one SELECT (same pool). SQLite starts no transaction for a SELECT, and
        # switching its isolation level per checkout costs more than it saves
        # (benchmarks/catalogue_version.py).
        self._version_engine = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.backend == "postgresql"
            else self.engine
        )

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def session(self) -> Session:
        """A new session; objects stay readable after commit (they leave the thread)."""
        return Session(self.engine, expire_on_commit=False)

    def check_connection(self) -> None:
        """Open one connection, so an unusable database is told before anything runs.

        Raises
        ------
        DatabaseUnavailable
            Unreachable server, refused login, unknown database, unreadable file: one line
            saying which database (without its password) and the driver's reason.
        """
        try:
            with self.engine.connect():
                pass
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig) else "?"
            raise DatabaseUnavailable(
                f"cannot open the database {_shown(self.url)}: {reason}"
            ) from None

    def migrate(self) -> None:
        """Apply every pending migration, serialized with concurrent calls
        (:func:`marketplace.migrate.migrate`)."""
        from marketplace.migrate import migrate

        self.check_connection()
        migrate(self.engine)

    def require_current_schema(self) -> None:
        """Raise :class:`marketplace.migrate.SchemaOutOfDate` unless the schema is at head."""
        from marketplace.migrate import require_current_schema

        require_current_schema(self.engine)

    def call(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``work(session, *args, **kwargs)`` in one transaction, committed on success.

        Any exception rolls the whole transaction back, so a batch is all or nothing. The
        changes the work recorded (:mod:`marketplace.events`) are published once committed.

        Raises
        ------
        DatabaseBusy
            Another writer (a long import) held the lock this write needed for longer than
            ``busy_timeout_ms``; nothing was written.
        """
        try:
            return self._call_once(work, args, kwargs, first_attempt=True)
        except _ConnectionLost:
            # The connection died (a terminated backend, a restarted server) before the commit
            # was even tried: the server rolled the whole transaction back, so running it once
            # more on a fresh connection (SQLAlchemy invalidated the pool's older ones) is safe.
            log.warning("database connection lost; running the work again")
            return self._call_once(work, args, kwargs, first_attempt=False)

    def _call_once(
        self,
        work: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        first_attempt: bool,
    ) -> T:
        with self.session() as session:
            try:
                with session.begin():
                    try:
                        result = work(session, *args, **kwargs)
                    except sa.exc.DBAPIError as exc:
                        if first_attempt and exc.connection_invalidated:
                            raise _ConnectionLost from exc
                        raise
            except sa.exc.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                waited_s = round(self.busy_timeout_ms / 1000, 1)
                raise DatabaseBusy(Message("database.busy", {"waited_s": waited_s})) from None
            publish_pending(session)
            return result

    async def run(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """:meth:`call` in a worker thread, so the event loop keeps serving."""
        return await to_thread.run_sync(functools.partial(self.call, work, *args, **kwargs))

    def catalogue_version(self) -> int:
        """The committed catalogue version: one indexed single-row ``SELECT``.

        Every transaction that changed the catalogue bumped it before committing
        (:mod:`marketplace.events.version`), whichever process or command made it.
        """
        with self._version_engine.connect() as connection:
            return read_catalogue_version(connection)

    def versions(self) -> Versions:
        """The committed catalogue, timetable and credentials versions: one single-statement
        read on an autocommit connection.

        Read-only, so it is tried again once on a connection that turned out dead (a
        terminated backend): the failure invalidated the pool's older connections, and the
        second try gets a fresh one.
        """
        try:
            with self._version_engine.connect() as connection:
                return read_versions(connection)
        except sa.exc.DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        with self._version_engine.connect() as connection:
            return read_versions(connection)

    def timetable_version(self) -> int:
        """The committed timetable version: bumped only by transactions that wrote timetables
        (:data:`marketplace.events.version.TIMETABLE_TABLES`)."""
        with self._version_engine.connect() as connection:
            return read_timetable_version(connection)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
