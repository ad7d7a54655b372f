"""When the scheduled jobs run: the one table of them (``SCHEDULE``), and who ran what last.

Time is cut into *slots* (a minute, a day in Belgium); a job is due when its current slot
has not been claimed yet. A claim is atomic, in Redis when ``REDIS_URL`` is set (so any
number of workers and cron runs together start each slot once) and otherwise in
``jobs-schedule.json`` in the instance folder under a file lock (one machine). A slot
missed while nothing ran is caught up at the next check; jobs are idempotent.
"""

from __future__ import annotations

import fcntl
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Protocol

from flask import Flask

from core.database import utcnow
from core.jobs.queue import redis_connection
from core.notifications.services import TIMEZONE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Every:
    """Every ``seconds``, in slots counted from the epoch, so every process agrees."""

    seconds: int

    def slot(self, now: datetime) -> str:
        return str(int(now.timestamp()) // self.seconds)

    def __str__(self) -> str:
        return f"every {self.seconds} s"


@dataclass(frozen=True)
class DailyAt:
    """Once a day, from ``at`` o'clock in Belgium on (later when nothing ran then)."""

    at: time

    def slot(self, now: datetime) -> str:
        local = now.astimezone(TIMEZONE)
        day = local.date() if local.time() >= self.at else local.date() - timedelta(days=1)
        return day.isoformat()

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M} Europe/Brussels"


#: Every scheduled job and when it runs; the job names are those of ``tasks.JOBS``.
SCHEDULE: dict[str, Every | DailyAt] = {
    # A sweep behind the delivery triggered after each commit: retries after a backoff,
    # mail left by a crashed worker once its lease ends, mail queued by other jobs.
    "deliver_mail": Every(60),
    # Answer deadlines are dates: expire just after midnight.
    "expire_requests": DailyAt(time(0, 15)),
    "notify_upcoming": DailyAt(time(6, 0)),
    # Before the working day, after the reminders (which may add to the digest).
    "send_digests": DailyAt(time(7, 0)),
    # Each bridge whose settings let it connect (a run still going blocks the next one).
    "sync_bridges": Every(3600),
}


class ScheduleState(Protocol):
    def claim(self, name: str, slot: str, now: datetime) -> bool:
        """Record that ``name`` runs for ``slot``; False when that slot was claimed before."""

    def release(self, name: str) -> None:
        """Forget the last claim of ``name`` (its run failed), so the next check retries."""

    def last_runs(self) -> dict[str, str]:
        """When each job was last claimed (ISO 8601)."""


class RedisScheduleState:
    """Claims in two Redis hashes, compared and set in one Lua script (atomic)."""

    SLOTS = "stagebank:jobs:slots"
    LAST_RUNS = "stagebank:jobs:last_runs"
    CLAIM = """
    if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 0 end
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
    return 1
    """

    def __init__(self, connection):
        self.connection = connection
        self._claim = connection.register_script(self.CLAIM)

    def claim(self, name: str, slot: str, now: datetime) -> bool:
        keys = [self.SLOTS, self.LAST_RUNS]
        return bool(self._claim(keys=keys, args=[name, slot, now.isoformat()]))

    def release(self, name: str) -> None:
        self.connection.hdel(self.SLOTS, name)

    def last_runs(self) -> dict[str, str]:
        raw = self.connection.hgetall(self.LAST_RUNS)
        return {key.decode(): value.decode() for key, value in raw.items()}


class FileScheduleState:
    """Claims in a JSON file, read and written under an exclusive lock."""

    def __init__(self, path: Path):
        self.path = path

    def _update(self, change: Callable[[dict], bool]) -> bool:
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = json.loads(self.path.read_text()) if self.path.exists() else {}
            changed = change(state)
            if changed:
                temporary = self.path.with_suffix(".tmp")
                temporary.write_text(json.dumps(state, indent=1, sort_keys=True))
                temporary.replace(self.path)
            return changed

    def claim(self, name: str, slot: str, now: datetime) -> bool:
        def take(state: dict) -> bool:
            if state.get(name, {}).get("slot") == slot:
                return False
            state[name] = {"slot": slot, "at": now.isoformat()}
            return True

        return self._update(take)

    def release(self, name: str) -> None:
        self._update(lambda state: state.get(name, {}).pop("slot", None) is not None)

    def last_runs(self) -> dict[str, str]:
        state = json.loads(self.path.read_text()) if self.path.exists() else {}
        return {name: entry["at"] for name, entry in state.items()}


def schedule_state(app: Flask) -> ScheduleState:
    connection = redis_connection(app)
    if connection is not None:
        return RedisScheduleState(connection)
    return FileScheduleState(Path(app.instance_path) / "jobs-schedule.json")


def start_due(
    app: Flask, start: Callable[[str], object], now: datetime | None = None
) -> dict[str, Exception | None]:
    """Claim each scheduled job whose slot is due and ``start`` it (run or enqueue it).

    Returns the jobs started, each with the exception it raised or None; a job that raised
    is released, so the next check tries it again.
    """
    state, now = schedule_state(app), now or utcnow()
    started: dict[str, Exception | None] = {}
    for name, timing in SCHEDULE.items():
        if not state.claim(name, timing.slot(now), now):
            continue
        try:
            start(name)
            started[name] = None
        except Exception as error:  # noqa: BLE001 - reported to the caller, retried next time
            log.exception("Scheduled job %s failed", name, extra={"job": name})
            state.release(name)
            started[name] = error
    return started
