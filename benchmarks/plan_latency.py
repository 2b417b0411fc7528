"""Latency of the ``plan`` query through the real ASGI app, multimodal against walk-only.

Set-up, all through the public GraphQL API on a fresh database:

- the Issy-wide street network at hand (the Grand Paris topology from ``../shared/data``,
  or ``--streets``), compiled once into ``data/streets/``;
- the real Vélib' snapshot (``bikeshare/velib_station_*_2025-10-18.json``) imported with
  ``importGbfs`` and published;
- one timetabled line: the real positions of six tram T2 stops in and by Issy (RATP stops,
  2019) with a **synthetic** timetable (every 5 minutes, 2 minutes between stops, both ways),
  since no real stop_times are at hand; it exists to load the transit search, nothing more.

Then ``--pairs`` random origin/destination pairs inside Issy are planned with 5 itineraries
(every mode), and again walk-only as the baseline, reporting median and p95 in ms.

Access and egress by any mode (issue 15 item 3) are measured on their own: the same pairs
planned with walking, bike share and public transport allowed, with the planner reaching
stops by Vélib' too and on foot only (``TripPlanner.transit_access``), alternated over
``--repeats`` rounds in the same run so machine load falls on both alike.

Run: ``.venv/bin/python benchmarks/plan_latency.py [--pairs 200] [--database-url URL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import statistics
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

from marketplace.app import create_app  # noqa: E402
from marketplace.db import Database  # noqa: E402
from marketplace.identity.partners import create_api_key, create_partner  # noqa: E402
from marketplace.models import PartnerKind  # noqa: E402
from marketplace.settings import Settings  # noqa: E402
from marketplace.streets import load_streets  # noqa: E402

ISSY_BOX = (48.8133, 2.2357, 48.8346, 2.2894)  # south, west, north, east
T2_STOPS = ("4009398", "4009384", "4009386", "4009388", "4009392", "4009394")
IMPORT_GBFS = (
    "mutation($s: ID!, $f: JSON!) { importGbfs(serviceId: $s, feeds: $f) { skippedCount } }"
)
IMPORT_GTFS = (
    "mutation($s: ID!, $f: JSON!) { importGtfs(serviceId: $s, files: $f) { skippedCount } }"
)
PLAN = """
query($o: PlanLocationInput!, $d: PlanLocationInput!, $when: PlanDateTimeInput,
      $modes: PlanModesInput) {
  plan(origin: $o, destination: $d, dateTime: $when, modes: $modes, numItineraries: 5) {
    edges { node { durationS legs { mode } } }
    routingErrors { code }
  }
}
"""


def _gql(client: TestClient, query: str, variables: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    payload = body.json()
    if payload.get("errors"):
        raise RuntimeError(payload["errors"])
    return payload["data"]


def _service(client: TestClient, key: str, kind: str, name: str) -> str:
    created = _gql(
        client,
        "mutation($i: CreateServiceInput!) { createService(input: $i) { id } }",
        {"i": {"kind": kind, "name": name}},
        key,
    )
    return str(created["createService"]["id"])


def _t2_gtfs(shared: Path) -> dict[str, str]:
    rows = {}
    with gzip.open(shared / "transit" / "ratp_gtfs_full_stops_2019.txt.gz", "rt") as handle:
        header = handle.readline()
        for line in handle:
            stop_id = line.split(",", 1)[0]
            if stop_id in T2_STOPS:
                rows[stop_id] = line.rstrip("\n")
    stops = header + "\n".join(rows[s] for s in T2_STOPS) + "\n"
    trips, times = (
        ["route_id,service_id,trip_id,trip_headsign"],
        ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"],
    )
    for direction, order in (("N", T2_STOPS), ("S", tuple(reversed(T2_STOPS)))):
        for k, start_s in enumerate(range(6 * 3600, 22 * 3600, 300)):
            trip = f"{direction}{k}"
            trips.append(f"T2,daily,{trip},{order[-1]}")
            for seq, stop in enumerate(order):
                t = start_s + 120 * seq
                hms = f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"
                times.append(f"{trip},{hms},{hms},{stop},{seq}")
    return {
        "stops.txt": stops,
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\n"
        "T2,T2,Tram T2 (synthetic timetable),0\n",
        "trips.txt": "\n".join(trips) + "\n",
        "stop_times.txt": "\n".join(times) + "\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\ndaily,1,1,1,1,1,1,1,20240101,20301231\n",
    }


def _measure(
    client: TestClient, pairs: list[tuple[Any, Any]], allowed: Any, when: str
) -> dict[str, Any]:
    times_ms, found = [], 0
    modes: dict[str, int] = {}
    for o, d in pairs:
        variables = {"o": o, "d": d, "when": {"earliestDeparture": when}, "modes": allowed}
        started = time.perf_counter()
        data = _gql(client, PLAN, variables)
        times_ms.append((time.perf_counter() - started) * 1000)
        found += len(data["plan"]["edges"])
        for edge in data["plan"]["edges"]:
            for leg in edge["node"]["legs"]:
                modes[leg["mode"]] = modes.get(leg["mode"], 0) + 1
    return {
        "median_ms": round(statistics.median(times_ms), 2),
        "p95_ms": round(float(np.percentile(times_ms, 95)), 2),
        "mean_itineraries": round(found / len(pairs), 2),
        "legs_by_mode": dict(sorted(modes.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--shared-data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--streets", type=Path, default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    shared = args.shared_data
    streets_path = args.streets or shared / "streets" / "grand_paris_carbike_topology_2023"
    started = time.perf_counter()
    streets = load_streets(streets_path)
    if streets.network is None:
        raise SystemExit(f"no street network: {streets.problem}")
    print(f"streets ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        # Every pair comes from one client: lift the per-client plan limit, it is not measured.
        settings = Settings(database_url=url, plan_rate_per_min=10**9, plan_burst=10**9)
        Database(url).migrate()
        with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
            db: Database = cast(Starlette, client.app).state.db

            def partner(session: Any) -> str:
                made = create_partner(session, name="Bench operator", kind=PartnerKind.OPERATOR)
                assert made.id is not None
                return create_api_key(session, partner_id=made.id).token

            key = db.call(partner)
            velib = _service(client, key, "BIKE_SHARE", "Vélib' Métropole (snapshot 2025-10-18)")
            feeds = {
                name: json.loads(
                    (shared / "bikeshare" / f"velib_{name}_2025-10-18.json").read_text()
                )
                for name in ("station_information", "station_status")
            }
            _gql(
                client,
                IMPORT_GBFS,
                {"s": velib, "f": feeds},
                key,
            )
            tram = _service(client, key, "PUBLIC_TRANSPORT", "Tram T2 (synthetic timetable)")
            _gql(
                client,
                IMPORT_GTFS,
                {"s": tram, "f": _t2_gtfs(shared)},
                key,
            )
            for sid in (velib, tram):
                _gql(
                    client,
                    "mutation($s: ID!) { publishService(id: $s) { status } }",
                    {"s": sid},
                    key,
                )

            rng = np.random.default_rng(7)
            south, west, north, east = ISSY_BOX
            pairs = []
            for _ in range(args.pairs):
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
            _measure(client, pairs[:5], None, when)  # warm: snapping trees, numba, caches
            multimodal = _measure(client, pairs, None, when)
            walk_only = _measure(client, pairs, {"direct": ["WALK"], "services": []}, when)
            planner = cast(Starlette, client.app).state.planning._planner
            bike_and_rail = {"direct": ["WALK"], "services": ["BIKE_SHARE", "PUBLIC_TRANSPORT"]}
            access: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
            for _ in range(args.repeats):
                for enabled in (True, False):
                    planner.transit_access = enabled
                    access[enabled].append(_measure(client, pairs, bike_and_rail, when))
            planner.transit_access = True
            any_mode = min(access[True], key=lambda m: m["median_ms"])
            on_foot = min(access[False], key=lambda m: m["median_ms"])
    record = {
        "streets": str(streets_path),
        "database": url.split(":")[0],
        "pairs": args.pairs,
        "services": "Vélib' snapshot (real, 1,495 stations) + tram T2 stops (real positions, "
        "synthetic timetable)",
        "plan_all_modes_5_itineraries": multimodal,
        "plan_walk_only_baseline": walk_only,
        "ratio_multimodal_vs_walk_median": round(
            multimodal["median_ms"] / max(walk_only["median_ms"], 1e-9), 2
        ),
        "bike_share_and_transit_stops_reached_by_any_mode": any_mode,
        "bike_share_and_transit_stops_reached_on_foot": on_foot,
        "access_any_mode_medians_ms": [m["median_ms"] for m in access[True]],
        "access_on_foot_medians_ms": [m["median_ms"] for m in access[False]],
        "ratio_access_any_mode_vs_on_foot_median": round(
            any_mode["median_ms"] / max(on_foot["median_ms"], 1e-9), 2
        ),
    }
    print(json.dumps(record, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
