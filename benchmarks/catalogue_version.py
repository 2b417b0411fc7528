"""What the catalogue-version check adds to each plan (not collected by pytest).

Run: ``.venv/bin/python benchmarks/catalogue_version.py [--postgres URL] [--rounds N]``.
On SQLite (a temp file) and PostgreSQL (a private schema, dropped afterwards), with 20
published services of 25 stations each, measures in microseconds:

- ``version_check``: :meth:`Database.catalogue_version`, the one single-row ``SELECT`` every
  plan and place search makes (autocommit connection);
- ``version_in_transaction``: the same ``SELECT`` on an ordinary pooled connection (on
  PostgreSQL ``BEGIN`` and ``ROLLBACK`` around it), the baseline of the autocommit
  connection; on SQLite the check already uses that very path;
- ``snapshot_unchanged``: :meth:`PlannerCatalogue.snapshot` when nothing changed (the check
  plus the cached answer): the whole per-plan cost;
- ``change_and_snapshot_rebuilt``: a one-field change committed, then the snapshot, which
  rebuilds the catalogue: what the check avoids on every unchanged plan.

Prints JSON. Numbers only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from marketplace.catalogue.services import ServiceFields, change_status, create_service
from marketplace.catalogue.stations import StationInput, upsert_stations
from marketplace.db import Database
from marketplace.events.version import read_catalogue_version
from marketplace.identity.actors import Actor
from marketplace.identity.partners import create_partner
from marketplace.models import MobilityService, PartnerKind, ServiceKind, ServiceStatus
from marketplace.planning.catalogue import PlannerCatalogue

SERVICES = 20
STATIONS_PER_SERVICE = 25


def _measure_us(call: Callable[[], Any], rounds: int) -> dict[str, float]:
    for _ in range(min(rounds, 20)):
        call()
    timings = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1e6)
    timings.sort()
    return {
        "median_us": round(statistics.median(timings), 1),
        "p95_us": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
    }


def _seed(session: Session) -> None:
    partner = create_partner(session, name="Bench", kind=PartnerKind.OPERATOR)
    assert partner.id is not None
    actor = Actor(partner_id=partner.id, partner_name=partner.name, kind=partner.kind)
    for number in range(SERVICES):
        fields = ServiceFields(ServiceKind.BIKE_SHARE, f"Service {number}")
        service = create_service(session, actor=actor, fields=fields)
        assert service.id is not None
        stations = [
            StationInput(
                external_id=f"s{i}",
                name=f"Station {number}-{i}",
                lat=48.82 + 0.0004 * i,
                lon=2.26 + 0.0004 * number,
                capacity=20,
            )
            for i in range(STATIONS_PER_SERVICE)
        ]
        upsert_stations(
            session, actor=actor, service_id=service.id, stations=stations, max_batch=1000
        )
        change_status(session, actor=actor, service_id=service.id, status=ServiceStatus.PUBLISHED)


def _rename(session: Session) -> None:
    service = session.get(MobilityService, 1)
    assert service is not None
    service.name = f"Renamed {time.perf_counter_ns()}"


def bench(url: str, rounds: int) -> dict[str, dict[str, float]]:
    database = Database(url)
    database.migrate()
    database.call(_seed)
    catalogue = PlannerCatalogue(database)
    try:

        def in_transaction() -> None:
            with database.engine.connect() as connection:
                read_catalogue_version(connection)

        def rebuilt() -> None:
            database.call(_rename)
            catalogue.snapshot()

        results = {
            "version_check": _measure_us(database.catalogue_version, rounds),
            "version_in_transaction": _measure_us(in_transaction, rounds),
            "snapshot_unchanged": _measure_us(catalogue.snapshot, rounds),
            "change_and_snapshot_rebuilt": _measure_us(rebuilt, max(10, rounds // 100)),
        }
    finally:
        catalogue.close()
        database.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rounds", type=int, default=5000)
    args = parser.parse_args()
    report: dict[str, Any] = {"services": SERVICES, "stations": SERVICES * STATIONS_PER_SERVICE}
    with tempfile.TemporaryDirectory() as folder:
        report["sqlite"] = bench(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.rounds)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.postgres)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        url = f"{args.postgres}?options=-csearch_path%3D{schema}"
        report["postgresql"] = bench(url, args.rounds)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
