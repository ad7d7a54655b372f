"""Rules for offers: what a school may publish, hosting status and capacity, and which
offers a visitor of a region may see (``visible_in_region``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.access.policy import Action, Actor, Denied, require
from core.accounts.models import Membership, Role, User
from core.catalogue.level_fields import clean_level_attributes
from core.catalogue.models import EducationLevel, Subject
from core.catalogue.services import RegionCatalogue
from core.institutions.models import Institution, InstitutionKind, RegistrationStatus
from core.offers import school_years
from core.offers.models import (
    HostingAnswer,
    HostingEstimate,
    HostingStatus,
    NoHostingReason,
    Offer,
    OfferStatus,
    Semester,
)
from core.plugins.manager import Plugins
from core.plugins.regions import enablement

MAX_PLACES = 50
#: A school's rough count for one subject ("maybe"), in places.
MAX_ESTIMATE = 50


class OfferRefused(ValueError):
    """A refused change; ``errors`` maps field names to Dutch messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class OfferValues:
    """What a school fills in for one offer (the web form and the API both build this)."""

    school_year: str
    campus_id: int
    level_code: str
    subject_id: int
    places: int
    attributes: dict = field(default_factory=dict)
    period_start: date | None = None
    period_end: date | None = None
    semester: Semester | None = None
    mentor_ids: list[int] = field(default_factory=list)
    mentor_name: str = ""
    notes: str = ""


def school_for(session: Session, actor: Actor, school_id: int) -> Institution:
    """A school whose offer ``actor`` manages, or :class:`Denied` (also for unknown ids)."""
    school = session.get(Institution, school_id)
    if school is None:
        raise Denied()
    require(actor, Action.MANAGE_OFFERS, school)
    if school.kind != InstitutionKind.SCHOOL:
        raise Denied()
    return school


def offers_of_school(session: Session, school: Institution, school_year: str) -> list[Offer]:
    """All of a school's offers for one school year, drafts and closed ones included."""
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.school_id == school.id, Offer.school_year == school_year)
            .options(
                joinedload(Offer.subject), joinedload(Offer.campus), selectinload(Offer.mentors)
            )
            .order_by(Offer.status, Offer.id)
        )
    )


def mentors_of(session: Session, school: Institution) -> list[User]:
    """People with the mentor role at ``school`` (the choices for an offer's mentors)."""
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.institution_id == school.id, Membership.role == Role.MENTOR)
            .order_by(User.name)
        )
    )


def check_offer(
    session: Session,
    plugins: Plugins,
    school: Institution,
    values: OfferValues,
    catalogue: RegionCatalogue | None = None,
) -> dict[str, list[str]]:
    """Every reason ``values`` cannot be stored for ``school``; empty when all is well.

    ``catalogue``: levels and enablement already read, when checking many offers at once.
    """
    catalogue = catalogue or RegionCatalogue(session, plugins)
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    if not school_years.is_school_year(values.school_year):
        refuse("school_year", _l("Kies een schooljaar."))
    if values.campus_id not in {campus.id for campus in school.campuses}:
        refuse("campus_id", _l("Kies een vestigingsplaats van je school."))
    level_codes = catalogue.level_codes_in(school.region_code)
    subject = session.get(Subject, values.subject_id) if values.subject_id else None
    if values.level_code not in level_codes:
        refuse("level_code", _l("Dit onderwijsniveau is niet beschikbaar in je regio."))
    elif subject is None or subject.level_code != values.level_code or not subject.active:
        refuse("subject_id", _l("Kies een vak van dit onderwijsniveau."))
    elif school.region_code not in catalogue.enabled.get(subject.plugin, set()):
        refuse("subject_id", _l("Dit vak is niet beschikbaar in je regio."))
    if not 1 <= (values.places or 0) <= MAX_PLACES:
        refuse("places", _l("Kies tussen 1 en %(n)d plaatsen.", n=MAX_PLACES))
    _check_period(values, refuse)
    if len(values.mentor_name or "") > 200:
        refuse("mentor_name", _l("Gebruik hoogstens 200 tekens."))
    if values.mentor_ids and set(values.mentor_ids) - {u.id for u in mentors_of(session, school)}:
        refuse("mentor_ids", _l("Kies mentoren van je eigen school."))
    if values.level_code in level_codes:
        _, attribute_errors = clean_level_attributes(
            plugins, values.level_code, "offer", values.attributes
        )
        for name, messages in attribute_errors.items():
            errors.setdefault(f"attributes.{name}", []).extend(messages)
    return errors


def _check_period(values: OfferValues, refuse) -> None:
    if values.semester is None and not (values.period_start and values.period_end):
        refuse("period_start", _l("Kies een semester of vul begin- en einddatum in."))
        return
    if (values.period_start is None) != (values.period_end is None):
        refuse("period_end", _l("Vul zowel een begin- als een einddatum in."))
        return
    if values.period_start and values.period_end:
        if values.period_end < values.period_start:
            refuse("period_end", _l("De einddatum ligt voor de begindatum."))
        elif school_years.is_school_year(values.school_year):
            first, last = school_years.bounds(values.school_year)
            if values.period_start < first or values.period_end > last:
                refuse("period_start", _l("De periode valt buiten het gekozen schooljaar."))


