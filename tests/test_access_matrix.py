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


@pytest.fixture
def matrix_app(make_app, app):
    """An app with CSRF off, so POSTs reach the access checks (CSRF has its own tests)."""
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def world(app, db):
    built = build_world(db)
    db.commit()
    return built


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
    values = {
        "request_id": (world.requests["b"] if foreign else world.requests["a"]).id,
        "institution_id": (foreign_institution if foreign else own_institution).id,
        "membership_id": (
            world.memberships["school_coordinator_b"] if foreign else own_membership
        ).id,
        "offer_id": (world.offers["b"] if foreign else world.offers["a"]).id,
        "token": "not-a-real-token",
        "lang": "nl",
        "filename": "style.css",
    }
    missing = set(rule.arguments) - set(values)
    assert not missing, f"teach the matrix about URL parameter(s) {missing} of {rule.rule}"
    return {name: values[name] for name in rule.arguments}


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


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
    for rule in _rules(matrix_app):
        if not {"request_id", "institution_id", "membership_id", "offer_id"} & set(rule.arguments):
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
    for rule in _rules(matrix_app):
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
