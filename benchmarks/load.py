"""Load benchmark: real ``issy-mobility serve`` processes on PostgreSQL + Redis, many clients.

Run: ``.venv/bin/python benchmarks/load.py [--clients 50] [--duration-s 30] [--configs ...]``.

Each configuration starts the real server binary on a free port (the Issy-wide street
topology from ``../shared/data``, compiled once into ``data/streets/``; a private PostgreSQL
schema, dropped afterwards; Redis as the live-update bus) seeded with the real Vélib' snapshot
(1,495 stations, imported with ``importGbfs`` and published). ``--clients`` asyncio clients
(aiohttp, one connection each) then send, for ``--duration-s`` seconds, a mix of half trip
plans between random points of Issy, 45% catalogue queries and 5% availability batches (50
of the snapshot's stations, new counts). Configurations, measured in one run:

- ``baseline``: 1 worker, street queries one at a time (``ISSY_QUERY_PARALLELISM=1``);
- ``parallel``: 1 worker, parallel street queries (one per CPU);
- ``workers2``: 2 workers, the server's default: each worker runs its share of the CPUs'
  street queries at once (one each on 2 cores: the processes are the parallelism);
- ``workers2_parallel``: 2 workers, each running one street query per CPU at once (threads
  that contend for each worker's GIL).

Each configuration's CPU seconds over the measured window are reported per part (server and
each of its processes, PostgreSQL, Redis, this generator) with the server's CPU per request;
``--profile-dir`` samples the servers with py-spy meanwhile.

Prints one JSON document: per configuration the throughput, and per operation the count,
errors and p50/p95/p99 latency, with each configuration's throughput as a ratio of the
baseline's. Numbers only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from marketplace.db import Database  # noqa: E402
from marketplace.identity.partners import create_api_key, create_partner  # noqa: E402
from marketplace.models import PartnerKind  # noqa: E402
from marketplace.streets import load_streets  # noqa: E402
from routing.geometry import haversine_m  # noqa: E402

ISSY_BOX = (48.8133, 2.2357, 48.8346, 2.2894)  # south, west, north, east
SNAPSHOT = "2025-10-18"
PLAN = """
query($o: PlanLocationInput!, $d: PlanLocationInput!, $when: PlanDateTimeInput) {
  plan(origin: $o, destination: $d, dateTime: $when, numItineraries: 5) {
    edges { node { durationS distanceM priceMinor
      legs { mode durationS polyline from { name vehiclesAvailable } to { name } } } }
    routingErrors { code }
  }
}
"""
CATALOGUE = """{ services(first: 20) { totalCount edges { node {
  id name kind operator { name } } } } }"""
AVAILABILITY = """mutation($id: ID!, $a: [AvailabilityInput!]!) {
  updateAvailability(serviceId: $id, availability: $a) { updated } }"""
CONFIGS: dict[str, tuple[int, int | None]] = {
    "baseline": (1, 1),
    "parallel": (1, None),
    "workers2": (2, None),
    "workers2_parallel": (2, os.cpu_count() or 1),
}
"""name: (worker processes, street queries at once per process; None: the server's default)."""
MIN_TRIP_M = 100.0
MIX = (("plan", 0.50), ("catalogue", 0.45), ("availability", 0.05))
START_TIMEOUT_S = 300.0


@dataclass
class Seeded:
    database_url: str
    key: str
    service_id: str
    station_ids: list[str]
    capacities: dict[str, int]


@dataclass
class Tally:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    first_error: dict[str, str] = field(default_factory=dict)


def _postgres_schema(url: str) -> tuple[str, str]:
    schema = f"mkt_h13a_load_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    return schema, f"{url}?options=-csearch_path%3D{schema}"


def _drop_schema(url: str, schema: str) -> None:
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(
    env: dict[str, str], workers: int, parallelism: int | None, log: Path
) -> Iterator[tuple[str, int]]:
    port = _free_port()
    process_env = {**env}
    process_env.pop("ISSY_QUERY_PARALLELISM", None)
    if parallelism is not None:
        process_env["ISSY_QUERY_PARALLELISM"] = str(parallelism)
    command = [sys.executable, "-m", "marketplace.cli", "serve", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=process_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        pids: set[int] = set()
        while len(pids) < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()}")
            try:
                # A new connection each time, so that every worker gets to answer.
                health = httpx.get(f"{url}/healthz", timeout=10).json()
                if health.get("status") == "ok" and health.get("streets"):
                    pids.add(int(health["worker"]["pid"]))
            except (httpx.HTTPError, ValueError):
                time.sleep(0.2)  # polling interval while the workers start
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _seed(url: str, shared: Path, env: dict[str, str], log: Path) -> Seeded:
    database = Database(url)
    try:
        database.migrate()

        def partner(session: Any) -> str:
            made = create_partner(session, name="Load operator", kind=PartnerKind.OPERATOR)
            assert made.id is not None
            return create_api_key(session, partner_id=made.id).token

        key = database.call(partner)
    finally:
        database.dispose()
    feeds = {
        name: json.loads((shared / "bikeshare" / f"velib_{name}_{SNAPSHOT}.json").read_text())
        for name in ("station_information", "station_status")
    }
    stations = feeds["station_information"]["data"]["stations"]
    station_ids = [str(s["station_id"]) for s in stations]
    capacities = {str(s["station_id"]): int(s.get("capacity") or 0) for s in stations}
    with _server(env, 1, None, log) as (server, _):
        headers = {"Authorization": f"Bearer {key}"}

        def gql(query: str, variables: dict[str, Any]) -> Any:
            body = httpx.post(
                f"{server}/graphql",
                json={"query": query, "variables": variables},
                headers=headers,
                timeout=300,
            ).json()
            assert not body.get("errors"), body["errors"]
            return body["data"]

        created = gql(
            "mutation($n: String!) { createService(input: {kind: BIKE_SHARE, name: $n}) { id } }",
            {"n": f"Vélib' Métropole (snapshot {SNAPSHOT})"},
        )
        service_id = created["createService"]["id"]
        gql(
            "mutation($s: ID!, $f: JSON!) { importGbfs(serviceId: $s, feeds: $f) "
            "{ skippedCount } }",
            {"s": service_id, "f": feeds},
        )
        gql("mutation($s: ID!) { publishService(id: $s) { status } }", {"s": service_id})
    return Seeded(url, key, service_id, station_ids, capacities)


def _percentile(sorted_ms: list[float], q: float) -> float | None:
    return round(float(np.percentile(sorted_ms, q)), 1) if sorted_ms else None


async def _client(
    url: str, seeded: Seeded, deadline: float, rng: random.Random, tally: Tally
) -> None:
    south, west, north, east = ISSY_BOX
    tomorrow = (time.time() // 86400 + 1) * 86400
    day = time.strftime("%Y-%m-%d", time.gmtime(tomorrow))
    when = {"earliestDeparture": f"{day}T08:30:00+01:00"}
    headers = {"Authorization": f"Bearer {seeded.key}", "Content-Type": "application/json"}
    # aiohttp rather than httpx: this generator shares the 2 cores with the server it measures,
    # and aiohttp spends about a quarter of httpx's CPU per request (0.87 against 3.2 ms,
    # measured with this script, 10 clients, 2026-12-06).
    connector = aiohttp.TCPConnector(limit=1)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:
        while time.monotonic() < deadline:
            operation = rng.choices([m[0] for m in MIX], [m[1] for m in MIX])[0]
            if operation == "plan":

                def point() -> tuple[float, float]:
                    return rng.uniform(south, north), rng.uniform(west, east)

                origin, destination = point(), point()
                # A commuter's trip: ends at least 100 m apart (the API refuses, rightly,
                # ends closer than 10 m, which a random draw sometimes gives).
                while haversine_m(*origin, *destination) < MIN_TRIP_M:
                    destination = point()
                ends = [
                    {"coordinate": {"latitude": lat, "longitude": lon}}
                    for lat, lon in (origin, destination)
                ]
                payload = {"query": PLAN, "variables": {"o": ends[0], "d": ends[1], "when": when}}
            elif operation == "catalogue":
                payload = {"query": CATALOGUE, "variables": {}}
            else:
                rows = []
                for sid in rng.sample(seeded.station_ids, 50):
                    # Counts a station can hold: the API refuses more than its capacity allows.
                    vehicles = rng.randint(0, seeded.capacities[sid])
                    rows.append(
                        {
                            "stationExternalId": sid,
                            "vehiclesAvailable": vehicles,
                            "docksAvailable": seeded.capacities[sid] - vehicles,
                        }
                    )
                payload = {"query": AVAILABILITY, "variables": {"id": seeded.service_id, "a": rows}}
            data = json.dumps(payload).encode()
            started = time.perf_counter()
            try:
                async with http.post("/graphql", data=data, headers=headers) as response:
                    raw = await response.read()
                body = json.loads(raw)
                problem = body.get("errors") if response.status == 200 else raw.decode()
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                problem = repr(exc)
            elapsed_ms = (time.perf_counter() - started) * 1000
            if problem:
                tally.errors[operation] = tally.errors.get(operation, 0) + 1
                tally.first_error.setdefault(operation, str(problem)[:300])
            else:
                tally.latencies_ms.setdefault(operation, []).append(elapsed_ms)


async def _warm_every_worker(url: str, workers: int) -> None:
    """One plan answered by each worker (snapping trees, numba, caches), so that no cold
    start falls inside the measured window: new connections until every pid has planned."""
    south, west, north, east = ISSY_BOX
    warmed: set[int] = set()
    deadline = time.monotonic() + START_TIMEOUT_S
    while len(warmed) < workers and time.monotonic() < deadline:
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as http:
            pid = (await http.get("/healthz")).json()["worker"]["pid"]
            if pid in warmed:
                continue
            point = {"coordinate": {"latitude": (south + north) / 2, "longitude": west + 0.01}}
            other = {"coordinate": {"latitude": north - 0.002, "longitude": east - 0.01}}
            answer = await http.post(
                "/graphql", json={"query": PLAN, "variables": {"o": point, "d": other}}
            )
            # A cold plan (numba compiling) may outlast the plan budget on a loaded machine:
            # that worker is warm only once a plan was answered.
            planned = answer.status_code == 200 and not answer.json().get("errors")
            if planned and (await http.get("/healthz")).json()["worker"]["pid"] == pid:
                warmed.add(pid)


def _processes() -> dict[int, tuple[int, str, int]]:
    """Every process: pid -> (parent pid, command name, CPU clock ticks, user + system)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return found


def _cpu_s_by_part(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server (its process and workers), PostgreSQL and Redis
    (every process of theirs on the machine: run nothing else meanwhile) and this generator."""
    processes = _processes()
    server = set(_server_pids(server_pid))
    ticks = {"server": 0, "postgresql": 0, "redis": 0}
    for pid, (_, name, used) in processes.items():
        if pid in server:
            ticks["server"] += used
            ticks[f"server pid {pid}"] = used
        elif name.startswith("postgres"):
            ticks["postgresql"] += used
        elif name.startswith("redis"):
            ticks["redis"] += used
    per_s = os.sysconf("SC_CLK_TCK")
    own = os.times()
    return {
        **{part: n / per_s for part, n in ticks.items()},
        "load_generator": own.user + own.system,
    }


def _server_pids(server_pid: int) -> list[int]:
    """The server's process and its descendants (uvicorn's workers)."""
    processes = _processes()
    tree = {server_pid}
    grew = True
    while grew:
        children = {pid for pid, (ppid, _, _) in processes.items() if ppid in tree}
        grew = not children <= tree
        tree |= children
    return sorted(tree)


def _profile(server_pid: int, duration_s: float, folder: Path, name: str) -> list[Any]:
    """py-spy (the ``bench`` extra) samples every server process for the measured window
    into collapsed stacks ``<folder>/<name>-<pid>.txt``, for flame graphs or grep."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                str(Path(sys.executable).with_name("py-spy")),
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(int(duration_s)),
                "--format",
                "raw",
                "--nonblocking",
                "--gil",
                "--output",
                str(folder / f"{name}-{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in _server_pids(server_pid)
    ]


async def _load(
    url: str,
    server_pid: int,
    seeded: Seeded,
    clients: int,
    duration_s: float,
    workers: int,
    profile: tuple[Path, str] | None = None,
) -> dict[str, Any]:
    tally = Tally()
    await _warm_every_worker(url, workers)
    profilers = _profile(server_pid, duration_s, *profile) if profile else []
    cpu_before = _cpu_s_by_part(server_pid)
    started = time.monotonic()
    deadline = started + duration_s
    await asyncio.gather(
        *(_client(url, seeded, deadline, random.Random(i), tally) for i in range(clients))
    )
    elapsed_s = time.monotonic() - started
    cpu_after = _cpu_s_by_part(server_pid)
    for profiler in profilers:
        profiler.wait()
    cpu_s = {
        part: round(cpu_after[part] - cpu_before.get(part, 0.0), 1)
        for part in cpu_after
        if part in cpu_before or not part.startswith("server pid")
    }
    operations: dict[str, Any] = {}
    total = 0
    for operation, _ in MIX:
        done = sorted(tally.latencies_ms.get(operation, []))
        total += len(done)
        operations[operation] = {
            "ok": len(done),
            "errors": tally.errors.get(operation, 0),
            "per_s": round(len(done) / elapsed_s, 2),
            "p50_ms": _percentile(done, 50),
            "p95_ms": _percentile(done, 95),
            "p99_ms": _percentile(done, 99),
            **(
                {"first_error": tally.first_error[operation]}
                if operation in tally.first_error
                else {}
            ),
        }
    return {
        "elapsed_s": round(elapsed_s, 1),
        "requests_per_s": round(total / elapsed_s, 2),
        "errors": sum(tally.errors.values()),
        "operations": operations,
        "cpu_s": cpu_s,
        "server_cpu_ms_per_request": round(1000 * cpu_s["server"] / max(total, 1), 1),
    }


def main() -> None:
    """Seed once, then load each configuration in turn; print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration-s", type=float, default=60.0)
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--streets", type=Path, default=None)
    parser.add_argument(
        "--logs-dir", type=Path, default=None, help="keep the servers' logs here (default: dropped)"
    )
    parser.add_argument(
        "--profile-dir",
        type=Path,
        default=None,
        help="sample the servers with py-spy during each measured window (collapsed stacks)",
    )
    args = parser.parse_args()
    shared = Path(os.environ.get("ISSY_SHARED_DATA", REPO.parent / "shared" / "data"))
    streets_path = args.streets or shared / "streets" / "grand_paris_carbike_topology_2023"
    streets = load_streets(streets_path)  # compiled once into data/streets/, then reused
    if streets.network is None:
        raise SystemExit(f"no street network: {streets.problem}")
    schema, url = _postgres_schema(args.postgres)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "ISSY_BROADCAST_URL"}}
    env |= {
        "DATABASE_URL": url,
        "ISSY_BROADCAST_URL": args.redis,
        "ISSY_STREETS": str(streets.network.path),
        # One API key and one address for every client: the per-client plan limit would
        # measure itself. Still checked on every plan (in Redis), just never reached.
        "ISSY_PLAN_RATE_PER_MIN": "1000000000",
        "ISSY_PLAN_BURST": "1000000000",
    }
    results: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = args.logs_dir or Path(scratch)
            folder.mkdir(parents=True, exist_ok=True)
            seeded = _seed(url, shared, env, Path(folder) / "seed.log")
            for name in args.configs:
                workers, parallelism = CONFIGS[name]
                log = Path(folder) / f"{name}.log"
                with _server(env, workers, parallelism, log) as (server, pid):
                    figures = asyncio.run(
                        _load(
                            server,
                            pid,
                            seeded,
                            args.clients,
                            args.duration_s,
                            workers,
                            (args.profile_dir, name) if args.profile_dir else None,
                        )
                    )
                results[name] = {
                    "workers": workers,
                    "query_parallelism": parallelism or max(1, (os.cpu_count() or 1) // workers),
                    **figures,
                }
                print(f"{name}: {figures['requests_per_s']} req/s", file=sys.stderr)
    finally:
        _drop_schema(args.postgres, schema)
    if "baseline" in results:
        base = results["baseline"]["requests_per_s"]
        for figures in results.values():
            figures["throughput_vs_baseline"] = round(figures["requests_per_s"] / base, 2)
    record = {
        "streets": str(streets_path),
        "database": "postgresql",
        "live": "redis",
        "clients": args.clients,
        "duration_s": args.duration_s,
        "mix": dict(MIX),
        "cpus": os.cpu_count(),
        "configs": results,
    }
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
