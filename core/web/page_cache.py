"""The page cache: a page that nothing changed since it was rendered is served again.

A view opts in with :func:`cached_page`. The page is kept, in this process, under what
decides its content: the path with its query string, the browser's cookies (so the same
session, never another person's), the language asked for, the host, the day, and the
:mod:`data version <core.web.data_version>` it was read at. A later request with the same
key gets the kept page as long as the version is still the same: any committed write,
in any process, makes every kept page stale at once. So a page is never older than the
last write, and at most :data:`MAX_AGE` seconds old (times shown "now", CSRF tokens).

The lookup runs before anything else reads the database: a hit costs one small query
(the version, outside any transaction) and no template. It is safe to answer before the
access check: the kept page was rendered for this very session after that check passed,
and whatever could change the outcome of the check (a role, a password, a blocked
account) is a write.

Only a complete, ordinary answer is kept: 200, no cookie set (a flash message shown, a
new session), no ``Cache-Control: no-store``. A browser asking ``Cache-Control:
no-cache`` (a hard reload) gets a freshly rendered page.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import Flask, Response, current_app, g, request, request_finished

from core.database import database
from core.logging import REQUEST_ID_HEADER
from core.web.data_version import committed_version, track_writes

#: Seconds a kept page may be served while nothing was written.
MAX_AGE = 120
#: Bytes of pages kept per process; the least recently used go first.
MAX_BYTES = 32 * 1024 * 1024
#: The header that tells whether an answer came from the cache ("hit") or not ("miss").
CACHE_HEADER = "X-Page-Cache"
#: Headers of the rendered answer that belong to that one answer, not to the page.
NOT_KEPT = {"set-cookie", "content-length", REQUEST_ID_HEADER.lower(), CACHE_HEADER.lower()}
#: What else of the request decides a page, besides its path and query string.
KEY_HEADERS = ("Cookie", "Host", "X-Forwarded-Host", "X-Forwarded-Proto")


def cached_page(view: Callable) -> Callable:
    """Mark a GET view whose page may be kept (see the module's text)."""
    view.cached_page = True
    return view


@dataclass(frozen=True)
class KeptPage:
    version: int
    stored_at: float
    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """Pages of one app in one process, least recently used first. Safe for the threads of
    the development server (gunicorn's workers have one each)."""

    def __init__(self, max_age: float = MAX_AGE, max_bytes: int = MAX_BYTES):
        self.max_age, self.max_bytes = max_age, max_bytes
        self.pages: OrderedDict[bytes, KeptPage] = OrderedDict()
        self.size = 0
        self._lock = threading.Lock()

    def get(self, key: bytes, version: int, now: float) -> KeptPage | None:
        with self._lock:
            page = self.pages.get(key)
            if page is None:
                return None
            if page.version != version or now - page.stored_at > self.max_age:
                self._drop(key)
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key: bytes, page: KeptPage) -> None:
        if len(page.body) > self.max_bytes:
            return
        with self._lock:
            if key in self.pages:
                self._drop(key)
            self.pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self.pages)))

    def _drop(self, key: bytes) -> None:
        self.size -= len(self.pages.pop(key).body)


def request_key() -> bytes:
    """What decides the page of this request (see the module's text)."""
    parts = [request.full_path, date.today().isoformat()]
    parts += [request.headers.get(name, "") for name in KEY_HEADERS]
    return hashlib.sha256("\0".join(parts).encode()).digest()


def _cache() -> PageCache:
    return current_app.extensions["stagebank.page_cache"]


def _wants_fresh() -> bool:
    return "no-cache" in request.headers.get("Cache-Control", "").lower()


def serve_kept_page() -> Response | None:
    """``before_request``: the kept page of this request, when there is a current one."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method != "GET" or not getattr(view, "cached_page", False):
        return None
    key, version = request_key(), committed_version(database())
    if version is None:  # rendered as if there were no cache; the view reports the error
        return None
    page = None if _wants_fresh() else _cache().get(key, version, time.monotonic())
    if page is None:
        g.page_cache = (key, version)  # rendered below, then kept by keep_page
        return None
    response = Response(page.body, headers=list(page.headers))
    response.headers[CACHE_HEADER] = "hit"
    return response


def keep_page(_app: Flask, response: Response, **_extra) -> None:
    """``request_finished``: keep the rendered page of a :func:`cached_page` view (its
    cookies are set by now, so an answer that changes the session is recognised)."""
    pending = g.pop("page_cache", None)
    if pending is None:
        return
    cache_control = response.headers.get("Cache-Control", "").lower()
    if (
        response.status_code != 200
        or response.is_streamed
        or "Set-Cookie" in response.headers
        or "no-store" in cache_control
    ):
        return
    key, version = pending
    headers = tuple((n, v) for n, v in response.headers.items() if n.lower() not in NOT_KEPT)
    _cache().put(key, KeptPage(version, time.monotonic(), response.get_data(), headers))


def _mark_miss(response: Response) -> Response:
    if "page_cache" in g:
        response.headers[CACHE_HEADER] = "miss"
    return response


def init_app(app: Flask) -> None:
    """Count writes on the app's database and look up kept pages first thing, before the
    access check loads the person (the request log, set up after this, goes before it)."""
    track_writes(database(app).engine, database(app).sessionmaker)
    app.extensions["stagebank.page_cache"] = PageCache()
    app.before_request_funcs.setdefault(None, []).insert(0, serve_kept_page)
    app.after_request(_mark_miss)
    request_finished.connect(keep_page, app)
