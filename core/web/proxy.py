"""Behind reverse proxies: trust their ``X-Forwarded-*`` headers, and only theirs."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """With ``PROXY_COUNT`` = n > 0, take the client address, scheme, host and port from the
    last n proxies' ``X-Forwarded-For/-Proto/-Host/-Port`` (a client cannot forge them)."""
    count = app.config.get("PROXY_COUNT") or 0
    if count:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )
