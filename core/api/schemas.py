"""Marshmallow schemas of the API: what goes in and out, with Dutch messages.

Input schemas only check types and shapes; every rule (which campus, which subject,
which dates, the level-specific ``attributes``) is the services' own, so the API refuses
exactly what the web forms refuse, with the same messages.
"""

from __future__ import annotations

import functools

import marshmallow as ma
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from core.institutions.models import InstitutionKind, RegistrationStatus
from core.offers.models import OfferStatus, Semester
from core.placements.models import InternshipKind, RequestStatus

FIELD_MESSAGES = {
    "required": _l("Dit veld is verplicht."),
    "null": _l("Dit veld is verplicht."),
    "invalid": _l("Ongeldige waarde."),
    "format": _l("Ongeldige waarde."),
    "type": _l("Ongeldige waarde."),
    "too_large": _l("Ongeldige waarde."),
    "invalid_utf8": _l("Ongeldige waarde."),
    "validator_failed": _l("Ongeldige waarde."),
}
CHOICE = _l("Kies een van: {choices}.")
TOO_LONG = _l("Gebruik hoogstens {max} tekens.")
#: The largest id a database integer holds; a larger one is no id of ours.
MAX_ID = 2**31 - 1
f = ma.fields


def _dutch(field: ma.fields.Field) -> None:
    field.error_messages = {
        **field.error_messages,
        **{key: message for key, message in FIELD_MESSAGES.items() if key in field.error_messages},
    }
    for inner in (getattr(field, "inner", None), getattr(field, "value_field", None)):
        if inner is not None:
            _dutch(inner)


class Schema(ma.Schema):
    """Base of every API schema: Dutch messages, unknown input fields refused."""

    error_messages = {"unknown": _l("Onbekend veld."), "type": _l("Ongeldige waarde.")}

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        _dutch(field_obj)


def choice(values, **options) -> ma.fields.String:
    """A string that must be one of ``values`` (listed as ``enum`` in the description)."""
    return f.String(validate=ma.validate.OneOf([str(v) for v in values], error=CHOICE), **options)


def identifier(**options) -> ma.fields.Integer:
    """The id of a row (a positive database integer)."""
    invalid = FIELD_MESSAGES["invalid"]
    return f.Integer(validate=ma.validate.Range(min=1, max=MAX_ID, error=invalid), **options)


def _locale() -> str:
    return str(get_locale() or "nl")


def computed(function, kind: str = "string", items: str | None = None, **options):
    """A value computed on output, typed for the OpenAPI description."""
    metadata = {"type": kind, **({"items": {"type": items}} if items else {})}
    return f.Function(function, dump_only=True, metadata=metadata, **options)


def localised(path: str) -> ma.fields.Function:
    """The name of a related row (``subject``, ``level``) in the reader's language."""

    def name(obj) -> str:
        for part in filter(None, path.split(".")):
            obj = getattr(obj, part)
        return obj.name_in(_locale())

    return computed(name)


class LevelAttributes(f.Dict):
    """The level-specific fields of an offer or request (``target``).

    Their shape depends on ``level_code``; the OpenAPI description lists each level's
    fields and allowed values (see :mod:`core.api.setup`), and the services check them
    with ``clean_level_attributes``, as for the web forms.
    """

    def __init__(self, target: str, stored: bool = False, **options):
        self.target = target
        #: On output the values are as stored, which may predate today's plugin rules.
        self.stored = stored
        super().__init__(keys=f.String(), **options)


# ------------------------------------------------------------------ pagination, errors


class PageArgs(Schema):
    """``page`` (from 1) and ``page_size`` (1–100) of every list."""

    page = f.Integer(
        load_default=1,
        validate=ma.validate.Range(
            min=1, max=100_000, error=_l("Kies een pagina tussen 1 en 100000.")
        ),
    )
    page_size = f.Integer(
        load_default=25,
        validate=ma.validate.Range(min=1, max=100, error=_l("Kies tussen 1 en 100 per pagina.")),
    )


class Pagination(Schema):
    total = f.Integer(required=True, metadata={"description": "Items over all pages."})
    page = f.Integer(required=True)
    page_size = f.Integer(required=True)
    pages = f.Integer(required=True, metadata={"description": "Number of pages (at least 1)."})


