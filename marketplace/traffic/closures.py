"""Street closures a planner decides, and the drive times they give the next car plans.

Product semantics: a closure is a decision of the city (works, an event, an incident a
planner confirmed), not a what-if. ``closeStreet`` names a street of the drive network (every
edge carrying that name, both directions) or one OSM way, a reason, and a window
(``startsAt``, default now; ``endsAt``, open-ended when absent). A car plan whose departure
falls in the window drives around it; walking and cycling are untouched (the closure is for
cars). ``reopenStreet`` ends it at once. Scenarios (``runScenario``) never write closures, so
they never change commuters' plans.

Closed edges get an infinite time in the drive weights; the router answers such weights by
customizing its hierarchy (:mod:`routing.street.live`), never by a rebuild or a Dijkstra.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlmodel import Session, col, select

from marketplace.errors import InvalidInput, NotFound
from marketplace.models import StreetClosure
from routing.street.graph import CompactGraph
from routing.traffic.scenarios import ScenarioError, select_edges

__all__ = [
    "MAX_REASON_CHARACTERS",
    "active_closures",
    "close_street",
    "closed_edges",
    "is_active",
    "open_closures",
    "reopen_street",
    "with_closures",
]

MAX_REASON_CHARACTERS = 500


def close_street(
    session: Session,
    graph: CompactGraph,
    *,
    street: str | None,
    osm_way_id: int | None,
    reason: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    now: dt.datetime,
) -> StreetClosure:
    """Store a closure of ``street`` (a name) or ``osm_way_id`` on the drive ``graph``.

    Raises
    ------
    InvalidInput
        Neither or both targets, a street or way the drive network lacks (with close names),
        an empty or too long reason, a naive time, or an end not after the start.
    """
    if (street is None) == (osm_way_id is None):
        raise InvalidInput("give exactly one of street (a name) or osmWayId", field="street")
    name = street.strip() if street is not None else None
    try:
        select_edges(graph, name if name is not None else int(osm_way_id or 0))
    except ScenarioError as exc:
        raise InvalidInput(str(exc), field="street" if name is not None else "osmWayId") from None
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_CHARACTERS:
        raise InvalidInput(
            f"reason: {len(reason)} characters; accepted: 1 to {MAX_REASON_CHARACTERS}",
            field="reason",
        )
    start = starts_at if starts_at is not None else now
    for field, value in (("startsAt", start), ("endsAt", ends_at)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{field}: give a time zone (e.g. +01:00 or Z)", field=field)
    if ends_at is not None and ends_at <= start:
        raise InvalidInput(
            f"endsAt {ends_at.isoformat()} is not after startsAt {start.isoformat()}",
            field="endsAt",
        )
    row = StreetClosure(
        street=name, osm_way_id=osm_way_id, reason=reason, starts_at=start, ends_at=ends_at
    )
    session.add(row)
    session.flush()
    return row


def reopen_street(session: Session, closure_id: int, *, now: dt.datetime) -> StreetClosure:
    """End closure ``closure_id`` now (reopening a reopened closure changes nothing)."""
    row = session.get(StreetClosure, closure_id)
    if row is None:
        raise NotFound(f"no street closure {closure_id}")
    if row.reopened_at is None:
        row.reopened_at = now
        session.add(row)
        session.flush()
    return row


def active_closures(session: Session, when: dt.datetime) -> list[StreetClosure]:
    """Closures in force at ``when``: started, not ended, not reopened (oldest first)."""
    query = (
        select(StreetClosure)
        .where(col(StreetClosure.starts_at) <= when)
        .where(sa.or_(col(StreetClosure.ends_at).is_(None), col(StreetClosure.ends_at) > when))
        .where(col(StreetClosure.reopened_at).is_(None))
        .order_by(col(StreetClosure.id))
    )
    return list(session.exec(query))


def open_closures(session: Session) -> list[StreetClosure]:
    """Closures not reopened, whatever their times (oldest first): :func:`is_active` picks
    those in force at a moment without another query."""
    query = (
        select(StreetClosure)
        .where(col(StreetClosure.reopened_at).is_(None))
        .order_by(col(StreetClosure.id))
    )
    return list(session.exec(query))


def is_active(closure: StreetClosure, when: dt.datetime) -> bool:
    """Whether ``closure`` is in force at ``when``, as :func:`active_closures` selects."""
    return (
        closure.reopened_at is None
        and closure.starts_at <= when
        and (closure.ends_at is None or closure.ends_at > when)
    )


def closed_edges(graph: CompactGraph, closures: Sequence[StreetClosure]) -> NDArray[np.int64]:
    """The drive edges ``closures`` close, sorted; a street or way the loaded network no
    longer has (it was rebuilt since) closes nothing."""
    found: list[NDArray[np.int64]] = []
    for closure in closures:
        target: str | int = (
            closure.street if closure.street is not None else int(closure.osm_way_id or 0)
        )
        try:
            found.append(select_edges(graph, target))
        except ScenarioError:
            continue
    if not found:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(found))


def with_closures(times_s: NDArray[np.float64], edges: NDArray[np.int64]) -> NDArray[np.float64]:
    """A copy of ``times_s`` with ``edges`` impassable (infinite time)."""
    closed = times_s.copy()
    closed[edges] = np.inf
    return closed
