"""Values computed at most once a minute per process: for what need not be exact to the
second, such as figures for the whole platform (counting all of Flanders on each visit
made pages slow) and reference data the forms offer."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import current_app

from core.database import utcnow

T = TypeVar("T")

#: Seconds a kept value may be reused before it is computed again.
MAX_AGE = 60


def kept(name: str, compute: Callable[[], T], now: float | None = None) -> tuple[T, datetime]:
    """What ``compute()`` returns and when it ran: at most :data:`MAX_AGE` seconds ago, by
    this app in this process (kept in the app's extensions as ``stagebank.<name>``)."""
    now = time.monotonic() if now is None else now
    found = current_app.extensions.get(f"stagebank.{name}")
    if found is None or now - found[0] >= MAX_AGE:
        found = (now, compute(), utcnow())
        current_app.extensions[f"stagebank.{name}"] = found
    return found[1], found[2]
