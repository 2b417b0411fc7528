"""Turn costs: what the turn-expanded car graph costs the customizable hierarchy, in one run.

For each street source, the drive graph is built once as the node-based graph (the baseline)
and expanded for turn costs (:func:`routing.street.readers.turn_expansion.expand_turns` with
:data:`routing.street.turn_costs.CAR_TURN_COSTS`); both are then ordered, customized and
queried the same way:

- ``nodes``, ``edges``: the compiled graph's sizes, and the expansion's CPU seconds;
- ``order_cpu_s``, ``customize_s`` (median of 3), ``cch_arcs``: the nested-dissection order,
  the customization of the time metric (ms), the chordal graph's size;
- ``query_ms``: median and p95 of one-to-one queries with path between the same random pairs
  of OSM nodes (on the expanded graph from every copy of the origin to every copy of the
  destination);
- ``distance_mismatches``: pairs whose shortest distance differs from the node-based graph's
  (turn costs are time only: must be 0); ``time_ratio``: median fastest time expanded /
  node-based (turn costs added).

Usage: ``python benchmarks/turn_costs.py [--streets PATH ...] [--pairs 200] [--seed 17]``
(default: the west-Issy Overpass extract and the Grand Paris topology of
``$ISSY_SHARED_DATA``). Prints one JSON record with the load average: the machine is shared,
read the ratios.
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
from routing.street.graph import CompactGraph
from routing.street.hierarchy.cch import CustomizableHierarchy, CustomizedMetric
from routing.street.hierarchy.cch_order import nested_dissection_order
from routing.street.modes import PLAIN_PROFILES, Mode
from routing.street.readers.osm import street_graphs_from_file
from routing.street.readers.turn_expansion import expand_turns
from routing.street.turn_costs import CAR_TURN_COSTS

_SOURCES = (
    "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz",
    "streets/grand_paris_carbike_topology_2023",
)


def _hierarchy(graph: CompactGraph) -> tuple[dict[str, Any], CustomizedMetric, CustomizedMetric]:
    tails = graph.tails.astype(np.int64)
    heads = graph.heads.astype(np.int64)
    started = time.process_time()
    rank = nested_dissection_order(graph.node_count, tails, heads, graph.node_lat, graph.node_lon)
    order_cpu_s = time.process_time() - started
    hierarchy = CustomizableHierarchy.build(
        graph.indptr, heads, graph.node_lat, graph.node_lon, rank=rank
    )
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        by_time = hierarchy.customize(graph.duration_s)
        runs.append(time.perf_counter() - started)
    by_distance = hierarchy.customize(graph.length_m)
    record = {
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "order_cpu_s": round(order_cpu_s, 2),
        "customize_ms": round(float(np.median(runs)) * 1000, 2),
        "cch_arcs": hierarchy.num_arcs,
    }
    return record, by_time, by_distance


def _copies(graph: CompactGraph) -> dict[int, NDArray[np.int64]]:
    order = np.argsort(graph.node_osm_id, kind="stable")
    ids = graph.node_osm_id[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    groups = np.split(order, starts[1:])
    return {int(ids[s]): g.astype(np.int64) for s, g in zip(starts, groups, strict=True)}


def _queries(
    graph: CompactGraph,
    metrics: tuple[CustomizedMetric, CustomizedMetric],
    pairs: list[tuple[int, int]],
) -> tuple[dict[str, Any], NDArray[np.float64], NDArray[np.float64]]:
    copies = _copies(graph)
    times_ms: list[float] = []
    costs = np.full((2, len(pairs)), np.inf)
    for k, metric in enumerate(metrics):
        for i, (a, b) in enumerate(pairs):
            sources, targets = copies[a], copies[b]
            started = time.perf_counter()
            found = metric.query(sources, np.zeros(sources.size), targets, np.zeros(targets.size))
            if k == 0:
                times_ms.append((time.perf_counter() - started) * 1000)
            if found is not None:
                costs[k, i] = found.cost
    record = {
        "query_ms": [
            round(float(np.median(times_ms)), 4),
            round(float(np.percentile(times_ms, 95)), 4),
        ]
    }
    return record, costs[0], costs[1]


def _warm_up() -> None:
    """Order, customize and query a 20 x 20 grid once: the kernels compile on first use, and
    the first graph measured must not pay for it."""
    side = 20
    ids = np.arange(side * side).reshape(side, side)
    a = np.concatenate([ids[:, :-1].ravel(), ids[:-1].ravel()])
    b = np.concatenate([ids[:, 1:].ravel(), ids[1:].ravel()])
    tails = np.concatenate([a, b]).astype(np.int64)
    heads = np.concatenate([b, a]).astype(np.int64)
    order = np.lexsort((heads, tails))
    tails, heads = tails[order], heads[order]
    indptr = np.zeros(side * side + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=side * side), out=indptr[1:])
    lat = 48.8 + (ids // side).ravel() * 1e-3
    lon = 2.2 + (ids % side).ravel() * 1e-3
    rank = nested_dissection_order(side * side, tails, heads, lat, lon)
    hierarchy = CustomizableHierarchy.build(indptr, heads, lat, lon, rank=rank)
    metric = hierarchy.customize(np.ones(heads.size))
    metric.query(np.array([0]), np.zeros(1), np.array([side * side - 1]), np.zeros(1))


def measure(source: Path, pairs_count: int, seed: int) -> dict[str, Any]:
    started = time.process_time()
    plain_nx = street_graphs_from_file(source, [Mode.DRIVE], PLAIN_PROFILES)[Mode.DRIVE]
    read_cpu_s = time.process_time() - started
    started = time.process_time()
    expanded_nx = expand_turns(plain_nx, CAR_TURN_COSTS)
    expand_cpu_s = time.process_time() - started
    plain = compile_graph(plain_nx, Mode.DRIVE, contract=False)
    expanded = compile_graph(expanded_nx, Mode.DRIVE, contract=False)
    del plain_nx, expanded_nx
    rng = np.random.default_rng(seed)
    core_nodes = np.unique(plain.tails[plain.core_edge])
    chosen = rng.choice(plain.node_osm_id[core_nodes], size=(pairs_count, 2))
    pairs = [(int(a), int(b)) for a, b in chosen if a != b]
    records: dict[str, Any] = {}
    costs: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    for name, graph in (("node_based", plain), ("turn_expanded", expanded)):
        record, by_time, by_distance = _hierarchy(graph)
        queried, times, distances = _queries(graph, (by_time, by_distance), pairs)
        records[name] = {**record, **queried}
        costs[name] = (times, distances)
    base_t, base_d = costs["node_based"]
    turn_t, turn_d = costs["turn_expanded"]
    both = np.isfinite(base_d) & np.isfinite(turn_d)
    mismatches = int(
        (np.abs(base_d[both] - turn_d[both]) > 1e-6 * np.maximum(base_d[both], 1)).sum()
    )
    mismatches += int((np.isfinite(base_d) != np.isfinite(turn_d)).sum())
    timed = np.isfinite(base_t) & np.isfinite(turn_t) & (base_t > 0)
    base, turned = records["node_based"], records["turn_expanded"]
    return {
        "source": str(source),
        "pairs": len(pairs),
        "read_cpu_s": round(read_cpu_s, 2),
        "expand_cpu_s": round(expand_cpu_s, 2),
        **records,
        "growth": {
            "nodes": round(turned["nodes"] / base["nodes"], 3),
            "edges": round(turned["edges"] / base["edges"], 3),
            "order_cpu": round(turned["order_cpu_s"] / max(base["order_cpu_s"], 1e-9), 2),
            "customize": round(turned["customize_ms"] / max(base["customize_ms"], 1e-9), 2),
            "cch_arcs": round(turned["cch_arcs"] / base["cch_arcs"], 2),
            "query_median": round(turned["query_ms"][0] / max(base["query_ms"][0], 1e-9), 2),
        },
        "distance_mismatches": mismatches,
        "time_ratio_median": round(float(np.median(turn_t[timed] / base_t[timed])), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("ISSY_SHARED_DATA", Path(__file__).parents[2] / "shared/data"))
    parser.add_argument("--streets", type=Path, nargs="*", default=None)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    sources = args.streets or [shared / s for s in _SOURCES]
    _warm_up()
    results = [measure(Path(s), args.pairs, args.seed) for s in sources]
    print(
        json.dumps(
            {"load_average": [round(x, 2) for x in os.getloadavg()], "graphs": results},
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
