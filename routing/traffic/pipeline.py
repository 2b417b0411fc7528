"""One traffic assignment from demand to exports: the path both the CLI and the server take.

A period's demand on the drive graph (zone nodes and an hourly trip matrix) is assigned to
user equilibrium on the graph's capacities, its hotspots found, and the outcome summarised;
:meth:`PeriodAssignment.write_exports` writes the planners' files. The command line
(``issy-mobility traffic assign``) and the server's runs (which store the outcome in the
database instead of files) call :func:`assign_period`, so an assignment means the same thing
wherever it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.street.graph import CompactGraph
from routing.traffic.assignment import (
    Algorithm,
    AssignmentNetwork,
    AssignmentResult,
    ProgressCallback,
    assign,
)
from routing.traffic.capacity import capacity_from_compact
from routing.traffic.exports import write_traffic_exports
from routing.traffic.hotspots import DEFAULT_MIN_VOLUME_CAPACITY, Hotspot, find_hotspots

__all__ = ["AssignmentSettings", "PeriodAssignment", "assign_period"]


@dataclass(frozen=True, slots=True)
class AssignmentSettings:
    """How to assign: the algorithm, when to stop, and what counts as a hotspot."""

    algorithm: Algorithm = "bfw"
    relative_gap: float = 1e-4
    max_iterations: int = 500
    min_volume_capacity: float = DEFAULT_MIN_VOLUME_CAPACITY


@dataclass(frozen=True, eq=False)
class PeriodAssignment:
    """A period's assignment on a graph, with its hotspots (most delay first)."""

    graph: CompactGraph
    period: str
    period_h: float
    result: AssignmentResult
    hotspots: list[Hotspot]

    def totals(self) -> dict[str, Any]:
        """Network-wide figures for a summary: demand, vehicle-hours, delay, loads."""
        result = self.result
        vehicle_hours = float(result.volume_veh_h @ result.congested_time_s) / 3600
        return {
            "demand_veh_h": round(result.total_demand_veh_h, 2),
            "vehicle_hours": round(vehicle_hours * self.period_h, 3),
            "delay_veh_h": round(result.total_delay_veh_h, 4),
            "loaded_segments": int((result.volume_veh_h > 0).sum()),
            "max_volume_capacity": round(float(result.volume_capacity_ratio.max()), 4),
            "hotspots": len(self.hotspots),
        }

    def top_hotspots(self, count: int) -> list[dict[str, Any]]:
        """The ``count`` worst hotspots as plain values (streets, centroid, delay, v/c)."""
        return [
            {
                "rank": h.rank,
                "streets": list(h.street_names),
                "lat": round(h.centroid_lat, 6),
                "lon": round(h.centroid_lon, 6),
                "total_delay_veh_h": round(h.total_delay_veh_h, 4),
                "max_volume_capacity": round(h.max_volume_capacity, 4),
            }
            for h in self.hotspots[:count]
        ]

    def write_exports(
        self,
        folder: Path,
        *,
        png: bool = True,
        extra: dict[str, Callable[[Path], None]] | None = None,
    ) -> dict[str, Path]:
        """Write the segments, hotspots and map (and ``extra`` files) into ``folder`` at once.

        See :func:`routing.traffic.exports.write_traffic_exports`.
        """
        return write_traffic_exports(
            folder, self.graph, self.result, self.hotspots, period=self.period, extra=extra, png=png
        )


def assign_period(
    graph: CompactGraph,
    zone_nodes: NDArray[np.int64],
    trips_veh_h: NDArray[np.float64],
    *,
    period: str,
    period_h: float,
    settings: AssignmentSettings = AssignmentSettings(),
    capacity_veh_h: NDArray[np.float64] | None = None,
    progress: ProgressCallback | None = None,
) -> PeriodAssignment:
    """Assign a period's hourly demand between ``zone_nodes`` and find its hotspots.

    ``capacity_veh_h`` defaults to the graph's own (:func:`~routing.traffic.capacity.
    capacity_from_compact`); ``progress`` is called after each iteration.

    Raises
    ------
    DemandError
        Zones off the network or pairs the network cannot connect
        (:class:`~routing.traffic.demand.UnreachableDemandError`).
    """
    capacity = capacity_from_compact(graph) if capacity_veh_h is None else capacity_veh_h
    network = AssignmentNetwork.from_compact(graph, capacity)
    result = assign(
        network,
        zone_nodes,
        trips_veh_h,
        algorithm=settings.algorithm,
        relative_gap=settings.relative_gap,
        max_iterations=settings.max_iterations,
        period_h=period_h,
        progress=progress,
    )
    hotspots = find_hotspots(
        graph, result, min_volume_capacity=settings.min_volume_capacity, period=period
    )
    return PeriodAssignment(graph, period, period_h, result, hotspots)
