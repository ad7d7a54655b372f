"""A stand-in for the Sint-Goriks system: a real HTTP server on loopback that serves the
exchange format (version 1) from lists held in memory and takes status changes by POST.

Used by the tests (``tests/test_sintgorik.py``) and by the benchmark (``bench/``); it
speaks only to ``127.0.0.1``.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from plugins.sintgorik_bridge.schemas import StatusChangeSchema


class SintGorik:
    """The other side: schools, offers and requests as JSON, status changes by POST.

    Every call must carry ``Authorization: Bearer <token>``. The attributes ``fail``,
    ``raw``, ``delay`` and ``refuse_posts`` make it misbehave on purpose.
    """

    def __init__(self, token: str):
        self.token = token
        self.items = {"schools": [], "offers": [], "requests": []}
        self.received: list[dict] = []
        self.hits: list[str] = []
        #: path -> HTTP statuses to answer the next requests with (then normal answers).
        self.fail: dict[str, list[int]] = {}
        #: path -> a body to answer instead of the items.
        self.raw: dict[str, bytes] = {}
        self.delay = 0.0
        self.refuse_posts = False
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def request(self, external_id: str) -> dict:
        return next(r for r in self.items["requests"] if r["id"] == external_id)


def _handler(side: SintGorik):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args):
            pass

        def _answer(self, status: int, body) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _refused(self) -> bool:
            with side.lock:
                side.hits.append(f"{self.command} {self.path}")
                failures = side.fail.get(self.path) or side.fail.get("*")
                status = failures.pop(0) if failures else None
            if side.delay:
                time.sleep(side.delay)
            if self.headers.get("Authorization") != f"Bearer {side.token}":
                self._answer(401, {"message": "wrong token"})
                return True
            if status:
                self._answer(status, {"message": "trouble"})
                return True
            return False

        def do_GET(self):
            if self._refused():
                return
            if self.path in side.raw:
                self._answer(200, side.raw[self.path])
                return
            kind = self.path.removeprefix("/v1/")
            if kind not in side.items:
                self._answer(404, {"message": "no such list"})
                return
            self._answer(200, {"version": 1, "items": side.items[kind]})

        def do_POST(self):
            if self._refused():
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            change = StatusChangeSchema().load(body)
            external_id = self.path.split("/")[3]
            if side.refuse_posts:
                self._answer(409, {"message": "status cannot change here"})
                return
            with side.lock:
                if all(r["change_id"] != change["change_id"] for r in side.received):
                    side.received.append({"request": external_id, **body})
                    record = side.request(external_id)
                    record["status"] = change["status"]
                    record["updated_at"] = datetime.now(UTC).isoformat()
            self._answer(202, {"accepted": True})

    return Handler
