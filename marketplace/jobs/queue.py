"""The job queue: huey carries job ids from the API to worker threads or processes.

Why huey: it is maintained, small, and the only candidate whose storages match every
deployment of this project: ``SqliteHuey`` for the SQLite default (a file beside the database:
``make run`` needs nothing more, and its consumer runs as threads inside the server),
``PostgresHuey`` (psycopg 3, ``LISTEN``/``NOTIFY``) on the production database itself, and
``RedisHuey`` when ``ISSY_JOB_QUEUE_URL`` names a Redis. procrastinate is PostgreSQL only (its
in-memory connector is for tests), and arq, RQ and dramatiq need Redis, which the SQLite
default does not have.

huey keeps no progress and loses a task whose worker dies mid-way; our ``job`` table
(:mod:`marketplace.jobs.store`) keeps the state, progress and result, and a lease renewed
while a job runs lets any process queue a job whose worker died again (once,
:func:`reap_lost`), then mark it ``FAILED``. A job ``QUEUED`` in the table that huey does not
hold (lost between the commit and the hand-over, or taken by a worker that died before
claiming it) is handed again by :func:`sweep_unhanded`.

Two huey queues (names in one storage): traffic jobs go to processes that have the street
network; feed imports need none, so every server with job threads runs them, and a long
assignment never holds up a partner's import.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from huey import PostgresHuey, RedisHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer
from sqlalchemy.engine import make_url

from marketplace.db import Database, normalise_database_url
from marketplace.jobs.store import LostJobs, mark_handed, reap_lost_jobs, unhanded_jobs
from marketplace.models import JobKind

__all__ = [
    "IMPORTS_QUEUE",
    "TRAFFIC_QUEUE",
    "JobQueue",
    "JobQueues",
    "Reaper",
    "queue_storage_for",
    "reap_and_sweep",
    "reap_lost",
    "start_job_queues",
    "sweep_unhanded",
]

log = logging.getLogger(__name__)

# The one task: its name is what producers and workers agree on.
_TASK_NAME = "issy_mobility.run_job"
TRAFFIC_QUEUE = "issy-jobs"
"""Assignments and scenarios: run where the street network is loaded."""
IMPORTS_QUEUE = "issy-imports"
"""Partners' feed imports: run by any process with job threads."""


def queue_storage_for(
    database_url: str, queue_url: str | None = None, *, name: str = TRAFFIC_QUEUE
) -> Huey:
    """The huey instance for a deployment: ``queue_url`` (``redis://``) if given, else the
    database's own kind (a ``.jobs`` SQLite file beside a SQLite database, or the PostgreSQL
    database's ``huey_*`` tables)."""
    if queue_url:
        if not queue_url.startswith(("redis://", "rediss://")):
            raise ValueError(
                f"ISSY_JOB_QUEUE_URL {queue_url!r}; accepted: redis://HOST:PORT/DB, or unset "
                "to queue jobs in the database"
            )
        return RedisHuey(name, url=queue_url, results=False)
    url = make_url(normalise_database_url(database_url))
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresHuey(name, dsn=dsn, results=False)
    database = url.database
    if not database or database == ":memory:":
        raise ValueError("jobs need a database file or PostgreSQL; an in-memory SQLite has none")
    filename = Path(database).with_name(Path(database).name + ".jobs")
    return SqliteHuey(name, filename=str(filename), results=False)


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """A consumer started from a thread that is not the main one: no signal handlers."""

    def _set_signal_handlers(self) -> None:
        pass


class JobQueue:
    """Queue jobs, and consume them in this process (threads) when given a ``runner``.

    Parameters
    ----------
    huey
        From :func:`queue_storage_for`.
    runner
        Runs one job by id (:meth:`marketplace.jobs.execute.JobExecutor.run`); ``None`` in a
        process that only queues.
    """

    def __init__(self, huey: Huey, runner: Callable[[int], None] | None = None) -> None:
        self.huey = huey
        self._runner = runner
        self._consumer: Consumer | None = None
        self._task = huey.task(name=_TASK_NAME)(self._run)

    def _run(self, job_id: int) -> None:
        if self._runner is None:  # pragma: no cover - only consumers run tasks
            raise RuntimeError("this process queues jobs but runs none")
        self._runner(job_id)

    def enqueue(self, job_id: int) -> None:
        """Hand job ``job_id`` to a worker."""
        self._task(job_id)

    def held_ids(self) -> set[int]:
        """The job ids waiting in this queue for a worker."""
        return {int(task.args[0]) for task in self.huey.pending() if task.args}

    def start_workers(self, threads: int) -> None:
        """Consume jobs with ``threads`` worker threads until :meth:`stop`."""
        assert self._runner is not None, "a consumer needs a runner"
        consumer = _QuietConsumer(
            self.huey, workers=threads, periodic=False, worker_type="thread", max_delay=1.0
        )
        consumer.start()
        self._consumer = consumer
        log.info("job queue: %d worker thread(s) in this process", threads)

    def run_forever(self, threads: int) -> None:
        """The ``issy-mobility worker`` loop: huey's own, with its signal handling."""
        assert self._runner is not None, "a consumer needs a runner"
        self.huey.create_consumer(
            workers=threads, periodic=False, worker_type="thread", max_delay=1.0
        ).run()

    def stop(self) -> None:
        """Stop the worker threads (a running job finishes or is reaped later)."""
        if self._consumer is not None:
            self._consumer.stop(graceful=False)
            self._consumer = None
        self.huey.storage.close()


