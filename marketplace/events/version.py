"""The catalogue version, bumped by the unit of work whenever a transaction changed the catalogue.

Events tell the processes that hear them; the version tells every process, including those
whose messages were lost or that never had a message bus (a second server without Redis, a
server while the command line imports). A session that wrote to any catalogue table (through
the ORM, or a bulk ``INSERT``/``UPDATE``/``DELETE`` through :meth:`Session.execute`), or whose
storage functions recorded a change (:func:`marketplace.events.changes.record_service_change`),
increments the one row of :class:`~marketplace.models.CatalogueVersion` just before it
commits, in the same transaction: the bump and the change are visible together or not at all.
No storage function has to remember it. The hooks are on SQLAlchemy's ``Session`` class
itself, so every session of the process is covered, whoever made it.

Readers compare :func:`read_catalogue_version` with the version of their cached snapshot: one
indexed single-row ``SELECT``.

A second row of the same table, the *timetable* version (:func:`read_timetable_version`), is
bumped too when the transaction wrote a timetable table (:data:`TIMETABLE_TABLES`). The
planner re-reads timetables (hundreds of thousands of stop times on a regional feed) only
when it moved, not on every availability batch.

A third row, the *static* version (:func:`read_live_versions`), is bumped by every catalogue
change except those that wrote live state only: station availability
(:data:`LIVE_TABLES`) and free-floating vehicles' positions (a change recorded as
:attr:`~marketplace.events.catalogue.ChangeKind.AVAILABILITY`, :func:`mark_live_changed`).
While it stays, the planner patches its snapshot with the live counts alone rather than
reading and mapping every service again (an availability batch every few seconds).

Which availability rows are new: a batch takes the next *live sequence* number
(:func:`claim_live_sequence`, a fourth row, locked until the batch commits, so numbers commit
in order) and stamps its rows with it; a reader that read the sequence before its rows reads
next only the rows stamped above it. A write to :data:`LIVE_TABLES` from a transaction that
claimed no number stamps nothing, so it counts as a static change: at worst a full read.

Which timetables moved: each write is attributed to its service where the row or statement
says so (a ``service_id`` column, an ORM row's or a bulk statement's values, a ``WHERE
service_id = …``), or to the service the transaction declared with
:func:`scope_timetable_writes` (a GTFS import writes one service's stop times, which name trips,
not services). The commit bumps each such service's row of
:class:`~marketplace.models.TimetableRevision` (:func:`read_timetable_revisions`), so the
planner re-reads those services only. A write no rule attributes bumps the *unattributed*
timetable row instead (:data:`UNATTRIBUTED_TIMETABLE_ROW`), and readers re-read every service:
never a stale timetable, at worst a full re-read.

A fourth row, the *credentials* version (:func:`read_versions`), is bumped (alone: the
catalogue does not move) by a transaction that wrote a partner or an API key, except a write
that only stamps an API key's ``last_used_at``. Servers keep the keys they authenticated while
it has not moved (:mod:`marketplace.identity.key_cache`), so a revoked key or a renamed
partner is seen by every process on its next request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from marketplace.models import (
    ApiKey,
    CatalogueVersion,
    MobilityService,
    Partner,
    Place,
    PricingPlan,
    Region,
    Station,
    StationAvailability,
    StreetClosure,
    TimetableRevision,
    TrafficRun,
    TransitCalendar,
    TransitCalendarDate,
    TransitFare,
    TransitFareRule,
    TransitFaresV2,
    TransitRoute,
    TransitStopTime,
    TransitStopZone,
    TransitTransfer,
    TransitTrip,
    VehicleType,
)
from marketplace.models.catalogue_version import (
    CATALOGUE_VERSION_ROW,
    CREDENTIALS_VERSION_ROW,
    TIMETABLE_VERSION_ROW,
)

__all__ = [
    "CATALOGUE_TABLES",
    "CREDENTIAL_TABLES",
    "LIVE_SEQUENCE_ROW",
    "LIVE_TABLES",
    "STATIC_VERSION_ROW",
    "TIMETABLE_TABLES",
    "UNATTRIBUTED_TIMETABLE_ROW",
    "Versions",
    "bump_catalogue_version",
    "bump_catalogue_version_now",
    "claim_live_sequence",
    "mark_catalogue_changed",
    "mark_credentials_changed",
    "mark_live_changed",
    "read_catalogue_version",
    "read_live_versions",
    "read_timetable_revisions",
    "read_timetable_version",
    "read_versions",
    "scope_timetable_writes",
]

UNATTRIBUTED_TIMETABLE_ROW = 3
"""The row of :class:`CatalogueVersion` bumped by timetable writes no service was found for:
when it moves, every service's timetable is read again."""

