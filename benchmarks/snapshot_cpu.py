"""CPU of the planner's snapshot rebuild after an availability batch, and of the batch itself.

Run: ``.venv/bin/python benchmarks/snapshot_cpu.py [--batches 40]``.

The app in this process (no street network: the snapshot needs none) on a private PostgreSQL
schema, seeded with the real Vélib' snapshot (1,495 stations, ``importGbfs``, published) as in
``benchmarks/load.py``. Then ``--batches`` times: one ``updateAvailability`` batch of 50 random
stations with new counts through GraphQL (the app in-process: HTTP client, GraphQL and storage
in one process), then :meth:`PlannerCatalogue.snapshot`, the rebuild every planning worker runs
after a batch. Each is measured in CPU seconds of this process (``time.process_time``: every
thread, so it means the same on a loaded machine). For comparison, the full rebuild after a
static change (the service renamed) is measured too.

Prints one JSON document (milliseconds of CPU: median and mean). Numbers only.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from load import AVAILABILITY, SNAPSHOT, _drop_schema, _postgres_schema  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from marketplace.app import create_app  # noqa: E402
from marketplace.db import Database  # noqa: E402
from marketplace.identity.partners import create_api_key, create_partner  # noqa: E402
from marketplace.models import PartnerKind  # noqa: E402
from marketplace.settings import Settings  # noqa: E402


def _summary(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"median_ms": round(statistics.median(ms), 2), "mean_ms": round(statistics.mean(ms), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="cProfile the rebuilds after batches into this file",
    )
    args = parser.parse_args()
    shared = Path(os.environ.get("ISSY_SHARED_DATA", REPO.parent / "shared" / "data"))
    feeds = {
        name: json.loads((shared / "bikeshare" / f"velib_{name}_{SNAPSHOT}.json").read_text())
        for name in ("station_information", "station_status")
    }
    stations = feeds["station_information"]["data"]["stations"]
    capacities = {str(s["station_id"]): int(s.get("capacity") or 0) for s in stations}
    schema, url = _postgres_schema(args.postgres)
    try:
        database = Database(url)
        database.migrate()

        def partner(session: Any) -> str:
            made = create_partner(session, name="Snapshot operator", kind=PartnerKind.OPERATOR)
            assert made.id is not None
            return create_api_key(session, partner_id=made.id).token

        key = database.call(partner)
        database.dispose()
        with TestClient(create_app(Settings(database_url=url))) as client:
            headers = {"Authorization": f"Bearer {key}"}

            def gql(query: str, variables: dict[str, Any]) -> Any:
                body = client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                ).json()
                assert not body.get("errors"), body["errors"]
                return body["data"]

            created = gql(
                'mutation { createService(input: {kind: BIKE_SHARE, name: "Vélib\'"}) { id } }',
                {},
            )
            service_id = created["createService"]["id"]
            gql(
                "mutation($s: ID!, $f: JSON!) { importGbfs(serviceId: $s, feeds: $f) "
                "{ skippedCount } }",
                {"s": service_id, "f": feeds},
            )
            published = gql(
                "mutation($s: ID!) { publishService(id: $s) { version } }", {"s": service_id}
            )["publishService"]
            catalogue = client.app.state.planning.catalogue  # type: ignore[attr-defined]
            catalogue.snapshot()
            rng = random.Random(13)
            ids = sorted(capacities)
            batch_s: list[float] = []
            profiler = cProfile.Profile() if args.profile else None
            rebuild_s: list[float] = []
            for _ in range(args.batches):
                rows = []
                for sid in rng.sample(ids, 50):
                    capacity = capacities[sid]
                    bikes = rng.randint(0, capacity)
                    rows.append(
                        {
                            "stationExternalId": sid,
                            "vehiclesAvailable": bikes,
                            "docksAvailable": capacity - bikes,
                        }
                    )
                start = time.process_time()
                gql(AVAILABILITY, {"id": service_id, "a": rows})
                batch_s.append(time.process_time() - start)
                start = time.process_time()
                if profiler is not None:
                    profiler.enable()
                catalogue.snapshot()
                if profiler is not None:
                    profiler.disable()
                rebuild_s.append(time.process_time() - start)
            full_s: list[float] = []
            version = published["version"]
            for i in range(max(args.batches // 4, 3)):
                version = gql(
                    "mutation($s: ID!, $v: Int!, $n: String!) { updateService(id: $s, "
                    "expectedVersion: $v, input: {name: $n}) { version } }",
                    {"s": service_id, "v": version, "n": f"Vélib' {i}"},
                )["updateService"]["version"]
                start = time.process_time()
                catalogue.snapshot()
                full_s.append(time.process_time() - start)
            if profiler is not None:
                profiler.dump_stats(args.profile)
            report = {
                "stations": len(stations),
                "batches": args.batches,
                "batch_of_50_cpu": _summary(batch_s),
                "snapshot_after_batch_cpu": _summary(rebuild_s),
                "snapshot_after_static_change_cpu": _summary(full_s),
                "live_patches": getattr(catalogue, "live_patches", None),
                "rebuilds": catalogue.rebuilds,
            }
    finally:
        _drop_schema(args.postgres, schema)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
