"""A small world of two schools and two programmes, with a person in every role on each
side, for access-control tests: everything on side A is "own", side B is "foreign"."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from core.accounts.models import Membership, Role, User
from core.database import database
from core.institutions.models import Institution, RegistrationStatus
from core.offers.models import Offer
from core.placements.models import PlacementRequest, RequestStatus
from tests.factories import make_offer, make_programme, make_request, make_school

PASSWORD = "Correct-horse-42"
_HASHED: dict[str, str] = {}


def _hash_once(user: User) -> None:
    # scrypt is slow on purpose; hash the shared test password once per run.
    if PASSWORD not in _HASHED:
        user.set_password(PASSWORD)
        _HASHED[PASSWORD] = user.password_hash
    user.password_hash = _HASHED[PASSWORD]


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    institutions: dict[str, Institution] = field(default_factory=dict)
    requests: dict[str, PlacementRequest] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)


def _person(session, world: World, key: str, institution=None, role=None, admin=False) -> User:
    user = User(email=f"{key}@example.org", name=key.replace("_", " ").title(), is_admin=admin)
    _hash_once(user)
    session.add(user)
    if institution is not None:
        membership = Membership(user=user, institution=institution, role=role)
        session.add(membership)
        world.memberships[key] = membership
    world.users[key] = user
    return user


def build_world(session) -> World:
    world = World()
    for side in ("a", "b"):
        school = make_school(session, name=f"School {side.upper()}")
        programme = make_programme(session, name=f"Opleiding {side.upper()}")
        world.institutions[f"school_{side}"] = school
        world.institutions[f"programme_{side}"] = programme
        _person(session, world, f"school_coordinator_{side}", school, Role.SCHOOL_COORDINATOR)
        mentor = _person(session, world, f"mentor_{side}", school, Role.MENTOR)
        _person(
            session, world, f"programme_coordinator_{side}", programme, Role.PROGRAMME_COORDINATOR
        )
        supervisor = _person(
            session, world, f"supervisor_{side}", programme, Role.PROGRAMME_SUPERVISOR
        )
        student_user = _person(session, world, f"student_{side}", programme, Role.STUDENT)
        request = make_request(session, RequestStatus.ACCEPTED, school=school, programme=programme)
        request.mentor, request.supervisor = mentor, supervisor
        request.student.user = student_user
        world.requests[side] = request
        world.offers[side] = make_offer(session, school)
    pending = make_school(session, name="School in afwachting", status=RegistrationStatus.PENDING)
    world.institutions["pending"] = pending
    _person(session, world, "pending_coordinator", pending, Role.SCHOOL_COORDINATOR)
    _person(session, world, "admin", admin=True)
    session.flush()
    return world


def sign_in(client, user: User, membership: Membership | None = None) -> None:
    """Put a signed-in session on the test client (the login form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        if membership is not None:
            session["membership_id"] = membership.id


def submit_for_offer(app, session, world: World, count: int, side: str = "a") -> list[int]:
    """``count`` requests for the offer of school ``side``, each for a new student of
    programme ``side``, submitted by its coordinator and committed; returns their ids."""
    import datetime as dt

    from core.access.policy import Actor
    from core.placements import services
    from core.placements.models import Student
    from core.plugins.manager import plugins_of

    offer = world.offers[side]
    key = f"programme_coordinator_{side}"
    coordinator = Actor(world.users[key], world.memberships[key])
    ids = []
    with app.test_request_context():
        for number in range(count):
            student = Student(
                programme=world.institutions[f"programme_{side}"],
                first_name="S",
                last_name=str(number),
                email=f"s{number}@example.org",
                student_number=f"c{number}",
            )
            session.add(student)
            session.flush()
            created = services.create_request(
                session,
                plugins_of(app),
                coordinator,
                services.RequestValues(
                    student_id=student.id,
                    school_id=offer.school_id,
                    offer_id=offer.id,
                    level_code="secondary",
                    subject_id=offer.subject_id,
                    attributes=dict(offer.attributes),
                    period_start=dt.date(2027, 3, 1),
                    period_end=dt.date(2027, 3, 19),
                    kind="teaching",
                ),
            )
            ids.append(created.id)
    session.commit()
    return ids


def csrf(client, path: str = "/dashboard") -> str:
    """The CSRF token of the form on ``path`` (as a browser would send it back)."""
    import re

    html = client.get(path).get_data(as_text=True)
    return re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def fresh(db) -> None:
    """End the session's read snapshot and forget loaded rows: see what others committed."""
    db.rollback()
    db.expire_all()


@contextmanager
def captured_statements(app):
    """``(statement, parameters)`` of every SQL statement the app's engines send while
    the block runs (the data version is read through an engine of its own)."""
    sent: list[tuple[str, object]] = []

    def capture(_connection, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    engines = (database(app).engine, database(app).autocommit_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", capture)


def queries_in(sent: list[tuple[str, object]]) -> list[str]:
    """The statements that ask the database something: SQLite's explicit ``BEGIN`` (see
    :mod:`core.database`) is left out, so a budget is the same on both databases."""
    return [statement for statement, _ in sent if statement.strip().upper() != "BEGIN"]
