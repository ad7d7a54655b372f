"""A Redis database of one's own for a test, on the local server (127.0.0.1:6379).

Several test runs may share the machine (and its Redis): each test claims the first
database from 9 up that no other running test holds, empties it, and empties it again
afterwards."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from redis import Redis

FIRST, LAST = 9, 15  # databases 0-8 are left to anything else on the machine
LOCK = "stagebank-test:claimed"


@contextlib.contextmanager
def own_redis_database() -> Iterator[str]:
    """Yield the URL of a claimed, empty Redis database."""
    for number in range(FIRST, LAST + 1):
        url = f"redis://127.0.0.1:6379/{number}"
        connection = Redis.from_url(url)
        if connection.set(LOCK, os.getpid(), nx=True, ex=900):
            break
        connection.close()
    else:
        raise RuntimeError(f"Redis databases {FIRST}-{LAST} are all claimed by other tests.")
    try:
        _empty_but_claimed(connection)
        yield url
    finally:
        connection.flushdb()
        connection.close()


def _empty_but_claimed(connection: Redis) -> None:
    for key in connection.scan_iter():
        if key != LOCK.encode():
            connection.delete(key)
