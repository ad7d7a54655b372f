"""The mail outbox against a real SMTP server on loopback (aiosmtpd) and real .eml files."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import func, select, update

from core.config import ConfigError, load_config
from core.database import database, utcnow
from core.mail.models import MailStatus, OutboxMessage
from core.mail.services import MAX_ATTEMPTS, DeliveryReport, deliver_pending, queue_mail
from core.mail.transports import parse_smtp_url

SUBJECT = "Je aanvraag werd aanvaard — één stap"
BODY = "Beste Noor,\n\nJe aanvraag bij GO! atheneum Brugge werd aanvaard — één stap verder.\n"
REFUSED = "onbekend@school.example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """aiosmtpd handler: keeps every message it accepts; refuses one recipient."""

    def __init__(self):
        self.envelopes = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped and started on the same port."""

    def __init__(self, **options):
        self.port = free_port()
        self.recorder = Recorder()
        self.options = options
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, **self.options
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self) -> list:
        with self.recorder.lock:
            return list(self.recorder.envelopes)

    @property
    def messages(self) -> list:
        return [message_from_bytes(e.content, policy=default_policy) for e in self.envelopes]


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def _queue(db, n=1, **kwargs):
    for i in range(n):
        queue_mail(
            db,
            kwargs.get("to", f"student{i}@hogeschool.example.org"),
            kwargs.get("subject", f"{SUBJECT} {i}"),
            kwargs.get("body_text", BODY),
            kind=kwargs.get("kind", "request_accepted"),
            dedup_key=kwargs.get("dedup_key"),
            body_html=kwargs.get("body_html"),
        )
    db.commit()


def _rows(db) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _make_due(db) -> None:
    db.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.commit()


