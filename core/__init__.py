"""Stagebank core: the Flask application that handles institutions, requests and users.

``flask --app core`` finds :func:`create_app` here.
"""

from core.app import create_app

__all__ = ["create_app"]
