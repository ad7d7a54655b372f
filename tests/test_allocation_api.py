"""Allocation over the API: wishes, a run, reviewing, editing, sending, the shortage."""

from __future__ import annotations

from sqlalchemy import func, select

from core.placements.models import PlacementRequest, RequestStatus
from tests.api_support import Api, issue_token
from tests.test_allocation import _cohort
from tests.world import build_world

RUN = {"school_year": "2026-2027", "period_start": "2026-10-05", "period_end": "2026-10-30"}


def _api(app, db, world, actor="programme_coordinator_a") -> Api:
    return Api(app.test_client(), issue_token(db, world, actor))


def test_a_coordinator_runs_reviews_edits_and_sends_a_proposal(app, db):
    world = build_world(db)
    students = _cohort(db, world, 3)
    api = _api(app, db, world)
    response = api.post("/allocation/proposals", json=RUN)
    assert response.status_code == 201, response.json
    proposal = response.json
    assert (proposal["needs"], proposal["placed"], proposal["status"]) == (3, 2, "draft")
    left = next(line for line in proposal["lines"] if line["offer_id"] is None)
    assert left["binding"]["kind"] == "offer" and "plaats" in left["explanation"]
    placed = next(line for line in proposal["lines"] if line["offer_id"])
    answer = api.patch(
        f"/allocation/proposals/{proposal['id']}/lines/{placed['id']}", json={"offer_id": None}
    )
    assert answer.status_code == 200 and answer.json["reason"] == "edited"
    assert api.get(f"/allocation/proposals/{proposal['id']}").json["placed"] == 1
    sent = api.post(f"/allocation/proposals/{proposal['id']}/send")
    assert sent.status_code == 200 and len(sent.json["request_ids"]) == 1
    db.rollback()
    request = db.get(PlacementRequest, sent.json["request_ids"][0])
    assert request.status is RequestStatus.SUBMITTED
    assert request.student_id in {s.id for s in students}
    again = api.post(f"/allocation/proposals/{proposal['id']}/send")
    assert again.status_code == 422 and again.json["errors"]["proposal"]
    listed = api.get("/allocation/proposals").json
    assert listed["items"][0]["status"] == "sent"


def test_wishes_are_read_and_replaced_with_precise_refusals(app, db):
    world = build_world(db)
    student = world.requests["a"].student
    subject = world.offers["a"].subject_id
    school = world.institutions["school_a"].id
    api = _api(app, db, world)
    assert api.get(f"/allocation/students/{student.id}/wishes").json["choices"] == []
    body = {"level_code": "secondary", "subject_id": subject, "choices": [{"school_id": school}]}
    answer = api.put(f"/allocation/students/{student.id}/wishes", json=body)
    assert answer.status_code == 200 and answer.json["choices"][0]["school_id"] == school
    bad = {**body, "max_km": 0, "choices": [{"school_id": school, "offer_id": 1}]}
    refused = api.put(f"/allocation/students/{student.id}/wishes", json=bad)
    assert refused.status_code == 422 and "choices" in refused.json["errors"]
    refused = api.put(f"/allocation/students/{student.id}/wishes", json={**body, "max_km": 0})
    assert refused.status_code == 422 and "max_km" in refused.json["errors"]
    assert api.put(f"/allocation/students/{student.id}/wishes", json={}).status_code == 422


def test_runs_and_edits_are_refused_with_4xx(app, db):
    world = build_world(db)
    _cohort(db, world, 1)
    api = _api(app, db, world)
    bad = api.post("/allocation/proposals", json={**RUN, "period_end": "2028-01-01"})
    assert bad.status_code == 422 and "period_start" in bad.json["errors"]
    for year in ("x", "0000-0001", "9999-10000"):
        assert (
            api.post("/allocation/proposals", json={**RUN, "school_year": year}).status_code == 422
        )
    proposal = api.post("/allocation/proposals", json=RUN).json
    line = proposal["lines"][0]
    url = f"/allocation/proposals/{proposal['id']}/lines/{line['id']}"
    assert api.patch(url, json={"offer_id": 2**31 - 2}).status_code == 422
    assert api.patch(url, json={"offer_id": "x"}).status_code == 422
    assert api.get("/allocation/shortage?school_year=nope").status_code == 422
    rows = api.get("/allocation/shortage?school_year=2026-2027").json["items"]
    assert rows and rows[0]["needs"] == 1


def test_another_programme_gets_404_and_changes_nothing(app, db):
    world = build_world(db)
    _cohort(db, world, 1)
    proposal = _api(app, db, world).post("/allocation/proposals", json=RUN).json
    other = _api(app, db, world, "programme_coordinator_b")
    assert other.get(f"/allocation/proposals/{proposal['id']}").status_code == 404
    assert other.post(f"/allocation/proposals/{proposal['id']}/send").status_code == 404
    assert other.get("/allocation/proposals").json["items"] == []
    before = db.scalar(select(func.count(PlacementRequest.id)))
    assert db.scalar(select(func.count(PlacementRequest.id))) == before


def test_a_cohort_without_wishes_gives_an_empty_proposal_that_cannot_be_sent(app, db):
    world = build_world(db)
    api = _api(app, db, world)
    proposal = api.post("/allocation/proposals", json=RUN)
    assert proposal.status_code == 201 and proposal.json["needs"] == 0
    sent = api.post(f"/allocation/proposals/{proposal.json['id']}/send")
    assert sent.status_code == 422 and sent.json["errors"]["proposal"]
    school = _api(app, db, world, "school_coordinator_a")
    assert school.post("/allocation/proposals", json=RUN).status_code == 403
    assert school.get("/allocation/shortage?school_year=2026-2027").status_code == 403