def test_queued_mail_reaches_the_smtp_server_in_utf8(app, db, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    message = queue_mail(
        db,
        "noor.peeters@hogeschool.example.org",
        SUBJECT,
        BODY,
        kind="request_accepted",
        body_html="<p>Je aanvraag werd aanvaard — één stap verder.</p>",
    )
    assert message.id and message.status is MailStatus.QUEUED and message.attempts == 0
    db.commit()

    assert deliver_pending(app) == DeliveryReport(sent=1)

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["noor.peeters@hogeschool.example.org"]
    assert envelope.mail_from == "no-reply@stagebank.invalid"
    received = message_from_bytes(envelope.content, policy=default_policy)
    assert received["Subject"] == SUBJECT
    assert received["To"] == "noor.peeters@hogeschool.example.org"
    assert received["From"] == "Stagebank <no-reply@stagebank.invalid>"
    text = received.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == BODY  # SMTP carries CRLF line ends
    assert "één stap" in received.get_body(("html",)).get_content()
    assert received.get_body(("plain",)).get_content_charset() == "utf-8"

    [row] = _rows(db)
    assert row.status is MailStatus.SENT and row.attempts == 1 and row.last_error is None
    assert row.sent_at <= utcnow()
    assert deliver_pending(app) == DeliveryReport()
    assert len(smtp_server.envelopes) == 1


def test_without_smtp_the_file_transport_writes_a_parseable_eml(app, db, tmp_path):
    outbox = tmp_path / "outbox"
    app.config.update(SMTP_URL=None, MAIL_OUTBOX=str(outbox), MAIL_FROM="Stagebank <mail@x.be>")
    _queue(db, to="mentor@school.example.org", subject=SUBJECT, kind="password_reset")

    assert deliver_pending(app) == DeliveryReport(sent=1)

    [eml] = list(outbox.iterdir())
    assert eml.suffix == ".eml"
    parsed = message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert parsed["Subject"] == SUBJECT
    assert parsed["To"] == "mentor@school.example.org"
    assert parsed["From"] == "Stagebank <mail@x.be>"
    assert parsed["Message-ID"].endswith("@x.be>")
    assert parsed["Date"]
    assert parsed.get_content() == BODY
    assert not parsed.defects
    assert _rows(db)[0].status is MailStatus.SENT


def test_a_dedup_key_is_queued_only_once(app, db):
    key = "request:42:accepted:user:7"
    first = queue_mail(db, "a@school.example.org", SUBJECT, BODY, "request_accepted", key)
    assert first is not None
    assert queue_mail(db, "a@school.example.org", SUBJECT, BODY, "request_accepted", key) is None
    db.commit()
    assert queue_mail(db, "b@school.example.org", "Ander", BODY, "request_accepted", key) is None
    assert queue_mail(db, "a@school.example.org", SUBJECT, BODY, "request_accepted") is not None
    assert queue_mail(db, "a@school.example.org", SUBJECT, BODY, "request_accepted") is not None
    db.commit()
    rows = _rows(db)
    assert [row.dedup_key for row in rows] == [key, None, None]
    assert rows[0].to_address == "a@school.example.org"


def test_a_dedup_key_holds_between_concurrent_transactions(app, db):
    key = "request:42:submitted:user:9"
    assert queue_mail(db, "a@school.example.org", SUBJECT, BODY, "x", key) is not None
    results, started = [], threading.Event()

    def other_transaction():
        with database(app).sessionmaker() as other:
            started.set()  # the insert below waits until the first transaction ends
            results.append(queue_mail(other, "b@school.example.org", SUBJECT, BODY, "x", key))
            other.commit()

    thread = threading.Thread(target=other_transaction)
    thread.start()
    started.wait(timeout=5)
    thread.join(timeout=0.2)
    db.commit()
    thread.join(timeout=10)
    assert results == [None]
    assert [row.to_address for row in _rows(db)] == ["a@school.example.org"]


def test_queue_mail_never_commits_and_a_rollback_queues_nothing(app, db, tmp_path):
    app.config.update(SMTP_URL=None, MAIL_OUTBOX=str(tmp_path / "outbox"))
    queue_mail(db, "a@school.example.org", SUBJECT, BODY, "request_submitted", "request:1")
    with database(app).sessionmaker() as other:
        assert other.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    db.rollback()

    assert _rows(db) == []
    assert deliver_pending(app) == DeliveryReport()
    assert not (tmp_path / "outbox").exists()
    # The key of a rolled-back message is free again.
    assert queue_mail(db, "a@school.example.org", SUBJECT, BODY, "x", "request:1") is not None


def test_queue_mail_refuses_header_injection(app, db):
    with pytest.raises(ValueError):
        queue_mail(db, "a@school.example.org\nBcc: x@y.z", SUBJECT, BODY, "x")
    with pytest.raises(ValueError):
        queue_mail(db, "geen adres", SUBJECT, BODY, "x")
    with pytest.raises(ValueError):
        queue_mail(db, "a@school.example.org", "Onderwerp\r\nBcc: x@y.z", BODY, "x")


def test_a_server_that_is_down_loses_nothing_and_gets_the_mail_exactly_once_later(app, db):
    server = SmtpServer()  # not started: nothing listens on its port
    app.config["SMTP_URL"] = server.url
    _queue(db)

    assert deliver_pending(app) == DeliveryReport(retried=1)
    [row] = _rows(db)
    assert row.status is MailStatus.QUEUED
    assert row.attempts == 1
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert row.sent_at is None

    server.start()
    try:
        assert deliver_pending(app) == DeliveryReport()  # not due yet
        assert server.envelopes == []
        _make_due(db)
        assert deliver_pending(app) == DeliveryReport(sent=1)
        _make_due(db)
        assert deliver_pending(app) == DeliveryReport()
    finally:
        server.stop()
    assert [m["Subject"] for m in server.messages] == [f"{SUBJECT} 0"]
    [row] = _rows(db)
    assert row.status is MailStatus.SENT and row.attempts == 2


def test_an_unreachable_server_stops_the_run_after_one_message(app, db):
    app.config["SMTP_URL"] = SmtpServer().url
    _queue(db, n=3)
    assert deliver_pending(app) == DeliveryReport(retried=1)
    assert [row.attempts for row in _rows(db)] == [1, 0, 0]


def test_a_message_left_sending_by_a_dead_worker_is_sent_when_its_lease_ends(app, db, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    _queue(db, n=2)
    lease_end = utcnow() + timedelta(minutes=10)
    db.execute(update(OutboxMessage).values(status=MailStatus.SENDING, attempts=1))
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == _rows(db)[1].id)
        .values(next_attempt_at=lease_end)
    )
    db.commit()

    assert deliver_pending(app) == DeliveryReport(sent=1)
    first, second = _rows(db)
    assert (first.status, first.attempts) == (MailStatus.SENT, 2)
    assert (second.status, second.attempts) == (MailStatus.SENDING, 1)
    assert len(smtp_server.envelopes) == 1


