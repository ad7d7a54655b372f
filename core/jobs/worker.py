"""``stagebank worker``: an RQ worker that also starts the scheduled jobs when they are due.

RQ forks a work horse per job; the app (built once from the environment by ``create_app``)
is inherited, and its database pool is dropped in the horse so that no connection is ever
shared between processes. SIGTERM lets the current job finish (warm shutdown).
"""

from __future__ import annotations

import logging
import os
import time

from flask import Flask
from rq import Worker, get_current_job
from rq.serializers import JSONSerializer

from core.database import database
from core.jobs.queue import enqueue, redis_connection, rq_queue, run_job
from core.jobs.schedule import start_due

log = logging.getLogger(__name__)

#: Seconds between two looks at the schedule (also the longest idle wait for a job).
SCHEDULE_CHECK = 5

_process_app: dict[str, object] = {}


def use_app(app: Flask) -> None:
    """Make ``app`` the app that jobs of this process (and its work horses) run on."""
    _process_app.update(app=app, pid=os.getpid())


def worker_app() -> Flask:
    """The app jobs run on: the worker command's, or one built from the environment (for a
    plain ``rq worker``). In a forked process its inherited connections are dropped."""
    if "app" not in _process_app:
        from core.app import create_app

        use_app(create_app())
    app = _process_app["app"]
    if _process_app["pid"] != os.getpid():
        database(app).dispose(close=False)  # the parent's connections stay the parent's
        _process_app["pid"] = os.getpid()
    return app


def perform(job_name: str, kwargs: dict) -> str:
    """What RQ runs for every job: ``job_name`` on this process's app."""
    job = get_current_job()
    return run_job(worker_app(), job_name, kwargs, run_id=job.id if job else None)


class StagebankWorker(Worker):
    """Listens on the Stagebank queue and, every ``SCHEDULE_CHECK`` seconds, enqueues the
    scheduled jobs that are due (claims in Redis: several workers start each slot once)."""

    def __init__(self, app: Flask, **options):
        connection = redis_connection(app)
        super().__init__(
            [rq_queue(app, connection)],
            connection=connection,
            serializer=JSONSerializer,
            **options,
        )
        self.app = app
        self._next_check = 0.0

    @property
    def dequeue_timeout(self) -> int:
        return SCHEDULE_CHECK

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline=pipeline)
        if pipeline is None and not self._is_horse and time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + SCHEDULE_CHECK
            self.start_due_jobs()

    def start_due_jobs(self) -> None:
        with self.app.app_context():
            start_due(self.app, enqueue)


def run_worker(app: Flask, burst: bool = False) -> None:
    """Work until stopped (``burst``: until the queue is empty). A starting worker first asks
    for a mail delivery run, for whatever a crashed predecessor left behind."""
    use_app(app)
    database(app).dispose()
    with app.app_context():
        enqueue("deliver_mail")
    StagebankWorker(app).work(burst=burst, logging_level=app.config["LOG_LEVEL"])
