"""Allocation proposals: students' wishes, running an allocation for a cohort, reviewing
and editing the proposal, sending it as requests (all or none), and the shortage of
places per subject and region.

The solver (:mod:`core.allocation.solver`) decides nothing about people: who may see or
change a student's wishes or a programme's proposals is asked of
:mod:`core.access.policy` here, and requests are created by
:func:`core.placements.services.create_request`, with its rules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from core.access.policy import Action, Actor, Denied, can
from core.accounts.models import Role
from core.allocation import solver
from core.allocation.loading import (
    Cohort,
    free_places_by_region,
    load_problem,
    offer_span,
    postcode_regions,
    school_capacity,
)
from core.allocation.models import (
    Proposal,
    ProposalLine,
    ProposalStatus,
    StudentWishes,
    WishChoice,
)
from core.catalogue.level_fields import level_fields
from core.catalogue.models import EducationLevel, Subject
from core.database import utcnow
from core.institutions.models import Institution, InstitutionKind, RegistrationStatus
from core.offers.models import Offer, OfferStatus
from core.offers.school_years import bounds, is_school_year
from core.placements.models import InternshipKind, PlacementRequest, Student
from core.placements.services import (
    RequestRefused,
    RequestValues,
    create_request,
    programme_of,
    students_without_placement,
)
from core.plugins.manager import Plugins

MAX_KM = 300
#: Reason of a line the coordinator changed.
EDITED = "edited"


class AllocationRefused(ValueError):
    """Wishes, a run, an edit or a sending that cannot be done; ``errors`` maps fields
    (for a sending: ``line <id>``) to Dutch messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _refuse(errors: dict[str, list[str]], name: str, message) -> None:
    errors.setdefault(name, []).append(str(message))


# -------------------------------------------------------------------------- wishes


@dataclass
class WishValues:
    """A student's wishes as a form or the API gives them."""

    level_code: str
    subject_id: int | None
    second_subject_id: int | None = None
    same_school: bool = False
    max_km: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    #: Ranked: ``(school id, offer id)``, one of the two set.
    choices: list[tuple[int | None, int | None]] = field(default_factory=list)


def may_edit_wishes(actor: Actor, student: Student) -> bool:
    """The programme's coordinator, and the student themself when they have an account."""
    if can(actor, Action.MANAGE_STUDENTS, student.programme):
        return True
    return actor.role is Role.STUDENT and can(actor, Action.VIEW_STUDENT, student)


def student_for_wishes(session: Session, actor: Actor, student_id: int) -> Student:
    """A student whose wishes ``actor`` may see and change, or :class:`Denied`."""
    student = session.get(Student, student_id)
    if student is None or not may_edit_wishes(actor, student):
        raise Denied()
    return student


def wishes_of(session: Session, student: Student) -> StudentWishes | None:
    return session.scalar(select(StudentWishes).where(StudentWishes.student_id == student.id))


def own_student(session: Session, actor: Actor) -> Student | None:
    """The student record of a signed-in student (for "my wishes")."""
    if actor.role is not Role.STUDENT or actor.user is None:
        return None
    return session.scalar(
        select(Student).where(
            Student.user_id == actor.user.id, Student.programme_id == actor.institution_id
        )
    )


