"""Allocation over the API: students' wishes, running an allocation, reviewing, editing and
sending the proposal, and the shortage, all through ``core.allocation.services``."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from core.access.current import current_actor
from core.access.routes import Access, access
from core.allocation import services
from core.allocation.models import ProposalStatus
from core.allocation.reasons import RULE, line_reason
from core.allocation.solver import MAX_WISHES
from core.api.common import Presented, api_blueprint, page_of_list
from core.api.errors import refused
from core.api.schemas import PageArgs, Schema, choice, identifier, page_of
from core.database import db_session
from core.offers import school_years
from core.placements.models import InternshipKind
from core.placements.services import programme_of
from core.plugins.manager import plugins_of

f = ma.fields
blp = api_blueprint(
    "allocation",
    f"Allocation proposals for a programme's cohort (its coordinator). {RULE}",
)
blp.register_error_handler(services.AllocationRefused, refused)


class WishChoiceSchema(Schema):
    school_id = identifier(allow_none=True, load_default=None)
    offer_id = identifier(allow_none=True, load_default=None)


class WishesSchema(Schema):
    student_id = f.Integer(dump_only=True)
    level_code = f.String(required=True)
    subject_id = identifier(required=True)
    second_subject_id = identifier(allow_none=True, load_default=None)
    same_school = f.Boolean(load_default=False)
    max_km = f.Integer(allow_none=True, load_default=None)
    period_start = f.Date(allow_none=True, load_default=None)
    period_end = f.Date(allow_none=True, load_default=None)
    choices = f.List(
        f.Nested(WishChoiceSchema),
        load_default=list,
        metadata={"description": f"Ranked, at most {MAX_WISHES}: a school or an offer each."},
    )


class RunSchema(Schema):
    school_year = f.String(required=True, metadata={"example": "2026-2027"})
    period_start = f.Date(required=True)
    period_end = f.Date(required=True)
    level_code = f.String(allow_none=True, load_default=None)
    kind = choice(InternshipKind, load_default=InternshipKind.TEACHING.value)


class LineSchema(Schema):
    id = f.Integer()
    student_id = f.Integer()
    student_name = f.String()
    subject_id = f.Integer()
    offer_id = f.Integer(allow_none=True)
    school_id = f.Integer(allow_none=True)
    wish_rank = f.Integer(allow_none=True)
    distance_km = f.Float(allow_none=True)
    reason = f.String(metadata={"description": "A reason code: wish, nearest, full, ..."})
    explanation = f.String()
    binding = f.Dict(allow_none=True, metadata={"description": "The capacity that was full."})
    request_id = f.Integer(allow_none=True)


class ProposalSchema(Schema):
    id = f.Integer()
    school_year = f.String()
    period_start = f.Date()
    period_end = f.Date()
    level_code = f.String(allow_none=True)
    kind = f.String()
    status = choice(ProposalStatus)
    method = f.String()
    seconds = f.Float()
    needs = f.Integer()
    placed = f.Integer()
    wishes_met = f.Integer()
    greedy_placed = f.Integer()
    created_at = f.DateTime()
    sent_at = f.DateTime(allow_none=True)


class ProposalDetailSchema(ProposalSchema):
    lines = f.List(f.Nested(LineSchema))


class LineEditSchema(Schema):
    offer_id = identifier(required=True, allow_none=True)


class SentSchema(Schema):
    request_ids = f.List(f.Integer())


class ShortageArgs(Schema):
    school_year = f.String(required=True, metadata={"example": "2026-2027"})


class ShortageRowSchema(Schema):
    region_code = f.String()
    level_code = f.String()
    subject_id = f.Integer()
    subject = f.String()
    needs = f.Integer()
    places = f.Integer()
    lacking = f.Integer()


class ShortageSchema(Schema):
    items = f.List(f.Nested(ShortageRowSchema))


def _line(line) -> dict:
    return {
        "id": line.id,
        "student_id": line.student_id,
        "student_name": line.student.full_name,
        "subject_id": line.subject_id,
        "offer_id": line.offer_id,
        "school_id": line.offer.school_id if line.offer else None,
        "wish_rank": line.wish_rank,
        "distance_km": line.distance_km,
        "reason": line.reason,
        "explanation": line_reason(line),
        "binding": (line.detail or {}).get("binding"),
        "request_id": line.request_id,
    }


def _proposal(proposal, with_lines: bool = False) -> Presented:
    lines = services.proposal_lines(db_session(), proposal)
    summary = services.summary(lines, proposal)
    extra = {"needs": summary.needs, "placed": summary.placed, "wishes_met": summary.wishes_met}
    if with_lines:
        extra["lines"] = [_line(line) for line in lines]
    return Presented(proposal, **extra)


@blp.route("/allocation/students/<id:student_id>/wishes")
@access(Access.MEMBER)
@blp.response(200, WishesSchema)
def get_wishes(student_id):
    """A student's wishes (empty fields when none were recorded yet)."""
    session = db_session()
    student = services.student_for_wishes(session, current_actor(), student_id)
    wishes = services.wishes_of(session, student)
    if wishes is None:
        return {"student_id": student.id, "choices": []}
    return Presented(
        wishes,
        choices=[{"school_id": c.school_id, "offer_id": c.offer_id} for c in wishes.choices],
    )


