"""Resident memory of ``issy-mobility serve --workers N``: what memory-mapped artefacts save.

Run: ``.venv/bin/python benchmarks/worker_memory.py [--workers 1 4] [--plans 40]``.

For each N, starts the real server on the Issy-wide street topology (compiled once into
``data/streets/``) and a throw-away SQLite file, waits until N distinct workers answer
``/healthz``, sends ``--plans`` trip plans between random points of Issy (so the pages a
plan touches are resident), then reads each worker's ``/proc/<pid>/smaps_rollup`` (RSS and
PSS: shared pages count 1/k in each of the k processes that map them) and, from
``/proc/<pid>/smaps``, the part that maps the artefact's files. Prints JSON; nothing is
asserted. The baseline is the 1-worker run of the same invocation.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from marketplace.streets import load_streets  # noqa: E402

ISSY_BOX = (48.8133, 2.2357, 48.8346, 2.2894)  # south, west, north, east
PLAN = """query($o: PlanLocationInput!, $d: PlanLocationInput!) {
  plan(origin: $o, destination: $d, numItineraries: 3) { edges { node { durationS } } } }"""
START_TIMEOUT_S = 300.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rollup_kb(pid: int) -> dict[str, int]:
    figures = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        figures[name.rstrip(":")] = int(value)
    return {"rss_kb": figures["Rss"], "pss_kb": figures["Pss"]}


def _artefact_kb(pid: int, folder: Path) -> dict[str, int]:
    """RSS and PSS of the mappings of the artefact's files."""
    rss = pss = 0
    inside = False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if parts and not parts[0].endswith(":"):  # a mapping's header line
            inside = len(parts) >= 6 and parts[5].startswith(str(folder))
        elif inside and parts[0] == "Rss:":
            rss += int(parts[1])
        elif inside and parts[0] == "Pss:":
            pss += int(parts[1])
    return {"artefact_rss_kb": rss, "artefact_pss_kb": pss}


def _measure(workers: int, artefact: Path, plans: int, folder: Path) -> dict[str, Any]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "ISSY_BROADCAST_URL"}}
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / f'memory{workers}.sqlite3'}",
        "ISSY_STREETS": str(artefact),
    }
    log = folder / f"serve{workers}.log"
    command = [sys.executable, "-m", "marketplace.cli", "serve", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + START_TIMEOUT_S
        while len(pids) < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()}")
            try:
                health = httpx.get(f"{url}/healthz", timeout=10).json()
                if health.get("status") == "ok":
                    pids.add(int(health["worker"]["pid"]))
            except (httpx.HTTPError, ValueError):
                time.sleep(0.2)  # polling interval while the workers start
        rng = random.Random(4)
        south, west, north, east = ISSY_BOX
        for _ in range(plans):  # new connections: the plans spread over the workers
            variables = {
                end: {
                    "coordinate": {
                        "latitude": rng.uniform(south, north),
                        "longitude": rng.uniform(west, east),
                    }
                }
                for end in ("o", "d")
            }
            httpx.post(f"{url}/graphql", json={"query": PLAN, "variables": variables}, timeout=120)
        per_worker = {
            pid: {**_rollup_kb(pid), **_artefact_kb(pid, artefact)} for pid in sorted(pids)
        }
    finally:
        process.terminate()
        process.wait(timeout=60)
    total = {
        key: sum(figures[key] for figures in per_worker.values())
        for key in ("rss_kb", "pss_kb", "artefact_rss_kb", "artefact_pss_kb")
    }
    return {"workers": workers, "total_kb": total, "per_worker_kb": list(per_worker.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--plans", type=int, default=40)
    parser.add_argument("--streets", type=Path, default=None)
    args = parser.parse_args()
    shared = Path(os.environ.get("ISSY_SHARED_DATA", REPO.parent / "shared" / "data"))
    source = args.streets or shared / "streets" / "grand_paris_carbike_topology_2023"
    streets = load_streets(source)
    if streets.network is None:
        raise SystemExit(f"no street network: {streets.problem}")
    artefact = streets.network.path
    files_kb = sum(p.stat().st_size for p in artefact.iterdir()) // 1024
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            runs.append(_measure(workers, artefact, args.plans, Path(folder)))
    base = runs[0]["total_kb"]
    for run in runs:
        run["pss_vs_first"] = round(run["total_kb"]["pss_kb"] / base["pss_kb"], 2)
        run["rss_vs_first"] = round(run["total_kb"]["rss_kb"] / base["rss_kb"], 2)
    print(
        json.dumps({"streets": str(source), "artefact_files_kb": files_kb, "runs": runs}, indent=2)
    )


if __name__ == "__main__":
    main()