def check_wishes(session: Session, values: WishValues) -> dict[str, list[str]]:
    """Every reason ``values`` are no valid wishes; empty when fine."""
    errors: dict[str, list[str]] = {}
    level = session.get(EducationLevel, values.level_code or "")
    if level is None or not level.active:
        _refuse(errors, "level_code", _l("Kies een onderwijsniveau."))
    subjects = {}
    for name, subject_id in (
        ("subject_id", values.subject_id),
        ("second_subject_id", values.second_subject_id),
    ):
        if subject_id is None:
            continue
        subject = session.get(Subject, subject_id)
        if subject is None or not subject.active or subject.level_code != values.level_code:
            _refuse(errors, name, _l("Kies een vak van dit onderwijsniveau."))
        subjects[name] = subject_id
    if values.subject_id is None:
        _refuse(errors, "subject_id", _l("Kies een vak."))
    if values.second_subject_id is not None and values.second_subject_id == values.subject_id:
        _refuse(errors, "second_subject_id", _l("Kies een ander tweede vak."))
    if values.same_school and values.second_subject_id is None:
        _refuse(errors, "same_school", _l("Dit kan alleen met een tweede vak."))
    if values.max_km is not None and not 1 <= values.max_km <= MAX_KM:
        _refuse(errors, "max_km", _l("Vul een afstand tussen 1 en %(n)d km in.", n=MAX_KM))
    if bool(values.period_start) != bool(values.period_end):
        _refuse(errors, "period_start", _l("Vul een begin- en einddatum in, of geen van beide."))
    elif values.period_start and values.period_end < values.period_start:
        _refuse(errors, "period_end", _l("De einddatum ligt voor de begindatum."))
    if len(values.choices) > solver.MAX_WISHES:
        _refuse(errors, "choices", _l("Geef hoogstens %(n)d wensen op.", n=solver.MAX_WISHES))
    for school_id, offer_id in values.choices:
        if offer_id is not None:
            offer = session.get(Offer, offer_id)
            if offer is None or offer.status is not OfferStatus.PUBLISHED:
                _refuse(errors, "choices", _l("Aanbod %(id)d is niet gepubliceerd.", id=offer_id))
            continue
        school = session.get(Institution, school_id) if school_id else None
        if (
            school is None
            or school.kind != InstitutionKind.SCHOOL
            or school.status != RegistrationStatus.APPROVED
        ):
            _refuse(errors, "choices", _l("Kies scholen die op Stagebank geregistreerd zijn."))
    return errors


def save_wishes(
    session: Session, actor: Actor, student_id: int, values: WishValues
) -> StudentWishes:
    """Replace a student's wishes, or :class:`AllocationRefused`. The caller commits."""
    student = student_for_wishes(session, actor, student_id)
    if errors := check_wishes(session, values):
        raise AllocationRefused(errors)
    wishes = wishes_of(session, student) or StudentWishes(student_id=student.id)
    wishes.level_code = values.level_code
    wishes.subject_id = values.subject_id
    wishes.second_subject_id = values.second_subject_id
    wishes.same_school = values.same_school
    wishes.max_km = values.max_km
    wishes.period_start, wishes.period_end = values.period_start, values.period_end
    wishes.choices.clear()
    session.add(wishes)
    session.flush()
    wishes.choices.extend(
        WishChoice(rank=rank, school_id=None if offer_id else school_id, offer_id=offer_id)
        for rank, (school_id, offer_id) in enumerate(values.choices, 1)
    )
    session.flush()
    return wishes


# --------------------------------------------------------------------------- a run


@dataclass
class RunValues:
    school_year: str
    period_start: date | None
    period_end: date | None
    level_code: str | None = None
    kind: str = InternshipKind.TEACHING.value


def check_run(session: Session, values: RunValues) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if (
        not is_school_year(values.school_year or "")
        or not 2000 <= int(values.school_year[:4]) < 2100
    ):
        _refuse(errors, "school_year", _l("Kies een schooljaar, bijvoorbeeld 2026-2027."))
        return errors
    first, last = bounds(values.school_year)
    if not values.period_start or not values.period_end:
        _refuse(errors, "period_start", _l("Vul een begin- en einddatum in."))
    elif values.period_end < values.period_start:
        _refuse(errors, "period_end", _l("De einddatum ligt voor de begindatum."))
    elif values.period_start < first or values.period_end > last:
        _refuse(errors, "period_start", _l("De periode valt buiten het gekozen schooljaar."))
    if values.level_code and session.get(EducationLevel, values.level_code) is None:
        _refuse(errors, "level_code", _l("Kies een onderwijsniveau."))
    if values.kind not in InternshipKind.__members__.values():
        _refuse(errors, "kind", _l("Kies een soort stage."))
    return errors


