"""Configuration from ``STAGEBANK_*`` environment variables, with safe development defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BUILTIN_PLUGINS = ("secondary", "primary", "philosophy_subjects", "sintgorik_bridge")
ENVIRONMENTS = ("development", "production", "testing")


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


def _smtp_timeout() -> float:
    raw = _env("SMTP_TIMEOUT", "10")
    try:
        timeout = float(raw)
    except ValueError:
        timeout = 0
    if not timeout > 0:
        raise ConfigError(f"STAGEBANK_SMTP_TIMEOUT must be a number of seconds, not {raw!r}.")
    return timeout


def load_config(instance_path: Path) -> dict:
    """Read the environment into a Flask config mapping."""
    environment = _env("ENV", "development")
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"STAGEBANK_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}."
        )
    instance_path.mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite:///{instance_path / 'stagebank.sqlite3'}"
    return {
        "STAGEBANK_ENV": environment,
        "DATABASE_URL": _env("DATABASE_URL", default_db),
        "SECRET_KEY": _secret_key(instance_path, environment),
        "PLUGINS": plugin_allow_list(os.environ.get("STAGEBANK_PLUGINS")),
        "MAIL_OUTBOX": str(instance_path / "outbox"),
        # Links in mail sent by scheduled jobs, outside any web request.
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_FROM": _env("MAIL_FROM", "Stagebank <no-reply@stagebank.invalid>"),
        "SMTP_URL": _smtp_url(),
        "SMTP_TIMEOUT": _smtp_timeout(),
        # Requests per API token, in the notation of flask-limiter ("300 per minute").
        "API_RATE_LIMIT": _env("API_RATE_LIMIT", "300 per minute"),
        # Shared rate-limit counters for several workers (unset: each process counts alone).
        "REDIS_URL": _env("REDIS_URL"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "LANGUAGES": ("nl", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment == "production",
    }