class JobQueues:
    """The traffic queue and the imports queue of a deployment (see the module's notes)."""

    def __init__(self, traffic: JobQueue, imports: JobQueue) -> None:
        self.traffic = traffic
        self.imports = imports

    def of(self, kind: JobKind) -> JobQueue:
        """The queue jobs of ``kind`` go to."""
        return self.imports if kind.is_import else self.traffic

    def enqueue(self, job_id: int, kind: JobKind) -> None:
        """Hand job ``job_id`` to a worker of its kind."""
        self.of(kind).enqueue(job_id)

    def stop(self) -> None:
        self.traffic.stop()
        self.imports.stop()


def reap_lost(db: Database, queues: JobQueues, lease_s: float) -> LostJobs:
    """Reap lost jobs (:func:`reap_lost_jobs`, committed) and hand the ones queued again to
    the queue: huey forgot them with their dead worker. Dying between the two leaves them
    ``QUEUED`` and unhanded: :func:`sweep_unhanded` finds them."""
    lost = db.call(reap_lost_jobs, lease_s=lease_s)
    for job_id, kind in lost.requeued:
        log.warning("job %s lost its worker: queued again", job_id)
        queues.enqueue(job_id, kind)
    return lost


def sweep_unhanded(db: Database, queues: JobQueues, grace_s: float) -> list[int]:
    """Hand again every job ``QUEUED`` for ``grace_s`` that its queue does not hold: the
    process that queued it (or queued it again after its worker died) stopped before handing
    it over, or a worker took it from the queue and died before claiming it. A duplicate
    delivery is harmless (only one claim wins). The ids handed again."""
    candidates = db.call(unhanded_jobs, grace_s=grace_s)
    if not candidates:
        return []
    held: dict[int, set[int]] = {}
    handed: list[int] = []
    for job_id, kind in candidates:
        queue = queues.of(kind)
        if id(queue) not in held:
            held[id(queue)] = queue.held_ids()
        if job_id in held[id(queue)]:
            continue  # waiting its turn
        why = f"handed to the queue again: queued over {grace_s:g} s ago, and the queue had lost it"
        if db.call(mark_handed, job_id, why=why):
            log.warning("job %s was queued but not in the queue: handed again", job_id)
            queue.enqueue(job_id)
            handed.append(job_id)
    return handed


SWEEP_AFTER_LEASES = 5
"""A job is swept once it has been ``QUEUED`` this many leases without the queue holding it:
long past any hand-over in flight, or a worker's step from taking it to claiming it on a
loaded machine (a duplicate delivery would be harmless, but needless)."""


def reap_and_sweep(db: Database, queues: JobQueues, lease_s: float) -> None:
    """What a :class:`Reaper` does every round: lost workers' jobs, then lost hand-overs."""
    reap_lost(db, queues, lease_s)
    sweep_unhanded(db, queues, grace_s=SWEEP_AFTER_LEASES * lease_s)


class Reaper:
    """Marks lost jobs ``FAILED`` every ``interval_s`` in a daemon thread."""

    def __init__(self, reap: Callable[[], Any], interval_s: float) -> None:
        """``reap`` is usually :func:`reap_and_sweep` bound to a database and queues."""
        self._reap = reap
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="job-reaper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self._reap()
            except Exception:
                log.exception("reaping lost jobs failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def start_job_queues(
    settings_database_url: str,
    queue_url: str | None,
    *,
    runner: Callable[[int], None] | None,
    traffic_threads: int,
    import_threads: int,
) -> JobQueues:
    """The queues for this process, each consumed with its threads when they are ``> 0``."""
    queues = []
    for name, threads in ((TRAFFIC_QUEUE, traffic_threads), (IMPORTS_QUEUE, import_threads)):
        storage = queue_storage_for(settings_database_url, queue_url, name=name)
        queue = JobQueue(storage, runner if threads else None)
        if threads:
            queue.start_workers(threads)
        queues.append(queue)
    return JobQueues(*queues)