def run_allocation(session: Session, plugins: Plugins, actor: Actor, values: RunValues) -> Proposal:
    """Allocate the programme's students that have wishes and no placement yet, and store
    the result as a draft proposal (nothing is sent). The caller commits."""
    programme = programme_of(actor)
    if errors := check_run(session, values):
        raise AllocationRefused(errors)
    cohort = Cohort(
        values.school_year,
        (values.period_start, values.period_end),
        [s.id for s in students_without_placement(session, programme)],
        values.level_code or None,
    )
    problem, _ = load_problem(session, plugins, cohort)
    solution = solver.solve(problem)
    proposal = Proposal(
        programme_id=programme.id,
        school_year=values.school_year,
        period_start=values.period_start,
        period_end=values.period_end,
        level_code=values.level_code or None,
        kind=InternshipKind(values.kind),
        method=solution.method,
        seconds=round(solution.seconds, 3),
        greedy_placed=solver.greedy(problem).placed,
        created_by=actor.user,
    )
    session.add(proposal)
    names = _binding_names(session, solution.assignments)
    proposal.lines.extend(
        ProposalLine(
            student_id=a.student_id,
            subject_id=a.subject_id,
            offer_id=a.offer_id,
            wish_rank=a.wish_rank,
            distance_km=None if a.distance_km is None else round(a.distance_km, 1),
            reason=a.reason,
            detail=_detail(a, names),
        )
        for a in solution.assignments
    )
    session.flush()
    return proposal


def _binding_names(session: Session, assignments) -> dict[tuple[str, int], str]:
    """Readable names of the binding offers and schools, fetched at once."""
    offer_ids = {a.binding.id for a in assignments if a.binding and a.binding.kind == "offer"}
    school_ids = {a.binding.id for a in assignments if a.binding and a.binding.kind == "school"}
    names = {}
    if offer_ids:
        for offer_id, school, subject in session.execute(
            select(Offer.id, Institution.name, Subject.name_nl)
            .join(Institution, Institution.id == Offer.school_id)
            .join(Subject, Subject.id == Offer.subject_id)
            .where(Offer.id.in_(sorted(offer_ids)))
        ):
            names["offer", offer_id] = f"{subject}, {school} (#{offer_id})"
    if school_ids:
        for school_id, name in session.execute(
            select(Institution.id, Institution.name).where(Institution.id.in_(sorted(school_ids)))
        ):
            names["school", school_id] = name
    return names


def _detail(assignment: solver.Assignment, names: dict) -> dict:
    detail = {}
    if assignment.binding is not None:
        key = (assignment.binding.kind, assignment.binding.id)
        detail["binding"] = {
            "kind": assignment.binding.kind,
            "id": assignment.binding.id,
            "name": names.get(key, ""),
        }
    if assignment.nearest_km is not None:
        detail["nearest_km"] = round(assignment.nearest_km, 1)
    return detail


# --------------------------------------------------------------------- reviewing


def proposals_of(session: Session, actor: Actor) -> list[Proposal]:
    programme = programme_of(actor)
    return list(
        session.scalars(
            select(Proposal)
            .where(Proposal.programme_id == programme.id)
            .order_by(Proposal.id.desc())
            .limit(20)
        )
    )


