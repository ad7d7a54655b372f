"""Placement requests: creating them, the state machine every status change goes through,
capacity that never overbooks, the message thread, mentors and expiry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from core.access.policy import (
    Action,
    Actor,
    Denied,
    may_transition,
    require,
    visible_requests,
)
from core.accounts.models import Membership, Role, User
from core.catalogue.level_fields import clean_level_attributes
from core.catalogue.models import Subject
from core.catalogue.services import levels_in_region
from core.institutions.models import Institution, InstitutionKind, RegistrationStatus
from core.offers.models import HostingAnswer, HostingStatus, Offer
from core.offers.school_years import school_year_of
from core.offers.services import refusal_for_new_request
from core.placements.models import (
    InternshipKind,
    PlacementRequest,
    RequestEvent,
    RequestMessage,
    RequestStatus,
    Student,
)
from core.plugins.manager import Plugins
from core.plugins.regions import enablement

S = RequestStatus
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.CANCELLED, S.COMPLETED}),
}
REASON_REQUIRED = frozenset({S.DECLINED, S.CANCELLED})
#: Requests that hold a place: they count against the offer and the school's capacity.
HOLDS_A_PLACE = frozenset({S.ACCEPTED, S.COMPLETED})
DEFAULT_ANSWER_DAYS = 14
MAX_HOURS = 2000


class TransitionRefused(ValueError):
    """An invalid status change; the message is shown to the user."""


class RequestRefused(ValueError):
    """A request that cannot be created; ``errors`` maps fields to Dutch messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# ---------------------------------------------------------------------------- creating


@dataclass
class RequestValues:
    """Everything a school needs to answer a request (web form, upload and API alike)."""

    student_id: int
    school_id: int
    level_code: str
    subject_id: int
    period_start: date | None
    period_end: date | None
    kind: InternshipKind | str
    hours: int = 0
    offer_id: int | None = None
    attributes: dict = field(default_factory=dict)
    supervisor_id: int | None = None
    message: str = ""
    answer_deadline: date | None = None


def programme_of(actor: Actor) -> Institution:
    """The programme the actor coordinates, or :class:`Denied`."""
    programme = actor.membership.institution if actor.membership else None
    if programme is None or programme.kind != InstitutionKind.PROGRAMME:
        raise Denied(not_found=False)
    require(actor, Action.CREATE_REQUEST, programme)
    return programme


def supervisors_of(session: Session, programme: Institution) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.institution_id == programme.id,
                Membership.role == Role.PROGRAMME_SUPERVISOR,
            )
            .order_by(User.name)
        )
    )


