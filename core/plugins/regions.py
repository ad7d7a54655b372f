"""Per-region enablement of plugins, stored in the database and read at request time.

Every allow-listed plugin is always loaded; this table only says where it is switched on,
so a pilot region changes in every worker on the next request, without a restart, and
switching a plugin off hides its data there without deleting any.
"""

from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.database import Base, UtcDateTime, utcnow
from core.plugins.manager import CORE_PLUGIN, Plugins
from core.reference.models import Region


class PluginRegion(Base):
    """Whether a plugin is enabled in a region; no row means the plugin's default."""

    __tablename__ = "plugin_regions"

    plugin: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    enabled: Mapped[bool]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class UnknownPlugin(ValueError):
    pass


class UnknownRegion(ValueError):
    pass


def enablement(session: Session, plugins: Plugins) -> dict[str, set[str]]:
    """Map each loaded plugin to the set of region codes where it is enabled.

    Cached for the duration of one web request only, so a change shows on the next one.
    """
    if has_request_context() and "plugin_enablement" in g:
        return g.plugin_enablement
    regions = set(session.scalars(select(Region.code)))
    stored: dict[tuple[str, str], bool] = {
        (row.plugin, row.region_code): row.enabled for row in session.scalars(select(PluginRegion))
    }
    result = {}
    for name, info in plugins.infos.items():
        if name == CORE_PLUGIN:
            result[name] = set(regions)
            continue
        result[name] = {
            region for region in regions if stored.get((name, region), info.enabled_by_default)
        }
    if has_request_context():
        g.plugin_enablement = result
    return result


def is_enabled(session: Session, plugins: Plugins, plugin: str, region_code: str) -> bool:
    """True when ``plugin`` is enabled in ``region_code``."""
    return region_code in enablement(session, plugins).get(plugin, set())


def set_enabled(
    session: Session, plugins: Plugins, plugin: str, region_code: str, enabled: bool
) -> None:
    """Switch a plugin on or off in one region (the caller commits)."""
    if plugin not in plugins.plugin_names:
        raise UnknownPlugin(
            f"Unknown plugin {plugin!r}; loaded plugins: {', '.join(plugins.plugin_names)}."
        )
    if session.get(Region, region_code) is None:
        codes = ", ".join(session.scalars(select(Region.code).order_by(Region.position)))
        raise UnknownRegion(f"Unknown region {region_code!r}; regions: {codes}.")
    row = session.get(PluginRegion, (plugin, region_code))
    if row is None:
        session.add(PluginRegion(plugin=plugin, region_code=region_code, enabled=enabled))
    else:
        row.enabled = enabled
        row.updated_at = utcnow()
    session.flush()
    if has_request_context():
        g.pop("plugin_enablement", None)
