"""A small HTTP load generator: a browser-like session (cookie, CSRF token, forms) and
batches of calls sent by a few threads at once, timed per call at the client.

Gunicorn's sync workers close the connection after every answer, for Stagebank and the
hello-world app alike, so every call opens a connection (``http.client`` reconnects).
"""

from __future__ import annotations

import html
import http.client
import re
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

TIMEOUT = 600  # seconds: a bulk upload is one long call
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class BenchFailure(AssertionError):
    """An operation did not do what it should; its figures would be worthless."""


@dataclass(frozen=True)
class Call:
    """One HTTP call and the answer it must get: a status in ``expect`` and, when given, a
    ``Location`` matching ``location`` (a regular expression)."""

    method: str
    path: str
    form: Sequence[tuple[str, str]] | dict | None = None
    body: bytes | None = None
    content_type: str | None = None
    expect: tuple[int, ...] = (200,)
    location: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    text: str


@dataclass(frozen=True)
class Batch:
    """Latencies (ms, in call order) and the wall-clock time of the whole batch."""

    latencies_ms: list[float]
    wall_seconds: float
    request_ids: list[str]


class Browser:
    """One signed-in person: a session cookie that changes only when asked to (sign-in,
    fetching a CSRF token), so concurrent calls all present the same session."""

    def __init__(self, port: int):
        self.port = port
        self.cookie: str | None = None

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)

    def send(
        self,
        connection: http.client.HTTPConnection,
        call: Call,
        request_id: str | None = None,
        keep_cookie: bool = False,
    ) -> Answer:
        """Send ``call`` and check its answer (:class:`BenchFailure` when it is wrong)."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        headers.update(call.headers)
        if request_id:
            headers["X-Request-ID"] = request_id
        body = call.body
        if call.form is not None:
            body = urlencode(call.form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif call.content_type:
            headers["Content-Type"] = call.content_type
        connection.request(call.method, call.path, body, headers)
        response = connection.getresponse()
        answer = Answer(
            response.status,
            response.getheader("Location", ""),
            response.read().decode(errors="replace"),
        )
        if keep_cookie:
            for value in response.headers.get_all("Set-Cookie") or []:
                if value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
        _check(call, answer)
        return answer

    def call(self, call: Call, keep_cookie: bool = False) -> Answer:
        connection = self.connection()
        try:
            return self.send(connection, call, keep_cookie=keep_cookie)
        finally:
            connection.close()

    def get(self, path: str, keep_cookie: bool = False) -> Answer:
        return self.call(Call("GET", path), keep_cookie)

    def csrf(self, path: str) -> str:
        """The CSRF token of the form on ``path`` (the session keeps its secret)."""
        found = CSRF.search(self.get(path, keep_cookie=True).text)
        if found is None:
            raise BenchFailure(f"no CSRF token on {path}")
        return html.unescape(found[1])

    def sign_in(self, email: str, password: str) -> None:
        """Sign in and land on the page the sign-in leads to, as a browser does (which
        shows, and so clears, the welcome message the session carries until then)."""
        form = {"csrf_token": self.csrf("/aanmelden"), "email": email, "password": password}
        answer = self.call(Call("POST", "/aanmelden", form, expect=(302,)), keep_cookie=True)
        landing = urlsplit(answer.location)
        self.get(f"{landing.path}?{landing.query}" if landing.query else landing.path, True)


def _check(call: Call, answer: Answer) -> None:
    wrong = answer.status not in call.expect or (
        call.location is not None and not re.search(call.location, answer.location)
    )
    if wrong:
        raise BenchFailure(
            f"{call.method} {call.path} answered {answer.status} {answer.location}, expected "
            f"{call.expect} {call.location or ''}: {answer.text[:400]!r}"
        )


def run_batch(browser: Browser, calls: Sequence[Call], clients: int, key: str) -> Batch:
    """Send ``calls`` from ``clients`` threads, each taking the next call when it is free;
    every call carries the request id ``<key>.<run>.<number>``. Stops at the first wrong
    answer and raises it."""
    run = uuid.uuid4().hex[:8]
    latencies = [0.0] * len(calls)
    failures: list[BaseException] = []
    lock, position = threading.Lock(), iter(range(len(calls)))

    def work() -> None:
        connection = browser.connection()
        try:
            while not failures:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                started = time.perf_counter()
                browser.send(connection, calls[index], f"{key}.{run}.{index}")
                latencies[index] = (time.perf_counter() - started) * 1000
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(max(1, min(clients, len(calls))))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise failures[0]
    return Batch(latencies, wall, [f"{key}.{run}.{index}" for index in range(len(calls))])


class FormFields(HTMLParser):
    """The fields a browser would submit from the page's form that posts to the page
    itself (no ``action``), with the values the page filled in: ``[(name, value), ...]``."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    @classmethod
    def of(cls, page: str) -> list[tuple[str, str]]:
        parser = cls()
        parser.feed(page)
        return next((fields for action, fields in parser.forms if not action), [])

    @property
    def _fields(self) -> list[tuple[str, str]]:
        return self.forms[-1][1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", []))
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value") or "", "selected" in a))
        elif not self.forms or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "reset", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind == "checkbox" else ""
            self._fields.append((a["name"], a.get("value") or default))
        elif tag == "select":
            self._select, self._options = (a["name"], "multiple" in a), []
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self._fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea, self._text.strip("\n")))
            self._textarea = None


def multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with text fields and one file: ``(body, type)``."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
