"""The API of a school's and an institution's own year: hosting status, copying last
year's offer, members and invitations; the web's rules and messages."""

from __future__ import annotations

from sqlalchemy import select

from core.catalogue.models import Subject
from core.offers.models import HostingAnswer, HostingStatus, Offer, OfferStatus
from tests.api_support import json_error as _error
from tests.factories import make_offer
from tests.test_accounts import last_mail, link_in

YEAR = "2026-2027"


def _hosting(world, school: str = "school_a", year: str = YEAR) -> str:
    return f"/institutions/{world.institutions[school].id}/hosting/{year}"


def _subjects(db, count: int, level: str = "secondary") -> list[int]:
    ids = list(
        db.scalars(
            select(Subject.id)
            .where(Subject.level_code == level, Subject.active)
            .order_by(Subject.id)
            .limit(count)
        )
    )
    db.rollback()  # end the read, so the app's writes are not blocked (SQLite)
    return ids


# ------------------------------------------------------------------ hosting status


def test_a_school_answers_whether_it_hosts_this_year(db, world, api_as):
    api = api_as("school_coordinator_a")
    unanswered = api.get(_hosting(world)).get_json()
    assert unanswered["answer"] is None and unanswered["estimates"] == []
    wis, other = _subjects(db, 2)
    body = {
        "answer": "maybe",
        "capacity": 4,
        "estimates": [{"subject_id": wis, "places": 2}, {"subject_id": other, "places": 1}],
    }
    saved = api.put(_hosting(world), json=body)
    assert saved.status_code == 200, saved.get_json()
    read = api.get(_hosting(world)).get_json()
    assert read["answer"] == "maybe" and read["capacity"] == 4 and read["free_capacity"] == 4
    assert {(e["subject_id"], e["places"]) for e in read["estimates"]} == {(wis, 2), (other, 1)}
    assert all(e["subject_name"] for e in read["estimates"])
    no = api.put(_hosting(world), json={"answer": "no", "no_reason": "renovation"}).get_json()
    assert no["no_reason"] == "renovation" and no["estimates"] == [] and no["capacity"] is None
    db.rollback()
    stored = db.scalar(select(HostingStatus).where(HostingStatus.school_year == YEAR))
    assert stored.answer is HostingAnswer.NO


def test_hosting_refusals_are_the_web_refusals(db, world, api_as, web_as):
    api = api_as("school_coordinator_a")
    message = "Kies waarom je school dit schooljaar geen stagiairs ontvangt."
    assert _error(api.put(_hosting(world), json={"answer": "no"}), 422)["errors"] == {
        "no_reason": [message]
    }
    web = web_as("school_coordinator_a")
    page = web.post("/mijn-aanbod/ontvangst", data={"school_year": YEAR, "answer": "no"})
    assert message in web.get(page.headers["Location"]).get_data(as_text=True)
    english = api_as("school_coordinator_a", language="en")
    body = _error(english.put(_hosting(world), json={"answer": "yes", "capacity": 501}), 422)
    assert body["errors"] == {"capacity": ["Enter a number between 0 and 500."]}


def test_estimates_need_a_subject_of_the_school_and_a_sensible_count(db, world, api_as):
    api = api_as("school_coordinator_a")
    (wis,) = _subjects(db, 1)
    (primary,) = _subjects(db, 1, level="primary")  # school A lists secondary only
    other_level = "Kies voor elke schatting een vak van je school."
    cases = [
        ([{"subject_id": wis, "places": 51}], "Een schatting ligt tussen 1 en 50 plaatsen."),
        ([{"subject_id": wis, "places": 0}], "Een schatting ligt tussen 1 en 50 plaatsen."),
        ([{"subject_id": 999999, "places": 1}], other_level),
        ([{"subject_id": primary, "places": 1}], other_level),
        (
            [{"subject_id": wis, "places": 1}, {"subject_id": wis, "places": 2}],
            "Geef elk vak hoogstens één schatting.",
        ),
    ]
    for estimates, message in cases:
        body = {"answer": "maybe", "estimates": estimates}
        errors = _error(api.put(_hosting(world), json=body), 422)["errors"]
        assert errors == {"estimates": [message]}, estimates


