"""Incidents residents and partners report at a point, and the hotspot each one falls in.

Anyone signed in (a person's session or a partner's API key) may report. Planners see every
report with its author; everyone else sees only their own reports (a partner's key sees its
partner's), and never an author. A report falls in a hotspot of a run when it lies within
the hotspot's radius (:func:`routing.traffic.hotspots.hotspot_radius_m`, stored with the hotspot)
plus a street's width; of several, the one whose centre is relatively nearest wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from marketplace.catalogue.geo import haversine_m
from marketplace.catalogue.validation import check_coordinates, check_text
from marketplace.errors import Forbidden, InvalidInput, NotAuthenticated, RateLimited
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.models import (
    IncidentCategory,
    IncidentReport,
    Partner,
    Person,
    TrafficHotspot,
    utcnow,
)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_REPORTS_PER_HOUR",
    "IncidentAuthor",
    "hotspot_of",
    "incident_author",
    "incidents_near",
    "list_incidents",
    "report_incident",
]

MAX_DESCRIPTION = 1000
MAX_REPORTS_PER_HOUR = 30
# A report is made standing on the pavement, not on the centreline.
_STREET_MARGIN_M = 25.0
# Clocks of phones drift; a report a few minutes "in the future" is still now.
_CLOCK_SKEW = timedelta(minutes=5)
_MAX_AGE = timedelta(days=30)


def _author_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.person_id is not None:
        return col(IncidentReport.author_person_id) == actor.person_id
    return col(IncidentReport.author_partner_id) == actor.partner_id


def report_incident(
    session: Session,
    *,
    actor: Actor | None,
    category: IncidentCategory,
    description: str,
    lat: float,
    lon: float,
    occurred_at: dt.datetime | None = None,
) -> IncidentReport:
    """Store a report.

    Raises
    ------
    NotAuthenticated
        Nobody signed in.
    InvalidInput
        Empty or overlong description, a point far from Issy, a time without timezone, in
        the future or older than 30 days.
    RateLimited
        More than :data:`MAX_REPORTS_PER_HOUR` reports by this author in the last hour.
    """
    if actor is None:
        raise NotAuthenticated("reporting an incident needs a signed-in account or an API key")
    text = check_text("description", description, max_len=MAX_DESCRIPTION)
    check_coordinates("location", lat, lon)
    now = utcnow()
    when = occurred_at or now
    if when.tzinfo is None:
        raise InvalidInput(Message("incident.no_timezone"), field="occurredAt")
    if when > now + _CLOCK_SKEW or when < now - _MAX_AGE:
        raise InvalidInput(
            Message("incident.time_range", {"value": when.isoformat()}), field="occurredAt"
        )
    recent = session.exec(
        select(func.count())
        .select_from(IncidentReport)
        .where(_author_filter(actor), col(IncidentReport.created_at) >= now - timedelta(hours=1))
    ).one()
    if recent >= MAX_REPORTS_PER_HOUR:
        raise RateLimited(
            f"at most {MAX_REPORTS_PER_HOUR} incident reports an hour; try again later"
        )
    report = IncidentReport(
        category=category,
        description=text,
        lat=lat,
        lon=lon,
        occurred_at=when,
        author_person_id=actor.person_id,
        author_partner_id=actor.partner_id,
        author_key_id=actor.key_id,
    )
    session.add(report)
    session.flush()
    return report


def list_incidents(
    session: Session,
    *,
    actor: Actor | None,
    category: IncidentCategory | None = None,
    after_id: int | None = None,
    limit: int = 20,
) -> tuple[list[IncidentReport], int]:
    """Reports the actor may see, newest first, and how many there are in all.

    Raises
    ------
    NotAuthenticated
        Nobody signed in.
    """
    if actor is None:
        raise NotAuthenticated("reading incident reports needs a signed-in account or API key")
    conditions: list[ColumnElement[bool]] = []
    if not actor.is_planner:
        conditions.append(_author_filter(actor))
    if category is not None:
        conditions.append(col(IncidentReport.category) == category)
    total = session.exec(select(func.count()).select_from(IncidentReport).where(*conditions)).one()
    query = select(IncidentReport).where(*conditions)
    if after_id is not None:
        query = query.where(col(IncidentReport.id) < after_id)
    query = query.order_by(col(IncidentReport.id).desc()).limit(limit)
    return list(session.exec(query)), int(total)


def hotspot_of(lat: float, lon: float, hotspots: Sequence[TrafficHotspot]) -> TrafficHotspot | None:
    """The hotspot a point falls in (within its radius plus a street's width), if any."""
    best: tuple[float, TrafficHotspot] | None = None
    for hotspot in hotspots:
        distance_m = haversine_m(lat, lon, hotspot.centroid_lat, hotspot.centroid_lon)
        reach_m = hotspot.radius_m + _STREET_MARGIN_M
        if distance_m <= reach_m and (best is None or distance_m / reach_m < best[0]):
            best = (distance_m / reach_m, hotspot)
    return best[1] if best else None


def incidents_near(
    session: Session, hotspot: TrafficHotspot, *, limit: int = 20
) -> list[IncidentReport]:
    """Reports within a hotspot's reach, newest first (a bounding box first, then distance)."""
    reach_m = hotspot.radius_m + _STREET_MARGIN_M
    dlat = reach_m / 111_320.0
    dlon = dlat * 1.6  # 1 / cos(48.8°) ≈ 1.52, rounded up: the exact check follows
    rows = session.exec(
        select(IncidentReport)
        .where(
            IncidentReport.lat.between(hotspot.centroid_lat - dlat, hotspot.centroid_lat + dlat),  # type: ignore[attr-defined]
            IncidentReport.lon.between(hotspot.centroid_lon - dlon, hotspot.centroid_lon + dlon),  # type: ignore[attr-defined]
        )
        .order_by(col(IncidentReport.id).desc())
    )
    near = [r for r in rows if hotspot_of(r.lat, r.lon, [hotspot]) is not None]
    return near[:limit]


@dataclass(frozen=True, slots=True)
class IncidentAuthor:
    """Who reported: a person (by display name) or a partner's API key."""

    kind: str
    display_name: str | None
    partner_name: str | None


def incident_author(
    session: Session, report: IncidentReport, *, actor: Actor | None
) -> IncidentAuthor | None:
    """The author of a report, for planners only.

    Raises
    ------
    Forbidden
        The caller is not a planner (authors are personal data).
    """
    if actor is None or not actor.is_planner:
        raise Forbidden("only the city's planners may see who reported an incident")
    person = session.get(Person, report.author_person_id) if report.author_person_id else None
    partner = session.get(Partner, report.author_partner_id) if report.author_partner_id else None
    if person is None and partner is None:
        return None
    partner_name = partner.name if partner else None
    if person is not None:
        return IncidentAuthor("PERSON", person.display_name, partner_name)
    # The key may have been deleted since (SET NULL): the partner still answers for it.
    return IncidentAuthor("API_KEY" if report.author_key_id else "PARTNER", None, partner_name)
