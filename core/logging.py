"""Logs: one line per event, JSON lines in production (or with ``STAGEBANK_LOG_FORMAT=json``),
readable text in development. Every web request gets an id (``X-Request-ID`` from the client
or proxy when it looks like one, otherwise a new one), returned in the response header and
carried by every line logged for that request; background jobs carry their job id."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_app_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_USABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: Extra fields a log call may pass (``extra={...}``) that the JSON lines carry.
FIELDS = ("method", "path", "status", "duration_ms", "job")
#: Probed every few seconds by load balancers: logged at DEBUG only.
QUIET_PATHS = ("/healthz", "/readyz")

log = logging.getLogger("stagebank.request")


class ContextFilter(logging.Filter):
    """Adds ``request_id`` (of the current request or job, else None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_app_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``12:00:01 INFO stagebank.request [3f2a…] GET / 200 (12.5 ms)`` for people."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.context = f" [{request_id[:8]}]" if request_id else ""
        return super().format(record)


def configure_logging(config) -> None:
    """Send every record to stderr in ``LOG_FORMAT`` at ``LOG_LEVEL`` (replacing an earlier
    call's handler); for processes (server, worker, commands), not for tests."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if config["LOG_FORMAT"] == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler.stagebank = True
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "stagebank", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(config["LOG_LEVEL"])


def init_app(app: Flask) -> None:
    """Give each request its id first thing, and log it with its outcome at the end."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)


def _start_request() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _USABLE_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    if "request_id" not in g:  # a request refused before any before_request ran
        _start_request()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    log.log(
        logging.DEBUG if request.path in QUIET_PATHS else logging.INFO,
        "%s %s %s (%s ms)",
        request.method,
        request.path,
        response.status_code,
        duration_ms,
        extra={
            "request_id": g.request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response
