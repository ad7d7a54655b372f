"""Placement requests: creating them, the state machine every status change goes through,
capacity that never overbooks, the message thread, mentors and expiry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select, update
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
from core.catalogue.services import RegionCatalogue
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

S = RequestStatus
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.CANCELLED, S.COMPLETED}),
}
REASON_REQUIRED = frozenset({S.DECLINED, S.CANCELLED})
#: Requests that hold a place: they count against the offer and the school's capacity.
HOLDS_A_PLACE = frozenset({S.ACCEPTED, S.COMPLETED})
#: Requests that still run: a student has one of these per school and period at most.
OPEN = (S.DRAFT, S.SUBMITTED, S.ACCEPTED)
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
    session: Session,
    plugins: Plugins,
    programme: Institution,
    values: RequestValues,
    known: RequestLookups | None = None,
) -> dict[str, list[str]]:
    """Every reason ``values`` cannot become a request of ``programme``; empty when fine.

    ``known`` answers what is read besides the rows themselves (see :class:`ImportBatch`).
    """
    known = known or RequestLookups(session, plugins)
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
        status = known.hosting_status(offer.school_id, offer.school_year)
        if (refusal := refusal_for_new_request(offer, status)) is not None:
            refuse("offer_id", refusal)
        if (offer.level_code, offer.subject_id) != (values.level_code, values.subject_id):
            refuse("subject_id", _l("Vak en niveau moeten overeenkomen met het aanbod."))
    levels = known.catalogue.level_codes_in(school.region_code)
    subject = session.get(Subject, values.subject_id) if values.subject_id else None
    if values.level_code not in levels:
        refuse(
            "level_code", _l("Dit onderwijsniveau is niet beschikbaar in de regio van de school.")
        )
    elif subject is None or subject.level_code != values.level_code or not subject.active:
        refuse("subject_id", _l("Kies een vak van dit onderwijsniveau."))
    elif school.region_code not in known.catalogue.enabled.get(subject.plugin, set()):
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
    elif student is not None and known.overlapping(student, school, values):
        refuse(
            "period_start",
            _l("Deze student heeft al een lopende aanvraag bij deze school in die periode."),
        )
    if values.kind not in InternshipKind.__members__.values():
        refuse("kind", _l("Kies een soort stage."))
    if not 0 <= (values.hours or 0) <= MAX_HOURS:
        refuse("hours", _l("Vul een aantal uren tussen 0 en %(n)d in.", n=MAX_HOURS))
    if values.supervisor_id and values.supervisor_id not in known.supervisor_ids(programme):
        refuse("supervisor_id", _l("Kies een stagebegeleider van je opleiding."))
    return errors


class RequestLookups:
    """What :func:`check_request` reads besides the rows it is given: one query each."""

    def __init__(self, session: Session, plugins: Plugins):
        self.session = session
        self.catalogue = RegionCatalogue(session, plugins)

    def hosting_status(self, school_id: int, school_year: str) -> HostingStatus | None:
        return _hosting_status(self.session, school_id, school_year)

    def supervisor_ids(self, programme: Institution) -> set[int]:
        """Ids of the programme's stage supervisors."""
        return {user.id for user in supervisors_of(self.session, programme)}

    def overlapping(self, student: Student, school: Institution, values: RequestValues) -> bool:
        """The student has an open request at the school in an overlapping period."""
        return (
            self.session.scalar(
                select(PlacementRequest.id).where(
                    PlacementRequest.student_id == student.id,
                    PlacementRequest.school_id == school.id,
                    PlacementRequest.status.in_(OPEN),
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


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RequestsRefused(ValueError):
    """Requests that cannot be created; ``errors`` maps each refused one's position in the
    batch to its ``{field: [message]}``."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(errors)
        self.errors = errors


class RequestBatch(RequestLookups):
    """What :func:`check_request` reads for many requests of one programme, loaded in a few
    queries for the whole batch (:meth:`preload`), and the periods of the requests the
    batch created so far, so that each is judged as if the earlier ones were stored."""

    def __init__(self, session: Session, plugins: Plugins):
        super().__init__(session, plugins)
        self._hosting: dict[tuple[int, str], HostingStatus] = {}
        self._schools: set[int] = set()
        self._periods: dict[tuple[int, int], list[tuple[date, date]]] = {}
        self._students: set[int] = set()
        self._supervisors: dict[int, set[int]] = {}
        #: The rows loaded or added: the session keeps only weak references to clean rows.
        self._kept: list = []

    def preload(self, many: Sequence[RequestValues]) -> RequestBatch:
        """Load the students, schools, offers, subjects, hosting statuses and open requests
        that ``many`` refer to (``session.get`` then finds them without a query)."""
        for model, ids in (
            (Student, {v.student_id for v in many} - {0}),
            (Institution, {v.school_id for v in many} - {0}),
            (Offer, {v.offer_id for v in many} - {0, None}),
            (Subject, {v.subject_id for v in many} - {0}),
        ):
            for chunk in _chunks(sorted(ids)):
                self._kept += self.session.scalars(select(model).where(model.id.in_(chunk)))
        self._load(
            {v.school_id for v in many if v.school_id}, {v.student_id for v in many if v.student_id}
        )
        return self

    def _load(self, school_ids: set[int], student_ids: set[int]) -> None:
        schools = sorted(school_ids - self._schools)
        for chunk in _chunks(schools):
            for status in self.session.scalars(
                select(HostingStatus).where(HostingStatus.school_id.in_(chunk))
            ):
                self._hosting[(status.school_id, status.school_year)] = status
        self._schools.update(schools)
        students = sorted(student_ids - self._students)
        for chunk in _chunks(students):
            for student_id, school_id, start, end in self.session.execute(
                select(
                    PlacementRequest.student_id,
                    PlacementRequest.school_id,
                    PlacementRequest.period_start,
                    PlacementRequest.period_end,
                ).where(PlacementRequest.student_id.in_(chunk), PlacementRequest.status.in_(OPEN))
            ):
                self._periods.setdefault((student_id, school_id), []).append((start, end))
        self._students.update(students)

    def new_students(self, students: Iterable[Student]) -> None:
        """Students added in this transaction: they have no requests yet."""
        students = list(students)
        self._kept += students
        self._students.update(student.id for student in students)

    def hosting_status(self, school_id: int, school_year: str) -> HostingStatus | None:
        self._load({school_id}, set())
        return self._hosting.get((school_id, school_year))

    def supervisor_ids(self, programme: Institution) -> set[int]:
        if programme.id not in self._supervisors:
            self._supervisors[programme.id] = super().supervisor_ids(programme)
        return self._supervisors[programme.id]

    def overlapping(self, student: Student, school: Institution, values: RequestValues) -> bool:
        self._load(set(), {student.id})
        return any(
            start <= values.period_end and end >= values.period_start
            for start, end in self._periods.get((student.id, school.id), ())
        )

    def add_open(self, values: RequestValues) -> None:
        """A request of the batch that later ones may not overlap."""
        key = (values.student_id, values.school_id)
        self._periods.setdefault(key, []).append((values.period_start, values.period_end))

    def drop_open(self, values: RequestValues) -> None:
        """Forget a request :meth:`add_open` announced but that was not created."""
        self._periods[(values.student_id, values.school_id)].remove(
            (values.period_start, values.period_end)
        )


def create_requests(
    session: Session,
    plugins: Plugins,
    actor: Actor,
    many: Sequence[RequestValues],
    known: RequestBatch | None = None,
    today: date | None = None,
) -> list[PlacementRequest]:
    """:func:`create_request` (submitted) for many requests at once, all or none.

    Each is checked by :func:`check_request` as if the earlier ones were stored; then all
    are stored with their creation events in one flush and submitted by
    :func:`transition_many`. :class:`RequestsRefused` when any is refused (nothing added).
    ``known`` may be kept from an earlier batch of the same transaction.
    """
    programme = programme_of(actor)
    known = known or RequestBatch(session, plugins).preload(many)
    errors, accepted = {}, []
    for index, values in enumerate(many):
        if found := check_request(session, plugins, programme, values, known):
            errors[index] = found
        else:
            known.add_open(values)
            accepted.append(values)
    if errors:
        for values in accepted:
            known.drop_open(values)
        raise RequestsRefused(errors)
    requests = [_built_request(plugins, programme, values, today) for values in many]
    session.add_all(requests)
    session.add_all([_creation_event(request, actor.user) for request in requests])
    session.flush()
    transition_many(session, plugins, requests, S.SUBMITTED, actor)
    return requests


class ImportBatch(RequestBatch):
    """Many requests imported as the system at once (a bridge run, a legacy import).

    :meth:`add` applies :func:`import_request`'s rules to one request: :func:`check_request`,
    every step from draft through :func:`check_step`, the offer's places and the school's
    capacity, against counts kept here that include the batch's earlier requests, so each
    request is judged as if the earlier ones were already stored. Nothing is written
    before :meth:`write` (one flush, one counter UPDATE per table); :meth:`announce` then
    tells the plugins of every step, in order.
    """

    def __init__(self, session: Session, plugins: Plugins, today: date | None = None):
        super().__init__(session, plugins)
        self.plugins, self.today = plugins, today
        self._taken: Counter = Counter()
        self._steps: list[tuple[PlacementRequest, RequestEvent]] = []

    def preload_ids(self, school_ids: Iterable[int], student_ids: Iterable[int]) -> None:
        """Read the hosting statuses of the schools and the open requests of the students."""
        self._load(set(school_ids), set(student_ids))

    def add(
        self, programme: Institution, values: RequestValues, status: RequestStatus, reason: str
    ) -> PlacementRequest:
        """Check one request and bring it to ``status`` in memory; a refusal
        (:class:`RequestRefused`, :class:`TransitionRefused`) leaves the batch as it was."""
        if errors := check_request(self.session, self.plugins, programme, values, self):
            raise RequestRefused(errors)
        status = RequestStatus(status)
        path = status_path(S.DRAFT, status)
        if path is None:
            raise TransitionRefused(
                _l(
                    "Een aanvraag met status %(from_status)s kan niet naar %(to_status)s.",
                    from_status=S.DRAFT.value,
                    to_status=status.value,
                )
            )
        request = _built_request(self.plugins, programme, values, self.today)
        # Every event with the same columns set, so that they go in one INSERT.
        events = [RequestEvent(actor=None, from_status=None, to_status=S.DRAFT.value, reason="")]
        taken: Counter = Counter()
        current = S.DRAFT
        for step in path:
            check_step(request, current, step, None, reason)
            if step in HOLDS_A_PLACE and current not in HOLDS_A_PLACE:
                self._take_place(request, taken)
            elif current in HOLDS_A_PLACE and step not in HOLDS_A_PLACE:
                for row in self._places_of(request):
                    taken[row] -= 1
            events.append(
                RequestEvent(
                    actor=None,
                    from_status=current.value,
                    to_status=step.value,
                    reason=reason.strip(),
                )
            )
            current = step
        for row, delta in taken.items():
            set_committed_value(row, "accepted_count", row.accepted_count + delta)
            self._taken[row] += delta
        request.status = status
        request.events = events
        self.session.add(request)
        self._steps.extend((request, event) for event in events[1:])
        if status in OPEN:
            self.add_open(values)
        return request

    def _places_of(self, request: PlacementRequest) -> list:
        """The offer and the school's hosting status whose counts the request holds."""
        offer = self.session.get(Offer, request.offer_id) if request.offer_id else None
        year = offer.school_year if offer else school_year_of(request.period_start)
        status = self.hosting_status(request.school_id, year)
        return [row for row in (offer, status) if row is not None]

    def _take_place(self, request: PlacementRequest, taken: Counter) -> None:
        """The rules of :func:`_take_place`, on the counts held here."""
        for row in self._places_of(request):
            if isinstance(row, Offer):
                if row.accepted_count + taken[row] >= row.places:
                    raise TransitionRefused(_l("Alle plaatsen van dit aanbod zijn al ingenomen."))
            elif row.answer in (HostingAnswer.NO, HostingAnswer.FULL) or (
                row.capacity is not None and row.accepted_count + taken[row] >= row.capacity
            ):
                raise TransitionRefused(
                    _l("De school heeft haar maximum aantal stagiairs voor dit schooljaar bereikt.")
                )
            taken[row] += 1

    def write(self) -> None:
        """Store the requests and their events, and add their places to the counters.

        Each counter UPDATE is conditional, as in :func:`transition`: when another process
        took places meanwhile, :class:`TransitionRefused` (the caller rolls back).
        """
        self.session.flush()
        for model in (Offer, HostingStatus):
            table = model.__table__
            params = [
                {"row_id": row.id, "delta": delta}
                for row, delta in self._taken.items()
                if isinstance(row, model) and delta > 0
            ]
            if not params:
                continue
            room = (
                table.c.accepted_count + bindparam("delta") <= table.c.places
                if model is Offer
                else or_(
                    table.c.capacity.is_(None),
                    table.c.accepted_count + bindparam("delta") <= table.c.capacity,
                )
            )
            result = self.session.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"), room)
                .values(
                    accepted_count=table.c.accepted_count + bindparam("delta"),
                    updated_at=table.c.updated_at,
                ),
                params,
            )
            sane = self.session.get_bind().dialect.supports_sane_multi_rowcount
            if sane and result.rowcount != len(params):
                raise TransitionRefused(
                    _l("Deze aanvraag werd intussen al gewijzigd. Laad de pagina opnieuw.")
                )
        self._taken.clear()

    def new_ids(self) -> set[int]:
        """Ids of the requests written by :meth:`write` and not yet announced."""
        return {request.id for request, _event in self._steps}

    def announce(self) -> None:
        """Tell the plugins of every step of the written requests, in order."""
        steps, self._steps = self._steps, []
        for request, event in steps:
            self.plugins.hook.stagebank_request_status_changed(
                placement_request=request, event=event
            )


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
    request = _built_request(plugins, programme, values, today)
    session.add(request)
    record_creation(session, request, user)
    return request


def _built_request(
    plugins: Plugins, programme: Institution, values: RequestValues, today: date | None
) -> PlacementRequest:
    """A new draft request of checked ``values``, not yet in the session."""
    clean, _ = clean_level_attributes(plugins, values.level_code, "request", values.attributes)
    today = today or date.today()
    return PlacementRequest(
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


def record_creation(
    session: Session, placement_request: PlacementRequest, actor: User | None
) -> RequestEvent:
    """Record the first event of a new request (from nothing to its initial status)."""
    event = _creation_event(placement_request, actor)
    session.add(event)
    session.flush()
    return event


def _creation_event(placement_request: PlacementRequest, actor: User | None) -> RequestEvent:
    return RequestEvent(
        placement_request=placement_request,
        actor=actor,
        from_status=None,
        to_status=placement_request.status.value,
    )


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
    check_step(placement_request, from_status, to_status, actor, reason)
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


def transition_many(
    session: Session,
    plugins: Plugins,
    requests: Sequence[PlacementRequest],
    to_status: RequestStatus,
    actor: Actor | None,
    reason: str = "",
) -> list[RequestEvent]:
    """:func:`transition` for many requests at once, with the same rules (:func:`check_step`)
    and the same conditional status change, made with one UPDATE per chunk of requests and
    one flush of the events; the plugins hear of each change. A step that takes or frees
    places goes through :func:`transition` one request at a time."""
    to_status = RequestStatus(to_status)
    if to_status in HOLDS_A_PLACE or any(r.status in HOLDS_A_PLACE for r in requests):
        return [transition(session, plugins, r, to_status, actor, reason) for r in requests]
    session.flush()
    by_status: dict[RequestStatus, list[PlacementRequest]] = {}
    for request in requests:
        check_step(request, request.status, to_status, actor, reason)
        by_status.setdefault(request.status, []).append(request)
    for from_status, group in by_status.items():
        for chunk in _chunks([request.id for request in group]):
            changed = session.execute(
                update(PlacementRequest)
                .where(PlacementRequest.id.in_(chunk), PlacementRequest.status == from_status)
                .values(status=to_status)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed != len(chunk):
                raise TransitionRefused(
                    _l("Deze aanvraag werd intussen al gewijzigd. Laad de pagina opnieuw.")
                )
    events = []
    for request in requests:
        events.append(
            RequestEvent(
                placement_request=request,
                actor=actor.user if actor else None,
                from_status=request.status.value,
                to_status=to_status.value,
                reason=reason.strip(),
            )
        )
        set_committed_value(request, "status", to_status)
    session.add_all(events)
    session.flush()
    for request, event in zip(requests, events, strict=True):
        plugins.hook.stagebank_request_status_changed(placement_request=request, event=event)
    return events


def check_step(
    placement_request: PlacementRequest,
    from_status: RequestStatus,
    to_status: RequestStatus,
    actor: Actor | None,
    reason: str,
) -> None:
    """The state machine's rules for one step (not capacity): :class:`TransitionRefused`."""
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
