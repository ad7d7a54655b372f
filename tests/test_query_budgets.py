"""Query budgets: every main page and API list costs a fixed, small number of SQL
statements however much data it shows (no N+1), and the main search and dashboard
queries are answered through indexes on PostgreSQL and SQLite alike."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, inspect, select, text

from core.access.policy import Actor
from core.accounts.models import Membership, Role, User
from core.catalogue.models import Subject
from core.dashboards import queries
from core.institutions.models import RegistrationStatus
from core.offers.models import HostingAnswer, HostingEstimate, HostingStatus, Offer, OfferStatus
from core.offers.school_years import school_year_of
from core.placements.models import (
    InternshipKind,
    PlacementRequest,
    RequestEvent,
    RequestMessage,
    RequestStatus,
    Student,
)
from core.plugins.manager import plugins_of
from core.search.query import OfferSearch
from tests.api_support import issue_token
from tests.factories import make_offer, make_programme, make_request, make_school
from tests.world import captured_statements, queries_in, sign_in

S = RequestStatus
TODAY = date.today()
THIS_YEAR = school_year_of(TODAY)
_serial = itertools.count(1)
#: New schools go round the regions, so that a region loaded per row would show.
REGIONS = ("oost-vlaanderen", "antwerpen", "limburg", "vlaams-brabant", "west-vlaanderen")


# ------------------------------------------------------------------ query budgets


def _subjects(db) -> list[Subject]:
    return list(
        db.scalars(
            select(Subject)
            .where(Subject.level_code == "secondary", Subject.active)
            .order_by(Subject.code)
        )
    )


def _person(db, institution, role: Role, label: str) -> User:
    user = User(email=f"{label}@example.org", name=label.title())
    db.add_all([user, Membership(user=user, institution=institution, role=role)])
    return user


def grow(db, world, count: int) -> None:
    """Add ``count`` of every kind of row the pages list, mostly for the world's side A:
    offers (with a mentor) of both schools, requests in several states (each for its own
    student, with mentor and supervisor), students without a request, messages and
    status changes on request A by different people, waiting registrations, and
    approved schools without an offer that would host the first subject."""
    users, places = world.users, world.institutions
    school, programme = places["school_a"], places["programme_a"]
    subjects = _subjects(db)
    for _ in range(count):
        n = next(_serial)
        subject = subjects[n % len(subjects)]
        offer = make_offer(db, school, subject=subject)
        offer.mentors.append(users["mentor_a"])
        make_offer(db, places["school_b"], subject=subjects[0])
        for status in (S.SUBMITTED, S.ACCEPTED, S.DECLINED, S.COMPLETED):
            request = make_request(db, status, school=school, programme=programme)
            request.offer, request.subject = offer, subject
            request.student.first_name, request.student.user = f"Student{n}", users["student_a"]
            request.period_start = request.answer_deadline = TODAY + timedelta(days=n)
            request.period_end = request.period_start + timedelta(days=13)
            request.supervisor = users["supervisor_a"]
            if status in (S.ACCEPTED, S.COMPLETED):
                request.mentor = users["mentor_a"]
        db.add(
            Student(
                programme=programme,
                first_name=f"Zonder{n}",
                last_name="Stage",
                email=f"zonder{n}@example.org",
                student_number=f"z{n:05d}",
            )
        )
        region = REGIONS[n % len(REGIONS)]
        pending = make_school(
            db, region, name=f"Wachtende school {n}", status=RegistrationStatus.PENDING
        )
        willing = make_school(db, region, name=f"Bereide school {n}")
        hosting = HostingStatus(school=willing, school_year=THIS_YEAR, answer=HostingAnswer.YES)
        hosting.estimates.append(HostingEstimate(subject_id=subjects[0].id, places=2))
        thread = world.requests["a"].id
        db.add_all(
            [
                hosting,
                RequestMessage(
                    request_id=thread,
                    author=_person(db, pending, Role.SCHOOL_COORDINATOR, f"wachtend{n}"),
                    institution=pending,
                    body=f"Bericht {n}",
                ),
                RequestEvent(
                    request_id=thread,
                    actor=_person(db, willing, Role.MENTOR, f"bereid{n}"),
                    from_status=S.ACCEPTED.value,
                    to_status=S.ACCEPTED.value,
                    reason=f"Nagekeken {n}",
                ),
            ]
        )
    db.commit()


@dataclass(frozen=True)
class Page:
    """A page (or API list) that ``who`` fetches, and the most statements it may cost
    (for a page the page cache keeps, with the data version it reads first)."""

    who: str
    path: str
    budget: int
    api: bool = False

    @property
    def id(self) -> str:
        return f"{'api' if self.api else 'web'}:{self.path.split('?')[0]}:{self.who}"


SEARCH = "/aanbod?niveau=secondary&regio=oost-vlaanderen&schooljaar={year}&postcode=9000&km=50"
SUGGESTIONS = "/aanbod/suggesties?vak={subject}&schooljaar={year}&postcode=9000"
PAGES = [
    Page("school_coordinator_a", "/dashboard", 8),
    Page("mentor_a", "/dashboard", 5),
    Page("programme_coordinator_a", "/dashboard", 8),
    Page("supervisor_a", "/dashboard", 5),
    Page("student_a", "/dashboard", 5),
    Page("admin", "/dashboard", 6),
    Page("programme_coordinator_a", SEARCH, 9),
    Page("programme_coordinator_a", SUGGESTIONS, 8),
    Page("programme_coordinator_a", "/scholen/{school}", 9),
    Page("school_coordinator_a", "/mijn-aanbod", 9),
    Page("school_coordinator_a", "/aanvragen/{request}", 16),
    Page("programme_coordinator_a", "/aanvragen/{request}", 16),
    Page("school_coordinator_a", "/overzicht", 7),
    Page("programme_coordinator_a", "/overzicht", 7),
    Page("programme_coordinator_a", "/overzicht.csv", 2),
    Page("programme_coordinator_a", "/studenten", 4),
    Page("admin", "/beheer/aanmeldingen", 5),
    Page("admin", "/beheer/scholen-zonder-aanbod", 4),
    Page("admin", "/beheer/gebruikers", 6),
    Page("admin", "/beheer/rapporten", 38),
    Page("programme_coordinator_a", "/offers?school_year={year}", 14, api=True),
    Page("school_coordinator_a", "/institutions/{school}/offers", 6, api=True),
    Page("school_coordinator_a", "/requests", 6, api=True),
    Page("programme_coordinator_a", "/requests", 6, api=True),
    Page("programme_coordinator_a", "/students", 5, api=True),
    Page("programme_coordinator_a", "/institutions", 8, api=True),
]


def _fetcher(app, db, world, page: Page):
    """A function that fetches ``page`` as its visitor and returns the response."""
    client = app.test_client()
    path = page.path.format(
        year=THIS_YEAR,
        subject=_subjects(db)[0].id,
        school=world.institutions["school_a"].id,
        request=world.requests["a"].id,
    )
    if page.api:
        headers = {"Authorization": f"Bearer {issue_token(db, world, page.who)}"}
        return lambda: client.get(f"/api/v1{path}", headers=headers)
    sign_in(client, world.users[page.who], world.memberships.get(page.who))
    # Rendered each time: a page kept by the page cache would cost only its version.
    return lambda: client.get(path, headers={"Cache-Control": "no-cache"})


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.id)
def test_a_page_costs_the_same_statements_for_three_times_the_data(app, db, world, page):
    """The page shows every added row, yet its number of statements stays the same and
    within its budget: nothing is loaded row by row."""
    fetch = _fetcher(app, db, world, page)
    sizes, counts = [], []
    for added in (2, 4):  # 2 of everything, then 6
        grow(db, world, added)
        fetch()  # warm up what the app keeps between requests
        with captured_statements(app) as sent:
            response = fetch()
        assert response.status_code == 200
        sizes.append(len(response.get_data()))
        counts.append(len(queries_in(sent)))
    assert sizes[1] > sizes[0], "the added rows do not reach the page"
    assert counts[0] == counts[1] <= page.budget, counts


# ------------------------------------------------------------------ query plans


def fill_for_plans(db) -> dict:
    """Enough rows that PostgreSQL's planner prefers an index where one fits: several
    years of offers of 30 schools, and 3,000 requests of 10 programmes to them."""
    schools = [make_school(db, REGIONS[n % len(REGIONS)]) for n in range(30)]
    programmes = [make_programme(db) for _ in range(10)]
    subjects = _subjects(db)[:12]
    years = [f"{year}-{year + 1}" for year in range(2019, int(THIS_YEAR[:4]) + 2)]
    statuses = list(OfferStatus)
    db.execute(
        insert(Offer),
        [
            {
                "school_id": school.id,
                "campus_id": school.campuses[0].id,
                "school_year": year,
                "level_code": "secondary",
                "subject_id": subject.id,
                "attributes": {},
                "places": 2,
                "status": statuses[(n + m) % len(statuses)],
            }
            for n, school in enumerate(schools)
            for year in years
            for m, subject in enumerate(subjects)
        ],
    )
    students = db.scalars(
        insert(Student).returning(Student.id),
        [
            {
                "programme_id": programmes[n % 10].id,
                "first_name": "S",
                "last_name": str(n),
                "email": f"s{n}@example.org",
                "student_number": f"p{n:05d}",
            }
            for n in range(3000)
        ],
    ).all()
    db.execute(
        insert(PlacementRequest),
        [
            {
                "programme_id": programmes[n % 10].id,
                "student_id": student,
                "school_id": schools[n % 30].id,
                "level_code": "secondary",
                "subject_id": subjects[n % len(subjects)].id,
                "period_start": TODAY + timedelta(days=n % 200),
                "period_end": TODAY + timedelta(days=n % 200 + 13),
                "kind": InternshipKind.TEACHING,
                "status": list(S)[n % len(S)],
            }
            for n, student in enumerate(students)
        ],
    )
    db.commit()
    if db.bind.dialect.name == "postgresql":
        # PostgreSQL plans from statistics, which autovacuum gathers only later.
        db.execute(text("ANALYZE"))
        db.commit()
    return {"school": schools[0], "programme": programmes[0], "subject": subjects[0]}


def index_reads(db, table: str, statement: str, parameters) -> list[set[str]]:
    """How the database plans to read ``table`` in ``statement``: for every access, the
    indexes it goes through (``pk_<table>`` for the primary key; an empty set is a full
    scan of the table)."""
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        details = [
            row[-1]
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
        pattern = rf"(SCAN|SEARCH) {table}\b(?:.* INDEX (\w+)|.* (INTEGER PRIMARY KEY))?"
        found = (re.match(pattern, d) for d in details)
        return [{match[2] or (match[3] and f"pk_{table}")} - {None} for match in found if match]
    [[document]] = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
    reads = []

    def walk(node: dict) -> None:
        if node.get("Relation Name") == table:
            reads.append(_index_names(node))
        for child in node.get("Plans", []):
            walk(child)

    walk(document[0]["Plan"])
    return reads


def _index_names(node: dict) -> set[str]:
    """The indexes under a PostgreSQL plan node (a bitmap scan may combine several)."""
    names = {node["Index Name"]} if "Index Name" in node else set()
    for child in node.get("Plans", []):
        if child["Node Type"].startswith("Bitmap"):
            names |= _index_names(child)
    return names


def _default_search(db, plugins, found):
    """The search page without filters: this school year and later ones."""
    OfferSearch(from_school_year=THIS_YEAR).page(db, plugins)


def _subject_search(db, plugins, found):
    """A programme looking for one subject (the level follows from the subject)."""
    search = OfferSearch(
        level_code="secondary",
        subject_id=found["subject"].id,
        region_code="oost-vlaanderen",
        from_school_year=THIS_YEAR,
    )
    search.page(db, plugins)


def _awaiting_answer(role: Role, institution: str):
    """The to-do list of a new coordinator of the filled school or programme."""

    def run(db, plugins, found):
        user = User(email=f"{role.value}@plan.example.org", name="Plan")
        db.add(Membership(user=user, institution=found[institution], role=role))
        db.flush()
        queries.awaiting_answer(db, Actor(user, user.memberships[0]))

    return run


@pytest.mark.parametrize(
    ("table", "conditions", "run"),
    [
        ("offers", {"status", "school_year"}, _default_search),
        ("offers", {"subject_id", "status", "school_year"}, _subject_search),
        (
            "placement_requests",
            {"school_id", "status"},
            _awaiting_answer(Role.SCHOOL_COORDINATOR, "school"),
        ),
        (
            "placement_requests",
            {"programme_id", "status"},
            _awaiting_answer(Role.PROGRAMME_COORDINATOR, "programme"),
        ),
    ],
    ids=["search", "search-by-subject", "school-dashboard", "programme-dashboard"],
)
def test_the_main_queries_read_their_table_through_indexes(app, db, table, conditions, run):
    """Every statement of the search and of the dashboard's to-do list reads the filtered
    table only through indexes that together hold the columns it narrows that table by."""
    found = fill_for_plans(db)
    with app.test_request_context(), captured_statements(app) as sent:
        run(db, plugins_of(app), found)
    columns = {
        index["name"]: set(index["column_names"])
        for index in inspect(db.connection()).get_indexes(table)
    }
    planned = [
        reads
        for statement, parameters in sent
        if re.search(rf"\bFROM {table}\b", statement)
        for reads in index_reads(db, table, statement, parameters)
    ]
    assert planned, sent
    for names in planned:
        assert names, f"{table} is read without an index"
        if names == {f"pk_{table}"}:
            continue  # rows picked by id, e.g. the offers of a search's page
        assert conditions <= set().union(*(columns[name] for name in names)), names
