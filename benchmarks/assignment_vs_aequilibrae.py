"""Our equilibrium assignment against AequilibraE's on the same network and demand.

The network is the Grand Paris car topology cut to a box around Issy (lat 48.80-48.85,
lon 2.22-2.31); zones are a grid of centroids snapped to its nodes; demand comes from our
gravity model with the same trip ends everywhere. Both sides get identical links (free-flow
time, capacity, BPR 0.15/4), the same OD matrix and the same relative-gap target, and run
bi-conjugate Frank-Wolfe. Prints one JSON object: link-volume agreement (Pearson correlation,
largest relative difference on loaded links), iterations, gaps and run times side by side.

Run: ``.venv/bin/python benchmarks/assignment_vs_aequilibrae.py [--rgap 1e-4] [--zones 5x4]``
(needs ``pip install aequilibrae``; without it, only our side runs and the JSON says why).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")  # AequilibraE's tqdm bars flood stdout

from routing.street.compile import compile_graph  # noqa: E402
from routing.street.graph import CompactGraph  # noqa: E402
from routing.street.modes import Mode  # noqa: E402
from routing.street.readers.osm import street_graphs_from_file  # noqa: E402
from routing.traffic.assignment import AssignmentNetwork, AssignmentResult, assign  # noqa: E402
from routing.traffic.capacity import capacity_from_compact  # noqa: E402
from routing.traffic.demand import Zone, gravity_model, zone_nodes, zone_travel_times_s  # noqa: E402

BBOX = (48.80, 2.22, 48.85, 2.31)  # south, west, north, east
LOADED_VEH_H = 50.0  # links below this in both runs are left out of the relative difference


def issy_network(shared_data: Path) -> CompactGraph:
    """The topology's drive graph restricted to the box around Issy."""
    graph = street_graphs_from_file(
        shared_data / "streets/grand_paris_carbike_topology_2023", (Mode.DRIVE,)
    )[Mode.DRIVE]
    south, west, north, east = BBOX
    inside = [
        n for n, d in graph.nodes(data=True) if south <= d["y"] <= north and west <= d["x"] <= east
    ]
    return compile_graph(graph.subgraph(inside).copy(), Mode.DRIVE, contract=False)


