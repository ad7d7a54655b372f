"""The ceiling of the stack: a bare Flask "hello world" served by gunicorn with the very
settings ``stagebank serve --production`` uses (``core.server.gunicorn_options``), minus
the database hook. ``python -m bench.hello --port P --workers N``."""

from __future__ import annotations

import argparse

from flask import Flask

from core.server import ProductionServer, gunicorn_options


def create_hello(workers: int) -> Flask:
    app = Flask(__name__)
    app.config.update(WEB_WORKERS=workers, WEB_TIMEOUT=30, LOG_LEVEL="WARNING")

    @app.get("/")
    def hello():
        return "Hello, world!"

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    options = parser.parse_args()
    app = create_hello(options.workers)
    settings = gunicorn_options(app, "127.0.0.1", options.port, options.workers)
    settings.pop("post_fork")  # it empties the database pool; this app has none
    settings["proc_name"] = "stagebank-bench-hello"
    ProductionServer(app, settings).run()


if __name__ == "__main__":
    main()
