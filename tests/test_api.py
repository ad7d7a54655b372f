"""The REST API: tokens, errors, offers, requests, students, reports, docs; the same rules
and messages as the web pages."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy import select

from core.api.models import ApiToken
from core.api.tokens import digest, revoke_token
from core.offers import school_years
from core.offers.models import Offer, OfferStatus
from core.placements.models import PlacementRequest, RequestStatus
from tests.api_support import Api, issue_token
from tests.api_support import json_error as _error
from tests.factories import VALID_ATTRIBUTES, any_subject
from tests.redis_support import own_redis_database
from tests.world import sign_in

THIS_YEAR = school_years.upcoming(date.today())[0]


def _offer_body(db, world, **changes) -> dict:
    school = world.institutions["school_a"]
    body = {
        "school_year": THIS_YEAR,
        "campus_id": school.campuses[0].id,
        "level_code": "secondary",
        "subject_id": any_subject(db).id,
        "places": 2,
        "attributes": VALID_ATTRIBUTES["secondary"],
        "semester": "1",
    }
    db.rollback()  # end the read, so the app's writes are seen and not blocked (SQLite)
    return {**body, **changes}


# ------------------------------------------------------------------------ tokens


def test_without_a_working_token_the_api_answers_401_json(app, db, world, api_as):
    client = app.test_client()
    assert _error(client.get("/api/v1/requests"), 401)["message"].startswith("Geef een geldige")
    assert client.get("/api/v1/requests").headers["WWW-Authenticate"] == "Bearer"
    assert _error(Api(client, "sbk_unknown").get("/requests"), 401)
    api = api_as("school_coordinator_a")
    assert api.get("/requests").status_code == 200
    token = db.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
    revoke_token(db, world.users["school_coordinator_a"], token.id)
    db.commit()
    assert _error(api.get("/requests"), 401)


def test_tokens_are_stored_hashed_and_act_in_their_membership(db, world, api_as):
    api = api_as("programme_coordinator_a")
    secret = api.headers["Authorization"].removeprefix("Bearer ")
    stored = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    assert stored is not None and secret not in {stored.token_hash, stored.prefix}
    items = api.get("/requests").get_json()["items"]
    assert [item["id"] for item in items] == [world.requests["a"].id]


def test_a_deactivated_owner_makes_the_token_useless(db, world, api_as):
    api = api_as("school_coordinator_a")
    world.users["school_coordinator_a"].active = False
    db.commit()
    assert _error(api.get("/requests"), 401)


def test_the_session_cookie_never_works_for_the_api(app, world):
    client = app.test_client()
    sign_in(client, world.users["admin"])
    assert _error(client.get("/api/v1/requests"), 401)
    assert _error(client.post("/api/v1/students", json={}), 401)


def test_tokens_never_work_for_the_web_pages(app, world, api_as):
    api = api_as("school_coordinator_a")
    response = app.test_client().get("/dashboard", headers=api.headers)
    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]


def test_a_read_only_token_only_reads(world, api_as):
    api = api_as("school_coordinator_a", read_only=True)
    assert api.get(f"/requests/{world.requests['a'].id}").status_code == 200
    body = _error(
        api.post(f"/requests/{world.requests['a'].id}/transitions", json={"status": "completed"}),
        403,
    )
    assert body["message"] == "Deze token mag alleen lezen."


def test_a_pending_institution_token_may_do_nothing(api_as):
    assert _error(api_as("pending_coordinator").get("/requests"), 403)


# ------------------------------------------------------------------------ errors


def test_errors_are_json_and_follow_accept_language(world, api_as):
    dutch, english = api_as("mentor_a"), api_as("mentor_a", language="en")
    assert _error(dutch.get("/requests/999999"), 404)["message"].startswith("Dit bestaat niet")
    assert _error(english.get("/requests/999999"), 404)["message"].startswith("This does not")
    assert _error(dutch.get("/bestaat-niet"), 404)
    assert _error(dutch.get("/requests/99999999999"), 404)  # beyond any database integer
    not_allowed = dutch.open("DELETE", "/requests")
    assert _error(not_allowed, 405) and "GET" in not_allowed.headers["Allow"]
    body = _error(english.get("/requests?page=0"), 422)
    assert body["errors"] == {"page": ["Choose a page between 1 and 100000."]}


def test_unknown_fields_and_wrong_types_are_refused_per_field(db, world, api_as):
    api = api_as("school_coordinator_a")
    body = _error(api.post("/offers", json=_offer_body(db, world, places="veel", kleur=1)), 422)
    assert body["errors"] == {"places": ["Ongeldige waarde."], "kleur": ["Onbekend veld."]}


# ------------------------------------------------------------------------ offers


def test_offer_search_uses_the_web_filters(world, api_as):
    api = api_as("programme_coordinator_a")
    page = api.get("/offers?page_size=1").get_json()
    assert page["pagination"] == {"total": 2, "page": 1, "page_size": 1, "pages": 2}
    found = api.get(f"/offers?school_year=2026-2027&subject_id={world.offers['a'].subject_id}")
    assert {item["id"] for item in found.get_json()["items"]} == {
        world.offers["a"].id,
        world.offers["b"].id,
    }
    assert api.get("/offers?region=limburg").get_json()["items"] == []


def test_offer_search_refuses_what_the_web_search_refuses(world, api_as, web_as):
    api = api_as("programme_coordinator_a")
    body = _error(api.get("/offers?max_km=15"), 422)
    message = "Vul een postcode in om binnen een afstand te zoeken."
    assert body["errors"] == {"postcode": [message]}
    assert message in web_as("programme_coordinator_a").get("/aanbod?km=15").get_data(as_text=True)


def test_a_school_coordinator_creates_and_publishes_an_offer(db, world, api_as):
    api = api_as("school_coordinator_a")
    response = api.post("/offers", json=_offer_body(db, world, status="published"))
    assert response.status_code == 201, response.get_json()
    assert response.headers["ETag"]
    created = response.get_json()
    assert (
        created["status"] == "published"
        and created["school_id"] == world.institutions["school_a"].id
    )
    db.rollback()
    assert db.get(Offer, created["id"]).status is OfferStatus.PUBLISHED
    draft = api.post("/offers", json=_offer_body(db, world)).get_json()
    assert draft["status"] == "draft"
    own = api.get(
        f"/institutions/{world.institutions['school_a'].id}/offers?school_year={THIS_YEAR}"
    )
    assert {item["id"] for item in own.get_json()["items"]} >= {created["id"], draft["id"]}
    others = api_as("programme_coordinator_a").get(f"/offers?school_year={THIS_YEAR}").get_json()
    assert draft["id"] not in {item["id"] for item in others["items"]}


def test_others_may_not_create_offers(db, world, api_as):
    for actor in ("mentor_a", "programme_coordinator_a", "admin"):
        assert _error(api_as(actor).post("/offers", json=_offer_body(db, world)), 403)


def test_offer_refusals_are_the_web_form_refusals(db, world, api_as, web_as):
    api = api_as("school_coordinator_a")
    body = _error(api.post("/offers", json=_offer_body(db, world, semester=None)), 422)
    message = "Kies een semester of vul begin- en einddatum in."
    assert body["errors"] == {"period_start": [message]}
    form = {
        "school_year": THIS_YEAR,
        "campus_id": world.institutions["school_a"].campuses[0].id,
        "subject_id": any_subject(db).id,
        "places": "2",
        "action": "draft",
        **{f"secondary__{k}": v for k, v in VALID_ATTRIBUTES["secondary"].items()},
    }
    page = web_as("school_coordinator_a").post("/mijn-aanbod/nieuw?niveau=secondary", data=form)
    assert message in page.get_data(as_text=True)
    attributes = {"graad": "9"}
    body = _error(api.post("/offers", json=_offer_body(db, world, attributes=attributes)), 422)
    assert body["errors"] == {"attributes.graad": ["Kies een van: 1, 2, 3, senso."]}


def test_changing_an_offer_needs_its_current_etag(db, world, api_as):
    api = api_as("school_coordinator_a")
    offer_id = world.offers["a"].id
    etag = api.get(f"/offers/{offer_id}").headers["ETag"]
    body = _offer_body(db, world, places=3)
    assert _error(api.put(f"/offers/{offer_id}", json=body), 428)
    changed = api.put(f"/offers/{offer_id}", json=body, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["places"] == 3
    # The second client still holds the first ETag: it cannot overwrite silently.
    stale = api.patch(f"/offers/{offer_id}", json={"places": 4}, headers={"If-Match": etag})
    assert _error(stale, 412)
    fresh = changed.headers["ETag"]
    closed = api.patch(
        f"/offers/{offer_id}", json={"status": "closed"}, headers={"If-Match": fresh}
    )
    assert closed.get_json()["status"] == "closed" and closed.get_json()["places"] == 3
    db.rollback()
    assert db.get(Offer, offer_id).status is OfferStatus.CLOSED


def test_the_etag_does_not_depend_on_the_language(world, api_as):
    offer_id = world.offers["a"].id
    dutch = api_as("school_coordinator_a").get(f"/offers/{offer_id}")
    english = api_as("school_coordinator_a", language="en").get(f"/offers/{offer_id}")
    assert dutch.headers["ETag"] == english.headers["ETag"]


def test_a_foreign_offer_cannot_be_changed(db, world, api_as):
    api = api_as("school_coordinator_a")
    offer_b = world.offers["b"].id
    etag = api.get(f"/offers/{offer_b}").headers["ETag"]
    assert _error(
        api.patch(f"/offers/{offer_b}", json={"places": 1}, headers={"If-Match": etag}), 404
    )


def test_a_draft_is_seen_only_by_its_school(db, world, api_as):
    world.offers["a"].status = OfferStatus.DRAFT
    db.merge(world.offers["a"])
    db.commit()
    assert api_as("school_coordinator_a").get(f"/offers/{world.offers['a'].id}").status_code == 200
    assert _error(api_as("programme_coordinator_a").get(f"/offers/{world.offers['a'].id}"), 404)


# ------------------------------------------------------------------------ requests


def _request_body(db, world, **changes) -> dict:
    offer = world.offers["a"]
    body = {
        "student_id": world.requests["a"].student_id,
        "school_id": world.institutions["school_a"].id,
        "offer_id": offer.id,
        "level_code": "secondary",
        "subject_id": offer.subject_id,
        "attributes": VALID_ATTRIBUTES["secondary"],
        "period_start": "2026-10-05",
        "period_end": "2026-10-30",
        "kind": "teaching",
        "hours": 20,
    }
    db.rollback()
    return {**body, **changes}


def test_a_programme_sends_a_request_and_the_school_answers(db, world, api_as):
    programme, school = api_as("programme_coordinator_a"), api_as("school_coordinator_a")
    response = programme.post("/requests", json=_request_body(db, world))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "submitted" and "withdrawn" in created["available_transitions"]
    seen = school.get(f"/requests/{created['id']}").get_json()
    assert set(seen["student"]) == {"id", "full_name", "email"}  # no student number
    assert set(programme.get(f"/requests/{created['id']}").get_json()["student"]) >= {
        "student_number"
    }
    answered = school.post(f"/requests/{created['id']}/transitions", json={"status": "accepted"})
    assert answered.status_code == 200 and answered.get_json()["status"] == "accepted"
    db.rollback()
    request_ = db.get(PlacementRequest, created["id"])
    assert request_.status is RequestStatus.ACCEPTED
    assert [e.to_status for e in request_.events] == ["draft", "submitted", "accepted"]


def test_a_draft_request_is_submitted_later(db, world, api_as):
    programme = api_as("programme_coordinator_a")
    draft = programme.post("/requests", json=_request_body(db, world, submit=False)).get_json()
    assert draft["status"] == "draft"
    sent = programme.post(f"/requests/{draft['id']}/transitions", json={"status": "submitted"})
    assert sent.get_json()["status"] == "submitted"


def test_request_refusals_are_the_web_form_refusals(db, world, api_as, web_as):
    pending = world.institutions["pending"]
    api = api_as("programme_coordinator_a")
    body = _request_body(db, world, school_id=pending.id, offer_id=None)
    message = "Kies een school die op Stagebank geregistreerd is."
    assert _error(api.post("/requests", json=body), 422)["errors"] == {"school_id": [message]}
    form = {
        "student_id": world.requests["a"].student_id,
        "subject_id": body["subject_id"],
        "period_start": body["period_start"],
        "period_end": body["period_end"],
        "kind": "teaching",
        "hours": "20",
        "supervisor_id": "0",
        **{f"secondary__{k}": v for k, v in VALID_ATTRIBUTES["secondary"].items()},
    }
    page = web_as("programme_coordinator_a").post(
        f"/aanvragen/nieuw?school={pending.id}&niveau=secondary", data=form
    )
    assert message in page.get_data(as_text=True)


def test_transition_refusals_are_the_web_refusals(db, world, api_as, web_as):
    request_id = world.requests["a"].id
    body = _error(
        api_as("school_coordinator_a").post(
            f"/requests/{request_id}/transitions", json={"status": "cancelled"}
        ),
        409,
    )
    assert body["message"] == "Geef een reden op."
    web = web_as("school_coordinator_a")
    page = web.post(f"/aanvragen/{request_id}/status", data={"status": "cancelled"})
    assert "Geef een reden op." in web.get(page.headers["Location"]).get_data(as_text=True)
    english = api_as("school_coordinator_a", language="en").post(
        f"/requests/{request_id}/transitions", json={"status": "submitted"}
    )
    assert "cannot" in _error(english, 409)["message"]


def test_foreign_requests_are_not_found(world, api_as):
    api = api_as("programme_coordinator_a")
    foreign = world.requests["b"].id
    assert _error(api.get(f"/requests/{foreign}"), 404)
    assert _error(api.post(f"/requests/{foreign}/transitions", json={"status": "completed"}), 404)


def test_requests_filter_on_status_and_school_year(db, world, api_as):
    api = api_as("admin")
    assert api.get("/requests?status=accepted").get_json()["pagination"]["total"] == 2
    assert api.get("/requests?status=draft").get_json()["items"] == []
    assert api.get("/requests?school_year=2026-2027").get_json()["pagination"]["total"] == 2
    assert api.get("/requests?school_year=2027-2028").get_json()["pagination"]["total"] == 0
    body = _error(api.get("/requests?school_year=volgend"), 422)
    assert body["errors"] == {"school_year": ["Kies een schooljaar."]}


def test_messages_and_mentor_go_through_the_services(world, api_as):
    request_id = world.requests["a"].id
    school = api_as("school_coordinator_a")
    posted = school.post(f"/requests/{request_id}/messages", json={"body": "Welkom!"})
    assert posted.status_code == 201
    thread = api_as("programme_coordinator_a").get(f"/requests/{request_id}/messages").get_json()
    assert [m["body"] for m in thread] == ["Welkom!"]
    assert _error(school.post(f"/requests/{request_id}/messages", json={"body": " "}), 422)
    cleared = school.put(f"/requests/{request_id}/mentor", json={"mentor_id": None})
    assert cleared.get_json()["mentor_id"] is None
    wrong = school.put(
        f"/requests/{request_id}/mentor", json={"mentor_id": world.users["admin"].id}
    )
    assert _error(wrong, 422)["errors"] == {"mentor_id": ["Kies een mentor van je school."]}


# ------------------------------------------------------------------------ students


def test_a_programme_coordinator_lists_and_adds_students(world, api_as, web_as):
    api = api_as("programme_coordinator_a")
    student = {
        "first_name": "Noor",
        "last_name": "Janssens",
        "email": "noor@student.example.org",
        "student_number": "r0000002",
        "home_postcode": "9000",
    }
    assert api.post("/students", json=student).status_code == 201
    listed = api.get("/students").get_json()
    assert [s["student_number"] for s in listed["items"]] == ["r0000002", "r0000001"]
    message = "Dit studentennummer bestaat al in je opleiding."
    assert _error(api.post("/students", json=student), 422)["errors"] == {
        "student_number": [message]
    }
    page = web_as("programme_coordinator_a").post("/studenten", data=student)
    assert message in page.get_data(as_text=True)
    assert _error(api_as("school_coordinator_a").get("/students"), 403)


# ------------------------------------------------------------------------ reports


def test_reports_are_for_administrators(world, api_as):
    report = api_as("admin").get("/reports?from=2026-01-01&to=2026-12-31").get_json()
    assert report["from"] == "2026-01-01"
    sections = {section["key"]: section for section in report["sections"]}
    assert sections["requests_by_status"]["rows"] == [["accepted", 2]]
    assert (
        api_as("admin", language="en")
        .get("/reports?from=2026-01-01&to=2026-12-31")
        .get_json()["sections"][0]["title"]
        == "Requests by status"
    )
    body = _error(api_as("admin").get("/reports?from=2026-12-31&to=2026-01-01"), 422)
    assert body["errors"] == {"to": ["De einddatum ligt voor de begindatum."]}
    assert _error(api_as("school_coordinator_a").get("/reports?from=2026-01-01&to=2026-12-31"), 403)


# ------------------------------------------------------------------------ institutions


def test_institutions_filter_and_paginate(world, api_as):
    api = api_as("school_coordinator_a")
    schools = api.get("/institutions?kind=school").get_json()
    assert {i["name"] for i in schools["items"]} == {"School A", "School B"}  # not the pending one
    assert api.get("/institutions?region=limburg").get_json()["pagination"]["total"] == 0
    page = api.get("/institutions?page=2&page_size=3").get_json()
    assert page["pagination"] == {"total": 4, "page": 2, "page_size": 3, "pages": 2}
    assert _error(api.get(f"/institutions/{world.institutions['pending'].id}"), 404)
    pending = api_as("admin").get(f"/institutions/{world.institutions['pending'].id}")
    assert pending.get_json()["status"] == "pending"


# ------------------------------------------------------------------------ rate limits


def test_rate_limits_count_per_token(make_app, db, world):
    limited = make_app(API_RATE_LIMIT="2 per minute")
    first = Api(limited.test_client(), issue_token(db, world, "school_coordinator_a"))
    other = Api(limited.test_client(), issue_token(db, world, "programme_coordinator_a"))
    assert [first.get("/levels").status_code for _ in range(2)] == [200, 200]
    refused = first.get("/levels")
    assert _error(refused, 429)["message"].startswith("Te veel verzoeken")
    assert refused.headers["Retry-After"]
    assert other.get("/levels").status_code == 200


def test_with_redis_every_worker_shares_the_counts(make_app, db, world):
    with own_redis_database() as redis_url:
        workers = [make_app(API_RATE_LIMIT="3 per minute", REDIS_URL=redis_url) for _ in "ab"]
        secret = issue_token(db, world, "school_coordinator_a")
        statuses = [Api(workers[n % 2].test_client(), secret).get("/levels") for n in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]


# ------------------------------------------------------------------------ description


def test_the_description_covers_every_api_route_and_the_plugins_fields(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper()) for path, item in spec["paths"].items() for method in item
    } - {(path, "PARAMETERS") for path in spec["paths"]}
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api-")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes and routes == documented
    graad = spec["components"]["schemas"]["SecondaryRequestAttributes"]["properties"]["graad"]
    assert graad["enum"] == ["1", "2", "3", "senso"]
    offer_attributes = spec["components"]["schemas"]["OfferValues"]["properties"]["attributes"]
    assert {"$ref": "#/components/schemas/PrimaryOfferAttributes"} in offer_attributes["anyOf"]
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_documentation_page_works_offline_under_the_csp(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    )
    assert "<script>" not in html and "http" not in html.split("<body>")[1]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "docs.js"):
        assert client.get(f"/api/v1/docs/assets/{asset}").status_code == 200, asset
    assert client.get("/api/v1/docs/assets/../tokens.py").status_code == 404


# ------------------------------------------------------------------------ token pages


def test_a_person_makes_and_revokes_tokens_on_the_account_page(make_app, db, world):
    web_app = make_app(WTF_CSRF_ENABLED=False)
    client = web_app.test_client()
    membership = world.memberships["school_coordinator_a"]
    sign_in(client, world.users["school_coordinator_a"], membership)
    assert "/account/api-tokens" in client.get("/account").get_data(as_text=True)
    assert "Een token maken" in client.get("/account/api-tokens").get_data(as_text=True)
    page = client.post(
        "/account/api-tokens",
        data={"name": "Roosterprogramma", "membership_id": membership.id, "read_only": "y"},
    )
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    secret = html.split('<code id="new-token">')[1].split("</code>")[0]
    api = Api(web_app.test_client(), secret)
    assert api.get("/requests").status_code == 200
    assert _error(api.post("/students", json={}), 403)
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    assert token.read_only and token.membership_id == membership.id
    assert secret not in client.get("/account/api-tokens").get_data(as_text=True)
    client.post(f"/account/api-tokens/{token.id}/intrekken")
    assert _error(api.get("/requests"), 401)


def test_tokens_need_a_name_and_an_own_role(make_app, db, world):
    client = make_app(WTF_CSRF_ENABLED=False).test_client()
    sign_in(client, world.users["school_coordinator_a"])
    foreign = world.memberships["school_coordinator_b"].id
    page = client.post("/account/api-tokens", data={"name": "x", "membership_id": foreign})
    assert page.status_code == 400 and "Kies de rol waarin de token werkt." in page.get_data(
        as_text=True
    )
    own = world.memberships["school_coordinator_a"].id
    page = client.post("/account/api-tokens", data={"name": " ", "membership_id": own})
    assert "Geef de token een naam." in page.get_data(as_text=True)
    assert db.scalar(select(ApiToken)) is None


def test_one_cannot_revoke_someone_elses_token(make_app, db, world):
    issue_token(db, world, "school_coordinator_b")
    token = db.scalar(select(ApiToken))
    client = make_app(WTF_CSRF_ENABLED=False).test_client()
    sign_in(client, world.users["school_coordinator_a"])
    assert client.post(f"/account/api-tokens/{token.id}/intrekken").status_code == 404
    db.refresh(token)
    assert token.revoked_at is None


# ------------------------------------------------------------------------ command line


def test_the_cli_makes_a_token(app, cli, db, world):
    result = cli.invoke(args=["token", "create", "Programme_Coordinator_A@example.org"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert Api(app.test_client(), secret).get("/students").status_code == 200
    result = cli.invoke(
        args=["token", "create", "admin@example.org", "--read-only", "--name", "rapporten"]
    )
    admin = Api(app.test_client(), result.stdout.strip().splitlines()[-1])
    assert admin.get("/reports?from=2026-01-01&to=2026-12-31").status_code == 200
    assert _error(admin.post("/students", json={}), 403)


def test_the_cli_refuses_unknown_people_and_roles(cli, db, world):
    result = cli.invoke(args=["token", "create", "niemand@example.org"])
    assert result.exit_code != 0 and "No active account" in result.output
    school_b = world.institutions["school_b"].id
    result = cli.invoke(
        args=["token", "create", "mentor_a@example.org", "--institution", str(school_b)]
    )
    assert result.exit_code != 0 and "no such role" in result.output


def test_json_output_is_valid_for_lists(world, api_as):
    response = api_as("student_a").get("/requests")
    assert json.loads(response.get_data(as_text=True))["items"][0]["student"]["full_name"]