@blp.route("/allocation/students/<id:student_id>/wishes", methods=["PUT"])
@access(Access.MEMBER)
@blp.arguments(WishesSchema)
@blp.response(200, WishesSchema)
def put_wishes(values, student_id):
    """Replace a student's wishes (their programme's coordinator, or the student)."""
    session = db_session()
    choices = [(c["school_id"], c["offer_id"]) for c in values.pop("choices")]
    if any((school is None) == (offer is None) for school, offer in choices):
        abort(422, errors={"choices": [str(_l("Geef per wens een school_id of een offer_id."))]})
    wishes = services.save_wishes(
        session, current_actor(), student_id, services.WishValues(**values, choices=choices)
    )
    session.commit()
    return Presented(
        wishes,
        choices=[{"school_id": c.school_id, "offer_id": c.offer_id} for c in wishes.choices],
    )


@blp.route("/allocation/proposals")
@access(Access.MEMBER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ProposalSchema))
def list_proposals(args):
    """The programme's latest proposals, newest first."""
    proposals = services.proposals_of(db_session(), current_actor())
    return page_of_list([_proposal(p) for p in proposals], args)


@blp.route("/allocation/proposals", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(RunSchema)
@blp.response(201, ProposalDetailSchema)
def run_allocation(values):
    """Allocate the programme's students with wishes and without placement: a draft
    proposal, never sent by itself."""
    session = db_session()
    proposal = services.run_allocation(
        session, plugins_of(), current_actor(), services.RunValues(**values)
    )
    session.commit()
    return _proposal(proposal, with_lines=True)


@blp.route("/allocation/proposals/<id:proposal_id>")
@access(Access.MEMBER)
@blp.response(200, ProposalDetailSchema)
def get_proposal(proposal_id):
    """A proposal with a line per student and subject, each with its explanation."""
    proposal = services.proposal_for(db_session(), current_actor(), proposal_id)
    return _proposal(proposal, with_lines=True)


@blp.route("/allocation/proposals/<id:proposal_id>/lines/<id:line_id>", methods=["PATCH"])
@access(Access.MEMBER)
@blp.arguments(LineEditSchema)
@blp.response(200, LineSchema)
def edit_line(values, proposal_id, line_id):
    """Propose another compatible offer for a line, or none (``offer_id: null``)."""
    session = db_session()
    line = services.line_for(session, current_actor(), proposal_id, line_id)
    services.edit_line(session, plugins_of(), current_actor(), line, values["offer_id"])
    session.commit()
    return _line(line)


@blp.route("/allocation/proposals/<id:proposal_id>/send", methods=["POST"])
@access(Access.MEMBER)
@blp.response(200, SentSchema)
def send_proposal(proposal_id):
    """Send every placed line as a submitted request, all or none (422 lists the lines)."""
    session = db_session()
    proposal = services.proposal_for(session, current_actor(), proposal_id)
    created = services.send_proposal(session, plugins_of(), current_actor(), proposal)
    session.commit()
    return {"request_ids": [request.id for request in created]}


@blp.route("/allocation/shortage")
@access(Access.MEMBER)
@blp.arguments(ShortageArgs, location="query")
@blp.response(200, ShortageSchema)
def get_shortage(args):
    """Per home region and subject: needs of the programme's students against free places."""
    actor = current_actor()
    year = args["school_year"]
    if not school_years.is_school_year(year):
        message = str(_l("Kies een schooljaar, bijvoorbeeld 2026-2027."))
        abort(422, errors={"school_year": [message]})
    programme_id = None if actor.is_admin else programme_of(actor).id
    locale = str(get_locale() or "nl")
    rows = services.shortage(db_session(), plugins_of(), year, programme_id)
    return {
        "items": [
            {
                "region_code": row.region_code,
                "level_code": row.level_code,
                "subject_id": row.subject.id,
                "subject": row.subject.name_in(locale),
                "needs": row.needs,
                "places": row.places,
                "lacking": row.lacking,
            }
            for row in rows
        ]
    }
