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
from flask_smorest.fields import Upload

from core.accounts.models import Role
from core.helpdesk.models import TicketCategory, TicketKind, TicketStatus
from core.institutions.models import InstitutionKind, RegistrationStatus
from core.notifications.models import DeliveryMode, NotificationKind
from core.offers.models import HostingAnswer, NoHostingReason, OfferStatus, Semester
from core.placements.models import InternshipKind, RequestStatus, UploadStatus

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


class SuggestionArgs(Schema):
    """A student's need, checked by the web's suggestion form (``/aanbod/suggesties``)."""

    subject_id = f.String(required=True, metadata={"description": "Subject id (see /levels)."})
    level = f.String(metadata={"description": "Level code, e.g. secondary."})
    region = f.String(metadata={"description": "Region of the campus, e.g. limburg."})
    postcode = f.String(metadata={"description": "Nearest first from this postcode."})
    max_km = f.String(metadata={"description": "Within this many km of the postcode."})
    school_year = f.String(metadata={"description": "e.g. 2026-2027 (default: this one)."})
    period_from = f.String(metadata={"description": "The internship starts on this date."})
    period_to = f.String(metadata={"description": "The internship ends on this date."})


class SuggestionSchema(Schema):
    school_id = f.Integer(attribute="school.id")
    school_name = f.String(attribute="school.name")
    campus_id = f.Integer(attribute="campus.id")
    rank = f.Integer(
        metadata={"description": "1: free published places; 2: hosts (yes); 3: maybe."}
    )
    places = f.Integer(metadata={"description": "Free places, or the school's estimate."})
    reason = f.String()
    subject_id = f.Integer(attribute="subject.id")
    offer_id = computed(lambda s: s.offer.id if s.offer else None, "integer", allow_none=True)
    distance_km = f.Float(allow_none=True)


class OwnOffersArgs(PageArgs):
    school_year = f.String(metadata={"description": "e.g. 2026-2027 (default: this one)."})


class SchoolYearSchema(Schema):
    school_year = f.String(required=True, metadata={"example": "2026-2027"})


class CopyResultSchema(Schema):
    copied = f.List(f.Nested(OfferSchema), metadata={"description": "The new, published offers."})
    skipped = f.List(
        f.Nested(OfferSchema),
        metadata={"description": "Last year's offers that today's rules refuse: make anew."},
    )


# --------------------------------------------------------------------- hosting status


class EstimateSchema(Schema):
    """With ``maybe``: about how many trainees the school could take for one subject."""

    subject_id = identifier(required=True)
    subject_name = localised("subject")
    places = f.Integer(required=True)


class HostingValuesSchema(Schema):
    """A school's answer for one school year (``set_hosting_status``)."""

    answer = choice(HostingAnswer, required=True)
    capacity = f.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "Trainees at most over all subjects (null: no limit)."},
    )
    no_reason = choice(
        NoHostingReason,
        allow_none=True,
        load_default=None,
        metadata={"description": "Required with answer no; only used in anonymous reports."},
    )
    estimates = f.List(
        f.Nested(EstimateSchema),
        load_default=list,
        metadata={"description": "Kept with answer maybe only."},
    )

    @ma.validates("estimates")
    def _one_per_subject(self, estimates: list[dict], **_) -> None:
        subjects = [estimate["subject_id"] for estimate in estimates]
        if len(subjects) != len(set(subjects)):
            raise ma.ValidationError(str(_l("Geef elk vak hoogstens één schatting.")))


class HostingStatusSchema(Schema):
    school_id = f.Integer()
    school_year = f.String()
    answer = choice(
        HostingAnswer, allow_none=True, metadata={"description": "null: not answered yet."}
    )
    no_reason = choice(NoHostingReason, allow_none=True)
    capacity = f.Integer(allow_none=True)
    accepted_count = f.Integer(metadata={"description": "Accepted trainees this school year."})
    free_capacity = f.Integer(allow_none=True)
    estimates = f.List(f.Nested(EstimateSchema))
    updated_at = f.DateTime(allow_none=True)


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


class BulkRequestValuesSchema(RequestValuesSchema):
    """Requests with the same values for several students of the programme, all sent or
    none (a refusal lists each student's problems)."""

    class Meta:
        exclude = ("student_id", "submit")

    student_ids = f.List(
        identifier(),
        required=True,
        validate=ma.validate.Length(min=1, error=_l("Kies minstens één student.")),
    )


class UploadFileSchema(Schema):
    file = Upload(
        required=True, metadata={"description": "CSV or XLSX in the columns of the template."}
    )


class UploadProblemSchema(Schema):
    row = f.Integer(allow_none=True, metadata={"description": "null: the file as a whole."})
    column = f.String(allow_none=True)
    message = f.String()


