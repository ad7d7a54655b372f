"""Configuration from STAGEBANK_* environment variables."""

from __future__ import annotations

import pytest

from core.app import create_app
from core.config import BUILTIN_PLUGINS, ConfigError, load_config, plugin_allow_list


def test_secret_key_is_generated_once_and_kept_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("STAGEBANK_SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    assert len(first) == 64
    assert (tmp_path / "secret_key").read_text() == first
    assert load_config(tmp_path)["SECRET_KEY"] == first


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEBANK_ENV", "production")
    monkeypatch.delenv("STAGEBANK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="STAGEBANK_SECRET_KEY must be set"):
        load_config(tmp_path)
    monkeypatch.setenv("STAGEBANK_SECRET_KEY", "s3cret")
    config = load_config(tmp_path)
    assert config["SECRET_KEY"] == "s3cret"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_unknown_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEBANK_ENV", "staging")
    with pytest.raises(ConfigError, match="STAGEBANK_ENV must be one of"):
        load_config(tmp_path)


def test_database_defaults_to_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("STAGEBANK_DATABASE_URL", raising=False)
    assert load_config(tmp_path)["DATABASE_URL"] == f"sqlite:///{tmp_path / 'stagebank.sqlite3'}"
    monkeypatch.setenv("STAGEBANK_DATABASE_URL", "postgresql+psycopg://x@h/db")
    assert load_config(tmp_path)["DATABASE_URL"] == "postgresql+psycopg://x@h/db"


def test_plugin_allow_list_parsing():
    assert plugin_allow_list(None) == BUILTIN_PLUGINS
    assert plugin_allow_list("") == ()
    assert plugin_allow_list(" secondary, primary ,") == ("secondary", "primary")


def test_only_allow_listed_plugins_are_loaded(instance_path, monkeypatch):
    monkeypatch.setenv("STAGEBANK_PLUGINS", "secondary")
    app = create_app()
    assert app.extensions["stagebank.plugins"].plugin_names == ["secondary"]


def test_a_listed_plugin_that_is_not_installed_stops_the_start(instance_path, monkeypatch):
    monkeypatch.setenv("STAGEBANK_PLUGINS", "secondary,tertiary")
    with pytest.raises(ConfigError, match="'tertiary' is listed in STAGEBANK_PLUGINS"):
        create_app()


def test_instance_path_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEBANK_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    app = create_app()
    assert app.instance_path == str(tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / "secret_key").exists()
