"""Dashboards: each role's to-do list first, answering from it, the overview with counts and
CSV export, the secret calendar feed, and a constant number of queries per page."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, select

from core.access.policy import Actor
from core.accounts.models import Membership, Role, User
from core.catalogue.models import Subject
from core.dashboards import ics, queries
from core.database import database
from core.institutions.models import RegistrationStatus
from core.kept import MAX_AGE
from core.offers import school_years
from core.offers.models import HostingAnswer, HostingStatus, Offer, OfferStatus
from core.placements.models import PlacementRequest, RequestEvent
from core.placements.models import RequestStatus as S
from tests.factories import make_request, make_school
from tests.world import csrf, fresh, sign_in

TODAY = date.today()
THIS_YEAR = school_years.school_year_of(TODAY)
NEXT_YEAR = school_years.shift(THIS_YEAR, 1)
LAST_YEAR = school_years.shift(THIS_YEAR, -1)


def client_of(app, world, key):
    client = app.test_client()
    sign_in(client, world.users[key], world.memberships.get(key))
    return client


def add_request(db, world, status=S.SUBMITTED, name="Lotte", start=None, side="a", **fields):
    """A request of programme ``side`` to school ``side``, for a student called ``name``."""
    request = make_request(
        db,
        status,
        school=world.institutions[f"school_{side}"],
        programme=world.institutions[f"programme_{side}"],
    )
    request.student.first_name = name
    request.period_start = start or TODAY + timedelta(days=30)
    request.period_end = request.period_start + timedelta(days=13)
    for key, value in fields.items():
        setattr(request, key, value)
    db.flush()
    return request


def todo_section(html: str) -> str:
    """The first <section> of the page, which must be the to-do list."""
    start = html.index("<section", html.index('<main id="main">'))
    return html[start : html.index("</section>", start)]


def page_link(request) -> str:
    return f'/aanvragen/{request.id}"'


# ------------------------------------------------------------------ each role's dashboard


def test_a_school_sees_requests_to_answer_first_with_everything_needed(app, db, world):
    waiting = add_request(db, world, name="Wout", answer_deadline=TODAY + timedelta(days=2))
    foreign = add_request(db, world, side="b", name="Vreemd")
    db.commit()
    html = client_of(app, world, "school_coordinator_a").get("/dashboard").get_data(as_text=True)
    todo = todo_section(html)
    assert 'class="todo"' in todo and "Aanvragen die op je antwoord wachten (1)" in todo
    assert "Wout Peeters" in todo and "Opleiding A" in todo
    assert waiting.subject.name_nl in todo
    assert "nog 2 dagen" in todo
    assert f'action="/dashboard/aanvragen/{waiting.id}/antwoord"' in todo
    assert 'value="accepted"' in todo and 'value="declined"' in todo and 'name="reason"' in todo
    # Nothing of the programme's side, nor of another school.
    assert "Studenten zonder stageplaats" not in html
    assert waiting.student.student_number not in html
    assert page_link(foreign) not in html and "Vreemd" not in html


def test_a_programme_coordinator_sees_what_needs_following_up(app, db, world):
    programme = world.institutions["programme_a"]
    declined = add_request(db, world, status=S.DECLINED, name="Dirk")
    db.add(
        RequestEvent(
            placement_request=declined,
            from_status="submitted",
            to_status="declined",
            reason="Geen mentor vrij",
        )
    )
    expired = add_request(db, world, status=S.EXPIRED, name="Eva")
    waiting = add_request(db, world, name="Wim", answer_deadline=TODAY + timedelta(days=9))
    handled = add_request(db, world, status=S.DECLINED, name="Hanne")
    db.flush()
    retry = add_request(db, world, name="Hanne2")  # a new request for Hanne: handled
    retry.student = handled.student
    lonely = add_request(db, world, status=S.WITHDRAWN, name="Lies")
    history = add_request(db, world, S.DECLINED, "Oud", school_years.bounds(LAST_YEAR)[0])
    foreign = add_request(db, world, side="b", status=S.DECLINED, name="Vreemd")
    db.commit()
    html = client_of(app, world, "programme_coordinator_a").get("/dashboard").get_data(as_text=True)
    todo = todo_section(html)
    without = todo[todo.index("Studenten zonder stageplaats") : todo.index("Op te volgen")]
    assert "Peeters, Dirk" in without and "Peeters, Lies" in without
    assert "Peeters, Wim" not in without  # submitted counts as on its way
    follow = todo[todo.index("Op te volgen") : todo.index("Wachten op antwoord")]
    assert page_link(declined) in follow and "Geen mentor vrij" in follow
    assert page_link(expired) in follow
    assert page_link(handled) not in follow and page_link(lonely) not in follow
    assert page_link(history) not in follow  # last school year's refusals are history
    assert "Op te volgen: geweigerd of verlopen (2)" in follow
    waiting_part = todo[todo.index("Wachten op antwoord") :]
    assert page_link(waiting) in waiting_part and "nog 9 dagen" in waiting_part
    # Nothing of the school's side, nor of another programme.
    assert 'value="accepted"' not in html and "Nog geen aanbod gepubliceerd" not in html
    assert page_link(foreign) not in html
    assert programme.name in html


def test_a_supervisor_sees_their_students_placements_upcoming_first(app, db, world):
    supervisor = world.users["supervisor_a"]
    past = add_request(db, world, S.COMPLETED, "Piet", TODAY - timedelta(days=90))
    later = add_request(db, world, S.ACCEPTED, "Later", TODAY + timedelta(days=60))
    soon = add_request(db, world, S.ACCEPTED, "Soon", TODAY + timedelta(days=5))
    running = add_request(db, world, S.ACCEPTED, "Running", TODAY - timedelta(days=3))
    for request in (past, later, soon, running):
        request.supervisor = supervisor
    other = add_request(db, world, S.ACCEPTED, "Ander")  # no supervisor: not theirs
    db.commit()
    html = client_of(app, world, "supervisor_a").get("/dashboard").get_data(as_text=True)
    todo = todo_section(html)
    assert "Stages van je studenten" in todo
    order = [todo.index(page_link(r)) for r in (running, soon, later, past)]
    assert order == sorted(order)
    assert page_link(other) not in html
    assert "nu bezig" in todo
    assert 'value="accepted"' not in html and "Studenten zonder stageplaats" not in html


def test_a_mentor_sees_their_trainees_and_dates(app, db, world):
    mentor = world.users["mentor_a"]
    mine = add_request(db, world, S.ACCEPTED, "Mijn", date(2031, 3, 3), mentor=mentor)
    not_mine = add_request(db, world, S.ACCEPTED, "Niet")
    db.commit()
    html = client_of(app, world, "mentor_a").get("/dashboard").get_data(as_text=True)
    todo = todo_section(html)
    assert "Je stagiairs" in todo and page_link(mine) in todo
    assert "3/03/2031" in todo  # dates the Flemish way (nl_BE)
    assert mine.student.email in todo
    assert page_link(not_mine) not in html
    assert 'value="accepted"' not in html and mine.student.student_number not in html


def test_a_student_sees_only_their_own_requests_with_status(app, db, world):
    own = add_request(db, world, S.DECLINED, "Mezelf")
    own.student.user = world.users["student_a"]
    other = add_request(db, world, S.SUBMITTED, "Klasgenoot")
    db.commit()
    html = client_of(app, world, "student_a").get("/dashboard").get_data(as_text=True)
    todo = todo_section(html)
    assert "Je stageaanvragen" in todo
    assert page_link(own) in todo and "Geweigerd" in todo
    assert page_link(world.requests["a"]) in todo and "Aanvaard" in todo
    assert page_link(other) not in html and "Klasgenoot" not in html


def test_an_administrator_sees_counts_and_pending_registrations(app, db, world):
    make_school(db, name="Nog een school", status=RegistrationStatus.PENDING)
    add_request(db, world, S.SUBMITTED)
    db.commit()
    html = client_of(app, world, "admin").get("/dashboard").get_data(as_text=True)
    todo = todo_section(html)
    assert "2 aanmeldingen wachten op goedkeuring" in todo
    assert 'href="/beheer/aanmeldingen"' in todo
    assert re.search(r"Aanvaard</a></dt><dd>2</dd>", todo)
    assert re.search(r"Verstuurd</a></dt><dd>1</dd>", todo)


def test_the_platform_counts_are_reused_for_a_minute_and_say_when_they_were_counted(app, db, world):
    def submitted(now: float) -> int:
        with app.app_context():
            by_status, _counted_at = queries.request_counts(db, now)
        return dict(by_status)[S.SUBMITTED]

    with app.app_context():
        app.extensions.pop("stagebank.request_counts", None)
    before = submitted(1000.0)
    add_request(db, world, S.SUBMITTED)
    db.commit()
    assert submitted(1000.0 + MAX_AGE - 1) == before
    assert submitted(1000.0 + MAX_AGE) == before + 1
    html = client_of(app, world, "admin").get("/dashboard").get_data(as_text=True)
    assert re.search(r"Geteld om \d{1,2}:\d{2}", todo_section(html))


def test_the_dashboard_lists_are_plain_rows_with_what_they_show_in_order(app, db, world):
    later = add_request(db, world, name="Later", answer_deadline=TODAY + timedelta(days=5))
    sooner = add_request(db, world, name="Eerder", answer_deadline=TODAY + timedelta(days=1))
    add_request(db, world, name="Zonder")  # no deadline: last
    db.commit()
    actor = Actor(world.users["school_coordinator_a"], world.memberships["school_coordinator_a"])
    listing = queries.awaiting_answer(db, actor, limit=2)
    assert (listing.total, listing.more) == (3, 1)
    assert [row.id for row in listing.rows] == [sooner.id, later.id]
    row = listing.rows[0]
    assert isinstance(row, queries.RequestRow)
    assert (row.student_name, row.student_email) == ("Eerder Peeters", sooner.student.email)
    assert (row.school, row.programme) == ("School A", world.institutions["programme_a"].name)
    assert row.subject_in("nl-BE") == sooner.subject.name_nl
    assert row.subject_in("en") == sooner.subject.name_en
    placed = queries.placements(db, actor, TODAY).rows
    assert [(r.id, r.mentor, r.supervisor) for r in placed] == [
        (world.requests["a"].id, "Mentor A", "Supervisor A")
    ]


def test_every_dashboard_explains_itself(app, world):
    for key in (
        "school_coordinator_a",
        "mentor_a",
        "programme_coordinator_a",
        "supervisor_a",
        "student_a",
        "admin",
    ):
        todo = todo_section(client_of(app, world, key).get("/dashboard").get_data(as_text=True))
        assert "<summary>Hoe werkt dit?</summary>" in todo, key


# ------------------------------------------------------------------ answering in one click


def test_accepting_from_the_dashboard_takes_one_post(app, db, world):
    request = add_request(db, world, name="Anna")
    db.commit()
    client = client_of(app, world, "school_coordinator_a")
    html = client.get("/dashboard").get_data(as_text=True)
    action = f"/dashboard/aanvragen/{request.id}/antwoord"
    assert f'action="{action}"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(action, data={"csrf_token": token, "status": "accepted"})
    assert response.status_code == 302 and response.location.endswith("/dashboard")
    fresh(db)
    request = db.get(PlacementRequest, request.id)
    assert request.status == S.ACCEPTED
    assert request.events[-1].actor_id == world.users["school_coordinator_a"].id
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Aanvraag voor Anna Peeters: Aanvaard." in page
    assert f'action="{action}"' not in page  # no longer waiting


def test_declining_needs_a_reason_and_changes_nothing_without_one(app, db, world):
    request = add_request(db, world)
    db.commit()
    client = client_of(app, world, "school_coordinator_a")
    action = f"/dashboard/aanvragen/{request.id}/antwoord"
    response = client.post(
        action,
        data={"csrf_token": csrf(client), "status": "declined", "reason": "  "},
        follow_redirects=True,
    )
    assert "Geef een reden op." in response.get_data(as_text=True)
    fresh(db)
    assert db.get(PlacementRequest, request.id).status == S.SUBMITTED
    assert len(db.get(PlacementRequest, request.id).events) == 1
    client.post(
        action,
        data={"csrf_token": csrf(client), "status": "declined", "reason": "Geen mentor vrij"},
    )
    fresh(db)
    declined = db.get(PlacementRequest, request.id)
    assert declined.status == S.DECLINED and declined.events[-1].reason == "Geen mentor vrij"


def test_answers_are_refused_to_the_wrong_people(app, db, world):
    own = add_request(db, world)
    foreign = add_request(db, world, side="b")
    db.commit()
    school = client_of(app, world, "school_coordinator_a")
    response = school.post(
        f"/dashboard/aanvragen/{foreign.id}/antwoord",
        data={"csrf_token": csrf(school), "status": "accepted"},
    )
    assert response.status_code == 404
    programme = client_of(app, world, "programme_coordinator_a")
    page = programme.post(
        f"/dashboard/aanvragen/{own.id}/antwoord",
        data={"csrf_token": csrf(programme), "status": "accepted"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Je mag deze aanvraag niet in die status zetten." in page
    odd = school.post(
        f"/dashboard/aanvragen/{own.id}/antwoord",
        data={"csrf_token": csrf(school), "status": "completed"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Kies aanvaarden of weigeren." in odd
    no_token = school.post(f"/dashboard/aanvragen/{own.id}/antwoord", data={"status": "accepted"})
    assert no_token.status_code == 400
    fresh(db)
    assert {db.get(PlacementRequest, r.id).status for r in (own, foreign)} == {S.SUBMITTED}


# ----------------------------------------------------------------------- the offer prompt


def test_a_school_without_an_offer_is_prompted_first_with_the_copy_button(app, db, world):
    offer = world.offers["a"]
    offer.school_year = LAST_YEAR
    offer.period_start = offer.period_end = None
    db.commit()
    client = client_of(app, world, "school_coordinator_a")
    html = client.get("/dashboard").get_data(as_text=True)
    todo = todo_section(html)
    prompt = todo.index(f"Nog geen aanbod gepubliceerd voor {THIS_YEAR}")
    assert prompt < todo.index("Aanvragen die op je antwoord wachten")
    copy_form = f'action="/mijn-aanbod/kopieer?schooljaar={THIS_YEAR}"'
    assert copy_form in todo
    form = todo[todo.index(copy_form) : todo.index("</form>", todo.index(copy_form))]
    assert 'name="csrf_token"' in form
    # The year after: nothing to copy from yet, so a link to a new offer.
    assert f"Nog geen aanbod gepubliceerd voor {NEXT_YEAR}" in todo
    assert f'href="/mijn-aanbod/nieuw?schooljaar={NEXT_YEAR}"' in todo
    # One click copies and publishes; the prompt for this year is gone.
    client.post(f"/mijn-aanbod/kopieer?schooljaar={THIS_YEAR}", data={"csrf_token": csrf(client)})
    html = client.get("/dashboard").get_data(as_text=True)
    assert f"Nog geen aanbod gepubliceerd voor {THIS_YEAR}" not in html
    # Now next year can be copied from this one.
    assert f'action="/mijn-aanbod/kopieer?schooljaar={NEXT_YEAR}"' in html


def test_no_prompt_when_published_or_not_hosting(app, db, world):
    school = world.institutions["school_a"]
    world.offers["a"].school_year = THIS_YEAR
    db.add(HostingStatus(school=school, school_year=NEXT_YEAR, answer=HostingAnswer.NO))
    db.commit()
    html = client_of(app, world, "school_coordinator_a").get("/dashboard").get_data(as_text=True)
    assert "Nog geen aanbod gepubliceerd" not in html
    assert queries.offer_prompts(db, school, TODAY) == []
    world.offers["a"].status = OfferStatus.DRAFT
    db.flush()
    assert queries.offer_prompts(db, school, TODAY) == [queries.OfferPrompt(THIS_YEAR, False)]
    db.rollback()


# ------------------------------------------------------------------------------ overview


@pytest.fixture
def overview_world(db, world):
    """Programme A's requests across statuses, school years and two subjects."""
    subjects = db.scalars(
        select(Subject)
        .where(Subject.level_code == "secondary", Subject.active)
        .order_by(Subject.code)
        .limit(2)
    ).all()
    first, second = subjects
    specs = [
        (S.SUBMITTED, date(2025, 10, 1), first),
        (S.SUBMITTED, date(2026, 8, 31), second),  # last day of 2025-2026
        (S.ACCEPTED, date(2026, 9, 1), first),  # first day of 2026-2027
        (S.DECLINED, date(2026, 11, 5), second),
        (S.DECLINED, date(2027, 3, 1), first),
    ]
    made = [add_request(db, world, status, start=start, subject=s) for status, start, s in specs]
    db.commit()
    return {"requests": made, "subjects": (first, second)}


