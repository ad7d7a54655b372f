"""Applying external records through the core's services, with the mapping of external ids,
the conflict rule and a report of every record.

Bridges (:mod:`core.bridges.runner`) and the legacy importer (:mod:`core.bridges.legacy`)
both turn their input into :class:`~core.plugins.types.BridgeRecord` objects with these
``values`` (references are external ids of the same system):

* ``school`` / ``programme``: ``name``, ``institution_number`` (6 digits, optional),
  ``network_code``, ``region_code`` (required for a school), ``organisation``, ``levels``
  (level codes), and for a school its main campus: ``campus_name``, ``street``, ``postcode``.
* ``student``: ``programme``, ``first_name``, ``last_name``, ``email``, ``student_number``.
* ``offer``: ``school``, ``school_year``, ``level_code``, ``subject_code``, ``places``,
  ``attributes``, ``period_start``, ``period_end`` (dates), ``semester``, ``notes``,
  ``mentor_name``, ``status`` (``draft``, ``published`` or ``closed``).
* ``request``: ``programme``, ``school``, ``student``, ``offer`` (optional), ``level_code``,
  ``subject_code``, ``attributes``, ``period_start``, ``period_end``, ``kind``, ``hours``,
  ``message``, ``answer_deadline``, ``status`` and ``reason``.

Rules: every record goes through the same checks as the web form and the API
(``check_offer``/``save_offer``, ``check_student``, ``check_request``/``import_request``,
``transition``), with the system as actor (None). A new institution is approved (the other
system or the import vouches for it); one whose institution number exists here is linked,
and a student whose number exists in the programme too, keeping the local data. A record
whose values are unchanged since the last run is skipped; a changed one updates its local
row, unless that row changed here after the last run and is newer than the remote record:
then it is reported as a conflict and nothing is overwritten. A request's fields other than
its status never change after creation (reported as a warning).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.bridges.models import BridgeMapping, IssueLevel
from core.catalogue.models import EducationLevel, Subject
from core.database import utcnow
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.offers.models import Offer, OfferStatus, Semester
from core.offers.services import OfferRefused, OfferValues, publish_offer, save_offer
from core.placements.models import PlacementRequest, RequestStatus, Student
from core.placements.services import (
    RequestRefused,
    RequestValues,
    TransitionRefused,
    import_request,
    move_to,
)
from core.placements.students import StudentValues, check_student, students_by_number
from core.plugins.manager import Plugins
from core.plugins.types import BridgeRecord
from core.reference.models import Municipality, Network, Postcode, Region

#: Records are applied in this order, so references point at rows that exist.
KIND_ORDER = ("programme", "school", "student", "offer", "request")
MODELS = {
    "programme": Institution,
    "school": Institution,
    "student": Student,
    "offer": Offer,
    "request": PlacementRequest,
}
#: Session flag: changes made while applying records of this system are not pushed back.
APPLYING = "stagebank.bridge_applying"
#: Session flag: a legacy import replays history, so nobody is notified of it.
SILENT = "stagebank.bridge_silent"
#: Service field names, as named in the records.
FIELD_NAMES = {
    "student_id": "student",
    "school_id": "school",
    "offer_id": "offer",
    "subject_id": "subject_code",
    "campus_id": "school",
    "mentor_ids": "mentor_name",
}
INSTITUTION_NUMBER = re.compile(r"^\d{6}$")


class RecordRefused(Exception):
    """A record that cannot be applied; ``errors`` maps record fields to messages."""

    def __init__(self, errors: dict[str, list]):
        super().__init__(errors)
        self.errors = errors

    def reason(self) -> str:
        return "; ".join(
            f"{FIELD_NAMES.get(name, name)}: {' '.join(str(m) for m in messages)}"
            if name
            else " ".join(str(m) for m in messages)
            for name, messages in self.errors.items()
        )


@dataclass
class Issue:
    level: IssueLevel
    kind: str
    external_id: str
    position: int | None
    reason: str


@dataclass
class Report:
    """What applying a batch of records did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    conflicts: int = 0
    issues: list[Issue] = field(default_factory=list)

    def note(self, level: IssueLevel, record: BridgeRecord, reason: str) -> None:
        self.issues.append(
            Issue(level, record.kind, record.external_id, record.position, str(reason))
        )


