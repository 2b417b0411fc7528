"""Background jobs: traffic assignments and scenarios run by workers, not inside requests.

:mod:`~marketplace.jobs.store` keeps each job's state in our ``job`` table (progress, result,
lease); :mod:`~marketplace.jobs.queue` carries job ids to workers on huey;
:mod:`~marketplace.jobs.execute` runs one job with its heartbeat and cancellation.
"""
