"""How a mail leaves Stagebank: ``.eml`` files in the instance folder, or SMTP.

Without ``STAGEBANK_SMTP_URL`` every message is written as an RFC 5322 ``.eml`` file into
the outbox folder of the instance (``MAIL_OUTBOX``), which is what development, demos and
tests want. With it, messages go through :mod:`smtplib`:

- ``smtp://user:password@host:port`` plain SMTP (default port 25),
- ``smtp+starttls://...`` SMTP upgraded with STARTTLS (default port 587),
- ``smtps://...`` SMTP over TLS (default port 465).

User and password are optional and percent-decoded. A transport raises
:class:`TransportUnavailable` when it cannot reach or log in to the server (the rest of the
batch would fail the same way) and any other exception when one message fails.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from core.config import ConfigError

if TYPE_CHECKING:
    from core.mail.models import OutboxMessage

DEFAULT_MAIL_FROM = "Stagebank <no-reply@stagebank.invalid>"
DEFAULT_SMTP_TIMEOUT = 10.0
SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


class TransportUnavailable(Exception):
    """The mail server cannot be reached or refuses the login; try again later."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read ``STAGEBANK_SMTP_URL``; a URL that cannot work raises :class:`ConfigError`."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    problem = port = None
    if scheme not in SCHEMES:
        problem = f"the unknown scheme {scheme or '(none)'!r}"
    elif not parts.hostname:
        problem = "no host"
    else:
        try:
            port = parts.port
        except ValueError:
            problem = "an invalid port"
    if problem:
        raise ConfigError(
            f"STAGEBANK_SMTP_URL must look like smtp://user:password@host:port "
            f"(or smtp+starttls://, smtps://); this one has {problem}."
        )
    security, default_port = SCHEMES[scheme]
    return SmtpSettings(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def build_message(outbox: OutboxMessage, sender: str) -> EmailMessage:
    """The RFC 5322 message for an outbox row: UTF-8 text, optionally an HTML alternative.

    The Message-ID is derived from the row, so a message that is sent again after a crash
    carries the same Message-ID.
    """
    domain = parseaddr(sender)[1].rpartition("@")[2] or "stagebank.invalid"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outbox.to_address
    message["Subject"] = outbox.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<outbox.{outbox.id}.{int(outbox.created_at.timestamp())}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(outbox.body_text, charset="utf-8", cte="quoted-printable")
    if outbox.body_html:
        message.add_alternative(
            outbox.body_html, subtype="html", charset="utf-8", cte="quoted-printable"
        )
    return message


class Transport(Protocol):
    def send(self, message: EmailMessage, name: str) -> None:
        """Deliver one message; ``name`` is a stable, file-safe name for it."""

    def close(self) -> None:
        """Release connections; the transport is not used afterwards."""


class FileTransport:
    """Writes every message as ``<name>.eml`` into a folder (created when missing)."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def send(self, message: EmailMessage, name: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Write then rename, so nobody reads half a file and a resend replaces the first.
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(message.as_bytes())
            os.replace(temporary, self.directory / f"{name}.eml")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        pass


class SmtpTransport:
    """Sends through one SMTP connection, opened on first use and reopened after an error."""

    def __init__(self, settings: SmtpSettings, timeout: float = DEFAULT_SMTP_TIMEOUT):
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        try:
            if settings.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    settings.host,
                    settings.port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=self.timeout)
            try:
                if settings.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
            except BaseException:
                smtp.close()
                raise
        except OSError as error:  # smtplib.SMTPException is an OSError
            raise TransportUnavailable(
                f"{settings.host}:{settings.port}: {describe_error(error)}"
            ) from error
        return smtp

    def send(self, message: EmailMessage, name: str) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def transport_for(config: Mapping) -> Transport:
    """The transport an app's configuration asks for."""
    url = config.get("SMTP_URL")
    if url:
        timeout = config.get("SMTP_TIMEOUT") or DEFAULT_SMTP_TIMEOUT
        return SmtpTransport(parse_smtp_url(url), timeout=float(timeout))
    return FileTransport(config["MAIL_OUTBOX"])


def describe_error(error: BaseException) -> str:
    """One line for ``last_error``: the exception's type and message."""
    text = " ".join(str(error).split()) or "(no message)"
    return f"{type(error).__name__}: {text}"[:1000]
