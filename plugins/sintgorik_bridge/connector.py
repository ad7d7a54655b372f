"""The Sint-Goriks connector: pulls schools, offers and requests (exchange format version 1)
and turns them into the core's records; pushes request status changes back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError

from core.plugins.types import (
    BridgeChange,
    BridgeChangeRefused,
    BridgeRecord,
    BridgeUnavailable,
)
from plugins.sintgorik_bridge.client import Client
from plugins.sintgorik_bridge.schemas import (
    VERSION,
    EnvelopeSchema,
    OfferSchema,
    RequestSchema,
    SchoolSchema,
    StatusChangeSchema,
    flatten,
)

#: Every school of the Sint-Goriks system is a Brussels school.
REGION = "brussel"


class SintGorikConnector:
    """One connection to Sint-Goriks, built from the plugin's settings."""

    complete_kinds = ("school", "offer", "request")

    def __init__(self, settings: Mapping[str, Any]):
        self.client = Client(settings)

    def pull(self) -> list[BridgeRecord]:
        """Every school, offer and request; an unreadable answer fails the whole pull."""
        records: list[BridgeRecord] = []
        for kind, path, schema, convert in (
            ("school", "/v1/schools", SchoolSchema(), _school),
            ("offer", "/v1/offers", OfferSchema(), _offer),
            ("request", "/v1/requests", RequestSchema(), _request),
        ):
            for position, item in enumerate(self._items(path), start=1):
                records.extend(_load(kind, schema, item, position, convert))
        return _merge_embedded(records)

    def push(self, change: BridgeChange) -> None:
        body = {"version": VERSION, "change_id": change.id, **change.payload}
        if errors := StatusChangeSchema().validate(body):
            raise BridgeChangeRefused(
                str(_l("Ongeldig record: %(errors)s.", errors="; ".join(flatten(errors))))
            )
        self.client.post(f"/v1/requests/{change.external_id}/status", body)

    def _items(self, path: str) -> list:
        answer = self.client.get(path)
        try:
            return EnvelopeSchema().load(answer if isinstance(answer, dict) else {})["items"]
        except ValidationError as error:
            raise BridgeUnavailable(
                str(
                    _l(
                        "Sint-Goriks antwoordde op %(path)s niet in uitwisselingsformaat versie "
                        "%(version)d (%(errors)s).",
                        path=path,
                        version=VERSION,
                        errors="; ".join(flatten(error.messages)),
                    )
                )
            ) from None


def _load(kind: str, schema: Schema, item, position: int, convert) -> Iterator[BridgeRecord]:
    external_id = str(item.get("id") or "") if isinstance(item, dict) else ""
    try:
        data = schema.load(item if isinstance(item, dict) else {})
    except ValidationError as error:
        problem = _l("Ongeldig record: %(errors)s.", errors="; ".join(flatten(error.messages)))
        yield BridgeRecord(kind, external_id, problems=(str(problem),), position=position)
        return
    yield from convert(data, position)


def _period(data) -> tuple:
    period = data.get("period") or {}
    return period.get("start"), period.get("end")


def _school(data, position) -> Iterator[BridgeRecord]:
    yield BridgeRecord(
        "school",
        data["id"],
        {
            "name": data["name"],
            "institution_number": data["institution_number"],
            "network_code": data["network"],
            "region_code": REGION,
            "street": data["street"],
            "postcode": data["postcode"],
            "levels": sorted(data["levels"]),
        },
        data["updated_at"],
        position=position,
    )


def _offer(data, position) -> Iterator[BridgeRecord]:
    start, end = _period(data)
    yield BridgeRecord(
        "offer",
        data["id"],
        {
            "school": data["school_id"],
            "school_year": data["school_year"],
            "level_code": data["level"],
            "subject_code": data["subject"],
            "places": data["places"],
            "attributes": data["attributes"],
            "period_start": start,
            "period_end": end,
            "semester": data["semester"],
            "status": data["status"],
            "notes": data["notes"],
            "mentor_name": data["mentor_name"],
        },
        data["updated_at"],
        position=position,
    )


def _request(data, position) -> Iterator[BridgeRecord]:
    programme, student = data["programme"], data["student"]
    yield BridgeRecord(
        "programme",
        programme["id"],
        {
            "name": programme["name"],
            "institution_number": programme["institution_number"],
            "organisation": programme["organisation"],
        },
        data["updated_at"],
        position=position,
    )
    yield BridgeRecord(
        "student",
        student["id"],
        {
            "programme": programme["id"],
            "first_name": student["first_name"],
            "last_name": student["last_name"],
            "email": student["email"],
            "student_number": student["student_number"],
        },
        data["updated_at"],
        position=position,
    )
    start, end = _period(data)
    yield BridgeRecord(
        "request",
        data["id"],
        {
            "programme": programme["id"],
            "school": data["school_id"],
            "student": student["id"],
            "offer": data["offer_id"],
            "level_code": data["level"],
            "subject_code": data["subject"],
            "attributes": data["attributes"],
            "period_start": start,
            "period_end": end,
            "kind": data["kind"],
            "hours": data["hours"],
            "message": data["message"],
            "status": data["status"],
            "reason": data["reason"],
        },
        data["updated_at"],
        position=position,
    )


def _merge_embedded(records: list[BridgeRecord]) -> list[BridgeRecord]:
    """Programmes and students come inside requests: keep one record per id when the copies
    agree (with the latest timestamp); copies that disagree stay, and are refused as
    duplicates by the core."""
    merged: dict[tuple, BridgeRecord] = {}
    result = []
    for record in records:
        if record.kind not in ("programme", "student"):
            result.append(record)
            continue
        key = (record.kind, record.external_id, repr(sorted(record.values.items())))
        earlier = merged.get(key)
        if earlier is None or record.updated_at > earlier.updated_at:
            merged[key] = record
    return list(merged.values()) + result
