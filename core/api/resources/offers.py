"""The offer of places: the search of the web (same filters, same checks) and a school's
own offers, created and changed through ``save_offer`` with ETag / If-Match, and copied
from last school year."""

from __future__ import annotations

import math
from datetime import date

import marshmallow as ma
from flask_babel import get_locale
from flask_smorest import abort
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from core.access.current import current_actor
from core.access.policy import Action, Denied, can, require
from core.access.routes import Access, access
from core.api.common import (
    Presented,
    api_blueprint,
    checked_school_year,
    envelope,
    page_bounds,
    page_of_list,
)
from core.api.schemas import (
    CopyResultSchema,
    OfferChangesSchema,
    OfferSchema,
    OfferSearchArgs,
    OfferValuesSchema,
    OwnOffersArgs,
    SchoolYearSchema,
    SuggestionArgs,
    SuggestionSchema,
    page_of,
)
from core.database import db_session
from core.offers import school_years
from core.offers.models import Offer, OfferStatus, Semester
from core.offers.services import (
    OfferValues,
    change_offer_status,
    copy_previous_year,
    offers_of_school,
    save_offer,
    school_for,
)
from core.plugins.manager import plugins_of
from core.search import services as search_services
from core.search.forms import OfferSearchForm, SuggestionForm
from core.search.query import OfferSearch
from core.search.services import fill_choices, need_from_form, search_from_form

blp = api_blueprint("offers", "The offer of places: search, and a school's own offers.")

#: API filter names → the web search's parameter names (``/aanbod``).
SEARCH_PARAMETERS = {
    "level": "niveau",
    "subject_id": "vak",
    "region": "regio",
    "municipality": "gemeente",
    "postcode": "postcode",
    "max_km": "km",
    "network": "net",
    "school_year": "schooljaar",
    "period_from": "van",
    "period_to": "tot",
    "min_free_places": "vrij",
    "hosting": "ontvangst",
}


class OfferEtagSchema(OfferValuesSchema):
    """What an ETag covers: every field a school can change, and the last change."""

    updated_at = ma.fields.DateTime()


def _web_form(form_class, args: dict):
    """A web search form (``/aanbod``, ``/aanbod/suggesties``) filled from the API's
    filters, and a 422 naming the API's filters for its refusals."""
    form = form_class(
        MultiDict({SEARCH_PARAMETERS[k]: v for k, v in args.items() if k in SEARCH_PARAMETERS})
    )
    fill_choices(form, db_session(), plugins_of(), date.today(), str(get_locale() or "nl"))
    return form


def _refuse_form(form) -> None:
    names = {web: api for api, web in SEARCH_PARAMETERS.items()}
    errors = {names.get(k, "_schema"): [str(m) for m in v] for k, v in form.errors.items()}
    abort(422, errors=errors)


def _search(args: dict) -> OfferSearch:
    """The web's search form, filled from the API's filters."""
    form = _web_form(OfferSearchForm, args)
    search = search_from_form(form, db_session(), date.today())
    if search is None:
        _refuse_form(form)
    return search


@blp.route("/offers")
@access(Access.MEMBER)
@blp.arguments(OfferSearchArgs, location="query")
@blp.response(200, page_of(OfferSchema))
def search_offers(args):
    """Published offers, as the web search finds and orders them."""
    session, plugins = db_session(), plugins_of()
    search = _search(args)
    offset, limit = page_bounds(args)
    statement = search.statement(session, plugins).options(selectinload(Offer.mentors))
    rows = session.execute(statement.offset(offset).limit(limit)).all()
    items = [
        Presented(
            offer,
            free_places=max(int(free or 0), 0),
            distance_km=None if squared is None else math.sqrt(max(squared, 0.0)),
        )
        for offer, free, squared in rows
    ]
    return envelope(items, search.count(session, plugins), args)


def _own_school():
    """The school the actor acts for (its coordinator manages the offers)."""
    actor = current_actor()
    if actor.membership is None:
        raise Denied(not_found=False)
    return actor, actor.membership.institution


@blp.route("/institutions/<id:institution_id>/offers")
@access(Access.MEMBER)
@blp.arguments(OwnOffersArgs, location="query")
@blp.response(200, page_of(OfferSchema))
def school_offers(args, institution_id: int):
    """All of a school's own offers for a school year, drafts and closed ones too."""
    school = school_for(db_session(), current_actor(), institution_id)
    year = checked_school_year(args.get("school_year") or school_years.school_year_of(date.today()))
    return page_of_list(offers_of_school(db_session(), school, year), args)


def _offer(offer_id: int) -> Presented:
    """An offer the actor may see: its own school's, or a published one the search shows."""
    session, actor = db_session(), current_actor()
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise Denied()
    if can(actor, Action.MANAGE_OFFERS, offer.school):
        return _own(offer)
    found = OfferSearch(school_id=offer.school_id).results(session, plugins_of())
    result = next((r for r in found if r.offer.id == offer.id), None)
    if result is None:
        raise Denied()
    return Presented(offer, free_places=result.free_places, distance_km=None)