STATIC_VERSION_ROW = 4
"""The row of :class:`CatalogueVersion` bumped (with the catalogue version) by every catalogue
change but those of live state only: while it stays, only live counts changed."""

LIVE_SEQUENCE_ROW = 5
"""The row of :class:`CatalogueVersion` holding the last live sequence number claimed
(:func:`claim_live_sequence`)."""

CATALOGUE_TABLES: frozenset[str] = frozenset(
    str(model.__tablename__)
    for model in (
        MobilityService,
        Place,
        Region,
        Station,
        StationAvailability,
        StreetClosure,
        PricingPlan,
        VehicleType,
        TransitRoute,
        TransitCalendar,
        TransitCalendarDate,
        TransitTrip,
        TransitStopTime,
        TrafficRun,
    )
)
"""Tables whose rows the trip planner's catalogue is built from (street closures included:
car legs go around them; traffic runs too: car legs take the latest run's congested times):
a write to one bumps."""

TIMETABLE_TABLES: frozenset[str] = frozenset(
    str(model.__tablename__)
    for model in (
        # Stations too: stop times name them, and a station deleted takes its stop times.
        Station,
        TransitRoute,
        TransitCalendar,
        TransitCalendarDate,
        TransitTrip,
        TransitStopTime,
        TransitFare,
        TransitFareRule,
        TransitFaresV2,
        TransitStopZone,
        TransitTransfer,
    )
)
"""Tables the planner's timetables are read from: a write to one bumps the timetable version
as well as the catalogue version."""

LIVE_TABLES: frozenset[str] = frozenset({str(StationAvailability.__tablename__)})
"""Catalogue tables of live state only: a write to one, from a transaction that claimed a
live sequence number (:func:`claim_live_sequence`) and stamped its rows with it, bumps the
catalogue version but not the static version."""

_CHANGED = "marketplace.events.catalogue_changed"
_STATIC_CHANGED = "marketplace.events.static_changed"  # a change beyond live state
_LIVE_SEQUENCE = "marketplace.events.live_sequence"  # the number this transaction claimed
CREDENTIAL_TABLES: frozenset[str] = frozenset(
    str(model.__tablename__) for model in (Partner, ApiKey)
)
"""Tables an authenticated API key is checked against: a write to one bumps the credentials
version (:data:`CREDENTIALS_VERSION_ROW`)."""

_LAST_USED = "last_used_at"  # stamped by authentication: no credential changes with it

_CHANGED = "marketplace.events.catalogue_changed"
_CREDENTIALS_CHANGED = "marketplace.events.credentials_changed"
_TIMETABLE_CHANGED = "marketplace.events.timetable_changed"
_TIMETABLE_SERVICES = "marketplace.events.timetable_services"  # set of service ids written
_TIMETABLE_UNATTRIBUTED = "marketplace.events.timetable_unattributed"
_TIMETABLE_SCOPE = "marketplace.events.timetable_scope"  # the service a transaction writes
_REVISIONS = TimetableRevision.__table__  # type: ignore[attr-defined]
_TABLE = CatalogueVersion.__table__  # type: ignore[attr-defined]
_READ = sa.select(_TABLE.c.version).where(_TABLE.c.id == CATALOGUE_VERSION_ROW)
_READ_TIMETABLE = sa.select(_TABLE.c.version).where(_TABLE.c.id == TIMETABLE_VERSION_ROW)
_READ_LIVE = sa.select(_TABLE.c.id, _TABLE.c.version).where(
    _TABLE.c.id.in_([STATIC_VERSION_ROW, LIVE_SEQUENCE_ROW])
)
_READ_VERSIONS = sa.select(_TABLE.c.id, _TABLE.c.version).where(
    _TABLE.c.id.in_([CATALOGUE_VERSION_ROW, TIMETABLE_VERSION_ROW, CREDENTIALS_VERSION_ROW])
)


@dataclass(frozen=True, slots=True)
class Versions:
    """The committed catalogue, timetable and credentials versions, read together."""

    catalogue: int
    timetable: int
    credentials: int


def mark_catalogue_changed(session: Session) -> None:
    """Bump the version (and the static version) when ``session``'s transaction commits
    (once, however many marks)."""
    session.info[_CHANGED] = True
    session.info[_STATIC_CHANGED] = True


def mark_live_changed(session: Session) -> None:
    """Bump the catalogue version, not the static version, when ``session``'s transaction
    commits, for a change of live state only (availability, vehicles' positions): the
    planner then re-reads the live state alone. Any other mark in the same transaction
    bumps the static version as well."""
    session.info[_CHANGED] = True


def mark_credentials_changed(session: Session) -> None:
    """Bump the credentials version when ``session``'s transaction commits: for a change to
    partners or keys made other than through the ORM or a statement on their tables."""
    session.info[_CREDENTIALS_CHANGED] = True


