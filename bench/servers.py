"""The server processes of a run: Stagebank (``stagebank serve --production``) and the
hello-world app, both under gunicorn on a free loopback port, each in its own process
group with its output in a log file; and the app's request log read back.

On PostgreSQL, Stagebank runs as in production: with Redis (its own database, emptied at
start) and one ``stagebank worker`` beside the web server, so mail and other jobs leave the
web requests. On SQLite it runs as a single-machine installation does, without Redis (mail
leaves at the end of the request): SQLite takes one writer at a time, and a worker process
writing beside the web servers makes a request that read first and writes later fail.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
READY_SECONDS = 60
#: At most this long for the worker to finish the jobs it finds at start.
WORKER_SETTLE_SECONDS = 600
STOP_SECONDS = 30
#: The bench's Redis database: tests claim 9-15 (tests/redis_support.py), so not one of those.
REDIS_URL = os.environ.get("STAGEBANK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process_group(process: subprocess.Popen | None) -> None:
    """SIGTERM to the process group of ``process``, SIGKILL when it does not stop in time."""
    if process is None or process.poll() is not None:
        return
    group = os.getpgid(process.pid)
    os.killpg(group, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)


class Server:
    """One server process; ``start`` waits until ``ready_path`` answers 200."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path, port: int):
        self.name, self.command, self.env, self.log, self.port = name, command, env, log, port
        self.process: subprocess.Popen | None = None
        #: Seconds a job worker beside the server took to go idle after the start.
        self.settle_seconds: float | None = None

    def start(self, ready_path: str) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + READY_SECONDS
        while not self._answers(ready_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} did not become ready:\n{tail}")
            time.sleep(0.2)
        return self

    def _answers(self, path: str) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", path)
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop the server (gunicorn lets running requests finish)."""
        stop_process_group(self.process)


class StagebankServer(Server):
    """The web server with its job worker, both on the bench's emptied Redis database."""

    def __init__(self, command: list[str], env: dict, log: Path, port: int):
        env = {**env, "STAGEBANK_REDIS_URL": REDIS_URL}
        super().__init__("stagebank", command, env, log, port)
        self.worker: subprocess.Popen | None = None

    def start(self, ready_path: str) -> Server:
        from redis import Redis

        with contextlib.closing(Redis.from_url(REDIS_URL, socket_connect_timeout=2)) as redis:
            redis.flushdb()
        worker_log = self.log.with_name(f"{self.log.stem}-worker.log")
        worker_log.parent.mkdir(parents=True, exist_ok=True)
        with worker_log.open("wb") as output:
            self.worker = subprocess.Popen(
                [str(BIN / "stagebank"), "worker"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            super().start(ready_path)
            self.settle_seconds = self._wait_until_worker_idle()
            return self
        except Exception:
            self._stop_worker()
            raise

    def _wait_until_worker_idle(self) -> float:
        """Seconds until the worker has done what it found at start (the demo's queued
        mail, the scheduled jobs due now) and has had nothing to do for longer than its
        schedule check: the reads are measured beside an idle worker, as in steady
        production, not beside a backlog that only a freshly loaded demo has."""
        from redis import Redis
        from rq import Queue

        from core.jobs.queue import QUEUE_NAME
        from core.jobs.worker import SCHEDULE_CHECK

        started, idle_since = time.monotonic(), None
        with contextlib.closing(Redis.from_url(REDIS_URL, socket_connect_timeout=2)) as redis:
            queue = Queue(QUEUE_NAME, connection=redis)
            while True:
                now = time.monotonic()
                if queue.count or queue.started_job_registry.count:
                    idle_since = None
                elif idle_since is None:
                    idle_since = now
                elif now - idle_since > SCHEDULE_CHECK + 1:
                    return round(idle_since - started, 1)
                if now - started > WORKER_SETTLE_SECONDS:
                    raise RuntimeError(f"the worker was still busy after {WORKER_SETTLE_SECONDS} s")
                time.sleep(0.5)

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self._stop_worker()

    def _stop_worker(self) -> None:
        """Stop the worker (it finishes its job first)."""
        stop_process_group(self.worker)


def stagebank_server(env: dict, log: Path, workers: int) -> Server:
    port = free_port()
    command = [str(BIN / "stagebank"), "serve", "--production", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    if env["STAGEBANK_DATABASE_URL"].startswith("sqlite"):
        return Server("stagebank", command, env, log, port)
    return StagebankServer(command, env, log, port)


def hello_server(env: dict, log: Path, workers: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.hello", "--port", str(port), "--workers", str(workers)]
    return Server("hello world", command, env, log, port)


def server_durations(log: Path) -> dict[str, float]:
    """``duration_ms`` of every request in the app's JSON log, by request id."""
    durations = {}
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for line in lines:
        if not line.startswith("{"):
            continue
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if "duration_ms" in entry and entry.get("request_id"):
                durations[entry["request_id"]] = float(entry["duration_ms"])
    return durations