def _own(offer: Offer) -> Presented:
    """An offer as its own school sees it (its free places, no distance)."""
    return Presented(offer, free_places=offer.free_places, distance_km=None)


def _etag_data(offer: Offer) -> Presented:
    return Presented(offer, mentor_ids=[mentor.id for mentor in offer.mentors])


@blp.route("/offers/<id:offer_id>")
@access(Access.MEMBER)
@blp.etag
@blp.response(200, OfferSchema)
def get_offer(offer_id: int):
    offer = _offer(offer_id)
    blp.set_etag(_etag_data(offer._obj), OfferEtagSchema)
    return offer


def _save(values: dict, offer: Offer | None = None) -> Presented:
    """Store ``values`` through ``save_offer``; a ``status`` publishes, closes or withdraws."""
    session, plugins = db_session(), plugins_of()
    actor, school = _own_school()
    if offer is not None:
        school = offer.school
    status = values.pop("status", None)
    semester = values.pop("semester", None)
    saved = save_offer(
        session,
        plugins,
        actor,
        school,
        OfferValues(**values, semester=Semester(semester) if semester else None),
        offer,
    )
    if status and status != saved.status:
        change_offer_status(session, plugins, actor, saved, OfferStatus(status))
    session.commit()
    blp.set_etag(_etag_data(saved), OfferEtagSchema)
    return _own(saved)


@blp.route("/offers", methods=["POST"])
@access(Access.MEMBER)
@blp.etag
@blp.arguments(OfferValuesSchema)
@blp.response(201, OfferSchema)
def create_offer(values):
    """A new offer of the token's school (its coordinator), a draft unless ``status`` says
    otherwise."""
    return _save(values)


def _changed_offer(offer_id: int) -> Offer:
    """An offer of the actor's school whose ETag the client sent (If-Match). The row stays
    locked until the change is committed, so two clients with the same ETag cannot both
    pass the check (PostgreSQL; SQLite writes one at a time anyway)."""
    offer = db_session().get(Offer, offer_id, with_for_update=True, populate_existing=True)
    if offer is None:
        raise Denied()
    require(current_actor(), Action.MANAGE_OFFERS, offer.school)
    blp.check_etag(_etag_data(offer), OfferEtagSchema)
    return offer


@blp.route("/offers/<id:offer_id>", methods=["PUT"])
@access(Access.MEMBER)
@blp.etag
@blp.arguments(OfferValuesSchema)
@blp.response(200, OfferSchema)
def replace_offer(values, offer_id: int):
    """Replace every field of an offer (send its ETag in If-Match)."""
    return _save(values, _changed_offer(offer_id))


@blp.route("/offers/<id:offer_id>", methods=["PATCH"])
@access(Access.MEMBER)
@blp.etag
@blp.arguments(OfferChangesSchema(partial=True))
@blp.response(200, OfferSchema)
def update_offer(values, offer_id: int):
    """Change some fields of an offer, e.g. ``{"status": "published"}`` (send its ETag in
    If-Match)."""
    offer = _changed_offer(offer_id)
    return _save({**_values_of(offer), **values}, offer)


def _values_of(offer: Offer) -> dict:
    """The offer as stored, in the shape of :class:`OfferValuesSchema`'s input."""
    return {
        "school_year": offer.school_year,
        "campus_id": offer.campus_id,
        "level_code": offer.level_code,
        "subject_id": offer.subject_id,
        "places": offer.places,
        "attributes": dict(offer.attributes),
        "period_start": offer.period_start,
        "period_end": offer.period_end,
        "semester": offer.semester,
        "mentor_ids": [mentor.id for mentor in offer.mentors],
        "mentor_name": offer.mentor_name or "",
        "notes": offer.notes,
    }


@blp.route("/institutions/<id:institution_id>/offers/copy-previous-year", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(SchoolYearSchema)
@blp.response(200, CopyResultSchema)
def copy_last_year(values, institution_id: int):
    """Copy last school year's published and closed offers into ``school_year`` and
    publish them, dates one year on; offers copied before are not copied again, and
    ``skipped`` lists the ones today's rules refuse."""
    session, actor = db_session(), current_actor()
    school = school_for(session, actor, institution_id)
    result = copy_previous_year(session, plugins_of(), actor, school, values["school_year"])
    session.commit()
    return {
        "copied": [_own(offer) for offer in result.copied],
        "skipped": [_own(offer) for offer in result.skipped],
    }


@blp.route("/offers/suggestions")
@access(Access.MEMBER)
@blp.arguments(SuggestionArgs, location="query")
@blp.response(200, SuggestionSchema(many=True))
def suggest_schools(args):
    """Schools to ask for a student's need, best first, as the web suggests them: first
    schools with free published places, then schools that host without an offer yet."""
    form = _web_form(SuggestionForm, args)
    need = need_from_form(form, db_session())
    if need is None:
        _refuse_form(form)
    return search_services.suggest_schools(db_session(), plugins_of(), need)
