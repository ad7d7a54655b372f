"""The core's report sections: every figure of the government reports but the plugins'.

Each function computes one section for the period ``[start, end)`` (UTC moments) and
returns a :class:`~core.plugins.types.ReportSection` whose columns are stable keys. What
is counted:

* *requests*: placement requests created in the period that were sent (not drafts),
  by the school's province and network; ``requests_by_status`` counts drafts too;
* *answers*: requests first submitted in the period; the answer is the first change to
  accepted or declined (``RequestEvent`` timestamps), whenever it came;
* *people and institutions*: approved institutions and the active people in them,
  created before the end of the period;
* *adoption, offers, hosting, schools without offer*: the state now, for the school year
  of the period's last day (:attr:`core.reports.periods.Period.school_year`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import String, distinct, func, select, type_coerce
from sqlalchemy.orm import Session

from core.accounts.models import Membership, Role, User
from core.catalogue.models import EducationLevel, Subject
from core.database import days_between
from core.institutions.models import Institution, InstitutionKind, RegistrationStatus
from core.offers import school_years
from core.offers.models import HostingAnswer, HostingStatus, Offer, OfferStatus
from core.offers.services import schools_without_offer
from core.placements.models import InternshipKind, PlacementRequest, RequestEvent, RequestStatus
from core.plugins.types import Name, ReportChart, ReportSection
from core.reference.models import Network, Region

#: Subjects of this catalogue group are the philosophical subjects (levensbeschouwelijke
#: vakken); they have their own section and stay out of the subject section.
PHILOSOPHY_GROUP = "levensbeschouwing"
UNKNOWN = "onbekend"
TOTAL = "totaal"
ADMIN_ROLE = "admin"

#: People's names of the column keys used by the core's sections.
COLUMN_NAMES = {
    "status": Name("Status", "Status"),
    "aantal": Name("Aantal", "Number"),
    "kengetal": Name("Kengetal", "Measure"),
    "waarde": Name("Waarde", "Value"),
    "niveau": Name("Niveau", "Level"),
    "naam": Name("Naam", "Name"),
    "vak_code": Name("Vakcode", "Subject code"),
    "vak": Name("Vak", "Subject"),
    "regio": Name("Provincie", "Province"),
    "koepel": Name("Koepel", "Umbrella"),
    "soort": Name("Soort stage", "Kind of internship"),
    "rol": Name("Rol", "Role"),
    "gebruikers": Name("Gebruikers", "Users"),
    "scholen": Name("Scholen", "Schools"),
    "opleidingen": Name("Lerarenopleidingen", "Teacher-training programmes"),
    "geregistreerd": Name("Geregistreerde scholen", "Registered schools"),
    "gekend": Name("Gekende scholen", "Known schools"),
    "adoptie_pct": Name("Adoptie (%)", "Adoption (%)"),
    "zonder_aanbod": Name("Zonder aanbod", "Without offer"),
    "herinnerd": Name("Herinnerd", "Reminded"),
    "instellingsnummer": Name("Instellingsnummer", "Institution number"),
    "school": Name("School", "School"),
    "laatste_herinnering": Name("Laatste herinnering", "Last reminder"),
    "aangeboden": Name("Plaatsen aangeboden", "Places offered"),
    "gevraagd": Name("Plaatsen gevraagd", "Places requested"),
    "tekort": Name("Tekort", "Shortage"),
    "antwoord": Name("Antwoord", "Answer"),
    "reden": Name("Reden", "Reason"),
    "categorie": Name("Categorie", "Category"),
    "vragen": Name("Vragen", "Questions"),
}


def _section(key, title: Name, columns, rows, note: Name | None = None, chart=None):
    return ReportSection(
        key=key,
        title=title,
        columns=tuple(columns),
        rows=tuple(tuple(row) for row in rows),
        headers=tuple(COLUMN_NAMES.get(column, Name(column, column)) for column in columns),
        note=note,
        chart=chart,
    )


def core_sections(session: Session, start: datetime, end: datetime) -> list[ReportSection]:
    """Every section of the core, in the order of the report."""
    school_year = school_years.school_year_of((end - timedelta(microseconds=1)).date())
    sent = SentRequests.read(session, start, end)
    return [
        requests_by_status(session, start, end),
        request_answers(session, start, end),
        requests_by_level(session, sent),
        requests_by_subject(sent, philosophy=False),
        requests_by_subject(sent, philosophy=True),
        requests_by_region(session, sent),
        requests_by_network(session, sent),
        requests_by_kind(sent),
        users_by_role(session, end),
        institutions_by_region(session, end),
        institutions_by_network(session, end),
        adoption_by_region(session),
        *schools_without_offer_sections(session, school_year, end),
        supply_and_demand(session, sent, school_year),
        hosting_answers(session, school_year),
        helpdesk_categories(session, start, end),
    ]


# ----------------------------------------------------------------------------- helpers


def _regions(session: Session) -> list[str]:
    return list(session.scalars(select(Region.code).order_by(Region.position)))


def _networks(session: Session) -> list[str]:
    return list(session.scalars(select(Network.code).order_by(Network.network, Network.code)))


def _in_order(keys: list[str], counts: dict, width: int = 1) -> list[tuple]:
    """One row per key in order (zeros included), then the unknown key when it counts."""
    zero = (0,) * width

    def values(key):
        found = counts.get(key, zero)
        return found if isinstance(found, tuple) else (found,)

    rows = [(key, *values(key)) for key in keys]
    if None in counts:
        rows.append((UNKNOWN, *values(None)))
    return rows


@dataclass(frozen=True)
class SentRequests:
    """The sent requests (no drafts) created in the period, counted per school, subject,
    level and kind in one scan without joins, then summed here for every section: both
    planners read the period far faster that way than with one joined query per section."""

    counts: Counter
    #: School id to (province, network umbrella).
    schools: dict[int, tuple[str | None, str | None]]
    #: The subjects of the counted requests, by id.
    subjects: dict[int, Subject]

    @classmethod
    def read(cls, session: Session, start: datetime, end: datetime) -> SentRequests:
        # Grouped by subject first: no index leads with it, so no planner walks the
        # table in index order (the school's index) to save itself a sort.
        key = (
            PlacementRequest.subject_id,
            PlacementRequest.school_id,
            PlacementRequest.level_code,
            type_coerce(PlacementRequest.kind, String),
        )
        rows = session.execute(
            select(*key, func.count())
            .where(
                PlacementRequest.created_at >= start,
                PlacementRequest.created_at < end,
                PlacementRequest.status != RequestStatus.DRAFT,
            )
            .group_by(*key)
        )
        counts = Counter(
            {(school, subject, level, kind): n for subject, school, level, kind, n in rows}
        )
        schools = {
            school_id: (region, network)
            for school_id, region, network in session.execute(
                select(Institution.id, Institution.region_code, Institution.network_code).where(
                    Institution.kind == InstitutionKind.SCHOOL
                )
            )
        }
        subject_ids = {subject for _school, subject, _level, _kind in counts}
        subjects = {
            subject.id: subject
            for subject in session.scalars(select(Subject).where(Subject.id.in_(subject_ids)))
        }
        return cls(counts, schools, subjects)

    def by(self, key: Callable[[int, int, str, str], object]) -> Counter:
        """The counts summed by ``key(school_id, subject_id, level_code, kind)``."""
        summed = Counter()
        for row, count in self.counts.items():
            summed[key(*row)] += count
        return summed

    def by_school(self, part: int) -> Counter:
        """Summed by the school's province (``part`` 0) or network umbrella (1)."""
        return self.by(lambda school, *_rest: self.place_of(school)[part])

    def place_of(self, school_id: int) -> tuple[str | None, str | None]:
        """The school's province and network umbrella (unknown for another institution)."""
        return self.schools.get(school_id, (None, None))


