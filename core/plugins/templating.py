"""``template_hook(slot, **context)`` for Jinja: join plugin fragments for a slot."""

from __future__ import annotations

from markupsafe import Markup

from core.database import db_session
from core.plugins.manager import plugins_of
from core.plugins.regions import enablement


def template_hook(slot: str, region: str | None = None, **context) -> Markup:
    """HTML of every plugin enabled in ``region`` (or in any region when none is given)."""
    plugins = plugins_of()
    enabled = enablement(db_session(), plugins)
    parts = []
    for plugin, fragment in plugins.results_by_plugin(
        "stagebank_template_fragment", slot=slot, context=context
    ):
        regions = enabled.get(plugin, set())
        if (region in regions) if region else regions:
            parts.append(Markup(fragment))
    return Markup("\n").join(parts)
