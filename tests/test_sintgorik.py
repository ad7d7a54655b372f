"""The Sint-Goriks bridge against a real HTTP server on loopback that plays the other side."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.accounts.models import Membership, Role, User
from core.bridges.models import BridgeMapping, BridgeOutbox, OutboxStatus, RunStatus
from core.bridges.runner import sync_bridge
from core.institutions.models import Institution, RegistrationStatus
from core.offers.models import Offer
from core.placements.models import PlacementRequest, RequestStatus
from core.placements.services import transition
from core.plugins.manager import plugins_of
from plugins.sintgorik_bridge.testing import SintGorik
from tests.factories import VALID_ATTRIBUTES, any_subject

TOKEN = "sint-goriks-test-token"
T0 = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def side():
    server = SintGorik(TOKEN)
    yield server
    server.stop()


@pytest.fixture
def bridge(app, db, side):
    """The app pointed at the other side, with one school, offer and request there."""
    app.config.update(
        {
            "sintgorik_bridge.url": side.url,
            "sintgorik_bridge.token": TOKEN,
            "sintgorik_bridge.timeout": 0.3,
            "sintgorik_bridge.retries": 1,
            "sintgorik_bridge.retry_delay": 0,
        }
    )
    subject = any_subject(db).code
    db.rollback()
    side.items["schools"].append(
        {
            "id": "S-1",
            "name": "Sint-Goriksinstituut",
            "institution_number": "901001",
            "network": "KOV",
            "street": "Kerkstraat 1",
            "postcode": "1000",
            "levels": ["secondary"],
            "updated_at": T0.isoformat(),
        }
    )
    side.items["offers"].append(
        {
            "id": "O-1",
            "school_id": "S-1",
            "school_year": "2026-2027",
            "level": "secondary",
            "subject": subject,
            "places": 2,
            "attributes": VALID_ATTRIBUTES["secondary"],
            "semester": "2",
            "updated_at": T0.isoformat(),
        }
    )
    side.items["requests"].append(_request("R-1", subject))
    return app


def _request(external_id: str, subject: str, **changes) -> dict:
    return {
        "id": external_id,
        "school_id": "S-1",
        "offer_id": "O-1",
        "programme": {"id": "P-1", "name": "Odisee Brussel", "organisation": "Odisee"},
        "student": {
            "id": f"ST-{external_id}",
            "first_name": "Amina",
            "last_name": "El Idrissi",
            "email": f"amina.{external_id.lower()}@student.example.org",
            "student_number": f"r-{external_id}",
        },
        "level": "secondary",
        "subject": subject,
        "attributes": VALID_ATTRIBUTES["secondary"],
        "period": {"start": "2027-02-01", "end": "2027-02-28"},
        "kind": "teaching",
        "hours": 40,
        "status": "submitted",
        "updated_at": T0.isoformat(),
        **changes,
    }


def _sync(app, db, **options):
    """One run; the test's session ends its transaction around it, so it sees the run."""
    db.rollback()
    run = sync_bridge(app, "sintgorik", locale="en", **options)
    db.rollback()
    db.expire_all()
    return run


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _accept_locally(app, db) -> PlacementRequest:
    """A school coordinator accepts the mapped request here (as on the web page)."""
    request = db.scalar(select(PlacementRequest))
    user = User(email="coordinator@sintgoriks.example.org", name="Coördinator")
    membership = Membership(user=user, institution=request.school, role=Role.SCHOOL_COORDINATOR)
    db.add_all([user, membership])
    db.flush()
    from core.access.policy import Actor

    transition(db, plugins_of(app), request, RequestStatus.ACCEPTED, Actor(user, membership))
    db.commit()
    return request


# ---------------------------------------------------------------------------- pulling


def test_a_sync_creates_everything_and_a_second_changes_nothing(bridge, db):
    first = _sync(bridge, db)
    assert first.status is RunStatus.SUCCEEDED, [i.reason for i in first.issues]
    assert (first.created, first.updated, first.unchanged, first.refused) == (5, 0, 0, 0)
    school = db.scalar(select(Institution).where(Institution.institution_number == "901001"))
    assert (school.region_code, school.network_code) == ("brussel", "KOV")
    assert school.status is RegistrationStatus.APPROVED
    assert school.main_campus.postcode == "1000"
    request = db.scalar(select(PlacementRequest))
    assert request.status is RequestStatus.SUBMITTED
    assert [(e.actor_id, e.reason) for e in request.events] == [
        (None, ""),
        (None, "bridge sintgorik"),
    ]

    second = _sync(bridge, db)
    assert second.status is RunStatus.SUCCEEDED
    assert (second.created, second.updated, second.unchanged, second.refused) == (0, 0, 5, 0)
    assert _count(db, Institution) == 2 and _count(db, PlacementRequest) == 1