def fingerprint(record: BridgeRecord) -> str:
    """A hash of a record's values (not of its timestamp): equal means unchanged."""
    encoded = json.dumps(record.values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def mapping_of(session: Session, system: str, kind: str, external_id: str) -> BridgeMapping | None:
    return session.scalar(
        select(BridgeMapping).where(
            BridgeMapping.system == system,
            BridgeMapping.kind == kind,
            BridgeMapping.external_id == external_id,
        )
    )


def local_updated_at(row) -> datetime | None:
    return getattr(row, "updated_at", None)


def local_is_newer(row, mapping: BridgeMapping | None, remote_updated_at: datetime | None) -> bool:
    """The conflict rule: the local row changed after the last sync and after the remote one."""
    local = local_updated_at(row)
    if local is None or mapping is None:
        return False
    changed_here = mapping.local_updated_at is None or local > mapping.local_updated_at
    return changed_here and (remote_updated_at is None or local > remote_updated_at)


class Applier:
    """Applies one batch of records of ``system``, each in its own savepoint."""

    def __init__(
        self,
        session: Session,
        plugins: Plugins,
        system: str,
        reason: str,
        today: date | None = None,
    ):
        self.session, self.plugins, self.system = session, plugins, system
        self.reason, self.today = reason, today
        self.report = Report()
        self._to_close: list[tuple[Offer, BridgeMapping]] = []
        self._handlers: dict[str, Callable] = {
            "programme": self._institution,
            "school": self._institution,
            "student": self._student,
            "offer": self._offer,
            "request": self._request,
        }

    def apply_all(
        self, records: Iterable[BridgeRecord], complete_kinds: Iterable[str] = ()
    ) -> Report:
        """Apply every record (refusing duplicates and unreadable ones); the caller commits."""
        records = sorted(records, key=lambda r: (_kind_rank(r.kind), r.position or 0))
        counts = Counter((r.kind, r.external_id) for r in records)
        self.session.info[APPLYING] = self.system
        try:
            for record in records:
                if counts[(record.kind, record.external_id)] > 1:
                    self._refuse(
                        record,
                        _l(
                            "Het id %(id)s komt %(n)d keer voor; geen van die records is gebruikt.",
                            id=record.external_id,
                            n=counts[(record.kind, record.external_id)],
                        ),
                    )
                else:
                    self._apply_one(record)
            self._close_offers()
        finally:
            self.session.info.pop(APPLYING, None)
        self._report_disappeared(records, complete_kinds)
        return self.report

    # ------------------------------------------------------------------------ one record

    def _refuse(self, record: BridgeRecord, reason) -> None:
        self.report.refused += 1
        self.report.note(IssueLevel.REFUSED, record, reason)

    def _apply_one(self, record: BridgeRecord) -> None:
        if record.problems:
            self._refuse(record, " ".join(str(p) for p in record.problems))
            return
        if record.kind not in MODELS or not record.external_id:
            self._refuse(record, _l("Een record zonder soort of id kan niet gebruikt worden."))
            return
        try:
            with self.session.begin_nested():
                outcome = self._apply(record)
        except RecordRefused as refused:
            self._refuse(record, refused.reason())
            return
        if outcome == "conflict":
            self.report.conflicts += 1
            self.report.note(
                IssueLevel.CONFLICT,
                record,
                _l(
                    "Hier gewijzigd na de vorige synchronisatie en na de wijziging in het andere "
                    "systeem: de gegevens hier blijven behouden."
                ),
            )
        else:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)

    def _apply(self, record: BridgeRecord) -> str:
        mapping = mapping_of(self.session, self.system, record.kind, record.external_id)
        digest = fingerprint(record)
        row = self.session.get(MODELS[record.kind], mapping.local_id) if mapping else None
        if mapping is not None and row is None:
            raise RecordRefused(
                {"": [_l("De rij die hier bij dit record hoorde, bestaat niet meer.")]}
            )
        if mapping is not None and mapping.fingerprint == digest:
            return "unchanged"
        if mapping is None and (existing := self._existing(record)) is not None:
            # Linked to a row that was made here: its data stays as it is.
            self._remember(record, existing, None, digest)
            self.report.note(
                IssueLevel.WARNING,
                record,
                _l(
                    "Gekoppeld aan een bestaande rij (%(id)s); die blijft ongewijzigd.",
                    id=existing.id,
                ),
            )
            return "unchanged"
        if row is not None and local_is_newer(row, mapping, record.updated_at):
            return "conflict"
        row, changed = self._handlers[record.kind](record, row)
        self.session.flush()
        self._remember(record, row, mapping, digest)
        if mapping is None:
            return "created"
        return "updated" if changed else "unchanged"

    def _remember(self, record, row, mapping: BridgeMapping | None, digest: str) -> BridgeMapping:
        if mapping is None:
            mapping = BridgeMapping(
                system=self.system,
                kind=record.kind,
                external_id=record.external_id,
                local_table=MODELS[record.kind].__tablename__,
                local_id=row.id,
            )
            self.session.add(mapping)
        if hasattr(row, "updated_at"):
            self.session.refresh(row, ["updated_at"])
        mapping.fingerprint = digest
        mapping.remote_updated_at = record.updated_at
        mapping.local_updated_at = local_updated_at(row)
        mapping.synced_at = utcnow()
        self.session.flush()
        if isinstance(row, Offer) and record.values.get("status") == OfferStatus.CLOSED:
            self._to_close.append((row, mapping))
        return mapping

    def _existing(self, record: BridgeRecord):
        """A local row the record stands for although it was never mapped, or None."""
        values = record.values
        if record.kind in ("school", "programme") and values.get("institution_number"):
            return self.session.scalar(
                select(Institution).where(
                    Institution.institution_number == values["institution_number"],
                    Institution.kind == InstitutionKind(record.kind),
                )
            )
        if record.kind == "student" and values.get("student_number"):
            programme = self._optional_local("programme", values.get("programme"))
            if programme is not None:
                number = str(values["student_number"]).strip()
                return students_by_number(self.session, programme, [number]).get(number)
        return None

    def _optional_local(self, kind: str, external_id) -> Any:
        mapping = mapping_of(self.session, self.system, kind, str(external_id or ""))
        return self.session.get(MODELS[kind], mapping.local_id) if mapping else None

    def _local(self, kind: str, external_id, field_name: str):
        row = self._optional_local(kind, external_id)
        if row is None or (isinstance(row, Institution) and row.kind != InstitutionKind(kind)):
            raise RecordRefused(
                {
                    field_name: [
                        _l(
                            "%(kind)s %(id)s is onbekend of werd geweigerd.",
                            kind=kind,
                            id=external_id or "?",
                        )
                    ]
                }
            )
        return row

    # -------------------------------------------------------------------------- handlers

    def _institution(self, record: BridgeRecord, row: Institution | None):
        values = record.values
        kind = InstitutionKind.SCHOOL if record.kind == "school" else InstitutionKind.PROGRAMME
        errors = check_institution(self.session, kind, values, row)
        if errors:
            raise RecordRefused(errors)
        if row is None:
            row = Institution(kind=kind, status=RegistrationStatus.APPROVED)
            self.session.add(row)
        row.name = values["name"].strip()
        row.institution_number = values.get("institution_number") or None
        row.network_code = values.get("network_code") or None
        row.region_code = values.get("region_code") or None
        row.organisation = values.get("organisation") or None
        wanted_levels = set(values.get("levels") or ())
        if wanted_levels != {level.code for level in row.levels}:
            row.levels = [self.session.get(EducationLevel, code) for code in sorted(wanted_levels)]
        if values.get("postcode"):
            postcode = postcode_in(self.session, values["postcode"], row.region_code)
            campus = row.main_campus or Campus(is_main=True)
            if campus not in row.campuses:
                row.campuses.append(campus)
            campus.name = values.get("campus_name") or values["name"].strip()
            campus.street = values.get("street", "").strip()
            campus.postcode = postcode.postcode
            campus.municipality_refnis = postcode.municipality_refnis
        return row, True

    def _student(self, record: BridgeRecord, row: Student | None):
        values = record.values
        programme = self._local("programme", values.get("programme"), "programme")
        student_values = StudentValues(
            first_name=str(values.get("first_name") or ""),
            last_name=str(values.get("last_name") or ""),
            email=str(values.get("email") or ""),
            student_number=str(values.get("student_number") or ""),
        )
        errors = check_student(self.session, programme, student_values)
        if row is not None:
            if row.student_number == student_values.student_number.strip():
                errors.pop("student_number", None)
            if row.programme_id != programme.id:
                errors.setdefault("programme", []).append(
                    str(_l("Een student kan niet van opleiding veranderen."))
                )
        if errors:
            raise RecordRefused(errors)
        row = row or Student(programme_id=programme.id)
        row.first_name = student_values.first_name.strip()
        row.last_name = student_values.last_name.strip()
        row.email = student_values.email.strip().lower()
        row.student_number = student_values.student_number.strip()
        self.session.add(row)
        return row, True

    def _offer(self, record: BridgeRecord, row: Offer | None):
        values = record.values
        school = self._local("school", values.get("school"), "school")
        status = _choice(values.get("status") or "published", OfferStatus, "status")
        semester = values.get("semester")
        offer_values = OfferValues(
            school_year=str(values.get("school_year") or ""),
            campus_id=school.main_campus.id if school.main_campus else 0,
            level_code=str(values.get("level_code") or ""),
            subject_id=self._subject_id(values),
            places=values.get("places") or 0,
            attributes=dict(values.get("attributes") or {}),
            period_start=values.get("period_start"),
            period_end=values.get("period_end"),
            semester=_choice(semester, Semester, "semester") if semester else None,
            mentor_name=str(values.get("mentor_name") or ""),
            notes=str(values.get("notes") or ""),
        )
        try:
            offer = save_offer(self.session, self.plugins, None, school, offer_values, row)
        except OfferRefused as refused:
            raise RecordRefused(refused.errors) from None
        if status is OfferStatus.DRAFT:
            offer.status = OfferStatus.DRAFT
        elif offer.status is not OfferStatus.PUBLISHED:
            # A closed offer is published until this run's requests are in (see _close_offers).
            publish_offer(self.session, self.plugins, offer)
        return offer, True

    def _request(self, record: BridgeRecord, row: PlacementRequest | None):
        values = record.values
        status = _choice(values.get("status"), RequestStatus, "status")
        reason = self.reason + (f": {values['reason']}" if values.get("reason") else "")
        if row is not None:
            return self._request_status(record, row, status, reason)
        programme = self._local("programme", values.get("programme"), "programme")
        school = self._local("school", values.get("school"), "school")
        student = self._local("student", values.get("student"), "student")
        offer = self._local("offer", values["offer"], "offer") if values.get("offer") else None
        request_values = RequestValues(
            student_id=student.id,
            school_id=school.id,
            level_code=str(values.get("level_code") or ""),
            subject_id=self._subject_id(values),
            period_start=values.get("period_start"),
            period_end=values.get("period_end"),
            kind=str(values.get("kind") or ""),
            hours=values.get("hours") or 0,
            offer_id=offer.id if offer else None,
            attributes=dict(values.get("attributes") or {}),
            message=str(values.get("message") or ""),
            answer_deadline=values.get("answer_deadline"),
        )
        try:
            request = import_request(
                self.session, self.plugins, programme, request_values, status, reason, self.today
            )
        except RequestRefused as refused:
            raise RecordRefused(refused.errors) from None
        except TransitionRefused as refused:
            raise RecordRefused({"status": [refused]}) from None
        return request, True

    def _request_status(self, record, row: PlacementRequest, status: RequestStatus, reason: str):
        fixed = {
            "level_code": row.level_code,
            "period_start": row.period_start,
            "period_end": row.period_end,
            "hours": row.hours,
            "kind": row.kind.value,
        }
        differing = sorted(
            name
            for name, value in fixed.items()
            if name in record.values and record.values[name] != value
        )
        if differing:
            self.report.note(
                IssueLevel.WARNING,
                record,
                _l(
                    "Een verstuurde aanvraag verandert niet meer; niet overgenomen: %(fields)s.",
                    fields=", ".join(differing),
                ),
            )
        if status == row.status:
            return row, False
        try:
            move_to(self.session, self.plugins, row, status, None, reason)
        except TransitionRefused as refused:
            raise RecordRefused({"status": [refused]}) from None
        return row, True

    def _subject_id(self, values: dict) -> int:
        return (
            self.session.scalar(
                select(Subject.id).where(
                    Subject.level_code == str(values.get("level_code") or ""),
                    Subject.code == str(values.get("subject_code") or ""),
                )
            )
            or 0
        )

    # ---------------------------------------------------------------------- end of batch

    def _close_offers(self) -> None:
        for offer, mapping in self._to_close:
            if offer.status is OfferStatus.PUBLISHED:
                offer.status = OfferStatus.CLOSED
                self.session.flush()
                self.session.refresh(offer, ["updated_at"])
                mapping.local_updated_at = offer.updated_at
        self.session.flush()

    def _report_disappeared(self, records: list[BridgeRecord], kinds: Iterable[str]) -> None:
        for kind in kinds:
            seen = {r.external_id for r in records if r.kind == kind}
            for external_id in self.session.scalars(
                select(BridgeMapping.external_id)
                .where(BridgeMapping.system == self.system, BridgeMapping.kind == kind)
                .order_by(BridgeMapping.external_id)
            ):
                if external_id not in seen:
                    self.report.note(
                        IssueLevel.WARNING,
                        BridgeRecord(kind, external_id),
                        _l(
                            "Staat niet meer in het andere systeem; de gegevens hier blijven "
                            "bewaard."
                        ),
                    )


