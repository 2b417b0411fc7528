"""Place search over what the marketplace knows: open-data places, published stations and
stops, street names of the loaded network.

:class:`PlaceSearch` keeps one :class:`~marketplace.planning.place_index.PlaceIndex` and
builds a new one when the published catalogue changes (the planner's snapshot is rebuilt)
or when the places table does (a count and latest-update query at most once a second, so a
seed run from another process shows within a second).
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sqlmodel import Session, func, select

from marketplace.catalogue.geo import ISSY_LAT, ISSY_LON
from marketplace.catalogue.places import list_places
from marketplace.catalogue.published import ServiceView
from marketplace.db import Database
from marketplace.models import Place, StationKind
from marketplace.models import PlaceKind as StoredKind
from marketplace.planning.catalogue import PlannerCatalogue
from marketplace.planning.place_index import PlaceHit, PlaceIndex, PlaceKind
from routing.street.graph import CompactGraph

__all__ = ["PlaceSearch", "place_hits"]

# Places change only when open data is loaded; looking at most once a second keeps a typed
# letter from costing a query while a seed run elsewhere still shows within a second.
PLACES_CHECK_S = 1.0
_STORED_KINDS = {StoredKind.POI: PlaceKind.POI, StoredKind.ADDRESS: PlaceKind.ADDRESS}


@functools.lru_cache(maxsize=8)
def _street_hits(graph: CompactGraph) -> tuple[PlaceHit, ...]:
    """One hit per street name: the middle of its longest edge."""
    best: dict[int, tuple[float, int]] = {}
    for edge in np.flatnonzero(graph.name_index >= 0).tolist():
        name = int(graph.name_index[edge])
        length = float(graph.length_m[edge])
        if name not in best or length > best[name][0]:
            best[name] = (length, edge)
    hits = []
    for name, (_, longest) in best.items():
        lat, lon = graph.edge_polyline(longest)
        middle = len(lat) // 2
        if len(lat) == 2:
            point = ((lat[0] + lat[1]) / 2, (lon[0] + lon[1]) / 2)
        else:
            point = (lat[middle], lon[middle])
        label = str(graph.names[name])
        hits.append(PlaceHit(label, PlaceKind.STREET, float(point[0]), float(point[1])))
    return tuple(hits)


def place_hits(
    places: Sequence[Place], services: Sequence[ServiceView], graph: CompactGraph | None
) -> list[PlaceHit]:
    """Everything place search looks through, as hits."""
    hits = [
        PlaceHit(
            p.label,
            _STORED_KINDS[p.kind],
            p.lat,
            p.lon,
            detail=" · ".join(x for x in (p.address, p.category) if x) or None,
        )
        for p in places
    ]
    for service in services:
        for station in service.stations:
            kind = PlaceKind.STOP if station.kind is StationKind.STOP else PlaceKind.STATION
            hits.append(
                PlaceHit(
                    station.name,
                    kind,
                    station.lat,
                    station.lon,
                    detail=service.name,
                    station_id=station.id,
                )
            )
    if graph is not None:
        hits.extend(_street_hits(graph))
    return hits


def _places_stamp(session: Session) -> tuple[int, datetime | None]:
    count, latest = session.exec(select(func.count(), func.max(Place.updated_at))).one()
    return int(count), latest


class PlaceSearch:
    """Place search with an index kept in step with the catalogue and the places table."""

    def __init__(self, db: Database, catalogue: PlannerCatalogue) -> None:
        self._db = db
        self._catalogue = catalogue
        self._lock = threading.Lock()
        # The snapshot and graph the index was built from, held (not their ids) so that a
        # freed object's id reused by a new one never passes for it.
        self._built_from: tuple[object, object, tuple[int, datetime | None]] | None = None
        self._index = PlaceIndex(())
        self._stamp_checked_at = -math.inf

    def index(self, graph: CompactGraph | None) -> PlaceIndex:
        """The current index (blocking: call in a thread)."""
        _, views = self._catalogue.snapshot()
        now = time.monotonic()
        with self._lock:
            built = self._built_from
            same_sources = built is not None and built[0] is views and built[1] is graph
            if same_sources and now - self._stamp_checked_at < PLACES_CHECK_S:
                return self._index
        with self._db.session() as session:
            stamp = _places_stamp(session)
            if same_sources and built is not None and built[2] == stamp:
                with self._lock:
                    self._stamp_checked_at = now
                return self._index
            places = list_places(session)
        index = PlaceIndex(place_hits(places, list(views.values()), graph))
        with self._lock:
            self._built_from, self._index, self._stamp_checked_at = (
                (views, graph, stamp),
                index,
                now,
            )
        return index

    def search(
        self,
        text: str,
        *,
        graph: CompactGraph | None,
        centre: tuple[float, float] | None = None,
        first: int = 8,
    ) -> list[PlaceHit]:
        """The ``first`` best places for ``text``, nearer ``centre`` (default Issy) first."""
        centre = centre or (ISSY_LAT, ISSY_LON)
        return self.index(graph).search(text, centre=centre, first=first)
