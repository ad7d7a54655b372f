"""Run jobs in the background: on the RQ queue in Redis when ``REDIS_URL`` is set, at once in
the calling process otherwise; and ask for a mail delivery after every commit that queued mail.

RQ only carries *triggers*: what must not be lost (mail, request states) is in the database,
so a lost or repeated job costs nothing but a delay (the scheduled sweep catches up).
"""

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, current_app, g, has_app_context
from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.jobs.tasks import JOBS
from core.mail.services import MAIL_QUEUED

log = logging.getLogger(__name__)

QUEUE_NAME = "stagebank"
#: RQ retries a job that failed or whose worker died, after these many seconds.
RETRY_INTERVALS = (30, 120, 600)
RESULT_TTL = 24 * 3600
FAILURE_TTL = 7 * 24 * 3600
#: ``g`` flag: a transaction of this app context committed queued mail.
MAIL_COMMITTED = "stagebank_mail_committed"


class UnknownJob(KeyError):
    """No job has this name."""


def job_function(job_name: str):
    """The function of the job ``job_name``, or :class:`UnknownJob`."""
    try:
        return JOBS[job_name]
    except KeyError:
        raise UnknownJob(job_name) from None


def redis_connection(app: Flask) -> Redis | None:
    """The app's Redis client (one connection pool per app), or None without ``REDIS_URL``."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    clients = app.extensions.setdefault("stagebank.redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return clients[url]


def rq_queue(app: Flask, connection: Redis | None = None) -> Queue:
    """The app's RQ queue (JSON-serialised: job arguments are names, dates and numbers)."""
    return Queue(
        QUEUE_NAME,
        connection=connection or redis_connection(app),
        serializer=JSONSerializer,
        default_timeout=app.config["JOB_TIMEOUT"],
    )


def enqueue(job_name: str, /, **kwargs) -> str | None:
    """Run the job ``job_name`` with ``kwargs`` for the current app, in the background.

    With ``REDIS_URL``: put it on the RQ queue (retried when it fails or its worker dies)
    and return the RQ job id. Without: run it now, in this process; a failure is logged,
    not raised, exactly as a failing background job would be.
    """
    job_function(job_name)
    app = current_app._get_current_object()
    if redis_connection(app) is None:
        try:
            run_job(app, job_name, kwargs)
        except Exception:  # noqa: BLE001 - a background job's failure is logged, not raised
            log.exception("Job %s failed", job_name, extra={"job": job_name})
        return None
    job = rq_queue(app).enqueue_call(
        "core.jobs.worker.perform",
        args=(job_name, kwargs),
        retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        description=job_name,
    )
    return job.id


def run_job(app: Flask, job_name: str, kwargs: dict, run_id: str | None = None) -> str:
    """Run a job here and now in an app context whose log lines carry ``run_id``; if it
    committed queued mail, ask for a delivery run. Exceptions propagate."""
    function = job_function(job_name)
    with app.app_context():
        g.request_id = run_id or uuid.uuid4().hex
        started = time.perf_counter()
        summary = function(app, **kwargs)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        log.info(
            "Job %s: %s", job_name, summary, extra={"job": job_name, "duration_ms": duration_ms}
        )
        if g.pop(MAIL_COMMITTED, False):
            enqueue("deliver_mail")
    return summary


def init_app(app: Flask) -> None:
    """After a web request whose transaction queued mail, trigger a delivery run."""
    if not event.contains(Session, "after_commit", _note_committed_mail):
        event.listen(Session, "after_commit", _note_committed_mail)
        event.listen(Session, "after_rollback", _forget_queued_mail)

    @app.teardown_request
    def _deliver_committed_mail(_exc) -> None:
        if g.pop(MAIL_COMMITTED, False):
            try:
                enqueue("deliver_mail")
            except Exception:  # noqa: BLE001 - the scheduled sweep sends it a little later
                log.exception("Could not trigger mail delivery")


def _note_committed_mail(session: Session) -> None:
    if session.info.pop(MAIL_QUEUED, False) and has_app_context():
        setattr(g, MAIL_COMMITTED, True)


def _forget_queued_mail(session: Session) -> None:
    session.info.pop(MAIL_QUEUED, None)