def check_institution(
    session: Session, kind: InstitutionKind, values: dict, row: Institution | None
) -> dict[str, list]:
    """Every reason ``values`` cannot describe a school or programme; empty when fine."""
    errors: dict[str, list] = {}

    def refuse(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    name = str(values.get("name") or "").strip()
    if not name or len(name) > 200:
        refuse("name", _l("Vul een naam van hoogstens 200 tekens in."))
    number = values.get("institution_number")
    if number and not INSTITUTION_NUMBER.match(str(number)):
        refuse("institution_number", _l("Een instellingsnummer heeft 6 cijfers."))
    elif number:
        other = session.scalar(
            select(Institution).where(
                Institution.institution_number == number,
                Institution.id != (row.id if row is not None else -1),
            )
        )
        if other is not None:
            refuse(
                "institution_number",
                _l("Dit instellingsnummer hoort al bij %(name)s.", name=other.name),
            )
    network = values.get("network_code")
    if network and session.get(Network, network) is None:
        refuse("network_code", _l("Onbekend onderwijsnet %(code)s.", code=network))
    region = values.get("region_code")
    if region and session.get(Region, region) is None:
        refuse("region_code", _l("Onbekende regio %(code)s.", code=region))
    elif not region and kind is InstitutionKind.SCHOOL:
        refuse("region_code", _l("Een school ligt in een regio."))
    for level in values.get("levels") or ():
        if session.get(EducationLevel, level) is None:
            refuse("levels", _l("Onbekend onderwijsniveau %(code)s.", code=level))
    postcode = values.get("postcode")
    if kind is InstitutionKind.SCHOOL and not (postcode and str(values.get("street", "")).strip()):
        refuse("street", _l("Een school heeft een adres: straat en postcode."))
    elif postcode:
        found = postcode_in(session, str(postcode), region)
        if found is None:
            refuse("postcode", _l("Deze postcode bestaat niet in Vlaanderen of Brussel."))
        elif region and found.municipality.region_code != region:
            refuse("postcode", _l("Deze postcode ligt niet in de regio %(code)s.", code=region))
    return errors


def postcode_in(session: Session, postcode: str, region: str | None) -> Postcode | None:
    """The postcode row, of a municipality in ``region`` when the postcode has several."""
    return session.scalar(
        select(Postcode)
        .join(Postcode.municipality)
        .where(Postcode.postcode == postcode)
        .order_by((Municipality.region_code == (region or "")).desc(), Postcode.municipality_refnis)
        .limit(1)
    )


def _choice(value, enum_class, name: str):
    try:
        return enum_class(value)
    except ValueError:
        raise RecordRefused(
            {
                name: [
                    _l(
                        "Onbekende waarde %(value)s; kies uit %(choices)s.",
                        value=value,
                        choices=", ".join(member.value for member in enum_class),
                    )
                ]
            }
        ) from None


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
