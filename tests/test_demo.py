"""The demo data: reproducible, complete (every region, umbrella and state) and valid."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from core import schema
from core.accounts.models import Membership, Role, User
from core.app import create_app
from core.catalogue.level_fields import clean_level_attributes
from core.catalogue.models import Subject
from core.catalogue.services import sync_catalogue
from core.database import Base, database
from core.demo.generator import DEMO_PASSWORD, DEMO_PEOPLE, DemoRefused, load_demo
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.mail.models import OutboxMessage
from core.notifications.models import DigestItem, NotificationPreference
from core.offers.models import HostingAnswer, HostingStatus, Offer, OfferStatus
from core.offers.school_years import school_year_of
from core.placements.models import (
    PlacementRequest,
    RequestEvent,
    RequestMessage,
    RequestStatus,
    Student,
)
from core.plugins.manager import plugins_of
from core.reference.models import Network, Region

TODAY = dt.date(2026, 12, 4)
SCHOOL_YEARS = ["2024-2025", "2025-2026", "2026-2027"]  # the two before TODAY's, and its own
REFERENCE_TABLES = {"regions", "municipalities", "postcodes", "networks"}
ROLES = {
    "platform administrator": None,
    "school coordinator": Role.SCHOOL_COORDINATOR,
    "mentor": Role.MENTOR,
    "programme coordinator": Role.PROGRAMME_COORDINATOR,
    "programme supervisor": Role.PROGRAMME_SUPERVISOR,
    "student": Role.STUDENT,
}


def _clear(app) -> None:
    """Empty every table but the reference data, then mirror the catalogue again."""
    with database(app).engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                connection.execute(delete(table))
    with database(app).sessionmaker() as session, session.begin():
        sync_catalogue(session, plugins_of(app))


@pytest.fixture(scope="module")
def demo(migrated_database):
    """One small demo load shared by the read-only tests of this module.

    The tests that need an empty database come first in the module: they use ``app``,
    whose teardown empties the tables.
    """
    app = create_app({"DATABASE_URL": migrated_database, "TESTING": True})
    _clear(app)
    accounts = load_demo(app, seed=2017, today=TODAY)
    with database(app).sessionmaker() as session:
        yield app, session, accounts
    _clear(app)
    database(app).engine.dispose()


def _fingerprint(session) -> list:
    def rows(query):
        return [tuple(row) for row in session.execute(query)]

    return [
        rows(
            select(
                Institution.kind,
                Institution.name,
                Institution.institution_number,
                Institution.network_code,
                Institution.region_code,
                Institution.status,
                Institution.organisation,
                Institution.created_at,
            ).order_by(Institution.id)
        ),
        rows(select(Campus.name, Campus.street, Campus.postcode).order_by(Campus.id)),
        rows(select(User.email, User.name, User.is_admin).order_by(User.id)),
        rows(
            select(
                Student.first_name, Student.last_name, Student.email, Student.student_number
            ).order_by(Student.id)
        ),
        rows(
            select(
                Institution.name,
                Offer.school_year,
                Subject.code,
                Offer.attributes,
                Offer.period_start,
                Offer.places,
                Offer.accepted_count,
                Offer.mentor_name,
                Offer.status,
                Offer.updated_at,
            )
            .join(Offer.school)
            .join(Offer.subject)
            .order_by(Offer.id)
        ),
        rows(
            select(
                Student.email,
                Institution.name,
                PlacementRequest.status,
                PlacementRequest.period_start,
                PlacementRequest.kind,
                PlacementRequest.hours,
                PlacementRequest.message,
                PlacementRequest.answer_deadline,
                PlacementRequest.updated_at,
                User.email,
            )
            .join(PlacementRequest.student)
            .join(PlacementRequest.school)
            .outerjoin(User, User.id == PlacementRequest.mentor_id)
            .order_by(PlacementRequest.id)
        ),
        rows(
            select(
                Institution.name,
                HostingStatus.school_year,
                HostingStatus.answer,
                HostingStatus.capacity,
                HostingStatus.accepted_count,
                HostingStatus.updated_at,
            )
            .join(HostingStatus.school)
            .order_by(HostingStatus.id)
        ),
        rows(
            select(User.email, Institution.name, Membership.role)
            .join(Membership.user)
            .join(Membership.institution)
            .order_by(Membership.id)
        ),
        rows(
            select(RequestMessage.body, Institution.name, RequestMessage.created_at)
            .join(Institution, Institution.id == RequestMessage.institution_id)
            .order_by(RequestMessage.id)
        ),
        rows(
            select(
                RequestEvent.from_status,
                RequestEvent.to_status,
                RequestEvent.reason,
                RequestEvent.created_at,
            ).order_by(RequestEvent.id)
        ),
    ]


def test_the_same_seed_on_the_same_day_gives_the_same_data(app, db):
    load_demo(app, seed=7, today=TODAY)
    first = _fingerprint(db)
    db.rollback()
    _clear(app)
    load_demo(app, seed=7, today=TODAY)
    assert _fingerprint(db) == first


def test_bulk_writing_gives_the_same_rows_as_the_services(app, db):
    """The Flanders scale writes in bulk; at the small scale both ways must agree."""
    load_demo(app, seed=7, today=TODAY, bulk=False)
    through_services = _fingerprint(db)
    db.rollback()
    _clear(app)
    load_demo(app, seed=7, today=TODAY, bulk=True)
    in_bulk = _fingerprint(db)
    assert [len(table) for table in in_bulk] == [len(table) for table in through_services]
    for written, served in zip(in_bulk, through_services, strict=True):
        assert written == served


def test_the_demo_command_prints_the_logins_and_leaves_a_filled_database_alone(app, cli, db):
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for _label, email, _name in DEMO_PEOPLE.values():
        assert email in result.output
    assert DEMO_PASSWORD in result.output
    count = db.scalar(select(func.count(Institution.id)))
    assert load_demo(app, if_empty=True) is None
    skipped = cli.invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "already holds data" in skipped.output
    refused = cli.invoke(args=["demo"])
    assert refused.exit_code == 1
    assert "already holds institutions" in refused.output
    assert "Traceback" not in refused.output
    assert db.scalar(select(func.count(Institution.id))) == count


def test_a_database_without_reference_data_is_refused_in_one_sentence(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'bare.sqlite3'}"})
    schema.upgrade(app)  # tables, but no `prepare_database`: no reference data or catalogue
    with pytest.raises(DemoRefused, match=r"run `stagebank db upgrade`") as refused:
        load_demo(app)
    assert str(refused.value).count(".") == 1
    database(app).engine.dispose()


def test_an_unknown_scale_is_refused(app):
    with pytest.raises(DemoRefused, match="small, flanders"):
        load_demo(app, scale="huge")


def test_schools_cover_every_region_and_every_network_umbrella(demo):
    _app, session, _accounts = demo
    schools = select(Institution).where(Institution.kind == InstitutionKind.SCHOOL)
    regions = {s.region_code for s in session.scalars(schools)}
    networks = {s.network_code for s in session.scalars(schools)}
    assert regions == set(session.scalars(select(Region.code)))
    assert networks == set(session.scalars(select(Network.code)))
    numbers = [s.institution_number for s in session.scalars(schools)]
    assert len(numbers) == len(set(numbers)) and all(len(n) == 6 for n in numbers)
    assert 50 <= len(numbers) <= 70


def test_schools_have_a_main_campus_in_their_region_and_registry_schools_are_untouched(demo):
    _app, session, _accounts = demo
    schools = session.scalars(
        select(Institution)
        .where(Institution.kind == InstitutionKind.SCHOOL)
        .options(selectinload(Institution.campuses), selectinload(Institution.levels))
    ).all()
    statuses = {s.status for s in schools}
    assert {RegistrationStatus.APPROVED, RegistrationStatus.REGISTRY} <= statuses
    assert RegistrationStatus.PENDING in statuses
    for school in schools:
        assert sum(c.is_main for c in school.campuses) == 1
        assert school.main_campus.municipality.region_code == school.region_code
        assert school.levels
    registry = [s.id for s in schools if s.status is RegistrationStatus.REGISTRY]
    assert not session.scalar(
        select(func.count(Membership.id)).where(Membership.institution_id.in_(registry))
    )
    assert not session.scalar(select(func.count(Offer.id)).where(Offer.school_id.in_(registry)))


def test_every_request_status_occurs(demo):
    _app, session, _accounts = demo
    statuses = set(session.scalars(select(PlacementRequest.status).distinct()))
    assert statuses == set(RequestStatus)


def test_three_school_years_of_offers_hosting_answers_and_requests_past_ones_ended(demo):
    _app, session, _accounts = demo
    statuses = {year: set() for year in SCHOOL_YEARS}
    for period_start, status in session.execute(
        select(PlacementRequest.period_start, PlacementRequest.status)
    ):
        statuses[school_year_of(period_start)].add(status)
    running = {RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.ACCEPTED}
    *past, current = SCHOOL_YEARS
    for year in past:
        assert RequestStatus.COMPLETED in statuses[year] and not statuses[year] & running
    assert statuses[current] >= running | {RequestStatus.DECLINED, RequestStatus.WITHDRAWN}
    for column in (Offer.school_year, HostingStatus.school_year):
        assert sorted(session.scalars(select(column).distinct())) == SCHOOL_YEARS


def test_every_request_history_runs_from_creation_to_its_status(demo):
    _app, session, _accounts = demo
    requests = session.scalars(
        select(PlacementRequest).options(selectinload(PlacementRequest.events))
    ).all()
    for request in requests:
        events = request.events
        assert events[0].from_status is None and events[0].to_status == "draft"
        assert events[-1].to_status == request.status.value
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.created_at >= before.created_at
        if request.status in (RequestStatus.DECLINED, RequestStatus.CANCELLED):
            assert events[-1].reason
    # Nothing in the story happens later than the day of the load.
    latest = session.scalar(select(func.max(RequestEvent.created_at)))
    assert latest.date() < TODAY


def test_every_offer_and_request_passes_its_level_plugin(demo):
    app, session, _accounts = demo
    plugins = plugins_of(app)
    offers = session.scalars(select(Offer)).all()
    requests = session.scalars(select(PlacementRequest)).all()
    assert {o.status for o in offers} == set(OfferStatus)
    assert {o.level_code for o in offers} == {"primary", "secondary"}
    assert any(o.subject.plugin == "philosophy_subjects" for o in offers)
    assert any(o.attributes.get("finaliteit") for o in offers)
    with app.app_context():
        for target, items in (("offer", offers), ("request", requests)):
            for item in items:
                clean, errors = clean_level_attributes(
                    plugins, item.level_code, target, item.attributes
                )
                assert (clean, errors) == (item.attributes, {})


def test_history_was_replayed_without_mail_and_left_no_notification_settings(demo):
    _app, session, _accounts = demo
    for model in (OutboxMessage, DigestItem, NotificationPreference):
        assert not session.scalar(select(func.count()).select_from(model)), model
    assert session.scalar(select(func.count(RequestMessage.id)))


def test_places_and_school_capacity_are_never_exceeded(demo):
    _app, session, _accounts = demo
    holding = (RequestStatus.ACCEPTED, RequestStatus.COMPLETED)
    for offer in session.scalars(select(Offer)):
        held = session.scalar(
            select(func.count(PlacementRequest.id)).where(
                PlacementRequest.offer_id == offer.id, PlacementRequest.status.in_(holding)
            )
        )
        assert offer.accepted_count == held <= offer.places
        assert offer.period_start or offer.semester  # dates, or at least a semester
    statuses = session.scalars(select(HostingStatus)).all()
    assert {s.answer for s in statuses} >= {HostingAnswer.YES, HostingAnswer.MAYBE}
    for status in statuses:
        assert status.capacity is None or status.accepted_count <= status.capacity


def test_no_student_has_two_running_requests_for_the_same_weeks_at_one_school(demo):
    _app, session, _accounts = demo
    running = session.scalars(
        select(PlacementRequest).where(
            PlacementRequest.status.in_(
                [RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.ACCEPTED]
            )
        )
    ).all()
    for a in running:
        for b in running:
            if a.id < b.id and (a.student_id, a.school_id) == (b.student_id, b.school_id):
                assert a.period_end < b.period_start or b.period_end < a.period_start


def test_requests_match_their_offer(demo):
    _app, session, _accounts = demo
    for request in session.scalars(
        select(PlacementRequest).where(PlacementRequest.offer_id.is_not(None))
    ):
        offer = request.offer
        assert offer.status is not OfferStatus.DRAFT
        assert (offer.school_id, offer.level_code, offer.subject_id) == (
            request.school_id,
            request.level_code,
            request.subject_id,
        )
        if offer.period_start:
            assert offer.period_start <= request.period_start <= request.period_end
            assert request.period_end <= offer.period_end
    assert session.scalar(
        select(func.count(PlacementRequest.id)).where(PlacementRequest.offer_id.is_(None))
    )


def test_the_six_demo_accounts_log_in_and_hold_their_roles(demo):
    _app, session, accounts = demo
    assert [a.role for a in accounts] == list(ROLES)
    users = {}
    for account in accounts:
        assert account.password == DEMO_PASSWORD
        user = session.scalar(select(User).where(User.email == account.email))
        assert user.check_password(DEMO_PASSWORD) and not user.check_password("wrong")
        assert [m.role for m in user.memberships] == (
            [ROLES[account.role]] if ROLES[account.role] else []
        )
        users[account.role] = user
    assert users["platform administrator"].is_admin

    def institution(role):
        return users[role].memberships[0].institution

    school = institution("school coordinator")
    programme = institution("programme coordinator")
    assert institution("mentor") is school
    assert institution("programme supervisor") is programme
    assert institution("student") is programme
    assert school.status is RegistrationStatus.APPROVED
    assert "secondary" in {level.code for level in school.levels}
    assert session.scalar(
        select(func.count(Offer.id)).where(
            Offer.school_id == school.id, Offer.status == OfferStatus.PUBLISHED
        )
    )
    between = session.scalars(
        select(PlacementRequest).where(
            PlacementRequest.school_id == school.id,
            PlacementRequest.programme_id == programme.id,
        )
    ).all()
    assert {r.status for r in between} == set(RequestStatus)
    assert {r.supervisor for r in between} == {users["programme supervisor"]}
    hosted = {r.status for r in between if r.mentor == users["mentor"]}
    assert {RequestStatus.ACCEPTED, RequestStatus.COMPLETED} <= hosted
    assert all(r.mentor for r in between if r.status in (RequestStatus.ACCEPTED,))
    student = session.scalar(select(Student).where(Student.user == users["student"]))
    assert student.programme is programme
    mine = session.scalars(
        select(PlacementRequest).where(PlacementRequest.student_id == student.id)
    ).all()
    assert RequestStatus.ACCEPTED in {r.status for r in mine}