def check_request(
    session: Session, plugins: Plugins, programme: Institution, values: RequestValues
) -> dict[str, list[str]]:
    """Every reason ``values`` cannot become a request of ``programme``; empty when fine."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    student = session.get(Student, values.student_id) if values.student_id else None
    if student is None or student.programme_id != programme.id:
        refuse("student_id", _l("Kies een student van je opleiding."))
    school = session.get(Institution, values.school_id) if values.school_id else None
    if (
        school is None
        or school.kind != InstitutionKind.SCHOOL
        or school.status != RegistrationStatus.APPROVED
    ):
        refuse("school_id", _l("Kies een school die op Stagebank geregistreerd is."))
        return errors
    offer = session.get(Offer, values.offer_id) if values.offer_id else None
    if values.offer_id and (offer is None or offer.school_id != school.id):
        refuse("offer_id", _l("Dit aanbod hoort niet bij deze school."))
    elif offer is not None:
        status = _hosting_status(session, offer.school_id, offer.school_year)
        if (refusal := refusal_for_new_request(offer, status)) is not None:
            refuse("offer_id", refusal)
        if (offer.level_code, offer.subject_id) != (values.level_code, values.subject_id):
            refuse("subject_id", _l("Vak en niveau moeten overeenkomen met het aanbod."))
    levels = {level.code for level in levels_in_region(session, plugins, school.region_code)}
    subject = session.get(Subject, values.subject_id) if values.subject_id else None
    if values.level_code not in levels:
        refuse(
            "level_code", _l("Dit onderwijsniveau is niet beschikbaar in de regio van de school.")
        )
    elif subject is None or subject.level_code != values.level_code or not subject.active:
        refuse("subject_id", _l("Kies een vak van dit onderwijsniveau."))
    elif school.region_code not in enablement(session, plugins).get(subject.plugin, set()):
        refuse("subject_id", _l("Dit vak is niet beschikbaar in de regio van de school."))
    else:
        _, attribute_errors = clean_level_attributes(
            plugins, values.level_code, "request", values.attributes
        )
        for name, messages in attribute_errors.items():
            errors.setdefault(f"attributes.{name}", []).extend(messages)
    if not values.period_start or not values.period_end:
        refuse("period_start", _l("Vul een begin- en einddatum in."))
    elif values.period_end < values.period_start:
        refuse("period_end", _l("De einddatum ligt voor de begindatum."))
    elif student is not None and _overlapping_request(session, student, school, values):
        refuse(
            "period_start",
            _l("Deze student heeft al een lopende aanvraag bij deze school in die periode."),
        )
    if values.kind not in InternshipKind.__members__.values():
        refuse("kind", _l("Kies een soort stage."))
    if not 0 <= (values.hours or 0) <= MAX_HOURS:
        refuse("hours", _l("Vul een aantal uren tussen 0 en %(n)d in.", n=MAX_HOURS))
    if values.supervisor_id and values.supervisor_id not in {
        user.id for user in supervisors_of(session, programme)
    }:
        refuse("supervisor_id", _l("Kies een stagebegeleider van je opleiding."))
    return errors


def _overlapping_request(session: Session, student: Student, school, values) -> bool:
    return (
        session.scalar(
            select(PlacementRequest.id).where(
                PlacementRequest.student_id == student.id,
                PlacementRequest.school_id == school.id,
                PlacementRequest.status.in_([S.DRAFT, S.SUBMITTED, S.ACCEPTED]),
                PlacementRequest.period_start <= values.period_end,
                PlacementRequest.period_end >= values.period_start,
            )
        )
        is not None
    )


def create_request(
    session: Session,
    plugins: Plugins,
    actor: Actor,
    values: RequestValues,
    submit: bool = True,
    today: date | None = None,
) -> PlacementRequest:
    """Create a request for one student, submitted at once unless ``submit`` is False."""
    programme = programme_of(actor)
    request = _new_request(session, plugins, programme, values, actor.user, today)
    if submit:
        transition(session, plugins, request, S.SUBMITTED, actor)
    return request


def import_request(
    session: Session,
    plugins: Plugins,
    programme: Institution,
    values: RequestValues,
    status: RequestStatus,
    reason: str,
    today: date | None = None,
) -> PlacementRequest:
    """Create a request as the system (a bridge or a legacy import) and bring it to ``status``.

    The entry point of :mod:`core.bridges`: the same :func:`check_request` as
    :func:`create_request`, then every step from draft to ``status`` through
    :func:`transition` with actor None and ``reason`` (e.g. ``"import mentorant"``), so a
    historical accepted or completed request takes a place like any other and each step is
    a recorded event. Raises :class:`RequestRefused` or :class:`TransitionRefused`.
    """
    request = _new_request(session, plugins, programme, values, None, today)
    move_to(session, plugins, request, status, None, reason)
    return request


def _new_request(
    session: Session,
    plugins: Plugins,
    programme: Institution,
    values: RequestValues,
    user: User | None,
    today: date | None,
) -> PlacementRequest:
    if errors := check_request(session, plugins, programme, values):
        raise RequestRefused(errors)
    clean, _ = clean_level_attributes(plugins, values.level_code, "request", values.attributes)
    today = today or date.today()
    request = PlacementRequest(
        programme=programme,
        student_id=values.student_id,
        school_id=values.school_id,
        offer_id=values.offer_id,
        level_code=values.level_code,
        subject_id=values.subject_id,
        attributes=clean,
        period_start=values.period_start,
        period_end=values.period_end,
        kind=InternshipKind(values.kind),
        hours=values.hours or 0,
        supervisor_id=values.supervisor_id,
        message=values.message.strip(),
        answer_deadline=values.answer_deadline or today + timedelta(days=DEFAULT_ANSWER_DAYS),
        status=S.DRAFT,
    )
    session.add(request)
    record_creation(session, request, user)
    return request


def record_creation(
    session: Session, placement_request: PlacementRequest, actor: User | None
) -> RequestEvent:
    """Record the first event of a new request (from nothing to its initial status)."""
    event = RequestEvent(
        placement_request=placement_request,
        actor=actor,
        from_status=None,
        to_status=placement_request.status.value,
    )
    session.add(event)
    session.flush()
    return event


# ----------------------------------------------------------------------- state machine


def transition(
    session: Session,
    plugins: Plugins,
    placement_request: PlacementRequest,
    to_status: RequestStatus,
    actor: Actor | None,
    reason: str = "",
) -> RequestEvent:
    """Move a request to ``to_status``: the one path every status change takes.

    Checks the state machine, the actor's right (``None`` is the system itself, e.g. the
    expiry job) and, on acceptance, the offer's places and the school's capacity; records
    who, when, from, to and why; tells the plugins. Every check that another process could
    invalidate meanwhile is done in the database with a conditional UPDATE, so two
    coordinators accepting at once on different servers can never overbook. The caller
    commits; on :class:`TransitionRefused` it must roll back.
    """
    to_status = RequestStatus(to_status)
    from_status = placement_request.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise TransitionRefused(
            _l(
                "Een aanvraag met status %(from_status)s kan niet naar %(to_status)s.",
                from_status=from_status.value,
                to_status=to_status.value,
            )
        )
    if not may_transition(actor, placement_request, to_status):
        raise TransitionRefused(_l("Je mag deze aanvraag niet in die status zetten."))
    if to_status in REASON_REQUIRED and not reason.strip():
        raise TransitionRefused(_l("Geef een reden op."))
    _compare_and_set_status(session, placement_request, from_status, to_status)
    if to_status in HOLDS_A_PLACE and from_status not in HOLDS_A_PLACE:
        _take_place(session, placement_request)
    elif from_status in HOLDS_A_PLACE and to_status not in HOLDS_A_PLACE:
        _free_place(session, placement_request)
    event = RequestEvent(
        placement_request=placement_request,
        actor=actor.user if actor else None,
        from_status=from_status.value,
        to_status=to_status.value,
        reason=reason.strip(),
    )
    session.add(event)
    session.flush()
    plugins.hook.stagebank_request_status_changed(placement_request=placement_request, event=event)
    return event


def status_path(from_status: RequestStatus, to_status: RequestStatus) -> list[RequestStatus] | None:
    """The shortest chain of allowed steps from one status to another (``[]`` when they are
    equal), or None when the state machine has no way there."""
    paths: dict[RequestStatus, list[RequestStatus]] = {RequestStatus(from_status): []}
    queue = [RequestStatus(from_status)]
    while queue:
        current = queue.pop(0)
        if current == to_status:
            return paths[current]
        for step in sorted(TRANSITIONS.get(current, ()), key=list(S).index):
            if step not in paths:
                paths[step] = [*paths[current], step]
                queue.append(step)
    return None


def move_to(
    session: Session,
    plugins: Plugins,
    placement_request: PlacementRequest,
    to_status: RequestStatus,
    actor: Actor | None,
    reason: str = "",
) -> list[RequestEvent]:
    """Bring a request to ``to_status`` step by step, each step through :func:`transition`."""
    path = status_path(placement_request.status, RequestStatus(to_status))
    if path is None:
        raise TransitionRefused(
            _l(
                "Een aanvraag met status %(from_status)s kan niet naar %(to_status)s.",
                from_status=placement_request.status.value,
                to_status=RequestStatus(to_status).value,
            )
        )
    return [transition(session, plugins, placement_request, s, actor, reason) for s in path]


def _compare_and_set_status(session: Session, request, from_status, to_status) -> None:
    if request.id is None:
        session.flush()
    changed = session.execute(
        update(PlacementRequest)
        .where(PlacementRequest.id == request.id, PlacementRequest.status == from_status)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise TransitionRefused(
            _l("Deze aanvraag werd intussen al gewijzigd. Laad de pagina opnieuw.")
        )
    request.status = to_status
    session.flush()


def _hosting_status(session: Session, school_id: int, school_year: str) -> HostingStatus | None:
    return session.scalar(
        select(HostingStatus).where(
            HostingStatus.school_id == school_id, HostingStatus.school_year == school_year
        )
    )


def _school_year_of(request: PlacementRequest) -> str:
    return request.offer.school_year if request.offer else school_year_of(request.period_start)


def _take_place(session: Session, request: PlacementRequest) -> None:
    """Count one place on the offer and on the school's year, refusing beyond either.

    Counters are not edits by the school, so "last updated" stays as it was.
    """
    if request.offer_id is not None:
        taken = session.execute(
            update(Offer)
            .where(Offer.id == request.offer_id, Offer.accepted_count < Offer.places)
            .values(accepted_count=Offer.accepted_count + 1, updated_at=Offer.updated_at)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            raise TransitionRefused(_l("Alle plaatsen van dit aanbod zijn al ingenomen."))
    status = _hosting_status(session, request.school_id, _school_year_of(request))
    if status is not None:
        taken = session.execute(
            update(HostingStatus)
            .where(
                HostingStatus.id == status.id,
                HostingStatus.answer.not_in([HostingAnswer.NO, HostingAnswer.FULL]),
                or_(
                    HostingStatus.capacity.is_(None),
                    HostingStatus.accepted_count < HostingStatus.capacity,
                ),
            )
            .values(
                accepted_count=HostingStatus.accepted_count + 1,
                updated_at=HostingStatus.updated_at,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            raise TransitionRefused(
                _l("De school heeft haar maximum aantal stagiairs voor dit schooljaar bereikt.")
            )
    _refresh_counters(session, request)


def _free_place(session: Session, request: PlacementRequest) -> None:
    if request.offer_id is not None:
        session.execute(
            update(Offer)
            .where(Offer.id == request.offer_id, Offer.accepted_count > 0)
            .values(accepted_count=Offer.accepted_count - 1, updated_at=Offer.updated_at)
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(HostingStatus)
        .where(
            HostingStatus.school_id == request.school_id,
            HostingStatus.school_year == _school_year_of(request),
            HostingStatus.accepted_count > 0,
        )
        .values(
            accepted_count=HostingStatus.accepted_count - 1,
            updated_at=HostingStatus.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
    _refresh_counters(session, request)


def _refresh_counters(session: Session, request: PlacementRequest) -> None:
    if request.offer is not None:
        session.refresh(request.offer, ["accepted_count"])
    for status in session.scalars(
        select(HostingStatus).where(HostingStatus.school_id == request.school_id)
    ):
        session.refresh(status, ["accepted_count"])


def expire_overdue(session: Session, plugins: Plugins, today: date | None = None) -> int:
    """Expire submitted requests whose answer deadline has passed; return how many."""
    today = today or date.today()
    overdue = session.scalars(
        select(PlacementRequest).where(
            PlacementRequest.status == S.SUBMITTED,
            PlacementRequest.answer_deadline.is_not(None),
            PlacementRequest.answer_deadline < today,
        )
    ).all()
    for request in overdue:
        transition(session, plugins, request, S.EXPIRED, None, "")
    return len(overdue)


# ---------------------------------------------------------------- reading, thread, mentor


def requests_for(session: Session, actor: Actor, limit: int = 200) -> list[PlacementRequest]:
    """The requests ``actor`` may see, most recently changed first."""
    return list(
        session.scalars(
            select(PlacementRequest)
            .where(visible_requests(actor))
            .options(
                joinedload(PlacementRequest.school),
                joinedload(PlacementRequest.student),
                joinedload(PlacementRequest.subject),
            )
            .order_by(PlacementRequest.updated_at.desc(), PlacementRequest.id.desc())
            .limit(limit)
        )
    )


def request_for(session: Session, actor: Actor, request_id: int) -> PlacementRequest:
    """One request ``actor`` may see, or :class:`Denied` (also for ids that do not exist)."""
    placement_request = session.get(PlacementRequest, request_id)
    if placement_request is None:
        raise Denied()
    require(actor, Action.VIEW_REQUEST, placement_request)
    return placement_request


def post_message(
    session: Session, actor: Actor, request: PlacementRequest, body: str
) -> RequestMessage:
    """Add a message to a request's thread between programme and school."""
    require(actor, Action.POST_MESSAGE, request)
    if not body.strip():
        raise RequestRefused({"body": [str(_l("Schrijf een bericht."))]})
    message = RequestMessage(
        request_id=request.id,
        author=actor.user,
        institution_id=actor.institution_id,
        body=body.strip(),
    )
    session.add(message)
    session.flush()
    return message