def test_after_the_last_attempt_the_message_is_failed(app, db):
    app.config["SMTP_URL"] = SmtpServer().url
    _queue(db)
    db.execute(update(OutboxMessage).values(attempts=MAX_ATTEMPTS - 1))
    db.commit()

    assert deliver_pending(app) == DeliveryReport(failed=1)
    [row] = _rows(db)
    assert row.status is MailStatus.FAILED and row.attempts == MAX_ATTEMPTS
    assert row.last_error
    _make_due(db)
    assert deliver_pending(app) == DeliveryReport()


def test_two_workers_in_parallel_send_every_message_exactly_once(app, db, make_app, smtp_server):
    _queue(db, n=40)
    workers = [make_app(SMTP_URL=smtp_server.url) for _ in range(2)]
    start = threading.Barrier(len(workers))
    reports, errors = [], []

    def work(worker):
        try:
            start.wait(timeout=5)
            reports.append(deliver_pending(worker))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sum(report.sent for report in reports) == 40
    assert sum(report.retried + report.failed for report in reports) == 0
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects == sorted(f"{SUBJECT} {i}" for i in range(40))
    assert {row.status for row in _rows(db)} == {MailStatus.SENT}
    assert {row.attempts for row in _rows(db)} == {1}


def test_smtp_login_uses_the_credentials_of_the_url(app, db):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"ge:heim/@", handled=False)

    server = SmtpServer(authenticator=authenticator, auth_require_tls=False)
    server.start()
    try:
        good = f"smtp://stage%40bank:ge%3Aheim%2F%40@127.0.0.1:{server.port}"
        app.config["SMTP_URL"] = good.replace("heim", "fout")
        _queue(db, n=2)
        assert deliver_pending(app) == DeliveryReport(retried=1)  # login refused: stop
        assert "535" in _rows(db)[0].last_error
        app.config["SMTP_URL"] = good
        _make_due(db)
        assert deliver_pending(app) == DeliveryReport(sent=2)
    finally:
        server.stop()
    assert logins[-1] == (b"stage@bank", b"ge:heim/@")
    assert len(server.envelopes) == 2


def test_mail_send_command_prints_the_counts(app, db, cli, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    _queue(db, n=2)
    _queue(db, to=REFUSED, subject="Wordt opnieuw geprobeerd")
    _queue(db, to=REFUSED, subject="Laatste poging", dedup_key="last")
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.dedup_key == "last")
        .values(attempts=MAX_ATTEMPTS - 1)
    )
    db.commit()

    result = cli.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert result.output == "Mail: 2 sent, 1 retried, 1 failed.\n"
    retried = [row for row in _rows(db) if row.subject == "Wordt opnieuw geprobeerd"][0]
    assert "550" in retried.last_error and retried.status is MailStatus.QUEUED
    assert cli.invoke(args=["mail", "send"]).output == "Mail: 0 sent, 0 retried, 0 failed.\n"


def test_smtp_urls_are_parsed_and_bad_ones_stop_the_start(tmp_path, monkeypatch):
    plain = parse_smtp_url("smtp://mail.example.org")
    assert (plain.host, plain.port, plain.security, plain.username) == (
        "mail.example.org",
        25,
        "plain",
        None,
    )
    starttls = parse_smtp_url("smtp+starttls://u%40x:p%25w@mail.example.org")
    assert (starttls.port, starttls.security, starttls.username, starttls.password) == (
        587,
        "starttls",
        "u@x",
        "p%w",
    )
    assert "p%w" not in repr(starttls)
    tls = parse_smtp_url("smtps://mail.example.org:2465")
    assert (tls.port, tls.security) == (2465, "tls")

    monkeypatch.setenv("STAGEBANK_SMTP_URL", "http://mail.example.org")
    with pytest.raises(ConfigError, match="STAGEBANK_SMTP_URL must look like"):
        load_config(tmp_path)
    monkeypatch.setenv("STAGEBANK_SMTP_URL", "smtp://mail.example.org:99999")
    with pytest.raises(ConfigError, match="invalid port"):
        load_config(tmp_path)
    monkeypatch.setenv("STAGEBANK_SMTP_URL", "smtps://u:p@mail.example.org")
    monkeypatch.setenv("STAGEBANK_SMTP_TIMEOUT", "2.5")
    config = load_config(tmp_path)
    assert (config["SMTP_URL"], config["SMTP_TIMEOUT"]) == ("smtps://u:p@mail.example.org", 2.5)
    assert config["MAIL_FROM"] == "Stagebank <no-reply@stagebank.invalid>"
    monkeypatch.setenv("STAGEBANK_SMTP_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="STAGEBANK_SMTP_TIMEOUT"):
        load_config(tmp_path)
