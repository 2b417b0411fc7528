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
import threading
from collections import Counter
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
    "DemandRecorder",
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


def _increment(session: Session, counts: dict[tuple[str, str, str], int]) -> None:
    """Add ``counts`` (by origin cell, destination cell, period) in one statement."""
    table = PlannedTripCount.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    # One statement, so two servers counting the same cell at once never lose a trip; rows
    # in key order, so two servers flushing the same cells lock them in the same order.
    rows = [
        {"origin_cell": o, "destination_cell": d, "period": p, "trips": n}
        for (o, d, p), n in sorted(counts.items())
    ]
    statement = insert(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["origin_cell", "destination_cell", "period"],
        set_={"trips": table.c.trips + statement.excluded.trips},
    )
    session.execute(statement)


def _key_of(
    origin: tuple[float, float],
    destination: tuple[float, float],
    when: dt.datetime,
    cell_size_m: float,
) -> tuple[str, str, str] | None:
    period = period_of(when)
    if period is None:
        return None
    return cell_of(*origin, cell_size_m), cell_of(*destination, cell_size_m), period.name


def record_planned_trip(
    db: Database,
    origin: tuple[float, float],
    destination: tuple[float, float],
    when: dt.datetime,
    *,
    cell_size_m: float = DEFAULT_CELL_SIZE_M,
) -> bool:
    """Count one planned trip in its (origin cell, destination cell, period), now.

    Blocking (call it in a worker thread). Never raises: a failure to count is logged and
    must not fail the plan that was already computed. A server counts through a
    :class:`DemandRecorder` instead, one write for many plans.

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
        key = _key_of(origin, destination, when, cell_size_m)
        if key is None:
            return False
        db.call(_increment, {key: 1})
        return True
    except Exception:
        log.exception("could not count a planned trip; the plan itself was answered")
        return False


class DemandRecorder:
    """Counts planned trips in memory and writes them in one statement every
    ``flush_interval_s`` seconds, as soon as ``max_pending`` trips wait, and when stopped.

    A plan used to write its count in a transaction of its own; the planners' figures now
    arrive within ``flush_interval_s``. A failed write is logged and its counts are kept
    for the next one.

    Parameters
    ----------
    db
        The marketplace database.
    flush_interval_s
        The longest a counted trip waits in memory (while the recorder runs).
    max_pending
        Trips waiting that trigger a write at once.
    cell_size_m
        Side of the grid cells.
    """

    def __init__(
        self,
        db: Database,
        *,
        flush_interval_s: float = 1.0,
        max_pending: int = 500,
        cell_size_m: float = DEFAULT_CELL_SIZE_M,
    ) -> None:
        if not flush_interval_s > 0 or max_pending < 1:
            raise ValueError("flush_interval_s must be > 0 and max_pending >= 1")
        self._db = db
        self._interval_s = flush_interval_s
        self._max_pending = max_pending
        self._cell_size_m = cell_size_m
        self._pending: Counter[tuple[str, str, str]] = Counter()
        self._waiting = 0
        self._writing = 0
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one write at a time, in order
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="demand-recorder", daemon=True)

    def start(self) -> None:
        """Write the counts in the background from now on."""
        self._thread.start()

    def add(
        self, origin: tuple[float, float], destination: tuple[float, float], when: dt.datetime
    ) -> bool:
        """Count one planned trip (never blocks on the database, never raises).

        Returns
        -------
        bool
            Whether the trip will be counted (``False`` outside every period).
        """
        try:
            key = _key_of(origin, destination, when, self._cell_size_m)
        except Exception:
            log.exception("could not count a planned trip; the plan itself was answered")
            return False
        if key is None:
            return False
        with self._lock:
            self._pending[key] += 1
            self._waiting += 1
            full = self._waiting >= self._max_pending
        if full:
            self._wake.set()
        return True

    @property
    def pending(self) -> int:
        """Trips counted but not written yet (being written included)."""
        with self._lock:
            return self._waiting + self._writing

    def flush(self) -> int:
        """Write the waiting counts now (blocking); how many trips were written."""
        with self._flushing:
            with self._lock:
                counts, self._pending = self._pending, Counter()
                waiting, self._waiting = self._waiting, 0
                self._writing = waiting
            if not counts:
                return 0
            try:
                self._db.call(_increment, dict(counts))
            except Exception:
                log.exception("could not write %d planned trips; kept for the next try", waiting)
                with self._lock:
                    self._pending.update(counts)
                    self._waiting += waiting
                    self._writing = 0
                return 0
            with self._lock:
                self._writing = 0
            return waiting

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval_s)
            self._wake.clear()
            self.flush()

    def stop(self) -> None:
        """Stop the background writes and write what is waiting (at shutdown)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
        self.flush()


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
