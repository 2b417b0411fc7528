"""How long a GTFS import job holds the database's write transaction (SQLite: its one lock).

In one process, on a fresh migrated database (a temporary SQLite file, or ``--database-url``),
for the SYNTHETIC feed of ``gtfs_import_job.py`` (three stop positions in Issy, invented trips
a minute apart: no real timetable), repeated, medians of the time inside the transaction:

- ``before`` (the baseline, what the job did until h13s): ``import_gtfs`` in the transaction,
  which checks and maps the whole feed (stops, calendars, trips, stop times) and then writes;
- ``after``: :func:`prepare_gtfs` outside, then only :func:`write_gtfs` in the transaction.

Both wall-clock and CPU seconds (``time.process_time``; the wall-clock grows with the
machine's load, printed beside them)::

    .venv/bin/python benchmarks/gtfs_write_lock.py --trips 50000 --repeats 3
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from marketplace.catalogue.services import ServiceFields, create_service
from marketplace.db import Database
from marketplace.identity.actors import Actor
from marketplace.identity.partners import create_partner
from marketplace.ingest.gtfs import (
    import_gtfs,
    parse_gtfs,
    prepare_gtfs,
    service_stop_ids,
    write_gtfs,
)
from marketplace.models import PartnerKind, ServiceKind

sys.path.insert(0, str(Path(__file__).parent))
from gtfs_import_job import synthetic_feed


def _in_transaction(db: Database, work: Callable[[Any], Any]) -> tuple[float, float]:
    """Wall and CPU seconds from the transaction's start to its commit."""
    times: dict[str, float] = {}

    def timed(session: Any) -> Any:
        times["wall"], times["cpu"] = time.perf_counter(), time.process_time()
        return work(session)

    db.call(timed)
    return time.perf_counter() - times["wall"], time.process_time() - times["cpu"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trips", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        db = Database(url)
        db.migrate()

        def setup(session: Any) -> tuple[Actor, int]:
            partner = create_partner(session, name="Bench operator", kind=PartnerKind.OPERATOR)
            assert partner.id is not None
            actor = Actor(partner_id=partner.id, partner_name=partner.name, kind=partner.kind)
            service = create_service(
                session, actor=actor, fields=ServiceFields(kind=ServiceKind.SHUTTLE, name="Bench")
            )
            assert service.id is not None
            return actor, service.id

        actor, service_id = db.call(setup)
        feed = parse_gtfs(synthetic_feed(args.trips))
        before: list[tuple[float, float]] = []
        after: list[tuple[float, float]] = []
        prepare_cpu: list[float] = []
        for _ in range(args.repeats):
            before.append(
                _in_transaction(
                    db, lambda s: import_gtfs(s, actor=actor, service_id=service_id, feed=feed)
                )
            )
            started = time.process_time()
            known = db.call(service_stop_ids, service_id)
            prepared = prepare_gtfs(feed, service_id=service_id, known_stop_ids=known)
            prepare_cpu.append(time.process_time() - started)
            after.append(
                _in_transaction(
                    db,
                    functools.partial(
                        write_gtfs, actor=actor, service_id=service_id, prepared=prepared
                    ),
                )
            )
        db.dispose()
    b_wall, b_cpu = (statistics.median(v) for v in zip(*before, strict=True))
    a_wall, a_cpu = (statistics.median(v) for v in zip(*after, strict=True))
    print(
        json.dumps(
            {
                "backend": db.backend,
                "trips": args.trips,
                "stop_times": 3 * args.trips,
                "repeats": args.repeats,
                "before_lock_wall_s": round(b_wall, 3),
                "before_lock_cpu_s": round(b_cpu, 3),
                "after_lock_wall_s": round(a_wall, 3),
                "after_lock_cpu_s": round(a_cpu, 3),
                "prepare_outside_cpu_s": round(statistics.median(prepare_cpu), 3),
                "after_over_before_cpu": round(a_cpu / b_cpu, 3),
                "after_over_before_wall": round(a_wall / b_wall, 3),
                "load_average_1min": round(os.getloadavg()[0], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
