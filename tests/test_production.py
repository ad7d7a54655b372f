"""Production on PostgreSQL: two app servers (`stagebank serve --production`) and a worker
(`stagebank worker`) as real processes, Redis, and a local SMTP server.

Proves: accepts sent at the same moment to both servers never overbook; every notification
reaches the SMTP server exactly once; a worker killed (SIGKILL) while sending loses nothing,
and the message goes out once after a restart (the kill falls before the server accepted
the message; see ``core.mail.services`` for the one window where a resend is possible); a
server stopped in the middle of a request finishes it (SIGTERM) or leaves nothing of it
(SIGKILL), and loses no committed data either way.

Needs PostgreSQL and Redis on 127.0.0.1 (CI has both); never skips.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from core import schema
from core.app import create_app
from core.database import database
from core.mail.models import MailStatus, OutboxMessage
from core.offers.models import Offer
from core.placements.models import PlacementRequest, RequestEvent, RequestStatus
from core.setup import prepare_database
from tests.redis_support import own_redis_database
from tests.test_mail import Recorder, SmtpServer, free_port
from tests.world import PASSWORD, build_world, submit_for_offer

BIN = Path(sys.executable).parent
# Its own database, also when two test runs share the machine.
SCRATCH_DATABASE = f"stagebank_production_test_{os.getpid()}"
PLACES = 3
ATTEMPTS = 8
SMTP_TIMEOUT = 2
MAIL_LEASE = 5 * SMTP_TIMEOUT  # the least the configuration allows
S = RequestStatus


# ----------------------------------------------------------------------------- helpers


def wait_for(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class HoldingRecorder(Recorder):
    """Records accepted mail; when armed, keeps the next transaction waiting at RCPT (before
    any message is accepted) until released or the client goes away."""

    def __init__(self):
        super().__init__()
        self.armed = False
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.armed:
            self.armed = False
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class Browser:
    """A few HTTP calls with one session cookie (stdlib only, no redirects followed)."""

    def __init__(self):
        self.cookie = None

    def call(self, port: int, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";")[0]
        return response, content

    def csrf(self, port: int, path: str) -> str:
        _, content = self.call(port, "GET", path)
        return html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', content)[1])

    def sign_in(self, port: int, email: str) -> None:
        form = {"csrf_token": self.csrf(port, "/aanmelden"), "email": email, "password": PASSWORD}
        response, _ = self.call(port, "POST", "/aanmelden", form)
        assert response.status == 302, "the login failed"


def descendants(pid: int) -> list[int]:
    """The processes below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Processes:
    """The subprocesses of one test, each in its own process group, all killed at the end."""

    def __init__(self, directory: Path, env: dict):
        self.directory, self.env, self.running = directory, env, {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.directory / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [str(BIN / "stagebank"), *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log
        self.running[name] = process
        return process

    def stop(self, name: str) -> None:
        """SIGKILL to the process and everything it started (RQ's work horse runs in a
        session of its own), as when the machine or container dies."""
        process = self.running.pop(name)
        for pid in [process.pid, *descendants(process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=20)
        process.log.close()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def log_of(self, name: str) -> str:
        return (self.directory / f"{name}.log").read_text(errors="replace")


def serve(processes: Processes, name: str, port: int) -> None:
    processes.start(name, "serve", "--production", "--port", str(port), "--workers", "2")


def wait_ready(processes: Processes, name: str, port: int) -> None:
    def ready():
        if processes.running[name].poll() is not None:
            raise AssertionError(f"{name} stopped:\n{processes.log_of(name)[-3000:]}")
        try:
            response, content = Browser().call(port, "GET", "/readyz")
        except OSError:
            return False
        return response.status == 200 and json.loads(content)["redis"] == "ok"

    wait_for(ready, 30, f"{name} to be ready", interval=0.2)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def scratch_database():
    """An empty PostgreSQL database of its own (the shared test database is reset by the
    suite); dropped afterwards."""
    requested = os.environ.get("STAGEBANK_TEST_DATABASE_URL", "")
    if requested and make_url(requested).get_backend_name() == "postgresql":
        server = make_url(requested)
    else:
        server = make_url("postgresql+psycopg://postgres@127.0.0.1/postgres")
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)"))

    drop()
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {SCRATCH_DATABASE}"))
    try:
        yield server.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


@pytest.fixture
def redis_url():
    with own_redis_database() as url:
        yield url


# -------------------------------------------------------------------------------- test


def test_two_servers_and_a_worker_lose_nothing_and_overbook_nothing(
    scratch_database, redis_url, instance_path, tmp_path
):
    app = create_app({"DATABASE_URL": scratch_database})
    schema.upgrade(app)
    prepare_database(app)
    db = database(app).sessionmaker()
    world = build_world(db)
    world.offers["a"].places = PLACES
    db.commit()
    request_ids = submit_for_offer(app, db, world, ATTEMPTS)
    school_email = world.users["school_coordinator_a"].email

    smtp = SmtpServer()
    smtp.recorder = recorder = HoldingRecorder()
    env = {key: value for key, value in os.environ.items() if not key.startswith("STAGEBANK_")}
    env.update(
        STAGEBANK_INSTANCE_PATH=str(tmp_path / "instance"),
        STAGEBANK_DATABASE_URL=scratch_database,
        STAGEBANK_REDIS_URL=redis_url,
        STAGEBANK_SMTP_URL=smtp.url,
        STAGEBANK_SMTP_TIMEOUT=str(SMTP_TIMEOUT),
        STAGEBANK_MAIL_LEASE=str(MAIL_LEASE),
        STAGEBANK_SECRET_KEY="one key for every app server",
        STAGEBANK_LOG_FORMAT="json",
        STAGEBANK_WEB_TIMEOUT="10",
    )
    processes = Processes(tmp_path, env)
    ports = {"server_a": free_port(), "server_b": free_port()}

    def outbox() -> list[OutboxMessage]:
        db.rollback()
        return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    def all_mail_sent() -> bool:
        rows = outbox()
        sent = all(row.status is MailStatus.SENT for row in rows)
        return sent and len(smtp.envelopes) >= len(rows)

    def status_of(request_id: int) -> RequestStatus:
        db.rollback()
        return db.get(PlacementRequest, request_id, populate_existing=True).status

    try:
        smtp.start()
        for name, port in ports.items():
            serve(processes, name, port)
        processes.start("worker", "worker")
        for name, port in ports.items():
            wait_ready(processes, name, port)

        # The worker's first delivery run sends the notifications of the submitted requests.
        wait_for(all_mail_sent, 20, "the submitted requests' mail")

        # Sign in once over HTTP; the session cookie works on both servers (one secret key).
        browser = Browser()
        browser.sign_in(ports["server_a"], school_email)
        token = browser.csrf(ports["server_b"], f"/aanvragen/{request_ids[0]}")

        # Eight accepts at once, alternately to the two servers.
        barrier = threading.Barrier(ATTEMPTS)
        answers: list[int] = []

        def accept(port: int, request_id: int) -> None:
            form = {"csrf_token": token, "status": "accepted", "reason": ""}
            barrier.wait(timeout=20)
            response, _ = browser.call(port, "POST", f"/aanvragen/{request_id}/status", form)
            answers.append(response.status)

        threads = [
            threading.Thread(target=accept, args=(list(ports.values())[number % 2], request_id))
            for number, request_id in enumerate(request_ids)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=40)
        assert answers == [302] * ATTEMPTS  # each one answered, none failed
        accepted = [rid for rid in request_ids if status_of(rid) is S.ACCEPTED]
        assert len(accepted) == PLACES
        offer = db.get(Offer, world.offers["a"].id, populate_existing=True)
        assert offer.accepted_count == PLACES
        still_submitted = [rid for rid in request_ids if rid not in accepted]

        # Each request starts afresh: nobody else's sign-in is left in a server process.
        for port in [*ports.values()] * 3:
            assert Browser().call(port, "GET", "/account")[0].status == 302

        # Each acceptance told the programme, once, by the worker (the servers sent nothing).
        wait_for(all_mail_sent, 20, "the acceptances' mail")
        assert len(outbox()) == ATTEMPTS + PLACES

        # A worker killed while it sends loses nothing; after a restart the mail goes once.
        def decline(port: int, request_id: int):
            form = {"csrf_token": token, "status": "declined", "reason": "Geen mentor vrij"}
            return browser.call(port, "POST", f"/aanvragen/{request_id}/status", form)[0]

        recorder.armed = True
        assert decline(ports["server_a"], still_submitted[0]).status == 302
        assert recorder.holding.wait(timeout=20), "the worker never reached the mail server"
        processes.stop("worker")  # SIGKILL to its process group: the worker and its horse
        [in_flight] = [row for row in outbox() if row.status is MailStatus.SENDING]
        assert in_flight.attempts == 1
        recorder.released.set()
        received_before = len(smtp.envelopes)
        lease_end = in_flight.next_attempt_at.timestamp()
        wait_for(lambda: time.time() > lease_end, MAIL_LEASE + 5, "the end of the lease")
        processes.start("worker", "worker")
        wait_for(all_mail_sent, 20, "the mail of the killed worker")
        assert len(smtp.envelopes) == received_before + 1
        assert db.get(OutboxMessage, in_flight.id, populate_existing=True).attempts == 2

        # A server stopped (SIGTERM) in the middle of a request finishes it first.
        locker = database(app).engine.connect()

        def hold_row(request_id: int):
            locker.execute(
                select(PlacementRequest.id)
                .where(PlacementRequest.id == request_id)
                .with_for_update()
            )

        def waiting_on_lock() -> bool:
            with database(app).engine.connect() as connection:
                return bool(
                    connection.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                            "AND wait_event_type = 'Lock'"
                        ),
                        {"name": SCRATCH_DATABASE},
                    )
                )

        outcomes: list = []

        def decline_in_background(request_id: int) -> threading.Thread:
            def run():
                try:
                    outcomes.append(decline(ports["server_a"], request_id).status)
                except OSError as error:
                    outcomes.append(error)

            thread = threading.Thread(target=run)
            thread.start()
            return thread

        finishing = still_submitted[1]
        hold_row(finishing)
        thread = decline_in_background(finishing)
        wait_for(waiting_on_lock, 15, "the request to wait for the row")
        server_a = processes.running["server_a"]
        os.kill(server_a.pid, signal.SIGTERM)  # gunicorn's graceful stop
        wait_for(lambda: "Worker exiting" in processes.log_of("server_a"), 15, "the stop")
        locker.rollback()
        thread.join(timeout=20)
        assert outcomes == [302]
        server_a.wait(timeout=20)
        processes.stop("server_a")
        assert status_of(finishing) is S.DECLINED

        # A server killed (SIGKILL) in the middle of a request leaves nothing of it behind.
        serve(processes, "server_a", ports["server_a"])
        wait_ready(processes, "server_a", ports["server_a"])
        killed = still_submitted[2]
        events_before = db.scalar(select(func.count()).select_from(RequestEvent))
        mails_before = len(outbox())
        hold_row(killed)
        thread = decline_in_background(killed)
        wait_for(waiting_on_lock, 15, "the request to wait for the row")
        processes.stop("server_a")
        locker.rollback()
        locker.close()
        thread.join(timeout=20)
        assert isinstance(outcomes[-1], OSError)  # the answer never came
        wait_for(lambda: not waiting_on_lock(), 15, "the dead request's transaction to end")
        assert status_of(killed) is S.SUBMITTED
        assert db.scalar(select(func.count()).select_from(RequestEvent)) == events_before
        assert len(outbox()) == mails_before

        # Restarted, the server has every committed change and takes the request again.
        serve(processes, "server_a", ports["server_a"])
        wait_ready(processes, "server_a", ports["server_a"])
        assert decline(ports["server_a"], killed).status == 302
        assert [status_of(rid) for rid in (finishing, killed)] == [S.DECLINED, S.DECLINED]
        assert sorted(rid for rid in request_ids if status_of(rid) is S.ACCEPTED) == accepted

        # Every notification reached the mail server exactly once.
        wait_for(all_mail_sent, 20, "the declines' mail")
        rows = outbox()
        assert len(rows) == ATTEMPTS + PLACES + 3
        sent = Counter(
            (envelope.rcpt_tos[0], message_from_bytes(envelope.content, policy=default)["Subject"])
            for envelope in smtp.envelopes
        )
        assert sent == Counter((row.to_address, row.subject) for row in rows)
        assert set(sent.values()) == {1}

        # The servers log JSON lines with the request id they answered with.
        lines = [
            json.loads(line)
            for line in processes.log_of("server_b").splitlines()
            if line.startswith("{")
        ]
        answered = [line for line in lines if line.get("path", "").endswith("/status")]
        assert answered and all(line["request_id"] and line["status"] == 302 for line in answered)
        assert {"timestamp", "level", "message", "method", "duration_ms"} <= set(answered[0])
    finally:
        processes.stop_all()
        smtp.stop()
        db.close()
        database(app).engine.dispose()
