"""A run's demand from three sources, alone or combined: a planner's import, the Issy model,
planned trips.

Every source ends as a :class:`DemandCase`: zones (id and centroid) and an hourly trip matrix
for one period. The case is stored with the run (:meth:`DemandCase.to_json`), so a scenario
compares against exactly the demand its base run had, whatever was imported since.

Sources are combined (:func:`combined_case`) on the drive graph's nodes, the one zone system
they share: each source's zones are snapped to their nodes
(:func:`routing.traffic.demand.zone_nodes`) and the trips summed per (origin node, destination
node). Each source's scale multiplies its trips first. Pairs whose two ends snap to one node
load no street and are not counted, so the per-source totals (:class:`SourceTotal`, stored with
the run) add up to the run's demand.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session, col, select

from marketplace.errors import InvalidInput, NotFound
from marketplace.i18n import Message
from marketplace.models import DemandImport, DemandSource
from marketplace.traffic.config import TrafficConfig
from marketplace.traffic.planned import cell_centre, planned_counts
from routing.geometry import haversine_m
from routing.street.graph import CompactGraph
from routing.street.hierarchy.cch import CustomizedMetric
from routing.traffic.demand import DemandError, Period, Zone, od_matrix_from_csv, zone_nodes

__all__ = [
    "DemandCase",
    "SourceRequest",
    "SourceTotal",
    "check_scale_of",
    "check_sources",
    "combined_case",
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


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """One source a planner asks for, and the factor its trips are multiplied by."""

    source: DemandSource
    scale: float = 1.0


@dataclass(frozen=True, slots=True)
class SourceTotal:
    """What one source contributed to a run: hourly trips on distinct node pairs, and why
    it contributed none (``note``) when it is empty for the period."""

    source: DemandSource
    scale: float
    trips_veh_h: float
    zones: int
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source.name,
            "scale": self.scale,
            "trips_veh_h": self.trips_veh_h,
            "zones": self.zones,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceTotal:
        return cls(
            DemandSource[data["source"]],
            float(data["scale"]),
            float(data["trips_veh_h"]),
            int(data["zones"]),
            data.get("note"),
        )


@dataclass(frozen=True, eq=False)
class DemandCase:
    """Zones and an hourly demand for one period, ready for assignment.

    ``source`` is the (first) source; ``sources`` what each source contributed, empty for
    runs stored before sources could be combined.
    """

    source: DemandSource
    period: Period
    zones: tuple[Zone, ...]
    trips_veh_h: NDArray[np.float64]
    import_id: int | None = None
    dropped_zones: tuple[str, ...] = ()
    sources: tuple[SourceTotal, ...] = ()

    @property
    def zone_ids(self) -> list[str]:
        return [z.zone_id for z in self.zones]

    def to_json(self) -> str:
        """Zones, the non-zero hourly trips as ``[i, j, veh/h]``, and the per-source totals."""
        i, j = np.nonzero(self.trips_veh_h)
        data: dict[str, Any] = {
            "zones": [[z.zone_id, z.lat, z.lon] for z in self.zones],
            "trips_veh_h": [
                [int(a), int(b), float(self.trips_veh_h[a, b])] for a, b in zip(i, j, strict=True)
            ],
        }
        if self.sources:
            data["sources"] = [s.to_json() for s in self.sources]
        return json.dumps(data, separators=(",", ":"))

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
        sources = tuple(SourceTotal.from_json(s) for s in data.get("sources", []))
        return cls(source, period, zones, trips, import_id, sources=sources)


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
        # routing.traffic.demand names the files in its messages: call them what planners call them.
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


class _EmptySource(Exception):
    """A source with no trips in the period; ``error`` is what a single-source run raises."""

    def __init__(self, error: InvalidInput | NotFound) -> None:
        super().__init__(error.message)
        self.error = error


def check_scale_of(source: DemandSource, scale: float) -> float:
    """A source's scale: a finite number > 0, else :class:`InvalidInput` naming the source."""
    if not math.isfinite(scale) or scale <= 0:
        raise InvalidInput(
            f"the scale of {source.name} is {scale}; accepted: a number > 0 (its trips are "
            "multiplied by it)",
            field="sourceScales",
        )
    return scale


