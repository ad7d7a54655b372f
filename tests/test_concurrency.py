"""Concurrent accepts on separate app instances (separate connection pools, as separate
servers have) never overbook an offer."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from core.access.policy import Actor
from core.database import database
from core.offers.models import Offer
from core.placements import services
from core.placements.models import PlacementRequest, RequestStatus, Student
from core.plugins.manager import plugins_of
from tests.world import build_world

PLACES = 3
ATTEMPTS = 8


def test_concurrent_accepts_fill_exactly_the_capacity(app, db, make_app):
    world = build_world(db)
    offer = world.offers["a"]
    offer.places = PLACES
    coordinator = Actor(
        world.users["programme_coordinator_a"], world.memberships["programme_coordinator_a"]
    )
    db.commit()
    request_ids = []
    with app.test_request_context():
        for number in range(ATTEMPTS):
            student = Student(
                programme=world.institutions["programme_a"],
                first_name="S",
                last_name=str(number),
                email=f"s{number}@example.org",
                student_number=f"c{number}",
            )
            db.add(student)
            db.flush()
            created = services.create_request(
                db,
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
            request_ids.append(created.id)
    db.commit()
    school_user_id = world.users["school_coordinator_a"].id
    membership_id = world.memberships["school_coordinator_a"].id

    servers = [make_app() for _ in range(ATTEMPTS)]
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []

    def accept(server, request_id):
        with server.app_context(), database(server).sessionmaker() as session:
            from core.accounts.models import Membership, User

            actor = Actor(session.get(User, school_user_id), session.get(Membership, membership_id))
            placement_request = session.get(PlacementRequest, request_id)
            barrier.wait(timeout=30)
            try:
                services.transition(
                    session, plugins_of(server), placement_request, RequestStatus.ACCEPTED, actor
                )
                session.commit()
                outcomes.append("accepted")
            except services.TransitionRefused:
                session.rollback()
                outcomes.append("refused")
            except OperationalError:  # SQLite: a writer that lost the race is told to retry
                session.rollback()
                outcomes.append("busy")

    threads = [
        threading.Thread(target=accept, args=(server, request_id))
        for server, request_id in zip(servers, request_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    db.rollback()
    db.expire_all()
    accepted = db.scalar(
        select(func.count())
        .select_from(PlacementRequest)
        .where(
            PlacementRequest.id.in_(request_ids), PlacementRequest.status == RequestStatus.ACCEPTED
        )
    )
    counted = db.get(Offer, offer.id).accepted_count
    assert len(outcomes) == ATTEMPTS
    assert accepted == counted == outcomes.count("accepted")
    assert accepted <= PLACES
    if database(app).engine.dialect.name == "postgresql":
        # PostgreSQL waits for the row lock and re-checks: exactly the capacity goes through.
        assert accepted == PLACES
        assert outcomes.count("refused") == ATTEMPTS - PLACES
