"""One-to-all costs: the customized hierarchy's sweeps (PHAST) against Dijkstra, in one run.

Isochrones and the gravity model need costs from a point to many nodes. This script measures,
on the same graph, sources and weights:

- ``isochrone``: per budget, a bounded Dijkstra (``dijkstra_costs(limit=budget)``) against
  :func:`routing.street.one_to_all.costs_from_all` (both sweeps, then the same limit), the
  median over the sources and the ratio ``dijkstra / sweep`` (above 1: the sweep is faster);
- ``gravity``: the zone-to-zone matrix the gravity model takes, one Dijkstra per zone (what
  :func:`routing.traffic.demand.zone_travel_times_s` did) against the hierarchy's
  many-to-many (buckets) on the same zones;
- every answer is checked equal to Dijkstra's (1e-9 relative), mismatches counted.

Usage: ``python benchmarks/one_to_all.py [--streets PREFIX] [--sources 20] [--zones 100]``
(default: the Grand Paris topology of ``$ISSY_SHARED_DATA``, 115k nodes; the drive graph's
free-flow times, then congested ones). Prints one JSON record, with the load average: the
machine is shared, read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.street.compile import compile_graph
from routing.street.hierarchy.cch import CustomizableHierarchy, CustomizedMetric
from routing.street.modes import Mode
from routing.street.one_to_all import costs_from_all
from routing.street.readers.osm import street_graphs_from_file
from routing.street.search import dijkstra_costs
from routing.traffic.demand import zone_travel_times_s

_TOPOLOGY = "streets/grand_paris_carbike_topology_2023"
_BUDGETS_S = (300.0, 600.0, 900.0, 1800.0, float("inf"))


def _median_ms(seconds: list[float]) -> float:
    return round(float(np.median(seconds)) * 1000, 3)


def _mismatches(a: NDArray[np.float64], b: NDArray[np.float64]) -> int:
    finite = np.isfinite(a) & np.isfinite(b)
    wrong = np.isinf(a) != np.isinf(b)
    wrong[finite] |= np.abs(a[finite] - b[finite]) > 1e-9 * np.maximum(b[finite], 1.0)
    return int(wrong.sum())


def isochrone_section(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int32],
    weights: NDArray[np.float64],
    metric: CustomizedMetric,
    sources: NDArray[np.int64],
    repeats: int,
) -> list[dict[str, Any]]:
    zero = np.zeros(1)
    rows = []
    for budget in _BUDGETS_S:
        dijkstra_s, sweep_s, mismatches, reached = [], [], 0, []
        for source in sources.tolist():
            start = np.array([source])
            for _ in range(repeats):
                began = time.perf_counter()
                expected = dijkstra_costs(indptr, heads, weights, start, zero, limit=budget)
                dijkstra_s.append(time.perf_counter() - began)
                began = time.perf_counter()
                swept = costs_from_all(metric, start, zero, limit=budget)
                sweep_s.append(time.perf_counter() - began)
            mismatches += _mismatches(swept, expected)
            reached.append(int(np.isfinite(expected).sum()))
        rows.append(
            {
                "budget_s": budget if np.isfinite(budget) else "all",
                "median_nodes_reached": int(np.median(reached)),
                "dijkstra_median_ms": _median_ms(dijkstra_s),
                "sweep_median_ms": _median_ms(sweep_s),
                "ratio_dijkstra_over_sweep": round(
                    float(np.median(dijkstra_s)) / float(np.median(sweep_s)), 2
                ),
                "mismatches": mismatches,
            }
        )
    return rows


def gravity_section(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int32],
    weights: NDArray[np.float64],
    metric: CustomizedMetric,
    zones: NDArray[np.int64],
    repeats: int,
) -> dict[str, Any]:
    dijkstra_s, buckets_s = [], []
    for _ in range(repeats):
        began = time.perf_counter()
        expected = zone_travel_times_s(indptr, heads, weights, zones)
        dijkstra_s.append(time.perf_counter() - began)
        began = time.perf_counter()
        matrix = zone_travel_times_s(indptr, heads, weights, zones, metric=metric)
        buckets_s.append(time.perf_counter() - began)
    return {
        "zones": int(zones.shape[0]),
        "dijkstra_per_zone_median_ms": _median_ms(dijkstra_s),
        "hierarchy_median_ms": _median_ms(buckets_s),
        "ratio_dijkstra_over_hierarchy": round(
            float(np.median(dijkstra_s)) / float(np.median(buckets_s)), 2
        ),
        "mismatches": _mismatches(matrix.ravel(), expected.ravel()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streets", type=Path, default=None)
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--zones", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    source = args.streets or Path(os.environ.get("ISSY_SHARED_DATA", "../shared/data")) / _TOPOLOGY

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    say(f"loading {source}")
    graph = compile_graph(
        street_graphs_from_file(source, (Mode.DRIVE,))[Mode.DRIVE],  # the source's default
        Mode.DRIVE,
        contract=False,
    )
    say(f"{graph.node_count:,} nodes, {graph.edge_count:,} edges; ordering the hierarchy")
    began = time.perf_counter()
    hierarchy = CustomizableHierarchy.build(
        graph.indptr, graph.heads, graph.node_lat, graph.node_lon
    )
    order_s = time.perf_counter() - began
    rng = np.random.default_rng(args.seed)
    sources = rng.choice(graph.node_count, args.sources, replace=False).astype(np.int64)
    zones = rng.choice(graph.node_count, args.zones, replace=False).astype(np.int64)
    record: dict[str, Any] = {
        "graph": str(source),
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "cch_arcs": hierarchy.num_arcs,
        "order_s": round(order_s, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    congested = graph.duration_s * rng.uniform(1.0, 2.5, graph.edge_count)
    for name, weights in (("free_flow", graph.duration_s), ("congested", congested)):
        began = time.perf_counter()
        metric = hierarchy.customize(weights)
        customize_s = time.perf_counter() - began
        costs_from_all(metric, sources[:1], np.zeros(1))  # compile the kernels once
        dijkstra_costs(graph.indptr, graph.heads, weights, sources[:1], np.zeros(1))
        say(f"{name}: customized in {customize_s:.2f} s; isochrone budgets")
        record[name] = {
            "customize_s": round(customize_s, 3),
            "isochrone": isochrone_section(
                graph.indptr, graph.heads, weights, metric, sources, args.repeats
            ),
        }
        say(f"{name}: gravity matrix")
        record[name]["gravity"] = gravity_section(
            graph.indptr, graph.heads, weights, metric, zones, args.repeats
        )
    record["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