def messages_of(session: Session, request: PlacementRequest) -> list[RequestMessage]:
    return list(
        session.scalars(
            select(RequestMessage)
            .where(RequestMessage.request_id == request.id)
            .options(joinedload(RequestMessage.author), joinedload(RequestMessage.institution))
            .order_by(RequestMessage.id)
        )
    )


def load_history(session: Session, request: PlacementRequest) -> None:
    """Load ``request.events`` with who made each change, in one statement (the request
    page lists them; loading each actor on its own would cost a query per person)."""
    events = session.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id == request.id)
        .options(joinedload(RequestEvent.actor))
        .order_by(RequestEvent.id)
    )
    set_committed_value(request, "events", list(events))


def mentors_for(session: Session, request: PlacementRequest) -> list[User]:
    """The school's mentors, who may be assigned to ``request``."""
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.institution_id == request.school_id, Membership.role == Role.MENTOR)
            .order_by(User.name)
        )
    )


def assign_mentor(
    session: Session, actor: Actor, request: PlacementRequest, mentor_id: int | None
) -> None:
    """The school names the mentor of an accepted request; the mentor then sees it."""
    require(actor, Action.ASSIGN_MENTOR, request)
    if request.status not in HOLDS_A_PLACE:
        raise RequestRefused({"mentor_id": [str(_l("Wijs een mentor toe na het aanvaarden."))]})
    if mentor_id is not None and mentor_id not in {u.id for u in mentors_for(session, request)}:
        raise RequestRefused({"mentor_id": [str(_l("Kies een mentor van je school."))]})
    request.mentor_id = mentor_id
    session.flush()


def available_transitions(actor: Actor, request: PlacementRequest) -> list[RequestStatus]:
    """The states ``actor`` may move ``request`` to now (for buttons)."""
    return [
        target
        for target in sorted(TRANSITIONS.get(request.status, ()), key=list(S).index)
        if target is not S.EXPIRED and may_transition(actor, request, target)
    ]


def students_without_placement(session: Session, programme: Institution) -> list[Student]:
    """Students of ``programme`` with no submitted, accepted or completed request."""
    placed = select(PlacementRequest.student_id).where(
        PlacementRequest.status.in_([S.SUBMITTED, S.ACCEPTED, S.COMPLETED])
    )
    return list(
        session.scalars(
            select(Student)
            .where(Student.programme_id == programme.id, Student.id.not_in(placed))
            .order_by(Student.last_name, Student.first_name)
        )
    )
