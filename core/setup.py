"""Steps that follow a schema upgrade: reference data and plugin catalogues."""

from __future__ import annotations

from flask import Flask

from core.catalogue.services import sync_catalogue
from core.database import database
from core.plugins.manager import plugins_of
from core.reference.loader import load_reference_data


def prepare_database(app: Flask) -> None:
    """Load reference data (once) and mirror the plugins' catalogues, in one transaction."""
    with database(app).sessionmaker() as session, session.begin():
        load_reference_data(session)
        sync_catalogue(session, plugins_of(app))
