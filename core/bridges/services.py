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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.bridges.models import BridgeMapping, IssueLevel
from core.catalogue.models import EducationLevel, Subject
from core.database import utcnow
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.notifications.services import notifications_batched
from core.offers.models import Offer, OfferStatus, Semester
from core.offers.services import OfferRefused, OfferValues, publish_offers, save_offer
from core.placements.models import PlacementRequest, RequestStatus, Student
from core.placements.services import (
    ImportBatch,
    RequestRefused,
    RequestValues,
    TransitionRefused,
    move_to,
)
from core.placements.students import StudentValues, check_student
from core.plugins.manager import Plugins
from core.plugins.types import BridgeRecord
from core.reference.models import Network, Postcode, Region

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
#: Session info: ids of the requests this batch created, which no system has mapped yet.
NEW_REQUESTS = "stagebank.bridge_new_requests"
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


def local_updated_at(row) -> datetime | None:
    return getattr(row, "updated_at", None)


def local_is_newer(row, mapping: BridgeMapping | None, remote_updated_at: datetime | None) -> bool:
    """The conflict rule: the local row changed after the last sync and after the remote one."""
    local = local_updated_at(row)
    if local is None or mapping is None:
        return False
    changed_here = mapping.local_updated_at is None or local > mapping.local_updated_at
    return changed_here and (remote_updated_at is None or local > remote_updated_at)


class Known:
    """What applying one batch reads, read once: the system's mappings, the rows they point
    at, reference data, and institutions and students by number (kept up to date as the
    batch adds or changes rows, so later records see earlier ones)."""

    def __init__(self, session: Session, system: str, records: list[BridgeRecord]):
        self.session = session
        self.mappings: dict[tuple[str, str], BridgeMapping] = {
            (m.kind, m.external_id): m
            for m in session.scalars(select(BridgeMapping).where(BridgeMapping.system == system))
        }
        #: Rows by (model, id), held here: the session's identity map holds them only weakly.
        self.rows: dict[tuple[type, int], Any] = {}
        wanted = {(r.kind, r.external_id) for r in records}
        for kind, model in MODELS.items():
            ids = sorted(
                m.local_id for key, m in self.mappings.items() if key in wanted and key[0] == kind
            )
            options = (
                [selectinload(Institution.levels), selectinload(Institution.campuses)]
                if model is Institution
                else []
            )
            for chunk in _chunks(ids):
                for row in session.scalars(
                    select(model).where(model.id.in_(chunk)).options(*options)
                ):
                    self.rows[(model, row.id)] = row
        self.institutions: dict[str, Institution] = {}
        numbers = sorted(
            {str(r.values["institution_number"]) for r in records if _has(r, "institution_number")}
        )
        for chunk in _chunks(numbers):
            for row in session.scalars(
                select(Institution).where(Institution.institution_number.in_(chunk))
            ):
                self.institutions[row.institution_number] = row
        self.students: dict[tuple[int, str], Student] = {}
        numbers = sorted(
            {
                str(r.values["student_number"]).strip()
                for r in records
                if r.kind == "student" and _has(r, "student_number")
            }
        )
        for chunk in _chunks(numbers):
            for row in session.scalars(select(Student).where(Student.student_number.in_(chunk))):
                self.students[(row.programme_id, row.student_number)] = row
        self.networks = set(session.scalars(select(Network.code)))
        self.regions = set(session.scalars(select(Region.code)))
        self.levels = {row.code: row for row in session.scalars(select(EducationLevel))}
        #: Subjects by (level, code), held so that ``session.get`` finds them.
        self.subjects = {
            (row.level_code, row.code): row for row in session.scalars(select(Subject))
        }
        self.postcodes: dict[str, list[Postcode]] = {}
        postcodes = sorted({str(r.values["postcode"]) for r in records if _has(r, "postcode")})
        for chunk in _chunks(postcodes):
            for row in session.scalars(
                select(Postcode)
                .where(Postcode.postcode.in_(chunk))
                .options(joinedload(Postcode.municipality))
                .order_by(Postcode.municipality_refnis)
            ):
                self.postcodes.setdefault(row.postcode, []).append(row)

    def row(self, kind: str, external_id: str):
        """The local row mapped to an external id, or None."""
        mapping = self.mappings.get((kind, external_id))
        if mapping is None:
            return None
        key = (MODELS[kind], mapping.local_id)
        if key not in self.rows:
            self.rows[key] = self.session.get(*key)
        return self.rows[key]

    def postcode_in(self, postcode: str, region: str | None) -> Postcode | None:
        """The postcode row, of a municipality in ``region`` when the postcode has several."""
        rows = self.postcodes.get(str(postcode), [])
        return next((r for r in rows if r.municipality.region_code == region), None) or (
            rows[0] if rows else None
        )

    def numbered(self, row: Institution, old_number: str | None) -> None:
        """Keep the institutions by number in step with a new or changed row."""
        if old_number and self.institutions.get(old_number) is row:
            del self.institutions[old_number]
        if row.institution_number:
            self.institutions[row.institution_number] = row


