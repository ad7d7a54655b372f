"""The ``stagebank`` command line, in-process and as a real console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def test_plugins_list_shows_the_four_plugins_with_version_hooks_and_regions(cli):
    result = cli.invoke(args=["plugins", "list"])
    assert result.exit_code == 0, result.output
    for name in ("secondary", "primary", "philosophy_subjects", "sintgorik_bridge"):
        assert f"{name} 0." in result.output
    assert "stagebank_education_levels" in result.output
    assert "stagebank_bridges, stagebank_migration_locations" in result.output
    blocks = result.output.split("\n\n") if "\n\n" in result.output else [result.output]
    primary = result.output.split("primary 0.")[1].split("philosophy_subjects")[0]
    assert "regions: (none)" in primary
    assert blocks


def test_plugins_enable_and_disable_change_the_regions(cli):
    result = cli.invoke(
        args=["plugins", "enable", "primary", "--region", "limburg", "--region", "brussel"]
    )
    assert result.exit_code == 0
    assert result.output == "primary enabled in limburg, brussel.\n"
    listing = cli.invoke(args=["plugins", "list"]).output
    assert "regions: limburg, brussel" in listing.split("primary 0.")[1]
    cli.invoke(args=["plugins", "disable", "primary", "--region", "limburg"])
    listing = cli.invoke(args=["plugins", "list"]).output
    assert "regions: brussel" in listing.split("primary 0.")[1]


def test_plugins_enable_refuses_an_unknown_region_in_one_sentence(cli):
    result = cli.invoke(args=["plugins", "enable", "primary", "--region", "wallonie"])
    assert result.exit_code == 1
    assert "Unknown region 'wallonie'" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_is_idempotent(cli):
    assert cli.invoke(args=["db", "upgrade"]).output == "Database is up to date.\n"
    assert cli.invoke(args=["db", "upgrade"]).exit_code == 0


def _run(args, tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STAGEBANK_")}
    environment.update(STAGEBANK_INSTANCE_PATH=str(tmp_path / "instance"), **env)
    return subprocess.run(args, capture_output=True, text=True, env=environment, timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A real installation in its own instance folder, upgraded through the console script."""
    tmp_path = tmp_path_factory.mktemp("installed")
    result = _run([BIN / "stagebank", "db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_console_script_and_flask_app_reach_the_same_commands(installed):
    ours = _run([BIN / "stagebank", "plugins", "list"], installed)
    flasks = _run([BIN / "flask", "--app", "core", "plugins", "list"], installed)
    assert ours.returncode == flasks.returncode == 0, ours.stderr + flasks.stderr
    assert ours.stdout == flasks.stdout
    assert "sintgorik_bridge" in ours.stdout
    assert (installed / "instance" / "stagebank.sqlite3").exists()


def test_a_missing_plugin_is_one_sentence_and_a_non_zero_exit(installed):
    result = _run([BIN / "stagebank", "plugins", "list"], installed, STAGEBANK_PLUGINS="nope")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Error: Plugin 'nope' is listed")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_database_that_is_not_upgraded_is_one_sentence(tmp_path):
    result = _run([BIN / "stagebank", "plugins", "list"], tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "run `stagebank db upgrade`" in result.stderr


def test_serve_refuses_a_database_that_is_not_upgraded(tmp_path):
    result = _run([BIN / "stagebank", "serve", "--port", "5999"], tmp_path)
    assert result.returncode == 1
    assert "not up to date" in result.stderr


def test_serve_answers_over_http(installed):
    """`make run` ends in `stagebank serve`: it must really listen (not be ignored)."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STAGEBANK_")}
    environment["STAGEBANK_INSTANCE_PATH"] = str(installed / "instance")
    server = subprocess.Popen(
        [BIN / "stagebank", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "stagebank serve did not start"
                time.sleep(0.5)
    finally:
        server.kill()
        server.wait(timeout=10)
