"""Percentiles and the figures of one measured operation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0–100) percentile by linear interpolation between the closest ranks
    (NumPy's default); ``nan`` for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float | None, baseline: float | None) -> float | None:
    """``value / baseline``, or None when either is missing or the baseline is zero."""
    if value is None or baseline is None or baseline == 0 or math.isnan(value + baseline):
        return None
    return value / baseline


@dataclass(frozen=True)
class Target:
    """What an operation should reach: a p95 at the server (ms), a share of the hello-world
    throughput, or a longest duration of one run (s); ``None`` where it does not apply."""

    p95_ms: float | None = None
    hello_share: float | None = None
    seconds: float | None = None

    def describe(self) -> str:
        parts = []
        if self.p95_ms is not None:
            parts.append(f"p95<{self.p95_ms:g}ms")
        if self.hello_share is not None:
            parts.append(f"tput>={self.hello_share:.2g}xhello")
        if self.seconds is not None:
            parts.append(f"<{self.seconds:g}s")
        return ", ".join(parts)


@dataclass
class Figures:
    """One operation on one database: client latencies (ms), server durations (ms, from
    the app's request log) and the throughput of the whole batch."""

    operation: str
    database: str
    latencies_ms: list[float]
    wall_seconds: float
    server_ms: list[float] = field(default_factory=list)
    target: Target | None = None
    #: Per-request throughput makes sense for web pages, not for one long run.
    per_request: bool = True
    extra: dict = field(default_factory=dict)
    hello_throughput_ratio: float | None = None
    hello_latency_ratio: float | None = None
    raw_sql_ratio: float | None = None

    @property
    def n(self) -> int:
        return len(self.latencies_ms)

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies_ms, 95)

    @property
    def server_p50_ms(self) -> float | None:
        return percentile(self.server_ms, 50) if self.server_ms else None

    @property
    def server_p95_ms(self) -> float | None:
        return percentile(self.server_ms, 95) if self.server_ms else None

    @property
    def throughput(self) -> float | None:
        if not self.per_request or self.wall_seconds <= 0:
            return None
        return self.n / self.wall_seconds

    def compare(self, hello: Figures | None, raw_sql: Figures | None = None) -> None:
        """Fill in the ratios to the baselines measured in the same run."""
        if hello is not None and self.per_request:
            self.hello_throughput_ratio = ratio(self.throughput, hello.throughput)
            self.hello_latency_ratio = ratio(self.p50_ms, hello.p50_ms)
        if raw_sql is not None:
            self.raw_sql_ratio = ratio(self.server_p50_ms or self.p50_ms, raw_sql.p50_ms)

    def met(self) -> bool | None:
        """Whether the target is reached (None without a target). The p95 is the server's
        when the app logged it, else the client's."""
        if self.target is None:
            return None
        checks = []
        if self.target.p95_ms is not None:
            p95 = self.server_p95_ms if self.server_p95_ms is not None else self.p95_ms
            checks.append(p95 < self.target.p95_ms)
        if self.target.hello_share is not None:
            share = self.hello_throughput_ratio
            checks.append(share is not None and share >= self.target.hello_share)
        if self.target.seconds is not None:
            checks.append(max(self.latencies_ms) / 1000 < self.target.seconds)
        return all(checks)

    def as_dict(self) -> dict:
        """The figures for results.json (rounded; the raw latencies are left out)."""

        def rounded(value, digits=2):
            return None if value is None or math.isnan(value) else round(value, digits)

        return {
            "operation": self.operation,
            "database": self.database,
            "n": self.n,
            "p50_ms": rounded(self.p50_ms),
            "p95_ms": rounded(self.p95_ms),
            "max_ms": rounded(max(self.latencies_ms, default=math.nan)),
            "server_p50_ms": rounded(self.server_p50_ms),
            "server_p95_ms": rounded(self.server_p95_ms),
            "throughput_per_s": rounded(self.throughput, 1),
            "wall_seconds": rounded(self.wall_seconds, 3),
            "hello_throughput_ratio": rounded(self.hello_throughput_ratio, 3),
            "hello_latency_ratio": rounded(self.hello_latency_ratio, 2),
            "raw_sql_ratio": rounded(self.raw_sql_ratio, 2),
            "target": asdict(self.target) if self.target else None,
            "target_text": self.target.describe() if self.target else "",
            "met": self.met(),
            **({"extra": self.extra} if self.extra else {}),
        }
