"""Origin-destination demand by time period: zones, CSV import, centroid mapping, gravity model.

Demand is a square matrix of vehicle trips per period between zones, each zone a centroid
(lat, lon) that :func:`zone_nodes` ties to the nearest node of the drive graph's largest
strongly connected component (so every zone can reach every other). Trips in a period become
an hourly flow for assignment by dividing by the period's length: a static assignment treats
the period as uniform.

A planner's matrix comes from two CSV files, validated line by line::

    zones.csv  zone_id,lat,lon
    trips.csv  origin,destination,period,trips

Trips per zone pair and period range from 0 to :data:`MAX_TRIPS_PER_PAIR`: more vehicles
than a motorway carries in a day between two zones is a typo or an attack, and such numbers
would overflow the assignment's sums into infinities that "succeed" with nothing loaded.

Where no matrix exists, :func:`gravity_model` spreads trip ends (e.g. rail station entries
as productions) over the street network's travel times, doubly constrained (Furness).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from routing.errors import RoutingError
from routing.geometry import LocalProjection, haversine_m
from routing.street.graph import CompactGraph
from routing.street.hierarchy.cch import CustomizedMetric
from routing.street.search import dijkstra_costs

__all__ = [
    "DEFAULT_PERIODS",
    "MAX_TRIPS_PER_PAIR",
    "DemandError",
    "ExponentialDeterrence",
    "GravityResult",
    "OdMatrix",
    "Period",
    "PowerDeterrence",
    "UnreachableDemandError",
    "Zone",
    "gravity_model",
    "od_matrix_from_csv",
    "read_trips_csv",
    "read_zones_csv",
    "zone_nodes",
    "zone_travel_times_s",
]

_MAX_PROBLEMS_LISTED = 20


class DemandError(ValueError, RoutingError):
    """Demand data or parameters are invalid; ``problems`` lists each one found."""

    code = "INVALID_DEMAND"

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems) or [message]


class UnreachableDemandError(DemandError):
    """Some origin-destination pairs with trips have no route between them."""

    code = "UNREACHABLE_DEMAND"

    def __init__(self, pairs: Sequence[tuple[int, int]], trips_veh_h: float) -> None:
        shown = ", ".join(f"{o}->{d}" for o, d in pairs[:10])
        more = f" and {len(pairs) - 10} more" if len(pairs) > 10 else ""
        super().__init__(
            f"{len(pairs)} zone pair(s) with {trips_veh_h:.1f} veh/h have no route: {shown}{more}"
            "; map zones onto one strongly connected component (routing.traffic.demand.zone_nodes)"
        )
        self.pairs = list(pairs)


@dataclass(frozen=True, slots=True)
class Period:
    """A daily time window, ``start`` inclusive, ``end`` exclusive; wraps past midnight."""

    name: str
    start: dt.time
    end: dt.time

    @property
    def duration_h(self) -> float:
        start_h = self.start.hour + self.start.minute / 60
        end_h = self.end.hour + self.end.minute / 60
        return (end_h - start_h) % 24 or 24.0

    def contains(self, when: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= when < self.end
        return when >= self.start or when < self.end


DEFAULT_PERIODS: tuple[Period, ...] = (
    Period("morning_peak", dt.time(7), dt.time(9)),
    Period("evening_peak", dt.time(17), dt.time(19)),
    # Daytime between the peaks: nights carry too little traffic to matter for hotspots.
    Period("off_peak", dt.time(9), dt.time(17)),
)


@dataclass(frozen=True, slots=True)
class Zone:
    """A demand zone reduced to its centroid."""

    zone_id: str
    lat: float
    lon: float


@dataclass(frozen=True, eq=False)
class OdMatrix:
    """Vehicle trips per period between zones: ``trips[period][i, j]`` from zone i to zone j."""

    zones: tuple[Zone, ...]
    periods: tuple[Period, ...]
    trips: Mapping[str, NDArray[np.float64]]

    def period(self, name: str) -> Period:
        """The period called ``name`` (raises DemandError naming the accepted ones)."""
        for period in self.periods:
            if period.name == name:
                return period
        accepted = ", ".join(p.name for p in self.periods)
        raise DemandError(f"period {name!r} does not exist; accepted: {accepted}")

    def hourly_veh_h(self, name: str) -> NDArray[np.float64]:
        """The period's trips as a uniform hourly flow, for assignment."""
        period = self.period(name)
        return self.trips[name] / period.duration_h


