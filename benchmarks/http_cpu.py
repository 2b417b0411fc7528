"""Server CPU per request through HTTP, per operation: the real ``issy-mobility serve``.

Run: ``.venv/bin/python benchmarks/http_cpu.py [--requests 200] [--clients 4]
[--py-spy-dir /tmp/spy]``.

The set-up of ``benchmarks/load.py`` (one worker on PostgreSQL + Redis, the Issy-wide street
topology, the real Vélib' snapshot of 1,495 stations, the per-client plan limit checked in
Redis but never reached), then each operation of the load mix on its own: ``--requests``
requests sent by ``--clients`` concurrent clients, and the server process's CPU time (user +
system, from ``/proc/<pid>/stat``) before and after, divided by the requests. CPU seconds
mean the same on a loaded machine as on a quiet one, where wall-clock figures do not.

The baseline, measured in the same run: ``{ __typename }``, the cheapest GraphQL request
(HTTP, the view, an empty execution), the floor under every operation.

With ``--py-spy-dir``, ``py-spy record`` (``pip install -e '.[bench]'``) samples the server while
each operation runs and writes ``<operation>.txt`` (collapsed stacks, for flame graphs) and
prints the 25 functions with the most own samples for plans.

Prints one JSON document. Numbers only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from load import (  # noqa: E402
    AVAILABILITY,
    CATALOGUE,
    ISSY_BOX,
    MIX,
    PLAN,
    Seeded,
    _drop_schema,
    _postgres_schema,
    _seed,
    _server,
)

from marketplace.streets import load_streets  # noqa: E402

TYPENAME = "{ __typename }"
OPERATIONS = ("typename", "catalogue", "plan", "availability", "mix")
"""``mix``: the load mix of ``benchmarks/load.py`` (half plans, 45% catalogue queries, 5%
availability batches), whose CPU is also given per plan it held."""
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S


def _payload(operation: str, seeded: Seeded, rng: random.Random) -> dict[str, Any]:
    if operation == "mix":
        operation = rng.choices([m[0] for m in MIX], [m[1] for m in MIX])[0]
    if operation == "typename":
        return {"query": TYPENAME}
    if operation == "catalogue":
        return {"query": CATALOGUE, "variables": {}}
    if operation == "plan":
        south, west, north, east = ISSY_BOX
        tomorrow = (time.time() // 86400 + 1) * 86400
        day = time.strftime("%Y-%m-%d", time.gmtime(tomorrow))

        def point() -> dict[str, Any]:
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
            return {"coordinate": {"latitude": lat, "longitude": lon}}

        return {
            "query": PLAN,
            "variables": {
                "o": point(),
                "d": point(),
                "when": {"earliestDeparture": f"{day}T08:30:00+01:00"},
            },
        }
    rows = []
    for sid in rng.sample(seeded.station_ids, 50):
        vehicles = rng.randint(0, seeded.capacities[sid])
        rows.append(
            {
                "stationExternalId": sid,
                "vehiclesAvailable": vehicles,
                "docksAvailable": seeded.capacities[sid] - vehicles,
            }
        )
    return {"query": AVAILABILITY, "variables": {"id": seeded.service_id, "a": rows}}


async def _send(
    url: str, seeded: Seeded, operation: str, requests: int, clients: int, seed: int
) -> tuple[int, int, int, int]:
    """``(ok, errors, response bytes, plans answered)`` of ``requests`` requests over
    ``clients`` clients."""
    headers = {"Authorization": f"Bearer {seeded.key}"}
    remaining = [requests]
    tally = collections.Counter[str]()

    async def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
            while remaining[0] > 0:
                remaining[0] -= 1
                response = await http.post(
                    "/graphql", json=_payload(operation, seeded, rng), headers=headers
                )
                body = response.json()
                failed = response.status_code != 200 or bool(body.get("errors"))
                tally["errors" if failed else "ok"] += 1
                tally["bytes"] += len(response.content)
                tally["plans"] += not failed and "plan" in (body.get("data") or {})
                if failed and "first_error" not in tally:
                    print(f"{operation}: {str(body)[:300]}", file=sys.stderr)

    await asyncio.gather(*(client(i) for i in range(clients)))
    return tally["ok"], tally["errors"], tally["bytes"], tally["plans"]


def _measure(
    url: str, seeded: Seeded, args: argparse.Namespace, spy_dir: Path | None
) -> dict[str, Any]:
    pid = int(httpx.get(f"{url}/healthz", timeout=10).json()["worker"]["pid"])
    # Warm: numba, snapping trees, caches, parsed documents (not measured). A cold first plan
    # (numba compiling) may outlast the plan budget on a loaded machine: plan until one is ok.
    for attempt in range(20):
        if asyncio.run(_send(url, seeded, "plan", 1, 1, 20_000 + attempt))[0]:
            break
    for index, operation in enumerate(OPERATIONS):
        asyncio.run(_send(url, seeded, operation, 5, 1, 10_000 + index))
    figures: dict[str, Any] = {}
    for index, operation in enumerate(OPERATIONS):
        count = {"availability": max(args.requests // 4, 10), "mix": 2 * args.requests}.get(
            operation, args.requests
        )
        spy = None
        if spy_dir is not None:
            spy = subprocess.Popen(
                [
                    args.py_spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--format",
                    "raw",
                    "--rate",
                    "200",
                    "--output",
                    str(spy_dir / f"{operation}.txt"),
                    "--threads",
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)  # py-spy attaches
        cpu0, wall0 = _cpu_s(pid), time.perf_counter()
        ok, errors, size, plans = asyncio.run(
            _send(url, seeded, operation, count, args.clients, index)
        )
        cpu_s, wall_s = _cpu_s(pid) - cpu0, time.perf_counter() - wall0
        if spy is not None:
            spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
            spy.wait(timeout=60)
        figures[operation] = {
            "requests": count,
            "ok": ok,
            "errors": errors,
            "server_cpu_ms_per_request": round(cpu_s / count * 1000, 2),
            "wall_ms_per_request": round(wall_s / count * 1000, 2),
            "response_bytes_mean": round(size / count),
        }
        if operation == "mix":
            figures[operation]["plans"] = plans
            figures[operation]["server_cpu_ms_per_plan"] = round(cpu_s / max(plans, 1) * 1000, 2)
    floor = figures["typename"]["server_cpu_ms_per_request"]
    for entry in figures.values():
        entry["cpu_vs_typename"] = round(entry["server_cpu_ms_per_request"] / floor, 1)
    return figures


def _top_own(collapsed: Path, top: int) -> list[tuple[str, float]]:
    """The functions with the most own samples in a py-spy collapsed-stack file, in %."""
    own = collections.Counter[str]()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        leaf = stack.split(";")[-1]
        own[leaf] += int(count)
        total += int(count)
    return [(name, round(100 * n / total, 1)) for name, n in own.most_common(top)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--streets", type=Path, default=None)
    parser.add_argument("--py-spy-dir", type=Path, default=None)
    beside = Path(sys.executable).parent / "py-spy"
    parser.add_argument(
        "--py-spy", default=str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"
    )
    args = parser.parse_args()
    shared = Path(os.environ.get("ISSY_SHARED_DATA", REPO.parent / "shared" / "data"))
    streets_path = args.streets or shared / "streets" / "grand_paris_carbike_topology_2023"
    streets = load_streets(streets_path)
    if streets.network is None:
        raise SystemExit(f"no street network: {streets.problem}")
    if args.py_spy_dir is not None:
        args.py_spy_dir.mkdir(parents=True, exist_ok=True)
    schema, url = _postgres_schema(args.postgres)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "ISSY_BROADCAST_URL"}}
    env |= {
        "DATABASE_URL": url,
        "ISSY_BROADCAST_URL": args.redis,
        "ISSY_STREETS": str(streets.network.path),
        "ISSY_PLAN_RATE_PER_MIN": "1000000000",
        "ISSY_PLAN_BURST": "1000000000",
    }
    load_before = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory() as scratch:
            seeded = _seed(url, shared, env, Path(scratch) / "seed.log")
            with _server(env, 1, None, Path(scratch) / "server.log") as (server, _):
                figures = _measure(server, seeded, args, args.py_spy_dir)
    finally:
        _drop_schema(args.postgres, schema)
    record = {
        "database": "postgresql",
        "live": "redis",
        "clients": args.clients,
        "operations": figures,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(record, indent=2))
    if args.py_spy_dir is not None and (args.py_spy_dir / "plan.txt").exists():
        for name, share in _top_own(args.py_spy_dir / "plan.txt", 25):
            print(f"{share:5.1f}%  {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
