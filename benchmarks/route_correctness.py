"""How right the street routes are on real OSM: 0 m answers, unreported jumps, inexact distances.

Issue 17 measured these against OSRM and Valhalla; this script keeps the three figures that
need no other engine, on the tagged west-Issy extract, for every mode:

- ``zero_m_routes``: routes of (almost) no length between points more than 10 m apart;
- ``unreported_jumps``: routes whose drawn start or end lies more than 5 m farther from the
  asked point than the snap distance the answer reports, or whose drawn line is more than
  5 m longer than the distance counted (a leap nobody was told about);
- ``distance_mismatches``: ``metric="distance"`` routes longer than a plain Dijkstra (scipy)
  between the same snapped positions, connectors included;
- ``median_route_speed_kmh``: the door-to-door speed of the fastest routes over 500 m, the
  figure the timing profiles (:mod:`routing.street.timing`) set.

Usage: ``python benchmarks/route_correctness.py [--pairs 300] [--seed 17] [--source FILE]``;
prints one JSON record. Points are drawn uniformly along the mode's edges, so cut-off pieces
at the extract's border get their share.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.errors import RoutingError
from routing.geometry import haversine_m
from routing.street.modes import Mode
from routing.street.network import open_street_network
from routing.street.router import StreetRouter
from routing.street.snap import Snap, drop_shared_fallbacks

_WEST_ISSY = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
_JUMP_TOLERANCE_M = 5.0
_DISTINCT_M = 10.0


def random_points(router: StreetRouter, count: int, rng: np.random.Generator) -> list[Any]:
    """Points drawn uniformly by length along the mode's edges."""
    graph = router.graph
    weights = graph.length_m / graph.length_m.sum()
    edges = rng.choice(graph.edge_count, size=count, p=weights)
    points = []
    for edge in edges:
        lat, lon = graph.edge_polyline(int(edge))
        k = int(rng.integers(0, len(lat) - 1))
        t = float(rng.random())
        points.append((lat[k] + t * (lat[k + 1] - lat[k]), lon[k] + t * (lon[k + 1] - lon[k])))
    return points


def _reference_m(router: StreetRouter, start: Snap, end: Snap) -> float:
    """Shortest distance between two snaps by scipy's Dijkstra, connectors counted."""
    graph = router.graph
    lengths = graph.length_m
    # csr_matrix would sum parallel edges: give it only the shortest of each (tail, head).
    order = np.lexsort((lengths, graph.heads, graph.tails))
    tails, heads = graph.tails[order], graph.heads[order]
    first = np.ones(order.size, np.bool_)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    kept = order[first]
    matrix = csr_matrix(
        (lengths[kept] + 1e-12, (graph.tails[kept], graph.heads[kept])),
        shape=(graph.node_count, graph.node_count),
    )
    leaving = np.array([graph.heads[p.edge] for p in start.positions])
    dist = dijkstra(matrix, indices=leaving, min_only=False)
    best = math.inf
    for i, a in enumerate(start.positions):
        leave = lengths[a.edge] * (1 - a.fraction) + getattr(a, "connector_m", 0.0)
        for b in end.positions:
            arrive = lengths[b.edge] * b.fraction + getattr(b, "connector_m", 0.0)
            best = min(best, leave + dist[i, graph.tails[b.edge]] + arrive)
            if a.edge == b.edge and a.fraction <= b.fraction:
                along = lengths[a.edge] * (b.fraction - a.fraction)
                connectors = getattr(a, "connector_m", 0.0) + getattr(b, "connector_m", 0.0)
                best = min(best, along + connectors)
    return best


def _gap_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_m(a[0], a[1], b[0], b[1]))


def _drawn_m(coordinates: tuple[tuple[float, float], ...]) -> float:
    """The length of the drawn geometry: more than the route's distance means a silent leap."""
    lat = np.array([c[0] for c in coordinates])
    lon = np.array([c[1] for c in coordinates])
    return float(np.sum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])))


def measure_mode(router: StreetRouter, pairs: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    origins = random_points(router, pairs, rng)
    destinations = random_points(router, pairs, rng)
    counts: dict[str, float] = {"pairs": pairs, "routed": 0, "errors": 0, "zero_m_routes": 0}
    counts |= {"unreported_jumps": 0, "worst_jump_m": 0.0, "distance_mismatches": 0}
    worst_mismatch: tuple[float, object] = (0.0, None)
    speeds_kmh: list[float] = []
    for origin, destination in zip(origins, destinations, strict=True):
        try:
            by_time = router.route(origin, destination, metric="time")
            by_distance = router.route(origin, destination, metric="distance")
        except RoutingError:
            counts["errors"] += 1
            continue
        counts["routed"] += 1
        if by_time.distance_m > 500:
            speeds_kmh.append(3.6 * by_time.distance_m / by_time.duration_s)
        apart_m = _gap_m(origin, destination)
        for route in (by_time, by_distance):
            if apart_m > _DISTINCT_M and route.distance_m < 1.0:
                counts["zero_m_routes"] += 1
            first, last = route.coordinates[0], route.coordinates[-1]
            jump = max(
                _gap_m(origin, first) - route.origin.distance_m,
                _gap_m(destination, last) - route.destination.distance_m,
                _drawn_m(route.coordinates) - route.distance_m,
            )
            if jump > _JUMP_TOLERANCE_M:
                counts["unreported_jumps"] += 1
                counts["worst_jump_m"] = max(counts["worst_jump_m"], round(jump, 1))
        start, end = drop_shared_fallbacks(router.snap(*origin), router.snap(*destination))
        reference = _reference_m(router, start, end)
        if by_distance.distance_m > reference * (1 + 1e-9) + 0.01:
            counts["distance_mismatches"] += 1
            excess = by_distance.distance_m - reference
            if excess > worst_mismatch[0]:
                worst_mismatch = (excess, (origin, destination))
    counts["worst_mismatch_m"] = round(worst_mismatch[0], 1)
    # Door-to-door speed of the fastest routes over 500 m: what the timing profile gives.
    counts["median_route_speed_kmh"] = round(float(np.median(speeds_kmh)), 1)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--source", type=Path, default=None)
    args = parser.parse_args(argv)
    source = args.source
    if source is None:
        shared = Path(os.environ.get("ISSY_SHARED_DATA", "../shared/data"))
        source = shared / _WEST_ISSY
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        network = open_street_network(source, cache_dir=Path(cache))
        record: dict[str, Any] = {"source": str(source), "pairs_per_mode": args.pairs}
        for mode in Mode:
            record[mode.value] = measure_mode(network.router(mode), args.pairs, args.seed)
    record["elapsed_s"] = round(time.perf_counter() - started, 1)
    json.dump(record, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