MAX_TRIPS_PER_PAIR = 100_000.0
"""Most vehicle trips between two zones in one period."""


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _raise_problems(path: Path, problems: list[str]) -> None:
    if problems:
        listed = problems[:_MAX_PROBLEMS_LISTED]
        more = len(problems) - len(listed)
        tail = f"\n  ... and {more} more" if more else ""
        raise DemandError(
            f"{path.name}: {len(problems)} problem(s):\n  " + "\n  ".join(listed) + tail, problems
        )


def _rows(path: Path, required: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        handle = Path(path).open(newline="", encoding="utf-8-sig")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise DemandError(f"{path}: cannot open ({exc.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in required if c not in header]
        if missing:
            raise DemandError(
                f"{path.name} line 1: missing column(s) {', '.join(missing)}; "
                f"expected header {','.join(required)}"
            )
        reader.fieldnames = header
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def read_zones_csv(path: Path) -> tuple[Zone, ...]:
    """Read ``zone_id,lat,lon`` rows.

    Raises
    ------
    DemandError
        Naming each bad line and value: missing or duplicate ids, coordinates that are not
        numbers or out of range, an empty file.
    """
    zones: list[Zone] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for line, row in _rows(path, ("zone_id", "lat", "lon")):
        zone_id, lat, lon = row["zone_id"], _number(row["lat"]), _number(row["lon"])
        where = f"{path.name} line {line}"
        if not zone_id:
            problems.append(f"{where}: empty zone_id")
        elif zone_id in seen:
            problems.append(f"{where}: zone_id {zone_id!r} already given on line {seen[zone_id]}")
        if lat is None or not -90 <= lat <= 90:
            problems.append(f"{where}: lat {row['lat']!r} is not a latitude in [-90, 90]")
        if lon is None or not -180 <= lon <= 180:
            problems.append(f"{where}: lon {row['lon']!r} is not a longitude in [-180, 180]")
        if zone_id and zone_id not in seen and lat is not None and lon is not None:
            seen[zone_id] = line
            zones.append(Zone(zone_id, lat, lon))
    if not zones and not problems:
        problems.append(f"{path.name}: no zones; expected one row per zone after the header")
    _raise_problems(path, problems)
    return tuple(zones)


def read_trips_csv(
    path: Path, zones: Sequence[Zone], periods: Sequence[Period] = DEFAULT_PERIODS
) -> dict[str, NDArray[np.float64]]:
    """Read ``origin,destination,period,trips`` rows into one matrix per period.

    Pairs not listed have no trips. Raises :class:`DemandError` naming each bad line and value:
    unknown zones or periods, trips that are not a number >= 0, a pair repeated in a period.
    """
    index = {zone.zone_id: i for i, zone in enumerate(zones)}
    names = [p.name for p in periods]
    trips = {name: np.zeros((len(zones), len(zones))) for name in names}
    seen: dict[tuple[str, str, str], int] = {}
    problems: list[str] = []
    for line, row in _rows(path, ("origin", "destination", "period", "trips")):
        where = f"{path.name} line {line}"
        origin, destination, period = row["origin"], row["destination"], row["period"]
        count = _number(row["trips"])
        for role, zone_id in (("origin", origin), ("destination", destination)):
            if zone_id not in index:
                problems.append(f"{where}: {role} {zone_id!r} is not a zone of the zones file")
        if period not in trips:
            problems.append(f"{where}: period {period!r} unknown; accepted: {', '.join(names)}")
        if count is None or not 0 <= count <= MAX_TRIPS_PER_PAIR:
            problems.append(
                f"{where}: trips {row['trips']!r} is not a number from 0 to "
                f"{MAX_TRIPS_PER_PAIR:,.0f}"
            )
            count = None
        key = (origin, destination, period)
        if key in seen:
            problems.append(
                f"{where}: {origin}->{destination} in {period} already given on line {seen[key]}"
            )
            continue
        seen[key] = line
        if origin in index and destination in index and period in trips and count is not None:
            trips[period][index[origin], index[destination]] = count
    _raise_problems(path, problems)
    return trips


def od_matrix_from_csv(
    zones_csv: Path, trips_csv: Path, periods: Sequence[Period] = DEFAULT_PERIODS
) -> OdMatrix:
    """Read a planner's OD matrix from a zones file and a trips file (see module docstring)."""
    names = [p.name for p in periods]
    if len(set(names)) != len(names) or any(not n for n in names):
        raise DemandError(f"period names {names} must be unique and non-empty")
    zones = read_zones_csv(zones_csv)
    return OdMatrix(zones, tuple(periods), read_trips_csv(trips_csv, zones, periods))


def zone_nodes(
    zones: Sequence[Zone],
    graph: CompactGraph,
    *,
    max_distance_m: float = 1000.0,
    strongly_connected: bool = True,
) -> NDArray[np.int64]:
    """The drive-graph node nearest each zone centroid.

    With ``strongly_connected`` only nodes of the largest strongly connected component are
    candidates, so no pair of zones is left without a route by a stray one-way cul-de-sac.

    Raises
    ------
    DemandError
        Listing every zone whose centroid lies farther than ``max_distance_m`` from any node.
    """
    candidates = np.arange(graph.node_count)
    if strongly_connected:
        adjacency = csr_matrix(
            (np.ones(graph.edge_count), (graph.tails, graph.heads)),
            shape=(graph.node_count, graph.node_count),
        )
        _, labels = connected_components(adjacency, directed=True, connection="strong")
        candidates = np.flatnonzero(labels == np.bincount(labels).argmax())
    projection = LocalProjection(float(graph.node_lat.mean()), float(graph.node_lon.mean()))
    x, y = projection.to_xy(graph.node_lat[candidates], graph.node_lon[candidates])
    tree = cKDTree(np.column_stack([x, y]))
    lat = np.array([z.lat for z in zones])
    lon = np.array([z.lon for z in zones])
    _, nearest = tree.query(np.column_stack(projection.to_xy(lat, lon)))
    nodes = candidates[nearest]
    distance_m = np.atleast_1d(haversine_m(lat, lon, graph.node_lat[nodes], graph.node_lon[nodes]))
    problems = [
        f"zone {zone.zone_id!r} centroid ({zone.lat:.5f}, {zone.lon:.5f}) lies "
        f"{distance_m[i] / 1000:.1f} km from the drive network; accepted: within "
        f"{max_distance_m / 1000:.1f} km"
        for i, zone in enumerate(zones)
        if distance_m[i] > max_distance_m
    ]
    if problems:
        raise DemandError("; ".join(problems[:_MAX_PROBLEMS_LISTED]), problems)
    node_ids: NDArray[np.int64] = nodes.astype(np.int64)
    return node_ids


def zone_travel_times_s(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int32],
    duration_s: NDArray[np.float64],
    nodes: NDArray[np.int64],
    *,
    metric: CustomizedMetric | None = None,
) -> NDArray[np.float64]:
    """Fastest travel time between every pair of zone nodes (``inf`` when unreachable).

    ``metric``: the graph's hierarchy customized for ``duration_s`` (a router's
    ``live.customized(duration_s)``); when given, the many-to-many search on it answers (two
    elimination-tree searches per zone, ``benchmarks/one_to_all.py`` measures it against one
    Dijkstra per zone on the 115k-node topology), else one Dijkstra per zone.
    """
    if metric is not None:
        return metric.matrix(nodes, nodes)
    times_s = np.empty((nodes.shape[0], nodes.shape[0]))
    zero = np.zeros(1)
    for i, node in enumerate(nodes):
        times_s[i] = dijkstra_costs(indptr, heads, duration_s, np.array([node]), zero)[nodes]
    return times_s


@dataclass(frozen=True, slots=True)
class ExponentialDeterrence:
    """``exp(-beta_per_min * t)``: each extra minute deters by the same factor."""

    beta_per_min: float = 0.1

    def __call__(self, travel_time_s: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.exp(-self.beta_per_min * travel_time_s / 60.0)


@dataclass(frozen=True, slots=True)
class PowerDeterrence:
    """``t ** -exponent`` with t in minutes, floored at one minute so near pairs stay finite."""

    exponent: float = 2.0

    def __call__(self, travel_time_s: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.maximum(travel_time_s / 60.0, 1.0) ** -self.exponent


@dataclass(frozen=True, eq=False)
class GravityResult:
    """A balanced trip matrix and how closely its margins match the trip ends."""

    trips: NDArray[np.float64]
    iterations: int
    converged: bool
    max_relative_error: float


def gravity_model(
    productions: NDArray[np.floating],
    attractions: NDArray[np.floating],
    travel_time_s: NDArray[np.floating],
    *,
    deterrence: ExponentialDeterrence | PowerDeterrence = ExponentialDeterrence(),
    intrazonal: bool = False,
    balance: Literal["error", "productions"] = "error",
    max_iterations: int = 1000,
    tolerance: float = 1e-9,
) -> GravityResult:
    """Doubly constrained gravity model, balanced by Furness (iterative proportional fitting).

    ``T[i, j] = a_i P_i b_j A_j f(t_ij)``, with ``a`` and ``b`` found so that row sums equal
    the productions ``P`` and column sums the attractions ``A``.

    Parameters
    ----------
    productions, attractions
        Trip ends per zone (trips leaving, trips arriving), in any unit; ``>= 0``.
    travel_time_s
        Zone-to-zone travel times; ``inf`` for unreachable pairs (they get no trips).
    deterrence
        ``f(t)``: exponential (default, 0.1 per minute) or power.
    intrazonal
        Whether a zone's trips may stay in it (they load no street, so off by default).
    balance
        When totals differ: ``"error"`` raises, ``"productions"`` scales attractions to match.
    max_iterations, tolerance
        Furness stops when every margin is within ``tolerance`` (relative) of its target.

    Returns
    -------
    GravityResult
        ``converged=False`` when the structure of ``f`` (unreachable pairs) prevents balancing.

    Raises
    ------
    DemandError
        Shapes disagree, negative or non-finite trip ends, totals differ with ``"error"``, or a
        zone with trip ends reaches (or is reached from) no other zone.
    """
    p = np.asarray(productions, np.float64)
    a = np.asarray(attractions, np.float64)
    t = np.asarray(travel_time_s, np.float64)
    if p.ndim != 1 or a.shape != p.shape or t.shape != (p.size, p.size):
        raise DemandError(
            f"productions {p.shape}, attractions {a.shape} and travel times {t.shape} "
            "disagree; expected (z,), (z,) and (z, z)"
        )
    for name, ends in (("productions", p), ("attractions", a)):
        bad = ~np.isfinite(ends) | (ends < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DemandError(f"{name}[{i}] is {float(ends[i])}; accepted: finite and >= 0")
    total_p, total_a = float(p.sum()), float(a.sum())
    if not math.isclose(total_p, total_a, rel_tol=1e-9):
        if balance == "error":
            raise DemandError(
                f"productions total {total_p:g} but attractions total {total_a:g}; make them "
                "equal or pass balance='productions' to scale attractions"
            )
        a = a * (total_p / total_a) if total_a > 0 else a
    f = np.where(np.isfinite(t), deterrence(np.where(np.isfinite(t), t, 0.0)), 0.0)
    if not intrazonal:
        np.fill_diagonal(f, 0.0)
    for name, ends, reach in (("productions", p, f.sum(1)), ("attractions", a, f.sum(0))):
        stranded = (ends > 0) & (reach == 0)
        if stranded.any():
            raise DemandError(
                f"zone(s) {np.flatnonzero(stranded).tolist()} have {name} but no other zone "
                "to exchange trips with (unreachable or a single zone)"
            )
    trips = f.copy()
    error = math.inf
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported after the loop)
        rows = trips.sum(1)
        trips *= np.divide(p, rows, out=np.zeros_like(p), where=rows > 0)[:, None]
        cols = trips.sum(0)
        trips *= np.divide(a, cols, out=np.zeros_like(a), where=cols > 0)[None, :]
        # Columns are exact after their scaling; the rows tell how far from balance we are.
        error = float(np.max(np.abs(trips.sum(1) - p) / np.maximum(p, 1e-300), initial=0.0))
        if error <= tolerance:
            break
    return GravityResult(trips, iteration, error <= tolerance, error)
