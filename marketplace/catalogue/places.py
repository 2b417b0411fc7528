"""Places (points of interest, addresses) and regions: the reference data place search and
the map read, loaded from open datasets.

Rows are matched on their dataset and that dataset's own id, so reloading the same data
touches nothing, and a changed row is updated in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from marketplace.models import Place, PlaceKind, Region, utcnow

__all__ = [
    "PlaceFields",
    "RegionFields",
    "Upserted",
    "list_places",
    "region",
    "upsert_places",
    "upsert_region",
]


@dataclass(frozen=True, slots=True)
class PlaceFields:
    """A place as a dataset gives it."""

    source: str
    external_id: str
    kind: PlaceKind
    label: str
    address: str | None
    category: str | None
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class RegionFields:
    """A region's outline (GeoJSON text) and where it came from."""

    name: str
    source: str
    boundary_geojson: str
    centre_lat: float
    centre_lon: float
    attribution: str


@dataclass(frozen=True, slots=True)
class Upserted:
    """How many rows a load created, changed and found as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


_PLACE_FIELDS = ("kind", "label", "address", "category", "lat", "lon")
_REGION_FIELDS = ("source", "boundary_geojson", "centre_lat", "centre_lon", "attribution")


def upsert_places(session: Session, rows: Sequence[PlaceFields]) -> Upserted:
    """Create or update places matched on ``(source, external_id)``; equal rows are left."""
    sources = sorted({row.source for row in rows})
    existing = {
        (p.source, p.external_id): p
        for p in session.exec(select(Place).where(col(Place.source).in_(sources)))
    }
    created = updated = 0
    now = utcnow()
    for row in rows:
        place = existing.get((row.source, row.external_id))
        if place is not None and all(
            getattr(place, name) == getattr(row, name) for name in _PLACE_FIELDS
        ):
            continue
        if place is None:
            place = Place(
                source=row.source,
                external_id=row.external_id,
                kind=row.kind,
                label="",
                lat=0,
                lon=0,
            )
            created += 1
        else:
            updated += 1
        for name in _PLACE_FIELDS:
            setattr(place, name, getattr(row, name))
        place.updated_at = now
        session.add(place)
    session.flush()
    return Upserted(created, updated, len(rows) - created - updated)


def upsert_region(session: Session, fields: RegionFields) -> Upserted:
    """Create or update the region named ``fields.name``."""
    row = session.exec(select(Region).where(Region.name == fields.name)).first()
    if row is not None and all(getattr(row, n) == getattr(fields, n) for n in _REGION_FIELDS):
        return Upserted(unchanged=1)
    is_new = row is None
    if row is None:
        row = Region(name=fields.name, source="", boundary_geojson="", centre_lat=0, centre_lon=0)
    for name in _REGION_FIELDS:
        setattr(row, name, getattr(fields, name))
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return Upserted(created=1) if is_new else Upserted(updated=1)


def list_places(session: Session) -> list[Place]:
    """Every place, by id (a city holds a few thousand)."""
    return list(session.exec(select(Place).order_by(col(Place.id))))


def region(session: Session, name: str | None = None) -> Region | None:
    """The region of that name, or the first one loaded when no name is given."""
    query = select(Region).order_by(col(Region.id))
    if name is not None:
        query = query.where(Region.name == name)
    return session.exec(query).first()
