"""Helpers of the API tests: tokens for the people of :mod:`tests.world`, and a client."""

from __future__ import annotations

from core.api.tokens import create_token


def issue_token(db, world, actor: str, read_only: bool = False) -> str:
    """A working token of ``actor`` in their membership (an administrator's: none)."""
    _, secret = create_token(
        db, world.users[actor], f"test {actor}", world.memberships.get(actor), read_only
    )
    db.commit()
    return secret


class Api:
    """A test client that sends one token with every request."""

    def __init__(self, client, secret: str | None, language: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        if language:
            self.headers["Accept-Language"] = language

    def open(self, method: str, path: str, **options):
        headers = {**self.headers, **options.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **options)

    def get(self, path: str, **options):
        return self.open("GET", path, **options)

    def post(self, path: str, **options):
        return self.open("POST", path, **options)

    def put(self, path: str, **options):
        return self.open("PUT", path, **options)

    def patch(self, path: str, **options):
        return self.open("PATCH", path, **options)
