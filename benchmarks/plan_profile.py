"""Where a plan's CPU goes: plans through the real ASGI app under cProfile, and plans/s.

Set-up as ``make run`` serves: the Issy-wide street topology from ``../shared/data``
(compiled once into ``data/streets/``) and the real Vélib' snapshot (1,495 stations, imported
with ``importGbfs`` and published) on a fresh SQLite database. Then ``--plans`` plans between
random points of Issy (the query of ``benchmarks/load.py``: 5 itineraries, legs, polylines)
are sent one after the other through the ASGI app (httpx's ASGI transport, no sockets);
prints the process's CPU and wall time per plan (so plans/s one core can serve), the CPU
spent inside ``TripPlanner.plan`` alone (the planning thread's), and the load average, and,
with ``--profile FILE``, writes cProfile stats of the event loop and of every worker thread
(the plan runs in one), and prints the 45 functions with the most own time.

``answers_sha256`` digests the GraphQL answers (durations, distances, polylines at precision
5); with ``--full-answers`` the planner's results are digested too, at full precision
(``results_sha256``: every itinerary's legs, times, distances, prices, places, every point of
every line and every step), so two versions of the code can be shown to give the same plans,
not just the same rounded answers. Reading the steps costs CPU: leave it off for CPU figures.

Run: ``.venv/bin/python benchmarks/plan_profile.py [--plans 100] [--profile /tmp/plan.prof]
[--full-answers]``
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import json
import os
import pstats
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from marketplace.app import create_app  # noqa: E402
from marketplace.db import Database  # noqa: E402
from marketplace.identity.partners import create_api_key, create_partner  # noqa: E402
from marketplace.models import PartnerKind  # noqa: E402
from marketplace.settings import Settings  # noqa: E402
from marketplace.streets import load_streets  # noqa: E402
from routing.planning.planner import TripPlanner  # noqa: E402

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


class _FullResults:
    """Every plan's result as the planner returned it, written out at full precision."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.recording = False
        # CPU of the planning thread inside TripPlanner.plan (the lines are encoded later,
        # by the GraphQL resolvers, so not in it).
        self.planner_cpu_s = 0.0
        self._original = TripPlanner.plan

    def install(self) -> None:
        original = self._original
        results = self

        def plan(planner: TripPlanner, *args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            result = original(planner, *args, **kwargs)
            results.planner_cpu_s += time.thread_time() - started
            if results.recording:
                results.digest.update(_describe(result).encode())
            return result

        TripPlanner.plan = plan  # type: ignore[method-assign, assignment]


def _describe(result: Any) -> str:
    """A plan result as text: repr of every float, so the last bit counts."""
    lines = [repr(sorted((e.code, e.message) for e in result.errors))]
    for itinerary in result.itineraries:
        lines.append(f"itinerary {itinerary.warnings!r}")
        for leg in itinerary.legs:
            lines.append(
                repr(
                    (
                        leg.mode,
                        leg.start,
                        leg.end,
                        leg.from_place,
                        leg.to_place,
                        leg.distance_m,
                        leg.service_id,
                        leg.price_minor,
                        leg.currency,
                        leg.co2_g,
                        leg.coordinates,
                        leg.steps,
                    )
                )
            )
    return "\n".join(lines) + "\n"


class _ThreadProfiles:
    """cProfile in the worker threads too: every ``anyio.to_thread.run_sync`` call (the plan,
    the catalogue reads, Starlette's thread pool) runs under its thread's own profiler."""

    def __init__(self) -> None:
        self.enabled = False
        self._local = threading.local()
        self.profilers: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        self._original = anyio.to_thread.run_sync

    def install(self) -> None:
        original = self._original

        async def run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            return await original(self._wrap(func), *args, **kwargs)

        anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]

    def _wrap(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def profiled(*args: Any) -> Any:
            if not self.enabled:
                return func(*args)
            profiler = getattr(self._local, "profiler", None)
            if profiler is None:
                profiler = self._local.profiler = cProfile.Profile()
                with self._lock:
                    self.profilers.append(profiler)
            profiler.enable()
            try:
                return func(*args)
            finally:
                profiler.disable()

        return profiled


async def _run(
    args: argparse.Namespace, streets: Any, threads: _ThreadProfiles, full: _FullResults
) -> dict[str, Any]:
    shared = args.shared_data
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/profile.sqlite3"
        # A cold first plan (numba compiles) may exceed the default budget: not measured.
        settings = Settings(
            database_url=url, plan_rate_per_min=10**9, plan_burst=10**9, plan_budget_ms=600_000
        )
        Database(url).migrate()
        app = create_app(settings, street_loader=lambda s: streets)
        async with app.router.lifespan_context(app):
            db: Database = app.state.db

            def partner(session: Any) -> str:
                made = create_partner(session, name="Profile operator", kind=PartnerKind.OPERATOR)
                assert made.id is not None
                return create_api_key(session, partner_id=made.id).token

            key = db.call(partner)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

                async def gql(query: str, variables: dict[str, Any]) -> Any:
                    response = await client.post(
                        "/graphql",
                        json={"query": query, "variables": variables},
                        headers={"Authorization": f"Bearer {key}"},
                    )
                    payload = response.json()
                    if payload.get("errors"):
                        raise RuntimeError(payload["errors"])
                    return payload["data"]

                created = await gql(
                    "mutation($n: String!) { createService(input: {kind: BIKE_SHARE, name: $n}) "
                    "{ id } }",
                    {"n": f"Vélib' Métropole (snapshot {SNAPSHOT})"},
                )
                velib = created["createService"]["id"]
                feeds = {
                    name: json.loads(
                        (shared / "bikeshare" / f"velib_{name}_{SNAPSHOT}.json").read_text()
                    )
                    for name in ("station_information", "station_status")
                }
                await gql(
                    "mutation($s: ID!, $f: JSON!) { importGbfs(serviceId: $s, feeds: $f) "
                    "{ skippedCount } }",
                    {"s": velib, "f": feeds},
                )
                await gql("mutation($s: ID!) { publishService(id: $s) { status } }", {"s": velib})
                rng = np.random.default_rng(7)
                south, west, north, east = ISSY_BOX
                when = {"earliestDeparture": "2026-12-08T08:30:00+01:00"}

                def variables() -> dict[str, Any]:
                    a = rng.uniform((south, west), (north, east))
                    b = rng.uniform((south, west), (north, east))
                    return {
                        "o": {"coordinate": {"latitude": float(a[0]), "longitude": float(a[1])}},
                        "d": {"coordinate": {"latitude": float(b[0]), "longitude": float(b[1])}},
                        "when": when,
                    }

                for _ in range(5):  # warm: snapping trees, numba, the catalogue snapshot
                    await gql(PLAN, variables())
                main_profiler = cProfile.Profile()
                itineraries = 0
                cpu0, wall0 = time.process_time(), time.perf_counter()
                full.planner_cpu_s = 0.0
                full.recording = args.full_answers
                if args.profile:
                    threads.enabled = True
                    main_profiler.enable()
                answers = []
                for _ in range(args.plans):
                    answer = (await gql(PLAN, variables()))["plan"]
                    itineraries += len(answer["edges"])
                    answers.append(answer)
                main_profiler.disable()
                threads.enabled = False
                cpu_s, wall_s = time.process_time() - cpu0, time.perf_counter() - wall0
    if args.profile:
        stats = pstats.Stats(main_profiler)
        for profiler in threads.profilers:
            stats.add(profiler)
        stats.dump_stats(args.profile)
    return {
        "plans": args.plans,
        "profiled": bool(args.profile),
        "mean_itineraries": round(itineraries / args.plans, 2),
        # Equal digests: the same answers (compare two versions of the code on one machine).
        "answers_sha256": hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[
            :16
        ],
        "results_sha256": full.digest.hexdigest()[:16] if args.full_answers else None,
        "cpu_ms_per_plan": round(cpu_s / args.plans * 1000, 1),
        "planner_cpu_ms_per_plan": round(full.planner_cpu_s / args.plans * 1000, 2),
        "wall_ms_per_plan": round(wall_s / args.plans * 1000, 1),
        "plans_per_cpu_s": round(args.plans / cpu_s, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--shared-data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--streets", type=Path, default=None)
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument(
        "--full-answers",
        action="store_true",
        help="also digest the planner's results at full precision (lines and steps too)",
    )
    args = parser.parse_args()
    streets = load_streets(
        args.streets or args.shared_data / "streets" / "grand_paris_carbike_topology_2023"
    )
    if streets.network is None:
        raise SystemExit(f"no street network: {streets.problem}")
    threads = _ThreadProfiles()
    threads.install()
    full = _FullResults()
    full.install()
    record = asyncio.run(_run(args, streets, threads, full))
    print(json.dumps(record, indent=2))
    if args.profile:
        pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(45)


if __name__ == "__main__":
    main()
