"""A run's demand from one of three sources: a planner's import, the Issy model, planned trips.

Every source ends as a :class:`DemandCase`: zones (id and centroid) and an hourly trip matrix
for one period. The case is stored with the run (:meth:`DemandCase.to_json`), so a scenario
compares against exactly the demand its base run had, whatever was imported since.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session, col, select

from marketplace.errors import InvalidInput, NotFound
from marketplace.models import DemandImport, DemandSource
from marketplace.traffic.config import TrafficConfig
from marketplace.traffic.planned import cell_centre, planned_counts
from routing.compact import CompactGraph
from routing.demand import DemandError, Period, Zone, od_matrix_from_csv, zone_nodes
from routing.geometry import haversine_m

__all__ = [
    "DemandCase",
    "demand_case",
    "import_demand",
    "invalid_demand",
    "latest_import",
    "validate_import",
]

# A planned-trip cell's centre may fall in a park or the Seine: accept the nearest street
# within the cell's half-diagonal plus a block, drop cells farther than that.
_PLANNED_CELL_REACH_M = 600.0


def invalid_demand(error: DemandError, field: str | None = None) -> InvalidInput:
    """A :class:`DemandError` as the API's ``BAD_USER_INPUT``, every problem listed."""
    details: dict[str, Any] = {"problems": list(error.problems)}
    if field is not None:
        details["field"] = field
    return InvalidInput(str(error), **details)


