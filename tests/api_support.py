"""Helpers of the API tests: tokens for the people of :mod:`tests.world`, and a client."""

from __future__ import annotations

from core.api.tokens import create_token
from tests.world import sign_in


def json_error(response, status: int) -> dict:
    """The body of an API error answer with ``status``: ``{"message", "errors"}``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"message", "errors"} and body["message"]
    return body


def clients_of(app, db, world):
    """``build("school_coordinator_a", read_only=False, language=None)``: an API client
    with a new token of that person."""

    def build(actor: str, read_only: bool = False, language: str | None = None) -> Api:
        return Api(app.test_client(), issue_token(db, world, actor, read_only), language)

    return build


def web_clients_of(make_app, world):
    """``build("school_coordinator_a")``: a signed-in web client (CSRF off), to compare
    the web's answers with the API's."""
    web_app = make_app(WTF_CSRF_ENABLED=False)

    def build(actor: str):
        client = web_app.test_client()
        sign_in(client, world.users[actor], world.memberships.get(actor))
        return client

    return build


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