def proposal_for(session: Session, actor: Actor, proposal_id: int) -> Proposal:
    """A proposal of the actor's programme, or :class:`Denied` (foreign ids too)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or not can(actor, Action.CREATE_REQUEST, proposal.programme):
        raise Denied()
    return proposal


def proposal_lines(session: Session, proposal: Proposal) -> list[ProposalLine]:
    """The lines with their students, subjects, offers and schools, by student name."""
    return list(
        session.scalars(
            select(ProposalLine)
            .join(ProposalLine.student)
            .where(ProposalLine.proposal_id == proposal.id)
            .options(
                joinedload(ProposalLine.student),
                joinedload(ProposalLine.subject),
                joinedload(ProposalLine.offer).joinedload(Offer.school),
            )
            .order_by(Student.last_name, Student.first_name, ProposalLine.id)
        )
    )


@dataclass(frozen=True)
class ProposalSummary:
    needs: int
    placed: int
    wishes_met: int
    first_wishes: int
    greedy_placed: int


def summary(lines: list[ProposalLine], proposal: Proposal) -> ProposalSummary:
    return ProposalSummary(
        needs=len(lines),
        placed=sum(line.offer_id is not None for line in lines),
        wishes_met=sum(line.wish_rank is not None for line in lines),
        first_wishes=sum(line.wish_rank == 1 for line in lines),
        greedy_placed=proposal.greedy_placed,
    )


def line_for(session: Session, actor: Actor, proposal_id: int, line_id: int) -> ProposalLine:
    proposal = proposal_for(session, actor, proposal_id)
    line = session.get(ProposalLine, line_id)
    if line is None or line.proposal_id != proposal.id:
        raise Denied()
    return line


@dataclass(frozen=True)
class LineOption:
    offer_id: int
    wish_rank: int | None
    distance_km: float | None


def line_options(session: Session, plugins: Plugins, line: ProposalLine) -> list[LineOption]:
    """The offers this line may be changed to: every compatible offer of the student's
    wishes and the nearest ones (the solver's own rule), best first."""
    proposal = line.proposal
    cohort = Cohort(
        proposal.school_year, (proposal.period_start, proposal.period_end), [line.student_id]
    )
    problem, _ = load_problem(session, plugins, cohort, nearest=30)
    return [
        LineOption(problem.offers[c.offer].id, c.rank, c.km)
        for need in solver.build_needs(problem)
        if need.subject_id == line.subject_id
        for c in need.candidates
    ]


def edit_line(
    session: Session, plugins: Plugins, actor: Actor, line: ProposalLine, offer_id: int | None
) -> ProposalLine:
    """Propose another offer (or none) for one line of a draft proposal. The caller commits."""
    proposal = proposal_for(session, actor, line.proposal_id)
    if proposal.status is not ProposalStatus.DRAFT:
        raise AllocationRefused({"offer_id": [str(_l("Dit voorstel is al verstuurd."))]})
    option = None
    if offer_id is not None:
        option = next(
            (o for o in line_options(session, plugins, line) if o.offer_id == offer_id), None
        )
        if option is None:
            raise AllocationRefused(
                {"offer_id": [str(_l("Dit aanbod past niet bij de wensen van de student."))]}
            )
        if (message := _room_refusal(session, proposal, line, offer_id)) is not None:
            raise AllocationRefused({"offer_id": [str(message)]})
    line.offer_id = offer_id
    line.wish_rank = option.wish_rank if option else None
    line.distance_km = (
        None if not option or option.distance_km is None else round(option.distance_km, 1)
    )
    line.reason, line.detail = EDITED, {}
    session.flush()
    return line


def _room_refusal(session: Session, proposal: Proposal, line: ProposalLine, offer_id: int):
    """Why the proposal has no room left on this offer or at its school (or None)."""
    offer = session.get(Offer, offer_id)
    others = [other for other in proposal.lines if other.id != line.id and other.offer_id]
    if sum(other.offer_id == offer_id for other in others) >= offer.free_places:
        return _l("De vrije plaatsen van dit aanbod zijn al aan andere studenten toegewezen.")
    capacity = school_capacity(session, proposal.school_year).get(offer.school_id)
    at_school = sum(
        1 for other in others if other.offer and other.offer.school_id == offer.school_id
    )
    if capacity is not None and at_school >= capacity:
        return _l("De school heeft haar maximum aantal stagiairs voor dit schooljaar bereikt.")
    return None


# ----------------------------------------------------------------------- sending


def send_proposal(
    session: Session, plugins: Plugins, actor: Actor, proposal: Proposal
) -> list[PlacementRequest]:
    """Create one submitted request per placed line, all or none.

    Every line is tried so the refusal lists them all (keys ``line <id>``). The caller
    commits; on :class:`AllocationRefused` it must roll back.
    """
    proposal = proposal_for(session, actor, proposal.id)
    if proposal.status is not ProposalStatus.DRAFT:
        raise AllocationRefused({"proposal": [str(_l("Dit voorstel is al verstuurd."))]})
    lines = [line for line in proposal_lines(session, proposal) if line.offer_id]
    if not lines:
        raise AllocationRefused({"proposal": [str(_l("Dit voorstel plaatst geen studenten."))]})
    periods = {
        w.student_id: (w.period_start, w.period_end)
        for w in session.scalars(
            select(StudentWishes).where(
                StudentWishes.student_id.in_(sorted({line.student_id for line in lines}))
            )
        )
    }
    errors: dict[str, list[str]] = {}
    created = []
    for line in lines:
        try:
            request = create_request(
                session, plugins, actor, _request_values(plugins, proposal, line, periods)
            )
        except RequestRefused as refused:
            name = f"line {line.id}"
            for messages in refused.errors.values():
                errors.setdefault(name, []).extend(messages)
            continue
        line.request_id = request.id
        created.append(request)
    if errors:
        raise AllocationRefused(errors)
    proposal.status, proposal.sent_at = ProposalStatus.SENT, utcnow()
    session.flush()
    return created


def _request_values(plugins, proposal: Proposal, line: ProposalLine, periods) -> RequestValues:
    offer = line.offer
    wanted = periods.get(line.student_id, (None, None))
    first = wanted[0] or proposal.period_start
    last = wanted[1] or proposal.period_end
    offer_first, offer_last = offer_span(
        offer.school_year, offer.period_start, offer.period_end, offer.semester
    )
    request_fields = {f.name for _, f in level_fields(plugins, offer.level_code, "request")}
    return RequestValues(
        student_id=line.student_id,
        school_id=offer.school_id,
        offer_id=offer.id,
        level_code=offer.level_code,
        subject_id=line.subject_id,
        attributes={k: v for k, v in offer.attributes.items() if k in request_fields},
        period_start=max(first, offer_first),
        period_end=min(last, offer_last),
        kind=proposal.kind,
    )


# ----------------------------------------------------------------------- shortage


@dataclass(frozen=True)
class ShortageRow:
    region_code: str
    level_code: str
    subject: Subject
    needs: int
    places: int

    @property
    def lacking(self) -> int:
        return max(self.needs - self.places, 0)


def shortage(
    session: Session, plugins: Plugins | None, school_year: str, programme_id: int | None = None
) -> list[ShortageRow]:
    """Per home region and subject: the needs of students with wishes (of one programme,
    or of all) against the free places of published offers in that region; the rows
    that lack the most places first. Students without a known home count under ``""``."""
    homes = postcode_regions()
    key = (
        homes.c.region_code,
        StudentWishes.level_code,
        StudentWishes.subject_id,
        StudentWishes.second_subject_id,
    )
    statement = (
        select(*key, func.count())
        .select_from(StudentWishes)
        .join(Student, Student.id == StudentWishes.student_id)
        .outerjoin(homes, homes.c.postcode == Student.home_postcode)
        .group_by(*key)
    )
    if programme_id is not None:
        statement = statement.where(Student.programme_id == programme_id)
    needs: Counter = Counter()
    for region, level, first, second, students in session.execute(statement):
        for subject_id in (first, second):
            if subject_id:
                needs[region or "", level, subject_id] += students
    subject_ids = {key[2] for key in needs}
    places = free_places_by_region(session, plugins, school_year, subject_ids)
    subjects = {
        s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(subject_ids)))
    }
    rows = [
        ShortageRow(region, level, subjects[subject_id], count, places.get((region, subject_id), 0))
        for (region, level, subject_id), count in needs.items()
    ]
    return sorted(rows, key=lambda r: (-r.lacking, r.region_code, r.subject.name_nl))


def students_and_wishes(session: Session, actor: Actor) -> list[tuple[Student, bool]]:
    """The programme's students by name, each with whether they recorded wishes."""
    programme = programme_of(actor)
    return [
        (student, wishes_id is not None)
        for student, wishes_id in session.execute(
            select(Student, StudentWishes.id)
            .outerjoin(StudentWishes, StudentWishes.student_id == Student.id)
            .where(Student.programme_id == programme.id)
            .order_by(Student.last_name, Student.first_name, Student.id)
        )
    ]
