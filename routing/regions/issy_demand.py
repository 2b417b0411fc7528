"""A default peak-period car demand for Issy-les-Moulineaux, built from real open data.

No origin-destination survey of Issy's car traffic is at hand, so this model reads the one
measured flow of people the open data holds, rail station entries, and turns it into car trip
ends with stated ratios, then spreads them over the street network with a gravity model.

Sources (the caller passes their paths; see ``../shared/data/SOURCES.md`` 2.3-2.5 and 6.3)
------------------------------------------------------------------------------------------
- IDFM "Emplacement des gares IDF" (2025): station positions, one row per station and line,
  grouped by stop area (``id_ref_zdc``). © Île-de-France Mobilités, Licence Ouverte 2.0.
- IDFM daily validations at the Issy-area rail stations, 2024-07-01 to 2025-06-30: the trip
  ends. © Île-de-France Mobilités, ODbL.
- RATP yearly station entries 2021: a fallback for a station without validation rows, at
  ``yearly / 300`` per weekday (RATP's own ratio of yearly to working-day traffic is near
  300 because weekends carry less). 2021 was a Covid year, hence fallback only; it serves
  Billancourt (metro 9, just over the border in Boulogne), which the filtered validation
  file leaves out. © RATP, ODbL.
- Ville d'Issy points of interest (2014): where in a station's catchment trips start and end.
  © Ville d'Issy-les-Moulineaux.

Zones
-----
One zone per rail stop area inside the study box (:data:`STUDY_BOX`, Issy's boundary box with
a margin that keeps the stations on its edge: Porte de Versailles, Marcel Sembat, Meudon,
Clamart); stop areas with neither validations nor RATP entries (tram-only stops: tram
validations are not in the data) get no zone. Then one zone per cell of a grid of about
500 m over the box that holds at least one point of interest, its centroid the mean of those
points (so it falls on built-up streets, not in the Seine).

Trip ends, per weekday (every number is an :class:`IssyDemandAssumptions` field)
----------------------------------------------------------------------------------
1. ``E_s``: mean weekday entries at station ``s`` (all fare categories, Monday-Friday).
2. Entries in a period: ``E_s * share``, with 22 % of a weekday's entries in the morning
   peak (7-9 h) and 20 % in the evening peak (17-19 h): IDFM rail profiles put roughly a
   tenth of the day's entries in each peak hour, the evening peak flatter than the morning's.
3. Exits are not published. People come back the way they went, so a station's exits in
   one peak are taken equal to its entries in the other (tidal symmetry): a catchment
   *produces* its period's entries and *attracts* the other period's entries.
4. Car trips per rail trip: the car's share of trips (23 %) over public transport's (30 %),
   the order of the 2018-2020 EGT survey for Hauts-de-Seine residents, divided by the car
   occupancy (1.1 persons per car): 0.70 vehicle trips per rail entry.
5. Half of those car trips (50 %) have both ends in the study area; the others cross its
   edge, and with no external zones in the model they are left out rather than forced onto
   internal streets.
6. Each catchment (the grid cells nearer to station ``s`` than to any other) keeps 15 % of
   its car trip ends at the station itself (drop-off, pick-up, station car parks) and shares
   the rest among its cells in proportion to their points of interest.

So a period's productions total ``sum_s E_s * share * 0.23 / 0.30 / 1.1 * 0.5`` vehicles,
and attractions are scaled to that total before the gravity model balances them. With
``restrict_to_network`` (a partial extract), zones off the network are dropped and each
remaining station spreads all of its trip ends over its remaining zones, so the sum runs
over the stations on the network.

Distribution
------------
:func:`routing.traffic.demand.gravity_model`, doubly constrained, exponential deterrence of 0.1 per
minute of free-flow driving time between zone nodes on the drive graph given. No intrazonal
trips (they load no street).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from routing.geometry import BoundingBox, haversine_m
from routing.street.graph import CompactGraph
from routing.street.hierarchy.cch import CustomizedMetric
from routing.traffic.demand import (
    DEFAULT_PERIODS,
    DemandError,
    ExponentialDeterrence,
    GravityResult,
    OdMatrix,
    Period,
    Zone,
    gravity_model,
    zone_nodes,
    zone_travel_times_s,
)

__all__ = [
    "ISSY_PERIODS",
    "STUDY_BOX",
    "IssyDemand",
    "IssyDemandAssumptions",
    "IssyDemandSources",
    "issy_demand",
]

STUDY_BOX = BoundingBox(min_lat=48.8110, min_lon=2.2350, max_lat=48.8360, max_lon=2.2900)
""":data:`~routing.regions.issy.ISSY_BOX` widened by 40-260 m so the stations on its edge
(Porte de Versailles, Marcel Sembat, Meudon, Clamart) fall inside."""

ISSY_PERIODS: tuple[Period, ...] = tuple(
    p for p in DEFAULT_PERIODS if p.name in ("morning_peak", "evening_peak")
)


@dataclass(frozen=True, slots=True)
class IssyDemandAssumptions:
    """The model's ratios; the module docstring says where each default comes from."""

    period_share: Mapping[str, float] = field(
        default_factory=lambda: {"morning_peak": 0.22, "evening_peak": 0.20}
    )
    car_mode_share: float = 0.23
    transit_mode_share: float = 0.30
    car_occupancy: float = 1.1
    internal_share: float = 0.5
    station_share: float = 0.15
    grid_cell_deg: tuple[float, float] = (0.0045, 0.0070)
    """(lat, lon) size of a grid cell: about 500 m each way at Issy's latitude."""
    ratp_weekdays_per_year: float = 300.0
    deterrence_per_min: float = 0.1

    @property
    def vehicles_per_entry(self) -> float:
        """Vehicle trips with both ends in the area per rail entry."""
        ratio = self.car_mode_share / self.transit_mode_share / self.car_occupancy
        return ratio * self.internal_share