def test_remote_changes_update_the_local_rows_through_the_state_machine(bridge, db, side):
    _sync(bridge, db)
    side.items["offers"][0].update(places=3, updated_at=(T0 + timedelta(days=1)).isoformat())
    side.request("R-1").update(status="completed", updated_at=(T0 + timedelta(days=2)).isoformat())
    run = _sync(bridge, db)
    assert run.status is RunStatus.SUCCEEDED, [i.reason for i in run.issues]
    assert (run.created, run.updated, run.unchanged) == (0, 2, 3)
    offer, request = db.scalar(select(Offer)), db.scalar(select(PlacementRequest))
    assert (offer.places, offer.accepted_count) == (3, 1)
    assert [e.to_status for e in request.events] == ["draft", "submitted", "accepted", "completed"]
    assert not side.received  # a change that came from Sint-Goriks is not sent back


def test_malformed_records_and_duplicate_ids_refuse_the_whole_run(bridge, db, side):
    side.items["schools"].append({"id": "S-2", "name": "", "network": "KOV"})
    side.items["schools"].append("not an object")
    side.items["offers"].append(dict(side.items["offers"][0], places=1))  # O-1 twice
    run = _sync(bridge, db)
    assert run.status is RunStatus.REFUSED
    assert run.refused == 5  # S-2, the string, both O-1 and R-1 (its offer was refused)
    reasons = {(i.kind, i.external_id, i.position): i.reason for i in run.issues}
    assert "name" in reasons[("school", "S-2", 2)] and "street" in reasons[("school", "S-2", 2)]
    assert ("school", "", 3) in reasons
    assert "2 times" in reasons[("offer", "O-1", 1)]
    assert "O-1" in reasons[("request", "R-1", 1)]
    assert _count(db, Institution) == 0 and _count(db, BridgeMapping) == 0


def test_partial_applies_the_good_records_and_reports_the_bad(bridge, db, side):
    side.items["offers"].append(dict(side.items["offers"][0], id="O-2", places=0))
    run = _sync(bridge, db, partial=True)
    assert run.status is RunStatus.PARTIAL
    assert (run.created, run.refused) == (5, 1)
    assert [(i.external_id, i.position) for i in run.issues] == [("O-2", 2)]
    assert "places" in run.issues[0].reason
    assert _count(db, Offer) == 1
    again = _sync(bridge, db, partial=True)
    assert (again.created, again.unchanged, again.refused) == (0, 5, 1)


def test_a_dry_run_counts_and_changes_nothing(bridge, db, side):
    run = _sync(bridge, db, dry_run=True)
    assert run.status is RunStatus.CHECKED and run.dry_run
    assert run.created == 5
    assert _count(db, Institution) == 0 and _count(db, BridgeMapping) == 0


def test_a_record_that_disappears_is_reported_and_kept(bridge, db, side):
    _sync(bridge, db)
    side.items["offers"].clear()
    side.items["requests"].clear()
    run = _sync(bridge, db)
    assert run.status is RunStatus.SUCCEEDED
    assert {(i.level.value, i.kind, i.external_id) for i in run.issues} == {
        ("warning", "offer", "O-1"),
        ("warning", "request", "R-1"),
    }
    assert _count(db, Offer) == 1 and _count(db, PlacementRequest) == 1


def test_a_local_change_newer_than_the_remote_one_is_reported_not_overwritten(bridge, db, side):
    _sync(bridge, db)
    offer = db.scalar(select(Offer))
    offer.notes = "Hier aangepast"
    db.commit()
    side.items["offers"][0].update(places=5, updated_at=(T0 + timedelta(days=1)).isoformat())
    run = _sync(bridge, db)
    assert (run.status, run.conflicts, run.updated) == (RunStatus.SUCCEEDED, 1, 0)
    assert run.issues[0].level.value == "conflict"
    assert (offer.places, offer.notes) == (2, "Hier aangepast")

    side.items["offers"][0]["updated_at"] = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    run = _sync(bridge, db)
    assert (run.conflicts, run.updated) == (0, 1)
    assert offer.places == 5


# ---------------------------------------------------------------------- the other side


def test_timeouts_are_retried_and_end_in_a_clear_report(bridge, db, side):
    side.delay = 0.6
    started = time.monotonic()
    run = _sync(bridge, db)
    assert time.monotonic() - started < 3
    assert run.status is RunStatus.FAILED
    assert run.message == (
        "Sint-Goriks did not answer within 0.3 seconds. Gave up after 2 attempt(s)."
    )
    assert side.hits == ["GET /v1/schools", "GET /v1/schools"]
    assert _count(db, Institution) == 0


def test_a_500_is_retried_and_a_lasting_one_fails_the_run_without_applying(bridge, db, side):
    side.fail["/v1/offers"] = [500]
    run = _sync(bridge, db)
    assert run.status is RunStatus.SUCCEEDED
    assert side.hits.count("GET /v1/offers") == 2

    side.items["schools"][0].update(name="Sint-Goriks", updated_at=datetime.now(UTC).isoformat())
    side.fail["/v1/requests"] = [500, 503]
    run = _sync(bridge, db)
    assert run.status is RunStatus.FAILED
    assert run.message == "Sint-Goriks answered with HTTP 503. Gave up after 2 attempt(s)."
    assert db.scalar(select(Institution.name).where(Institution.institution_number == "901001"))
    assert db.scalar(select(func.count()).where(Institution.name == "Sint-Goriks")) == 0