def mark_timetable_changed(session: Session, service_ids: Iterable[int] | None = None) -> None:
    """Bump the timetable version (and the catalogue version) when ``session`` commits, and
    the revision of each of ``service_ids`` (``None``: services unknown, see
    :func:`scope_timetable_writes`; without a scope every service is re-read)."""
    session.info[_CHANGED] = True
    session.info[_STATIC_CHANGED] = True
    session.info[_TIMETABLE_CHANGED] = True
    if service_ids is None:
        scope = session.info.get(_TIMETABLE_SCOPE)
        if scope is None:
            session.info[_TIMETABLE_UNATTRIBUTED] = True
            return
        service_ids = (scope,)
    session.info.setdefault(_TIMETABLE_SERVICES, set()).update(service_ids)


def scope_timetable_writes(session: Session, service_id: int) -> None:
    """Declare that ``session``'s transaction writes the timetable of ``service_id`` only:
    timetable writes that name no service (stop times name trips, calendar dates name
    calendars) are attributed to it until the transaction ends."""
    session.info[_TIMETABLE_SCOPE] = service_id


def read_timetable_revisions(connection: Connection | Session) -> tuple[int, dict[int, int]]:
    """The committed unattributed-timetable version and each service's timetable revision
    (a service without a row has revision 0)."""
    unattributed = connection.execute(
        sa.select(_TABLE.c.version).where(_TABLE.c.id == UNATTRIBUTED_TIMETABLE_ROW)
    ).scalar()
    rows = connection.execute(sa.select(_REVISIONS.c.service_id, _REVISIONS.c.revision))
    return int(unattributed or 0), {int(sid): int(rev) for sid, rev in rows}


def read_catalogue_version(connection: Connection) -> int:
    """The committed catalogue version (0 before any change)."""
    version = connection.execute(_READ).scalar()
    return int(version or 0)


def read_live_versions(connection: Connection | Session) -> tuple[int, int]:
    """The committed static version and live sequence number, in one ``SELECT``."""
    found = {int(row_id): int(version) for row_id, version in connection.execute(_READ_LIVE)}
    return found.get(STATIC_VERSION_ROW, 0), found.get(LIVE_SEQUENCE_ROW, 0)


def claim_live_sequence(session: Session) -> int:
    """The next live sequence number, for ``session``'s transaction to stamp the live rows
    it writes with (``station_availability.live_sequence``); the same number however many
    times it asks. The row stays locked until the transaction ends, so the numbers commit in
    the order they were claimed: a reader that read the number ``n`` then the rows has every
    row stamped ``n`` or less, and reads next only those stamped above it."""
    claimed = session.info.get(_LIVE_SEQUENCE)
    if claimed is None:
        claimed = session.info[_LIVE_SEQUENCE] = _bump_row(session, LIVE_SEQUENCE_ROW)
    return int(claimed)


def read_timetable_version(connection: Connection) -> int:
    """The committed timetable version (0 before any timetable change)."""
    version = connection.execute(_READ_TIMETABLE).scalar()
    return int(version or 0)


def read_versions(connection: Connection) -> Versions:
    """The catalogue, timetable and credentials versions in one single-statement read (each
    0 before its first change)."""
    found = {int(row): int(version) for row, version in connection.execute(_READ_VERSIONS)}
    return Versions(
        catalogue=found.get(CATALOGUE_VERSION_ROW, 0),
        timetable=found.get(TIMETABLE_VERSION_ROW, 0),
        credentials=found.get(CREDENTIALS_VERSION_ROW, 0),
    )


def _bump_row(session: Session, row: int) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_TABLE)
        .values(id=row, version=1)
        .on_conflict_do_update(index_elements=[_TABLE.c.id], set_={"version": _TABLE.c.version + 1})
        .returning(_TABLE.c.version)
    )
    return int(session.execute(statement).scalar_one())


def _bump_timetable_if_marked(session: Session) -> None:
    if session.info.pop(_TIMETABLE_CHANGED, False):
        _bump_row(session, TIMETABLE_VERSION_ROW)
    if session.info.pop(_TIMETABLE_UNATTRIBUTED, False):
        _bump_row(session, UNATTRIBUTED_TIMETABLE_ROW)
    services = session.info.pop(_TIMETABLE_SERVICES, set())
    if not services:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # In id order, so two transactions bumping the same services lock their rows alike.
    for service_id in sorted(services):
        session.execute(
            insert(_REVISIONS)
            .values(service_id=service_id, revision=1)
            .on_conflict_do_update(
                index_elements=[_REVISIONS.c.service_id],
                set_={"revision": _REVISIONS.c.revision + 1},
            )
        )


