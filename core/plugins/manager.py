"""Create the plugin manager for one app: load allow-listed plugins, keep metadata."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, current_app

from core.config import ConfigError
from core.plugins import hookspecs

ENTRY_POINT_GROUP = "stagebank.plugins"
CORE_PLUGIN = "core"


@dataclass(frozen=True)
class PluginInfo:
    """What the core knows of one loaded plugin."""

    name: str
    version: str
    enabled_by_default: bool
    module: Any


class Plugins:
    """The pluggy manager of one app and the metadata of its plugins."""

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager("stagebank")
        self.manager.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}

    @property
    def hook(self):
        return self.manager.hook

    def register(self, plugin: ModuleType | object, name: str, version: str = "") -> None:
        """Register a plugin object under ``name`` (also used by tests for temporary ones)."""
        self.manager.register(plugin, name=name)
        self.infos[name] = PluginInfo(
            name=name,
            version=version,
            enabled_by_default=getattr(plugin, "ENABLED_BY_DEFAULT", True),
            module=plugin,
        )

    def unregister(self, name: str) -> None:
        self.manager.unregister(name=name)
        self.infos.pop(name, None)

    def results_by_plugin(self, hook_name: str, **kwargs) -> list[tuple[str, Any]]:
        """Call one hook and return ``(plugin name, result)`` pairs, skipping ``None``.

        Pluggy's plain call loses who returned what; the core needs it to know which
        plugin contributed a level or subject (for per-region enablement).
        """
        caller = getattr(self.manager.hook, hook_name)
        pairs = []
        for impl in caller.get_hookimpls():
            if impl.hookwrapper or impl.wrapper:
                continue
            accepted = {key: kwargs[key] for key in impl.argnames}
            result = impl.function(**accepted)
            if result is not None:
                pairs.append((impl.plugin_name, result))
        return pairs

    def hooks_of(self, name: str) -> list[str]:
        """Names of the hooks a plugin implements."""
        plugin = self.manager.get_plugin(name)
        return sorted(caller.name for caller in self.manager.get_hookcallers(plugin) or [])

    @property
    def plugin_names(self) -> list[str]:
        """Loaded plugin names, core excluded."""
        return [name for name in self.infos if name != CORE_PLUGIN]


def load_plugins(allow_list: tuple[str, ...]) -> Plugins:
    """Register the core's own hooks and every allow-listed entry-point plugin."""
    from core.plugins import builtin

    plugins = Plugins()
    plugins.register(builtin, CORE_PLUGIN, _stagebank_version())
    available = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    for name in allow_list:
        if name not in available:
            raise ConfigError(
                f"Plugin {name!r} is listed in STAGEBANK_PLUGINS but is not installed "
                f"(installed: {', '.join(sorted(available)) or 'none'})."
            )
        entry_point = available[name]
        module = entry_point.load()
        version = entry_point.dist.version if entry_point.dist else ""
        plugins.register(module, name, version)
    try:
        plugins.manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise ConfigError(f"A plugin implements a hook that does not exist: {error}") from None
    return plugins


def _stagebank_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stagebank")
    except PackageNotFoundError:
        return "0"


def plugins_of(app: Flask | None = None) -> Plugins:
    """The :class:`Plugins` of the given or current app."""
    return (app or current_app).extensions["stagebank.plugins"]