@dataclass(frozen=True, slots=True)
class IssyDemandSources:
    """Paths of the open-data files (the names in ``../shared/data/``)."""

    stations_csv: Path
    validations_csv: Path
    ratp_entries_csv: Path | None = None
    poi_json: Path | None = None

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> IssyDemandSources:
        """The files under a ``shared/data`` folder (``transit/`` and ``geocoding/``)."""
        transit = Path(data_dir) / "transit"
        sources = cls(
            stations_csv=transit / "idfm_emplacement_des_gares_idf_2025.csv.gz",
            validations_csv=transit / "idfm_validations_jour_issy_area_2024-07_2025-06.csv.gz",
            ratp_entries_csv=transit / "ratp_trafic_annuel_entrant_par_station_2021.csv",
            poi_json=Path(data_dir) / "geocoding" / "issy_poi_data_issy_com_2014.json.gz",
        )
        missing = [str(p) for p in sources.paths() if not p.is_file()]
        if missing:
            raise DemandError(
                f"{data_dir} lacks the open data the Issy demand needs: {', '.join(missing)}"
            )
        return sources

    def paths(self) -> tuple[Path, ...]:
        return tuple(
            p
            for p in (self.stations_csv, self.validations_csv, self.ratp_entries_csv, self.poi_json)
            if p is not None
        )


@dataclass(frozen=True, eq=False)
class IssyDemand:
    """The OD matrix (vehicle trips per period) and how it was made."""

    od: OdMatrix
    zone_nodes: NDArray[np.int64]
    """Drive-graph node of each zone, in ``od.zones`` order."""
    station_weekday_entries: Mapping[str, float]
    """Mean weekday entries per station zone (its ``zone_id``)."""
    productions: Mapping[str, NDArray[np.float64]]
    attractions: Mapping[str, NDArray[np.float64]]
    """Trip ends per period (vehicles in the period), attractions before scaling."""
    gravity: Mapping[str, GravityResult]
    dropped_zones: tuple[str, ...]
    """Zones left out because they lie off the network (``restrict_to_network=True``)."""
    assumptions: IssyDemandAssumptions

    def total_trips(self, period: str) -> float:
        """Vehicle trips in ``period`` (raises DemandError for an unknown period)."""
        self.od.period(period)
        return float(self.od.trips[period].sum())