def test_the_path_needs_a_school_year(world, api_as):
    api = api_as("school_coordinator_a")
    for response in (
        api.get(_hosting(world, year="volgend")),
        api.put(_hosting(world, year="2026-2028"), json={"answer": "yes"}),
    ):
        assert _error(response, 422)["errors"] == {"school_year": ["Kies een schooljaar."]}
    body = _error(api.put(_hosting(world), json={"answer": "misschien"}), 422)
    assert set(body["errors"]) == {"answer"}


def test_only_the_schools_own_coordinator_sees_and_sets_its_hosting(world, api_as):
    assert _error(api_as("school_coordinator_a").get(_hosting(world, "school_b")), 404)
    assert _error(
        api_as("school_coordinator_a").put(_hosting(world, "school_b"), json={"answer": "yes"}),
        404,
    )
    assert _error(api_as("mentor_a").put(_hosting(world), json={"answer": "yes"}), 403)
    programme = api_as("programme_coordinator_a")
    assert _error(programme.get(_hosting(world, "programme_a")), 403)
    assert _error(programme.get(_hosting(world)), 404)
    read_only = api_as("school_coordinator_a", read_only=True)
    assert read_only.get(_hosting(world)).status_code == 200
    body = _error(read_only.put(_hosting(world), json={"answer": "yes"}), 403)
    assert body["message"] == "Deze token mag alleen lezen."


def test_a_full_school_takes_no_new_requests(db, world, api_as):
    api_as("school_coordinator_a").put(_hosting(world), json={"answer": "full"})
    offer = world.offers["a"]
    body = {
        "student_id": world.requests["b"].student_id,
        "school_id": offer.school_id,
        "offer_id": offer.id,
        "level_code": "secondary",
        "subject_id": offer.subject_id,
        "attributes": dict(offer.attributes),
        "period_start": "2027-03-01",
        "period_end": "2027-03-19",
    }
    db.rollback()
    refused = _error(api_as("programme_coordinator_b").post("/requests", json=body), 422)
    assert "Deze school ontvangt dit schooljaar geen stagiairs meer." in str(refused["errors"])


# ------------------------------------------------------------------ copying last year


def _copy(world, school: str = "school_a") -> str:
    return f"/institutions/{world.institutions[school].id}/offers/copy-previous-year"


def test_last_years_offer_is_copied_once_and_published(db, world, api_as):
    stale = make_offer(db, world.institutions["school_a"], attributes={"graad": "9"})
    db.commit()
    stale_id = stale.id
    api = api_as("school_coordinator_a")
    response = api.post(_copy(world), json={"school_year": "2027-2028"})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert [o["status"] for o in result["copied"]] == ["published"]
    assert result["copied"][0]["school_year"] == "2027-2028"
    assert [o["id"] for o in result["skipped"]] == [stale_id]
    again = api.post(_copy(world), json={"school_year": "2027-2028"}).get_json()
    assert again["copied"] == [] and [o["id"] for o in again["skipped"]] == [stale_id]
    db.rollback()
    copies = db.scalars(select(Offer).where(Offer.school_year == "2027-2028")).all()
    assert [(o.copied_from_id, o.status) for o in copies] == [
        (world.offers["a"].id, OfferStatus.PUBLISHED)
    ]


def test_copying_needs_a_school_year_and_the_own_school(world, api_as):
    api = api_as("school_coordinator_a")
    body = _error(api.post(_copy(world), json={"school_year": "volgend"}), 422)
    assert body["errors"] == {"school_year": ["Kies een schooljaar."]}
    assert _error(api.post(_copy(world), json={}), 422)["errors"] == {
        "school_year": ["Dit veld is verplicht."]
    }
    assert _error(api.post(_copy(world, "school_b"), json={"school_year": "2027-2028"}), 404)
    programme = api_as("programme_coordinator_a")
    assert _error(programme.post(_copy(world, "programme_a"), json={"school_year": YEAR}), 403)
    read_only = api_as("school_coordinator_a", read_only=True)
    assert _error(read_only.post(_copy(world), json={"school_year": "2027-2028"}), 403)


