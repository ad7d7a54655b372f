"""Placement requests as people use them: from an offer to a request, answers, capacity,
the message thread, mentors and expiry."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from core.access.policy import Actor
from core.offers.models import HostingAnswer, HostingStatus, Offer
from core.placements import services
from core.placements.models import PlacementRequest, RequestMessage, RequestStatus, Student
from core.plugins.manager import plugins_of
from tests.world import csrf, fresh, sign_in

S = RequestStatus


def client_for(app, world, who):
    client = app.test_client()
    sign_in(client, world.users[who], world.memberships.get(who))
    return client


def new_student(db, world, side="a", number="r0123456"):
    student = Student(
        programme=world.institutions[f"programme_{side}"],
        first_name="Jens",
        last_name="Claes",
        email="jens.claes@student.example.org",
        student_number=number,
    )
    db.add(student)
    db.commit()
    return student


def request_data(offer, student, **overrides):
    data = {
        "student_id": str(student.id),
        "subject_id": str(offer.subject_id),
        "secondary__graad": "2",
        "secondary__finaliteit": "doorstroom",
        "secondary__onderwijsvorm": "ASO",
        "period_start": "2027-02-01",
        "period_end": "2027-02-26",
        "kind": "teaching",
        "hours": "40",
        "message": "Lotte geeft graag les in de 2de graad.",
    }
    data.update(overrides)
    return data


def test_from_an_offer_to_a_submitted_request(app, db, world):
    offer, student = world.offers["a"], new_student(db, world)
    coordinator = client_for(app, world, "programme_coordinator_a")
    path = f"/aanvragen/nieuw?offer={offer.id}"
    form = coordinator.get(path).get_data(as_text=True)
    assert "School A" in form
    assert re.search(rf'<option selected value="{offer.subject_id}">', form)
    response = coordinator.post(
        path, data={**request_data(offer, student), "csrf_token": csrf(coordinator, path)}
    )
    assert response.status_code == 302
    fresh(db)
    created = db.scalar(select(PlacementRequest).where(PlacementRequest.student_id == student.id))
    assert created.status == S.SUBMITTED
    assert created.offer_id == offer.id and created.school_id == offer.school_id
    assert created.attributes == {"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"}
    assert [e.to_status for e in created.events] == ["draft", "submitted"]
    assert created.answer_deadline == dt.date.today() + dt.timedelta(days=14)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"period_end": "2027-01-01"}, "De einddatum ligt voor de begindatum."),
        ({"secondary__graad": "1"}, "Een finaliteit kan pas vanaf de 2de graad."),
        ({"student_id": "999999"}, "Ongeldige keuze."),
        ({"period_start": ""}, "Dit veld is verplicht."),
        ({"hours": "-3"}, "Nummer moet tussen 0 en 2000 liggen."),
    ],
)
def test_a_bad_request_explains_itself_and_creates_nothing(app, db, world, overrides, message):
    offer, student = world.offers["a"], new_student(db, world)
    coordinator = client_for(app, world, "programme_coordinator_a")
    path = f"/aanvragen/nieuw?offer={offer.id}"
    response = coordinator.post(
        path,
        data={**request_data(offer, student, **overrides), "csrf_token": csrf(coordinator, path)},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    fresh(db)
    assert (
        db.scalar(
            select(func.count())
            .select_from(PlacementRequest)
            .where(PlacementRequest.student_id == student.id)
        )
        == 0
    )


def test_a_request_without_an_offer_by_institution_number(app, db, world):
    student = new_student(db, world)
    school = world.institutions["school_a"]
    coordinator = client_for(app, world, "programme_coordinator_a")
    path = "/aanvragen/nieuw?niveau=secondary"
    data = request_data(world.offers["a"], student, institution_number=school.institution_number)
    response = coordinator.post(path, data={**data, "csrf_token": csrf(coordinator, path)})
    assert response.status_code == 302
    unknown = coordinator.post(
        path, data={**data, "institution_number": "999999", "csrf_token": csrf(coordinator, path)}
    )
    assert "Kies een school via het stageaanbod" in unknown.get_data(as_text=True)


def test_another_students_request_or_foreign_student_is_refused(app, db, world):
    offer = world.offers["a"]
    foreign_student = new_student(db, world, side="b", number="r9")
    coordinator = client_for(app, world, "programme_coordinator_a")
    path = f"/aanvragen/nieuw?offer={offer.id}"
    response = coordinator.post(
        path, data={**request_data(offer, foreign_student), "csrf_token": csrf(coordinator, path)}
    )
    assert response.status_code == 200  # the student is not among the choices
    assert (
        db.scalar(
            select(func.count())
            .select_from(PlacementRequest)
            .where(PlacementRequest.student_id == foreign_student.id)
        )
        == 0
    )


def test_only_programme_coordinators_open_the_request_form(app, world):
    for who in ("school_coordinator_a", "supervisor_a", "student_a", "mentor_a"):
        assert client_for(app, world, who).get("/aanvragen/nieuw").status_code == 403, who


def submitted_request(app, db, world, places=1):
    offer = db.get(Offer, world.offers["a"].id)
    offer.places = places
    db.commit()
    student = new_student(db, world, number=f"r{places}{offer.id}")
    actor = Actor(
        world.users["programme_coordinator_a"], world.memberships["programme_coordinator_a"]
    )
    values = services.RequestValues(
        student_id=student.id,
        school_id=offer.school_id,
        offer_id=offer.id,
        level_code="secondary",
        subject_id=offer.subject_id,
        attributes={"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"},
        period_start=dt.date(2027, 3, 1),
        period_end=dt.date(2027, 3, 26),
        kind="teaching",
    )
    with app.test_request_context():
        created = services.create_request(db, plugins_of(app), actor, values)
    db.commit()
    return created


def answer(client, request_id, status, reason=""):
    path = f"/aanvragen/{request_id}"
    return client.post(
        f"{path}/status",
        data={"csrf_token": csrf(client, path), "status": status, "reason": reason},
    )


def test_the_school_accepts_and_the_place_is_counted(app, db, world):
    created = submitted_request(app, db, world)
    school = client_for(app, world, "school_coordinator_a")
    page = school.get(f"/aanvragen/{created.id}").get_data(as_text=True)
    assert "Aanvaarden" in page and "Weigeren" in page
    answer(school, created.id, "accepted")
    fresh(db)
    assert db.get(PlacementRequest, created.id).status == S.ACCEPTED
    assert db.get(Offer, created.offer_id).accepted_count == 1


def test_the_programme_cannot_accept_its_own_request(app, db, world):
    created = submitted_request(app, db, world)
    programme = client_for(app, world, "programme_coordinator_a")
    assert "Aanvaarden" not in programme.get(f"/aanvragen/{created.id}").get_data(as_text=True)
    response = answer(programme, created.id, "accepted")
    assert response.status_code == 302
    fresh(db)
    assert db.get(PlacementRequest, created.id).status == S.SUBMITTED
    assert "niet in die status zetten" in programme.get(f"/aanvragen/{created.id}").get_data(
        as_text=True
    )


def test_declining_needs_a_reason_on_the_page(app, db, world):
    created = submitted_request(app, db, world)
    school = client_for(app, world, "school_coordinator_a")
    answer(school, created.id, "declined")
    assert "Geef een reden op." in school.get(f"/aanvragen/{created.id}").get_data(as_text=True)
    answer(school, created.id, "declined", "Geen mentor vrij in maart")
    fresh(db)
    declined = db.get(PlacementRequest, created.id)
    assert declined.status == S.DECLINED
    assert declined.events[-1].reason == "Geen mentor vrij in maart"


def test_capacity_is_never_exceeded_and_a_cancellation_frees_the_place(app, db, world):
    first = submitted_request(app, db, world, places=1)
    second = submitted_request(app, db, world, places=1)
    school = client_for(app, world, "school_coordinator_a")
    answer(school, first.id, "accepted")
    answer(school, second.id, "accepted")
    fresh(db)
    assert db.get(PlacementRequest, second.id).status == S.SUBMITTED
    assert "al ingenomen" in school.get(f"/aanvragen/{second.id}").get_data(as_text=True)
    answer(school, first.id, "cancelled", "Ziekte van de mentor")
    answer(school, second.id, "accepted")
    fresh(db)
    assert db.get(PlacementRequest, second.id).status == S.ACCEPTED
    assert db.get(Offer, first.offer_id).accepted_count == 1


def test_the_school_wide_capacity_holds_across_offers(app, db, world):
    created = submitted_request(app, db, world, places=5)
    offer = db.get(Offer, created.offer_id)
    db.add(
        HostingStatus(
            school_id=offer.school_id,
            school_year=offer.school_year,
            answer=HostingAnswer.YES,
            capacity=0,
            accepted_count=0,
        )
    )
    db.commit()
    school = client_for(app, world, "school_coordinator_a")
    answer(school, created.id, "accepted")
    fresh(db)
    assert db.get(PlacementRequest, created.id).status == S.SUBMITTED
    assert "maximum aantal stagiairs" in school.get(f"/aanvragen/{created.id}").get_data(
        as_text=True
    )


def test_a_full_offer_takes_no_new_requests(app, db, world):
    created = submitted_request(app, db, world, places=1)
    answer(client_for(app, world, "school_coordinator_a"), created.id, "accepted")
    student = new_student(db, world, number="r777")
    coordinator = client_for(app, world, "programme_coordinator_a")
    path = f"/aanvragen/nieuw?offer={created.offer_id}"
    fresh(db)
    response = coordinator.post(
        path,
        data={
            **request_data(db.get(Offer, created.offer_id), student),
            "csrf_token": csrf(coordinator, path),
        },
    )
    assert "Alle plaatsen van dit aanbod zijn ingenomen." in response.get_data(as_text=True)


def test_message_thread_between_programme_and_school(app, db, world):
    created = submitted_request(app, db, world)
    programme = client_for(app, world, "programme_coordinator_a")
    path = f"/aanvragen/{created.id}"
    programme.post(
        f"{path}/berichten",
        data={"csrf_token": csrf(programme, path), "body": "Kan Jens ook op woensdag komen?"},
    )
    school = client_for(app, world, "school_coordinator_a")
    assert "Kan Jens ook op woensdag komen?" in school.get(path).get_data(as_text=True)
    student = client_for(app, world, "student_a")
    assert student.post(f"{path}/berichten", data={"body": "x"}).status_code in {400, 404}
    fresh(db)
    assert db.scalar(select(func.count()).select_from(RequestMessage)) == 1


def test_the_school_assigns_a_mentor_who_then_sees_the_trainee(app, db, world):
    created = submitted_request(app, db, world)
    school = client_for(app, world, "school_coordinator_a")
    answer(school, created.id, "accepted")
    path = f"/aanvragen/{created.id}"
    mentor = world.users["mentor_a"]
    assert client_for(app, world, "mentor_a").get(path).status_code == 404
    school.post(
        f"{path}/mentor", data={"csrf_token": csrf(school, path), "mentor_id": str(mentor.id)}
    )
    assert client_for(app, world, "mentor_a").get(path).status_code == 200


def test_expiry_runs_as_a_scheduled_command(app, db, world, cli):
    created = submitted_request(app, db, world)
    later = (created.answer_deadline + dt.timedelta(days=1)).isoformat()
    assert cli.invoke(args=["requests", "expire", "--today", later]).output == (
        "1 request(s) expired.\n"
    )
    fresh(db)
    expired = db.get(PlacementRequest, created.id)
    assert expired.status == S.EXPIRED and expired.events[-1].actor_id is None
    assert cli.invoke(args=["requests", "expire", "--today", later]).output == (
        "0 request(s) expired.\n"
    )