def issy_demand(
    graph: CompactGraph,
    sources: IssyDemandSources,
    *,
    assumptions: IssyDemandAssumptions = IssyDemandAssumptions(),
    restrict_to_network: bool = False,
    max_distance_m: float = 500.0,
    metric: CustomizedMetric | None = None,
) -> IssyDemand:
    """Build the morning and evening peak car OD matrices for Issy on ``graph``.

    Parameters
    ----------
    graph
        The drive graph whose free-flow times drive the gravity model.
    sources
        The open-data files (see :meth:`IssyDemandSources.from_data_dir`).
    assumptions
        The ratios of the module docstring.
    restrict_to_network
        Drop zones farther than ``max_distance_m`` from the network or outside its bounding
        box (with their trip ends) instead of raising: for an extract that covers part of
        Issy only.
    max_distance_m
        How far a zone centroid may lie from the nearest drive node.
    metric
        ``graph``'s hierarchy customized for its free-flow times: the gravity model's
        zone-to-zone times then come from its many-to-many search instead of one Dijkstra
        per zone (equal costs).

    Raises
    ------
    DemandError
        A file is missing or malformed, no station has trip ends, zones lie off the network
        (unless restricted), or fewer than two zones remain.
    """
    names = [p.name for p in ISSY_PERIODS]
    shares = assumptions.period_share
    if any(not 0 < shares.get(name, -1.0) <= 1 for name in names):
        raise DemandError(
            f"period shares {dict(shares)}; accepted: a share in (0, 1] for each of {names}"
        )
    stations = _station_zones(sources.stations_csv)
    entries = _weekday_entries(sources.validations_csv)
    if sources.ratp_entries_csv is not None:
        ratp = _ratp_entries(sources.ratp_entries_csv)
        for zdc, (_, name) in stations.items():
            if zdc not in entries and _key(name) in ratp:
                entries[zdc] = ratp[_key(name)] / assumptions.ratp_weekdays_per_year
    station_ids = [zdc for zdc in stations if entries.get(zdc, 0.0) > 0]
    if not station_ids:
        raise DemandError(
            f"no station inside the Issy box has validations in {sources.validations_csv.name}"
        )
    zones = [Zone(f"station:{zdc}", *stations[zdc][0]) for zdc in station_ids]
    station_names = [stations[zdc][1] for zdc in station_ids]
    cells = _poi_cells(sources.poi_json, assumptions.grid_cell_deg) if sources.poi_json else []
    zones += [Zone(cell_id, lat, lon) for cell_id, lat, lon, _ in cells]
    poi_counts = np.array([count for *_, count in cells], np.float64)

    dropped: tuple[str, ...] = ()
    if restrict_to_network:
        nodes, keep = _nodes_within(zones, graph, max_distance_m)
        dropped = tuple(z.zone_id for z, k in zip(zones, keep, strict=True) if not k)
    else:
        try:
            nodes = zone_nodes(zones, graph, max_distance_m=max_distance_m)
        except DemandError as error:
            # Name the way out: a partial extract needs the zones restricted to it.
            raise DemandError(
                f"{len(error.problems)} Issy demand zone(s) lie off this drive network, e.g. "
                f"{'; '.join(error.problems[:3])}; use a network covering Issy or "
                "restrict_to_network=True (CLI: --restrict-to-network)",
                error.problems,
            ) from None
        keep = np.ones(len(zones), bool)
    n_stations = len(station_ids)
    station_keep = keep[:n_stations]
    if not station_keep.any():
        raise DemandError(
            "no rail station of the Issy data lies on this network; accepted: a drive network "
            f"within {max_distance_m:.0f} m of at least one of: {', '.join(station_names)}"
        )
    spread = _catchment_split(zones, n_stations, poi_counts, assumptions.station_share)
    spread = spread[np.ix_(station_keep, keep)]
    # A catchment clipped by the network's edge keeps all its trip ends on its remaining
    # zones, so the totals stay those of the stations on the network.
    spread /= spread.sum(axis=1, keepdims=True)
    daily = np.array([entries[zdc] for zdc in station_ids])[station_keep]
    kept_zones = tuple(z for z, k in zip(zones, keep, strict=True) if k)
    nodes = nodes[keep]
    if len(kept_zones) < 2:
        raise DemandError(f"only {len(kept_zones)} zone lies on the network; a matrix needs two")

    times_s = zone_travel_times_s(graph.indptr, graph.heads, graph.duration_s, nodes, metric=metric)
    deterrence = ExponentialDeterrence(assumptions.deterrence_per_min)
    per_entry = assumptions.vehicles_per_entry
    trips: dict[str, NDArray[np.float64]] = {}
    productions: dict[str, NDArray[np.float64]] = {}
    attractions: dict[str, NDArray[np.float64]] = {}
    gravity: dict[str, GravityResult] = {}
    for period, other in zip(names, reversed(names), strict=True):
        # Tidal symmetry (docstring, step 3): this period's exits are the other's entries.
        out = daily * assumptions.period_share[period] * per_entry
        back = daily * assumptions.period_share[other] * per_entry
        productions[period] = out @ spread
        attractions[period] = back @ spread
        result = gravity_model(
            productions[period],
            attractions[period],
            times_s,
            deterrence=deterrence,
            balance="productions",
        )
        gravity[period] = result
        trips[period] = result.trips
    zone_entries = {
        f"station:{zdc}": float(entries[zdc])
        for zdc, k in zip(station_ids, station_keep, strict=True)
        if k
    }
    return IssyDemand(
        od=OdMatrix(kept_zones, ISSY_PERIODS, trips),
        zone_nodes=nodes.astype(np.int64),
        station_weekday_entries=zone_entries,
        productions=productions,
        attractions=attractions,
        gravity=gravity,
        dropped_zones=dropped,
        assumptions=assumptions,
    )


