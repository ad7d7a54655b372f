"""The offer search (``OfferSearch`` and ``/aanbod``) and the school suggestions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from core.access.routes import Access, access
from core.accounts.models import Membership, Role, User
from core.catalogue.models import Subject
from core.database import utcnow
from core.offers.models import (
    HostingAnswer,
    HostingEstimate,
    HostingStatus,
    OfferStatus,
    Semester,
)
from core.offers.school_years import bounds, school_year_of, shift
from core.plugins.manager import plugins_of
from core.plugins.regions import set_enabled
from core.reference.geo import distance_km, postcode_point
from core.reference.models import Postcode
from core.search.query import PAGE_SIZE, OfferSearch, semester_bounds
from core.search.services import SchoolNeed, suggest_schools
from tests.factories import make_offer, make_programme, make_school
from tests.world import captured_statements, sign_in

YEAR = school_year_of(date.today())
NEXT = shift(YEAR, 1)
FIRST_DAY = bounds(YEAR)[0]


# ------------------------------------------------------------------ builders


def _subject(db, code: str, level: str = "secondary") -> Subject:
    return db.scalars(
        select(Subject).where(Subject.code == code, Subject.level_code == level)
    ).one()


def _school(db, postcode: str = "9000", region: str | None = None, **options):
    """An approved school whose main campus lies in ``postcode``."""
    row = db.scalars(
        select(Postcode).where(Postcode.postcode == postcode).order_by(Postcode.municipality_refnis)
    ).first()
    school = make_school(db, region=region or row.municipality.region_code, **options)
    campus = school.campuses[0]
    campus.postcode, campus.municipality_refnis = postcode, row.municipality_refnis
    db.flush()
    return school


def _offer(
    db,
    school,
    subject=None,
    year=YEAR,
    places=2,
    accepted=0,
    period=None,
    semester=Semester.FIRST,
    level="secondary",
    status=OfferStatus.PUBLISHED,
):
    offer = make_offer(db, school, level=level, places=places, subject=subject, status=status)
    offer.school_year, offer.accepted_count, offer.semester = year, accepted, semester
    offer.period_start, offer.period_end = period or (None, None)
    db.flush()
    return offer


def _hosting(db, school, answer, year=YEAR, capacity=None, accepted=0, estimates=None):
    status = HostingStatus(
        school=school,
        school_year=year,
        answer=answer,
        capacity=capacity,
        accepted_count=accepted,
        estimates=[
            HostingEstimate(subject_id=subject.id, places=places)
            for subject, places in (estimates or {}).items()
        ],
    )
    db.add(status)
    db.flush()
    return status


def _found(db, app, **filters) -> list:
    search = OfferSearch(from_school_year=YEAR, **filters)
    return [result.offer for result in search.results(db, plugins_of(app))]


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ one test per filter


def test_level(db, app):
    set_enabled(db, plugins_of(app), "primary", "oost-vlaanderen", True)
    school = _school(db)
    secondary = _offer(db, school)
    primary = _offer(db, school, level="primary", subject=_subject(db, "WO", "primary"))
    assert _found(db, app, level_code="primary") == [primary]
    assert _found(db, app, level_code="secondary") == [secondary]


def test_subject_including_a_philosophical_subject(db, app):
    school = _school(db)
    maths = _offer(db, school, _subject(db, "WIS"))
    islam = _subject(db, "ISL")
    assert islam.plugin == "philosophy_subjects"
    religion = _offer(db, school, islam)
    assert _found(db, app, subject_id=islam.id) == [religion]
    assert _found(db, app, subject_id=maths.subject_id) == [maths]


def test_region_is_where_the_campus_lies(db, app):
    ghent = _offer(db, _school(db, "9000"))
    limburg = _offer(db, _school(db, "3500"))
    brussels = _offer(db, _school(db, "1000"))
    assert _found(db, app, region_code="limburg") == [limburg]
    assert _found(db, app, region_code="brussel") == [brussels]
    assert _found(db, app, region_code="oost-vlaanderen") == [ghent]


def test_municipality(db, app):
    ghent = _offer(db, _school(db, "9000"))
    _offer(db, _school(db, "9300"))
    refnis = ghent.campus.municipality_refnis
    assert _found(db, app, municipality_refnis=refnis) == [ghent]


def test_distance_from_a_postcode_sorts_nearest_first(db, app):
    aalst = _offer(db, _school(db, "9300"))  # about 26 km from Ghent
    ghent = _offer(db, _school(db, "9000"))
    bruges = _offer(db, _school(db, "8000"))  # about 39 km
    _offer(db, _school(db, "3500"))  # Hasselt, over 100 km
    origin = postcode_point(db, "9000")
    search = OfferSearch(from_school_year=YEAR, origin=origin, max_km=40)
    results = search.results(db, plugins_of(app))
    assert [r.offer for r in results] == [ghent, aalst, bruges]
    for result in results:
        municipality = result.offer.campus.municipality
        exact = distance_km(*origin, municipality.latitude, municipality.longitude)
        assert result.distance_km == pytest.approx(exact, rel=1e-3, abs=0.01)
    assert _found(db, app, origin=origin, max_km=30) == [ghent, aalst]
    # Without a radius the postcode only orders the results.
    assert len(_found(db, app, origin=origin)) == 4


def test_network(db, app):
    go = _offer(db, _school(db))
    catholic_school = _school(db)
    catholic_school.network_code = "KOV"
    catholic = _offer(db, catholic_school)
    assert _found(db, app, network_code="KOV") == [catholic]
    assert _found(db, app, network_code="GO") == [go]


def test_school_year_and_past_years_hidden_by_default(db, app):
    school = _school(db)
    this_year = _offer(db, school, year=YEAR)
    next_year = _offer(db, school, year=NEXT)
    _offer(db, school, year=shift(YEAR, -1))
    assert _found(db, app, school_year=NEXT) == [next_year]
    assert {o.id for o in _found(db, app)} == {this_year.id, next_year.id}


def test_period_overlaps_dates_semesters_and_whole_years(db, app):
    school = _school(db)
    start = FIRST_DAY
    october = _offer(
        db, school, period=(start + timedelta(days=30), start + timedelta(days=60)), semester=None
    )
    first = _offer(db, school, semester=Semester.FIRST)
    second = _offer(db, school, semester=Semester.SECOND)
    whole = _offer(db, school, semester=Semester.WHOLE_YEAR)
    undated = _offer(db, school, semester=None)
    february = semester_bounds(YEAR, Semester.SECOND)[0]

    def ids(first_day, last_day):
        return {o.id for o in _found(db, app, period=(first_day, last_day))}

    assert ids(february, february + timedelta(days=10)) == {second.id, whole.id, undated.id}
    assert ids(start + timedelta(days=45), start + timedelta(days=50)) == {
        october.id,
        first.id,
        whole.id,
        undated.id,
    }
    # The first semester ends on 31 January; an October offer does not reach December.
    assert ids(start + timedelta(days=100), start + timedelta(days=110)) == {
        first.id,
        whole.id,
        undated.id,
    }
    # July and August belong to no semester.
    july = date(FIRST_DAY.year + 1, 7, 5)
    assert ids(july, july + timedelta(days=3)) == {undated.id}


def test_free_places_respect_the_school_capacity(db, app):
    roomy = _offer(db, _school(db), places=5, accepted=1)  # 4 free
    capped_school = _school(db)
    capped = _offer(db, capped_school, places=5)
    _hosting(db, capped_school, HostingAnswer.YES, capacity=3, accepted=2)  # 1 free at most
    full = _offer(db, _school(db), places=2, accepted=2)
    results = {r.offer.id: r.free_places for r in OfferSearch().results(db, plugins_of(app))}
    assert results == {roomy.id: 4, capped.id: 1, full.id: 0}
    assert _found(db, app, min_free_places=2) == [roomy]
    assert {o.id for o in _found(db, app, min_free_places=1)} == {roomy.id, capped.id}


def test_hosting_status_of_the_school_for_the_offers_year(db, app):
    yes_school, maybe_school, silent_school = _school(db), _school(db), _school(db)
    yes = _offer(db, yes_school)
    maybe = _offer(db, maybe_school)
    silent = _offer(db, silent_school)
    _hosting(db, yes_school, HostingAnswer.YES)
    _hosting(db, maybe_school, HostingAnswer.MAYBE)
    _hosting(db, silent_school, HostingAnswer.YES, year=NEXT)  # another year: no answer
    assert _found(db, app, hosting="yes") == [yes]
    assert _found(db, app, hosting="maybe") == [maybe]
    assert _found(db, app, hosting="unknown") == [silent]


def test_only_published_offers_of_approved_schools(db, app):
    from core.institutions.models import RegistrationStatus

    school = _school(db)
    published = _offer(db, school)
    _offer(db, school, status=OfferStatus.DRAFT)
    _offer(db, school, status=OfferStatus.CLOSED)
    _offer(db, _school(db, status=RegistrationStatus.PENDING))
    assert _found(db, app) == [published]


def test_primary_offers_are_hidden_unless_primary_is_enabled_in_the_region(db, app, client):
    plugins = plugins_of(app)
    ghent, hasselt = _school(db, "9000"), _school(db, "3500")
    in_ghent = _offer(db, ghent, level="primary", subject=_subject(db, "WO", "primary"))
    in_hasselt = _offer(db, hasselt, level="primary", subject=_subject(db, "WO", "primary"))
    assert _found(db, app) == []
    set_enabled(db, plugins, "primary", "limburg", True)
    assert _found(db, app) == [in_hasselt]
    db.commit()
    html = _html(client, "/aanbod")
    assert f"/scholen/{hasselt.id}" in html and f"/scholen/{ghent.id}" not in html
    set_enabled(db, plugins, "primary", "oost-vlaanderen", True)
    assert {o.id for o in _found(db, app)} == {in_ghent.id, in_hasselt.id}


# ------------------------------------------------------------------ combinations and order


def test_subject_distance_and_free_places_combined(db, app):
    maths = _subject(db, "WIS")
    match = _offer(db, _school(db, "9300"), maths, places=3)
    _offer(db, _school(db, "9300"), _subject(db, "FRA"), places=3)  # other subject
    _offer(db, _school(db, "9300"), maths, places=1)  # too few places
    _offer(db, _school(db, "3500"), maths, places=3)  # too far
    found = _found(
        db,
        app,
        subject_id=maths.id,
        origin=postcode_point(db, "9000"),
        max_km=30,
        min_free_places=2,
    )
    assert found == [match]


def test_region_network_and_period_combined(db, app):
    def school(postcode, network):
        row = _school(db, postcode)
        row.network_code = network
        return row

    match = _offer(db, school("3500", "POV"), semester=Semester.SECOND)
    _offer(db, school("3500", "POV"), semester=Semester.FIRST)  # other period
    _offer(db, school("3500", "GO"), semester=Semester.SECOND)  # other network
    _offer(db, school("9000", "POV"), semester=Semester.SECOND)  # other region
    february = semester_bounds(YEAR, Semester.SECOND)[0]
    found = _found(
        db,
        app,
        region_code="limburg",
        network_code="POV",
        period=(february, february + timedelta(days=20)),
    )
    assert found == [match]


def test_relevance_free_places_first_then_recently_updated(db, app):
    school = _school(db)
    old = _offer(db, school)
    fresh = _offer(db, school)
    full = _offer(db, school, places=1, accepted=1)
    old.updated_at = utcnow() - timedelta(days=90)
    fresh.updated_at = utcnow() - timedelta(days=1)
    full.updated_at = utcnow()
    db.flush()
    assert _found(db, app) == [fresh, old, full]


def test_pagination_counts_every_result(db, app, client):
    school = _school(db)
    for _ in range(PAGE_SIZE + 5):
        _offer(db, school)
    db.commit()
    page = OfferSearch().page(db, plugins_of(app), 2)
    assert (page.total, len(page.results), page.pages) == (PAGE_SIZE + 5, 5, 2)
    first = _html(client, "/aanbod")
    assert f"{PAGE_SIZE + 5} resultaten" in first
    assert first.count(f"/scholen/{school.id}") == PAGE_SIZE
    assert "pagina=2" in first
    second = _html(client, "/aanbod?pagina=2")
    assert second.count(f"/scholen/{school.id}") == 5
    assert _html(client, "/aanbod?pagina=zeven").count(f"/scholen/{school.id}") == PAGE_SIZE


def test_distance_order_paginates_across_pages(db, app):
    near_schools = [_school(db, "9000") for _ in range(PAGE_SIZE)]
    far = _school(db, "8000")
    for school in [far, *near_schools]:
        _offer(db, school)
    search = OfferSearch(origin=postcode_point(db, "9000"))
    first = search.page(db, plugins_of(app), 1)
    second = search.page(db, plugins_of(app), 2)
    assert {r.offer.school_id for r in first.results} == {s.id for s in near_schools}
    assert [r.offer.school_id for r in second.results] == [far.id]


# ------------------------------------------------------------------ the page


def test_the_page_remembers_filters_and_shows_each_result(db, app, client):
    school = _school(db, "9300", name="Sint-Jozefscollege")
    maths = _subject(db, "WIS")
    offer = _offer(db, school, maths, places=3, accepted=1, semester=Semester.SECOND)
    offer.attributes = {"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"}
    db.commit()
    html = _html(client, f"/aanbod?vak={maths.id}&postcode=9000&km=30&vrij=1")
    assert "1 resultaat" in html
    assert f'<option selected value="{maths.id}">' in html or f'value="{maths.id}" selected' in html
    assert 'name="postcode" required' not in html
    assert 'value="9000"' in html and 'value="30"' in html
    assert "Sint-Jozefscollege" in html and f'href="/scholen/{school.id}"' in html
    assert "Aalst" in html and "Wiskunde" in html and "2de semester" in html
    assert "ASO" in html  # level attributes through the plugin's template fragment
    assert re.search(r"<td>2</td>", html)  # free places
    assert "26 km" in html
    assert "Laatst bijgewerkt" in html and "<time" in html


def test_empty_state(db, client):
    html = _html(client, "/aanbod?postcode=9000&km=5")
    assert "0 resultaten" in html
    assert "Geen gepubliceerd aanbod gevonden voor deze filters." in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("postcode=9000&km=twintig", "km", "Vul de afstand in als een getal"),
        ("postcode=9000&km=0", "km", "Kies een afstand tussen 1 en 300 km."),
        ("postcode=4000&km=10", "postcode", "Deze postcode kennen we niet"),
        ("postcode=90", "postcode", "Een postcode heeft 4 cijfers."),
        ("km=10", "postcode", "Vul een postcode in om binnen een afstand te zoeken."),
        ("van=2027-03-01&tot=2027-02-01", "tot", "De einddatum ligt voor de begindatum."),
        ("van=morgen", "van", "Vul een datum in (dd/mm/jjjj)."),
        ("vrij=veel", "vrij", "Vul het aantal plaatsen in als een getal"),
        ("regio=atlantis", "regio", "Kies een waarde uit de lijst."),
        ("vak=abc", "vak", "Kies een waarde uit de lijst."),
    ],
)
def test_invalid_input_is_explained_next_to_the_field(client, query, field, message):
    html = _html(client, f"/aanbod?{query}")
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1), html
    assert "resultaten</h2>" not in html


def test_dates_in_belgian_notation_are_understood(db, app, client):
    _offer(db, _school(db), semester=Semester.SECOND)
    db.commit()
    february = semester_bounds(YEAR, Semester.SECOND)[0]
    html = _html(client, f"/aanbod?van={february:%d/%m/%Y}&tot={february:%d/%m/%Y}")
    assert "1 resultaat" in html


def _count_statements(app, client, url: str) -> int:
    """The statements of rendering ``url`` (not of serving it from the page cache)."""
    with captured_statements(app) as sent:
        assert client.get(url, headers={"Cache-Control": "no-cache"}).status_code == 200
    return len(sent)


def test_the_number_of_queries_does_not_grow_with_the_results(db, app, client):
    subjects = db.scalars(
        select(Subject).where(Subject.level_code == "secondary", Subject.active).limit(25)
    ).all()

    def add_schools(count):
        for n in range(count):
            school = _school(db, ["9000", "9300", "8000", "2000", "3500"][n % 5])
            _hosting(db, school, HostingAnswer.YES, capacity=10)
            _offer(db, school, subjects[n % len(subjects)])
        db.commit()

    url = "/aanbod?postcode=9000&vrij=1"
    add_schools(5)
    _html(client, url)  # warm up
    few = _count_statements(app, client, url)
    add_schools(45)
    many = _count_statements(app, client, url)
    assert "50 resultaten" in _html(client, url)
    assert few == many


# ------------------------------------------------------------------ the request link


def _coordinator(db, role=Role.PROGRAMME_COORDINATOR):
    programme = make_programme(db)
    user = User(email=f"{role.value}@example.org", name="Coördinator")
    membership = Membership(user=user, institution=programme, role=role)
    db.add_all([user, membership])
    db.commit()
    return user, membership


@pytest.fixture
def app_with_request_form(make_app, app):
    """An app where the request form exists (until it is built, a stand-in)."""
    built = make_app()
    if "placements.new_request" not in built.view_functions:

        @access(Access.MEMBER)
        def new_request():
            return "form"

        built.add_url_rule("/test-aanvraag", "placements.new_request", new_request)
    return built


def test_the_request_link_appears_for_programme_coordinators_once_the_form_exists(
    db, app_with_request_form
):
    school = _school(db)
    offer = _offer(db, school, semester=Semester.SECOND)
    db.commit()
    client = app_with_request_form.test_client()
    assert "Aanvraag maken" not in _html(client, "/aanbod")
    user, membership = _coordinator(db)
    sign_in(client, user, membership)
    html = _html(client, "/aanbod")
    assert "Aanvraag maken" in html
    with app_with_request_form.test_request_context():
        base = url_for("placements.new_request", offer=offer.id).split("?")[0]
    link = re.search(r'href="([^"]*)">Aanvraag maken', html).group(1)
    assert link.startswith(base)
    first, last = semester_bounds(YEAR, Semester.SECOND)
    for part in (
        f"offer={offer.id}",
        f"school={school.id}",
        f"subject={offer.subject_id}",
        f"period_start={first.isoformat()}",
        f"period_end={last.isoformat()}",
    ):
        assert part in link


def test_no_request_link_for_other_roles_or_without_the_form(db, make_app, app_with_request_form):
    _offer(db, _school(db))
    user, membership = _coordinator(db, Role.PROGRAMME_SUPERVISOR)
    client = app_with_request_form.test_client()
    sign_in(client, user, membership)
    assert "Aanvraag maken" not in _html(client, "/aanbod")
    without_form = make_app()
    without_form.view_functions.pop("placements.new_request", None)
    coordinator, coordinator_membership = _coordinator(db)
    client = without_form.test_client()
    sign_in(client, coordinator, coordinator_membership)
    assert "Aanvraag maken" not in _html(client, "/aanbod")


def test_the_municipalities_and_networks_to_choose_from_are_read_once_a_minute(app, client):
    html = client.get("/aanbod").get_data(as_text=True)
    assert ">Gent</option>" in html and "Alle onderwijsnetten" in html
    with captured_statements(app) as sent:
        again = client.get("/aanbod", headers={"Cache-Control": "no-cache"})
    assert again.get_data(as_text=True).count("<option") == html.count("<option")
    assert not [s for s, _ in sent if "FROM municipalities" in s or "FROM networks" in s]


# ------------------------------------------------------------------ suggestions


def test_suggestions_rank_schools_with_reasons(db, app):
    maths = _subject(db, "WIS")
    offering = _school(db, "9300", name="Aanbodschool")
    _offer(db, offering, maths, places=3, accepted=1)
    willing = _school(db, "9000", name="Jaschool")
    _hosting(db, willing, HostingAnswer.YES, estimates={maths: 3})
    maybe = _school(db, "9000", name="Misschienschool")
    _hosting(db, maybe, HostingAnswer.MAYBE, capacity=5, estimates={maths: 2})
    capped = _school(db, "9000", name="Volle school")
    _hosting(db, capped, HostingAnswer.MAYBE, capacity=2, accepted=2, estimates={maths: 2})
    full = _school(db, "9000", name="Volzet aanbod")
    _offer(db, full, maths, places=1, accepted=1)
    other_subject = _school(db, "9000", name="Fransschool")
    _hosting(db, other_subject, HostingAnswer.MAYBE, estimates={_subject(db, "FRA"): 2})
    far = _school(db, "3500", name="Verre school")
    _offer(db, far, maths)
    need = SchoolNeed(
        subject_id=maths.id, school_year=YEAR, origin=postcode_point(db, "9000"), max_km=40
    )
    with app.test_request_context():
        suggestions = suggest_schools(db, plugins_of(app), need)
    assert [(s.school.name, s.rank) for s in suggestions] == [
        ("Aanbodschool", 1),
        ("Jaschool", 2),
        ("Misschienschool", 3),
    ]
    reasons = [s.reason for s in suggestions]
    assert reasons[0] == "Gepubliceerd aanbod voor Wiskunde, 2 vrije plaatsen, 26 km"
    assert reasons[1] == (
        "Wil ontvangen (ongeveer 3 plaatsen voor Wiskunde), geen gepubliceerd aanbod, "
        "minder dan 1 km"
    )
    assert reasons[2] == (
        "Wil misschien ontvangen (ongeveer 2 plaatsen voor Wiskunde), geen gepubliceerd aanbod, "
        "minder dan 1 km"
    )


def test_suggestions_within_a_rank_nearest_first_and_by_region(db, app):
    maths = _subject(db, "WIS")
    for postcode, name in (("8000", "Brugse school"), ("9300", "Aalsterse school")):
        _offer(db, _school(db, postcode, name=name), maths)
    limburg = _school(db, "3500", name="Hasseltse school")
    _hosting(db, limburg, HostingAnswer.MAYBE, estimates={maths: 1})
    plugins = plugins_of(app)
    with app.test_request_context():
        near_ghent = suggest_schools(
            db, plugins, SchoolNeed(maths.id, YEAR, origin=postcode_point(db, "9000"))
        )
        in_limburg = suggest_schools(db, plugins, SchoolNeed(maths.id, YEAR, region_code="limburg"))
    assert [s.school.name for s in near_ghent] == [
        "Aalsterse school",
        "Brugse school",
        "Hasseltse school",
    ]
    assert [s.school.name for s in in_limburg] == ["Hasseltse school"]
    assert in_limburg[0].reason.endswith("geen gepubliceerd aanbod")


def test_the_suggestions_page_is_for_members(db, app, client):
    maths = _subject(db, "WIS")
    _hosting(db, _school(db, "9000", name="Jaschool"), HostingAnswer.YES, estimates={maths: 2})
    db.commit()
    assert client.get(f"/aanbod/suggesties?vak={maths.id}").status_code == 302
    user, membership = _coordinator(db)
    sign_in(client, user, membership)
    assert "Kies het vak van de student." not in _html(client, "/aanbod/suggesties")
    html = _html(client, f"/aanbod/suggesties?vak={maths.id}&postcode=9000&km=10")
    assert "1 school" in html and "Jaschool" in html
    assert "Wil ontvangen (ongeveer 2 plaatsen voor Wiskunde)" in html
    html = _html(client, "/aanbod/suggesties?vak=&postcode=9000&km=veel")
    assert "Kies het vak van de student." in html
    assert "Vul de afstand in als een getal" in html


def test_a_school_without_an_offer_links_to_a_request_for_the_subject(db, app_with_request_form):
    maths = _subject(db, "WIS")
    willing = _school(db, "9000", name="Jaschool")
    _hosting(db, willing, HostingAnswer.MAYBE, estimates={maths: 2})
    user, membership = _coordinator(db)
    client = app_with_request_form.test_client()
    sign_in(client, user, membership)
    html = _html(client, f"/aanbod/suggesties?vak={maths.id}")
    link = re.search(r'href="([^"]*)">Aanvraag maken', html).group(1)
    for part in (f"school={willing.id}", f"subject={maths.id}", "niveau=secondary"):
        assert part in link
    assert "offer=" not in link