@functools.cache
def page_of(item: type[Schema]) -> type[Schema]:
    """The envelope of one page of ``item``: ``{"items": [...], "pagination": {...}}``."""
    return type(
        f"{item.__name__.removesuffix('Schema')}PageSchema",
        (Schema,),
        {
            "items": f.List(f.Nested(item), required=True),
            "pagination": f.Nested(Pagination, required=True),
        },
    )


# ------------------------------------------------------------------------ institutions


class CampusSchema(Schema):
    id = f.Integer()
    name = f.String()
    street = f.String()
    postcode = f.String()
    municipality_refnis = f.String()
    municipality = f.String(attribute="municipality.name_nl")
    is_main = f.Boolean()


class InstitutionSchema(Schema):
    id = f.Integer()
    kind = choice(InstitutionKind)
    name = f.String()
    institution_number = f.String(allow_none=True)
    network_code = f.String(allow_none=True)
    region_code = f.String(allow_none=True)
    organisation = f.String(allow_none=True)
    training_kind = f.String(allow_none=True)
    status = choice(RegistrationStatus)
    level_codes = computed(lambda i: [level.code for level in i.levels], "array", "string")
    campuses = f.List(f.Nested(CampusSchema))


class InstitutionArgs(PageArgs):
    kind = choice(InstitutionKind)
    region = f.String(metadata={"description": "Region code, e.g. limburg or brussel."})


# ------------------------------------------------------------------------- catalogue


class SubjectSchema(Schema):
    id = f.Integer()
    code = f.String()
    name = localised("")
    group = f.String()


class LevelSchema(Schema):
    code = f.String()
    name = localised("")
    subjects = f.List(f.Nested(SubjectSchema))


# ---------------------------------------------------------------------------- offers


class OfferValuesSchema(Schema):
    """What a school fills in for an offer (``OfferValues``); ``status`` is optional:
    ``published`` publishes, ``closed`` closes, ``draft`` withdraws."""

    school_year = f.String(required=True, metadata={"example": "2026-2027"})
    campus_id = identifier(required=True)
    level_code = f.String(required=True)
    subject_id = identifier(required=True)
    places = f.Integer(required=True)
    attributes = LevelAttributes("offer", load_default=dict)
    period_start = f.Date(allow_none=True, load_default=None)
    period_end = f.Date(allow_none=True, load_default=None)
    semester = choice(Semester, allow_none=True, load_default=None)
    mentor_ids = f.List(identifier(), load_default=list)
    mentor_name = f.String(load_default="", validate=ma.validate.Length(max=200, error=TOO_LONG))
    notes = f.String(load_default="")
    status = choice(OfferStatus)


class OfferChangesSchema(OfferValuesSchema):
    """Some fields of an offer (PATCH); the others keep their stored values."""


class OfferSchema(Schema):
    id = f.Integer()
    status = choice(OfferStatus)
    school_id = f.Integer()
    school_name = f.String(attribute="school.name")
    campus_id = f.Integer()
    school_year = f.String()
    level_code = f.String()
    subject_id = f.Integer()
    subject_name = localised("subject")
    attributes = LevelAttributes("offer", stored=True)
    period_start = f.Date(allow_none=True)
    period_end = f.Date(allow_none=True)
    semester = choice(Semester, allow_none=True)
    places = f.Integer()
    free_places = f.Integer(
        metadata={"description": "Free places, at most the school's free capacity."}
    )
    mentor_ids = computed(lambda offer: [m.id for m in offer.mentors], "array", "integer")
    mentor_name = f.String(allow_none=True)
    notes = f.String()
    updated_at = f.DateTime()
    distance_km = f.Float(
        allow_none=True, metadata={"description": "From the postcode searched from."}
    )


class OfferSearchArgs(PageArgs):
    """The filters of the web search (``/aanbod``), checked by the same form."""

    level = f.String(metadata={"description": "Level code, e.g. secondary."})
    subject_id = f.String(metadata={"description": "Subject id (see /levels)."})
    region = f.String(metadata={"description": "Region of the campus, e.g. limburg."})
    municipality = f.String(metadata={"description": "REFNIS code of the municipality."})
    postcode = f.String(metadata={"description": "Nearest first from this postcode."})
    max_km = f.String(metadata={"description": "Within this many km of the postcode."})
    network = f.String(metadata={"description": "Network code."})
    school_year = f.String(
        metadata={"description": "e.g. 2026-2027; without it this and later school years."}
    )
    period_from = f.String(metadata={"description": "The offer overlaps from this date."})
    period_to = f.String(metadata={"description": "The offer overlaps up to this date."})
    min_free_places = f.String(metadata={"description": "At least this many free places."})
    hosting = f.String(metadata={"description": "yes, maybe, no, full or unknown."})