def _nodes_within(
    zones: list[Zone], graph: CompactGraph, max_distance_m: float
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Each zone's nearest core node, and which zones lie on the network.

    On it means within ``max_distance_m`` of that node and inside the network's bounding
    box: a zone beyond the extract's edge would have its traffic cut at the border.
    """
    nodes = zone_nodes(zones, graph, max_distance_m=np.inf)
    lat = np.array([z.lat for z in zones])
    lon = np.array([z.lon for z in zones])
    distance_m = haversine_m(lat, lon, graph.node_lat[nodes], graph.node_lon[nodes])
    inside = np.array([graph.bbox.contains(z.lat, z.lon) for z in zones], bool)
    return nodes, (np.atleast_1d(distance_m) <= max_distance_m) & inside


def _catchment_split(
    zones: list[Zone], n_stations: int, poi_counts: NDArray[np.float64], station_share: float
) -> NDArray[np.float64]:
    """``split[s, z]``: the share of station ``s``'s trip ends that zone ``z`` takes."""
    split = np.zeros((n_stations, len(zones)))
    lat = np.array([z.lat for z in zones])
    lon = np.array([z.lon for z in zones]) * np.cos(np.radians(48.82))
    cells = np.arange(n_stations, len(zones))
    nearest = np.argmin(
        (lat[cells, None] - lat[None, :n_stations]) ** 2
        + (lon[cells, None] - lon[None, :n_stations]) ** 2,
        axis=1,
    )
    for s in range(n_stations):
        mine = cells[nearest == s]
        weight = poi_counts[mine - n_stations]
        if weight.sum() > 0:
            split[s, s] = station_share
            split[s, mine] = (1.0 - station_share) * weight / weight.sum()
        else:
            split[s, s] = 1.0  # no points of interest nearer to it: the station takes all
    return split


def _open_text(path: Path) -> Iterator[str]:
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            yield from handle
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DemandError(f"{path}: cannot read ({exc})") from None


def _csv_rows(path: Path, required: tuple[str, ...], delimiter: str) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(_open_text(path), delimiter=delimiter)
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise DemandError(
            f"{path.name}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(reader.fieldnames or []) or 'no header'}"
        )
    yield from reader


def _station_zones(path: Path) -> dict[str, tuple[tuple[float, float], str]]:
    """Stop areas inside :data:`STUDY_BOX`: mean position over their lines, and a name."""
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in _csv_rows(path, ("geo_point_2d", "nom_gares", "id_ref_zdc"), ";"):
        try:
            lat, lon = (float(v) for v in row["geo_point_2d"].split(","))
        except ValueError:
            raise DemandError(
                f"{path.name}: geo_point_2d {row['geo_point_2d']!r} is not 'lat, lon'"
            ) from None
        if STUDY_BOX.contains(lat, lon):
            points[row["id_ref_zdc"]].append((lat, lon))
            names.setdefault(row["id_ref_zdc"], row["nom_gares"])
    return {
        zdc: (
            (float(np.mean([p[0] for p in pts])), float(np.mean([p[1] for p in pts]))),
            names[zdc],
        )
        for zdc, pts in sorted(points.items())
    }


def _weekday_entries(path: Path) -> dict[str, float]:
    """Mean entries per weekday (Monday-Friday with data) per stop area."""
    per_day: dict[str, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    for row in _csv_rows(path, ("jour", "id_zdc", "nb_vald"), ","):
        try:
            day = dt.date.fromisoformat(row["jour"])
            count = float(row["nb_vald"])
        except ValueError:
            raise DemandError(
                f"{path.name}: day {row['jour']!r} or count {row['nb_vald']!r} is malformed; "
                "accepted: YYYY-MM-DD and a number"
            ) from None
        if day.weekday() < 5:
            per_day[row["id_zdc"]][day] += count
    return {zdc: sum(days.values()) / len(days) for zdc, days in per_day.items() if days}


def _key(name: str) -> str:
    """A station name reduced to letters and digits, upper case, no accents."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]", "", plain.upper())


def _ratp_entries(path: Path) -> dict[str, float]:
    entries: dict[str, float] = {}
    for row in _csv_rows(path, ("Station", "Trafic"), ";"):
        try:
            entries[_key(row["Station"])] = float(row["Trafic"])
        except ValueError:
            raise DemandError(f"{path.name}: Trafic {row['Trafic']!r} is not a number") from None
    return entries


def _poi_cells(path: Path, cell_deg: tuple[float, float]) -> list[tuple[str, float, float, int]]:
    """Grid cells over :data:`STUDY_BOX` holding points of interest: id, mean point, count."""
    try:
        with (
            gzip.open(path, "rt", encoding="utf-8")
            if path.suffix == ".gz"
            else path.open(encoding="utf-8") as handle
        ):
            records = json.load(handle)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DemandError(f"{path}: cannot read points of interest ({exc})") from None
    cells: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for record in records if isinstance(records, list) else []:
        coordinates = (record.get("geometry") or {}).get("coordinates")
        if not coordinates or len(coordinates) != 2:
            continue
        lon, lat = float(coordinates[0]), float(coordinates[1])
        if not STUDY_BOX.contains(lat, lon):
            continue
        row = int((lat - STUDY_BOX.min_lat) // cell_deg[0])
        col = int((lon - STUDY_BOX.min_lon) // cell_deg[1])
        cells[(row, col)].append((lat, lon))
    if not cells:
        raise DemandError(f"{path.name}: no point of interest lies inside the Issy box")
    return [
        (
            f"cell:{row}-{col}",
            float(np.mean([p[0] for p in pts])),
            float(np.mean([p[1] for p in pts])),
            len(pts),
        )
        for (row, col), pts in sorted(cells.items())
    ]
