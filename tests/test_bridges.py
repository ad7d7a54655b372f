"""The bridge framework: service entry points, run rules, mapping, conflicts, outbox, the
command line and the admin page, with a bridge whose other side lives in memory."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from core.bridges.models import BridgeMapping, BridgeOutbox, BridgeRun, RunStatus
from core.bridges.outbox import queue_status_change
from core.bridges.runner import BridgeRefused, bridge_settings, sync_bridge
from core.institutions.models import Institution
from core.offers.models import Offer
from core.offers.services import OfferRefused, OfferValues, save_offer
from core.placements.models import RequestStatus, Student
from core.placements.services import (
    RequestRefused,
    RequestValues,
    import_request,
    status_path,
    transition,
)
from core.plugins import hookimpl
from core.plugins.manager import plugins_of
from core.plugins.types import BridgeRecord, BridgeSpec
from tests.factories import (
    VALID_ATTRIBUTES,
    any_subject,
    make_offer,
    make_programme,
    make_request,
    make_school,
)
from tests.world import sign_in

S = RequestStatus
WHEN = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


# -------------------------------------------------------------------- service entry points


def test_status_path_walks_the_state_machine():
    assert status_path(S.DRAFT, S.COMPLETED) == [S.SUBMITTED, S.ACCEPTED, S.COMPLETED]
    assert status_path(S.DRAFT, S.DECLINED) == [S.SUBMITTED, S.DECLINED]
    assert status_path(S.ACCEPTED, S.ACCEPTED) == []
    assert status_path(S.DECLINED, S.ACCEPTED) is None


def _values(db, school, programme, offer=None, **changes) -> RequestValues:
    student = Student(
        programme=programme,
        first_name="Lotte",
        last_name="Peeters",
        email="lotte@example.org",
        student_number=f"r{db.scalar(select(func.count(Student.id)))}",
    )
    db.add(student)
    db.flush()
    values = {
        "student_id": student.id,
        "school_id": school.id,
        "level_code": "secondary",
        "subject_id": (offer.subject_id if offer else any_subject(db).id),
        "period_start": dt.date(2027, 2, 1),
        "period_end": dt.date(2027, 2, 28),
        "kind": "teaching",
        "offer_id": offer.id if offer else None,
        "attributes": VALID_ATTRIBUTES["secondary"],
    } | changes
    return RequestValues(**values)


def test_import_request_records_every_step_and_still_checks(app, db):
    plugins = plugins_of(app)
    school, programme = make_school(db), make_programme(db)
    offer = make_offer(db, school, places=1)
    with app.app_context():
        request = import_request(
            db,
            plugins,
            programme,
            _values(db, school, programme, offer),
            S.COMPLETED,
            "import mentorant",
        )
        assert [(e.from_status, e.to_status, e.actor_id, e.reason) for e in request.events] == [
            (None, "draft", None, ""),
            ("draft", "submitted", None, "import mentorant"),
            ("submitted", "accepted", None, "import mentorant"),
            ("accepted", "completed", None, "import mentorant"),
        ]
        assert offer.accepted_count == 1
        with pytest.raises(RequestRefused) as refused:  # the offer is full now
            import_request(
                db, plugins, programme, _values(db, school, programme, offer), S.ACCEPTED, "x"
            )
        assert "offer_id" in refused.value.errors
        with pytest.raises(RequestRefused) as refused:
            import_request(
                db,
                plugins,
                programme,
                _values(db, school, programme, period_end=dt.date(2027, 1, 1)),
                S.SUBMITTED,
                "x",
            )
        assert "period_end" in refused.value.errors
    db.rollback()


def test_saving_an_offer_as_the_system_runs_the_same_checks(app, db):
    school = make_school(db)
    values = OfferValues(
        school_year="2026-2027",
        campus_id=school.campuses[0].id,
        level_code="secondary",
        subject_id=any_subject(db).id,
        places=0,
        attributes=VALID_ATTRIBUTES["secondary"],
        semester="1",
    )
    with app.app_context(), pytest.raises(OfferRefused) as refused:
        save_offer(db, plugins_of(app), None, school, values)
    assert list(refused.value.errors) == ["places"]
    db.rollback()


# ------------------------------------------------------------------------- a memory bridge


class Memory:
    """A bridge plugin whose other side is a list of records; pushes are kept."""

    def __init__(self):
        self.records: list[BridgeRecord] = []
        self.pushed = []
        self.down = False

    @hookimpl
    def stagebank_bridges(self):
        return [BridgeSpec("memory", "Memory", settings=("memory.url",), connect=self.connect)]

    def connect(self, settings):
        return _Connector(self)


class _Connector:
    complete_kinds = ("school",)

    def __init__(self, side: Memory):
        self.side = side

    def pull(self):
        from core.plugins.types import BridgeUnavailable

        if self.side.down:
            raise BridgeUnavailable("The memory is down.")
        return list(self.side.records)

    def push(self, change):
        self.side.pushed.append(change)


@pytest.fixture
def memory(make_app, app, db):
    side = Memory()
    side.app = make_app(PLUGIN_OBJECTS={"memory": side})
    subject = any_subject(db).code
    db.rollback()
    side.records = [
        BridgeRecord(
            "school",
            "S-1",
            {
                "name": "Atheneum Elsene",
                "institution_number": "902001",
                "network_code": "GO",
                "region_code": "brussel",
                "street": "Elsensesteenweg 1",
                "postcode": "1050",
                "levels": ["secondary"],
            },
            WHEN,
        ),
        BridgeRecord(
            "offer",
            "O-1",
            {
                "school": "S-1",
                "school_year": "2026-2027",
                "level_code": "secondary",
                "subject_code": subject,
                "places": 2,
                "attributes": VALID_ATTRIBUTES["secondary"],
                "semester": "1",
                "status": "closed",
            },
            WHEN,
            position=1,
        ),
    ]
    return side


def _sync(side: Memory, db, **options) -> BridgeRun:
    db.rollback()
    run = sync_bridge(side.app, "memory", locale="en", **options)
    db.rollback()
    db.expire_all()
    return run


def _bad_offer(side: Memory) -> BridgeRecord:
    return BridgeRecord("offer", "O-9", {**side.records[1].values, "school": "S-404"}, WHEN, (), 2)


def test_all_or_nothing_partial_and_dry_run(memory, db):
    memory.records.append(_bad_offer(memory))
    run = _sync(memory, db)
    assert (run.status, run.created, run.refused) == (RunStatus.REFUSED, 2, 1)
    assert run.message == "1 record(s) refused, so nothing was applied."
    assert run.issues[0].reason == "school: school S-404 is unknown or was refused."
    assert db.scalar(select(func.count(Institution.id))) == 0

    run = _sync(memory, db, partial=True, dry_run=True)
    assert (run.status, run.created, run.refused) == (RunStatus.CHECKED, 2, 1)
    assert db.scalar(select(func.count(BridgeMapping.id))) == 0

    run = _sync(memory, db, partial=True)
    assert (run.status, run.created, run.refused, run.mode) == (RunStatus.PARTIAL, 2, 1, "partial")
    offer = db.scalar(select(Offer))
    assert offer.status == "closed" and offer.school.region_code == "brussel"
    memory.records.pop()
    run = _sync(memory, db)
    assert (run.status, run.unchanged, run.updated) == (RunStatus.SUCCEEDED, 2, 0)


def test_an_existing_school_is_linked_by_institution_number_and_kept(memory, db):
    school = make_school(db, region="brussel", name="Koninklijk Atheneum Elsene")
    school.institution_number = "902001"
    db.commit()
    run = _sync(memory, db)
    assert (run.status, run.created, run.unchanged) == (RunStatus.SUCCEEDED, 1, 1)
    assert "Linked to an existing row" in run.issues[0].reason
    db.refresh(school)
    assert school.name == "Koninklijk Atheneum Elsene"
    assert db.scalar(select(Offer.school_id)) == school.id


def test_a_record_that_disappears_and_a_pull_that_fails(memory, db):
    _sync(memory, db)
    memory.records = memory.records[1:]
    run = _sync(memory, db)
    assert [(i.level.value, i.external_id) for i in run.issues] == [("warning", "S-1")]
    memory.down = True
    run = _sync(memory, db)
    assert (run.status, run.message) == (RunStatus.FAILED, "The memory is down.")


def test_status_changes_of_mapped_requests_wait_in_the_outbox(memory, app, db):
    plugins = plugins_of(app)
    mapped = make_request(db, S.SUBMITTED)
    other = make_request(db, S.SUBMITTED)
    legacy = make_request(db, S.SUBMITTED)
    for system, request in (("memory", mapped), ("legacy-mentorant", legacy)):
        db.add(
            BridgeMapping(
                system=system,
                kind="request",
                external_id=f"R-{request.id}",
                local_table="placement_requests",
                local_id=request.id,
            )
        )
    db.flush()
    with app.app_context():
        for request in (mapped, other, legacy):
            transition(db, plugins, request, S.DECLINED, None, "Geen mentor vrij")
    db.commit()
    [queued] = db.scalars(select(BridgeOutbox)).all()
    assert (queued.system, queued.external_id) == ("memory", f"R-{mapped.id}")
    assert queued.payload["status"] == "declined" and queued.payload["reason"] == "Geen mentor vrij"

    run = _sync(memory, db, dry_run=True)
    assert (run.pushed, run.waiting, memory.pushed) == (0, 1, [])
    run = _sync(memory, db)
    [change] = memory.pushed
    assert (change.id, change.external_id, run.pushed, run.waiting) == (
        queued.id,
        f"R-{mapped.id}",
        1,
        0,
    )
    assert queue_status_change(db, other, other.events[-1]) == []


def test_runs_that_cannot_start(memory, db, monkeypatch):
    with pytest.raises(BridgeRefused, match="Unknown bridge 'nope'; bridges to sync: memory, sint"):
        sync_bridge(memory.app, "nope", locale="en")
    db.add(BridgeRun(bridge="memory", mode="partial", status=RunStatus.RUNNING))
    db.commit()
    with pytest.raises(BridgeRefused, match="nog bezig"):
        sync_bridge(memory.app, "memory")


def test_settings_come_from_the_environment_into_app_config(make_app, app, monkeypatch):
    monkeypatch.setenv("STAGEBANK_MEMORY_URL", "https://memory.example.org")
    side = Memory()
    spec_app = make_app(PLUGIN_OBJECTS={"memory": side})
    spec = side.stagebank_bridges()[0]
    assert bridge_settings(spec_app, spec) == {"url": "https://memory.example.org"}
    assert spec_app.config["memory.url"] == "https://memory.example.org"


def test_the_hook_contract_documents_a_connector():
    from core.plugins import hookspecs

    assert "connect=Connector" in hookspecs.stagebank_bridges.__doc__
    assert BridgeSpec("x", "X").connect is None


# ------------------------------------------------------------------------ command line


def test_the_command_line_lists_and_refuses_in_one_sentence(memory, db):
    cli = memory.app.test_cli_runner()
    listing = cli.invoke(args=["bridge", "list"])
    assert listing.exit_code == 0
    assert "memory: Memory (plugin memory)" in listing.output
    assert "memory.url (not set)" in listing.output and "last run: never" in listing.output
    result = cli.invoke(args=["bridge", "sync", "nope"])
    assert result.exit_code == 1
    assert "Error: Unknown bridge 'nope'" in result.output and "Traceback" not in result.output
    memory.records.append(_bad_offer(memory))
    result = cli.invoke(args=["bridge", "sync", "memory"])
    assert result.exit_code == 1
    assert "refused offer O-9 (line/item 2): school: school S-404 is unknown" in result.output
    result = cli.invoke(args=["bridge", "sync", "memory", "--partial"])
    assert result.exit_code == 0
    assert re.match(r"Run \d+ of memory partial: 2 created, 0 updated", result.output)


# -------------------------------------------------------------------------- admin page


def _admin(db):
    from core.accounts.models import User

    admin = User(email="beheerder@example.org", name="Beheerder", is_admin=True)
    db.add(admin)
    db.commit()
    return admin


def test_the_admin_page_lists_runs_and_starts_one_with_csrf(memory, db):
    admin = _admin(db)
    memory.records.append(_bad_offer(memory))
    client = memory.app.test_client()
    sign_in(client, admin)
    page = client.get("/beheer/bruggen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bruggen en import" in html and "Nog geen runs." in html
    assert client.post("/beheer/bruggen/memory/sync").status_code == 400  # no CSRF token
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    answer = client.post(
        "/beheer/bruggen/memory/sync",
        data={"csrf_token": token, "partial": "y"},
        follow_redirects=True,
    )
    html = answer.get_data(as_text=True)
    assert re.search(r"Run \d+ van memory: Gedeeltelijk toegepast\.", html)
    assert "school S-404 is onbekend of werd geweigerd." in html
    run = db.scalar(select(BridgeRun))
    assert (run.source, run.started_by_id, run.mode) == ("admin", admin.id, "partial")
    assert client.post("/beheer/bruggen/nope/sync", data={"csrf_token": token}).status_code == 404


def test_the_admin_page_is_for_administrators_only(memory, db):
    from core.accounts.models import Membership, Role, User

    school = make_school(db)
    user = User(email="coordinator@example.org", name="Coördinator")
    membership = Membership(user=user, institution=school, role=Role.SCHOOL_COORDINATOR)
    db.add_all([user, membership])
    db.commit()
    client = memory.app.test_client()
    sign_in(client, user, membership)
    assert client.get("/beheer/bruggen").status_code == 403
    assert client.post("/beheer/bruggen/memory/sync").status_code in (400, 403)