@dataclass(frozen=True, eq=False)
class DemandCase:
    """Zones and an hourly demand for one period, ready for assignment."""

    source: DemandSource
    period: Period
    zones: tuple[Zone, ...]
    trips_veh_h: NDArray[np.float64]
    import_id: int | None = None
    dropped_zones: tuple[str, ...] = ()

    @property
    def zone_ids(self) -> list[str]:
        return [z.zone_id for z in self.zones]

    def to_json(self) -> str:
        """Zones and the non-zero hourly trips as ``[i, j, veh/h]``."""
        i, j = np.nonzero(self.trips_veh_h)
        return json.dumps(
            {
                "zones": [[z.zone_id, z.lat, z.lon] for z in self.zones],
                "trips_veh_h": [
                    [int(a), int(b), float(self.trips_veh_h[a, b])]
                    for a, b in zip(i, j, strict=True)
                ],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(
        cls, text: str, *, source: DemandSource, period: Period, import_id: int | None
    ) -> DemandCase:
        """The case :meth:`to_json` stored."""
        data = json.loads(text)
        zones = tuple(Zone(str(z), float(lat), float(lon)) for z, lat, lon in data["zones"])
        trips = np.zeros((len(zones), len(zones)))
        for a, b, value in data["trips_veh_h"]:
            trips[a, b] = value
        return cls(source, period, zones, trips, import_id)


def validate_import(zones_csv: str, trips_csv: str, graph: CompactGraph) -> tuple[str, str]:
    """Parse and check a planner's OD files against the drive network.

    Returns
    -------
    tuple[str, str]
        The zones and the trips as JSON text, as :class:`DemandImport` stores them.

    Raises
    ------
    InvalidInput
        Naming each bad line (``trips.csv line 3: ...``) or each zone off the network.
    """
    with tempfile.TemporaryDirectory(prefix="issy-od-") as folder:
        # routing.demand names the files in its messages: call them what planners call them.
        zones_path, trips_path = Path(folder) / "zones.csv", Path(folder) / "trips.csv"
        zones_path.write_text(zones_csv, encoding="utf-8")
        trips_path.write_text(trips_csv, encoding="utf-8")
        try:
            od = od_matrix_from_csv(zones_path, trips_path)
            zone_nodes(od.zones, graph)
        except DemandError as error:
            raise invalid_demand(error) from None
    zones = [[z.zone_id, z.lat, z.lon] for z in od.zones]
    trips: dict[str, list[list[float]]] = {}
    for period in od.periods:
        matrix = od.trips[period.name]
        i, j = np.nonzero(matrix)
        trips[period.name] = [
            [int(a), int(b), float(matrix[a, b])] for a, b in zip(i, j, strict=True)
        ]
    return json.dumps(zones), json.dumps(trips)


def import_demand(session: Session, *, zones_json: str, trips_json: str) -> DemandImport:
    """Store a validated import (see :func:`validate_import`); it becomes the newest."""
    row = DemandImport(zones=zones_json, trips=trips_json)
    session.add(row)
    session.flush()
    return row


def latest_import(session: Session) -> DemandImport | None:
    """The newest imported OD matrix, if any."""
    query = select(DemandImport).order_by(col(DemandImport.id).desc()).limit(1)
    return session.exec(query).first()


def demand_case(
    session: Session,
    *,
    source: DemandSource,
    period: Period,
    graph: CompactGraph,
    config: TrafficConfig,
    planned_trip_scale: float = 1.0,
) -> DemandCase:
    """Build the demand of ``period`` from ``source`` on ``graph``.

    Raises
    ------
    NotFound
        ``IMPORTED`` with nothing imported yet.
    InvalidInput
        The source has no trips in that period, its zones lie off the network, or (for the
        Issy model) the open data is missing or the period is not modelled.
    """
    if source is DemandSource.IMPORTED:
        stored = latest_import(session)
        if stored is None:
            raise NotFound("no OD matrix was imported yet; call importDemand first")
        zones = tuple(Zone(str(z), float(a), float(b)) for z, a, b in json.loads(stored.zones))
        trips = np.zeros((len(zones), len(zones)))
        for a, b, value in json.loads(stored.trips).get(period.name, []):
            trips[a, b] = value
        case = DemandCase(source, period, zones, trips / period.duration_h, stored.id)
    elif source is DemandSource.PLANNED_TRIPS:
        case = _planned_case(session, period, graph, planned_trip_scale)
    else:
        case = _issy_case(period, graph, config)
    if not case.trips_veh_h.any():
        raise InvalidInput(
            f"the {source.name} demand has no trips in {period.name}; import or plan some first",
            field="demandSource",
        )
    return case


def _planned_case(
    session: Session, period: Period, graph: CompactGraph, scale: float
) -> DemandCase:
    counts = [
        c for c in planned_counts(session, period.name) if c.origin_cell != c.destination_cell
    ]
    cells = sorted({c.origin_cell for c in counts} | {c.destination_cell for c in counts})
    zones = [Zone(cell, *cell_centre(cell)) for cell in cells]
    if not zones:
        return DemandCase(DemandSource.PLANNED_TRIPS, period, (), np.zeros((0, 0)))
    try:
        nodes = zone_nodes(zones, graph, max_distance_m=float("inf"))
    except DemandError as error:
        raise invalid_demand(error) from None
    lat = np.array([z.lat for z in zones])
    lon = np.array([z.lon for z in zones])
    reach_m = np.atleast_1d(haversine_m(lat, lon, graph.node_lat[nodes], graph.node_lon[nodes]))
    kept = [i for i in range(len(zones)) if reach_m[i] <= _PLANNED_CELL_REACH_M]
    index = {zones[i].zone_id: k for k, i in enumerate(kept)}
    trips = np.zeros((len(kept), len(kept)))
    for count in counts:
        if count.origin_cell in index and count.destination_cell in index:
            trips[index[count.origin_cell], index[count.destination_cell]] = count.trips * scale
    dropped = tuple(z.zone_id for i, z in enumerate(zones) if i not in set(kept))
    return DemandCase(
        DemandSource.PLANNED_TRIPS,
        period,
        tuple(zones[i] for i in kept),
        trips / period.duration_h,
        dropped_zones=dropped,
    )


def _issy_case(period: Period, graph: CompactGraph, config: TrafficConfig) -> DemandCase:
    from routing.issy_demand import IssyDemandSources, issy_demand

    try:
        sources = IssyDemandSources.from_data_dir(config.open_data_dir)
        demand = issy_demand(graph, sources, restrict_to_network=True)
        hourly = demand.od.hourly_veh_h(period.name)
    except DemandError as error:
        raise invalid_demand(error, "demandSource") from None
    except OSError as error:
        raise InvalidInput(
            f"the open data for the Issy demand is not readable at {config.open_data_dir}: "
            f"{error}; set ISSY_SHARED_DATA to the folder holding transit/ and geocoding/",
            field="demandSource",
        ) from None
    return DemandCase(
        DemandSource.ISSY_DEFAULT,
        period,
        tuple(demand.od.zones),
        hourly,
        dropped_zones=tuple(getattr(demand, "dropped_zones", ())),
    )