def check_sources(requests: Sequence[SourceRequest]) -> tuple[SourceRequest, ...]:
    """The requested sources, or :class:`InvalidInput`: none, a source twice, a bad scale."""
    accepted = ", ".join(s.name for s in DemandSource)
    if not requests:
        raise InvalidInput(
            f"demandSources is empty; give one or more of {accepted}", field="demandSources"
        )
    names = [r.source.name for r in requests]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidInput(
            f"demandSources names {', '.join(repeated)} more than once; give each source once "
            "(scale it with sourceScales)",
            field="demandSources",
        )
    for request in requests:
        check_scale_of(request.source, request.scale)
    return tuple(requests)


def demand_case(
    session: Session,
    *,
    source: DemandSource,
    period: Period,
    graph: CompactGraph,
    config: TrafficConfig,
    planned_trip_scale: float = 1.0,
    scale: float = 1.0,
    metric: CustomizedMetric | None = None,
) -> DemandCase:
    """Build the demand of ``period`` from ``source`` on ``graph``.

    ``planned_trip_scale`` multiplies planned trips (vehicles per planned trip), ``scale``
    any source's trips.

    Raises
    ------
    NotFound
        ``IMPORTED`` with nothing imported yet.
    InvalidInput
        The source has no trips in that period, its zones lie off the network, or (for the
        Issy model) the open data is missing or the period is not modelled.
    """
    try:
        return _source_case(
            session, source, period, graph, config, planned_trip_scale * scale, metric
        )
    except _EmptySource as empty:
        raise empty.error from None


def _source_case(
    session: Session,
    source: DemandSource,
    period: Period,
    graph: CompactGraph,
    config: TrafficConfig,
    scale: float,
    metric: CustomizedMetric | None = None,
) -> DemandCase:
    """One source's case, scaled; :class:`_EmptySource` when it has no trips in ``period``."""
    if source is DemandSource.IMPORTED:
        stored = latest_import(session)
        if stored is None:
            raise _EmptySource(NotFound(Message("traffic.no_od_matrix")))
        zones = tuple(Zone(str(z), float(a), float(b)) for z, a, b in json.loads(stored.zones))
        trips = np.zeros((len(zones), len(zones)))
        for a, b, value in json.loads(stored.trips).get(period.name, []):
            trips[a, b] = value
        case = DemandCase(source, period, zones, trips * scale / period.duration_h, stored.id)
    elif source is DemandSource.PLANNED_TRIPS:
        case = _planned_case(session, period, graph, scale)
    else:
        case = _issy_case(period, graph, config, scale, metric)
    if not case.trips_veh_h.any():
        raise _EmptySource(
            InvalidInput(
                f"the {source.name} demand has no trips in {period.name}; import or plan some "
                "first",
                field="demandSource",
            )
        )
    return case


def _loaded_veh_h(trips_veh_h: NDArray[np.float64], nodes: NDArray[np.int64]) -> float:
    """Hourly trips between zones on distinct nodes: the part that loads streets."""
    different = nodes[:, None] != nodes[None, :]
    return float(trips_veh_h[different].sum())


