"""The printed table and ``bench/results.json``: machine, date, commit, settings, and the
figures per database per operation."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"

#: (heading, key in a row of results.json, format) of every column of the table.
COLUMNS = (
    ("operation", "operation", "{}"),
    ("database", "database", "{}"),
    ("n", "n", "{}"),
    ("p50 ms", "p50_ms", "{:.1f}"),
    ("p95 ms", "p95_ms", "{:.1f}"),
    ("server p95 ms", "server_p95_ms", "{:.1f}"),
    ("req/s", "throughput_per_s", "{:.1f}"),
    ("tput / hello", "hello_throughput_ratio", "{:.2f}"),
    ("p50 / hello", "hello_latency_ratio", "{:.1f}"),
    ("/ raw SQL", "raw_sql_ratio", "{:.1f}"),
    ("target", "target_text", "{}"),
    ("met", "met", "{}"),
)


def _cell(value, pattern: str) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return pattern.format(value)


def format_table(rows: list[dict], markdown: bool = False) -> str:
    """The rows of results.json as an aligned text table, or as a Markdown table."""
    headings = [heading for heading, _key, _pattern in COLUMNS]
    cells = [[_cell(row.get(key), pattern) for _h, key, pattern in COLUMNS] for row in rows]
    if markdown:
        lines = [headings, ["---"] * len(headings), *cells]
        return "\n".join("| " + " | ".join(line) + " |" for line in lines)
    widths = [max(len(line[i]) for line in [headings, *cells]) for i in range(len(headings))]
    numeric = [i >= 2 for i in range(len(headings))]

    def render(line: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if right and cell != "-" else cell.ljust(width)
            for cell, width, right in zip(line, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(headings), rule, *map(render, cells)])


def git_commit() -> str | None:
    """The checked-out commit, when this is a git working copy."""
    try:
        answer = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return answer.stdout.strip() or None


def machine() -> dict:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or None,
    )
    memory = next(
        (
            int(line.split()[1]) // 1024
            for line in _read("/proc/meminfo").splitlines()
            if line.startswith("MemTotal:")
        ),
        None,
    )
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_mb": memory,
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def write_results(path: Path, settings: dict, databases: dict[str, dict]) -> None:
    """Write one run: ``databases`` maps a database name to its setup and its rows."""
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "settings": settings,
        "databases": databases,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def rows_of(document: dict) -> list[dict]:
    """Every row of a results document, database after database."""
    return [row for part in document["databases"].values() for row in part["operations"]]
