"""Demand from the trips commuters plan: counts per grid cell pair and period, nothing more.

When a ``plan`` query succeeds, :func:`record_planned_trip` adds one to the count of its
(origin cell, destination cell, period). The cells are a fixed grid of about 500 m squares
(:func:`cell_of`), anchored on the equator and the prime meridian so a cell's id never
depends on which street network is loaded; the period comes from the departure time in
Paris time, and a trip outside every period is not counted. No coordinate, time, itinerary
or caller is ever stored, and :func:`demand_matrix` hides cells below a minimum count.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from marketplace.clock import PARIS
from marketplace.db import Database
from marketplace.errors import InvalidInput
from marketplace.models import PlannedTripCount
from marketplace.traffic.config import DEFAULT_CELL_SIZE_M, period_named
from routing.traffic.demand import DEFAULT_PERIODS, Period

__all__ = [
    "DemandCell",
    "DemandMatrix",
    "cell_centre",
    "cell_of",
    "check_scale",
    "demand_matrix",
    "period_of",
    "planned_counts",
    "record_planned_trip",
]

log = logging.getLogger(__name__)

_M_PER_DEG_LAT = 111_320.0
# Cells are squared at Issy's latitude; a degree of longitude is shorter there.
_REFERENCE_LAT = 48.82


def _steps_deg(cell_size_m: float) -> tuple[float, float]:
    lat_step = cell_size_m / _M_PER_DEG_LAT
    lon_step = cell_size_m / (_M_PER_DEG_LAT * math.cos(math.radians(_REFERENCE_LAT)))
    return lat_step, lon_step


def cell_of(lat: float, lon: float, cell_size_m: float = DEFAULT_CELL_SIZE_M) -> str:
    """The id of the grid cell holding a point: ``"<size>m:<row>:<column>"``."""
    lat_step, lon_step = _steps_deg(cell_size_m)
    return f"{cell_size_m:g}m:{math.floor(lat / lat_step)}:{math.floor(lon / lon_step)}"


def cell_centre(cell: str) -> tuple[float, float]:
    """``(lat, lon)`` of a cell's centre.

    Raises
    ------
    ValueError
        ``cell`` is not an id :func:`cell_of` makes.
    """
    size, row, column = cell.split(":")
    if not size.endswith("m"):
        raise ValueError(f"{cell!r} is not a grid cell id")
    lat_step, lon_step = _steps_deg(float(size[:-1]))
    return (int(row) + 0.5) * lat_step, (int(column) + 0.5) * lon_step


def period_of(when: dt.datetime, periods: tuple[Period, ...] = DEFAULT_PERIODS) -> Period | None:
    """The period a departure falls in, by its Paris wall-clock time; ``None`` outside all."""
    local = when.astimezone(PARIS).time() if when.tzinfo else when.time()
    return next((p for p in periods if p.contains(local)), None)


def _increment(session: Session, origin_cell: str, destination_cell: str, period: str) -> None:
    table = PlannedTripCount.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    # One statement, so two servers counting the same cell at once never lose a trip.
    statement = insert(table).values(
        origin_cell=origin_cell, destination_cell=destination_cell, period=period, trips=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["origin_cell", "destination_cell", "period"],
        set_={"trips": table.c.trips + 1},
    )
    session.execute(statement)


def record_planned_trip(
    db: Database,
    origin: tuple[float, float],
    destination: tuple[float, float],
    when: dt.datetime,
    *,
    cell_size_m: float = DEFAULT_CELL_SIZE_M,
) -> bool:
    """Count one planned trip in its (origin cell, destination cell, period).

    Blocking (call it in a worker thread). Never raises: a failure to count is logged and
    must not fail the plan that was already computed.

    Parameters
    ----------
    db
        The marketplace database.
    origin, destination
        ``(lat, lon)`` of the trip's ends; only their cells are kept.
    when
        The departure (or arrive-by) time; timezone-aware.
    cell_size_m
        Side of the grid cells.

    Returns
    -------
    bool
        Whether the trip was counted (``False`` outside every period, or on failure).
    """
    try:
        period = period_of(when)
        if period is None:
            return False
        cells = (cell_of(*origin, cell_size_m), cell_of(*destination, cell_size_m))
        db.call(_increment, *cells, period.name)
        return True
    except Exception:
        log.exception("could not count a planned trip; the plan itself was answered")
        return False


@dataclass(frozen=True, slots=True)
class DemandCell:
    """Trips planned from one grid cell to another in a period."""

    origin_cell: str
    destination_cell: str
    trips: int

    @property
    def origin_centre(self) -> tuple[float, float]:
        return cell_centre(self.origin_cell)

    @property
    def destination_centre(self) -> tuple[float, float]:
        return cell_centre(self.destination_cell)


@dataclass(frozen=True, slots=True)
class DemandMatrix:
    """The cells of a period shown to planners, how many were held back, and the total.

    ``total_trips`` counts every planned trip of the period, held-back cells included: a
    total names no cell, and without it a city where trips spread over many cells (each
    below the minimum) would read as one where nobody plans a trip.
    """

    period: str
    min_trips: int
    cells: tuple[DemandCell, ...]
    suppressed_cells: int
    total_trips: int


def planned_counts(session: Session, period: str) -> list[DemandCell]:
    """Every cell pair of a period with its count (unsuppressed: for assignment only)."""
    query = (
        select(PlannedTripCount)
        .where(PlannedTripCount.period == period)
        .order_by(col(PlannedTripCount.origin_cell), col(PlannedTripCount.destination_cell))
    )
    return [DemandCell(r.origin_cell, r.destination_cell, r.trips) for r in session.exec(query)]


def demand_matrix(session: Session, *, period: str, min_trips: int, floor: int) -> DemandMatrix:
    """The planned-trip cells of a period with at least ``max(min_trips, floor)`` trips.

    Parameters
    ----------
    period
        A period name (:data:`routing.traffic.demand.DEFAULT_PERIODS`).
    min_trips
        The caller's threshold; it may raise the floor, never lower it.
    floor
        The configured minimum count below which a cell is never shown.

    Raises
    ------
    InvalidInput
        Unknown period.
    """
    period_named(period)
    threshold = max(min_trips, floor)
    shown = session.exec(
        select(PlannedTripCount)
        .where(PlannedTripCount.period == period, PlannedTripCount.trips >= threshold)
        .order_by(col(PlannedTripCount.trips).desc(), col(PlannedTripCount.origin_cell))
    )
    cells = tuple(DemandCell(r.origin_cell, r.destination_cell, r.trips) for r in shown)
    held_back = session.exec(
        select(sa.func.count())
        .select_from(PlannedTripCount)
        .where(PlannedTripCount.period == period, PlannedTripCount.trips < threshold)
    ).one()
    total = session.exec(
        select(sa.func.coalesce(sa.func.sum(PlannedTripCount.trips), 0)).where(
            PlannedTripCount.period == period
        )
    ).one()
    return DemandMatrix(period, threshold, cells, int(held_back), int(total))


def check_scale(planned_trip_scale: float) -> float:
    """Vehicles per planned trip: a number > 0 (planned trips are a sample of the traffic)."""
    if not math.isfinite(planned_trip_scale) or planned_trip_scale <= 0:
        raise InvalidInput(
            f"plannedTripScale {planned_trip_scale}; accepted: a number > 0 (vehicles per "
            "planned trip)",
            field="plannedTripScale",
        )
    return planned_trip_scale
