"""Plans with transit on a regional-size feed through the GraphQL API, against one small line.

The feed is a **synthetic timetable on real stop positions** (:mod:`regional_feed`: RATP's
real stops within 7 km of Issy, made-up lines and times; tens of thousands of trips), since
no real regional stop_times are on these machines. Set-up, on a fresh database:

1. the feed is written as a zip and imported through the real import path, the command line
   ``issy-mobility import gtfs FEED.zip --bbox ... --publish`` in its own process (its time
   and peak resident memory are the import's own);
2. the benchmark's second service, one line (six real tram T2 stop positions, synthetic
   timetable, as ``benchmarks/plan_latency.py``), is imported with GraphQL ``importGtfs``;
3. the app serves the Issy street topology (``../shared/data/streets``); the first plan
   builds the transit network (merge, street transfer walks, RAPTOR index): timed alone.

Then ``--pairs`` random origin/destination pairs inside Issy are planned through GraphQL
with walking and public transport allowed, two ways alternated pair by pair so load falls on
both alike:

- **regional**: every timetabled service (the regional feed and the T2 line, one McRAPTOR
  search over both);
- **baseline**: the same request restricted to the T2 line alone (``includeServices``): the
  single-service search of a city line as the planner ran it before issue 15, the cost that
  a plan paid per service then.

Each gets the median and p95 of wall-clock ms and of CPU ms (the process's CPU time across
its threads, which load from other processes does not inflate) and the ratio to the baseline.

Run: ``.venv/bin/python benchmarks/transit_plan_regional.py [--pairs 100]``
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
from starlette.applications import Starlette
from starlette.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from plan_latency import IMPORT_GTFS, ISSY_BOX, _gql, _service, _t2_gtfs  # noqa: E402
from regional_feed import write_feed  # noqa: E402

from marketplace.app import create_app  # noqa: E402
from marketplace.db import Database  # noqa: E402
from marketplace.identity.partners import create_api_key, create_partner  # noqa: E402
from marketplace.models import PartnerKind  # noqa: E402
from marketplace.settings import Settings  # noqa: E402
from marketplace.streets import load_streets  # noqa: E402

PLAN = """
query($o: PlanLocationInput!, $d: PlanLocationInput!, $when: PlanDateTimeInput,
      $modes: PlanModesInput) {
  plan(origin: $o, destination: $d, dateTime: $when, modes: $modes, numItineraries: 5) {
    edges { node { durationS legs { mode from { name } to { name } } } }
    routingErrors { code }
  }
}
"""

STATION = """mutation($s: ID!) { upsertStations(serviceId: $s, stations: [
  {externalId: "synthetic-1", name: "Synthetic station", lat: 48.8245, lon: 2.2735,
   capacity: 12}]) { created } }"""
AVAILABILITY = """mutation($s: ID!, $n: Int!) { updateAvailability(serviceId: $s,
  availability: [{stationExternalId: "synthetic-1", vehiclesAvailable: $n, docksAvailable: 8}])
  { updated } }"""


def _import(feed: Path, bbox: tuple[float, ...], url: str, partner: int) -> dict[str, Any]:
    """The command-line import in its own process: seconds, peak memory and its output."""
    box = ",".join(f"{v:.6f}" for v in bbox)
    command = [
        str(REPO / ".venv" / "bin" / "issy-mobility"),
        "import",
        "gtfs",
        str(feed),
        f"--bbox={box}",
        f"--partner={partner}",
        "--kind=PUBLIC_TRANSPORT",
        "--name=Regional network (synthetic timetable on real RATP stop positions)",
        "--publish",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr}\n{done.stdout}")
    service = re.search(r"service id: (\S+)", done.stdout)
    assert service is not None, done.stdout
    return {
        "service_id": service.group(1),
        "wall_s": round(seconds, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        # ru_maxrss of children is the largest child's peak (KiB on Linux).
        "peak_rss_mib": round(after.ru_maxrss / 1024),
        "report": done.stdout.strip().splitlines()[1:],
    }


def _shifted(files: dict[str, str], shift_s: int) -> dict[str, str]:
    """``files`` with every stop time ``shift_s`` later (a re-published timetable)."""
    lines = files["stop_times.txt"].splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        trip, arrival, departure, rest = line.split(",", 3)
        moved = []
        for hms in (arrival, departure):
            h, m, s = (int(x) for x in hms.split(":"))
            t = h * 3600 + m * 60 + s + shift_s
            moved.append(f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}")
        out.append(",".join((trip, *moved, rest)))
    return {**files, "stop_times.txt": "\n".join(out) + "\n"}


def _plan(client: TestClient, variables: dict[str, Any]) -> tuple[float, float, Any]:
    cpu = time.process_time()
    started = time.perf_counter()
    data = _gql(client, PLAN, variables)
    wall_ms = (time.perf_counter() - started) * 1000
    return wall_ms, (time.process_time() - cpu) * 1000, data["plan"]


def _summary(wall: list[float], cpu: list[float], plans: list[Any]) -> dict[str, Any]:
    with_transit = sum(
        any(leg["mode"] == "TRANSIT" for edge in p["edges"] for leg in edge["node"]["legs"])
        for p in plans
    )
    return {
        "median_ms": round(statistics.median(wall), 1),
        "p95_ms": round(float(np.percentile(wall, 95)), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 1),
        "plans_with_a_transit_itinerary": with_transit,
        "mean_itineraries": round(sum(len(p["edges"]) for p in plans) / len(plans), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--shared-data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--radius-m", type=float, default=7000.0)
    parser.add_argument("--bus-lines", type=int, default=130)
    parser.add_argument(
        "--profile", type=Path, default=None, help="write cProfile stats here (.build, .plans)"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="keep the feed and database here and reuse them when present (skips the import)",
    )
    args = parser.parse_args()
    shared = args.shared_data
    streets_path = shared / "streets" / "grand_paris_carbike_topology_2023"
    streets = load_streets(streets_path)
    if streets.network is None:
        raise SystemExit(f"no street network: {streets.problem}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.work_dir or Path(temporary)
        saved = folder / "import.json"
        imported_db = folder / "imported.sqlite3"

        def partner(session: Any, name: str = "Regional operator") -> tuple[int, str]:
            made = create_partner(session, name=name, kind=PartnerKind.OPERATOR)
            assert made.id is not None
            return made.id, create_api_key(session, partner_id=made.id).token

        if not saved.exists():
            feed = write_feed(
                shared / "transit" / "ratp_gtfs_full_stops_2019.txt.gz",
                folder,
                radius_m=args.radius_m,
                bus_lines=args.bus_lines,
            )
            imported_db.unlink(missing_ok=True)
            database = Database(f"sqlite:///{imported_db}")
            database.migrate()
            partner_id, _ = database.call(partner)
            database.dispose()
            imported = _import(feed.path, feed.bbox, f"sqlite:///{imported_db}", partner_id)
            imported["feed"] = {
                "stops": feed.stops,
                "routes": feed.routes,
                "trips": feed.trips,
                "stop_times": feed.stop_times,
            }
            saved.write_text(json.dumps(imported))
        imported = json.loads(saved.read_text())
        # Each run plans on a fresh copy of the imported database, its own.
        bench_db = folder / f"bench-{os.getpid()}.sqlite3"
        shutil.copyfile(imported_db, bench_db)
        url = f"sqlite:///{bench_db}"
        database = Database(url)
        database.migrate()  # the imported copy may predate the code's schema
        _, key = database.call(lambda session: partner(session, "Tram operator"))
        database.dispose()
        print(f"import: {imported}", file=sys.stderr)
        # The first plan builds the transit network: give it all the time it needs.
        settings = Settings(
            database_url=url, plan_rate_per_min=10**9, plan_burst=10**9, plan_budget_ms=10**7
        )
        with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
            tram = _service(client, key, "PUBLIC_TRANSPORT", "Tram T2 (synthetic timetable)")
            _gql(client, IMPORT_GTFS, {"s": tram, "f": _t2_gtfs(shared)}, key)
            _gql(
                client,
                "mutation($s: ID!) { publishService(id: $s) { status } }",
                {"s": tram},
                key,
            )
            # A station service whose availability changes after the measured plans: a
            # catalogue change that touches no timetable (synthetic station and counts).
            bikes = _service(client, key, "BIKE_SHARE", "Bike share (synthetic station)")
            _gql(client, STATION, {"s": bikes}, key)
            _gql(client, AVAILABILITY, {"s": bikes, "n": 4}, key)
            _gql(
                client,
                "mutation($s: ID!) { publishService(id: $s) { status } }",
                {"s": bikes},
                key,
            )
            rng = np.random.default_rng(15)
            south, west, north, east = ISSY_BOX
            pairs = []
            for _ in range(args.pairs + 1):
                a = rng.uniform((south, west), (north, east))
                b = rng.uniform((south, west), (north, east))
                pairs.append(
                    (
                        {"coordinate": {"latitude": float(a[0]), "longitude": float(a[1])}},
                        {"coordinate": {"latitude": float(b[0]), "longitude": float(b[1])}},
                    )
                )
            paris = ZoneInfo("Europe/Paris")
            tomorrow = dt.datetime.now(paris).date() + dt.timedelta(days=1)
            when = dt.datetime.combine(tomorrow, dt.time(8, 30), tzinfo=paris).isoformat()
            everything = {"direct": ["WALK"], "services": ["PUBLIC_TRANSPORT"]}
            one_line = {"direct": ["WALK"], "includeServices": [tram]}

            def variables(pair: tuple[Any, Any], modes: Any) -> dict[str, Any]:
                return {
                    "o": pair[0],
                    "d": pair[1],
                    "when": {"earliestDeparture": when},
                    "modes": modes,
                }

            profiler = None
            if args.profile is not None:
                profiler = cProfile.Profile()
                profiler.enable()
            # The first plan of each kind builds the network and its index, compiles the kernels.
            first_ms, first_cpu_ms, _ = _plan(client, variables(pairs[0], everything))
            _plan(client, variables(pairs[0], one_line))
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(f"{args.profile}.build")
                profiler = cProfile.Profile()
            planner = cast(Starlette, client.app).state.planning._planner
            builds = planner.transit_indexes.builds
            runs: dict[str, tuple[list[float], list[float], list[Any]]] = {
                "regional": ([], [], []),
                "baseline": ([], [], []),
            }
            for pair in pairs[1:]:
                for name, modes in (("regional", everything), ("baseline", one_line)):
                    if profiler is not None and name == "regional":
                        profiler.enable()
                    wall, cpu, plan = _plan(client, variables(pair, modes))
                    if profiler is not None and name == "regional":
                        profiler.disable()
                    runs[name][0].append(wall)
                    runs[name][1].append(cpu)
                    runs[name][2].append(plan)
            if profiler is not None:
                profiler.dump_stats(f"{args.profile}.plans")
            rebuilt = planner.transit_indexes.builds - builds
            # The first plan after an availability-only change (issue 15): before, it re-read
            # every stop time of the catalogue; it must not rebuild the transit network.
            catalogue = cast(Starlette, client.app).state.planning.catalogue
            reads = getattr(catalogue, "timetable_reads", None)
            _gql(client, AVAILABILITY, {"s": bikes, "n": 7}, key)
            after_ms, after_cpu_ms, _ = _plan(client, variables(pairs[1], everything))
            after_availability = {
                "wall_ms": round(after_ms, 1),
                "cpu_ms": round(after_cpu_ms, 1),
                "network_rebuilds": planner.transit_indexes.builds - builds - rebuilt,
                "timetable_reads": None if reads is None else catalogue.timetable_reads - reads,
                "same_pair_cpu_ms_before_the_change": round(runs["regional"][1][0], 1),
            }
            # The first plan after the small T2 line's timetable is published again, every
            # departure a minute later (brief h15i): before, any timetable write re-read,
            # re-mapped and re-merged every service and rebuilt the whole index.
            builds_before = planner.transit_indexes.builds
            reads = getattr(catalogue, "timetable_reads", None)
            services_read = getattr(catalogue, "services_read", None)
            _gql(client, IMPORT_GTFS, {"s": tram, "f": _shifted(_t2_gtfs(shared), 60)}, key)
            if args.profile is not None:
                profiler = cProfile.Profile()
                profiler.enable()
            after_ms, after_cpu_ms, _ = _plan(client, variables(pairs[1], everything))
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(f"{args.profile}.republish")
            after_republish = {
                "wall_ms": round(after_ms, 1),
                "cpu_ms": round(after_cpu_ms, 1),
                "network_rebuilds": planner.transit_indexes.builds - builds_before,
                "timetable_reads": None if reads is None else catalogue.timetable_reads - reads,
                "services_read": None
                if services_read is None
                else catalogue.services_read - services_read,
                "same_pair_cpu_ms_before_the_change": round(runs["regional"][1][0], 1),
            }
        bench_db.unlink()
    regional, baseline = (_summary(*runs[name]) for name in ("regional", "baseline"))
    record = {
        "feed": "synthetic timetable on real stop positions (RATP stops 2019 within "
        f"{args.radius_m / 1000:.0f} km of Issy; lines and times made up)",
        **imported["feed"],
        "import": {k: v for k, v in imported.items() if k not in ("service_id", "feed")},
        "streets": str(streets_path),
        "pairs": args.pairs,
        "first_plan_builds_network_ms": round(first_ms, 1),
        "first_plan_cpu_ms": round(first_cpu_ms, 1),
        "network_rebuilds_while_measuring": rebuilt,
        "first_plan_after_availability_only_change": after_availability,
        "first_plan_after_republishing_the_small_line": after_republish,
        "regional_walk_and_transit": regional,
        "baseline_one_line_walk_and_transit": baseline,
        "ratio_regional_vs_baseline_median": round(
            regional["median_ms"] / max(baseline["median_ms"], 1e-9), 2
        ),
        "ratio_regional_vs_baseline_cpu_median": round(
            regional["cpu_median_ms"] / max(baseline["cpu_median_ms"], 1e-9), 2
        ),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(record, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
