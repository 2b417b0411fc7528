"""Query time of the multi-criteria transit search (McRAPTOR) against RAPTOR, same run.

The network is **synthetic** (no real regional stop_times are at hand): a grid of
``--lines`` horizontal and as many vertical lines crossing at shared stops 400 m apart,
each run both ways every 5 minutes from 06:00 to 22:00 with 2 minutes between stops, and
footpaths (straight-line, 400 m) between neighbouring stops. It exists to load the search.
Random origin and destination stops (three access and egress stops each, 0-300 s walk) and
departure times between 07:00 and 19:00 are searched with ``RaptorIndex.depart_at`` (earliest
arrival per transfer count, the baseline) and ``pareto_depart_at`` (arrival, transfers,
walking); the JSON gives medians, p95, the ratio and the mean number of options found.

Run: ``.venv/bin/python benchmarks/transit_search.py [--lines 12] [--queries 300]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from routing.transit.raptor import RaptorIndex  # noqa: E402
from routing.transit.timetable import (  # noqa: E402
    ServiceCalendar,
    Timetable,
    TransitRoute,
    TransitStop,
    TransitTrip,
    straight_line_transfers,
)

DAY = date(2026, 11, 30)
STEP_DEG = 0.0036  # about 400 m of latitude


def grid_timetable(lines: int) -> Timetable:
    stops = [
        TransitStop(f"s{r}_{c}", f"Grid {r}/{c}", 48.80 + r * STEP_DEG, 2.20 + c * STEP_DEG * 1.5)
        for r in range(lines)
        for c in range(lines)
    ]
    routes, trips = [], []
    for axis in ("h", "v"):
        for i in range(lines):
            route = f"{axis}{i}"
            routes.append(TransitRoute(route, route, f"Synthetic {route}", "bus"))
            calls = [f"s{i}_{c}" if axis == "h" else f"s{c}_{i}" for c in range(lines)]
            for direction, order in (("a", calls), ("b", calls[::-1])):
                for k, start_s in enumerate(range(6 * 3600, 22 * 3600, 300)):
                    times = tuple(start_s + 120 * n for n in range(lines))
                    trips.append(
                        TransitTrip(
                            f"{route}{direction}{k}", route, "daily", "", tuple(order), times, times
                        )
                    )
    calendar = ServiceCalendar("daily", (True,) * 7, date(2026, 1, 1), date(2026, 12, 31))
    return Timetable(tuple(stops), tuple(routes), tuple(trips), (calendar,), source_id="grid")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=12)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    timetable = grid_timetable(args.lines)
    started = time.perf_counter()
    index = RaptorIndex(timetable, DAY, transfers=straight_line_transfers(timetable.stops))
    build_s = time.perf_counter() - started
    rng = random.Random(15)
    ids = [stop.id for stop in timetable.stops]
    queries = [
        (
            {s: rng.randint(0, 300) for s in rng.sample(ids, 3)},
            {s: rng.randint(0, 300) for s in rng.sample(ids, 3)},
            rng.randint(7 * 3600, 19 * 3600),
        )
        for _ in range(args.queries)
    ]
    index.depart_at(*queries[0])  # compile both kernels before timing
    index.pareto_depart_at(*queries[0])
    result: dict[str, object] = {
        "network": f"synthetic grid, {args.lines} x {args.lines} lines",
        "stops": len(timetable.stops),
        "trips": len(timetable.trips),
        "patterns": index.pattern_count,
        "index_build_s": round(build_s, 2),
        "queries": args.queries,
    }
    for name, search in (("raptor", index.depart_at), ("mcraptor", index.pareto_depart_at)):
        times_ms, options = [], []
        for access, egress, depart_s in queries:
            started = time.perf_counter()
            journeys = search(access, egress, depart_s)
            times_ms.append((time.perf_counter() - started) * 1000)
            options.append(len(journeys))
        times_ms.sort()
        result[name] = {
            "median_ms": round(statistics.median(times_ms), 3),
            "p95_ms": round(times_ms[int(0.95 * (len(times_ms) - 1))], 3),
            "mean_options": round(statistics.mean(options), 2),
        }
    raptor_ms = result["raptor"]["median_ms"]  # type: ignore[index]
    mc_ms = result["mcraptor"]["median_ms"]  # type: ignore[index]
    result["median_ratio_mcraptor_over_raptor"] = round(mc_ms / raptor_ms, 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