def test_a_server_that_is_down_or_refuses_the_token(bridge, db, side):
    bridge.config["sintgorik_bridge.url"] = _dead_url()
    run = _sync(bridge, db)
    assert run.status is RunStatus.FAILED
    assert run.message.startswith("Sint-Goriks cannot be reached (")
    bridge.config.update({"sintgorik_bridge.url": side.url, "sintgorik_bridge.token": "wrong"})
    run = _sync(bridge, db)
    assert run.message.startswith("Sint-Goriks refuses access (HTTP 401)")
    assert side.hits == ["GET /v1/schools"]  # a refused token is not retried


def test_an_answer_in_another_format_version_fails_the_run(bridge, db, side):
    side.raw["/v1/schools"] = json.dumps({"version": 2, "items": []}).encode()
    run = _sync(bridge, db)
    assert run.status is RunStatus.FAILED
    assert "exchange format version 1" in run.message
    side.raw["/v1/schools"] = b"<html>maintenance</html>"
    assert "not JSON" in _sync(bridge, db).message


def _dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -------------------------------------------------------------------------- pushing back


def test_an_accepted_request_is_pushed_back(bridge, db, side):
    _sync(bridge, db)
    request = _accept_locally(bridge, db)
    outbox = db.scalar(select(BridgeOutbox))
    assert (outbox.status, outbox.external_id) == (OutboxStatus.PENDING, "R-1")

    run = _sync(bridge, db)
    assert run.status is RunStatus.SUCCEEDED, run.message
    assert (run.pushed, run.waiting, run.unchanged, run.conflicts) == (1, 0, 5, 0)
    [received] = side.received
    assert received["request"] == "R-1"
    assert (received["version"], received["change_id"]) == (1, outbox.id)
    assert (received["status"], received["from_status"]) == ("accepted", "submitted")
    assert outbox.status is OutboxStatus.DELIVERED and outbox.attempts == 1
    assert request.status is RequestStatus.ACCEPTED


def test_with_the_server_down_a_change_waits_in_the_outbox_for_the_next_run(bridge, db, side):
    _sync(bridge, db)
    _accept_locally(bridge, db)
    live = side.url
    bridge.config["sintgorik_bridge.url"] = _dead_url()
    run = _sync(bridge, db)
    assert run.status is RunStatus.FAILED and (run.pushed, run.waiting) == (0, 1)
    side.fail["/v1/requests/R-1/status"] = [503, 503]
    bridge.config["sintgorik_bridge.url"] = live
    run = _sync(bridge, db)
    assert (run.pushed, run.waiting) == (0, 1)
    assert run.message.startswith("Sint-Goriks answered with HTTP 503")
    assert run.conflicts == 0  # Sint-Goriks did not change the request meanwhile

    run = _sync(bridge, db)
    assert (run.status, run.pushed, run.waiting, run.conflicts) == (RunStatus.SUCCEEDED, 1, 0, 0)
    assert len(side.received) == 1 and side.received[0]["status"] == "accepted"
    outbox = db.scalar(select(BridgeOutbox))
    db.refresh(outbox)
    assert outbox.attempts == 3 and outbox.status is OutboxStatus.DELIVERED  # one per run


def test_a_change_the_other_side_refuses_is_kept_and_reported(bridge, db, side):
    _sync(bridge, db)
    _accept_locally(bridge, db)
    side.refuse_posts = True
    run = _sync(bridge, db)
    refused = [i for i in run.issues if i.kind == "outbox"]
    assert refused and "HTTP 409" in refused[0].reason
    assert run.waiting == 0
    assert db.scalar(select(BridgeOutbox.status)) is OutboxStatus.REFUSED
    # Sint-Goriks then changes the request itself, but before our change: ours is kept.
    side.request("R-1").update(status="declined", reason="Vol", updated_at=T0.isoformat())
    run = _sync(bridge, db)
    assert (run.conflicts, run.updated) == (1, 0)
    assert db.scalar(select(PlacementRequest.status)) is RequestStatus.ACCEPTED


# ---------------------------------------------------------------------- command line


def test_the_command_line_reports_in_english_and_exits_non_zero_on_failure(bridge, side):
    cli = bridge.test_cli_runner()
    result = cli.invoke(args=["bridge", "sync", "sintgorik", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "checked: 5 created, 0 updated, 0 unchanged, 0 refused, 0 conflict(s)." in result.output
    side.fail["*"] = [500, 500]
    result = cli.invoke(args=["bridge", "sync", "sintgorik"])
    assert result.exit_code == 1
    assert "Sint-Goriks answered with HTTP 500. Gave up after 2 attempt(s)." in result.output
    assert "Traceback" not in result.output
    listing = cli.invoke(args=["bridge", "list"]).output
    assert "sintgorik: Sint-Goriks (plugin sintgorik_bridge)" in listing
    assert "sintgorik_bridge.url (set)" in listing and TOKEN not in listing
    assert "ready: yes" in listing
