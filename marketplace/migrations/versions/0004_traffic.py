"""Traffic for planners: assignment runs, segments, hotspots, imported and planned demand,
incident reports.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "planned_trip_count",
        sa.Column("origin_cell", sa.String(length=40), nullable=False),
        sa.Column("destination_cell", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("trips", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "origin_cell", "destination_cell", "period", name=op.f("pk_planned_trip_count")
        ),
    )
    op.create_table(
        "traffic_demand_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zones", sa.Text(), nullable=False),
        sa.Column("trips", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_demand_import")),
    )
    op.create_table(
        "traffic_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("period_h", sa.Float(), nullable=False),
        sa.Column(
            "demand_source",
            sa.Enum(
                "IMPORTED",
                "ISSY_DEFAULT",
                "PLANNED_TRIPS",
                name="demandsource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("demand_import_id", sa.Integer(), nullable=True),
        sa.Column("algorithm", sa.String(length=8), nullable=False),
        sa.Column("target_gap", sa.Float(), nullable=False),
        sa.Column("relative_gap", sa.Float(), nullable=False),
        sa.Column("max_iterations", sa.Integer(), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.Column("converged", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("SUCCEEDED", "NOT_CONVERGED", name="runstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("zone_count", sa.Integer(), nullable=False),
        sa.Column("total_demand_veh_h", sa.Float(), nullable=False),
        sa.Column("total_vehicle_hours", sa.Float(), nullable=False),
        sa.Column("total_delay_veh_h", sa.Float(), nullable=False),
        sa.Column("max_volume_capacity", sa.Float(), nullable=False),
        sa.Column("loaded_segments", sa.Integer(), nullable=False),
        sa.Column("hotspot_count", sa.Integer(), nullable=False),
        sa.Column("min_volume_capacity", sa.Float(), nullable=False),
        sa.Column("elapsed_s", sa.Float(), nullable=False),
        sa.Column("network_sha256", sa.String(length=64), nullable=False),
        sa.Column("demand", sa.Text(), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=True),
        sa.Column("base_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_run_id"],
            ["traffic_run.id"],
            name=op.f("fk_traffic_run_base_run_id_traffic_run"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["demand_import_id"],
            ["traffic_demand_import.id"],
            name=op.f("fk_traffic_run_demand_import_id_traffic_demand_import"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_run")),
    )
    op.create_index(
        op.f("ix_traffic_run_base_run_id"), "traffic_run", ["base_run_id"], unique=False
    )
    op.create_index(
        op.f("ix_traffic_run_demand_import_id"), "traffic_run", ["demand_import_id"], unique=False
    )
    op.create_index(
        "ix_traffic_run_period_status_id", "traffic_run", ["period", "status", "id"], unique=False
    )
    op.create_table(
        "incident_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "CONGESTION",
                "ROADWORKS",
                "ACCIDENT",
                "OBSTRUCTION",
                "DANGER",
                "OTHER",
                name="incidentcategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_person_id", sa.Integer(), nullable=True),
        sa.Column("author_partner_id", sa.Integer(), nullable=True),
        sa.Column("author_key_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_key_id"],
            ["api_key.id"],
            name=op.f("fk_incident_report_author_key_id_api_key"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_partner_id"],
            ["partner.id"],
            name=op.f("fk_incident_report_author_partner_id_partner"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_person_id"],
            ["person.id"],
            name=op.f("fk_incident_report_author_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_report")),
    )
    op.create_index(
        op.f("ix_incident_report_author_key_id"), "incident_report", ["author_key_id"], unique=False
    )
    op.create_index(
        op.f("ix_incident_report_author_partner_id"),
        "incident_report",
        ["author_partner_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_incident_report_author_person_id"),
        "incident_report",
        ["author_person_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_incident_report_category"), "incident_report", ["category"], unique=False
    )
    op.create_table(
        "traffic_hotspot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("streets", sa.Text(), nullable=False),
        sa.Column("centroid_lat", sa.Float(), nullable=False),
        sa.Column("centroid_lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("total_delay_veh_h", sa.Float(), nullable=False),
        sa.Column("max_volume_capacity", sa.Float(), nullable=False),
        sa.Column("volume_veh_h", sa.Float(), nullable=False),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("segment_keys", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["traffic_run.id"],
            name=op.f("fk_traffic_hotspot_run_id_traffic_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_hotspot")),
        sa.UniqueConstraint("run_id", "rank", name=op.f("uq_traffic_hotspot_run_id_rank")),
    )
    op.create_index(op.f("ix_traffic_hotspot_run_id"), "traffic_hotspot", ["run_id"], unique=False)
    op.create_table(
        "traffic_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("edge", sa.Integer(), nullable=False),
        sa.Column("segment_key", sa.String(length=80), nullable=False),
        sa.Column("osm_way_id", sa.BigInteger(), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("highway", sa.String(length=40), nullable=True),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("volume_veh_h", sa.Float(), nullable=False),
        sa.Column("capacity_veh_h", sa.Float(), nullable=False),
        sa.Column("volume_capacity", sa.Float(), nullable=False),
        sa.Column("free_flow_time_s", sa.Float(), nullable=False),
        sa.Column("congested_time_s", sa.Float(), nullable=False),
        sa.Column("delay_veh_h", sa.Float(), nullable=False),
        sa.Column("mid_lat", sa.Float(), nullable=False),
        sa.Column("mid_lon", sa.Float(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("hotspot_rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["traffic_run.id"],
            name=op.f("fk_traffic_segment_run_id_traffic_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_segment")),
        sa.UniqueConstraint(
            "run_id", "segment_key", name=op.f("uq_traffic_segment_run_id_segment_key")
        ),
    )
    op.create_index(op.f("ix_traffic_segment_run_id"), "traffic_segment", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_traffic_segment_run_id"), table_name="traffic_segment")
    op.drop_table("traffic_segment")
    op.drop_index(op.f("ix_traffic_hotspot_run_id"), table_name="traffic_hotspot")
    op.drop_table("traffic_hotspot")
    op.drop_index(op.f("ix_incident_report_category"), table_name="incident_report")
    op.drop_index(op.f("ix_incident_report_author_person_id"), table_name="incident_report")
    op.drop_index(op.f("ix_incident_report_author_partner_id"), table_name="incident_report")
    op.drop_index(op.f("ix_incident_report_author_key_id"), table_name="incident_report")
    op.drop_table("incident_report")
    op.drop_index("ix_traffic_run_period_status_id", table_name="traffic_run")
    op.drop_index(op.f("ix_traffic_run_demand_import_id"), table_name="traffic_run")
    op.drop_index(op.f("ix_traffic_run_base_run_id"), table_name="traffic_run")
    op.drop_table("traffic_run")
    op.drop_table("traffic_demand_import")
    op.drop_table("planned_trip_count")
