"""Which bridges the loaded plugins offer."""

from __future__ import annotations

from core.plugins.manager import Plugins
from core.plugins.types import BridgeSpec


class DuplicateBridge(ValueError):
    pass


def available_bridges(plugins: Plugins) -> dict[str, tuple[str, BridgeSpec]]:
    """Map bridge name to ``(plugin, spec)``; two plugins may not claim one name."""
    found: dict[str, tuple[str, BridgeSpec]] = {}
    for plugin, specs in plugins.results_by_plugin("stagebank_bridges"):
        for spec in specs:
            if spec.name in found:
                raise DuplicateBridge(
                    f"Bridge {spec.name!r} is offered by {found[spec.name][0]} and {plugin}."
                )
            found[spec.name] = (plugin, spec)
    return found
