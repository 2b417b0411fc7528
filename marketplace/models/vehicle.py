"""Vehicle types a service offers (GBFS ``vehicle_types``)."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from marketplace.models._columns import enum_column

__all__ = ["FormFactor", "Propulsion", "VehicleType"]


class FormFactor(enum.Enum):
    """GBFS 3.0 ``form_factor``."""

    BICYCLE = "bicycle"
    CARGO_BICYCLE = "cargo_bicycle"
    CAR = "car"
    MOPED = "moped"
    SCOOTER_STANDING = "scooter_standing"
    SCOOTER_SEATED = "scooter_seated"
    OTHER = "other"


class Propulsion(enum.Enum):
    """GBFS 3.0 ``propulsion_type``."""

    HUMAN = "human"
    ELECTRIC_ASSIST = "electric_assist"
    ELECTRIC = "electric"
    COMBUSTION = "combustion"
    COMBUSTION_DIESEL = "combustion_diesel"
    HYBRID = "hybrid"
    PLUG_IN_HYBRID = "plug_in_hybrid"
    HYDROGEN_FUEL_CELL = "hydrogen_fuel_cell"


class VehicleType(SQLModel, table=True):
    """A kind of vehicle of a service; ``max_range_m`` only for motorised ones."""

    __tablename__ = "vehicle_type"
    __table_args__ = (sa.UniqueConstraint("service_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("mobility_service.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    external_id: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    name: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    form_factor: FormFactor = Field(sa_column=enum_column(FormFactor))
    propulsion: Propulsion = Field(sa_column=enum_column(Propulsion))
    max_range_m: int | None = None
