"""Traffic inputs: where to look, how to scale demand sources, what was seen on the street."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from marketplace.api.traffic.types import DemandSource, IncidentCategory

__all__ = ["DemandSourceScaleInput", "ReportIncidentInput", "TrafficAreaInput"]


@strawberry.input(
    description="Where to look: a bbox [west, south, east, north] or a GeoJSON Polygon / "
    "MultiPolygon (exactly one).",
    one_of=True,
)
class TrafficAreaInput:
    bbox: list[float] | None = strawberry.UNSET
    polygon: JSON | None = strawberry.UNSET


@strawberry.input(description="A factor a demand source's trips are multiplied by (> 0).")
class DemandSourceScaleInput:
    source: DemandSource
    scale: float


@strawberry.input(description="An incident seen at a point.")
class ReportIncidentInput:
    category: IncidentCategory
    description: str
    latitude: float
    longitude: float
    occurred_at: dt.datetime | None = None
