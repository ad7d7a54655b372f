"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from core import database, i18n
from core.access.routes import enforce_route_access
from core.accounts import login
from core.config import load_config
from core.plugins.manager import load_plugins


def create_app(config: dict | None = None) -> Flask:
    """Build a Stagebank app: configuration, database, plugins, translations, blueprints.

    ``config`` overrides values read from the ``STAGEBANK_*`` environment (tests use it).
    ``config["PLUGIN_OBJECTS"]`` maps names to extra plugin objects registered after the
    entry-point plugins (for embedding and for tests).
    """
    instance_path = os.environ.get("STAGEBANK_INSTANCE_PATH")
    app = Flask(
        "core",
        root_path=str(Path(__file__).resolve().parent),
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})

    database.init_app(app)
    plugins = load_plugins(tuple(app.config["PLUGINS"]))
    for name, plugin in app.config.get("PLUGIN_OBJECTS", {}).items():
        plugins.register(plugin, name)
    app.extensions["stagebank.plugins"] = plugins
    i18n.init_app(app)
    login.init_app(app)
    enforce_route_access(app)

    for blueprint in _flatten(plugins.hook.stagebank_blueprints()):
        app.register_blueprint(blueprint)
    for command in _flatten(plugins.hook.stagebank_cli_commands()):
        app.cli.add_command(command)
    plugins.hook.stagebank_configure_app(app=app)
    return app


def _flatten(lists):
    return [item for items in lists for item in items]
