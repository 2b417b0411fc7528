"""Reading a GTFS feed whole versus streamed and cut to an area: peak memory and time.

Each run is a fresh process (its peak resident memory is its own), repeated; the ratio
area / whole is printed. Use a real feed, e.g. the MTA New York subway or TransLink Cairns
feeds that the gtfs-kit sdist ships in ``data/`` (``pip download --no-binary :all:
gtfs-kit``)::

    .venv/bin/python benchmarks/gtfs_area_import.py FEED.zip --bbox -74.02,40.70,-73.97,40.73

Both paths end with the import's own parsing (:func:`marketplace.ingest.gtfs.parse_gtfs`),
so the rows handed to the database are what is compared; the database writes themselves are
left out (a feed far from Issy is refused by the import's distance check anyway).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _one(path: str, bbox: str | None) -> dict[str, float]:
    from marketplace.ingest.gtfs import parse_gtfs, read_gtfs
    from marketplace.ingest.gtfs_area import parse_bbox, restrict_to_area

    started = time.perf_counter()
    if bbox == "":  # the baseline: modules imported, nothing read
        return {"seconds": 0.0, "peak_mib": _peak_mib(), "stop_times": 0, "stops": 0}
    files = read_gtfs(path) if bbox is None else restrict_to_area(path, parse_bbox(bbox))
    feed = parse_gtfs(files)
    elapsed_s = time.perf_counter() - started
    return {
        "seconds": elapsed_s,
        "peak_mib": _peak_mib(),
        "stop_times": len(feed.tables["stop_times.txt"]),
        "stops": len(feed.tables["stops.txt"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--bbox", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", choices=("none", "whole", "area"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        bbox = {"none": "", "whole": None}.get(args.one, args.bbox)
        print(json.dumps(_one(args.path, bbox)))
        return
    # "none": a process that imports the same modules and reads nothing (the baseline).
    results: dict[str, list[dict[str, float]]] = {"none": [], "whole": [], "area": []}
    for _ in range(args.repeats):
        for mode in results:
            out = subprocess.run(
                [sys.executable, __file__, args.path, f"--bbox={args.bbox}", "--one", mode],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[mode].append(json.loads(out))
    for mode, runs in results.items():
        print(
            f"{mode:5s}: median {statistics.median(r['seconds'] for r in runs):.2f} s, "
            f"peak {statistics.median(r['peak_mib'] for r in runs):.0f} MiB, "
            f"{runs[0]['stops']:.0f} stops, {runs[0]['stop_times']:.0f} stop times "
            f"({len(runs)} runs)"
        )
    whole, area, base = results["whole"], results["area"], results["none"]
    base_mib = statistics.median(r["peak_mib"] for r in base)
    grown = {
        mode: statistics.median(r["peak_mib"] for r in results[mode]) - base_mib
        for mode in ("whole", "area")
    }
    print(
        f"above the {base_mib:.0f} MiB baseline: whole {grown['whole']:.0f} MiB, area "
        f"{grown['area']:.0f} MiB"
    )
    time_ratio = statistics.median(r["seconds"] for r in area) / statistics.median(
        r["seconds"] for r in whole
    )
    growth_ratio = grown["area"] / grown["whole"] if grown["whole"] > 0 else float("nan")
    print(f"area / whole: time {time_ratio:.2f}, memory above baseline {growth_ratio:.2f}")


if __name__ == "__main__":
    main()
