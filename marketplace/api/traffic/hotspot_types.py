"""Hotspots and the citizens' incident reports in them, as GraphQL (each refers to the
other): what was seen, when, and (planners only) who reported it and which hotspot it falls
in."""

from __future__ import annotations

import datetime as dt
import json

import strawberry

from marketplace.api.context import Info
from marketplace.api.permissions import IsPlanner
from marketplace.api.relay import encode_global_id
from marketplace.api.traffic.types import IncidentCategory
from marketplace.errors import InvalidInput
from marketplace.i18n import Message
from marketplace.models import (
    IncidentReport,
    TrafficHotspot,
)
from marketplace.traffic.config import period_named
from marketplace.traffic.incidents import hotspot_of, incident_author, incidents_near
from marketplace.traffic.planned import period_of
from marketplace.traffic.runs import (
    latest_hotspots,
    latest_segment_delays,
    peak_period,
)

__all__ = ["IncidentAuthorType", "IncidentReportType", "TrafficHotspotType"]


@strawberry.type(name="TrafficHotspot", description="Connected congested segments of a run.")
class TrafficHotspotType:
    id: strawberry.ID
    run_id: strawberry.ID
    rank: int
    period: str
    streets: list[str]
    latitude: float
    longitude: float
    radius_m: float
    total_delay_veh_h: float
    max_volume_capacity: float
    volume_veh_h: float
    length_m: float
    segment_keys: list[str]
    row: strawberry.Private[TrafficHotspot]

    @strawberry.field(description="Incident reports within the hotspot's radius, newest first.")
    async def incidents(self, info: Info, limit: int = 20) -> list[IncidentReportType]:
        if not 1 <= limit <= 100:
            raise InvalidInput(
                Message("validation.limit", {"value": limit, "maximum": 100}), field="limit"
            )
        rows = await info.context.run(incidents_near, self.row, limit=limit)
        return [IncidentReportType.from_row(r) for r in rows]

    @strawberry.field(
        description="The period whose latest run has the most delay on this hotspot's "
        "segments, per hour of the period (periods differ in length); null when no latest "
        "run delays them."
    )
    async def peak_period(self, info: Info) -> str | None:
        # One read of the latest runs' delays per request, however many hotspots.
        cache: dict[str, dict[str, dict[str, float]]] = info.context.__dict__.setdefault(
            "_traffic_segment_delays", {}
        )
        if "delays" not in cache:
            cache["delays"] = await info.context.run(latest_segment_delays)
        return peak_period(self.segment_keys, cache["delays"])

    @classmethod
    def from_row(cls, hotspot: TrafficHotspot, period: str) -> TrafficHotspotType:
        assert hotspot.id is not None
        return cls(
            id=encode_global_id("TrafficHotspot", hotspot.id),
            run_id=encode_global_id("TrafficRun", hotspot.run_id),
            rank=hotspot.rank,
            period=period,
            streets=json.loads(hotspot.streets),
            latitude=round(hotspot.centroid_lat, 6),
            longitude=round(hotspot.centroid_lon, 6),
            radius_m=round(hotspot.radius_m, 1),
            total_delay_veh_h=round(hotspot.total_delay_veh_h, 4),
            max_volume_capacity=round(hotspot.max_volume_capacity, 4),
            volume_veh_h=round(hotspot.volume_veh_h, 2),
            length_m=round(hotspot.length_m, 1),
            segment_keys=json.loads(hotspot.segment_keys),
            row=hotspot,
        )


@strawberry.type(name="IncidentAuthor", description="Who reported (planners only).")
class IncidentAuthorType:
    kind: str = strawberry.field(description="PERSON, API_KEY or PARTNER.")
    display_name: str | None
    partner_name: str | None


@strawberry.type(name="IncidentReport", description="Something reported on the street.")
class IncidentReportType:
    id: strawberry.ID
    category: IncidentCategory
    description: str
    latitude: float
    longitude: float
    occurred_at: dt.datetime
    created_at: dt.datetime
    period: str | None = strawberry.field(
        description="The demand period the incident happened in (Paris time), if any."
    )
    row: strawberry.Private[IncidentReport]

    @classmethod
    def from_row(cls, row: IncidentReport) -> IncidentReportType:
        assert row.id is not None
        period = period_of(row.occurred_at)
        return cls(
            id=encode_global_id("IncidentReport", row.id),
            category=row.category,
            description=row.description,
            latitude=row.lat,
            longitude=row.lon,
            occurred_at=row.occurred_at,
            created_at=row.created_at,
            period=period.name if period else None,
            row=row,
        )

    @strawberry.field(description="Who reported it: planners only (FORBIDDEN for others).")
    async def author(self, info: Info) -> IncidentAuthorType | None:
        actor = await info.context.actor()
        author = await info.context.run(incident_author, self.row, actor=actor)
        if author is None:
            return None
        return IncidentAuthorType(
            kind=author.kind, display_name=author.display_name, partner_name=author.partner_name
        )

    @strawberry.field(
        description="The hotspot of the latest run of `period` (default: the incident's own "
        "period) it falls in; planners only.",
        permission_classes=[IsPlanner],
    )
    async def hotspot(self, info: Info, period: str | None = None) -> TrafficHotspotType | None:
        name = period or self.period
        if name is None:
            return None
        period_named(name)
        # One read of the latest hotspots per period and request, however many reports.
        cache: dict[str, list[TrafficHotspot]] = info.context.__dict__.setdefault(
            "_traffic_hotspots", {}
        )
        if name not in cache:
            cache[name] = await info.context.run(latest_hotspots, name)
        found = hotspot_of(self.row.lat, self.row.lon, cache[name])
        return TrafficHotspotType.from_row(found, name) if found is not None else None