class OwnOffersArgs(PageArgs):
    school_year = f.String(metadata={"description": "e.g. 2026-2027 (default: this one)."})


# -------------------------------------------------------------------------- requests


class StudentBriefSchema(Schema):
    """What the reader may see of a request's student (a school: name and email)."""

    id = f.Integer()
    full_name = f.String()
    email = f.String()
    student_number = f.String()
    home_postcode = f.String(allow_none=True)


class RequestValuesSchema(Schema):
    """A new request (``RequestValues``); ``submit: false`` keeps it as a draft."""

    student_id = identifier(required=True)
    school_id = identifier(required=True)
    offer_id = identifier(allow_none=True, load_default=None)
    level_code = f.String(required=True)
    subject_id = identifier(required=True)
    attributes = LevelAttributes("request", load_default=dict)
    period_start = f.Date(required=True)
    period_end = f.Date(required=True)
    kind = choice(InternshipKind, load_default=InternshipKind.TEACHING.value)
    hours = f.Integer(load_default=0)
    supervisor_id = identifier(allow_none=True, load_default=None)
    message = f.String(load_default="")
    answer_deadline = f.Date(allow_none=True, load_default=None)
    submit = f.Boolean(load_default=True)


class RequestSchema(Schema):
    id = f.Integer()
    status = choice(RequestStatus)
    programme_id = f.Integer()
    programme_name = f.String(attribute="programme.name")
    school_id = f.Integer()
    school_name = f.String(attribute="school.name")
    offer_id = f.Integer(allow_none=True)
    student = f.Nested(StudentBriefSchema)
    level_code = f.String()
    subject_id = f.Integer()
    subject_name = localised("subject")
    attributes = LevelAttributes("request", stored=True)
    period_start = f.Date()
    period_end = f.Date()
    kind = choice(InternshipKind)
    hours = f.Integer()
    supervisor_id = f.Integer(allow_none=True)
    mentor_id = f.Integer(allow_none=True)
    message = f.String()
    answer_deadline = f.Date(allow_none=True)
    created_at = f.DateTime()
    updated_at = f.DateTime()
    available_transitions = f.List(
        choice(RequestStatus),
        metadata={"description": "The statuses the token's owner may move the request to."},
    )


class RequestArgs(PageArgs):
    status = choice(RequestStatus)
    school_year = f.String(
        metadata={"description": "e.g. 2026-2027: requests starting in that school year."}
    )


class TransitionSchema(Schema):
    status = choice(RequestStatus, required=True)
    reason = f.String(load_default="", metadata={"description": "Required to decline or cancel."})


class MessageSchema(Schema):
    id = f.Integer(dump_only=True)
    body = f.String(required=True)
    author = f.String(attribute="author.name", dump_only=True, allow_none=True)
    institution_id = f.Integer(dump_only=True, allow_none=True)
    created_at = f.DateTime(dump_only=True)


class MentorSchema(Schema):
    mentor_id = identifier(required=True, allow_none=True)


# -------------------------------------------------------------------------- students


class StudentValuesSchema(Schema):
    """A new student (``StudentValues``)."""

    first_name = f.String(required=True)
    last_name = f.String(required=True)
    email = f.String(required=True)
    student_number = f.String(required=True)
    home_postcode = f.String(allow_none=True, load_default=None)


class StudentSchema(Schema):
    id = f.Integer()
    first_name = f.String()
    last_name = f.String()
    email = f.String()
    student_number = f.String()
    home_postcode = f.String(allow_none=True)
    latest_status = choice(
        RequestStatus,
        allow_none=True,
        metadata={"description": "Status of the student's latest request."},
    )


# --------------------------------------------------------------------------- reports


class ReportArgs(Schema):
    start = f.Date(required=True, data_key="from", metadata={"description": "First day."})
    end = f.Date(required=True, data_key="to", metadata={"description": "Last day (included)."})


class ReportSectionSchema(Schema):
    key = f.String()
    title = computed(lambda section: section.title.in_locale(_locale()))
    columns = f.List(f.String())
    rows = f.List(f.List(f.Raw()))


class ReportSchema(Schema):
    start = f.Date(data_key="from")
    end = f.Date(data_key="to")
    sections = f.List(f.Nested(ReportSectionSchema))
