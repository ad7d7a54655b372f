"""The plugin system: hook markers, the manager and per-region enablement."""

import pluggy

hookimpl = pluggy.HookimplMarker("stagebank")

__all__ = ["hookimpl"]