def _counts(db, world, key, **args):
    actor = Actor(world.users[key], world.memberships[key])
    filters = queries.OverviewFilters.from_args(args)
    return actor, filters, queries.overview_counts(db, actor, filters, "nl")


def _as_dict(items):
    return {c.value: c.count for c in items if c.count}


def test_overview_counts_without_filters(db, world, overview_world):
    actor, filters, counts = _counts(db, world, "programme_coordinator_a")
    first, second = overview_world["subjects"]
    # The world's own accepted request (Feb 2027) is there too; programme B's is not.
    assert counts.total == 6
    assert _as_dict(counts.statuses) == {"submitted": 2, "accepted": 2, "declined": 2}
    assert _as_dict(counts.school_years) == {"2025-2026": 2, "2026-2027": 4}
    assert [c.value for c in counts.school_years] == ["2026-2027", "2025-2026"]
    assert _as_dict(counts.subjects) == {str(first.id): 4, str(second.id): 2}
    assert len(queries.overview_page(db, actor, filters, 1)) == 6


def test_each_filter_and_a_combination(db, world, overview_world):
    first, second = overview_world["subjects"]
    _, filters, counts = _counts(db, world, "programme_coordinator_a", status="declined")
    assert counts.total == 2
    assert _as_dict(counts.statuses)["submitted"] == 2  # a status count ignores its own filter
    assert _as_dict(counts.school_years) == {"2026-2027": 2}
    actor, filters, counts = _counts(db, world, "programme_coordinator_a", schooljaar="2025-2026")
    assert counts.total == 2 and _as_dict(counts.statuses) == {"submitted": 2}
    assert {r.period_start for r in queries.overview_page(db, actor, filters, 1)} == {
        date(2025, 10, 1),
        date(2026, 8, 31),
    }
    _, _, counts = _counts(db, world, "programme_coordinator_a", vak=str(second.id))
    assert counts.total == 2
    actor, filters, counts = _counts(
        db,
        world,
        "programme_coordinator_a",
        status="declined",
        schooljaar="2026-2027",
        vak=str(first.id),
    )
    rows = queries.overview_page(db, actor, filters, 1)
    assert counts.total == 1 and [r.period_start for r in rows] == [date(2027, 3, 1)]
    # Nonsense is ignored rather than failing.
    _, filters, counts = _counts(
        db, world, "programme_coordinator_a", status="x", schooljaar="2026", vak="abc"
    )
    assert filters == queries.OverviewFilters() and counts.total == 6


