"""Finding services and stations: filters, geographic tests and keyset pagination.

Most filters run in SQL. Geographic ones (``near``, ``bbox``, ``within``) narrow down in SQL
by bounding boxes, then shapely and the haversine decide exactly, as does ``open_at`` on the
opening hours; the catalogue of one city is small enough (hundreds of services) for that
second step to stay cheap.
Pages are ordered by id, and a cursor is the last id seen, so pages stay stable while
services are added. :func:`sorted_services` also sorts them newest first or best rated
first, with ``(key, id)`` cursors (keyset paging) that stay stable the same way.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from shapely.geometry import Point, box, shape
from sqlmodel import Session, col, func, select

from marketplace.catalogue.access import visible_clause
from marketplace.catalogue.geo import BBox, circle_bbox, haversine_m, to_local_metres
from marketplace.catalogue.services import Page
from marketplace.catalogue.validation import (
    check_coordinates,
    is_open_at,
    load_opening_hours,
    validate_service_area,
)
from marketplace.community.paging import Page as KeysetPage
from marketplace.community.paging import SortKey, keyset_page
from marketplace.community.ratings import rating_summaries
from marketplace.errors import InvalidInput
from marketplace.identity.actors import Actor
from marketplace.models import (
    MobilityService,
    ServiceKind,
    ServiceStatus,
    Station,
    StationAvailability,
)

__all__ = [
    "MAX_RADIUS_M",
    "Near",
    "ServiceFilter",
    "ServiceSort",
    "StationHit",
    "search_services",
    "sorted_services",
    "stations_near",
]

MAX_RADIUS_M = 20_000.0


class ServiceSort(enum.Enum):
    """Orders of a services list: ``ID`` (oldest first, the default), ``NEWEST`` first, or
    ``BEST_RATED`` first (community rating, see :func:`rating_sort_key`)."""

    ID = "id"
    NEWEST = "newest"
    BEST_RATED = "best_rated"


@dataclass(frozen=True, slots=True)
class Near:
    """Within ``radius_m`` metres of a point (service area or any station)."""

    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class ServiceFilter:
    """Criteria of :func:`search_services`; every given criterion must hold."""

    kinds: Sequence[ServiceKind] | None = None
    text: str | None = None
    statuses: Sequence[ServiceStatus] | None = None
    near: Near | None = None
    bbox: BBox | None = None
    within: str | None = None
    open_at: datetime | None = None
    wheelchair_accessible: bool | None = None

    @property
    def needs_exact_check(self) -> bool:
        """Whether some criterion is decided in Python after the SQL prefilter."""
        return any(c is not None for c in (self.near, self.bbox, self.within, self.open_at))


@dataclass(frozen=True, slots=True)
class StationHit:
    """A station, its latest availability, and its distance from the query point."""

    station: Station
    availability: StationAvailability | None
    distance_m: float


def _check_near(near: Near) -> None:
    check_coordinates("near", near.lat, near.lon)
    if not 0 < near.radius_m <= MAX_RADIUS_M:
        raise InvalidInput(
            f"radiusM {near.radius_m} is out of range; accepted: more than 0, at most "
            f"{MAX_RADIUS_M:.0f}",
            field="radiusM",
        )


def _check_bbox(bbox: BBox) -> None:
    if not (bbox.min_lon < bbox.max_lon and bbox.min_lat < bbox.max_lat):
        raise InvalidInput(
            "bbox must have minLon < maxLon and minLat < maxLat, got "
            f"({bbox.min_lon}, {bbox.min_lat}, {bbox.max_lon}, {bbox.max_lat})",
            field="bbox",
        )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _area_overlaps(box_: BBox) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(MobilityService.area_min_lon) <= box_.max_lon,
        col(MobilityService.area_max_lon) >= box_.min_lon,
        col(MobilityService.area_min_lat) <= box_.max_lat,
        col(MobilityService.area_max_lat) >= box_.min_lat,
    )


def _station_inside(box_: BBox) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        col(Station.service_id) == col(MobilityService.id),
        col(Station.lat).between(box_.min_lat, box_.max_lat),
        col(Station.lon).between(box_.min_lon, box_.max_lon),
    )


def _sql_conditions(actor: Actor | None, criteria: ServiceFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [visible_clause(actor)]
    if criteria.kinds:
        conditions.append(col(MobilityService.kind).in_(list(criteria.kinds)))
    if criteria.statuses:
        conditions.append(col(MobilityService.status).in_(list(criteria.statuses)))
    elif actor is not None:
        # A partner's drafts are for its own dashboard; ask for them by status.
        conditions.append(col(MobilityService.status) == ServiceStatus.PUBLISHED)
    if criteria.text and criteria.text.strip():
        pattern = f"%{_escape_like(criteria.text.strip().lower())}%"
        conditions.append(
            sa.or_(
                func.lower(col(MobilityService.name)).like(pattern, escape="\\"),
                func.lower(col(MobilityService.description)).like(pattern, escape="\\"),
            )
        )
    if criteria.wheelchair_accessible is not None:
        conditions.append(
            col(MobilityService.wheelchair_accessible) == criteria.wheelchair_accessible
        )
    regions = [criteria.bbox] if criteria.bbox is not None else []
    if criteria.within is not None:
        regions.append(validate_service_area(criteria.within, field="within").bbox)
    if criteria.near is not None:
        regions.append(circle_bbox(criteria.near.lat, criteria.near.lon, criteria.near.radius_m))
    for region in regions:
        conditions.append(sa.or_(_area_overlaps(region), _station_inside(region)))
    return conditions


def _matches_exactly(session: Session, service: MobilityService, criteria: ServiceFilter) -> bool:
    area = (
        to_local_metres(shape(json.loads(service.service_area))) if service.service_area else None
    )
    stations: list[tuple[float, float]] | None = None

    def station_points() -> list[tuple[float, float]]:
        nonlocal stations
        if stations is None:
            query = select(Station.lat, Station.lon).where(Station.service_id == service.id)
            stations = [(lat, lon) for lat, lon in session.exec(query)]
        return stations

    if criteria.near is not None:
        near = criteria.near
        here = to_local_metres(Point(near.lon, near.lat))
        if not (
            (area is not None and area.distance(here) <= near.radius_m)
            or any(
                haversine_m(lat, lon, near.lat, near.lon) <= near.radius_m
                for lat, lon in station_points()
            )
        ):
            return False
    if criteria.bbox is not None:
        b = criteria.bbox
        region = to_local_metres(box(b.min_lon, b.min_lat, b.max_lon, b.max_lat))
        if not (
            (area is not None and area.intersects(region))
            or any(b.contains(lat, lon) for lat, lon in station_points())
        ):
            return False
    if criteria.within is not None:
        polygon = to_local_metres(shape(json.loads(criteria.within)))
        if not (
            (area is not None and area.intersects(polygon))
            or any(
                polygon.covers(to_local_metres(Point(lon, lat))) for lat, lon in station_points()
            )
        ):
            return False
    if criteria.open_at is not None:
        return is_open_at(load_opening_hours(service.opening_hours), criteria.open_at)
    return True


def _checked(criteria: ServiceFilter) -> ServiceFilter:
    if criteria.near is not None:
        _check_near(criteria.near)
    if criteria.bbox is not None:
        _check_bbox(criteria.bbox)
    if criteria.within is not None:
        criteria = replace(
            criteria, within=validate_service_area(criteria.within, field="within").geojson
        )
    if criteria.open_at is not None and criteria.open_at.tzinfo is None:
        raise InvalidInput("openAt needs a timezone, e.g. 2030-01-01T08:00:00+01:00")
    return criteria


def search_services(
    session: Session,
    *,
    actor: Actor | None,
    criteria: ServiceFilter,
    first: int,
    after: int | None = None,
) -> Page[MobilityService]:
    """Services ``actor`` may see that meet ``criteria``, by id, ``first`` after id ``after``.

    Without ``statuses``, only published services are listed (a partner asks for its
    drafts with ``statuses=[DRAFT]``).

    Raises
    ------
    InvalidInput
        Bad ``near`` (point far from Issy, radius out of range) or ``bbox``.
    """
    criteria = _checked(criteria)
    conditions = _sql_conditions(actor, criteria)
    if not criteria.needs_exact_check:
        if after is None:
            # The page and the total in one round trip: the window counts every match.
            counting = select(MobilityService, func.count().over()).where(*conditions)
            counted = list(
                session.exec(counting.order_by(col(MobilityService.id)).limit(first + 1))
            )
            rows = [row for row, _ in counted]
            total = counted[0][1] if counted else 0
        else:
            total = session.exec(
                select(func.count()).select_from(MobilityService).where(*conditions)
            ).one()
            query = select(MobilityService).where(*conditions, col(MobilityService.id) > after)
            rows = list(session.exec(query.order_by(col(MobilityService.id)).limit(first + 1)))
        return Page(items=rows[:first], total=int(total), has_next_page=len(rows) > first)
    candidates = session.exec(
        select(MobilityService).where(*conditions).order_by(col(MobilityService.id))
    )
    matching = [s for s in candidates if _matches_exactly(session, s, criteria)]
    remaining = [s for s in matching if after is None or (s.id or 0) > after]
    return Page(items=remaining[:first], total=len(matching), has_next_page=len(remaining) > first)


def rating_sort_key(average: float | None, count: int) -> int:
    """The integer a service sorts on for ``BEST_RATED``: the average of its visible reviews
    (to the hundredth of a star), then the number of reviews, so 4.5 stars from 30 residents
    come before 4.5 stars from one; services nobody rated (key 0) come last."""
    if average is None or count == 0:
        return 0
    return round(average * 100) * 1_000_000 + min(count, 999_999)


def sorted_services(
    session: Session,
    *,
    actor: Actor | None,
    criteria: ServiceFilter,
    sort: ServiceSort,
    first: int,
    after: tuple[int, int] | None = None,
) -> KeysetPage[MobilityService]:
    """Services ``actor`` may see that meet ``criteria``, in ``sort`` order, with keyset
    cursors: ``first`` of them after the ``(key, id)`` cursor ``after``.

    ``NEWEST`` sorts on the id, descending (ids grow with creation). ``BEST_RATED`` sorts on
    :func:`rating_sort_key`, descending, ties newest first; it is decided in Python over
    the matching services (hundreds in one city). A cursor holds the sort key and the id of
    the last row seen, so adding services never shifts a page; a service whose rating
    changes between two pages moves, as in any list sorted on a live value.

    Raises
    ------
    InvalidInput
        Bad ``near`` or ``bbox``, or ``openAt`` without a timezone.
    """
    criteria = _checked(criteria)
    conditions = _sql_conditions(actor, criteria)
    if sort is ServiceSort.NEWEST and not criteria.needs_exact_check:
        query = select(MobilityService).where(*conditions)
        key = SortKey(col(MobilityService.id), col(MobilityService.id), descending=True)
        return keyset_page(session, query, sort=key, first=first, after=after)
    candidates = session.exec(select(MobilityService).where(*conditions))
    matching = [
        s
        for s in candidates
        if not criteria.needs_exact_check or _matches_exactly(session, s, criteria)
    ]
    keyed: list[tuple[int, int, MobilityService]]
    if sort is ServiceSort.BEST_RATED:
        ratings = rating_summaries(session, [s.id for s in matching if s.id is not None])
        keyed = [
            (rating_sort_key(ratings[s.id].average, ratings[s.id].count), s.id, s)
            for s in matching
            if s.id is not None
        ]
    elif sort is ServiceSort.NEWEST:
        keyed = [(s.id, s.id, s) for s in matching if s.id is not None]
    else:
        keyed = [(-s.id, s.id, s) for s in matching if s.id is not None]
    keyed.sort(key=lambda row: (row[0], row[1]), reverse=True)
    remaining = [row for row in keyed if after is None or (row[0], row[1]) < after]
    page = remaining[:first]
    return KeysetPage(
        items=[row[2] for row in page],
        cursors=[(row[0], row[1]) for row in page],
        total=len(keyed),
        has_next_page=len(remaining) > first,
    )


def stations_near(
    session: Session, *, lat: float, lon: float, radius_m: float, limit: int
) -> list[StationHit]:
    """Stations of published services within ``radius_m`` of a point, nearest first.

    Raises
    ------
    InvalidInput
        Point far from Issy, or radius out of range.
    """
    _check_near(Near(lat, lon, radius_m))
    region = circle_bbox(lat, lon, radius_m)
    query = (
        select(Station, StationAvailability)
        .join(MobilityService, col(MobilityService.id) == col(Station.service_id))
        .join(
            StationAvailability,
            col(StationAvailability.station_id) == col(Station.id),
            isouter=True,
        )
        .where(
            col(MobilityService.status) == ServiceStatus.PUBLISHED,
            col(Station.lat).between(region.min_lat, region.max_lat),
            col(Station.lon).between(region.min_lon, region.max_lon),
        )
    )
    hits = [
        StationHit(station, availability, haversine_m(lat, lon, station.lat, station.lon))
        for station, availability in session.exec(query)
    ]
    hits = [hit for hit in hits if hit.distance_m <= radius_m]
    hits.sort(key=lambda hit: (hit.distance_m, hit.station.id or 0))
    return hits[:limit]
