"""``stagebank serve --production``: the app under gunicorn, from Python.

Gunicorn's master process forks ``WEB_WORKERS`` synchronous workers that share the already
built app; the database pool is emptied before the fork and again in each worker, so no
connection is shared between processes. A worker silent for ``WEB_TIMEOUT`` seconds is
replaced; SIGTERM lets running requests finish (up to the same time) before stopping.
"""

from __future__ import annotations

import contextvars
import gc

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from core.database import database

#: A worker is replaced after this many requests (plus jitter), which bounds slow leaks.
MAX_REQUESTS = 2000


class _PropagatingLogger(Logger):
    """Gunicorn's own messages go to the root logger, so they share Stagebank's format."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in list(self.error_log.handlers):
            self.error_log.removeHandler(handler)
        self.error_log.propagate = True


class ProductionServer(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def gunicorn_options(app: Flask, host: str, port: int, workers: int | None = None) -> dict:
    """Gunicorn settings from the app's configuration (``workers`` overrides WEB_WORKERS)."""
    timeout = app.config["WEB_TIMEOUT"]
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or app.config["WEB_WORKERS"],
        "worker_class": "sync",
        "timeout": timeout,
        "graceful_timeout": timeout,
        "keepalive": 5,
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS // 10,
        "accesslog": None,  # Stagebank logs every request itself, with its request id
        "errorlog": "-",
        "loglevel": app.config["LOG_LEVEL"].lower(),
        "logger_class": _PropagatingLogger,
        "proc_name": "stagebank",
        # Gunicorn's control socket has one default path per user: two app servers on one
        # machine would take it from each other.
        "control_socket_disable": True,
        "post_fork": lambda _server, _worker: database(app).dispose(close=False),
    }


def serve_production(app: Flask, host: str, port: int, workers: int | None = None) -> None:
    """Serve until stopped (SIGTERM or SIGINT).

    Gunicorn runs in an empty ``contextvars`` context: the workers it forks must not inherit
    the command's app context, or every request would reuse it, and its ``g`` (the signed-in
    actor, the database session) would pass from one request to the next.
    """
    database(app).dispose()
    server = ProductionServer(app, gunicorn_options(app, host, port, workers))
    # What is built by now (the app, its modules and plugins) lives as long as the server:
    # out of the garbage collector's sight, a full collection in a worker takes a few ms
    # instead of about 100 ms every few hundred requests (the tail of the latencies).
    gc.collect()
    gc.freeze()
    contextvars.Context().run(server.run)