def test_the_overview_page_shows_counts_filters_and_only_visible_requests(
    app, db, world, overview_world
):
    client = client_of(app, world, "programme_coordinator_a")
    html = client.get("/overzicht?status=declined").get_data(as_text=True)
    declined = [r for r in overview_world["requests"] if r.status == S.DECLINED]
    assert all(page_link(r) in html for r in declined)
    assert page_link(overview_world["requests"][0]) not in html
    assert page_link(world.requests["b"]) not in html
    assert '<strong aria-current="true">Geweigerd: 2</strong>' in html
    assert 'href="/overzicht?status=submitted">Verstuurd: 2</a>' in html
    assert "2 aanvragen" in html
    assert 'href="/overzicht.csv?status=declined"' in html
    school_html = (
        client_of(app, world, "school_coordinator_b").get("/overzicht").get_data(as_text=True)
    )
    assert page_link(world.requests["b"]) in school_html
    assert "1 aanvraag" in school_html


def test_the_overview_is_paginated(app, db, world, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    made = [add_request(db, world, start=date(2040, 1, 1) + timedelta(days=n)) for n in range(4)]
    db.commit()
    client = client_of(app, world, "school_coordinator_a")
    first = client.get("/overzicht").get_data(as_text=True)
    third = client.get("/overzicht?pagina=3").get_data(as_text=True)
    assert page_link(made[3]) in first and page_link(made[0]) not in first
    assert page_link(world.requests["a"]) in third
    assert 'href="/overzicht?pagina=2"' in first and 'rel="next"' in first


# ----------------------------------------------------------------------------------- CSV


def _csv(response):
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_for_a_school_has_name_and_email_but_never_the_student_number(app, db, world):
    request = add_request(db, world, S.ACCEPTED, name="Élise")
    request.student.student_number = "r0999999"
    request.student.home_postcode = "9000"
    db.commit()
    response = client_of(app, world, "school_coordinator_a").get("/overzicht.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert b"r0999999" not in response.get_data() and b"r0000001" not in response.get_data()
    rows = _csv(response)
    header = rows[0]
    assert header[:3] == ["Aanvraag", "Student", "E-mailadres student"]
    assert "Studentennummer" not in header and "Postcode woonplaats" not in header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_id) == {str(request.id), str(world.requests["a"].id)}
    row = by_id[str(request.id)]
    assert row["Student"] == "Élise Peeters"
    assert row["E-mailadres student"] == request.student.email
    assert row["Begindatum"] == request.period_start.isoformat()
    assert row["Status"] == "Aanvaard" and row["Lerarenopleiding"] == "Opleiding A"


def test_csv_for_a_programme_has_the_student_number_and_follows_the_filters(app, db, world):
    add_request(db, world, S.SUBMITTED, name="Sander")
    db.commit()
    client = client_of(app, world, "programme_coordinator_a")
    rows = _csv(client.get("/overzicht.csv?status=accepted"))
    header = rows[0]
    assert "Studentennummer" in header and "Postcode woonplaats" in header
    assert len(rows) == 2 and rows[1][header.index("Studentennummer")] == "r0000001"
    assert len(_csv(client.get("/overzicht.csv"))) == 3


def test_csv_headers_follow_the_language_and_formulas_are_defused(app, db, world):
    add_request(db, world, S.SUBMITTED, name="=HYPERLINK(1)")
    db.commit()
    client = client_of(app, world, "school_coordinator_a")
    client.get("/taal/en")
    rows = _csv(client.get("/overzicht.csv?status=submitted"))
    assert rows[0][:3] == ["Request", "Student", "Student's e-mail address"]
    assert "Start date" in rows[0]
    assert rows[1][1] == "'=HYPERLINK(1) Peeters"


# ------------------------------------------------------------------------------ calendar


def _new_feed(client) -> str:
    html = client.post("/kalender", data={"csrf_token": csrf(client, "/kalender")}).get_data(
        as_text=True
    )
    return re.search(r'id="feed-url"[^>]*value="([^"]+)"', html).group(1)


def _path(url: str) -> str:
    return urlsplit(url).path


def test_unknown_feed_tokens_answer_404(client, world):
    assert client.get("/kalender/not-a-real-token.ics").status_code == 404
    assert client.get("/kalender/.ics").status_code == 404


def test_a_school_feed_holds_its_accepted_internships_and_nothing_foreign(app, db, world):
    completed = add_request(db, world, S.COMPLETED, "Klaar", date(2027, 2, 1))
    add_request(db, world, S.SUBMITTED, "Wacht")
    add_request(db, world, S.DECLINED, "Nee")
    add_request(db, world, side="b", status=S.ACCEPTED, name="Vreemd")
    db.commit()
    client = client_of(app, world, "school_coordinator_a")
    url = _new_feed(client)
    assert url.startswith("http://localhost/kalender/") and url.endswith(".ics")
    response = app.test_client().get(_path(url))  # no login: the link is the key
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data()
    text = body.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert "\n" not in text.replace("\r\n", "")
    unfolded = text.replace("\r\n ", "")
    events = unfolded.split("BEGIN:VEVENT")[1:]
    assert len(events) == 2  # the world's accepted one and the completed one
    event = next(e for e in events if f"UID:request-{completed.id}@" in e)
    assert "DTSTART;VALUE=DATE:20270201\r\n" in event
    assert "DTEND;VALUE=DATE:20270215\r\n" in event  # the last day is 14 February
    assert "SUMMARY:Stage Klaar Peeters · " in event and "School A" in event
    for foreign in ("Vreemd", "Wacht", "Nee", "School B", "r0000001"):
        assert foreign not in unfolded
    assert f"request-{world.requests['b'].id}@" not in unfolded


def test_renewing_the_link_kills_the_old_one_and_only_a_hash_is_stored(app, db, world):
    client = client_of(app, world, "mentor_a")
    old = _new_feed(client)
    new = _new_feed(client)
    anonymous = app.test_client()
    assert anonymous.get(_path(old)).status_code == 404
    assert anonymous.get(_path(new)).status_code == 200
    token = _path(new).removeprefix("/kalender/").removesuffix(".ics")
    fresh(db)
    user = db.get(User, world.users["mentor_a"].id)
    assert user.calendar_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert "Je hebt een kalenderlink" in client.get("/kalender").get_data(as_text=True)
    assert token not in client.get("/kalender").get_data(as_text=True)
    client.post("/kalender/stoppen", data={"csrf_token": csrf(client, "/kalender")})
    assert anonymous.get(_path(new)).status_code == 404


def test_a_mentor_feed_holds_only_their_trainees(app, db, world):
    colleague = add_request(db, world, S.ACCEPTED, "Collega")  # no mentor yet
    db.commit()
    text = (
        app.test_client()
        .get(_path(_new_feed(client_of(app, world, "mentor_a"))))
        .get_data(as_text=True)
    )
    assert text.count("BEGIN:VEVENT") == 1
    assert f"request-{world.requests['a'].id}@" in text
    assert f"request-{colleague.id}@" not in text


def test_a_feed_covers_every_membership_of_its_person(app, db, world):
    user = world.users["mentor_a"]
    db.add(Membership(user=user, institution=world.institutions["programme_b"], role=Role.STUDENT))
    world.requests["b"].student.user = user
    db.commit()
    text = (
        app.test_client()
        .get(_path(_new_feed(client_of(app, world, "mentor_a"))))
        .get_data(as_text=True)
    )
    assert text.count("BEGIN:VEVENT") == 2


def test_administrators_get_no_feed(app, db, world):
    admin = client_of(app, world, "admin")
    assert "Platformbeheerders krijgen geen kalenderlink" in admin.get("/kalender").get_data(
        as_text=True
    )
    token = csrf(admin, "/dashboard")
    assert admin.post("/kalender", data={"csrf_token": token}).status_code == 400
    assert queries.calendar_requests(db, world.users["admin"]) == []


def test_ics_text_is_escaped_and_folded_on_character_boundaries():
    assert ics.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 100
    folded = ics.fold(line)
    parts = folded.encode().split(b"\r\n")
    assert all(len(part) <= 75 for part in parts)
    assert all(part.startswith(b" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line


# --------------------------------------------------------------------------- no N + 1


@contextmanager
def counted_statements(app):
    statements: list[str] = []
    engine = database(app).engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _fill(db, world, count: int) -> None:
    user = world.users
    for n in range(count):
        for status in (S.SUBMITTED, S.ACCEPTED, S.DECLINED):
            add_request(
                db,
                world,
                status,
                name=f"Student{n}",
                start=TODAY + timedelta(days=n),
                mentor=user["mentor_a"] if status == S.ACCEPTED else None,
                supervisor=user["supervisor_a"],
                answer_deadline=TODAY + timedelta(days=n),
            ).student.user = user["student_a"]
    db.commit()


@pytest.mark.parametrize(
    "key",
    [
        "school_coordinator_a",
        "mentor_a",
        "programme_coordinator_a",
        "supervisor_a",
        "student_a",
        "admin",
    ],
)
def test_dashboard_queries_do_not_grow_with_the_number_of_requests(app, db, world, key):
    client = client_of(app, world, key)
    counts = []
    for added in (2, 18):  # 2, then 20 of each status
        _fill(db, world, added)
        client.get("/dashboard")  # warm up (plugin enablement and such)
        with counted_statements(app) as statements:  # rendered, not kept by the page cache
            fresh = client.get("/dashboard", headers={"Cache-Control": "no-cache"})
            assert fresh.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_overview_and_feed_queries_do_not_grow_either(app, db, world):
    client = client_of(app, world, "school_coordinator_a")
    feed = _path(_new_feed(client))
    counts = []
    for added in (2, 18):
        _fill(db, world, added)
        with counted_statements(app) as statements:
            client.get("/overzicht")
            client.get("/overzicht.csv")
            client.get(feed)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_offer_rows_count_only_for_their_school(db, world):
    other = make_school(db, name="Andere school")
    db.add(
        Offer(
            school=other,
            campus=other.campuses[0],
            school_year=THIS_YEAR,
            level_code="secondary",
            subject=world.offers["a"].subject,
            attributes={},
            places=1,
            status=OfferStatus.PUBLISHED,
        )
    )
    world.offers["a"].school_year = LAST_YEAR
    db.flush()
    years = [
        p.school_year for p in queries.offer_prompts(db, world.institutions["school_a"], TODAY)
    ]
    assert years == [THIS_YEAR, NEXT_YEAR]
    db.rollback()
