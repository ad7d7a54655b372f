"""Queue mail in the caller's transaction; deliver it later, safely, with retries.

``queue_mail`` only adds a row (the caller commits, so a rolled-back change sends no mail).
``deliver_pending`` is what ``stagebank mail send`` and a scheduled worker call. Each
message is *claimed* before it is sent: one UPDATE that moves it from ``queued`` to
``sending`` and pushes ``next_attempt_at`` forward by a lease, committed before anything
is sent. Only the worker whose UPDATE changed the row sends it, so workers running at the
same time never send a message twice. A worker that dies while sending leaves the row in
``sending``; it becomes due again when the lease ends (``MAIL_LEASE``, and that attempt
counts). So every message is sent at least once, and exactly once unless a worker dies
between the mail server's acceptance and the commit that records it (then it is sent again,
with the same Message-ID). ``queue_mail`` marks its session (``MAIL_QUEUED`` in
``session.info``), so whoever commits can ask for a delivery run right away.
A failed send puts the message back to ``queued`` with an exponential backoff; after
``MAX_ATTEMPTS`` attempts it is ``failed``. Rows are never deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.database import database, utcnow
from core.mail.models import MailStatus, OutboxMessage
from core.mail.transports import (
    DEFAULT_MAIL_FROM,
    Transport,
    TransportUnavailable,
    build_message,
    describe_error,
    transport_for,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
SENDING_LEASE = timedelta(minutes=15)  # default of MAIL_LEASE: far longer than a send
#: ``session.info`` key set by ``queue_mail``: this transaction queued mail.
MAIL_QUEUED = "stagebank.mail_queued"


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_pending`` run did."""

    sent: int = 0
    retried: int = 0  # failed this time, queued again with a backoff
    failed: int = 0  # failed for the last time (MAX_ATTEMPTS reached)


def queue_mail(
    session: Session,
    to: str,
    subject: str,
    body_text: str,
    kind: str,
    dedup_key: str | None = None,
    body_html: str | None = None,
) -> OutboxMessage | None:
    """Queue a mail in the session's transaction; never commits.

    ``kind`` says what the mail is (``"password_reset"``, ``"request_submitted"``).
    ``dedup_key`` names the logical notification (``"request:42:accepted:user:7"``): when a
    message with that key exists already (whatever its status) nothing is queued and the
    result is ``None``. The check is an ``INSERT ... ON CONFLICT DO NOTHING``, so it also
    holds between concurrent transactions.
    """
    to = to.strip()
    if "@" not in parseaddr(to)[1] or _multiline(to):
        raise ValueError(f"Not a mail address: {to!r}")
    if _multiline(subject):
        raise ValueError("A mail subject is one line.")
    if not kind:
        raise ValueError("A mail needs a kind.")
    now = utcnow()
    statement = (
        _dialect_insert(session)(OutboxMessage)
        .values(
            to_address=to,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            kind=kind,
            dedup_key=dedup_key,
            status=MailStatus.QUEUED,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[OutboxMessage.dedup_key])
        .returning(OutboxMessage)
    )
    queued = session.scalars(statement).one_or_none()
    if queued is not None:
        session.info[MAIL_QUEUED] = True
    return queued


def deliver_pending(app: Flask, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` due messages through the app's transport; commits per message.

    Needs no app or request context. When the mail server cannot be reached, the run stops
    after the first message (which is retried later); the others are not touched.
    """
    sender = app.config.get("MAIL_FROM") or DEFAULT_MAIL_FROM
    transport = transport_for(app.config)
    lease = timedelta(seconds=app.config.get("MAIL_LEASE") or SENDING_LEASE.total_seconds())
    counts = {"sent": 0, "retried": 0, "failed": 0}
    try:
        with database(app).sessionmaker() as session:
            due = list(
                session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status.in_((MailStatus.QUEUED, MailStatus.SENDING)),
                        OutboxMessage.next_attempt_at <= utcnow(),
                    )
                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                    .limit(limit)
                )
            )
            session.commit()
            for message_id in due:
                outcome, stop = _deliver_one(session, transport, sender, message_id, lease)
                if outcome:
                    counts[outcome] += 1
                if stop:
                    break
    finally:
        transport.close()
    return DeliveryReport(**counts)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 5, 10, 20 ... minutes, at most 6 h."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _deliver_one(
    session: Session, transport: Transport, sender: str, message_id: int, lease: timedelta
) -> tuple[str | None, bool]:
    """Claim, send and record one message: (``"sent"``/``"retried"``/``"failed"`` or
    ``None`` when another worker has it, whether to stop the run)."""
    now = utcnow()
    claimed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status.in_((MailStatus.QUEUED, MailStatus.SENDING)),
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            status=MailStatus.SENDING,
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now + lease,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if claimed != 1:
        return None, False
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    session.commit()
    name = f"{message.created_at:%Y%m%dT%H%M%SZ}-{message.id:08d}"
    try:
        transport.send(build_message(message, sender), name)
    except TransportUnavailable as error:
        return _record_failure(session, message, error), True
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        return _record_failure(session, message, error), False
    _finish(session, message, status=MailStatus.SENT, sent_at=utcnow())
    return "sent", False


def _record_failure(session: Session, message: OutboxMessage, error: Exception) -> str:
    reason = describe_error(error)
    if message.attempts >= MAX_ATTEMPTS:
        log.error("Mail %s to %s failed for good: %s", message.id, message.to_address, reason)
        _finish(session, message, status=MailStatus.FAILED, last_error=reason)
        return "failed"
    log.warning("Mail %s to %s will be retried: %s", message.id, message.to_address, reason)
    _finish(
        session,
        message,
        status=MailStatus.QUEUED,
        last_error=reason,
        next_attempt_at=utcnow() + backoff(message.attempts),
    )
    return "retried"


def _finish(session: Session, message: OutboxMessage, **values) -> None:
    """Record the outcome of this worker's claim (and only of that claim)."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status == MailStatus.SENDING,
            OutboxMessage.attempts == message.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _dialect_insert(session: Session):
    dialect = session.get_bind(mapper=OutboxMessage.__mapper__).dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Stagebank runs on SQLite and PostgreSQL
        raise NotImplementedError(f"queue_mail does not support {dialect}.")
    return insert


def _multiline(value: str) -> bool:
    return "\r" in value or "\n" in value
