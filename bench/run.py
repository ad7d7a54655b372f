"""One benchmark run: per database a fresh database with the demo, the production server
and the hello-world app started, every operation measured, the ratios to the baselines,
the table printed and results.json written."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.databases import INSTANCE, POSTGRES_SERVER, environment, fresh_database, prepare
from bench.operations import Bench
from bench.results import RESULTS, format_table, rows_of, write_results
from bench.servers import hello_server, stagebank_server
from core.app import create_app
from core.config import default_web_workers
from core.database import database

ALLOCATION = Path(__file__).with_name("allocation.py")
DATABASES = ("sqlite", "postgresql")
TAG = "bench"


@dataclass(frozen=True)
class Settings:
    databases: tuple[str, ...]
    scale: str
    requests: int
    clients: int
    workers: int
    repeats: int
    quick: bool


@contextlib.contextmanager
def environ(env: dict):
    """This process's environment replaced by ``env`` for a while (the app built here reads
    the same ``STAGEBANK_*`` settings as the server)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_database(kind: str, settings: Settings, postgres_server: str) -> dict:
    """Every measurement on a fresh database of ``kind``; its part of results.json. A
    failure ends the measuring: its message is kept with the figures measured before."""
    url = fresh_database(kind, postgres_server)
    instance = INSTANCE / kind
    instance.mkdir(parents=True, exist_ok=True)
    env = environment(url, instance)
    print(f"== {kind}: upgrade and demo --scale {settings.scale}", flush=True)
    part = {"database_url": make_url(url).render_as_string(hide_password=True)}
    part["setup"] = prepare(env, settings.scale, instance / "prepare.log")
    print(f"   {part['setup']}", flush=True)
    with environ(env):
        app = create_app({"DATABASE_URL": url})
        bench = Bench(
            kind,
            url,
            app,
            stagebank_server(env, instance / "server.log", settings.workers),
            hello_server(env, instance / "hello.log", settings.workers),
            settings.requests,
            settings.clients,
            settings.repeats,
            TAG,
        )
        try:
            measure(bench)
        except Exception as error:  # noqa: BLE001 - reported, and the run exits 1
            traceback.print_exc()
            part["error"] = f"{type(error).__name__}: {error}"
        finally:
            database(app).dispose()
    if bench.stagebank.settle_seconds is not None:
        part["setup"]["worker_settle_seconds"] = bench.stagebank.settle_seconds
    bench.compare()
    part["operations"] = [figures.as_dict() for figures in bench.figures]
    return part


def measure(bench: Bench) -> None:
    """The web operations while both servers run, then the rest in this process."""
    try:
        bench.stagebank.start("/readyz")
        bench.hello.start("/")
        if bench.stagebank.settle_seconds is not None:
            print(f"   worker idle after {bench.stagebank.settle_seconds} s", flush=True)
        print("   servers ready; measuring over HTTP", flush=True)
        bench.hello_world()
        searches = bench.searches()
        bench.dashboards()
        bench.request_page()
        bench.submit_and_accept()
        bench.bulk_upload()
        bench.report()
    finally:
        bench.stagebank.stop()
        bench.hello.stop()
        bench.attach_server_times(bench.stagebank.log)
    print("   raw SQL, allocation, bridge sync, legacy import", flush=True)
    for search, query in searches:
        bench.raw_sql(search, query)
    if ALLOCATION.exists():  # before the imports add their students to the cohort
        bench.allocation(importlib.import_module("bench.allocation").run)
    bench.bridge_sync()
    bench.legacy_import()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database", choices=[*DATABASES, "both"], default="both")
    parser.add_argument("--scale", choices=["flanders", "small"], default="flanders")
    parser.add_argument(
        "--requests", type=int, help="calls per web operation (default 200, --quick 30)"
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for reads")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers of both servers (default: the app's)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer calls, one bulk upload and report"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="results file to write")
    parser.add_argument(
        "--postgres-server", default=POSTGRES_SERVER, help="any database URL on the server"
    )
    parser.add_argument(
        "--show", action="store_true", help="print the table of --output; measure nothing"
    )
    parser.add_argument("--markdown", action="store_true", help="with --show: a Markdown table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    if options.show:
        document = json.loads(options.output.read_text())
        print(format_table(rows_of(document), markdown=options.markdown))
        return 0
    settings = Settings(
        databases=DATABASES if options.database == "both" else (options.database,),
        scale=options.scale,
        requests=options.requests or (30 if options.quick else 200),
        clients=options.clients,
        workers=options.workers or default_web_workers(),
        repeats=1 if options.quick else 3,
        quick=options.quick,
    )
    results = {}
    for kind in settings.databases:
        results[kind] = run_database(kind, settings, options.postgres_server)
        print(format_table(results[kind]["operations"]), flush=True)
    write_results(options.output, asdict(settings), results)
    print(f"\n{format_table(rows_of({'databases': results}))}\n\nwritten to {options.output}")
    failed = {kind: part["error"] for kind, part in results.items() if "error" in part}
    for kind, error in failed.items():
        print(f"FAILED on {kind}: {error}", file=sys.stderr)
    return 1 if failed else 0