class UploadSchema(Schema):
    id = f.Integer()
    filename = f.String()
    status = choice(UploadStatus)
    total_rows = f.Integer()
    processed_rows = f.Integer()
    errors = f.List(f.Nested(UploadProblemSchema))
    created_at = f.DateTime()
    finished_at = f.DateTime(allow_none=True)


class TemplateArgs(Schema):
    file_format = choice(("csv", "xlsx"), load_default="csv", data_key="format")


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


# --------------------------------------------------------------------------- members


class MemberSchema(Schema):
    id = f.Integer(metadata={"description": "The membership's id."})
    user_id = f.Integer()
    name = f.String(attribute="user.name")
    email = f.String(attribute="user.email")
    role = choice(Role)


class InvitationSchema(Schema):
    """An invitation mailed to a colleague; the link in it adds the role."""

    email = f.String(required=True)
    role = choice(Role, required=True)
    institution_id = f.Integer(dump_only=True)


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


# -------------------------------------------------------------------------- overview


class OverviewArgs(PageArgs):
    """The filters of the web overview (``/overzicht``)."""

    status = choice(RequestStatus)
    school_year = f.String(
        metadata={"description": "e.g. 2026-2027: requests starting in that school year."}
    )
    subject_id = identifier()


class OverviewExportArgs(OverviewArgs):
    class Meta:
        exclude = ("page", "page_size")


class OverviewCountSchema(Schema):
    value = f.String(metadata={"description": "The filter value (status, school year, id)."})
    label = f.String()
    count = f.Integer(metadata={"description": "Requests this choice would show."})


class OverviewCountsSchema(Schema):
    """Per status, school year and subject: how many requests the *other* filters leave."""

    statuses = f.List(f.Nested(OverviewCountSchema))
    school_years = f.List(f.Nested(OverviewCountSchema))
    subjects = f.List(f.Nested(OverviewCountSchema))
    total = f.Integer(metadata={"description": "Requests every filter leaves."})


class RequestOverviewSchema(page_of(RequestSchema)):
    counts = f.Nested(OverviewCountsSchema, required=True)


# ------------------------------------------------------------------ one's own account


def _web_choice(values, **options) -> ma.fields.String:
    """A string the web form checks (with its messages); ``values`` are documented."""
    return _web_field(metadata={"enum": [str(v) for v in values]}, **options)


def _web_field(**options) -> ma.fields.String:
    """A string the web form checks, null or missing included (it says what is needed)."""
    return f.String(allow_none=True, **options)


NotificationPreferencesSchema = type(
    "NotificationPreferencesSchema",
    (Schema,),
    {
        "__doc__": """How one hears about each kind of notification (every kind is needed, as
        on the web page), and whether one receives newsletters and reminders.""",
        **{kind.value: _web_choice(DeliveryMode) for kind in NotificationKind},
        "newsletters": f.Boolean(
            allow_none=True,
            load_default=None,
            metadata={"description": "Newsletters and reminders (null or left out: unchanged)."},
        ),
    },
)


class AccountDataSchema(Schema):
    email = f.String()
    name = f.String()
    created_at = f.String()
    language = f.String(allow_none=True)


class MembershipDataSchema(Schema):
    institution = f.String()
    role = choice(Role)


class StudentRequestDataSchema(Schema):
    school = f.String()
    status = choice(RequestStatus)
    period = f.List(f.String(), metadata={"description": "First and last day."})


class StudentRecordDataSchema(Schema):
    programme = f.String()
    name = f.String()
    email = f.String()
    student_number = f.String()
    home_postcode = f.String(allow_none=True)
    requests = f.List(f.Nested(StudentRequestDataSchema))


class PersonalDataSchema(Schema):
    """Everything Stagebank holds about the token's owner as a person."""

    account = f.Nested(AccountDataSchema)
    memberships = f.List(f.Nested(MembershipDataSchema))
    student_records = f.List(f.Nested(StudentRecordDataSchema))


# -------------------------------------------------------------------------- helpdesk


class QuestionValuesSchema(Schema):
    """A question or feedback, checked by the web's form (``/hulp/nieuw``)."""

    kind = _web_choice(TicketKind, load_default=TicketKind.QUESTION.value)
    category = _web_choice(TicketCategory, load_default=TicketCategory.OTHER.value)
    subject = _web_field(metadata={"description": "A short title (required)."})
    body = _web_field(metadata={"description": "The question or feedback (required)."})
    page = _web_field(metadata={"description": "The page it is about, e.g. /mijn-aanbod."})


class QuestionSchema(Schema):
    id = f.Integer()
    kind = choice(TicketKind)
    category = choice(TicketCategory)
    status = choice(TicketStatus)
    subject = f.String()
    body = f.String()
    page = f.String()
    answer = f.String(allow_none=True, metadata={"description": "null until answered."})
    answered_at = f.DateTime(allow_none=True)
    created_at = f.DateTime()