def combined_case(
    session: Session,
    *,
    requests: Sequence[SourceRequest],
    period: Period,
    graph: CompactGraph,
    config: TrafficConfig,
    metric: CustomizedMetric | None = None,
) -> DemandCase:
    """The demand of ``period`` from every requested source, summed on the graph's nodes.

    ``metric``: the graph's hierarchy customized for its free-flow times, when at hand; the
    Issy model's gravity step then takes its zone times from it (see :func:`issy_demand`).

    One source gives that source's own case (its zones, unchanged), with its total. Several
    give a case whose zones are the drive-graph nodes the sources' zones snap to (ids
    ``node:<OSM id>``), trips summed per node pair. A source with no trips in the period
    (nothing imported, the period not modelled, no trips) is reported in ``sources`` with a
    ``note``, unless every source is empty.

    Raises
    ------
    InvalidInput
        Bad requests (:func:`check_sources`), every source empty (naming why, each), a
        source's zones off the network or its data unreadable.
    NotFound
        A single ``IMPORTED`` source with nothing imported (as before sources combined).
    """
    requests = check_sources(requests)
    if len(requests) == 1:
        only = requests[0]
        case = demand_case(
            session, source=only.source, period=period, graph=graph, config=config,
            scale=only.scale, metric=metric,
        )  # fmt: skip
        nodes = _snapped(case, graph, "demandSource")
        total = SourceTotal(
            only.source, only.scale, _loaded_veh_h(case.trips_veh_h, nodes), len(case.zones)
        )
        return replace(case, sources=(total,))
    parts: list[tuple[DemandCase, NDArray[np.int64]]] = []
    totals: list[SourceTotal] = []
    for request in requests:
        try:
            case = _source_case(
                session, request.source, period, graph, config, request.scale, metric
            )
        except _EmptySource as empty:
            totals.append(SourceTotal(request.source, request.scale, 0.0, 0, empty.error.message))
            continue
        nodes = _snapped(case, graph, "demandSources")
        loaded = _loaded_veh_h(case.trips_veh_h, nodes)
        note = None if loaded > 0 else "every trip starts and ends at one street node"
        totals.append(SourceTotal(request.source, request.scale, loaded, len(case.zones), note))
        parts.append((case, nodes))
    if not parts:
        reasons = "; ".join(f"{t.source.name}: {t.note}" for t in totals)
        raise InvalidInput(
            f"none of the demand sources has trips in {period.name}: {reasons}",
            field="demandSources",
            problems=[f"{t.source.name}: {t.note}" for t in totals],
        )
    used = np.unique(np.concatenate([nodes for _, nodes in parts]))
    index = {int(n): k for k, n in enumerate(used.tolist())}
    trips = np.zeros((used.size, used.size))
    for case, nodes in parts:
        i, j = np.nonzero(case.trips_veh_h)
        origins = np.array([index[int(n)] for n in nodes[i]], dtype=np.int64)
        destinations = np.array([index[int(n)] for n in nodes[j]], dtype=np.int64)
        keep = origins != destinations
        np.add.at(trips, (origins[keep], destinations[keep]), case.trips_veh_h[i, j][keep])
    zones = tuple(
        Zone(
            f"node:{int(graph.node_osm_id[n])}",
            float(graph.node_lat[n]),
            float(graph.node_lon[n]),
        )
        for n in used.tolist()
    )
    import_ids = [c.import_id for c, _ in parts if c.import_id is not None]
    return DemandCase(
        requests[0].source,
        period,
        zones,
        trips,
        import_ids[0] if import_ids else None,
        dropped_zones=tuple(z for c, _ in parts for z in c.dropped_zones),
        sources=tuple(totals),
    )


def _snapped(case: DemandCase, graph: CompactGraph, field: str) -> NDArray[np.int64]:
    """The node of each of the case's zones (each source has checked its zones' reach)."""
    try:
        return zone_nodes(case.zones, graph, max_distance_m=np.inf)
    except DemandError as error:
        raise invalid_demand(error, field) from None


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


def _issy_case(
    period: Period,
    graph: CompactGraph,
    config: TrafficConfig,
    scale: float = 1.0,
    metric: CustomizedMetric | None = None,
) -> DemandCase:
    from routing.regions.issy_demand import IssyDemandSources, issy_demand

    try:
        sources = IssyDemandSources.from_data_dir(config.open_data_dir)
        demand = issy_demand(graph, sources, restrict_to_network=True, metric=metric)
    except DemandError as error:
        raise invalid_demand(error, "demandSource") from None
    except OSError as error:
        raise InvalidInput(
            f"the open data for the Issy demand is not readable at {config.open_data_dir}: "
            f"{error}; set ISSY_SHARED_DATA to the folder holding transit/ and geocoding/",
            field="demandSource",
        ) from None
    try:
        hourly = demand.od.hourly_veh_h(period.name) * scale
    except DemandError as error:  # the model has no such period: no trips in it
        raise _EmptySource(invalid_demand(error, "demandSource")) from None
    return DemandCase(
        DemandSource.ISSY_DEFAULT,
        period,
        tuple(demand.od.zones),
        hourly,
        dropped_zones=tuple(getattr(demand, "dropped_zones", ())),
    )
