"""GraphQL for finding places: ``placeSearch`` (what a traveller types into a trip's from
and to) and ``region`` (the commune's outline the map draws)."""

from __future__ import annotations

import json
from typing import cast

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from marketplace.api.context import Info
from marketplace.api.planning.inputs import CoordinateInput
from marketplace.api.planning.queries import planning_of
from marketplace.api.relay import encode_global_id
from marketplace.catalogue.places import region as stored_region
from marketplace.catalogue.validation import check_coordinates
from marketplace.errors import InvalidInput
from marketplace.i18n import Message
from marketplace.planning.place_index import PlaceKind
from routing.street.modes import Mode

__all__ = ["Place", "PlacesQuery", "RegionType"]

PlaceKindType = strawberry.enum(
    PlaceKind,
    name="PlaceKind",
    description="What a found place is: an ADDRESS, a POI (point of interest), a STATION "
    "(docking or rail station), a STOP (public-transport stop), a STREET, or the COORDINATE "
    "typed in.",
)


@strawberry.type(description="A place to start or end a trip.")
class Place:
    label: str
    kind: PlaceKindType  # type: ignore[valid-type]
    lat: float
    lon: float
    detail: str | None = strawberry.field(
        description="Its address and category (points of interest) or its service "
        "(stations, stops)."
    )
    station_id: strawberry.ID | None


@strawberry.type(name="Region", description="An area with an official boundary.")
class RegionType:
    name: str
    boundary_geojson: JSON = strawberry.field(description="GeoJSON (Multi)Polygon, WGS 84.")
    centre_lat: float
    centre_lon: float
    attribution: str


@strawberry.type
class PlacesQuery:
    @strawberry.field(
        description="Addresses, points of interest, stations, stops and streets matching a "
        "text (accents, case and small typos forgiven; the last word may be half typed), or "
        'a typed coordinate ("48.8245, 2.27"); best match first, then nearest to `near` '
        "(default: Issy's centre)."
    )
    async def place_search(
        self, info: Info, text: str, first: int = 8, near: CoordinateInput | None = None
    ) -> list[Place]:
        if not 1 <= first <= 50:
            raise InvalidInput(Message("places.first", {"value": first}), field="first")
        if len(text) > 200:
            raise InvalidInput(Message("places.text_too_long"), field="text")
        centre = None
        if near is not None:
            check_coordinates("near", near.latitude, near.longitude)
            centre = (near.latitude, near.longitude)
        planning = planning_of(info)

        def search() -> list[Place]:
            network = planning.streets.network
            graph = (
                network.routers[Mode.WALK].graph
                if network and Mode.WALK in network.routers
                else None
            )
            return [
                Place(
                    label=h.label,
                    kind=h.kind,
                    lat=h.lat,
                    lon=h.lon,
                    detail=h.detail,
                    station_id=encode_global_id("Station", h.station_id)
                    if h.station_id is not None
                    else None,
                )
                for h in planning.places.search(text, graph=graph, centre=centre, first=first)
            ]

        return await run_in_threadpool(search)

    @strawberry.field(
        description="A region's outline to draw (Issy-les-Moulineaux once open data is "
        "seeded); the first loaded when no name is given, null when none is."
    )
    async def region(self, info: Info, name: str | None = None) -> RegionType | None:
        row = await info.context.run(stored_region, name)
        if row is None:
            return None
        return RegionType(
            name=row.name,
            boundary_geojson=cast(JSON, json.loads(row.boundary_geojson)),
            centre_lat=row.centre_lat,
            centre_lon=row.centre_lon,
            attribution=row.attribution,
        )
