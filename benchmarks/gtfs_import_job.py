"""A GTFS import run as a job versus the same import while the caller waits: CPU seconds.

In one process, on a fresh migrated database (a temporary SQLite file, or ``--database-url``),
for a SYNTHETIC feed (three stop positions in Issy, invented trips a minute apart: no real
timetable), repeated, medians:

- ``sync`` (the baseline): ``parse_gtfs`` then ``import_gtfs`` in one transaction, what
  ``importGtfs`` does inside its request;
- ``queue``: what ``queueGtfsImport`` does inside its request (the job row and the feed
  stored compressed beside it);
- ``job``: :meth:`JobExecutor.run` of that job (claim, feed read back, parse with rows-read
  reports, write with stop_times-written reports, outcome recorded with the timetable).

CPU seconds are ``time.process_time`` of this process (nothing else runs in it), so they
hold on a loaded machine; the load average is printed beside them::

    .venv/bin/python benchmarks/gtfs_import_job.py --trips 20000 --repeats 3
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from marketplace.catalogue.services import ServiceFields, create_service
from marketplace.db import Database
from marketplace.identity.actors import Actor
from marketplace.identity.partners import create_partner
from marketplace.ingest.gtfs import import_gtfs, parse_gtfs
from marketplace.jobs.execute import JobExecutor
from marketplace.jobs.gtfs_import import gtfs_import_params
from marketplace.jobs.store import create_job, get_job
from marketplace.models import JobKind, JobStatus, PartnerKind, ServiceKind
from marketplace.traffic.config import TrafficConfig
from routing.street.network import StreetNetwork

STOPS = (
    "stop_id,stop_name,stop_lat,stop_lon\n"
    "MAIRIE,Mairie d'Issy,48.8245,2.2735\n"
    "CELTON,Corentin Celton,48.8270,2.2790\n"
    "VALDESEINE,Issy Val de Seine,48.8299,2.2640\n"
)


def synthetic_feed(trips: int) -> dict[str, str]:
    """SYNTHETIC: ``trips`` invented trips over three stops (3 stop times each)."""
    trip_rows = ["route_id,service_id,trip_id"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for k in range(trips):
        start = 5 * 3600 + 60 * (k % 1000) + k // 1000
        trip_rows.append(f"R,ALL,T{k}")
        for seq, (stop, offset) in enumerate(
            (("MAIRIE", 0), ("CELTON", 240), ("VALDESEINE", 720)), start=1
        ):
            s = start + offset
            clock = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
            times.append(f"T{k},{clock},{clock},{stop},{seq}")
    return {
        "stops.txt": STOPS,
        "routes.txt": "route_id,route_type\nR,3\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\nALL,1,1,1,1,1,1,1,20260101,20281231\n",
        "trips.txt": "\n".join(trip_rows) + "\n",
        "stop_times.txt": "\n".join(times) + "\n",
    }


def _cpu(work: Any) -> tuple[float, Any]:
    started = time.process_time()
    result = work()
    return time.process_time() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trips", type=int, default=20_000)
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
        files = synthetic_feed(args.trips)

        def no_streets() -> StreetNetwork:
            raise RuntimeError("imports need no street network")

        executor = JobExecutor(
            db, network=no_streets, config=TrafficConfig.from_environ, lease_s=30.0
        )
        sync_s, queue_s, job_s = [], [], []
        for _ in range(args.repeats):
            cpu, _report = _cpu(
                lambda: db.call(
                    lambda s: import_gtfs(
                        s, actor=actor, service_id=service_id, feed=parse_gtfs(files)
                    )
                )
            )
            sync_s.append(cpu)

            def queue(session: Any) -> int:
                job = create_job(
                    session,
                    kind=JobKind.GTFS_IMPORT,
                    params=gtfs_import_params(service_id=service_id, url=None),
                    partner_id=actor.partner_id,
                    payload={"files": files},
                )
                assert job.id is not None
                return job.id

            cpu, job_id = _cpu(lambda: db.call(queue))
            queue_s.append(cpu)
            cpu, _ = _cpu(functools.partial(executor.run, job_id))
            job_s.append(cpu)
            job = db.call(get_job, job_id)
            assert job.status is JobStatus.SUCCEEDED, (job.status, job.error_message)
        db.dispose()
    sync, queued, ran = (statistics.median(v) for v in (sync_s, queue_s, job_s))
    print(
        json.dumps(
            {
                "backend": db.backend,
                "trips": args.trips,
                "stop_times": 3 * args.trips,
                "repeats": args.repeats,
                "sync_import_cpu_s": round(sync, 3),
                "queue_request_cpu_s": round(queued, 3),
                "job_cpu_s": round(ran, 3),
                "job_over_sync": round(ran / sync, 3),
                "queue_request_over_sync": round(queued / sync, 4),
                "load_average_1min": round(os.getloadavg()[0], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