def gravity_demand(
    graph: CompactGraph, rows: int, cols: int, trips_per_zone: float
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Zone nodes on a rows x cols grid of centroids and a balanced gravity matrix (veh/h)."""
    south, west, north, east = BBOX
    margin = 0.005
    lats = np.linspace(south + margin, north - margin, rows)
    lons = np.linspace(west + margin, east - margin, cols)
    zones = [
        Zone(f"z{i}_{j}", lat, lon) for i, lat in enumerate(lats) for j, lon in enumerate(lons)
    ]
    nodes = zone_nodes(zones, graph)
    # Two centroids may snap to one node; keep the first so both sides see distinct centroids.
    nodes, first = np.unique(nodes, return_index=True)
    nodes = nodes[np.argsort(first)]
    times_s = zone_travel_times_s(graph.indptr, graph.heads, graph.duration_s, nodes)
    ends = np.full(nodes.shape[0], trips_per_zone)
    return nodes, gravity_model(ends, ends, times_s).trips


def run_ours(
    network: AssignmentNetwork, nodes: NDArray[np.int64], trips: NDArray[np.float64], rgap: float,
    max_iter: int,
) -> tuple[AssignmentResult, float, float]:  # fmt: skip
    """Our BFW; the first run includes numba's compile (or cache load), the second does not."""
    started = time.perf_counter()
    assign(network, nodes, trips, relative_gap=rgap, max_iterations=max_iter)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    result = assign(network, nodes, trips, relative_gap=rgap, max_iterations=max_iter)
    return result, first_s, time.perf_counter() - started


def run_aequilibrae(
    network: AssignmentNetwork, nodes: NDArray[np.int64], trips: NDArray[np.float64], rgap: float,
    max_iter: int,
) -> dict[str, Any]:  # fmt: skip
    """AequilibraE's BFW on the same links (link_id = our edge index + 1, node ids + 1)."""
    import pandas as pd
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph, TrafficAssignment, TrafficClass

    started = time.perf_counter()
    m = network.edge_count
    links = pd.DataFrame(
        {
            "link_id": np.arange(1, m + 1),
            "a_node": network.tails.astype(np.int64) + 1,  # AequilibraE wants ids > 0
            "b_node": network.heads.astype(np.int64) + 1,
            "direction": np.ones(m, np.int8),
            "free_flow_time": network.free_flow_time_s,
            "capacity": network.capacity_veh_h,
        }
    )
    graph = Graph()
    graph.network = links
    graph.network_ok = True
    graph.status = "OK"
    centroids = nodes.astype(np.int64) + 1
    graph.prepare_graph(centroids)
    graph.set_graph("free_flow_time")
    graph.set_skimming(["free_flow_time"])
    # Our zones are street nodes that traffic may pass through, not dedicated connectors.
    graph.set_blocked_centroid_flows(False)
    matrix = AequilibraeMatrix()
    matrix.create_empty(zones=centroids.shape[0], matrix_names=["car"], memory_only=True)
    matrix.index[:] = centroids
    matrix.matrices[:, :, 0] = trips
    matrix.computational_view(["car"])
    assignment = TrafficAssignment()
    assignment.set_classes([TrafficClass("car", graph, matrix)])
    assignment.set_vdf("BPR")
    assignment.set_vdf_parameters({"alpha": 0.15, "beta": 4.0})
    assignment.set_capacity_field("capacity")
    assignment.set_time_field("free_flow_time")
    assignment.set_algorithm("bfw")
    assignment.max_iter = max_iter
    assignment.rgap_target = rgap
    prepared_s = time.perf_counter() - started
    started = time.perf_counter()
    assignment.execute()
    run_s = time.perf_counter() - started
    loads = assignment.results()
    volume = loads["car_ab"].reindex(np.arange(1, m + 1)).fillna(0.0).to_numpy()
    report = assignment.report()
    return {
        "volume_veh_h": volume,
        "prepare_s": prepared_s,
        "run_s": run_s,
        "iterations": int(report["iteration"].iloc[-1]),
        "relative_gap": float(report["rgap"].iloc[-1]),
    }


def agreement(
    ours: NDArray[np.float64], theirs: NDArray[np.float64]
) -> dict[str, float | list[float]]:
    loaded = (ours >= LOADED_VEH_H) | (theirs >= LOADED_VEH_H)
    relative = np.abs(ours - theirs)[loaded] / np.maximum(ours, theirs)[loaded]
    worst = int(np.flatnonzero(loaded)[np.argmax(relative)])
    return {
        "correlation": float(np.corrcoef(ours, theirs)[0, 1]),
        "loaded_links": int(loaded.sum()),
        "max_relative_difference_loaded": float(relative.max()),
        "p95_relative_difference_loaded": float(np.percentile(relative, 95)),
        "worst_link": worst,
        "worst_link_veh_h": [round(float(ours[worst]), 1), round(float(theirs[worst]), 1)],
        "max_absolute_difference_veh_h": float(np.abs(ours - theirs).max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rgap", type=float, default=1e-4)
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--zones", default="5x4", help="rows x columns of zone centroids")
    parser.add_argument("--trips-per-zone", type=float, default=600.0, help="veh/h each way")
    args = parser.parse_args()
    rows, cols = (int(k) for k in args.zones.lower().split("x"))

    started = time.perf_counter()
    graph = issy_network(args.shared_data)
    nodes, trips = gravity_demand(graph, rows, cols, args.trips_per_zone)
    network = AssignmentNetwork.from_compact(graph, capacity_from_compact(graph))
    setup_s = time.perf_counter() - started
    result, first_s, ours_s = run_ours(network, nodes, trips, args.rgap, args.max_iter)
    out: dict[str, Any] = {
        "network": {
            "source": "grand_paris_carbike_topology_2023, bbox lat 48.80-48.85 lon 2.22-2.31",
            "nodes": network.node_count,
            "links": network.edge_count,
            "zones": int(nodes.shape[0]),
            "demand_veh_h": round(float(trips.sum()), 1),
            "capacity_veh_h": "900 per direction (topology has no classes: speed fallback)",
            "setup_s": round(setup_s, 2),
        },
        "ours": {
            "algorithm": "bfw",
            "iterations": result.iterations,
            "relative_gap": result.relative_gap,
            "converged": result.converged,
            "run_s": round(ours_s, 3),
            "first_run_s_with_jit": round(first_s, 3),
            "max_volume_capacity": round(float(result.volume_capacity_ratio.max()), 3),
            "total_delay_veh_h": round(result.total_delay_veh_h, 1),
        },
    }
    try:
        from importlib.metadata import version

        aequilibrae_version = version("aequilibrae")
    except ImportError as exc:
        out["aequilibrae"] = {"error": f"not installed ({exc}); pip install aequilibrae"}
    else:
        theirs = run_aequilibrae(network, nodes, trips, args.rgap, args.max_iter)
        out["aequilibrae"] = {
            "version": aequilibrae_version,
            "algorithm": "bfw",
            "iterations": theirs["iterations"],
            "relative_gap": theirs["relative_gap"],
            "run_s": round(theirs["run_s"], 3),
            "prepare_s": round(theirs["prepare_s"], 3),
        }
        out["agreement"] = agreement(result.volume_veh_h, theirs["volume_veh_h"])
        out["speed_ratio_aequilibrae_over_ours"] = round(theirs["run_s"] / ours_s, 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
