"""Traffic for the city's planners: assignment runs and their results, demand, incidents.

A :class:`TrafficRun` is written with its :class:`TrafficSegment` and :class:`TrafficHotspot`
rows in one transaction, once the assignment has finished; a run that did not converge is
kept as a summary row (status ``NOT_CONVERGED``, no segments) so planners see its gap, but
the "latest run of a period" is always the latest ``SUCCEEDED`` base run.

Segments carry a stable key, ``<OSM way id>:<from OSM node>:<to OSM node>``, beside the edge
index of the drive graph the run used (``TrafficRun.network_sha256`` names that graph), so
results stay meaningful when the street network is rebuilt. Structured lists (hotspot
streets and segment keys, an imported matrix, a run's demand) are JSON text, as elsewhere in
the marketplace.

:class:`PlannedTripCount` holds only counts per (origin cell, destination cell, period):
never a coordinate, a time or who planned.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import UTCDateTime, enum_column, foreign_key_column, utcnow

__all__ = [
    "DemandImport",
    "DemandSource",
    "IncidentCategory",
    "IncidentReport",
    "PlannedTripCount",
    "RunStatus",
    "TrafficHotspot",
    "TrafficRun",
    "TrafficSegment",
]


class DemandSource(enum.Enum):
    """Where a run's origin-destination demand came from."""

    IMPORTED = "imported"
    ISSY_DEFAULT = "issy_default"
    PLANNED_TRIPS = "planned_trips"


class RunStatus(enum.Enum):
    """``SUCCEEDED``: converged, results stored. ``NOT_CONVERGED``: summary only."""

    SUCCEEDED = "succeeded"
    NOT_CONVERGED = "not_converged"


class IncidentCategory(enum.Enum):
    """What a resident or partner saw on the street."""

    CONGESTION = "congestion"
    ROADWORKS = "roadworks"
    ACCIDENT = "accident"
    OBSTRUCTION = "obstruction"
    DANGER = "danger"
    OTHER = "other"


def _float() -> sa.Column[Any]:
    return sa.Column(sa.Float, nullable=False)


class TrafficRun(SQLModel, table=True):
    """One assignment of a period's demand (a base case, or a scenario of a base run)."""

    __tablename__ = "traffic_run"
    __table_args__ = (sa.Index("ix_traffic_run_period_status_id", "period", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    period_h: float = Field(sa_column=_float())
    demand_source: DemandSource = Field(sa_column=enum_column(DemandSource))
    demand_import_id: int | None = Field(
        default=None,
        sa_column=foreign_key_column(
            "traffic_demand_import.id", nullable=True, ondelete="SET NULL"
        ),
    )
    algorithm: str = Field(sa_column=sa.Column(sa.String(8), nullable=False))
    target_gap: float = Field(sa_column=_float())
    relative_gap: float = Field(sa_column=_float())
    max_iterations: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    iterations: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    converged: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    status: RunStatus = Field(sa_column=enum_column(RunStatus))
    zone_count: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    total_demand_veh_h: float = Field(sa_column=_float())
    total_vehicle_hours: float = Field(sa_column=_float())
    total_delay_veh_h: float = Field(sa_column=_float())
    max_volume_capacity: float = Field(sa_column=_float())
    loaded_segments: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    hotspot_count: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    min_volume_capacity: float = Field(sa_column=_float())
    elapsed_s: float = Field(sa_column=_float())
    network_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    demand: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    """JSON: zones (id, lat, lon) and hourly trips, so a scenario reuses exactly this demand."""
    scenario: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    """JSON list of the edits' descriptions; ``None`` for a base run."""
    base_run_id: int | None = Field(
        default=None,
        sa_column=foreign_key_column("traffic_run.id", nullable=True, ondelete="SET NULL"),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class TrafficSegment(SQLModel, table=True):
    """One loaded street segment (a directed edge of the drive graph) of a run."""

    __tablename__ = "traffic_segment"
    __table_args__ = (sa.UniqueConstraint("run_id", "segment_key"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(sa_column=foreign_key_column("traffic_run.id"))
    edge: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    segment_key: str = Field(sa_column=sa.Column(sa.String(80), nullable=False))
    osm_way_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    street: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))
    highway: str | None = Field(default=None, sa_column=sa.Column(sa.String(40)))
    length_m: float = Field(sa_column=_float())
    volume_veh_h: float = Field(sa_column=_float())
    capacity_veh_h: float = Field(sa_column=_float())
    volume_capacity: float = Field(sa_column=_float())
    free_flow_time_s: float = Field(sa_column=_float())
    congested_time_s: float = Field(sa_column=_float())
    delay_veh_h: float = Field(sa_column=_float())
    mid_lat: float = Field(sa_column=_float())
    mid_lon: float = Field(sa_column=_float())
    geometry: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    """Encoded polyline (precision 6, lat/lon), tail to head."""
    hotspot_rank: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))


class TrafficHotspot(SQLModel, table=True):
    """A cluster of congested segments of a run, ranked by total delay."""

    __tablename__ = "traffic_hotspot"
    __table_args__ = (sa.UniqueConstraint("run_id", "rank"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(sa_column=foreign_key_column("traffic_run.id"))
    rank: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    streets: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    """JSON list of street names, the one with most delay first."""
    centroid_lat: float = Field(sa_column=_float())
    centroid_lon: float = Field(sa_column=_float())
    radius_m: float = Field(sa_column=_float())
    total_delay_veh_h: float = Field(sa_column=_float())
    max_volume_capacity: float = Field(sa_column=_float())
    volume_veh_h: float = Field(sa_column=_float())
    length_m: float = Field(sa_column=_float())
    segment_keys: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    """JSON list of the segments' keys, most delay first."""


class DemandImport(SQLModel, table=True):
    """A planner's OD matrix, validated on import; the newest one is what ``IMPORTED`` uses."""

    __tablename__ = "traffic_demand_import"

    id: int | None = Field(default=None, primary_key=True)
    zones: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    """JSON list of ``[zone_id, lat, lon]``."""
    trips: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    """JSON object: period -> list of ``[origin index, destination index, trips]``."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PlannedTripCount(SQLModel, table=True):
    """How many planned trips went from one grid cell to another in a period."""

    __tablename__ = "planned_trip_count"

    origin_cell: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    destination_cell: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    period: str = Field(sa_column=sa.Column(sa.String(32), primary_key=True))
    trips: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))


class IncidentReport(SQLModel, table=True):
    """Something reported at a point of the street network by a person or a partner's key."""

    __tablename__ = "incident_report"

    id: int | None = Field(default=None, primary_key=True)
    category: IncidentCategory = Field(sa_column=enum_column(IncidentCategory, index=True))
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    lat: float = Field(sa_column=_float())
    lon: float = Field(sa_column=_float())
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    author_person_id: int | None = Field(
        default=None, sa_column=foreign_key_column("person.id", nullable=True, ondelete="SET NULL")
    )
    author_partner_id: int | None = Field(
        default=None, sa_column=foreign_key_column("partner.id", nullable=True, ondelete="SET NULL")
    )
    author_key_id: int | None = Field(
        default=None, sa_column=foreign_key_column("api_key.id", nullable=True, ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
