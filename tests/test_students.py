"""A programme's students: the list with their latest request, and adding one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.placements.models import Student
from tests.test_accounts import post_form
from tests.world import sign_in

GOOD = {
    "first_name": "Noor",
    "last_name": "Janssens",
    "email": "Noor.Janssens@student.example.org",
    "student_number": "r0999999",
    "home_postcode": "9000",
}


def _client(app, world, actor: str):
    client = app.test_client()
    sign_in(client, world.users[actor], world.memberships.get(actor))
    return client


@pytest.fixture
def coordinator(app, world):
    return _client(app, world, "programme_coordinator_a")


def _students(db, programme) -> list[Student]:
    db.rollback()  # end the read snapshot: see what other sessions committed
    return list(db.scalars(select(Student).where(Student.programme_id == programme.id)))


def test_the_list_shows_each_student_and_their_latest_request(coordinator, world):
    html = coordinator.get("/studenten").get_data(as_text=True)
    lotte = world.requests["a"].student
    assert "Peeters, Lotte" in html and lotte.email in html and lotte.student_number in html
    assert "Aanvaard" in html  # the status of her latest request
    assert f'name="student" value="{lotte.id}"' in html  # selectable for bulk requests


def test_adding_a_student(coordinator, db, world):
    response = post_form(coordinator, "/studenten", **GOOD)
    assert response.status_code == 302
    html = coordinator.get("/studenten").get_data(as_text=True)
    assert "Noor Janssens is toegevoegd." in html and "Nog geen aanvraag" in html
    added = [s for s in _students(db, world.institutions["programme_a"]) if s.first_name == "Noor"]
    assert [(s.email, s.home_postcode, s.user_id) for s in added] == [
        ("noor.janssens@student.example.org", "9000", None)
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("student_number", "r0000001", "Dit studentennummer bestaat al in je opleiding."),
        ("home_postcode", "0000", "Deze postcode bestaat niet in Vlaanderen of Brussel."),
        ("home_postcode", "90", "Een postcode heeft 4 cijfers."),
        ("email", "geen-adres", "Vul een geldig e-mailadres in."),
        ("first_name", "", "Dit veld is verplicht."),
        ("home_postcode", "", "Dit veld is verplicht."),
    ],
)
def test_adding_a_student_explains_each_mistake_in_dutch(
    coordinator, db, world, field, value, message
):
    programme = world.institutions["programme_a"]
    before = len(_students(db, programme))
    response = post_form(coordinator, "/studenten", **{**GOOD, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and 'aria-invalid="true"' in html
    assert len(_students(db, programme)) == before


def test_a_student_number_is_unique_per_programme_only(app, coordinator, db, world):
    assert post_form(coordinator, "/studenten", **GOOD).status_code == 302
    other = _client(app, world, "programme_coordinator_b")
    assert post_form(other, "/studenten", **GOOD).status_code == 302
    db.rollback()
    numbers = select(func.count()).select_from(Student).where(Student.student_number == "r0999999")
    assert db.scalar(numbers) == 2


def test_no_one_sees_another_programmes_students(app, world):
    lotte_a, lotte_b = world.requests["a"].student, world.requests["b"].student
    html = _client(app, world, "programme_coordinator_b").get("/studenten").get_data(as_text=True)
    assert f'value="{lotte_b.id}"' in html and f'value="{lotte_a.id}"' not in html
    for actor in ("school_coordinator_a", "supervisor_a", "student_a", "mentor_a"):
        assert _client(app, world, actor).get("/studenten").status_code == 403, actor
    foreign = _client(app, world, "programme_coordinator_b")
    assert foreign.get(f"/aanvragen/selectie?student={lotte_a.id}").status_code == 404
