"""Background jobs: the schedule, the queue with and without Redis, the mail trigger after a
commit, the worker; and what production adds around requests: ids and JSON logs, health
and readiness, the proxy's headers, gunicorn's settings."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from redis import Redis
from sqlalchemy import select

from core.access.routes import Access, access
from core.bridges.models import BridgeRun, RunStatus
from core.config import ConfigError, load_config
from core.jobs import tasks
from core.jobs.queue import enqueue, rq_queue, run_job
from core.jobs.schedule import (
    SCHEDULE,
    DailyAt,
    Every,
    FileScheduleState,
    RedisScheduleState,
    start_due,
)
from core.logging import JsonFormatter, TextFormatter
from core.mail.models import MailStatus, OutboxMessage
from core.mail.services import queue_mail
from core.placements.models import RequestStatus
from core.plugins import hookimpl
from core.plugins.types import BridgeSpec
from core.server import gunicorn_options
from tests.redis_support import own_redis_database
from tests.test_requests import answer, client_for, submitted_request

NOON = datetime(2027, 3, 15, 11, 0, tzinfo=UTC)  # 12:00 in Brussels


@pytest.fixture
def redis_url():
    with own_redis_database() as url:
        yield url


@pytest.fixture
def own_instance(app, tmp_path):
    """The app keeps its schedule file in ``tmp_path`` during this test."""
    app.instance_path = str(tmp_path)
    return tmp_path


def outbox(db) -> list[OutboxMessage]:
    db.rollback()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# ---------------------------------------------------------------------------- schedule


def test_slots_follow_the_clock_in_belgium_also_across_summer_time():
    minute = Every(60)
    assert minute.slot(NOON) == minute.slot(NOON + timedelta(seconds=59))
    assert minute.slot(NOON) != minute.slot(NOON + timedelta(seconds=60))
    seven = DailyAt(time(7, 0))
    assert seven.slot(NOON) == "2027-03-15"
    assert seven.slot(datetime(2027, 3, 15, 5, 59, tzinfo=UTC)) == "2027-03-14"  # 06:59 CET
    assert seven.slot(datetime(2027, 3, 15, 6, 0, tzinfo=UTC)) == "2027-03-15"  # 07:00 CET
    # Summer time starts on 28 March 2027: 07:00 in Brussels is then 05:00 UTC.
    assert seven.slot(datetime(2027, 3, 28, 5, 0, tzinfo=UTC)) == "2027-03-28"
    assert str(seven) == "daily at 07:00 Europe/Brussels"
    assert set(SCHEDULE) <= set(tasks.JOBS)


def test_each_slot_starts_once_and_a_failed_job_is_tried_again(app, own_instance):
    started: list[str] = []

    def start(name):
        started.append(name)
        if name == "send_digests":
            raise RuntimeError("mail server on fire")

    outcomes = start_due(app, start, now=NOON)
    assert list(outcomes) == list(SCHEDULE)
    assert isinstance(outcomes["send_digests"], RuntimeError)
    assert start_due(app, started.append, now=NOON) == {"send_digests": None}
    assert start_due(app, started.append, now=NOON) == {}
    later = start_due(app, started.append, now=NOON + timedelta(minutes=1))
    assert list(later) == ["deliver_mail"]
    next_day = start_due(app, started.append, now=NOON + timedelta(days=1))
    assert set(next_day) == set(SCHEDULE)
    assert json.loads((own_instance / "jobs-schedule.json").read_text())["deliver_mail"]["slot"]


@pytest.mark.parametrize("store", ["file", "redis"])
def test_claims_are_atomic_between_processes(store, tmp_path, redis_url):
    state = (
        FileScheduleState(tmp_path / "jobs-schedule.json")
        if store == "file"
        else RedisScheduleState(Redis.from_url(redis_url))
    )
    barrier, results = threading.Barrier(8), []

    def claim():
        barrier.wait(timeout=10)
        results.append(state.claim("expire_requests", "2027-03-15", NOON))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results) == [False] * 7 + [True]
    assert state.last_runs() == {"expire_requests": NOON.isoformat()}
    state.release("expire_requests")
    assert state.claim("expire_requests", "2027-03-15", NOON)


def test_run_due_from_cron_runs_the_due_jobs_here_and_is_idempotent(app, db, own_instance):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "run-due"])
    assert first.exit_code == 0, first.output
    assert "expire_requests: 0 request(s) expired." in first.output
    assert "deliver_mail: Mail: 0 sent, 0 retried, 0 failed." in first.output
    assert "send_digests: Digests: 0 queued" in first.output
    assert "sync_bridges: Bridge syncs started: none." in first.output
    second = runner.invoke(args=["jobs", "run-due"]).output
    assert "expire_requests" not in second  # only the minute's mail sweep can be due again
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "send_digests" in listing and "daily at 07:00" in listing
    assert "last started: never" not in listing


# ------------------------------------------------------------------------------- queue


def test_without_redis_a_job_runs_at_once_in_this_process(app, db, tmp_path):
    app.config.update(MAIL_OUTBOX=str(tmp_path / "outbox"))
    queue_mail(db, "mentor@school.example.org", "Welkom", "Hallo", kind="test")
    db.commit()
    with app.app_context():
        assert enqueue("deliver_mail") is None
    assert [row.status for row in outbox(db)] == [MailStatus.SENT]
    assert len(list((tmp_path / "outbox").iterdir())) == 1


def test_a_status_change_has_its_mail_delivered_after_the_request(app, db, world, tmp_path):
    app.config.update(MAIL_OUTBOX=str(tmp_path / "outbox"))
    created = submitted_request(app, db, world)
    assert {row.status for row in outbox(db)} == {MailStatus.QUEUED}  # not through the web
    school = client_for(app, world, "school_coordinator_a")
    assert answer(school, created.id, "accepted").status_code == 302
    rows = outbox(db)
    assert {row.status for row in rows} == {MailStatus.SENT}
    assert len(list((tmp_path / "outbox").iterdir())) == len(rows)


def test_with_redis_the_commit_enqueues_delivery_and_the_worker_sends(
    app, db, world, redis_url, tmp_path
):
    app.config.update(REDIS_URL=redis_url, MAIL_OUTBOX=str(tmp_path / "outbox"))
    created = submitted_request(app, db, world)
    school = client_for(app, world, "school_coordinator_a")
    assert answer(school, created.id, "accepted").status_code == 302
    assert {row.status for row in outbox(db)} == {MailStatus.QUEUED}  # the request sent none
    [job] = rq_queue(app).get_jobs()
    assert (job.description, job.args) == ("deliver_mail", ["deliver_mail", {}])

    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert {row.status for row in outbox(db)} == {MailStatus.SENT}
    assert rq_queue(app).count == 0
    slots = Redis.from_url(redis_url).hgetall(RedisScheduleState.SLOTS)
    assert set(slots) == {name.encode() for name in SCHEDULE}  # it started the due jobs
    db.rollback()
    assert db.get(type(created), created.id).status is RequestStatus.ACCEPTED


class EmptyBridge:
    """A bridge plugin whose other side has nothing (and takes everything)."""

    complete_kinds = ()

    @hookimpl
    def stagebank_bridges(self):
        return [BridgeSpec("leeg", "Leeg", connect=lambda _settings: self)]

    def pull(self):
        return []

    def push(self, change):
        pass


def test_the_bridges_that_can_connect_are_synced_each_as_a_job(app, make_app, db):
    bridged = make_app(PLUGIN_OBJECTS={"leeg": EmptyBridge()})
    summary = run_job(bridged, "sync_bridges", {})
    assert summary == "Bridge syncs started: leeg."  # not the unconfigured Sint-Goriks one
    db.rollback()
    [run] = db.scalars(select(BridgeRun)).all()
    assert (run.bridge, run.source, run.status) == ("leeg", "job", RunStatus.SUCCEEDED)


def test_the_worker_needs_redis_and_says_so(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 1
    assert "The worker needs STAGEBANK_REDIS_URL" in result.output


def test_an_unknown_job_is_refused(app):
    with app.app_context(), pytest.raises(KeyError):
        enqueue("mine_bitcoin")


# ------------------------------------------------------------------- requests and logs


def test_every_answer_carries_a_request_id_taken_or_made(client):
    assert client.get("/", headers={"X-Request-ID": "lb-42.7"}).headers["X-Request-ID"] == (
        "lb-42.7"
    )
    made = client.get("/", headers={"X-Request-ID": "no spaces <here>"}).headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    assert client.get("/bestaat-niet").headers["X-Request-ID"]


def test_request_lines_are_json_with_the_request_fields(client, caplog):
    with caplog.at_level(logging.INFO, logger="stagebank.request"):
        client.get("/aanbod", headers={"X-Request-ID": "abc-123"})
    [record] = [r for r in caplog.records if r.name == "stagebank.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc-123"
    assert (line["level"], line["method"], line["path"], line["status"]) == (
        "INFO",
        "GET",
        "/aanbod",
        200,
    )
    assert line["duration_ms"] >= 0
    assert line["message"].startswith("GET /aanbod 200")
    assert datetime.fromisoformat(line["timestamp"]).tzinfo is not None
    assert "[abc-123]" in TextFormatter().format(record)


def test_logs_are_json_in_production_and_text_in_development(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEBANK_SECRET_KEY", "x")
    assert load_config(tmp_path)["LOG_FORMAT"] == "text"
    monkeypatch.setenv("STAGEBANK_LOG_FORMAT", "json")
    assert load_config(tmp_path)["LOG_FORMAT"] == "json"
    monkeypatch.delenv("STAGEBANK_LOG_FORMAT")
    monkeypatch.setenv("STAGEBANK_ENV", "production")
    assert load_config(tmp_path)["LOG_FORMAT"] == "json"


# --------------------------------------------------------------------- health and proxy


def test_readiness_names_what_is_not_ready(app, make_app, redis_url):
    client = app.test_client()
    assert client.get("/readyz").json == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
    }
    app.config["REDIS_URL"] = redis_url
    assert client.get("/readyz").json["redis"] == "ok"
    down = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/readyz")
    assert down.status_code == 503
    assert down.json == {"status": "unavailable", "database": "ok", "redis": "unreachable"}
    assert down.headers["X-Request-ID"]


def test_behind_a_proxy_the_client_address_comes_from_its_headers(make_app):
    def whoami():
        from flask import request

        return {"address": request.remote_addr, "scheme": request.scheme}

    for count, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        server = make_app(PROXY_COUNT=count)
        server.add_url_rule("/_whoami", view_func=access(Access.PUBLIC)(whoami))
        answer_ = server.test_client().get(
            "/_whoami",
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert answer_.json["address"] == expected
        assert answer_.json["scheme"] == ("https" if count else "http")


# ------------------------------------------------------------------ production settings


def test_gunicorn_gets_workers_timeouts_and_the_address(app):
    app.config.update(WEB_WORKERS=5, WEB_TIMEOUT=45, LOG_LEVEL="INFO")
    options = gunicorn_options(app, "0.0.0.0", 8000)
    assert (options["bind"], options["workers"], options["timeout"]) == ("0.0.0.0:8000", 5, 45)
    assert options["graceful_timeout"] == 45 and options["accesslog"] is None
    assert gunicorn_options(app, "::1", 8000, workers=2)["bind"] == "[::1]:8000"
    assert gunicorn_options(app, "::1", 8000, workers=2)["workers"] == 2


def test_production_settings_are_checked_in_one_sentence(tmp_path, monkeypatch):
    config = load_config(tmp_path)
    assert 3 <= config["WEB_WORKERS"] <= 8
    assert (config["JOB_TIMEOUT"], config["MAIL_LEASE"], config["PROXY_COUNT"]) == (600, 900, 0)
    for name, value, says in (
        ("WEB_WORKERS", "many", "STAGEBANK_WEB_WORKERS must be a positive number of processes"),
        ("JOB_TIMEOUT", "0", "STAGEBANK_JOB_TIMEOUT must be a positive number of seconds"),
        ("MAIL_LEASE", "20", "STAGEBANK_MAIL_LEASE must be at least 5 times"),
        ("PROXY_COUNT", "-1", "STAGEBANK_PROXY_COUNT must be a whole number"),
        ("LOG_FORMAT", "xml", "STAGEBANK_LOG_FORMAT must be json or text"),
    ):
        monkeypatch.setenv(f"STAGEBANK_{name}", value)
        with pytest.raises(ConfigError, match=says):
            load_config(tmp_path)
        monkeypatch.delenv(f"STAGEBANK_{name}")