def bump_catalogue_version(session: Session) -> int:
    """Increment the version inside ``session``'s transaction; the new version.

    An upsert, so a database whose row was emptied (tests truncate every table) starts again
    at 1 rather than failing. On PostgreSQL the row lock serialises catalogue writers for the
    moment between this statement and their commit.
    """
    return _bump_row(session, CATALOGUE_VERSION_ROW)


def bump_catalogue_version_now(session: Session) -> int:
    """Bump now rather than at commit, for a transaction that records the version its changes
    land as (a finished import job); its commit then bumps no more (unless it changes the
    catalogue again). The new version."""
    session.flush()
    session.info.pop(_CHANGED, None)
    session.info.pop(_STATIC_CHANGED, None)
    _bump_timetable_if_marked(session)
    _bump_row(session, STATIC_VERSION_ROW)
    return bump_catalogue_version(session)


def _table_of(instance: Any) -> str | None:
    table = getattr(type(instance), "__tablename__", None)
    return table if isinstance(table, str) else None


def _mark(session: Session, table: str | None, service_ids: Iterable[int] | None = None) -> None:
    if table in CREDENTIAL_TABLES:
        mark_credentials_changed(session)
    elif table in TIMETABLE_TABLES:
        mark_timetable_changed(session, service_ids)
    elif table in LIVE_TABLES and _LIVE_SEQUENCE in session.info:
        mark_live_changed(session)  # rows stamped with the claimed number
    elif table in CATALOGUE_TABLES:
        mark_catalogue_changed(session)


def _own_service(instance: Any) -> list[int] | None:
    service_id = getattr(instance, "service_id", None)
    return [service_id] if isinstance(service_id, int) else None


def _statement_services(state: ORMExecuteState) -> list[int] | None:
    """The services a bulk statement writes, when its values or its ``WHERE`` name them."""
    statement: Any = state.statement
    if state.is_insert:
        params = state.parameters
        rows = params if isinstance(params, list) else [params] if params else []
        values = [row.get("service_id") for row in rows if isinstance(row, dict)]
        known = [v for v in values if isinstance(v, int)]
        return known if rows and len(known) == len(rows) else None
    where = getattr(statement, "whereclause", None)
    left, right = getattr(where, "left", None), getattr(where, "right", None)
    operator = getattr(getattr(where, "operator", None), "__name__", None)
    value = getattr(right, "value", None)
    if getattr(left, "name", None) == "service_id" and operator == "eq" and isinstance(value, int):
        return [value]
    return None


def _only_last_used(obj: Any) -> bool:
    """Whether the pending changes of ``obj`` (dirty, persistent) stamp ``last_used_at`` only."""
    state = sa.inspect(obj)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return changed <= {_LAST_USED}


def _statement_sets_last_used_only(state: ORMExecuteState) -> bool:
    """Whether a bulk ``UPDATE`` sets ``last_used_at`` and nothing else."""
    if not state.is_update:
        return False
    values = getattr(state.statement, "_values", None) or {}
    names = {getattr(column, "key", column) for column in values}
    return bool(names) and names <= {_LAST_USED}


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _context: Any, _instances: Any) -> None:
    for obj in chain(session.new, session.deleted):
        _mark(session, _table_of(obj), _own_service(obj))
    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        table = _table_of(obj)
        if table in CREDENTIAL_TABLES and _only_last_used(obj):
            continue
        _mark(session, table, _own_service(obj))


@event.listens_for(Session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in CREDENTIAL_TABLES and _statement_sets_last_used_only(state):
        return
    if name in TIMETABLE_TABLES:
        _mark(state.session, name, _statement_services(state))
    else:
        _mark(state.session, name)


@event.listens_for(Session, "before_commit")
def _committing(session: Session) -> None:
    session.flush()  # pending ORM changes mark the session in before_flush
    _bump_timetable_if_marked(session)
    if session.info.pop(_CHANGED, False):
        # Rows in one order (timetable, static, catalogue) in every transaction: no deadlock.
        if session.info.pop(_STATIC_CHANGED, False):
            _bump_row(session, STATIC_VERSION_ROW)
        bump_catalogue_version(session)
    if session.info.pop(_CREDENTIALS_CHANGED, False):
        _bump_row(session, CREDENTIALS_VERSION_ROW)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back transaction's marks must not bump the next one's commit.
    if transaction.parent is None:
        for key in (
            _CHANGED,
            _STATIC_CHANGED,
            _LIVE_SEQUENCE,
            _CREDENTIALS_CHANGED,
            _TIMETABLE_CHANGED,
            _TIMETABLE_SERVICES,
            _TIMETABLE_UNATTRIBUTED,
            _TIMETABLE_SCOPE,
        ):
            session.info.pop(key, None)
