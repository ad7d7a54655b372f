"""Configuration from ``STAGEBANK_*`` environment variables, with safe development defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BUILTIN_PLUGINS = ("secondary", "primary", "philosophy_subjects", "sintgorik_bridge")
ENVIRONMENTS = ("development", "production", "testing")
LOG_FORMATS = ("json", "text")
MAX_DEFAULT_WEB_WORKERS = 8
# One send is a connect and a few SMTP commands, each waiting at most the SMTP timeout.
LEASE_PER_SMTP_TIMEOUT = 5


class ConfigError(Exception):
    """The configuration cannot work; the message is one sentence for the operator."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"STAGEBANK_{name}")
    return value if value not in (None, "") else default


def _secret_key(instance_path: Path, environment: str) -> str:
    """Return the configured key, or one generated once and kept in the instance folder."""
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    if environment == "production":
        raise ConfigError("STAGEBANK_SECRET_KEY must be set when STAGEBANK_ENV is production.")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def plugin_allow_list(raw: str | None) -> tuple[str, ...]:
    """Parse ``STAGEBANK_PLUGINS`` (comma-separated); unset means the built-in plugins."""
    if raw is None:
        return BUILTIN_PLUGINS
    return tuple(name.strip() for name in raw.split(",") if name.strip())


def _smtp_url() -> str | None:
    """``STAGEBANK_SMTP_URL``, checked at start (unset: mail goes to .eml files)."""
    url = _env("SMTP_URL")
    if url:
        from core.mail.transports import parse_smtp_url

        parse_smtp_url(url)  # raises ConfigError
    return url


def _positive(name: str, default: float, kind: type = float, what: str = "seconds"):
    """``STAGEBANK_<name>`` as a positive number (``kind`` is ``float`` or ``int``)."""
    raw = _env(name, str(default))
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not value > 0:
        raise ConfigError(f"STAGEBANK_{name} must be a positive number of {what}, not {raw!r}.")
    return value


def default_web_workers() -> int:
    """Gunicorn's rule of thumb, 2 × cores + 1, capped so that a big machine does not open
    more database connections than PostgreSQL's default allows for two app servers."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, MAX_DEFAULT_WEB_WORKERS)


def _proxy_count() -> int:
    raw = _env("PROXY_COUNT", "0")
    if not raw.isdigit():
        raise ConfigError(f"STAGEBANK_PROXY_COUNT must be a whole number, not {raw!r}.")
    return int(raw)


def _log_level() -> str:
    level = (_env("LOG_LEVEL", "INFO") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(
            f"STAGEBANK_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}."
        )
    return level


def _log_format(environment: str) -> str:
    default = "json" if environment == "production" else "text"
    value = (_env("LOG_FORMAT", default) or default).lower()
    if value not in LOG_FORMATS:
        raise ConfigError(f"STAGEBANK_LOG_FORMAT must be json or text, not {value!r}.")
    return value


def _mail_lease(smtp_timeout: float) -> float:
    """Seconds a claimed message stays reserved for the worker sending it."""
    lease = _positive("MAIL_LEASE", 900)
    if lease < LEASE_PER_SMTP_TIMEOUT * smtp_timeout:
        raise ConfigError(
            f"STAGEBANK_MAIL_LEASE must be at least {LEASE_PER_SMTP_TIMEOUT} times "
            "STAGEBANK_SMTP_TIMEOUT, so that a slow send is never taken over by another worker."
        )
    return lease


def load_config(instance_path: Path) -> dict:
    """Read the environment into a Flask config mapping."""
    environment = _env("ENV", "development")
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"STAGEBANK_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}."
        )
    instance_path.mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite:///{instance_path / 'stagebank.sqlite3'}"
    smtp_timeout = _positive("SMTP_TIMEOUT", 10)
    return {
        "STAGEBANK_ENV": environment,
        "DATABASE_URL": _env("DATABASE_URL", default_db),
        "SECRET_KEY": _secret_key(instance_path, environment),
        "PLUGINS": plugin_allow_list(os.environ.get("STAGEBANK_PLUGINS")),
        "MAIL_OUTBOX": str(instance_path / "outbox"),
        # Uploads are refused above this size before they are read whole (413).
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        # Links in mail sent by scheduled jobs, outside any web request.
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_FROM": _env("MAIL_FROM", "Stagebank <no-reply@stagebank.invalid>"),
        "SMTP_URL": _smtp_url(),
        "SMTP_TIMEOUT": smtp_timeout,
        "MAIL_LEASE": _mail_lease(smtp_timeout),
        # Requests per API token, in the notation of flask-limiter ("300 per minute").
        "API_RATE_LIMIT": _env("API_RATE_LIMIT", "300 per minute"),
        # The job queue and the API's rate-limit counters, shared by every process (unset:
        # background jobs run in the process that asks for them, counters per process).
        "REDIS_URL": _env("REDIS_URL"),
        "JOB_TIMEOUT": _positive("JOB_TIMEOUT", 600, int),
        # `stagebank serve --production`: gunicorn worker processes and request timeout.
        "WEB_WORKERS": _positive("WEB_WORKERS", default_web_workers(), int, "processes"),
        "WEB_TIMEOUT": _positive("WEB_TIMEOUT", 30, int),
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": _proxy_count(),
        "LOG_FORMAT": _log_format(environment),
        "LOG_LEVEL": _log_level(),
        "BABEL_DEFAULT_LOCALE": "nl",
        # Times on pages and in exports are shown as they are in Flanders (stored in UTC).
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "LANGUAGES": ("nl", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment == "production",
    }
