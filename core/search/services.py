"""Services of the programmes' side: the choices of the filter forms, reading a form into
an :class:`~core.search.query.OfferSearch`, suggesting schools for a student, and the link
to a new placement request."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, contains_eager
from werkzeug.routing import BuildError
from wtforms import SelectChoice

from core.access.current import current_actor
from core.accounts.models import Role
from core.catalogue.models import EducationLevel, Subject
from core.catalogue.services import schools_teaching
from core.institutions.models import Campus, Institution, RegistrationStatus
from core.kept import kept
from core.offers import school_years
from core.offers.models import (
    HostingAnswer,
    HostingEstimate,
    HostingStatus,
    Offer,
    OfferStatus,
)
from core.offers.services import visible_in_region
from core.plugins.manager import Plugins
from core.plugins.regions import enablement
from core.reference.geo import Point, postcode_point
from core.reference.models import Municipality, Network, Region
from core.search.forms import OfferSearchForm, SuggestionForm
from core.search.query import NO_ANSWER, OfferSearch, near_conditions, semester_bounds

#: The endpoint of the request form (built elsewhere; the link appears once it exists).
REQUEST_ENDPOINT = "placements.new_request"
#: How many schools a suggestion list shows at most.
SUGGESTION_LIMIT = 30
#: A school's answer for a school year, as a visitor reads it (the reason for "no" is
#: never shown: it is shared only in aggregate reports).
HOSTING_LABELS = {
    HostingAnswer.YES: _l("Ontvangt stagiairs"),
    HostingAnswer.MAYBE: _l("Ontvangt misschien stagiairs"),
    HostingAnswer.NO: _l("Ontvangt dit schooljaar geen stagiairs"),
    HostingAnswer.FULL: _l("Zit al vol"),
}
NO_ANSWER_LABEL = _l("Nog geen antwoord")


# ------------------------------------------------------------------ the filter forms


def fill_choices(
    form: OfferSearchForm | SuggestionForm,
    session: Session,
    plugins: Plugins,
    today: date,
    locale: str,
) -> None:
    """Options of the select fields. Levels and subjects are those whose plugin is enabled
    in the chosen region, or in any region when none is chosen."""
    regions, municipalities, networks = kept(
        "search_reference_choices", lambda: _reference_choices(session)
    )[0]
    chosen = {form.regio.data} & {code for code, _name in regions}
    enabled = {
        plugin
        for plugin, where in enablement(session, plugins).items()
        if (where & chosen if chosen else where)
    }
    levels = {
        level.code: level
        for level in session.scalars(
            select(EducationLevel)
            .where(EducationLevel.active)
            .order_by(EducationLevel.position, EducationLevel.code)
        )
        if level.plugin in enabled
    }
    subjects = sorted(
        (
            subject
            for subject in session.scalars(
                select(Subject).where(Subject.active, Subject.level_code.in_(levels))
            )
            if subject.plugin in enabled
        ),
        key=lambda s: (levels[s.level_code].position, s.name_in(locale).casefold(), s.id),
    )
    form.niveau.choices = [
        SelectChoice("", _l("Alle niveaus")),
        *(SelectChoice(code, level.name_in(locale)) for code, level in levels.items()),
    ]
    is_search = isinstance(form, OfferSearchForm)
    form.vak.choices = [
        SelectChoice("", _l("Alle vakken") if is_search else _l("Kies een vak")),
        *(
            SelectChoice(
                str(s.id), s.name_in(locale), optgroup=levels[s.level_code].name_in(locale)
            )
            for s in subjects
        ),
    ]
    form.regio.choices = [
        SelectChoice("", _l("Heel Vlaanderen en Brussel")),
        *(SelectChoice(code, name) for code, name in regions),
    ]
    years = school_years.upcoming(today, 3)
    if is_search:
        form.schooljaar.choices = [
            SelectChoice("", _l("Dit en volgende schooljaren")),
            *(SelectChoice(year, year) for year in years),
        ]
        _fill_search_only_choices(form, municipalities, networks)
    else:
        form.schooljaar.choices = [SelectChoice(year, year) for year in years]
        form.schooljaar.data = form.schooljaar.data or years[0]


def _reference_choices(session: Session) -> tuple[list, list[SelectChoice], list[SelectChoice]]:
    """Reference data of the forms, the same for everyone and kept a while (see
    :func:`kept`): the regions as (code, name), the municipalities per region and the
    networks as choices."""
    regions = session.execute(select(Region.code, Region.name_nl).order_by(Region.position))
    municipalities = session.execute(
        select(Municipality.refnis, Municipality.name_nl, Region.name_nl)
        .join(Municipality.region)
        .order_by(Region.position, Municipality.name_nl)
    )
    networks = session.scalars(select(Network).order_by(Network.network, Network.name))
    return (
        [tuple(region) for region in regions],
        [SelectChoice(refnis, name, optgroup=region) for refnis, name, region in municipalities],
        [SelectChoice(n.code, n.name, optgroup=n.network_name) for n in networks],
    )


def _fill_search_only_choices(
    form: OfferSearchForm, municipalities: list[SelectChoice], networks: list[SelectChoice]
) -> None:
    form.gemeente.choices = [SelectChoice("", _l("Alle gemeenten")), *municipalities]
    form.net.choices = [SelectChoice("", _l("Alle onderwijsnetten")), *networks]
    form.ontvangst.choices = [
        SelectChoice("", _l("Alle scholen")),
        *(SelectChoice(answer.value, label) for answer, label in HOSTING_LABELS.items()),
        SelectChoice(NO_ANSWER, NO_ANSWER_LABEL),
    ]


def _where_and_when(form: OfferSearchForm | SuggestionForm, session: Session) -> dict | None:
    """The shared filters of a validated form; None (and errors on the fields) if invalid."""
    valid = form.validate()
    origin = None
    if form.postcode.data and not form.postcode.errors:
        origin = postcode_point(session, form.postcode.data)
        if origin is None:
            form.postcode.errors.append(
                _l("Deze postcode kennen we niet in Vlaanderen of Brussel.")
            )
            valid = False
    if not valid:
        return None
    first, last = form.van.data, form.tot.data
    period = None
    if first or last:
        period = (
            first or school_years.bounds(school_years.school_year_of(last))[0],
            last or school_years.bounds(school_years.school_year_of(first))[1],
        )
    return {
        "level_code": form.niveau.data or None,
        "subject_id": int(form.vak.data) if form.vak.data else None,
        "region_code": form.regio.data or None,
        "origin": origin,
        "max_km": form.km.data,
        "school_year": form.schooljaar.data or None,
        "period": period,
    }


def search_from_form(form: OfferSearchForm, session: Session, today: date) -> OfferSearch | None:
    """The search the form asks for; without a school year, this one and later ones."""
    shared = _where_and_when(form, session)
    if shared is None:
        return None
    return OfferSearch(
        **shared,
        from_school_year=school_years.school_year_of(today),
        municipality_refnis=form.gemeente.data or None,
        network_code=form.net.data or None,
        min_free_places=form.vrij.data,
        hosting=form.ontvangst.data or None,
    )


def page_number(value: str | None) -> int:
    """The ``pagina`` parameter as a page number; anything odd is page 1."""
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


# ------------------------------------------------------------------ suggestions


@dataclass(frozen=True)
class SchoolNeed:
    """What a student needs, as a programme coordinator describes it."""

    subject_id: int
    school_year: str
    level_code: str | None = None
    region_code: str | None = None
    origin: Point | None = None
    max_km: float | None = None
    period: tuple[date, date] | None = None


@dataclass(frozen=True)
class SchoolSuggestion:
    school: Institution
    campus: Campus
    rank: int
    #: Free places of the best offer, or the school's estimate when it has no offer.
    places: int
    reason: str
    subject: Subject
    distance_km: float | None = None
    offer: Offer | None = None


def need_from_form(form: SuggestionForm, session: Session) -> SchoolNeed | None:
    """The need the form describes; None (and errors on the fields) if invalid."""
    shared = _where_and_when(form, session)
    if shared is None:
        return None
    year = shared["school_year"]
    if shared["period"]:
        first, last = school_years.bounds(year)
        if shared["period"][1] < first or shared["period"][0] > last:
            form.van.errors.append(_l("De periode valt buiten het gekozen schooljaar."))
            return None
    return SchoolNeed(**shared)


def suggest_schools(session: Session, plugins: Plugins, need: SchoolNeed) -> list[SchoolSuggestion]:
    """Candidate schools for ``need``, best first, each with its reason in Dutch.

    The ranking rule:

    1. schools with a published offer for the subject in the school year (overlapping the
       period, when one is given) that still has free places;
    2. schools without such an offer that answered "yes" for the school year with an
       estimate of places for the subject;
    3. the same with the answer "maybe".

    Within a rank: nearest first when a postcode is given, then the most places (an
    offer's free places, or the estimate, at most the school's free capacity), then the
    name. Schools outside the distance or region asked for, not approved, whose level
    and subject plugins are off in their region, or that a plugin says do not teach the
    subject (``stagebank_schools_teaching``), are left out.
    """
    offers = OfferSearch(
        level_code=need.level_code,
        subject_id=need.subject_id,
        region_code=need.region_code,
        origin=need.origin,
        max_km=need.max_km,
        school_year=need.school_year,
        period=need.period,
        min_free_places=1,
    ).results(session, plugins)
    best: dict[int, SchoolSuggestion] = {}
    for result in offers:
        offer = result.offer
        known = best.get(offer.school_id)
        if known is None or result.free_places > known.places:
            best[offer.school_id] = SchoolSuggestion(
                school=offer.school,
                campus=offer.campus,
                rank=1,
                places=result.free_places,
                reason=_offer_reason(offer, result.free_places, result.distance_km),
                subject=offer.subject,
                distance_km=result.distance_km,
                offer=offer,
            )
    suggestions = list(best.values()) + _hosting_without_offer(session, plugins, need)
    subject = session.get(Subject, need.subject_id) if need.subject_id else None
    teaching = schools_teaching(session, plugins, subject) if subject else None
    if teaching is not None:  # e.g. a school that does not teach Islamic religion
        suggestions = [s for s in suggestions if s.school.id in teaching]
    suggestions.sort(
        key=lambda s: (s.rank, s.distance_km or 0.0, -s.places, s.school.name.casefold())
    )
    return suggestions[:SUGGESTION_LIMIT]


def _hosting_without_offer(
    session: Session, plugins: Plugins, need: SchoolNeed
) -> list[SchoolSuggestion]:
    """Ranks 2 and 3: schools willing to host the subject that published no offer for it."""
    has_offer = exists().where(
        Offer.school_id == HostingStatus.school_id,
        Offer.school_year == HostingStatus.school_year,
        Offer.subject_id == need.subject_id,
        Offer.status == OfferStatus.PUBLISHED,
    )
    distance, conditions = near_conditions(need.origin, need.max_km)
    statement = (
        select(HostingStatus, HostingEstimate.places, Campus, distance)
        .join(HostingEstimate, HostingEstimate.hosting_status_id == HostingStatus.id)
        .join(HostingStatus.school)
        .join(Subject, Subject.id == HostingEstimate.subject_id)
        .join(Subject.level)
        .join(Campus, and_(Campus.institution_id == Institution.id, Campus.is_main))
        .join(Campus.municipality)
        .where(
            HostingStatus.school_year == need.school_year,
            HostingStatus.answer.in_([HostingAnswer.YES, HostingAnswer.MAYBE]),
            HostingEstimate.subject_id == need.subject_id,
            Institution.status == RegistrationStatus.APPROVED,
            Subject.active,
            visible_in_region(session, plugins),
            ~has_offer,
            *conditions,
        )
        .options(contains_eager(HostingStatus.school), contains_eager(Campus.municipality))
    )
    if need.level_code:
        statement = statement.where(Subject.level_code == need.level_code)
    if need.region_code:
        statement = statement.where(Municipality.region_code == need.region_code)
    subject = session.get(Subject, need.subject_id)
    suggestions = []
    for status, estimate, campus, squared_km in session.execute(statement).all():
        km = None if squared_km is None else math.sqrt(max(squared_km, 0.0))
        places = estimate if status.free_capacity is None else min(estimate, status.free_capacity)
        if places < 1:
            continue
        suggestions.append(
            SchoolSuggestion(
                school=status.school,
                campus=campus,
                rank=2 if status.answer is HostingAnswer.YES else 3,
                places=places,
                reason=_hosting_reason(status.answer, subject, places, km),
                subject=subject,
                distance_km=km,
            )
        )
    return suggestions


def _offer_reason(offer: Offer, free: int, km: float | None) -> str:
    return _joined(
        _("Gepubliceerd aanbod voor %(subject)s", subject=_subject_name(offer.subject)),
        ngettext("%(num)d vrije plaats", "%(num)d vrije plaatsen", free),
        distance_label(km),
    )


def _hosting_reason(answer: HostingAnswer, subject: Subject, places: int, km: float | None):
    name = _subject_name(subject)
    if answer is HostingAnswer.YES:
        willing = ngettext(
            "Wil ontvangen (ongeveer %(num)d plaats voor %(subject)s)",
            "Wil ontvangen (ongeveer %(num)d plaatsen voor %(subject)s)",
            places,
            subject=name,
        )
    else:
        willing = ngettext(
            "Wil misschien ontvangen (ongeveer %(num)d plaats voor %(subject)s)",
            "Wil misschien ontvangen (ongeveer %(num)d plaatsen voor %(subject)s)",
            places,
            subject=name,
        )
    return _joined(willing, _("geen gepubliceerd aanbod"), distance_label(km))


def _subject_name(subject: Subject) -> str:
    return subject.name_in(str(get_locale() or "nl"))


def _joined(*parts: str | None) -> str:
    return ", ".join(part for part in parts if part)


def distance_label(km: float | None) -> str | None:
    """``"8 km"``, ``"minder dan 1 km"``, or None when the distance is unknown."""
    if km is None:
        return None
    if km < 1:
        return _("minder dan 1 km")
    return _("%(km)d km", km=round(km))


# ------------------------------------------------------------------ the request link


def request_url(
    offer: Offer | None = None, school: Institution | None = None, subject: Subject | None = None
) -> str | None:
    """The new-request form prefilled from an offer (or a school and a subject), for a
    programme coordinator; None for anyone else or while the form does not exist."""
    if REQUEST_ENDPOINT not in current_app.view_functions:
        return None
    actor = current_actor()
    if actor.role is not Role.PROGRAMME_COORDINATOR or not actor.is_active_member:
        return None
    if offer is not None:
        first, last = offer.period_start, offer.period_end
        if offer.semester and not (first and last):
            first, last = semester_bounds(offer.school_year, offer.semester)
        values = {
            "offer": offer.id,
            "school": offer.school_id,
            "subject": offer.subject_id,
            "niveau": offer.level_code,
            "period_start": first.isoformat() if first else None,
            "period_end": last.isoformat() if last else None,
        }
    else:
        values = {
            "school": school.id if school else None,
            "subject": subject.id if subject else None,
            "niveau": subject.level_code if subject else None,
        }
    try:
        return url_for(REQUEST_ENDPOINT, **{k: v for k, v in values.items() if v is not None})
    except BuildError:
        return None
