"""A NUL character anywhere in the input is refused with a clear 400, on every database."""

from __future__ import annotations

from sqlalchemy import func, select

from core.placements.models import RequestMessage
from tests.api_support import clients_of
from tests.api_support import json_error as _error
from tests.world import csrf, sign_in

MESSAGE = "De invoer bevat een ongeldig teken (NUL)"


def _messages(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(RequestMessage.id)))


def test_a_web_form_with_nul_is_refused_and_stores_nothing(app, db, world):
    client = app.test_client()
    sign_in(client, world.users["programme_coordinator_a"])
    path = f"/aanvragen/{world.requests['a'].id}"
    response = client.post(
        f"{path}/berichten", data={"csrf_token": csrf(client, path), "body": "Hallo\x00daar"}
    )
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert _messages(db) == 0


def test_a_query_string_with_nul_is_refused(app, world):
    client = app.test_client()
    sign_in(client, world.users["programme_coordinator_a"])
    response = client.get("/aanbod?postcode=9000%00")
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


def test_the_api_names_the_field_that_holds_nul(app, db, world):
    api = clients_of(app, db, world)("programme_coordinator_a")
    response = api.post(
        f"/requests/{world.requests['a'].id}/messages", json={"body": "Hallo\x00daar"}
    )
    error = _error(response, 400)
    assert MESSAGE in error["message"]
    assert MESSAGE in error["errors"]["body"][0]
    assert _messages(db) == 0


def test_english_readers_get_the_message_in_english(app, db, world):
    api = clients_of(app, db, world)("programme_coordinator_a", language="en")
    response = api.post(f"/requests/{world.requests['a'].id}/messages", json={"body": "\x00"})
    assert "NUL" in _error(response, 400)["message"]
    assert MESSAGE not in _error(response, 400)["message"]