def save_offer(
    session: Session,
    plugins: Plugins,
    actor: Actor | None,
    school: Institution,
    values: OfferValues,
    offer: Offer | None = None,
    catalogue: RegionCatalogue | None = None,
    flush: bool = True,
) -> Offer:
    """Create or update one of ``school``'s offers (the caller commits).

    ``actor`` None is the system itself (a bridge or a legacy import, see
    :mod:`core.bridges`): it skips the person's right, never :func:`check_offer`.
    ``flush`` False leaves the flush to the caller (saving many offers at once).
    """
    if actor is not None:
        require(actor, Action.MANAGE_OFFERS, school)
    if offer is not None and offer.school_id != school.id:
        if actor is None:
            raise OfferRefused({"school_id": [str(_l("Dit aanbod hoort niet bij deze school."))]})
        require(actor, Action.MANAGE_OFFERS, offer.school)
    if errors := check_offer(session, plugins, school, values, catalogue):
        raise OfferRefused(errors)
    clean, _ = clean_level_attributes(plugins, values.level_code, "offer", values.attributes)
    offer = offer or Offer(school=school, status=OfferStatus.DRAFT)
    offer.school_year = values.school_year
    offer.campus_id = values.campus_id
    offer.level_code = values.level_code
    offer.subject_id = values.subject_id
    offer.attributes = clean
    offer.period_start, offer.period_end = values.period_start, values.period_end
    offer.semester = values.semester
    offer.places = values.places
    offer.mentors = [session.get(User, user_id) for user_id in values.mentor_ids]
    offer.mentor_name = values.mentor_name.strip() or None
    offer.notes = values.notes.strip()
    session.add(offer)
    if flush:
        session.flush()
    return offer


def change_offer_status(
    session: Session, plugins: Plugins, actor: Actor, offer: Offer, status: OfferStatus
) -> None:
    """Publish, close or return an offer to draft."""
    require(actor, Action.MANAGE_OFFERS, offer.school)
    status = OfferStatus(status)
    if status is OfferStatus.PUBLISHED:
        publish_offer(session, plugins, offer)
    else:
        offer.status = status
        session.flush()


@dataclass
class CopyResult:
    copied: list[Offer]
    #: Offers that no longer pass today's rules (a level switched off, a changed field):
    #: they are not copied, and the school is told which.
    skipped: list[Offer]


def copy_previous_year(
    session: Session, plugins: Plugins, actor: Actor, school: Institution, to_year: str
) -> CopyResult:
    """Copy last school year's published and closed offers into ``to_year`` and publish them.

    Dates move one year on; offers copied before are skipped, so a second click adds
    nothing.
    """
    require(actor, Action.MANAGE_OFFERS, school)
    if not school_years.is_school_year(to_year):
        raise OfferRefused({"school_year": [str(_l("Kies een schooljaar."))]})
    from_year = school_years.shift(to_year, -1)
    already = select(Offer.copied_from_id).where(
        Offer.school_id == school.id, Offer.copied_from_id.is_not(None)
    )
    sources = session.scalars(
        select(Offer).where(
            Offer.school_id == school.id,
            Offer.school_year == from_year,
            Offer.status != OfferStatus.DRAFT,
            Offer.id.not_in(already),
        )
    ).all()
    result = CopyResult([], [])
    for source in sources:
        values = OfferValues(
            school_year=to_year,
            campus_id=source.campus_id,
            level_code=source.level_code,
            subject_id=source.subject_id,
            places=source.places,
            attributes=dict(source.attributes),
            period_start=_next_year(source.period_start),
            period_end=_next_year(source.period_end),
            semester=source.semester,
            mentor_ids=[mentor.id for mentor in source.mentors],
            mentor_name=source.mentor_name or "",
            notes=source.notes,
        )
        if check_offer(session, plugins, school, values):
            result.skipped.append(source)
            continue
        copy = save_offer(session, plugins, actor, school, values)
        copy.copied_from_id = source.id
        publish_offer(session, plugins, copy)
        result.copied.append(copy)
    return result


def _next_year(day: date | None) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# ------------------------------------------------------------------ hosting and capacity


def hosting_status(session: Session, school: Institution, school_year: str) -> HostingStatus | None:
    return session.scalar(
        select(HostingStatus).where(
            HostingStatus.school_id == school.id, HostingStatus.school_year == school_year
        )
    )


