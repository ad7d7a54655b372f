"""Every route of the app, for every role, on its own object and on a foreign one.

A route that declares no access level fails here (and is refused at run time). A foreign
object never answers 200: it answers 403 or 404, or sends the visitor to sign in.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule

from core.access.routes import Access, route_access
from core.accounts.models import AccountToken
from core.allocation.models import Proposal, ProposalLine
from core.api.models import ApiToken
from core.api.tokens import digest
from core.helpdesk.models import FaqEntry, Ticket
from core.newsletters.models import Newsletter, Segment
from core.placements.models import BulkUpload, InternshipKind, UploadStatus
from tests.api_support import Api, issue_token
from tests.world import build_world, sign_in

ACTORS = [
    "anonymous",
    "admin",
    "pending_coordinator",
    "school_coordinator_a",
    "mentor_a",
    "programme_coordinator_a",
    "supervisor_a",
    "student_a",
]
#: Statuses that show nothing of the object asked for.
REFUSED = {302, 400, 403, 404, 405, 410}
SAFE_METHODS_ONLY = {"GET", "POST"}
#: URL parameters that name an object of one side.
OBJECT_ARGUMENTS = {
    "request_id",
    "institution_id",
    "membership_id",
    "offer_id",
    "upload_id",
    "token_id",
    "ticket_id",
    "user_id",
    "student_id",
    "proposal_id",
    "line_id",
}


@pytest.fixture
def matrix_app(make_app, app):
    """An app with CSRF off, so POSTs reach the access checks (CSRF has its own tests)."""
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def world(app, db):
    built = build_world(db)
    built.uploads = {
        side: BulkUpload(
            programme_id=built.institutions[f"programme_{side}"].id,
            filename=f"aanvragen-{side}.csv",
            status=UploadStatus.DONE,
        )
        for side in ("a", "b")
    }
    db.add_all(built.uploads.values())
    built.proposals = {side: _proposal(built, side) for side in ("a", "b")}
    db.add_all(built.proposals.values())
    built.newsletter = Newsletter(subject="Nieuws", body="Tekst", segment=Segment.EVERYONE)
    built.faq_entry = FaqEntry(question_nl="Vraag?", answer_nl="Antwoord.")
    db.add_all([built.newsletter, built.faq_entry])
    # A helpdesk question of every person.
    built.tickets = {
        actor: Ticket(user=built.users[actor], subject="Vraag", body="Hoe?")
        for actor in [*ACTORS[1:], "school_coordinator_b"]
    }
    db.add_all(built.tickets.values())
    db.commit()
    # An API token for every person (``secrets``), and their ids (``token_ids``).
    built.secrets = {
        actor: issue_token(db, built, actor) for actor in [*ACTORS[1:], "school_coordinator_b"]
    }
    built.token_ids = {
        actor: db.scalar(select(ApiToken.id).where(ApiToken.token_hash == digest(secret)))
        for actor, secret in built.secrets.items()
    }
    return built


def _proposal(world, side: str) -> Proposal:
    """An allocation proposal of programme ``side`` with one line for its student."""
    request = world.requests[side]
    return Proposal(
        programme_id=world.institutions[f"programme_{side}"].id,
        school_year="2026-2027",
        period_start=request.period_start,
        period_end=request.period_end,
        kind=InternshipKind.TEACHING,
        method="flow",
        lines=[
            ProposalLine(
                student=request.student, subject=request.subject, reason="no_offer", detail={}
            )
        ],
    )


def _side_a_institution(world, actor: str):
    membership = world.memberships.get(actor)
    return membership.institution if membership else world.institutions["school_a"]


def _values(rule: Rule, world, actor: str, foreign: bool) -> dict:
    """URL values for ``rule``: the actor's own objects, or side B's."""
    own_institution = _side_a_institution(world, actor)
    foreign_institution = (
        world.institutions["programme_b"]
        if "programme" in own_institution.name.lower()
        or "opleiding" in own_institution.name.lower()
        else world.institutions["school_b"]
    )
    own_membership = world.memberships.get(actor) or world.memberships["school_coordinator_a"]
    own_school = (
        own_institution if own_institution.kind == "school" else world.institutions["school_a"]
    )
    values = {
        "request_id": (world.requests["b"] if foreign else world.requests["a"]).id,
        "institution_id": (foreign_institution if foreign else own_institution).id,
        "membership_id": (
            world.memberships["school_coordinator_b"] if foreign else own_membership
        ).id,
        "offer_id": (world.offers["b"] if foreign else world.offers["a"]).id,
        "upload_id": (world.uploads["b"] if foreign else world.uploads["a"]).id,
        # A school's public page: the actor's own school (else school A), or school B.
        "school_id": (world.institutions["school_b"] if foreign else own_school).id,
        "token": "not-a-real-token",
        # A personal API token: the actor's own (else the administrator's), or school B's.
        "token_id": world.token_ids[
            "school_coordinator_b" if foreign else actor if actor in world.token_ids else "admin"
        ],
        # A helpdesk question: the actor's own (else the administrator's), or school B's.
        "ticket_id": world.tickets[
            "school_coordinator_b" if foreign else actor if actor in world.tickets else "admin"
        ].id,
        # A person (administrators' pages): the actor (else the administrator), or school B's.
        "user_id": world.users[
            "school_coordinator_b" if foreign else actor if actor in world.users else "admin"
        ].id,
        "newsletter_id": world.newsletter.id,
        # Allocation: the student of request A or B, and the proposal of programme A or B.
        "student_id": (world.requests["b"] if foreign else world.requests["a"]).student_id,
        "proposal_id": world.proposals["b" if foreign else "a"].id,
        "line_id": world.proposals["b" if foreign else "a"].lines[0].id,
        "entry_id": world.faq_entry.id,
        "lang": "nl",
        "name": "primary",
        "filename": "style.css",
        "school_year": "2026-2027",
    }
    missing = set(rule.arguments) - set(values)
    assert not missing, f"teach the matrix about URL parameter(s) {missing} of {rule.rule}"
    return {name: values[name] for name in rule.arguments}


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


def _web_rules(app):
    """The web pages; the API (tokens only) is checked by the ``test_api_*`` tests below."""
    return [rule for rule in _rules(app) if not rule.rule.startswith("/api/")]


def _client(app, world, actor):
    client = app.test_client()
    if actor != "anonymous":
        sign_in(client, world.users[actor], world.memberships.get(actor))
    return client


def test_every_route_declares_its_access_level(matrix_app):
    undeclared = [
        rule.endpoint
        for rule in _rules(matrix_app)
        if route_access(matrix_app, rule.endpoint) is None
    ]
    assert not undeclared, f"routes without an access level: {undeclared}"


@pytest.mark.parametrize("actor", ACTORS)
def test_foreign_objects_are_never_shown(matrix_app, world, actor):
    client = _client(matrix_app, world, actor)
    for rule in _web_rules(matrix_app):
        if not OBJECT_ARGUMENTS & set(rule.arguments):
            continue
        url = rule.build(_values(rule, world, actor, foreign=True), append_unknown=False)[1]
        for method in sorted(rule.methods & SAFE_METHODS_ONLY):
            response = client.open(url, method=method)
            if actor == "admin" and "membership_id" not in rule.arguments:
                continue  # an administrator may see every institution and request
            assert response.status_code in REFUSED, (actor, method, url, response.status_code)


@pytest.mark.parametrize("actor", ACTORS)
def test_each_level_admits_exactly_its_people(matrix_app, world, actor):
    client = _client(matrix_app, world, actor)
    for rule in _web_rules(matrix_app):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        level = route_access(matrix_app, rule.endpoint)
        url = rule.build(_values(rule, world, actor, foreign=False), append_unknown=False)[1]
        status = client.get(url).status_code
        assert status != 500, (actor, url)
        signed_out = actor == "anonymous" and level in (Access.SIGNED_IN, Access.MEMBER)
        waiting = actor == "pending_coordinator" and level is Access.MEMBER
        if level is Access.ADMIN and actor != "admin":
            assert status in {302, 403}, (actor, url, status)
        elif signed_out or waiting:
            assert status == 302, (actor, url, status)


OWN_REQUEST_VIEWERS = {
    "admin",
    "school_coordinator_a",
    "mentor_a",
    "programme_coordinator_a",
    "supervisor_a",
    "student_a",
}


@pytest.mark.parametrize("actor", ACTORS)
def test_own_request_page_opens_for_the_people_involved(matrix_app, world, actor):
    client = _client(matrix_app, world, actor)
    status = client.get(f"/aanvragen/{world.requests['a'].id}").status_code
    assert (status == 200) == (actor in OWN_REQUEST_VIEWERS), (actor, status)


def test_a_mentor_sees_only_the_placements_assigned_to_them(matrix_app, world, db):
    other_mentor_request = world.requests["a"]
    other_mentor_request.mentor = None
    db.merge(other_mentor_request)
    db.commit()
    client = _client(matrix_app, world, "mentor_a")
    assert client.get(f"/aanvragen/{world.requests['a'].id}").status_code == 404
    assert "Lotte Peeters" not in client.get("/dashboard").get_data(as_text=True)


def test_dashboards_list_only_visible_requests(matrix_app, world):
    for actor in OWN_REQUEST_VIEWERS - {"admin"}:
        html = _client(matrix_app, world, actor).get("/dashboard").get_data(as_text=True)
        assert f'/aanvragen/{world.requests["a"].id}"' in html, actor
        assert f'/aanvragen/{world.requests["b"].id}"' not in html, actor
    html = _client(matrix_app, world, "admin").get("/dashboard").get_data(as_text=True)
    assert all(f'/aanvragen/{r.id}"' in html for r in world.requests.values())


def test_a_school_sees_only_what_it_needs_of_the_student(matrix_app, world):
    request_a = world.requests["a"]
    school = _client(matrix_app, world, "school_coordinator_a")
    html = school.get(f"/aanvragen/{request_a.id}").get_data(as_text=True)
    assert request_a.student.email in html
    assert request_a.student.student_number not in html
    programme = _client(matrix_app, world, "programme_coordinator_a")
    html = programme.get(f"/aanvragen/{request_a.id}").get_data(as_text=True)
    assert request_a.student.student_number in html


def test_switching_to_a_foreign_membership_changes_nothing(matrix_app, world):
    client = _client(matrix_app, world, "school_coordinator_a")
    foreign = world.memberships["school_coordinator_b"]
    assert client.post(f"/account/rol/{foreign.id}").status_code == 404
    html = client.get("/dashboard").get_data(as_text=True)
    assert "School A" in html and "School B" not in html


def test_only_coordinators_invite(matrix_app, world, db):
    school_a = world.institutions["school_a"]
    mentor = _client(matrix_app, world, "mentor_a")
    response = mentor.post(
        f"/instelling/{school_a.id}/leden", data={"email": "x@example.org", "role": "mentor"}
    )
    assert response.status_code in {403, 404}
    assert db.scalar(select(func.count()).select_from(AccountToken)) == 0
    page = mentor.get(f"/instelling/{school_a.id}/leden").get_data(as_text=True)
    assert "School A" in page and "Een collega uitnodigen" not in page


# --------------------------------------------------------------------------- the API
#
# The API answers tokens only: no token (or only the session cookie) is a 401; an own
# object answers 2xx to the people entitled to it, a foreign one 403 or 404.

MEMBERS = set(ACTORS) - {"anonymous", "pending_coordinator"}
#: Everyone with a token, also a person whose institution still waits (as on the web).
SIGNED_IN = set(ACTORS) - {"anonymous"}
#: Who gets a 2xx on each API reading of their own objects (everyone else: 403 or 404).
API_OWN_READERS = {
    "api-institutions.list_institutions": MEMBERS,
    "api-institutions.get_institution": MEMBERS,
    "api-institutions.list_levels": MEMBERS,
    "api-offers.search_offers": MEMBERS,
    "api-offers.get_offer": MEMBERS,  # offer A is published
    "api-offers.school_offers": {"school_coordinator_a", "admin"},
    "api-requests.list_requests": MEMBERS,
    "api-requests.get_request": OWN_REQUEST_VIEWERS,
    "api-requests.list_messages": OWN_REQUEST_VIEWERS,
    "api-students.list_students": {"programme_coordinator_a"},
    "api-reports.get_report": {"admin"},
    "api-hosting.get_hosting": {"school_coordinator_a", "admin"},
    "api-members.list_members": MEMBERS,
    "api-bulk.list_uploads": {"programme_coordinator_a"},
    "api-bulk.get_upload": {"programme_coordinator_a", "admin"},
    "api-bulk.upload_template": {"programme_coordinator_a"},
    "api-offers.suggest_schools": MEMBERS,
    "api-allocation.get_wishes": {"admin", "programme_coordinator_a", "student_a"},
    "api-allocation.list_proposals": {"programme_coordinator_a"},
    "api-allocation.get_proposal": {"admin", "programme_coordinator_a"},
    "api-allocation.get_shortage": {"admin", "programme_coordinator_a"},
    "api-overview.get_overview": MEMBERS,
    "api-overview.export_overview": MEMBERS,
    "api-account.get_notifications": SIGNED_IN,
    "api-account.get_personal_data": SIGNED_IN,
    "api-helpdesk.list_questions": SIGNED_IN,
    "api-helpdesk.get_question": SIGNED_IN,  # each one's own question
}
API_QUERIES = {
    "api-reports.get_report": "?from=2026-01-01&to=2026-12-31",
    "api-offers.suggest_schools": lambda world: f"?subject_id={world.offers['a'].subject_id}",
    "api-allocation.get_shortage": "?school_year=2026-2027",
}
#: Readable by every member, like the web's public pages: approved institutions and
#: published offers. Changing them stays with their own people.
API_SHARED_READING = {"api-institutions.get_institution", "api-offers.get_offer"}
#: A well-formed body for every API change of an object, so the access check is reached.
API_BODIES = {
    "api-offers.replace_offer": lambda world: _offer_body(world),
    "api-offers.update_offer": lambda world: {"places": 1},
    "api-requests.transition_request": lambda world: {"status": "cancelled", "reason": "x"},
    "api-requests.post_message": lambda world: {"body": "Hallo"},
    "api-requests.assign_mentor": lambda world: {"mentor_id": None},
    "api-hosting.set_hosting": lambda world: {"answer": "yes"},
    "api-offers.copy_last_year": lambda world: {"school_year": "2026-2027"},
    "api-members.invite": lambda world: {"email": "collega@example.org", "role": "mentor"},
    "api-allocation.put_wishes": lambda world: {
        "level_code": "secondary",
        "subject_id": world.offers["a"].subject_id,
    },
    "api-allocation.edit_line": lambda world: {"offer_id": None},
    "api-allocation.send_proposal": lambda world: {},
}


def _offer_body(world) -> dict:
    offer = world.offers["b"]
    return {
        "school_year": offer.school_year,
        "campus_id": offer.campus_id,
        "level_code": offer.level_code,
        "subject_id": offer.subject_id,
        "places": 1,
        "semester": "1",
    }


def _api_rules(app):
    return [
        rule
        for rule in _rules(app)
        if rule.rule.startswith("/api/") and route_access(app, rule.endpoint) is not Access.PUBLIC
    ]


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _api(app, world, actor) -> Api:
    return Api(app.test_client(), world.secrets.get(actor))


def test_the_api_answers_401_without_a_token_even_with_a_session(matrix_app, world):
    signed_in = _client(matrix_app, world, "admin")
    rules = _api_rules(matrix_app)
    assert len(rules) >= 10
    for rule in rules:
        url = rule.build(_values(rule, world, "admin", foreign=False), append_unknown=False)[1]
        for method in _methods(rule):
            for client in (matrix_app.test_client(), signed_in):
                response = client.open(url, method=method, json={})
                assert response.status_code == 401 and response.is_json, (method, url)


@pytest.mark.parametrize("actor", ACTORS[1:])
def test_the_api_opens_own_objects_to_the_people_entitled(matrix_app, world, actor):
    api = _api(matrix_app, world, actor)
    readings = [rule for rule in _api_rules(matrix_app) if "GET" in rule.methods]
    assert {rule.endpoint for rule in readings} == set(API_OWN_READERS)
    for rule in readings:
        url = rule.build(_values(rule, world, actor, foreign=False), append_unknown=False)[1]
        query = API_QUERIES.get(rule.endpoint, "")
        query = query(world) if callable(query) else query
        status = api.client.get(url + query, headers=api.headers)
        expected = {200} if actor in API_OWN_READERS[rule.endpoint] else {403, 404}
        assert status.status_code in expected, (actor, url, status.status_code)


@pytest.mark.parametrize("actor", ACTORS[1:])
def test_the_api_never_shows_or_changes_foreign_objects(matrix_app, world, actor):
    api = _api(matrix_app, world, actor)
    for rule in _api_rules(matrix_app):
        if not OBJECT_ARGUMENTS & set(rule.arguments):
            continue
        url = rule.build(_values(rule, world, actor, foreign=True), append_unknown=False)[1]
        for method in _methods(rule):
            if method == "GET" and rule.endpoint in API_SHARED_READING:
                continue
            if method != "GET":
                assert rule.endpoint in API_BODIES, f"teach the matrix a body for {rule.endpoint}"
            body = API_BODIES[rule.endpoint](world) if method != "GET" else None
            response = api.open(
                method, url.removeprefix("/api/v1"), json=body, headers={"If-Match": "*"}
            )
            if actor == "admin":
                assert response.status_code < 500, (method, url)
                continue  # the policy lets an administrator do anything
            assert response.status_code in {403, 404}, (actor, method, url, response.status_code)
