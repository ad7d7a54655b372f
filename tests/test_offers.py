"""A school coordinator's offer: publish, close, copy last year, hosting status, capacity."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.access.policy import Actor
from core.catalogue.models import Subject
from core.offers import school_years
from core.offers import services as offers
from core.offers.models import HostingAnswer, HostingStatus, Offer, OfferStatus
from core.plugins.manager import plugins_of
from tests.world import csrf, fresh, sign_in

THIS_YEAR = school_years.school_year_of(dt.date.today())
NEXT_YEAR = school_years.shift(THIS_YEAR, 1)


@pytest.fixture
def coordinator(app, world):
    client = app.test_client()
    sign_in(client, world.users["school_coordinator_a"], world.memberships["school_coordinator_a"])
    return client


def subject(db, code, level="secondary"):
    return db.scalar(select(Subject).where(Subject.level_code == level, Subject.code == code))


def offer_form(db, world, **overrides):
    first, _ = school_years.bounds(NEXT_YEAR)
    data = {
        "school_year": NEXT_YEAR,
        "campus_id": world.institutions["school_a"].campuses[0].id,
        "subject_id": subject(db, "WIS").id,
        "secondary__graad": "2",
        "secondary__finaliteit": "doorstroom",
        "secondary__onderwijsvorm": "ASO",
        "period_start": (first + dt.timedelta(days=60)).isoformat(),
        "period_end": (first + dt.timedelta(days=80)).isoformat(),
        "places": "2",
        "action": "publish",
    }
    data.update(overrides)
    return data


def test_a_school_publishes_an_offer_with_level_fields(coordinator, db, world):
    path = "/mijn-aanbod/nieuw?niveau=secondary"
    response = coordinator.post(
        path, data={**offer_form(db, world), "csrf_token": csrf(coordinator, path)}
    )
    assert response.status_code == 302
    fresh(db)
    offer = db.scalar(select(Offer).where(Offer.school_year == NEXT_YEAR))
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.attributes == {"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"}
    page = coordinator.get(f"/mijn-aanbod?schooljaar={NEXT_YEAR}").get_data(as_text=True)
    assert "Wiskunde" in page and "0 van 2 ingenomen" in page and "Gepubliceerd" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "secondary__graad": "1",
                "secondary__finaliteit": "doorstroom",
                "secondary__onderwijsvorm": "",
            },
            "Een finaliteit kan pas vanaf de 2de graad.",
        ),
        (
            {"period_start": "", "period_end": "", "semester": ""},
            "Kies een semester of vul begin- en einddatum in.",
        ),
        ({"period_end": "2000-01-01"}, "De einddatum ligt voor de begindatum."),
        ({"places": "0"}, "Kies tussen 1 en 50 plaatsen."),
        ({"places": "veel"}, "Ongeldig getal."),
        (
            {"period_start": "1999-09-01", "period_end": "1999-10-01"},
            "De periode valt buiten het gekozen schooljaar.",
        ),
        ({"subject_id": "999999"}, "Ongeldige keuze."),
    ],
)
def test_offer_form_explains_mistakes_and_stores_nothing(
    coordinator, db, world, overrides, message
):
    path = "/mijn-aanbod/nieuw?niveau=secondary"
    data = {**offer_form(db, world, **overrides), "csrf_token": csrf(coordinator, path)}
    response = coordinator.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'class="error-summary"' in html
    fresh(db)
    assert (
        db.scalar(select(func.count()).select_from(Offer).where(Offer.school_year == NEXT_YEAR))
        == 0
    )


def test_a_semester_is_enough(coordinator, db, world):
    path = "/mijn-aanbod/nieuw?niveau=secondary"
    data = offer_form(db, world, period_start="", period_end="", semester="2")
    assert (
        coordinator.post(path, data={**data, "csrf_token": csrf(coordinator, path)}).status_code
        == 302
    )


def test_close_and_reopen_an_offer(coordinator, db, world):
    offer = world.offers["a"]
    token = csrf(coordinator, "/mijn-aanbod")
    coordinator.post(
        f"/mijn-aanbod/{offer.id}/status", data={"csrf_token": token, "status": "closed"}
    )
    fresh(db)
    assert db.get(Offer, offer.id).status == OfferStatus.CLOSED
    coordinator.post(
        f"/mijn-aanbod/{offer.id}/status", data={"csrf_token": token, "status": "published"}
    )
    fresh(db)
    assert db.get(Offer, offer.id).status == OfferStatus.PUBLISHED
    bad = coordinator.post(
        f"/mijn-aanbod/{offer.id}/status", data={"csrf_token": token, "status": "gone"}
    )
    assert bad.status_code == 400


def test_editing_keeps_the_offer_and_shows_last_update(coordinator, db, world):
    offer = world.offers["a"]
    page = coordinator.get(f"/mijn-aanbod/{offer.id}").get_data(as_text=True)
    assert 'name="places"' in page
    data = offer_form(db, world, school_year=offer.school_year, places="3")
    first, _ = school_years.bounds(offer.school_year)
    data.update(period_start=first.isoformat(), period_end=(first + dt.timedelta(30)).isoformat())
    response = coordinator.post(
        f"/mijn-aanbod/{offer.id}", data={**data, "csrf_token": csrf(coordinator, "/mijn-aanbod")}
    )
    assert response.status_code == 302
    fresh(db)
    assert db.get(Offer, offer.id).places == 3


def test_copy_last_year_in_one_action_and_only_once(coordinator, app, db, world):
    offer = world.offers["a"]
    offer.school_year = THIS_YEAR
    offer.period_start, offer.period_end = (
        dt.date(int(THIS_YEAR[:4]), 10, 1),
        dt.date(int(THIS_YEAR[:4]), 10, 31),
    )
    db.commit()
    page = coordinator.get(f"/mijn-aanbod?schooljaar={NEXT_YEAR}").get_data(as_text=True)
    assert "Vorig schooljaar overnemen en publiceren" in page
    token = csrf(coordinator, "/mijn-aanbod")
    for _ in range(2):
        coordinator.post(f"/mijn-aanbod/kopieer?schooljaar={NEXT_YEAR}", data={"csrf_token": token})
    fresh(db)
    copies = db.scalars(select(Offer).where(Offer.school_year == NEXT_YEAR)).all()
    assert len(copies) == 1
    assert copies[0].copied_from_id == offer.id
    assert copies[0].status == OfferStatus.PUBLISHED
    assert copies[0].period_start == dt.date(int(THIS_YEAR[:4]) + 1, 10, 1)


def test_hosting_status_with_school_wide_capacity(coordinator, db, world):
    token = csrf(coordinator, "/mijn-aanbod")
    coordinator.post(
        "/mijn-aanbod/ontvangst",
        data={"csrf_token": token, "school_year": NEXT_YEAR, "answer": "yes", "capacity": "4"},
    )
    fresh(db)
    status = db.scalar(select(HostingStatus))
    assert (status.answer, status.capacity, status.free_capacity) == ("yes", 4, 4)
    page = coordinator.get(f"/mijn-aanbod?schooljaar={NEXT_YEAR}").get_data(as_text=True)
    assert "maximum 4 stagiairs, nog 4 vrij" in page


def test_no_needs_a_reason_and_maybe_takes_estimates(coordinator, db, world):
    token = csrf(coordinator, "/mijn-aanbod")
    coordinator.post(
        "/mijn-aanbod/ontvangst",
        data={"csrf_token": token, "school_year": NEXT_YEAR, "answer": "no"},
    )
    fresh(db)
    assert db.scalar(select(func.count()).select_from(HostingStatus)) == 0
    math = subject(db, "WIS")
    coordinator.post(
        "/mijn-aanbod/ontvangst",
        data={
            "csrf_token": token,
            "school_year": NEXT_YEAR,
            "answer": "maybe",
            "estimates-0-subject_id": str(math.id),
            "estimates-0-places": "2",
        },
    )
    fresh(db)
    status = db.scalar(select(HostingStatus))
    assert status.answer == HostingAnswer.MAYBE
    assert [(e.subject_id, e.places) for e in status.estimates] == [(math.id, 2)]


def test_an_offer_closes_itself_when_its_places_or_the_school_capacity_are_taken(app, db, world):
    offer = world.offers["a"]
    assert offers.refusal_for_new_request(offer, None) is None
    offer.accepted_count = offer.places
    with app.test_request_context():
        assert "Alle plaatsen" in str(offers.refusal_for_new_request(offer, None))
        offer.accepted_count = 0
        status = HostingStatus(
            school=offer.school,
            school_year=offer.school_year,
            answer=HostingAnswer.YES,
            capacity=1,
            accepted_count=1,
        )
        assert "maximum aantal stagiairs" in str(offers.refusal_for_new_request(offer, status))
        status.answer = HostingAnswer.FULL
        assert "geen stagiairs meer" in str(offers.refusal_for_new_request(offer, status))


def test_only_the_school_coordinator_manages_the_offer(app, db, world):
    mentor = app.test_client()
    sign_in(mentor, world.users["mentor_a"], world.memberships["mentor_a"])
    assert mentor.get("/mijn-aanbod").status_code == 403
    programme = app.test_client()
    sign_in(
        programme,
        world.users["programme_coordinator_a"],
        world.memberships["programme_coordinator_a"],
    )
    assert programme.get("/mijn-aanbod/nieuw").status_code == 403
    actor = Actor(world.users["mentor_a"], world.memberships["mentor_a"])
    with pytest.raises(Exception, match="denied"):
        offers.set_hosting_status(db, actor, world.institutions["school_a"], NEXT_YEAR, "yes")


def test_administrators_see_registered_schools_without_an_offer(app, db, world):
    admin = app.test_client()
    sign_in(admin, world.users["admin"])
    year = world.offers["a"].school_year
    page = admin.get(f"/beheer/scholen-zonder-aanbod?schooljaar={year}").get_data(as_text=True)
    assert "School A" not in page and "School B" not in page
    world_offer = db.get(Offer, world.offers["b"].id)
    world_offer.status = OfferStatus.DRAFT
    db.commit()
    page = admin.get(f"/beheer/scholen-zonder-aanbod?schooljaar={year}").get_data(as_text=True)
    assert "School B" in page and "School in afwachting" not in page
    with app.app_context():
        names = [s.name for s in offers.schools_without_offer(db, year)]
    assert names == ["School B"]
    assert plugins_of(app)
