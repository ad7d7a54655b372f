"""A school declares which philosophical subjects it teaches (philosophy_subjects plugin)."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.catalogue.models import Subject
from core.catalogue.services import schools_teaching
from core.plugins.manager import plugins_of
from tests.world import build_world, sign_in


def test_a_school_declares_its_subjects_and_is_suggested_only_for_those(app, db):
    world = build_world(db)  # test schools are GO! schools: all seven subjects by default
    db.commit()
    school = world.institutions["school_a"]
    client = app.test_client()
    sign_in(client, world.users["school_coordinator_a"], world.memberships["school_coordinator_a"])
    assert "Welke levensbeschouwelijke vakken" in client.get("/mijn-aanbod").get_data(as_text=True)
    page = client.get("/plugin/levensbeschouwing").get_data(as_text=True)
    assert page.count("checked") == 7
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(
        "/plugin/levensbeschouwing", data={"csrf_token": token, "subjects": ["NCZ", "ISL", "bogus"]}
    )
    db.rollback()
    with app.app_context():
        codes = {
            code: schools_teaching(
                db,
                plugins_of(app),
                db.scalar(
                    select(Subject).where(Subject.code == code, Subject.level_code == "secondary")
                ),
            )
            for code in ("NCZ", "ISL", "RKG")
        }
    assert school.id in codes["NCZ"] and school.id in codes["ISL"]
    assert school.id not in codes["RKG"]
    assert world.institutions["school_b"].id in codes["RKG"]


def test_only_the_school_coordinator_declares(app, db):
    world = build_world(db)
    db.commit()
    for who in ("mentor_a", "programme_coordinator_a"):
        client = app.test_client()
        sign_in(client, world.users[who], world.memberships[who])
        assert client.get("/plugin/levensbeschouwing").status_code == 403, who


def test_suggestions_leave_out_schools_that_do_not_teach_the_subject(app, db):
    import datetime as dt

    from core.offers import school_years
    from core.offers.models import HostingAnswer, HostingEstimate, HostingStatus
    from core.search.services import SchoolNeed, suggest_schools
    from plugins.philosophy_subjects.teaching import declare

    world = build_world(db)
    year = school_years.school_year_of(dt.date.today())
    islam = db.scalar(
        select(Subject).where(Subject.code == "ISL", Subject.level_code == "secondary")
    )
    for side in ("a", "b"):
        db.add(
            HostingStatus(
                school=world.institutions[f"school_{side}"],
                school_year=year,
                answer=HostingAnswer.YES,
                accepted_count=0,
                estimates=[HostingEstimate(subject_id=islam.id, places=1)],
            )
        )
    declare(db, world.institutions["school_b"], {"RKG"})  # school B: Catholic religion only
    db.commit()
    with app.test_request_context():
        names = [
            s.school.name
            for s in suggest_schools(
                db, plugins_of(app), SchoolNeed(subject_id=islam.id, school_year=year)
            )
        ]
    assert names == ["School A"]
