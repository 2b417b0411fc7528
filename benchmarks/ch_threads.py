"""Street queries per second with 1 thread and with 2 threads on one contraction hierarchy.

Run: ``.venv/bin/python benchmarks/ch_threads.py [--pairs 4000] [--threads 1 2]``.

Loads the drive hierarchy of the Issy-wide street artefact (the Grand Paris topology from
``../shared/data``, compiled once into ``data/streets/``; memory-mapped) and runs the same
random node pairs, split between the threads, with paths. The query kernel releases the GIL
and each running query borrows its own scratch, so threads overlap. Also checks that every
answer equals the one-thread answer. Prints JSON with queries/s and the ratio to 1 thread.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from marketplace.streets import load_streets  # noqa: E402
from routing.street.hierarchy.ch import ContractionHierarchy, set_query_parallelism  # noqa: E402
from routing.street.modes import Mode  # noqa: E402


def _run(
    hierarchy: ContractionHierarchy, pairs: np.ndarray, threads: int
) -> tuple[float, list[float]]:
    chunks = np.array_split(np.arange(len(pairs)), threads)
    costs = [0.0] * len(pairs)
    zero = np.zeros(1)
    start = threading.Barrier(threads + 1)

    def work(indices: np.ndarray) -> None:
        start.wait()
        for i in indices:
            found = hierarchy.query(pairs[i, :1], zero, pairs[i, 1:], zero)
            costs[i] = float("inf") if found is None else found.cost

    workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return len(pairs) / (time.perf_counter() - started), costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=4000)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--streets", type=Path, default=None)
    args = parser.parse_args()
    shared = Path(os.environ.get("ISSY_SHARED_DATA", REPO.parent / "shared" / "data"))
    source = args.streets or shared / "streets" / "grand_paris_carbike_topology_2023"
    set_query_parallelism(max(args.threads))  # before loading: the pools take it
    streets = load_streets(source, modes=(Mode.DRIVE,))
    if streets.network is None:
        raise SystemExit(f"no street network: {streets.problem}")
    graph = streets.network.routers[Mode.DRIVE].graph
    hierarchy = graph.hierarchies["time"]
    assert isinstance(hierarchy, ContractionHierarchy)
    rng = np.random.default_rng(13)
    pairs = rng.integers(0, hierarchy.num_nodes, (args.pairs, 2)).astype(np.int64)
    _run(hierarchy, pairs[:50], 1)  # compile / warm
    results = {}
    reference: list[float] | None = None
    for threads in args.threads:
        rate, costs = _run(hierarchy, pairs, threads)
        reference = reference or costs
        results[str(threads)] = {
            "queries_per_s": round(rate, 1),
            "mismatches_vs_first": sum(a != b for a, b in zip(costs, reference, strict=True)),
        }
    base = results[str(args.threads[0])]["queries_per_s"]
    for figures in results.values():
        figures["ratio_vs_first"] = round(figures["queries_per_s"] / base, 2)
    record = {
        "streets": str(source),
        "mode": "drive",
        "nodes": hierarchy.num_nodes,
        "pairs": args.pairs,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "threads": results,
    }
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
