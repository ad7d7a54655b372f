"""Concurrent accepts on separate app instances (separate connection pools, as separate
servers have) never overbook an offer."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from core.access.policy import Actor
from core.database import database
from core.offers.models import Offer
from core.placements import services
from core.placements.models import PlacementRequest, RequestStatus
from core.plugins.manager import plugins_of
from tests.world import build_world, submit_for_offer

PLACES = 3
ATTEMPTS = 8


def test_concurrent_accepts_fill_exactly_the_capacity(app, db, make_app):
    world = build_world(db)
    offer = world.offers["a"]
    offer.places = PLACES
    db.commit()
    request_ids = submit_for_offer(app, db, world, ATTEMPTS)
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
