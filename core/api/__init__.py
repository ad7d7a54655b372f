"""The REST API under ``/api/v1``: flask-smorest resources over the areas' services,
authenticated with personal API tokens (see :mod:`core.api.tokens`)."""

API_PREFIX = "/api/v1"