def _percentage(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# ---------------------------------------------------------------------------- requests


def requests_by_status(session: Session, start: datetime, end: datetime) -> ReportSection:
    """Requests created in the period by their current status (drafts included)."""
    rows = session.execute(
        select(PlacementRequest.status, func.count())
        .where(PlacementRequest.created_at >= start, PlacementRequest.created_at < end)
        .group_by(PlacementRequest.status)
        .order_by(PlacementRequest.status)
    ).all()
    return _section(
        "requests_by_status",
        Name("Aanvragen per status", "Requests by status"),
        ("status", "aantal"),
        [(status.value, count) for status, count in rows],
        note=Name(
            "Aanvragen aangemaakt in de periode, met hun huidige status.",
            "Requests created in the period, with their current status.",
        ),
        chart=ReportChart("aantal"),
    )


#: The first of these after sending ends the wait for an answer.
OUTCOMES = (RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.EXPIRED)


def request_answers(session: Session, start: datetime, end: datetime) -> ReportSection:
    """Requests first submitted in the period: how many were answered, accepted, declined
    or expired; the acceptance rate (accepted / answered) and the median days from
    submission to the answer."""
    in_period = (
        RequestEvent.to_status == RequestStatus.SUBMITTED.value,
        RequestEvent.created_at >= start,
        RequestEvent.created_at < end,
    )
    sent = session.scalar(select(func.count(distinct(RequestEvent.request_id))).where(*in_period))
    first_sent = (
        select(RequestEvent.request_id, func.min(RequestEvent.created_at).label("at"))
        .where(*in_period)
        .group_by(RequestEvent.request_id)
        .subquery()
    )
    # Per request, its first answer (an answer to a request sent in the period comes after
    # the period's start) and the days it took, counted by the database: no timestamps are
    # carried over for the tens of thousands of requests of a spring.
    outcomes: dict[int, tuple[str, float]] = {}
    for request_id, status, days in session.execute(
        select(
            RequestEvent.request_id,
            RequestEvent.to_status,
            days_between(first_sent.c.at, RequestEvent.created_at),
        )
        .join(first_sent, first_sent.c.request_id == RequestEvent.request_id)
        .where(
            RequestEvent.to_status.in_([status.value for status in OUTCOMES]),
            RequestEvent.created_at >= start,
        )
        .order_by(RequestEvent.created_at, RequestEvent.id)
    ):
        outcomes.setdefault(request_id, (status, days))
    counts = Counter(status for status, _days in outcomes.values())
    answered = counts[RequestStatus.ACCEPTED.value] + counts[RequestStatus.DECLINED.value]
    days = [days for status, days in outcomes.values() if status != RequestStatus.EXPIRED.value]
    return _section(
        "request_answers",
        Name("Antwoorden op aanvragen", "Answers to requests"),
        ("kengetal", "waarde"),
        [
            ("verstuurd", sent),
            ("beantwoord", answered),
            ("aanvaard", counts[RequestStatus.ACCEPTED.value]),
            ("geweigerd", counts[RequestStatus.DECLINED.value]),
            ("verlopen", counts[RequestStatus.EXPIRED.value]),
            ("aanvaardingsgraad_pct", _percentage(counts[RequestStatus.ACCEPTED.value], answered)),
            ("mediaan_antwoordtijd_dagen", round(median(days), 1) if days else None),
        ],
        note=Name(
            "Aanvragen die in de periode voor het eerst verstuurd werden. Aanvaardingsgraad: "
            "aanvaard gedeeld door beantwoord (aanvaard of geweigerd). Antwoordtijd: van het "
            "versturen tot het eerste antwoord, in dagen (mediaan).",
            "Requests first sent in the period. Acceptance rate: accepted divided by answered "
            "(accepted or declined). Time to answer: from sending to the first answer, in days "
            "(median).",
        ),
    )


SENT_NOTE = Name(
    "Verstuurde aanvragen (geen concepten) aangemaakt in de periode, volgens de school.",
    "Sent requests (no drafts) created in the period, by the school.",
)


def requests_by_level(session: Session, sent: SentRequests) -> ReportSection:
    counts = sent.by(lambda _school, _subject, level, _kind: level)
    levels = session.execute(
        select(EducationLevel.code, EducationLevel.name_nl)
        .where(EducationLevel.code.in_(counts))
        .order_by(EducationLevel.position, EducationLevel.code)
    ).all()
    return _section(
        "requests_by_level",
        Name("Aanvragen per onderwijsniveau", "Requests by level"),
        ("niveau", "naam", "aantal"),
        [(code, name, counts[code]) for code, name in levels],
        note=SENT_NOTE,
        chart=ReportChart("aantal", ("naam",)),
    )


def requests_by_subject(sent: SentRequests, philosophy: bool) -> ReportSection:
    """Sent requests per subject: the philosophical subjects, or every other subject."""
    counts = sent.by(lambda _school, subject, _level, _kind: subject)
    rows = sorted(
        (
            (subject.level_code, subject.code, subject.name_nl, counts[subject.id])
            for subject in sent.subjects.values()
            if (subject.group == PHILOSOPHY_GROUP) == philosophy
        ),
        key=lambda row: (-row[3], row[2], row[0]),
    )
    if philosophy:
        key, title = (
            "requests_by_philosophy",
            Name("Aanvragen per levensbeschouwelijk vak", "Requests by philosophical subject"),
        )
    else:
        key, title = "requests_by_subject", Name("Aanvragen per vak", "Requests by subject")
    return _section(
        key,
        title,
        ("niveau", "vak_code", "vak", "aantal"),
        rows,
        note=SENT_NOTE,
        chart=ReportChart("aantal", ("vak", "niveau")),
    )


def requests_by_region(session: Session, sent: SentRequests) -> ReportSection:
    return _section(
        "requests_by_region",
        Name("Aanvragen per provincie", "Requests by province"),
        ("regio", "aantal"),
        _in_order(_regions(session), sent.by_school(0)),
        note=SENT_NOTE,
        chart=ReportChart("aantal"),
    )


def requests_by_network(session: Session, sent: SentRequests) -> ReportSection:
    return _section(
        "requests_by_network",
        Name("Aanvragen per onderwijskoepel", "Requests by network umbrella"),
        ("koepel", "aantal"),
        _in_order(_networks(session), sent.by_school(1)),
        note=SENT_NOTE,
        chart=ReportChart("aantal"),
    )


def requests_by_kind(sent: SentRequests) -> ReportSection:
    counts = sent.by(lambda _school, _subject, _level, kind: kind)
    return _section(
        "requests_by_kind",
        Name("Aanvragen per soort stage", "Requests by kind of internship"),
        ("soort", "aantal"),
        _in_order([kind.value for kind in InternshipKind], counts),
        note=SENT_NOTE,
        chart=ReportChart("aantal"),
    )


# ------------------------------------------------------------- people and institutions


def _approved_before(end: datetime) -> tuple:
    return (Institution.status == RegistrationStatus.APPROVED, Institution.created_at < end)


def users_by_role(session: Session, end: datetime) -> ReportSection:
    """Active people per role in approved institutions (a person counts once per role),
    and the platform administrators."""
    counts = dict(
        session.execute(
            select(Membership.role, func.count(distinct(User.id)))
            .join(Membership.user)
            .join(Membership.institution)
            .where(User.active, User.created_at < end, *_approved_before(end))
            .group_by(Membership.role)
        ).all()
    )
    admins = session.scalar(
        select(func.count(User.id)).where(User.is_admin, User.active, User.created_at < end)
    )
    return _section(
        "users_by_role",
        Name("Gebruikers per rol", "Users by role"),
        ("rol", "gebruikers"),
        [*((role.value, counts.get(role, 0)) for role in Role), (ADMIN_ROLE, admins)],
        note=Name(
            "Actieve gebruikers van goedgekeurde instellingen, aangemaakt voor het einde van de "
            "periode; wie twee rollen heeft, telt in beide.",
            "Active users of approved institutions, created before the end of the period; "
            "someone with two roles counts in both.",
        ),
        chart=ReportChart("gebruikers"),
    )


def _institutions_by(session: Session, column, keys: list[str], end: datetime) -> list[tuple]:
    """Per key: approved schools, approved programmes and their active people."""
    institutions = Counter()
    for key, kind, count in session.execute(
        select(column, Institution.kind, func.count(Institution.id))
        .where(*_approved_before(end))
        .group_by(column, Institution.kind)
    ):
        institutions[key, kind] = count
    users = dict(
        session.execute(
            select(column, func.count(distinct(User.id)))
            .select_from(Institution)
            .join(Membership, Membership.institution_id == Institution.id)
            .join(Membership.user)
            .where(*_approved_before(end), User.active, User.created_at < end)
            .group_by(column)
        ).all()
    )
    counts = {
        key: (
            institutions[key, InstitutionKind.SCHOOL],
            institutions[key, InstitutionKind.PROGRAMME],
            users.get(key, 0),
        )
        for key in {key for key, _kind in institutions} | set(users)
    }
    return _in_order(keys, counts, width=3)


PEOPLE_NOTE = Name(
    "Goedgekeurde instellingen en hun actieve gebruikers, aangemaakt voor het einde van de "
    "periode.",
    "Approved institutions and their active users, created before the end of the period.",
)


def institutions_by_region(session: Session, end: datetime) -> ReportSection:
    return _section(
        "institutions_by_region",
        Name("Instellingen en gebruikers per provincie", "Institutions and users by province"),
        ("regio", "scholen", "opleidingen", "gebruikers"),
        _institutions_by(session, Institution.region_code, _regions(session), end),
        note=PEOPLE_NOTE,
        chart=ReportChart("scholen"),
    )


def institutions_by_network(session: Session, end: datetime) -> ReportSection:
    return _section(
        "institutions_by_network",
        Name("Instellingen en gebruikers per koepel", "Institutions and users by umbrella"),
        ("koepel", "scholen", "opleidingen", "gebruikers"),
        _institutions_by(session, Institution.network_code, _networks(session), end),
        note=PEOPLE_NOTE,
        chart=ReportChart("scholen"),
    )


def adoption_by_region(session: Session) -> ReportSection:
    """Registered (approved) schools against every known school, per province."""
    counts: dict = {}
    for region, status, count in session.execute(
        select(Institution.region_code, Institution.status, func.count(Institution.id))
        .where(
            Institution.kind == InstitutionKind.SCHOOL,
            Institution.status != RegistrationStatus.REJECTED,
        )
        .group_by(Institution.region_code, Institution.status)
    ):
        registered, known = counts.get(region, (0, 0))
        if status == RegistrationStatus.APPROVED:
            registered += count
        counts[region] = (registered, known + count)
    rows = [
        (region, registered, known, _percentage(registered, known))
        for region, registered, known in _in_order(_regions(session), counts, width=2)
    ]
    registered, known = sum(row[1] for row in rows), sum(row[2] for row in rows)
    rows.append((TOTAL, registered, known, _percentage(registered, known)))
    return _section(
        "adoption_by_region",
        Name("Adoptie per provincie", "Adoption by province"),
        ("regio", "geregistreerd", "gekend", "adoptie_pct"),
        rows,
        note=Name(
            "Geregistreerde (goedgekeurde) scholen gedeeld door alle gekende scholen: de "
            "officiële lijst (stagebank registry import) en wie zich aanmeldde, zonder "
            "geweigerde aanmeldingen. Stand van nu.",
            "Registered (approved) schools divided by every known school: the official list "
            "(stagebank registry import) and those who signed up, without rejected sign-ups. "
            "As it stands now.",
        ),
        chart=ReportChart("adoptie_pct"),
    )


# ------------------------------------------------------------------- offer and demand


def schools_without_offer_sections(
    session: Session, school_year: str, end: datetime
) -> list[ReportSection]:
    """Registered schools without a published offer for ``school_year``, per province and
    one by one, with the reminders (newsletters) they received before ``end``."""
    from core.newsletters.services import reminded_schools

    schools = schools_without_offer(session, school_year)
    reminded = reminded_schools(session, school_year, end)
    per_region: dict = {}
    for school in schools:
        total, with_reminder = per_region.get(school.region_code, (0, 0))
        per_region[school.region_code] = (total + 1, with_reminder + (school.id in reminded))
    note = Name(
        f"Goedgekeurde scholen zonder gepubliceerd aanbod voor {school_year}; herinnerd: "
        "ze kregen een herinnering (nieuwsbrief) voor dat schooljaar.",
        f"Approved schools without a published offer for {school_year}; reminded: they "
        "received a reminder (newsletter) for that school year.",
    )
    return [
        _section(
            "schools_without_offer_by_region",
            Name("Scholen zonder aanbod per provincie", "Schools without offer by province"),
            ("regio", "zonder_aanbod", "herinnerd"),
            _in_order(_regions(session), per_region, width=2),
            note=note,
            chart=ReportChart("zonder_aanbod"),
        ),
        _section(
            "schools_without_offer",
            Name("Scholen zonder aanbod", "Schools without offer"),
            ("instellingsnummer", "school", "regio", "laatste_herinnering"),
            [
                (
                    school.institution_number or "",
                    school.name,
                    school.region_code or UNKNOWN,
                    reminded[school.id].date().isoformat() if school.id in reminded else "",
                )
                for school in schools
            ],
            note=note,
        ),
    ]


def supply_and_demand(session: Session, sent: SentRequests, school_year: str) -> ReportSection:
    """Per province and subject: places offered (published or closed offers of the school
    year), places requested (one per sent request of the period) and the shortage."""
    key = (Institution.region_code, Subject.level_code, Subject.code, Subject.name_nl)
    offered = dict(
        ((*row[:4],), row[4])
        for row in session.execute(
            select(*key, func.sum(Offer.places))
            .join(Offer.school)
            .join(Offer.subject)
            .where(Offer.school_year == school_year, Offer.status != OfferStatus.DRAFT)
            .group_by(*key)
        )
    )
    by_school_and_subject = sent.by(lambda school, subject, _level, _kind: (school, subject))
    requested = Counter()
    for (school, subject_id), count in by_school_and_subject.items():
        subject = sent.subjects[subject_id]
        region = sent.place_of(school)[0]
        requested[region, subject.level_code, subject.code, subject.name_nl] += count
    order = {code: position for position, code in enumerate(_regions(session))}
    keys = sorted(
        set(offered) | set(requested),
        key=lambda k: (order.get(k[0], len(order)), k[1], k[3], k[2]),
    )
    rows = []
    for region, level, code, name in keys:
        places = int(offered.get((region, level, code, name), 0))
        wanted = requested.get((region, level, code, name), 0)
        rows.append((region or UNKNOWN, level, code, name, places, wanted, max(wanted - places, 0)))
    return _section(
        "supply_and_demand",
        Name("Aanbod en vraag per vak en provincie", "Supply and demand by subject and province"),
        ("regio", "niveau", "vak_code", "vak", "aangeboden", "gevraagd", "tekort"),
        rows,
        note=Name(
            f"Aangeboden: plaatsen in gepubliceerd of gesloten aanbod voor {school_year}. "
            "Gevraagd: verstuurde aanvragen aangemaakt in de periode. Tekort: gevraagd min "
            "aangeboden, als dat meer dan nul is.",
            f"Offered: places in published or closed offers for {school_year}. Requested: sent "
            "requests created in the period. Shortage: requested minus offered, when above "
            "zero.",
        ),
        chart=ReportChart("tekort", ("vak", "regio")),
    )


def hosting_answers(session: Session, school_year: str) -> ReportSection:
    """Schools' answers to "do you host this school year?", with the reasons for no."""
    rows = session.execute(
        select(HostingStatus.answer, HostingStatus.no_reason, func.count(HostingStatus.id))
        .where(HostingStatus.school_year == school_year)
        .group_by(HostingStatus.answer, HostingStatus.no_reason)
    ).all()
    order = list(HostingAnswer)
    rows = sorted(rows, key=lambda r: (order.index(r[0]), r[1].value if r[1] else ""))
    return _section(
        "hosting_answers",
        Name("Ontvangen scholen stagiairs?", "Do schools host trainees?"),
        ("antwoord", "reden", "scholen"),
        [(answer.value, reason.value if reason else "", count) for answer, reason, count in rows],
        note=Name(
            f"Het antwoord van scholen voor {school_year}; redenen worden alleen zo, "
            "geanonimiseerd, gedeeld.",
            f"The schools' answers for {school_year}; reasons are only shared like this, "
            "anonymously.",
        ),
        chart=ReportChart("scholen", ("antwoord", "reden")),
    )


def helpdesk_categories(session: Session, start: datetime, end: datetime) -> ReportSection:
    from core.helpdesk.services import category_counts

    return _section(
        "helpdesk_categories",
        Name("Helpdesk: vragen per categorie", "Helpdesk: questions by category"),
        ("categorie", "vragen"),
        category_counts(session, start, end),
        note=Name(
            "Vragen en feedback gesteld in de periode, de meest gestelde categorie eerst.",
            "Questions and feedback sent in the period, the most frequent category first.",
        ),
        chart=ReportChart("vragen"),
    )