def set_hosting_status(
    session: Session,
    actor: Actor,
    school: Institution,
    school_year: str,
    answer: HostingAnswer,
    capacity: int | None = None,
    no_reason: NoHostingReason | None = None,
    estimates: dict[int, int] | None = None,
) -> HostingStatus:
    """Record whether a school hosts this school year, and how many trainees at most."""
    require(actor, Action.MANAGE_OFFERS, school)
    answer = HostingAnswer(answer)
    errors: dict[str, list[str]] = {}
    if not school_years.is_school_year(school_year):
        errors["school_year"] = [str(_l("Kies een schooljaar."))]
    if answer is HostingAnswer.NO and no_reason is None:
        errors["no_reason"] = [
            str(_l("Kies waarom je school dit schooljaar geen stagiairs ontvangt."))
        ]
    if capacity is not None and not 0 <= capacity <= 500:
        errors["capacity"] = [str(_l("Vul een aantal tussen 0 en 500 in."))]
    if problems := _estimate_problems(session, school, estimates or {}):
        errors["estimates"] = problems
    if errors:
        raise OfferRefused(errors)
    status = hosting_status(session, school, school_year) or HostingStatus(
        school=school, school_year=school_year, accepted_count=0
    )
    status.answer = answer
    status.no_reason = NoHostingReason(no_reason) if answer is HostingAnswer.NO else None
    status.capacity = capacity
    status.estimates = (
        [
            HostingEstimate(subject_id=subject_id, places=count)
            for subject_id, count in (estimates or {}).items()
        ]
        if answer is HostingAnswer.MAYBE
        else []
    )
    session.add(status)
    session.flush()
    return status


def _estimate_problems(
    session: Session, school: Institution, estimates: dict[int, int]
) -> list[str]:
    """Why per-subject estimates cannot be stored: each is 1 to ``MAX_ESTIMATE`` places
    for an active subject of the school's levels (any level when it lists none)."""
    problems = []
    if any(not 1 <= count <= MAX_ESTIMATE for count in estimates.values()):
        problems.append(
            str(_l("Een schatting ligt tussen 1 en %(max)d plaatsen.", max=MAX_ESTIMATE))
        )
    if estimates:
        known = select(Subject.id).where(Subject.id.in_(list(estimates)), Subject.active)
        if school.levels:
            known = known.where(Subject.level_code.in_([level.code for level in school.levels]))
        if set(session.scalars(known)) != set(estimates):
            problems.append(str(_l("Kies voor elke schatting een vak van je school.")))
    return problems


def refusal_for_new_request(offer: Offer, status: HostingStatus | None):
    """Why ``offer`` takes no new requests now (a Dutch message), or None when it does.

    An offer closes itself for new requests when its own places or the school's capacity
    for the school year are taken.
    """
    if offer.status is not OfferStatus.PUBLISHED:
        return _l("Dit aanbod is niet gepubliceerd.")
    if offer.free_places <= 0:
        return _l("Alle plaatsen van dit aanbod zijn ingenomen.")
    if status is not None and status.answer in (HostingAnswer.NO, HostingAnswer.FULL):
        return _l("Deze school ontvangt dit schooljaar geen stagiairs meer.")
    if status is not None and status.free_capacity == 0:
        return _l("Deze school heeft haar maximum aantal stagiairs voor dit schooljaar bereikt.")
    return None


def schools_without_offer(session: Session, school_year: str) -> list[Institution]:
    """Registered schools with no published offer for ``school_year`` (for reminders)."""
    has_offer = exists().where(
        Offer.school_id == Institution.id,
        Offer.school_year == school_year,
        Offer.status == OfferStatus.PUBLISHED,
    )
    return list(
        session.scalars(
            select(Institution)
            .where(
                Institution.kind == InstitutionKind.SCHOOL,
                Institution.status == RegistrationStatus.APPROVED,
                ~has_offer,
            )
            .options(joinedload(Institution.region))
            .order_by(Institution.region_code, Institution.name)
        )
    )


def publish_offer(session: Session, plugins: Plugins, offer: Offer) -> None:
    """Publish a draft or closed offer and tell the plugins. The caller commits."""
    publish_offers(session, plugins, [offer])


def publish_offers(session: Session, plugins: Plugins, offers: Iterable[Offer]) -> None:
    """:func:`publish_offer` for many offers, in one flush."""
    offers = list(offers)
    for offer in offers:
        offer.status = OfferStatus.PUBLISHED
    session.flush()
    for offer in offers:
        plugins.hook.stagebank_offer_published(offer=offer)


def visible_in_region(session: Session, plugins: Plugins) -> ColumnElement[bool]:
    """SQL condition: the subject's and level's plugins are enabled in the school's region.

    Regions with the same plugins enabled share one term (usually every region does), so
    the condition stays short however many regions there are.
    Needs ``Institution`` (the school), ``Subject`` and ``EducationLevel`` in the query.
    """
    by_region: dict[str, set[str]] = {}
    for plugin, regions in enablement(session, plugins).items():
        for region in regions:
            by_region.setdefault(region, set()).add(plugin)
    regions_of: dict[tuple[str, ...], list[str]] = {}
    for region, names in sorted(by_region.items()):
        regions_of.setdefault(tuple(sorted(names)), []).append(region)
    return or_(
        false(),
        *(
            and_(
                Institution.region_code.in_(regions),
                Subject.plugin.in_(names),
                EducationLevel.plugin.in_(names),
            )
            for names, regions in sorted(regions_of.items(), key=lambda item: item[1])
        ),
    )
