"""A school's public page at ``/scholen/<id>``."""

from __future__ import annotations

from datetime import date, timedelta

from core.database import utcnow
from core.institutions.models import Campus, RegistrationStatus
from core.offers.forms import NO_REASON_LABELS
from core.offers.models import HostingAnswer, NoHostingReason, OfferStatus, Semester
from core.offers.school_years import school_year_of, shift
from core.plugins.manager import plugins_of
from core.plugins.regions import set_enabled
from tests.factories import make_programme
from tests.test_search import _hosting, _offer, _school, _subject

YEAR = school_year_of(date.today())
NEXT = shift(YEAR, 1)


def _page(client, school) -> str:
    response = client.get(f"/scholen/{school.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_the_school_its_campuses_and_its_offer(db, client):
    school = _school(db, "9000", name="Atheneum Zuid")
    school.network_code = "GO"
    school.campuses.append(
        Campus(
            name="Campus Noord",
            street="Noordstraat 5",
            postcode="9300",
            municipality_refnis=_school(db, "9300").campuses[0].municipality_refnis,
        )
    )
    maths = _offer(db, school, _subject(db, "WIS"), places=4, accepted=1)
    maths.updated_at = utcnow() - timedelta(days=3)
    _offer(db, school, _subject(db, "FRA"), year=NEXT, semester=Semester.SECOND)
    _offer(db, school, _subject(db, "ENG"), status=OfferStatus.DRAFT)
    _offer(db, school, _subject(db, "DUI"), year=shift(YEAR, -1))
    db.commit()
    html = _page(client, school)
    assert "Atheneum Zuid" in html and "GO! onderwijs van de Vlaamse Gemeenschap" in html
    assert "Secundair onderwijs" in html
    assert "Schoolstraat 1, 9000 Gent" in html and "Noordstraat 5, 9300 Aalst" in html
    assert f"Schooljaar {YEAR}" in html and f"Schooljaar {NEXT}" in html
    assert "Wiskunde" in html and "Frans" in html and "<td>3</td>" in html
    assert "Engels" not in html  # a draft
    assert "Duits" not in html  # last school year
    assert maths.updated_at.date().isoformat() in html


def test_hosting_answers_show_free_capacity_but_never_the_reason_for_no(db, client):
    school = _school(db)
    _hosting(db, school, HostingAnswer.YES, capacity=4, accepted=1)
    status = _hosting(db, school, HostingAnswer.NO, year=NEXT)
    status.no_reason = NoHostingReason.RENOVATION
    db.commit()
    html = _page(client, school)
    assert "Ontvangt stagiairs" in html and "nog 3 stagiairs van de 4" in html
    assert "Ontvangt dit schooljaar geen stagiairs" in html
    for label in NO_REASON_LABELS.values():
        assert str(label) not in html
    assert "renovation" not in html


def test_a_school_without_an_answer(db, client):
    school = _school(db)
    db.commit()
    html = _page(client, school)
    assert html.count("Nog geen antwoord") == 2
    assert "Deze school heeft nog geen aanbod gepubliceerd" in html


def test_offers_hidden_in_the_region_stay_hidden_here(db, app, client):
    school = _school(db, "9000")
    _offer(db, school, _subject(db, "WO", "primary"), level="primary")
    db.commit()
    assert "Wereldoriëntatie" not in _page(client, school)
    set_enabled(db, plugins_of(app), "primary", "oost-vlaanderen", True)
    db.commit()
    assert "Wereldoriëntatie" in _page(client, school)


def test_only_approved_schools_have_a_page(db, client):
    pending = _school(db, status=RegistrationStatus.PENDING)
    programme = make_programme(db)
    db.commit()
    assert client.get(f"/scholen/{pending.id}").status_code == 404
    assert client.get(f"/scholen/{programme.id}").status_code == 404
    assert client.get("/scholen/987654").status_code == 404