# ------------------------------------------------------------------ members, invitations


def _members(world, institution: str = "school_a") -> str:
    return f"/institutions/{world.institutions[institution].id}/members"


def _invite(world, institution: str = "school_a") -> str:
    return f"/institutions/{world.institutions[institution].id}/invitations"


def test_members_of_the_own_institution_are_listed(world, api_as):
    page = api_as("mentor_a").get(_members(world)).get_json()
    assert {(m["email"], m["role"]) for m in page["items"]} == {
        ("school_coordinator_a@example.org", "school_coordinator"),
        ("mentor_a@example.org", "mentor"),
    }
    assert page["pagination"]["total"] == 2
    assert _error(api_as("mentor_a").get(_members(world, "school_b")), 404)


def test_a_coordinator_invites_a_colleague_by_mail(app, db, world, api_as):
    api = api_as("school_coordinator_a")
    response = api.post(
        _invite(world), json={"email": " Nieuwe.Mentor@Example.org", "role": "mentor"}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "email": "nieuwe.mentor@example.org",
        "role": "mentor",
        "institution_id": world.institutions["school_a"].id,
    }
    mail = last_mail(db, "nieuwe.mentor@example.org")
    assert "School A" in mail.subject
    assert app.test_client().get(link_in(mail)).status_code == 200


def test_invitation_refusals_are_the_web_refusals(db, world, api_as, web_as):
    api = api_as("school_coordinator_a")
    role = "Deze rol bestaat niet voor deze instelling."
    body = _error(api.post(_invite(world), json={"email": "x@example.org", "role": "student"}), 422)
    assert body["errors"] == {"role": [role]}
    taken = {"email": "mentor_a@example.org", "role": "mentor"}
    message = "Deze persoon heeft die rol al in deze instelling."
    assert _error(api.post(_invite(world), json=taken), 422)["errors"] == {"email": [message]}
    web = web_as("school_coordinator_a")
    page = web.post(f"/instelling/{world.institutions['school_a'].id}/leden", data=taken)
    assert message in page.get_data(as_text=True)
    english = api_as("school_coordinator_a", language="en")
    bad = _error(english.post(_invite(world), json={"email": "geen-adres", "role": "mentor"}), 422)
    assert bad["errors"] == {"email": ["Enter a valid e-mail address."]}


def test_only_coordinators_invite_into_their_own_institution(db, world, api_as):
    body = {"email": "x@example.org", "role": "mentor"}
    assert _error(api_as("mentor_a").post(_invite(world), json=body), 403)
    assert _error(api_as("school_coordinator_a").post(_invite(world, "school_b"), json=body), 404)
    read_only = api_as("school_coordinator_a", read_only=True)
    assert _error(read_only.post(_invite(world), json=body), 403)
    assert last_mail(db, "x@example.org") is None


# ------------------------------------------------------------------ suggestions


def test_schools_are_suggested_for_a_students_need_as_on_the_web(world, api_as, web_as):
    offer = world.offers["a"]
    api = api_as("programme_coordinator_a")
    found = api.get(f"/offers/suggestions?subject_id={offer.subject_id}&school_year={YEAR}")
    assert found.status_code == 200, found.get_json()
    first = found.get_json()[0]
    assert {s["school_name"] for s in found.get_json()} == {"School A", "School B"}
    assert first["rank"] == 1 and first["offer_id"] in {offer.id, world.offers["b"].id}
    assert first["reason"]
    message = "Vul een postcode in om binnen een afstand te zoeken."
    refused = _error(api.get(f"/offers/suggestions?subject_id={offer.subject_id}&max_km=5"), 422)
    assert refused["errors"] == {"postcode": [message]}
    web = web_as("programme_coordinator_a").get(f"/aanbod/suggesties?vak={offer.subject_id}&km=5")
    assert message in web.get_data(as_text=True)
    assert set(_error(api.get("/offers/suggestions"), 422)["errors"]) == {"subject_id"}
