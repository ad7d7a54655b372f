"""Bridge to the Sint-Goriks placement system of the Brussels free schools.

This plugin declares the bridge (its settings and its connector) and owns its tables
(prefix ``sintgorik_bridge_``) in its own migration branch. The synchronisation itself runs
through the core's bridge framework (``stagebank bridge sync sintgorik``); the exchange
format is described in README.md.
"""

from __future__ import annotations

from pathlib import Path

from core.plugins import hookimpl
from core.plugins.types import BridgeSpec, MigrationLocation
from plugins.sintgorik_bridge import models  # noqa: F401 - puts the bridge's tables on the metadata
from plugins.sintgorik_bridge.connector import SintGorikConnector

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"
SETTINGS = (
    "sintgorik_bridge.url",
    "sintgorik_bridge.token",
    "sintgorik_bridge.timeout",
    "sintgorik_bridge.retries",
    "sintgorik_bridge.retry_delay",
)


@hookimpl
def stagebank_bridges():
    return [
        BridgeSpec(
            name="sintgorik",
            title="Sint-Goriks",
            description="Scholen, aanbod en aanvragen van de Brusselse vrije scholen.",
            settings=SETTINGS,
            connect=SintGorikConnector,
        )
    ]


@hookimpl
def stagebank_migration_locations():
    return [MigrationLocation(MIGRATIONS, "sintgorik_bridge")]