class Applier:
    """Applies one batch of records of ``system``: checked one by one, written per kind.

    Every record is checked before anything of it is written, so a refusal leaves nothing
    behind; only a status change of an existing request, which writes as it goes, runs in
    a savepoint. Rows of one kind are flushed together, new requests through
    :class:`~core.placements.services.ImportBatch`.
    """

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
        self.known: Known | None = None
        self.requests = ImportBatch(session, plugins, today)
        self._remembered: list[tuple[BridgeRecord, Any, BridgeMapping | None, str]] = []
        self._to_close: list[tuple[Offer, tuple[str, str]]] = []
        self._to_publish: list[Offer] = []
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
            with self.session.no_autoflush:
                self.known = Known(self.session, self.system, records)
                for kind in KIND_ORDER:
                    of_kind = [r for r in records if r.kind == kind]
                    if kind == "request":
                        self._preload_requests(of_kind)
                    for record in of_kind:
                        self._apply_counted(record, counts)
                    self._write(kind)
                for record in records:
                    if record.kind not in KIND_ORDER:
                        self._apply_counted(record, counts)
                self._close_offers()
        finally:
            self.session.info.pop(APPLYING, None)
            self.session.info.pop(NEW_REQUESTS, None)
        self._report_disappeared(records, complete_kinds)
        return self.report

    # ------------------------------------------------------------------------ one record

    def _refuse(self, record: BridgeRecord, reason) -> None:
        self.report.refused += 1
        self.report.note(IssueLevel.REFUSED, record, reason)

    def _apply_counted(self, record: BridgeRecord, counts: Counter) -> None:
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

    def _apply_one(self, record: BridgeRecord) -> None:
        if record.problems:
            self._refuse(record, " ".join(str(p) for p in record.problems))
            return
        if record.kind not in MODELS or not record.external_id:
            self._refuse(record, _l("Een record zonder soort of id kan niet gebruikt worden."))
            return
        try:
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
        mapping = self.known.mappings.get((record.kind, record.external_id))
        digest = fingerprint(record)
        row = self.known.row(record.kind, record.external_id)
        if mapping is not None and row is None:
            raise RecordRefused(
                {"": [_l("De rij die hier bij dit record hoorde, bestaat niet meer.")]}
            )
        if mapping is not None and mapping.fingerprint == digest:
            return "unchanged"
        if mapping is None and (existing := self._existing(record)) is not None:
            # Linked to a row that was made here: its data stays as it is.
            if existing.id is None:
                self.session.flush()  # made earlier in this batch: its id is reported
            self._remembered.append((record, existing, None, digest))
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
        self._remembered.append((record, row, mapping, digest))
        if mapping is None:
            return "created"
        return "updated" if changed else "unchanged"

    def _existing(self, record: BridgeRecord):
        """A local row the record stands for although it was never mapped, or None."""
        values = record.values
        if record.kind in ("school", "programme") and values.get("institution_number"):
            found = self.known.institutions.get(str(values["institution_number"]))
            return found if found is not None and found.kind == record.kind else None
        if record.kind == "student" and values.get("student_number"):
            programme = self._optional_local("programme", values.get("programme"))
            if programme is not None:
                number = str(values["student_number"]).strip()
                return self.known.students.get((programme.id, number))
        return None

    def _optional_local(self, kind: str, external_id) -> Any:
        return self.known.row(kind, str(external_id or ""))

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

    # ------------------------------------------------------------------- end of a kind

    def _preload_requests(self, records: list[BridgeRecord]) -> None:
        """Hosting statuses and open requests of the schools and students referred to."""
        rows = [
            self._optional_local(kind, r.values.get(kind))
            for r in records
            for kind in ("school", "student")
        ]
        self.requests.preload_ids(
            (row.id for row in rows if isinstance(row, Institution)),
            (row.id for row in rows if isinstance(row, Student)),
        )

    def _write(self, kind: str) -> None:
        """Store the rows of one kind, then map the records to them."""
        if kind == "request":
            try:
                self.requests.write()
            except TransitionRefused as refused:
                raise BatchFailed(str(refused)) from None
            self.session.info[NEW_REQUESTS] = self.requests.new_ids()
            with notifications_batched(self.session):  # one mail per person and kind
                self.requests.announce()
        else:
            self.session.flush()
            publish_offers(self.session, self.plugins, self._to_publish)
            self._to_publish.clear()
        for record, row, mapping, digest in self._remembered:
            if mapping is None:
                mapping = BridgeMapping(
                    system=self.system,
                    kind=record.kind,
                    external_id=record.external_id,
                    local_table=MODELS[record.kind].__tablename__,
                    local_id=row.id,
                )
                self.session.add(mapping)
                self.known.mappings[(record.kind, record.external_id)] = mapping
            self.known.rows[(MODELS[record.kind], row.id)] = row
            mapping.fingerprint = digest
            mapping.remote_updated_at = record.updated_at
            mapping.local_updated_at = local_updated_at(row)
            mapping.synced_at = utcnow()
        self._remembered.clear()
        self.session.flush()

    # -------------------------------------------------------------------------- handlers

    def _institution(self, record: BridgeRecord, row: Institution | None):
        values = record.values
        kind = InstitutionKind.SCHOOL if record.kind == "school" else InstitutionKind.PROGRAMME
        errors = check_institution(self.known, kind, values, row)
        if errors:
            raise RecordRefused(errors)
        if row is None:
            row = Institution(kind=kind, status=RegistrationStatus.APPROVED, levels=[], campuses=[])
            self.session.add(row)
        old_number = row.institution_number
        row.name = values["name"].strip()
        row.institution_number = values.get("institution_number") or None
        row.network_code = values.get("network_code") or None
        row.region_code = values.get("region_code") or None
        row.organisation = values.get("organisation") or None
        self.known.numbered(row, old_number)
        wanted_levels = set(values.get("levels") or ())
        if wanted_levels != {level.code for level in row.levels}:
            row.levels = [self.known.levels[code] for code in sorted(wanted_levels)]
        if values.get("postcode"):
            postcode = self.known.postcode_in(values["postcode"], row.region_code)
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
        numbers = _NumbersOf(self.known.students, programme.id)
        errors = check_student(self.session, programme, student_values, numbers)
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
        if self.known.students.get((row.programme_id, row.student_number)) is row:
            del self.known.students[(row.programme_id, row.student_number)]
        row.first_name = student_values.first_name.strip()
        row.last_name = student_values.last_name.strip()
        row.email = student_values.email.strip().lower()
        row.student_number = student_values.student_number.strip()
        self.known.students[(row.programme_id, row.student_number)] = row
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
            offer = save_offer(
                self.session,
                self.plugins,
                None,
                school,
                offer_values,
                row,
                self.requests.catalogue,
                flush=False,
            )
        except OfferRefused as refused:
            raise RecordRefused(refused.errors) from None
        if status is OfferStatus.CLOSED:
            self._to_close.append((offer, (record.kind, record.external_id)))
        if status is OfferStatus.DRAFT:
            offer.status = OfferStatus.DRAFT
        elif offer.status is not OfferStatus.PUBLISHED:
            # A closed offer is published until this run's requests are in (see _close_offers).
            self._to_publish.append(offer)
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
            request = self.requests.add(programme, request_values, status, reason)
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
            with self.session.begin_nested():  # each step writes at once
                move_to(self.session, self.plugins, row, status, None, reason)
        except TransitionRefused as refused:
            raise RecordRefused({"status": [refused]}) from None
        return row, True

    def _subject_id(self, values: dict) -> int:
        key = (str(values.get("level_code") or ""), str(values.get("subject_code") or ""))
        subject = self.known.subjects.get(key)
        return subject.id if subject else 0

    # ---------------------------------------------------------------------- end of batch

    def _close_offers(self) -> None:
        closed = [(o, key) for o, key in self._to_close if o.status is OfferStatus.PUBLISHED]
        for offer, _key in closed:
            offer.status = OfferStatus.CLOSED
        self.session.flush()
        for offer, key in closed:
            self.known.mappings[key].local_updated_at = offer.updated_at
        self.session.flush()

    def _report_disappeared(self, records: list[BridgeRecord], kinds: Iterable[str]) -> None:
        for kind in kinds:
            seen = {r.external_id for r in records if r.kind == kind}
            for external_id in sorted(i for k, i in self.known.mappings if k == kind):
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
    known: Known, kind: InstitutionKind, values: dict, row: Institution | None
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
        other = known.institutions.get(str(number))
        if other is not None and other is not row:
            refuse(
                "institution_number",
                _l("Dit instellingsnummer hoort al bij %(name)s.", name=other.name),
            )
    network = values.get("network_code")
    if network and network not in known.networks:
        refuse("network_code", _l("Onbekend onderwijsnet %(code)s.", code=network))
    region = values.get("region_code")
    if region and region not in known.regions:
        refuse("region_code", _l("Onbekende regio %(code)s.", code=region))
    elif not region and kind is InstitutionKind.SCHOOL:
        refuse("region_code", _l("Een school ligt in een regio."))
    for level in values.get("levels") or ():
        if level not in known.levels:
            refuse("levels", _l("Onbekend onderwijsniveau %(code)s.", code=level))
    postcode = values.get("postcode")
    if kind is InstitutionKind.SCHOOL and not (postcode and str(values.get("street", "")).strip()):
        refuse("street", _l("Een school heeft een adres: straat en postcode."))
    elif postcode:
        found = known.postcode_in(str(postcode), region)
        if found is None:
            refuse("postcode", _l("Deze postcode bestaat niet in Vlaanderen of Brussel."))
        elif region and found.municipality.region_code != region:
            refuse("postcode", _l("Deze postcode ligt niet in de regio %(code)s.", code=region))
    return errors


class BatchFailed(Exception):
    """The batch cannot be written as checked (another process changed a count meanwhile)."""


class _NumbersOf:
    """The student numbers of one programme, as a container over :attr:`Known.students`."""

    def __init__(self, students: dict[tuple[int, str], Student], programme_id: int):
        self.students, self.programme_id = students, programme_id

    def __contains__(self, number) -> bool:
        return (self.programme_id, number) in self.students


def _has(record: BridgeRecord, name: str) -> bool:
    return bool(record.values.get(name))


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
