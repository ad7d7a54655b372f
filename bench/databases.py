"""A fresh database per run, upgraded and filled with the demo at the chosen scale.

SQLite: a file under ``instance/bench/``. PostgreSQL: the database ``stagebank_bench``,
dropped and created again; no other database is ever touched.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL, make_url

from bench.servers import BIN

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance" / "bench"
BENCH_DATABASE = "stagebank_bench"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1/postgres"
SECRET_KEY = "stagebank-bench-only"


def fresh_database(kind: str, postgres_server: str = POSTGRES_SERVER) -> str:
    """The URL of an empty database of ``kind`` (``sqlite`` or ``postgresql``)."""
    if kind == "sqlite":
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path = INSTANCE / "stagebank-bench.sqlite3"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    server = make_url(postgres_server)
    with psycopg.connect(_conninfo(server.set(database="postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    return server.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def _conninfo(url: URL) -> str:
    """A libpq connection string from a SQLAlchemy URL."""
    parts = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value is not None)


def driver_connect(database_url: str):
    """A plain DB-API connection (sqlite3 or psycopg) to the database of ``database_url``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        import sqlite3

        return sqlite3.connect(url.database)
    return psycopg.connect(_conninfo(url))


def environment(database_url: str, instance: Path) -> dict:
    """The environment of every ``stagebank`` process of the run: production settings,
    JSON logs (each request's duration), no API rate limit in the way."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STAGEBANK_")}
    env.update(
        STAGEBANK_ENV="production",
        STAGEBANK_SECRET_KEY=SECRET_KEY,
        STAGEBANK_DATABASE_URL=database_url,
        STAGEBANK_INSTANCE_PATH=str(instance),
        STAGEBANK_LOG_FORMAT="json",
        STAGEBANK_API_RATE_LIMIT="1000000 per minute",
        # A slow bulk upload must be measured, not cut off by the worker timeout.
        STAGEBANK_WEB_TIMEOUT="600",
    )
    return env


def prepare(env: dict, scale: str, log: Path) -> dict[str, float]:
    """``stagebank db upgrade`` and ``stagebank demo --scale``; seconds each took."""
    seconds = {}
    with log.open("ab") as output:
        for name, args in (("upgrade", ["db", "upgrade"]), ("demo", ["demo", "--scale", scale])):
            started = time.perf_counter()
            done = subprocess.run(
                [str(BIN / "stagebank"), *args], env=env, stdout=output, stderr=subprocess.STDOUT
            )
            if done.returncode:
                raise RuntimeError(f"stagebank {' '.join(args)} failed; see {log}")
            seconds[f"{name}_seconds"] = round(time.perf_counter() - started, 1)
    return seconds
