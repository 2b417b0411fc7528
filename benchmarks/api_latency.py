"""Benchmark of the marketplace API through the real ASGI app (not collected by pytest).

Run: ``.venv/bin/python benchmarks/api_latency.py [--postgres URL] [--rounds N]``.
Measures a catalogue query (20 published services, 25 stations each, with availability), a
light one (the same services, no stations), and a batch availability update of 500
stations, on SQLite (a temp file) and PostgreSQL (a private schema, dropped afterwards); prints
median, p95 and requests per second. Numbers only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from marketplace.app import create_app
from marketplace.db import Database
from marketplace.identity.partners import create_api_key, create_partner
from marketplace.models import PartnerKind
from marketplace.settings import Settings

CATALOGUE = """{ services(first: 20) { totalCount edges { node {
  id name kind operator { name }
  stations { externalId lat lon availability { vehiclesAvailable docksAvailable } } } } } }"""
LIGHT = "{ services(first: 20) { totalCount edges { node { id name kind operator { name } } } } }"
AVAILABILITY = """mutation($id: ID!, $a: [AvailabilityInput!]!) {
  updateAvailability(serviceId: $id, availability: $a) { updated } }"""


async def _measure(call: Callable[[], Awaitable[None]], rounds: int) -> dict[str, float]:
    for _ in range(3):
        await call()
    timings = []
    start = time.perf_counter()
    for _ in range(rounds):
        t0 = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - start
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "rps": rounds / elapsed,
    }


async def _bench(url: str, rounds: int) -> dict[str, dict[str, float]]:
    Database(url).migrate()
    app = create_app(Settings(database_url=url))
    async with app.router.lifespan_context(app):
        db = app.state.db

        def bootstrap(session: Any) -> str:
            partner = create_partner(session, name="Bench", kind=PartnerKind.OPERATOR)
            assert partner.id is not None
            return create_api_key(session, partner_id=partner.id).token

        key = db.call(bootstrap)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def gql(query: str, variables: dict[str, Any] | None = None) -> Any:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {key}"},
                )
                body = response.json()
                assert not body.get("errors"), body["errors"]
                return body["data"]

            service_ids = []
            for i in range(21):
                created = await gql(
                    "mutation($n: String!) { createService(input: {kind: BIKE_SHARE, name: $n})"
                    " { id } }",
                    {"n": f"Service {i}"},
                )
                sid = created["createService"]["id"]
                await gql("mutation($id: ID!) { publishService(id: $id) { id } }", {"id": sid})
                size = 500 if i == 20 else 25  # the 21st, off the first page, is the big one
                stations = [
                    {
                        "externalId": f"{i}-{j}",
                        "name": f"Station {j}",
                        "lat": 48.815 + j * 2e-5,
                        "lon": 2.255 + i * 1e-3,
                    }
                    for j in range(size)
                ]
                await gql(
                    "mutation($id: ID!, $s: [StationInput!]!) {"
                    " upsertStations(serviceId: $id, stations: $s) { created } }",
                    {"id": sid, "s": stations},
                )
                service_ids.append(sid)
            rows = [
                {"stationExternalId": f"20-{j}", "vehiclesAvailable": j % 9, "docksAvailable": 4}
                for j in range(500)
            ]

            async def catalogue() -> None:
                await gql(CATALOGUE)

            async def light() -> None:
                await gql(LIGHT)

            async def availability() -> None:
                await gql(AVAILABILITY, {"id": service_ids[20], "a": rows})

            return {
                "catalogue: 20 services, 500 stations": await _measure(catalogue, rounds),
                "catalogue: 20 services, no stations": await _measure(light, rounds),
                "availability batch of 500": await _measure(availability, rounds),
            }


def _postgres_schema(url: str) -> tuple[str, Callable[[], None]]:
    schema = f"mkt_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    return f"{url}?options=-csearch_path%3D{schema}", drop


def main() -> None:
    """Run the benchmark on SQLite and PostgreSQL and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        targets: dict[str, tuple[str, Callable[[], None]]] = {
            "sqlite": (f"sqlite:///{Path(folder) / 'bench.sqlite3'}", lambda: None)
        }
        if not args.no_postgres:
            targets["postgresql"] = _postgres_schema(args.postgres)
        for backend, (url, cleanup) in targets.items():
            try:
                results = asyncio.run(_bench(url, args.rounds))
            finally:
                cleanup()
            for name, figures in results.items():
                print(
                    f"{backend:10} {name:40} median {figures['median_ms']:7.1f} ms   "
                    f"p95 {figures['p95_ms']:7.1f} ms   {figures['rps']:7.1f} req/s"
                )


if __name__ == "__main__":
    main()
