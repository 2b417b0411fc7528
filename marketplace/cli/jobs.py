"""``issy-mobility worker``: a process that runs queued jobs (traffic assignments, scenarios,
partners' GTFS imports).

It reads the same settings as ``serve`` (``DATABASE_URL``, ``ISSY_JOB_QUEUE_URL``, the street
network) and refuses a stale schema like it. Servers started with ``ISSY_JOB_WORKERS=0`` leave
every job to such workers; by default a server also runs one job thread per queue itself
(imports even without a street network). ``--threads`` applies to each queue.
"""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``worker``."""
    worker = subparsers.add_parser(
        "worker", help="run queued jobs (assignments, scenarios, imports)"
    )
    worker.add_argument("--streets", default=None, help="street network file or artefact")
    worker.add_argument(
        "--threads", type=int, default=1, help="jobs run at once per queue (default 1)"
    )
    worker.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    import logging

    from marketplace.db import Database
    from marketplace.ingest.live_feeds import feed_fetcher
    from marketplace.jobs.execute import JobExecutor, worker_name
    from marketplace.jobs.feed_poller import FeedPoller
    from marketplace.jobs.queue import (
        IMPORTS_QUEUE,
        JobQueue,
        JobQueues,
        Reaper,
        queue_storage_for,
        reap_and_sweep,
    )
    from marketplace.settings import Settings
    from marketplace.streets import load_streets
    from marketplace.traffic.config import TrafficConfig

    if args.threads < 1:
        raise ValueError(f"--threads {args.threads}; accepted: 1 or more")
    settings = Settings.from_environ(streets=args.streets)
    database = Database(settings.database_url, busy_timeout_ms=settings.lock_wait_ms)
    try:
        database.require_current_schema()
        streets = load_streets(settings.streets)
        config = TrafficConfig.from_environ()
        executor = JobExecutor(
            database,
            network=streets.require,
            config=lambda: config,
            lease_s=settings.job_lease_s,
            outbound=settings.outbound,
        )
        queue = JobQueue(
            queue_storage_for(settings.database_url, settings.job_queue_url), executor.run
        )
        imports = JobQueue(
            queue_storage_for(settings.database_url, settings.job_queue_url, name=IMPORTS_QUEUE),
            executor.run,
        )
        queues = JobQueues(queue, imports)
        reaper = Reaper(
            lambda: reap_and_sweep(database, queues, settings.job_lease_s),
            interval_s=settings.job_lease_s / 2,
        )
        reaper.start()
        poller = FeedPoller(
            database, fetch=feed_fetcher(settings.outbound)
        )  # registered GBFS and GTFS-Realtime feeds
        poller.start()
        logging.getLogger(__name__).info(
            "worker %s ready on %s (%d thread(s))", worker_name(), database.backend, args.threads
        )
        try:
            if streets.network is None:  # traffic jobs wait for a worker that has streets
                logging.getLogger(__name__).warning(
                    "no street network: this worker runs imports only"
                )
                imports.run_forever(args.threads)
            else:
                imports.start_workers(args.threads)  # imports beside the traffic loop
                queue.run_forever(args.threads)
        finally:
            imports.stop()
            poller.stop()
            reaper.stop()
    finally:
        database.dispose()
    return 0
