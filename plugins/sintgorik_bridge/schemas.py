"""The Sint-Goriks exchange format, version 1 (README.md), as marshmallow schemas.

Every answer is an envelope ``{"version": 1, "items": [...]}``; each item is loaded on its
own, so one malformed record is refused without losing the others. Unknown fields are
ignored, so the other side may add fields without a new version.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Equal, Length, OneOf, Range, Regexp

VERSION = 1
ID = {"required": True, "validate": Length(1, 200)}
OFFER_STATUSES = ("draft", "published", "closed")
REQUEST_STATUSES = (
    "submitted",
    "accepted",
    "declined",
    "expired",
    "withdrawn",
    "cancelled",
    "completed",
)
KINDS = ("observation", "teaching", "long_term")


class _Schema(Schema):
    class Meta:
        unknown = EXCLUDE


def _updated_at():
    return fields.AwareDateTime(required=True, default_timezone=UTC)


class EnvelopeSchema(_Schema):
    version = fields.Integer(required=True, validate=Equal(VERSION))
    items = fields.List(fields.Raw(), required=True)


class PeriodSchema(_Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _in_order(self, data, **_kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("end lies before start.", "end")


class SchoolSchema(_Schema):
    id = fields.String(**ID)
    name = fields.String(required=True, validate=Length(1, 200))
    institution_number = fields.String(
        load_default=None, allow_none=True, validate=Regexp(r"^\d{6}$")
    )
    network = fields.String(required=True, validate=Length(1, 16))
    street = fields.String(required=True, validate=Length(1, 200))
    postcode = fields.String(required=True, validate=Regexp(r"^\d{4}$"))
    levels = fields.List(fields.String(), load_default=list)
    updated_at = _updated_at()


class OfferSchema(_Schema):
    id = fields.String(**ID)
    school_id = fields.String(**ID)
    school_year = fields.String(required=True, validate=Regexp(r"^\d{4}-\d{4}$"))
    level = fields.String(required=True)
    subject = fields.String(required=True)
    places = fields.Integer(required=True, validate=Range(min=1))
    attributes = fields.Dict(keys=fields.String(), load_default=dict)
    period = fields.Nested(PeriodSchema, load_default=None, allow_none=True)
    semester = fields.String(load_default=None, allow_none=True, validate=OneOf(("1", "2", "year")))
    status = fields.String(load_default="published", validate=OneOf(OFFER_STATUSES))
    notes = fields.String(load_default="")
    mentor_name = fields.String(load_default="")
    updated_at = _updated_at()


class ProgrammeSchema(_Schema):
    id = fields.String(**ID)
    name = fields.String(required=True, validate=Length(1, 200))
    institution_number = fields.String(
        load_default=None, allow_none=True, validate=Regexp(r"^\d{6}$")
    )
    organisation = fields.String(load_default=None, allow_none=True)


class StudentSchema(_Schema):
    id = fields.String(**ID)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.Email(required=True)
    student_number = fields.String(required=True, validate=Length(1, 32))


class RequestSchema(_Schema):
    id = fields.String(**ID)
    school_id = fields.String(**ID)
    offer_id = fields.String(load_default=None, allow_none=True)
    programme = fields.Nested(ProgrammeSchema, required=True)
    student = fields.Nested(StudentSchema, required=True)
    level = fields.String(required=True)
    subject = fields.String(required=True)
    attributes = fields.Dict(keys=fields.String(), load_default=dict)
    period = fields.Nested(PeriodSchema, required=True)
    kind = fields.String(required=True, validate=OneOf(KINDS))
    hours = fields.Integer(load_default=0, validate=Range(min=0))
    status = fields.String(required=True, validate=OneOf(REQUEST_STATUSES))
    reason = fields.String(load_default="")
    message = fields.String(load_default="")
    updated_at = _updated_at()


class StatusChangeSchema(_Schema):
    """What Stagebank POSTs to ``/v1/requests/<id>/status`` (the other side may load it)."""

    version = fields.Integer(required=True, validate=Equal(VERSION))
    change_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=OneOf(REQUEST_STATUSES))
    from_status = fields.String(load_default=None, allow_none=True)
    reason = fields.String(load_default="")
    changed_at = fields.AwareDateTime(required=True, default_timezone=UTC)


def flatten(messages, prefix: str = "") -> list[str]:
    """Marshmallow's nested error messages as ``"field: message"`` lines."""
    if isinstance(messages, dict):
        return [
            line
            for name, inner in messages.items()
            for line in flatten(inner, f"{prefix}{name}." if name != "_schema" else prefix)
        ]
    if isinstance(messages, list):
        return [line for inner in messages for line in flatten(inner, prefix)]
    return [f"{prefix.rstrip('.')}: {messages}" if prefix else str(messages)]
