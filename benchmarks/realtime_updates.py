"""What GTFS-Realtime trip updates cost the transit search, against the timetable alone.

The network is the **synthetic** grid of ``benchmarks/transit_search.py`` (no real regional
stop_times nor live feed is at hand). A share ``--updated`` of the day's trips gets a trip
update (a delay of 0 to ``--max-delay-s`` at a random stop, propagated downstream; one in
ten of those trips cancelled instead, and one in ten skipping a stop). Measured in the same
run, each ``--repeats`` times: building the day's RAPTOR index from the timetable (the baseline) and
from the timetable with the live trips (what a new poll costs the next plan), and the
McRAPTOR query time on both. The JSON gives medians, ratios and the patterns each index
has: random delays make trips overtake one another, which splits a route's pattern (what a
live index still pays for); a skipped stop only changes where that trip boards and alights,
carried per trip into the kernel without a pattern of its own (``live_skips_only`` measures
the skips alone).

Run: ``.venv/bin/python benchmarks/realtime_updates.py [--lines 12] [--updated 0.3]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from transit_search import DAY, grid_timetable  # noqa: E402

from routing.transit.raptor import RaptorIndex  # noqa: E402
from routing.transit.realtime import (  # noqa: E402
    LiveTrip,
    StopTimeUpdate,
    TripUpdate,
    live_trip,
)
from routing.transit.timetable import Timetable, straight_line_transfers  # noqa: E402


def live_states(
    timetable: Timetable, share: float, rng: random.Random, max_delay_s: int
) -> dict[tuple[str, date], LiveTrip | None]:
    states: dict[tuple[str, date], LiveTrip | None] = {}
    for trip in timetable.trips:
        if rng.random() >= share:
            continue
        draw = rng.random()
        position = rng.randrange(len(trip.stop_ids))
        if draw < 0.1:
            update = TripUpdate(trip.id, DAY, cancelled=True)
        elif draw < 0.2:
            update = TripUpdate(
                trip.id, DAY, stop_updates=(StopTimeUpdate(position, skipped=True),)
            )
        else:
            delay_s = rng.randrange(0, max_delay_s + 1)
            update = TripUpdate(
                trip.id, DAY, stop_updates=(StopTimeUpdate(position, arrival_delay_s=delay_s),)
            )
        states[(trip.id, DAY)] = live_trip(trip, update)
    return states


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=12)
    parser.add_argument("--updated", type=float, default=0.3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--max-delay-s", type=int, default=600)
    args = parser.parse_args()
    rng = random.Random(15)
    timetable = grid_timetable(args.lines)
    transfers = straight_line_transfers(timetable.stops, max_distance_m=450)
    stops = [stop.id for stop in timetable.stops]

    build_s: dict[str, list[float]] = {"timetable": [], "live": []}
    indexes: dict[str, RaptorIndex] = {}
    apply_s: list[float] = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        indexes["timetable"] = RaptorIndex(timetable, DAY, transfers=transfers)
        build_s["timetable"].append(time.perf_counter() - started)
        started = time.perf_counter()
        live = live_states(timetable, args.updated, random.Random(15), args.max_delay_s)
        apply_s.append(time.perf_counter() - started)
        indexes["live"] = RaptorIndex(timetable, DAY, transfers=transfers, live=live)
        build_s["live"].append(time.perf_counter() - started)
    # The skipped stops alone (no delay, no cancellation): what splitting patterns cost.
    skips = {key: state for key, state in live.items() if state is not None and state.skipped}
    indexes["live_skips_only"] = RaptorIndex(timetable, DAY, transfers=transfers, live=skips)

    queries = [
        (
            {s: rng.randrange(0, 300) for s in rng.sample(stops, 3)},
            {s: rng.randrange(0, 300) for s in rng.sample(stops, 3)},
            rng.randrange(7 * 3600, 19 * 3600),
        )
        for _ in range(args.queries)
    ]
    query_ms: dict[str, list[float]] = {name: [] for name in indexes}
    # CPU time too: on a shared machine the wall clock mostly measures the neighbours.
    query_cpu_ms: dict[str, list[float]] = {name: [] for name in indexes}
    for index in indexes.values():
        index.pareto_depart_at(*queries[0][:2], queries[0][2])  # compiled before timing
    for _ in range(args.repeats):  # the indexes in turn, so load falls on each alike
        for name, index in indexes.items():
            for access, egress, at_s in queries:
                started, cpu = time.perf_counter(), time.process_time()
                index.pareto_depart_at(access, egress, at_s)
                query_ms[name].append((time.perf_counter() - started) * 1000)
                query_cpu_ms[name].append((time.process_time() - cpu) * 1000)

    median = statistics.median
    print(
        json.dumps(
            {
                "network": f"synthetic grid, {args.lines} x 2 lines, {len(timetable.trips)} trips",
                "updated_share": args.updated,
                "max_delay_s": args.max_delay_s,
                "patterns": {k: index.pattern_count for k, index in indexes.items()},
                "live_trips": len(live),
                "cancelled": sum(1 for state in live.values() if state is None),
                "repeats": args.repeats,
                "load_average": os.getloadavg()[0],
                "index_build_s": {k: round(median(v), 3) for k, v in build_s.items()},
                "apply_updates_s": round(median(apply_s), 3),
                "build_ratio_live_vs_timetable": round(
                    median(build_s["live"]) / median(build_s["timetable"]), 2
                ),
                "query_median_ms": {k: round(median(v), 2) for k, v in query_ms.items()},
                "query_ratio_live_vs_timetable": round(
                    median(query_ms["live"]) / median(query_ms["timetable"]), 2
                ),
                "query_cpu_median_ms": {k: round(median(v), 2) for k, v in query_cpu_ms.items()},
                "query_cpu_ratio_live_vs_timetable": round(
                    median(query_cpu_ms["live"]) / median(query_cpu_ms["timetable"]), 2
                ),
                "query_cpu_ratio_skips_only_vs_timetable": round(
                    median(query_cpu_ms["live_skips_only"]) / median(query_cpu_ms["timetable"]), 2
                ),
                "skipping_trips": len(skips),
                "query_ratio_skips_only_vs_timetable": round(
                    median(query_ms["live_skips_only"]) / median(query_ms["timetable"]), 2
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
