"""Deterministic, realistic Flemish demo data.

:func:`load_demo` fills an upgraded, empty database with schools of every network umbrella
in every region, teacher-training programmes at the real hogescholen and universities,
their students, offers and hosting answers of this and the two past school years, placement
requests in every state (those of past years ended), and one login per role.

Reproducible: every choice comes from one ``random.Random(seed)`` and every list it draws
from is ordered, so the same seed gives the same names, numbers, e-mail addresses and ids.
Dates hang off the start of the current school year and the day of the load, so the same
seed on the same day gives identical rows.

The rules are the platform's own: at the small scale offers are published with
:func:`~core.offers.services.publish_offer`; requests start with
:func:`~core.placements.services.record_creation` and walk the state machine with
:func:`~core.placements.services.transition`, each step taken by a person whose role may
take it, so places and school capacity are counted as in real use and plugins see every
event; mentors are assigned with ``assign_mentor``, threads written with ``post_message``,
hosting answers given with ``set_hosting_status``. The Flanders scale (a million rows)
tells the same story in bulk (:class:`~core.demo.story.BulkStory`), which counts places
the same way and gives the same rows for the same seed. Level-specific attributes pass
:func:`~core.catalogue.level_fields.clean_level_attributes`, the check of the web form and
the API. Rows are built directly (not through ``save_offer`` / ``create_request``) only
because those refuse levels that are switched off in a region, and the demo holds primary
offers that wait for a pilot region. The replayed history sends no mail: notifications
are switched off during the load and the defaults restored afterwards.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from flask import Flask
from sqlalchemy import event, inspect, literal, select, text
from sqlalchemy.orm import Session

from core.access.policy import Actor
from core.accounts.models import Membership, Role, User
from core.allocation.demo import add_wishes
from core.catalogue.level_fields import clean_level_attributes, level_fields
from core.catalogue.models import EducationLevel, Subject, TrainingKind
from core.database import UtcDateTime, database
from core.demo import names
from core.demo.calendar import BLOCKS, SchoolYear
from core.demo.profiles import (
    EXCLUDED_SUBJECTS,
    KIND_GROUPS,
    KIND_STUDENT_WEIGHT,
    KIND_SUBJECT_COUNT,
    KIND_WEIGHTS,
    NETWORK_PREFERRED_LEVEL,
    NETWORK_WEIGHTS,
    OFFICIAL_NETWORKS,
    PHILOSOPHY,
    PHILOSOPHY_BY_NETWORK,
    PHILOSOPHY_WEIGHTS,
    PRIMARY,
    PROFILE_GROUPS,
    REGION_WEIGHTS,
    REQUEST_STATUS_WEIGHTS,
    SECONDARY,
    STATUS_WEIGHTS,
    primary_attributes,
    secondary_attributes,
    weighted,
)
from core.demo.story import BulkStory, ServiceStory
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.offers.models import (
    HostingAnswer,
    HostingStatus,
    NoHostingReason,
    Offer,
    OfferStatus,
    Semester,
)
from core.offers.services import refusal_for_new_request
from core.placements.models import InternshipKind, PlacementRequest, RequestStatus, Student
from core.plugins.manager import Plugins, plugins_of
from core.plugins.types import LevelField
from core.reference.models import Municipality, Network, Postcode, Region

DEMO_PASSWORD = "Stagebank-demo-2026"
DEMO_DOMAIN = "stagebank.example.org"
PHILOSOPHY_PLUGIN = "philosophy_subjects"


class DemoRefused(Exception):
    """The demo cannot be loaded; the message is one sentence for the operator."""


@dataclass(frozen=True)
class DemoAccount:
    """A login of the demo, printed by ``stagebank demo``."""

    role: str
    email: str
    password: str
    name: str


@dataclass(frozen=True)
class Scale:
    """How much demo data to make; every scale runs the same code."""

    secondary_schools: int
    primary_schools: int
    programmes: int
    students: int
    offers: int  # over this and the two past school years
    requests: int
    supervisors_per_programme: int
    mentors_per_school: tuple[int, int] = (3, 7)  # fewest and most, with a login each
    bulk: bool = False  # written in bulk (see core.demo.story) instead of through the services


SCALES = {
    "small": Scale(
        secondary_schools=32,
        primary_schools=28,
        programmes=8,
        students=200,
        offers=320,
        requests=360,
        supervisors_per_programme=1,
    ),
    "flanders": Scale(
        secondary_schools=1130,
        primary_schools=2720,
        programmes=80,
        students=30_000,
        offers=60_000,
        requests=200_000,
        supervisors_per_programme=3,
        mentors_per_school=(1, 4),
        bulk=True,
    ),
}

# (role label, e-mail, name) of the six demo logins.
DEMO_PEOPLE = {
    "admin": ("platform administrator", f"admin@{DEMO_DOMAIN}", "Sofie Vermeulen"),
    "school": ("school coordinator", f"school@{DEMO_DOMAIN}", "Katrien Claes"),
    "mentor": ("mentor", f"mentor@{DEMO_DOMAIN}", "Bart Wouters"),
    "programme": ("programme coordinator", f"opleiding@{DEMO_DOMAIN}", "Els Maes"),
    "supervisor": ("programme supervisor", f"begeleider@{DEMO_DOMAIN}", "Tom Jacobs"),
    "student": ("student", f"student@{DEMO_DOMAIN}", "Lotte Peeters"),
}

# The statuses each target status passes through after draft (the state machine's path).
S = RequestStatus
PATHS = {
    S.DRAFT: (),
    S.SUBMITTED: (S.SUBMITTED,),
    S.ACCEPTED: (S.SUBMITTED, S.ACCEPTED),
    S.DECLINED: (S.SUBMITTED, S.DECLINED),
    S.EXPIRED: (S.SUBMITTED, S.EXPIRED),
    S.WITHDRAWN: (S.SUBMITTED, S.WITHDRAWN),
    S.CANCELLED: (S.SUBMITTED, S.ACCEPTED, S.CANCELLED),
    S.COMPLETED: (S.SUBMITTED, S.ACCEPTED, S.COMPLETED),
}
#: Final states whose path goes through acceptance (and so needs a free place then).
PASSES_ACCEPTANCE = (S.ACCEPTED, S.COMPLETED, S.CANCELLED)
#: States of a running request (the platform allows one per student, school and period).
ACTIVE = (S.DRAFT, S.SUBMITTED, S.ACCEPTED)
#: The internship blocks of an offer that names a semester instead of dates.
SEMESTER_BLOCKS = {
    Semester.FIRST: (0, 1),
    Semester.SECOND: (2, 3, 4),
    Semester.WHOLE_YEAR: tuple(range(len(BLOCKS))),
}
EXPIRED_REASON = "Geen antwoord voor de antwoorddatum."

# ------------------------------------------------------------------- helpers


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _slug(text: str, separator: str = "-") -> str:
    return re.sub(r"[^a-z0-9]+", separator, _ascii(text)).strip(separator)


def _local_part(first: str, last: str) -> str:
    return f"{_slug(first)}.{_slug(last, '')}"


@dataclass(frozen=True)
class _Place:
    """A postcode and the municipality (and region) it belongs to."""

    postcode: str
    refnis: str
    municipality: str
    region: str


@dataclass
class _School:
    row: Institution
    level: str
    network: str
    region: str
    profile: str
    status: RegistrationStatus
    actor: Actor | None = None  # the school's coordinator, acting for it
    mentor_users: dict[str, User] = field(default_factory=dict)
    # Per school year (its label): the answer to "do you host trainees?" and the offers
    # published that year (some closed since).
    hosting: dict[str, HostingStatus] = field(default_factory=dict)
    published: dict[str, list[Offer]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class _Programme:
    row: Institution
    kind: TrainingKind
    levels: list[str]
    region: str
    label: str
    actor: Actor  # the programme's coordinator, acting for it
    supervisors: list[User]
    students: list[_Student] = field(default_factory=list)
    weight: float = 1.0


@dataclass
class _Student:
    row: Student
    programme: _Programme
    level: str
    subjects: list[Subject]


class _Clock:
    """Stamps ``created_at``/``updated_at`` with the simulated time instead of now."""

    def __init__(self, now: datetime):
        self.now = now

    def before_flush(self, session: Session, _context, _instances) -> None:
        for obj in session.new:
            for name in ("created_at", "updated_at"):
                if hasattr(obj, name) and getattr(obj, name) is None:
                    setattr(obj, name, self.now)
        for obj in session.dirty:
            if not hasattr(obj, "updated_at") or not session.is_modified(obj):
                continue
            if inspect(obj).attrs.updated_at.history.has_changes():
                continue
            # An UPDATE leaves out a value equal to the stored one and then stamps the real
            # time (the column's onupdate); an SQL literal is always written.
            same = obj.updated_at == self.now
            obj.updated_at = literal(self.now, UtcDateTime()) if same else self.now


# ------------------------------------------------------------------ entry point


def load_demo(
    app: Flask,
    scale: str = "small",
    seed: int = 2017,
    if_empty: bool = False,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    bulk: bool | None = None,
) -> list[DemoAccount] | None:
    """Load demo data in one transaction and return the six demo logins.

    Returns ``None`` when ``if_empty`` is set and the database already holds institutions.
    Raises :class:`DemoRefused` when the database lacks reference data or a catalogue,
    or already holds institutions (without ``if_empty``). ``today`` pins the day the
    dates are computed from (tests use it). ``progress`` is told when each part is done.
    ``bulk`` overrides the scale's choice between the services and bulk writing.
    """
    if scale not in SCALES:
        raise DemoRefused(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}.")
    with app.app_context(), database(app).sessionmaker() as session, session.begin():
        if session.scalar(select(Institution.id).limit(1)) is not None:
            if if_empty:
                return None
            raise DemoRefused(
                "The database already holds institutions; load the demo into an empty "
                "database (or pass --if-empty to skip)."
            )
        emails = [email for _label, email, _name in DEMO_PEOPLE.values()]
        taken = session.scalar(select(User.email).where(User.email.in_(emails)).limit(1))
        if taken is not None:
            raise DemoRefused(f"A user with the demo address {taken} exists already.")
        chosen = SCALES[scale]
        story = BulkStory if (chosen.bulk if bulk is None else bulk) else ServiceStory
        builder = _Builder(
            session, plugins_of(app), chosen, random.Random(seed), today or date.today(), story
        )
        builder.progress = progress or (lambda _message: None)
        return builder.build()


class _Builder:
    """Builds the whole demo in one session; one instance per load."""

    def __init__(
        self,
        session: Session,
        plugins: Plugins,
        scale: Scale,
        rng: random.Random,
        today: date,
        story: type[ServiceStory | BulkStory] = ServiceStory,
    ):
        self.session = session
        self.plugins = plugins
        self.scale = scale
        self.rng = rng
        self.today = today
        # Everything that happened is dated yesterday at the latest, so no moment of the
        # story lies later today than the load itself.
        self.last_day = today - timedelta(days=1)
        self.current = SchoolYear.of(today)
        # Requests of past school years have all ended (completed, declined ...).
        self.past_years = (self.current.previous.previous, self.current.previous)
        self.clock = _Clock(self._at(self.current.start - timedelta(days=400)))
        self.story = story(session, plugins, self.clock)
        self.progress: Callable[[str], None] = lambda _message: None
        self.emails: set[str] = set()
        self.numbers: set[str] = set()
        self.school_names: set[str] = set()
        self.offer_buckets: dict[tuple, list[Offer]] = defaultdict(list)
        self.running: dict[tuple[int, int], list[tuple[date, date]]] = defaultdict(list)
        self.users: list[User] = []
        self.school_buckets: dict[tuple, list[_School]] = defaultdict(list)
        self.field_cache: dict[tuple[str, str], list[LevelField]] = {}
        self.valid_cache: dict[tuple, bool] = {}

    # ------------------------------------------------------------------ build

    def build(self) -> list[DemoAccount]:
        self._read_reference()
        event.listen(self.session, "before_flush", self.clock.before_flush)
        try:
            self._people()
            self._schools()
            self.progress(f"{len(self.schools)} schools")
            self._programmes()
            self._students()
            self.progress(f"{len(self.programmes)} programmes and their students")
            self.story.silence([self.demo_users["admin"], *self.users])
            self._offers()
            self._hosting()
            self.progress("offers and hosting answers")
            self._requests()
            self._full_schools()
            self.progress("placement requests")
            self.story.finish()
            self.progress(f"written ({type(self.story).__name__})")
            wishes = add_wishes(self.session, self.rng, self.today)
            self.progress(f"allocation wishes of {wishes} students")
            # Fresh statistics, or the query planner guesses on a million new rows.
            self.session.execute(text("ANALYZE"))
            self.progress("statistics gathered")
        finally:
            event.remove(self.session, "before_flush", self.clock.before_flush)
        return [
            DemoAccount(role=label, email=email, password=DEMO_PASSWORD, name=name)
            for label, email, name in DEMO_PEOPLE.values()
        ]

    # -------------------------------------------------------------- reference

    def _read_reference(self) -> None:
        session = self.session
        self.regions = list(session.scalars(select(Region.code).order_by(Region.position)))
        self.networks = list(session.scalars(select(Network.code).order_by(Network.code)))
        rows = session.execute(
            select(
                Postcode.postcode,
                Postcode.municipality_refnis,
                Municipality.name_nl,
                Municipality.region_code,
            )
            .join(Postcode.municipality)
            .order_by(Postcode.postcode, Postcode.municipality_refnis)
        ).all()
        if not self.regions or not self.networks or not rows:
            raise DemoRefused(
                "The database has no reference data (regions, postcodes, networks); "
                "run `stagebank db upgrade` first."
            )
        self.places: dict[str, list[_Place]] = defaultdict(list)
        self.place_by_postcode: dict[str, _Place] = {}
        for row in rows:
            place = _Place(*row)
            self.places[place.region].append(place)
            self.place_by_postcode.setdefault(place.postcode, place)
        self.all_places = [place for region in self.regions for place in self.places[region]]
        self.regions = [region for region in self.regions if self.places[region]]

        self.levels = {
            level.code: level
            for level in session.scalars(
                select(EducationLevel)
                .where(EducationLevel.active)
                .order_by(EducationLevel.position, EducationLevel.code)
            )
        }
        self.subjects: dict[str, list[Subject]] = defaultdict(list)
        for subject in session.scalars(
            select(Subject).where(Subject.active).order_by(Subject.level_code, Subject.code)
        ):
            if subject.level_code in self.levels:
                self.subjects[subject.level_code].append(subject)
        self.levels = {code: row for code, row in self.levels.items() if self.subjects[code]}
        self.kinds = {
            kind.code: kind
            for kind in session.scalars(
                select(TrainingKind).where(TrainingKind.active).order_by(TrainingKind.code)
            )
            if self._kind_levels(kind)
        }
        if not self.levels or not self.kinds:
            raise DemoRefused(
                "The database has no education levels, subjects or training kinds; "
                "run `stagebank db upgrade` with the level plugins installed."
            )
        self.groups: dict[tuple[str, str], list[Subject]] = defaultdict(list)
        for level, subjects in self.subjects.items():
            for subject in subjects:
                group = PHILOSOPHY if subject.plugin == PHILOSOPHY_PLUGIN else subject.group
                self.groups[level, group].append(subject)
        self.demo_level = SECONDARY if SECONDARY in self.levels else next(iter(self.levels))

    def _kind_levels(self, kind: TrainingKind) -> list[str]:
        return [code for code in kind.level_codes.split(",") if code in self.levels]

    # ------------------------------------------------------------------ random

    def _pick(self, weights: dict):
        return weighted(self.rng, weights)

    def _at(self, day: date, after: datetime | None = None) -> datetime:
        """A working-hours moment on ``day``, later than ``after``."""
        moment = datetime.combine(
            day, time(self.rng.randint(7, 16), self.rng.randrange(60)), tzinfo=UTC
        )
        if after is not None and moment <= after:
            moment = after + timedelta(minutes=self.rng.randint(5, 90))
        return moment

    def _in_past(self, day: date) -> date:
        return min(day, self.last_day)

    def _place(self, region: str) -> _Place:
        return self.rng.choice(self.places[region])

    def _near(self, place: _Place) -> _Place:
        """A place in the same municipality or close by (postcodes are ordered)."""
        places = self.places[place.region]
        index = places.index(place)
        low, high = max(0, index - 6), min(len(places) - 1, index + 6)
        return places[self.rng.randint(low, high)]

    def _street(self) -> str:
        number = self.rng.randint(1, 220)
        suffix = self.rng.choice(["", "", "", "", "A", "B"])
        return f"{self.rng.choice(names.STREETS)} {number}{suffix}"

    def _person(self, staff: bool = True) -> tuple[str, str]:
        first = names.STAFF_FIRST_NAMES if staff else names.STUDENT_FIRST_NAMES
        return self.rng.choice(first), self.rng.choice(names.LAST_NAMES)

    def _email(self, local: str, domain: str) -> str:
        candidate, counter = f"{local}@{domain}", 1
        while candidate in self.emails:
            counter += 1
            candidate = f"{local}{counter}@{domain}"
        self.emails.add(candidate)
        return candidate

    def _institution_number(self) -> str:
        while True:
            number = f"{self.rng.randrange(1000, 200_000):06d}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    # ------------------------------------------------------------------- users

    def _people(self) -> None:
        """The platform administrator; the other demo logins join their institutions later."""
        label, email, name = DEMO_PEOPLE["admin"]
        admin = self.story.new(User, email=email, name=name, is_admin=True)
        admin.set_password(DEMO_PASSWORD)
        # Hashing is deliberately slow; every demo login shares the administrator's hash.
        self.password_hash = admin.password_hash
        admin.created_at = self._at(self.current.start - timedelta(days=700))
        self.emails.add(email)
        self.story.keep(admin)
        self.demo_users: dict[str, User] = {"admin": admin}
        for key in ("school", "mentor", "programme", "supervisor", "student"):
            _label, email, name = DEMO_PEOPLE[key]
            self.demo_users[key] = self._user(email, name, self.current.start - timedelta(60))

    def _user(self, email: str, name: str, joined: date) -> User:
        user = self.story.new(User, email=email, name=name, password_hash=self.password_hash)
        user.created_at = self._at(self._in_past(joined))
        self.emails.add(email)
        self.story.keep(user)
        self.users.append(user)
        return user

    def _staff_user(self, domain: str, joined: date) -> User:
        first, last = self._person()
        email = self._email(_local_part(first, last), domain)
        return self._user(email, f"{first} {last}", joined)

    def _member(self, user: User, institution: Institution, role: Role) -> Membership:
        membership = self.story.new(Membership, user=user, institution=institution, role=role)
        self.story.keep(membership)
        return membership

    # ----------------------------------------------------------------- schools

    def _school_slots(self) -> list[tuple[str, str, str, str]]:
        """(level, network, region, status) of every school; the demo school first."""
        counts = {
            level: count
            for level, count in (
                (SECONDARY, self.scale.secondary_schools),
                (PRIMARY, self.scale.primary_schools),
            )
            if level in self.levels
        } or {self.demo_level: self.scale.secondary_schools + self.scale.primary_schools}
        region_weights = {r: REGION_WEIGHTS.get(r, 5) for r in self.regions}

        def region_for(network: str) -> str:
            # The provinces run POV schools; the Brussels-Capital Region has no province.
            if network == "POV":
                return self._pick({r: w for r, w in region_weights.items() if r != "brussel"})
            return self._pick(region_weights)

        def network_for(level: str) -> str:
            weights = NETWORK_WEIGHTS.get(level, NETWORK_WEIGHTS[SECONDARY])
            return self._pick({n: weights.get(n, 0.5) for n in self.networks})

        def status_for(level: str) -> str:
            return self._pick(STATUS_WEIGHTS.get(level, STATUS_WEIGHTS[SECONDARY]))

        def level_for(preferred: str | None = None) -> str:
            if preferred in counts and counts[preferred] > 0:
                return preferred
            open_levels = {level: count for level, count in counts.items() if count > 0}
            return self._pick(open_levels) if open_levels else next(iter(counts))

        demo_network = "KOV" if "KOV" in self.networks else self.networks[0]
        demo_level = level_for(self.demo_level)
        slots = [(demo_level, demo_network, self.demo_region, "approved")]
        counts[demo_level] -= 1
        forced = []
        # Every umbrella and every region at least once, and a few of each status.
        for network in self.networks:
            level = level_for(NETWORK_PREFERRED_LEVEL.get(network))
            forced.append((level, network, region_for(network), "approved"))
            counts[level] -= 1
        for region in self.regions:
            level = level_for()
            network = network_for(level)
            while network == "POV" and region == "brussel":
                network = network_for(level)
            forced.append((level, network, region, "approved"))
            counts[level] -= 1
        for status in ("pending", "pending", "registry", "registry"):
            level = level_for()
            network = network_for(level)
            forced.append((level, network, region_for(network), status))
            counts[level] -= 1
        rest = forced
        for level, count in counts.items():
            for _ in range(max(count, 0)):
                network = network_for(level)
                rest.append((level, network, region_for(network), status_for(level)))
        self.rng.shuffle(rest)
        return slots + rest

    def _schools(self) -> None:
        self.demo_region = self._demo_programme_region()
        self.schools: list[_School] = []
        for index, (level, network, region, status) in enumerate(self._school_slots()):
            school = self._school(level, network, region, RegistrationStatus(status), index == 0)
            self.schools.append(school)
            if school.status is RegistrationStatus.APPROVED:
                self.school_buckets[school.level, school.region].append(school)
                self.school_buckets[school.level, None].append(school)
        self.demo_school = self.schools[0]
        self.school_by_row = {id(school.row): school for school in self.schools}
        self.story.keep(*(school.row for school in self.schools))
        self.story.flush()

    def _school(
        self, level: str, network: str, region: str, status: RegistrationStatus, demo: bool
    ) -> _School:
        rng = self.rng
        main = self._place(region)
        patterns = names.SCHOOL_PATTERNS.get((level, network)) or [
            (f"{network}-school {{m}}", "broad")
        ]
        special = [p for p in patterns if p[1] == "special"]
        regular = [p for p in patterns if p[1] != "special"] or special
        if demo:
            regular = [("Sint-Jozefscollege {m}", "general")]
        for _attempt in range(40):
            pool = special if special and not demo and rng.random() < 0.08 else regular
            pattern, profile = rng.choice(pool)
            name = pattern.format(
                m=main.municipality,
                t=rng.choice(names.SCHOOL_THEMES),
                s=rng.choice(names.SAINTS),
                c=rng.choice(names.SAINT_COMPOUNDS),
            )
            if name not in self.school_names:
                break
        else:
            name = f"{name} ({main.postcode})"
        self.school_names.add(name)
        if level not in (SECONDARY, PRIMARY):
            profile = "broad"

        if status is RegistrationStatus.PENDING:
            created = self.last_day - timedelta(days=rng.randint(0, 20))
        elif status is RegistrationStatus.REGISTRY:
            created = self.current.start - timedelta(days=400)
        else:
            created = self.current.start - timedelta(days=rng.randint(30, 1500))
        created_at = self._at(self._in_past(created))
        row = self.story.new(
            Institution,
            kind=InstitutionKind.SCHOOL,
            name=name,
            institution_number=self._institution_number(),
            network_code=network,
            region_code=region,
            status=status,
            created_at=created_at,
            updated_at=created_at,
        )
        levels = [level]
        # Steiner schools often teach from kindergarten to the end of secondary school.
        if network == "OKO" and SECONDARY in self.levels and PRIMARY in self.levels:
            levels = [PRIMARY, SECONDARY]
        row.levels = [self.levels[code] for code in levels]
        self.story.keep(row)
        campus_count = self._pick(
            {1: 55, 2: 33, 3: 12} if level == SECONDARY else {1: 75, 2: 20, 3: 5}
        )
        campus_names = rng.sample(names.CAMPUS_NAMES, campus_count - 1)
        places = [main] + [self._near(main) for _ in campus_names]
        for number, place in enumerate(places):
            row.campuses.append(
                self.story.new(
                    Campus,
                    name="Hoofdcampus" if number == 0 else campus_names[number - 1],
                    street=self._street(),
                    postcode=place.postcode,
                    municipality_refnis=place.refnis,
                    is_main=number == 0,
                )
            )
        school = _School(row, level, network, region, profile, status)
        people = [self._person() for _ in range(rng.randint(*self.scale.mentors_per_school))]
        if demo:
            people[0] = tuple(self.demo_users["mentor"].name.split(" ", 1))
        people = list(dict.fromkeys(people))  # one mentor per name
        domain = self._school_domain(name, main)
        coordinator = None
        if demo:
            coordinator = self.demo_users["school"]
        elif status in (RegistrationStatus.APPROVED, RegistrationStatus.PENDING):
            coordinator = self._staff_user(domain, created)
        if coordinator is not None:
            membership = self._member(coordinator, row, Role.SCHOOL_COORDINATOR)
            school.actor = Actor(coordinator, membership)
        if status is RegistrationStatus.APPROVED:
            # Mentors named on offers have a login, so that they see their trainees.
            for index, (first, last) in enumerate(people):
                if demo and index == 0:
                    user = self.demo_users["mentor"]
                else:
                    email = self._email(_local_part(first, last), domain)
                    user = self._user(email, f"{first} {last}", created)
                school.mentor_users[user.name] = user
                self._member(user, row, Role.MENTOR)
        return school

    @staticmethod
    def _school_domain(name: str, place: _Place) -> str:
        """A made-up web domain: the full name when short, else initials and the town."""
        slug = _slug(name)
        if len(slug) > 32:
            words = re.split(r"[\s-]+", name.removesuffix(place.municipality))
            initials = "".join(_ascii(word)[:1] for word in words if word[:1].isalpha())
            slug = f"{initials}-{_slug(place.municipality)}"
        return f"{slug}.example.org"

    # -------------------------------------------------------------- programmes

    def _programme_candidates(self) -> list[tuple[str, str, tuple, str, str]]:
        """(organisation, e-mail label, campus, kind code, track) in the order to use them."""
        by_provider = []
        for organisation, label, campuses in names.PROVIDERS:
            pairs = [
                (organisation, label, campus, kind, "")
                for campus in campuses
                for kind in campus[3]
                if kind in self.kinds
            ]
            by_provider.append(pairs)
        featured_keys = {(org, campus, kind) for org, campus, kind in names.FEATURED_PROGRAMMES}
        featured = []
        for org, campus_name, kind in names.FEATURED_PROGRAMMES:
            for pairs in by_provider:
                featured += [p for p in pairs if (p[0], p[2][0], p[3]) == (org, campus_name, kind)]
        rest = []
        # Round robin over the providers, so that any prefix is spread over Flanders.
        for index in range(max(len(pairs) for pairs in by_provider)):
            for pairs in by_provider:
                if index >= len(pairs):
                    continue
                org, _label, campus, kind, _track = pairs[index]
                if (org, campus[0], kind) not in featured_keys:
                    rest.append(pairs[index])
        base = featured + rest
        candidates = list(base)
        for track in names.PROGRAMME_TRACKS:
            candidates += [(o, lb, c, k, track) for o, lb, c, k, _ in base if k != "MA_EDU_KUNST"]
        return candidates

    def _demo_programme_region(self) -> str:
        candidates = self._programme_candidates()
        for _org, _label, campus, kind, _track in candidates:
            if self.demo_level in self._kind_levels(self.kinds[kind]):
                return self._programme_place(campus[2]).region
        return self._programme_place(candidates[0][2][2]).region

    def _programme_place(self, postcode: str) -> _Place:
        if postcode in self.place_by_postcode:
            return self.place_by_postcode[postcode]
        later = [p for p in self.all_places if p.postcode >= postcode]
        return later[0] if later else self.all_places[-1]

    def _programmes(self) -> None:
        chosen = self._programme_candidates()[: self.scale.programmes]
        demo_index = next(
            (
                i
                for i, candidate in enumerate(chosen)
                if self.demo_level in self._kind_levels(self.kinds[candidate[3]])
            ),
            0,
        )
        repeated = defaultdict(int)
        for organisation, _label, _campus, kind, track in chosen:
            repeated[organisation, kind, track] += 1
        self.programmes: list[_Programme] = []
        for index, (organisation, label, campus, kind_code, track) in enumerate(chosen):
            kind = self.kinds[kind_code]
            campus_name, street, postcode, _kinds = campus
            place = self._programme_place(postcode)
            name = kind.name_nl + (f" ({track})" if track else "")
            if repeated[organisation, kind_code, track] > 1:
                name += f" – {campus_name}"
            created = self.current.start - timedelta(days=self.rng.randint(400, 1500))
            created_at = self._at(created)
            levels = self._kind_levels(kind)
            row = self.story.new(
                Institution,
                kind=InstitutionKind.PROGRAMME,
                name=name,
                organisation=organisation,
                training_kind=kind_code,
                region_code=place.region,
                status=RegistrationStatus.APPROVED,
                created_at=created_at,
                updated_at=created_at,
            )
            row.levels = [self.levels[code] for code in levels]
            row.campuses.append(
                self.story.new(
                    Campus,
                    name=campus_name,
                    street=street,
                    postcode=place.postcode,
                    municipality_refnis=place.refnis,
                    is_main=True,
                )
            )
            domain = f"{label}.example.org"
            if index == demo_index:
                coordinator = self.demo_users["programme"]
                supervisors = [self.demo_users["supervisor"]]
            else:
                coordinator = self._staff_user(domain, created)
                supervisors = []
            while len(supervisors) < self.scale.supervisors_per_programme:
                supervisors.append(self._staff_user(domain, created))
            actor = Actor(coordinator, self._member(coordinator, row, Role.PROGRAMME_COORDINATOR))
            for supervisor in supervisors:
                self._member(supervisor, row, Role.PROGRAMME_SUPERVISOR)
            programme = _Programme(
                row,
                kind,
                levels,
                place.region,
                label,
                actor,
                supervisors,
                weight=KIND_STUDENT_WEIGHT.get(kind_code, 0.6) * (0.7 if track else 1.0),
            )
            self.programmes.append(programme)
        self.demo_programme = self.programmes[demo_index]
        self.story.keep(*(programme.row for programme in self.programmes))
        self.story.flush()

    # ---------------------------------------------------------------- students

    def _students(self) -> None:
        total_weight = sum(p.weight for p in self.programmes)
        numbers: set[str] = set()
        rows = []
        for programme in self.programmes:
            count = max(3, round(self.scale.students * programme.weight / total_weight))
            for index in range(count):
                demo = programme is self.demo_programme and index == 0
                if demo:
                    first, last = "Lotte", "Peeters"
                else:
                    first, last = self._person(staff=False)
                domain = f"student.{programme.label}.example.org"
                email = self._email(_local_part(first, last), domain)
                while True:
                    number = f"{'r0' if programme.label in ('kuleuven', 'ucll') else 's'}" + (
                        f"{self.rng.randrange(10**6, 10**7)}"
                    )
                    if number not in numbers:
                        numbers.add(number)
                        break
                home = (
                    self._place(programme.region)
                    if self.rng.random() < 0.75
                    else self.rng.choice(self.all_places)
                )
                row = self.story.new(
                    Student,
                    programme=programme.row,
                    first_name=first,
                    last_name=last,
                    email=email,
                    student_number=number,
                    home_postcode=home.postcode,
                )
                level = self.rng.choice(programme.levels)
                student = _Student(row, programme, level, self._student_subjects(programme, level))
                if demo:
                    row.user = self.demo_users["student"]
                    self._member(row.user, programme.row, Role.STUDENT)
                    self.demo_student = student
                programme.students.append(student)
                rows.append(row)
        self.story.keep(*rows)
        self.story.flush()

    def _student_subjects(self, programme: _Programme, level: str) -> list[Subject]:
        """The teaching subjects a student trains for (kept in memory only)."""
        code = programme.kind.code
        pool = [s for g in KIND_GROUPS.get(code, ()) for s in self.groups.get((level, g), [])]
        pool = pool or [s for s in self.subjects[level] if s.plugin != PHILOSOPHY_PLUGIN]
        pool = pool or self.subjects[level]
        count = min(KIND_SUBJECT_COUNT.get(code, 1), len(pool))
        subjects = self.rng.sample(pool, count)
        philosophy = self.groups.get((level, PHILOSOPHY), [])
        if philosophy and code in ("BA_SO", "BA_LO") and self.rng.random() < 0.06:
            subjects[-1] = self._philosophy_subject(philosophy, PHILOSOPHY_WEIGHTS)
        return subjects

    def _philosophy_subject(self, subjects: list[Subject], weights: dict[str, float]) -> Subject:
        by_code = {s.code: s for s in subjects}
        known = {code: w for code, w in weights.items() if code in by_code}
        if not known:
            return self.rng.choice(subjects)
        return by_code[self._pick(known)]

    # ------------------------------------------------------------------ offers

    def _offers(self) -> None:
        approved = [s for s in self.schools if s.status is RegistrationStatus.APPROVED]
        weights = []
        for school in approved:
            if school is self.demo_school:
                weights.append(0.0)  # its offers are made by hand below
            elif self.rng.random() < 0.05:
                weights.append(0.0)  # registered, never published an offer
            else:
                factor = 1.6 if school.level == SECONDARY else 0.8
                weights.append(self.rng.uniform(0.4, 1.6) * factor)
        total = sum(weights) or 1.0
        self._demo_offers()
        shares = {year: 0.25 / len(self.past_years) for year in self.past_years}
        for year, share in (shares | {self.current: 0.75}).items():
            budget = self.scale.offers * share
            for school, weight in zip(approved, weights, strict=True):
                count = round(budget * weight / total + self.rng.random() - 0.5)
                for _ in range(max(count, 0)):
                    self._offer(school, year, self._offer_status(year))
        self.story.flush()

    def _offer_status(self, year: SchoolYear) -> OfferStatus:
        if year is self.current:
            return self._pick(
                {OfferStatus.PUBLISHED: 80, OfferStatus.DRAFT: 12, OfferStatus.CLOSED: 8}
            )
        return self._pick({OfferStatus.CLOSED: 75, OfferStatus.PUBLISHED: 25})

    def _demo_offers(self) -> None:
        school = self.demo_school
        statuses = [OfferStatus.PUBLISHED] * 7 + [OfferStatus.DRAFT, OfferStatus.CLOSED]
        for index, status in enumerate(statuses):
            self._offer(
                school,
                self.current,
                status,
                places=self.rng.randint(2, 3),
                mentor=self.demo_users["mentor"] if index % 2 == 0 else None,
                subjects=self.demo_student.subjects if index < 2 else None,
            )
        for year in self.past_years:
            for _ in range(3):
                self._offer(school, year, OfferStatus.CLOSED, places=2)

    def _offer(
        self,
        school: _School,
        year: SchoolYear,
        status: OfferStatus,
        places: int | None = None,
        mentor: User | None = None,
        subjects: list[Subject] | None = None,
    ) -> Offer | None:
        rng = self.rng
        level = school.level
        subject = rng.choice(subjects) if subjects else self._school_subject(school, level)
        attributes = self._attributes(level, "offer", subject, school.profile)
        if attributes is None:
            return None
        start, end, semester = self._offer_period(year)
        # Mostly a mentor with a login (who then sees their trainees), sometimes only a
        # name typed in (a colleague without an account), sometimes nobody yet.
        draw = rng.random()
        if mentor is None and draw < 0.75 and school.mentor_users:
            mentor = rng.choice(list(school.mentor_users.values()))
        mentor_name = " ".join(self._person()) if mentor is None and draw < 0.85 else None
        created = year.start - timedelta(days=rng.randint(5, 120))
        created_at = self._at(self._in_past(created))
        row = school.row
        campus = row.campuses[0] if rng.random() < 0.7 else rng.choice(row.campuses)
        offer = self.story.new(
            Offer,
            school=row,
            campus=campus,
            school_year=year.label,
            level_code=level,
            subject=subject,
            attributes=attributes,
            period_start=start,
            period_end=end,
            semester=semester,
            places=places or self._pick({1: 50, 2: 35, 3: 15}),
            mentors=[mentor] if mentor else [],
            mentor_name=mentor_name,
            notes=rng.choice(names.OFFER_NOTES),
            status=OfferStatus.DRAFT,
            created_at=created_at,
            updated_at=created_at,
        )
        self.story.keep(offer)
        if status is OfferStatus.DRAFT:
            return offer
        published = self._at(self._in_past(created + timedelta(rng.randint(0, 10))))
        self.clock.now = max(published, created_at)
        self.story.publish(offer)
        if status is OfferStatus.CLOSED:
            if year is self.current:
                closed = created + timedelta(days=rng.randint(15, 60))
            else:
                closed = year.following.start - timedelta(days=rng.randint(1, 60))
            offer.status = OfferStatus.CLOSED
            offer.updated_at = self._at(self._in_past(closed), after=self.clock.now)
        school.published[year.label].append(offer)
        self.offer_buckets[year.label, level, school.region, subject.id].append(offer)
        self.offer_buckets[year.label, level, school.region, None].append(offer)
        self.offer_buckets[year.label, level, None, None].append(offer)
        return offer

    def _school_subject(self, school: _School, level: str) -> Subject:
        profile = school.profile
        if level == PRIMARY and profile not in ("primary", "kleuter"):
            profile = "primary"
        weights = dict(PROFILE_GROUPS.get(profile, PROFILE_GROUPS["broad"]))
        philosophy = self._philosophy_for(school.network, level)
        weights[PHILOSOPHY] = weights.get(PHILOSOPHY, 0) if philosophy else 0
        weights = {g: w for g, w in weights.items() if w and self.groups.get((level, g))}
        if not weights:
            pool = [s for s in self.subjects[level] if s.plugin != PHILOSOPHY_PLUGIN]
            return self.rng.choice(pool or self.subjects[level])
        group = self._pick(weights)
        if group == PHILOSOPHY:
            return self._philosophy_subject(philosophy, PHILOSOPHY_WEIGHTS)
        excluded = EXCLUDED_SUBJECTS.get(profile, ())
        pool = [s for s in self.groups[level, group] if s.code not in excluded]
        return self.rng.choice(pool or self.groups[level, group])

    def _philosophy_for(self, network: str, level: str) -> list[Subject]:
        """The levensbeschouwelijke vakken that schools of ``network`` teach."""
        subjects = self.groups.get((level, PHILOSOPHY), [])
        if network in OFFICIAL_NETWORKS:
            return subjects
        codes = PHILOSOPHY_BY_NETWORK.get(network, ())
        return [s for s in subjects if s.code in codes]

    def _offer_period(self, year: SchoolYear) -> tuple[date | None, date | None, Semester | None]:
        """Dates, or only a semester (dates to agree on later)."""
        draw = self.rng.random()
        if draw < 0.10:
            return None, None, self.rng.choice([Semester.FIRST, Semester.SECOND])
        if draw < 0.18:
            return None, None, Semester.WHOLE_YEAR
        if draw < 0.28:
            return year.block_start(0), year.block_end(len(BLOCKS) - 1), None  # the whole year
        first = self.rng.randrange(len(BLOCKS))
        last = first + 1 if first + 1 < len(BLOCKS) and self.rng.random() < 0.3 else first
        return year.block_start(first), year.block_end(last), None

    # ----------------------------------------------------------------- hosting

    def _hosting(self) -> None:
        """Each school year's answer of the approved schools: do you host trainees?"""
        for year in (*self.past_years, self.current):
            for school in self.schools:
                if school.status is RegistrationStatus.APPROVED and school.actor is not None:
                    self._host(school, year)

    def _host(self, school: _School, year: SchoolYear) -> None:
        """The school's answer, given before ``year`` starts (or none)."""
        rng = self.rng
        offers = school.published[year.label]
        draw = rng.random()
        options: dict[str, Any] = {}
        if school is self.demo_school:
            # A limit over all its offers ("8 subjects, but 4 trainees at most").
            answer, options["capacity"] = HostingAnswer.YES, 12
        elif not offers:
            if draw < 0.5:
                return  # never answered
            answer, options["no_reason"] = HostingAnswer.NO, rng.choice(list(NoHostingReason))
        elif draw < 0.15:
            return  # offers published, the question not answered (yet)
        elif draw < 0.30:
            answer = HostingAnswer.MAYBE
            subjects = [offer.subject.id for offer in offers]
            options["estimates"] = {
                subject: rng.randint(1, 2) for subject in rng.sample(subjects, 1)
            }
        else:
            answer = HostingAnswer.YES
            if rng.random() < 0.5:
                places = sum(offer.places for offer in offers)
                options["capacity"] = max(1, round(places * rng.uniform(0.5, 1.0)))
        day = year.start - timedelta(days=rng.randint(10, 90))
        self.clock.now = self._at(self._in_past(day))
        school.hosting[year.label] = self.story.host(
            school.actor, school.row, year.label, answer, **options
        )

    def _full_schools(self) -> None:
        """Schools that reached this school year's limit mostly say so now: "volzet"."""
        for school in self.schools:
            hosting = school.hosting.get(self.current.label)
            if hosting is None or hosting.capacity is None or hosting.free_capacity:
                continue
            if self.rng.random() < 0.7:
                self.clock.now = self._at(self.last_day - timedelta(days=self.rng.randint(0, 5)))
                self.story.host(
                    school.actor,
                    school.row,
                    hosting.school_year,
                    HostingAnswer.FULL,
                    capacity=hosting.capacity,
                )

    # -------------------------------------------------------------- attributes

    def _fields(self, level: str, target: str) -> list[LevelField]:
        key = (level, target)
        if key not in self.field_cache:
            self.field_cache[key] = [f for _, f in level_fields(self.plugins, level, target)]
        return self.field_cache[key]

    def _is_valid(self, level: str, target: str, attributes: dict[str, Any]) -> bool:
        """The check the web form and the API use; combinations repeat, so it is cached."""
        key = (
            level,
            target,
            tuple(
                sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in attributes.items())
            ),
        )
        if key not in self.valid_cache:
            clean, errors = clean_level_attributes(self.plugins, level, target, attributes)
            self.valid_cache[key] = not errors and clean == attributes
        return self.valid_cache[key]

    def _attributes(
        self,
        level: str,
        target: str,
        subject: Subject,
        profile: str,
        base: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Level-specific values that the level plugin accepts, or ``None``."""
        fields = self._fields(level, target)
        names_ = {f.name for f in fields}
        if base is not None:
            proposal = {k: v for k, v in base.items() if k in names_}
        elif level == SECONDARY:
            proposal = secondary_attributes(self.rng, subject, profile)
        elif level == PRIMARY:
            proposal = primary_attributes(self.rng, subject, profile)
        else:
            proposal = {}
        proposal = {k: v for k, v in proposal.items() if k in names_}
        proposal = self._complete(fields, proposal, optional=False)
        if self._is_valid(level, target, proposal):
            return proposal
        for _attempt in range(25):
            proposal = self._complete(fields, {}, optional=True)
            if self._is_valid(level, target, proposal):
                return proposal
        proposal = self._complete(fields, {}, optional=False)
        return proposal if self._is_valid(level, target, proposal) else None

    def _complete(self, fields: list, values: dict[str, Any], optional: bool) -> dict[str, Any]:
        """Fill the required fields that ``values`` lacks (and some optional ones)."""
        values = dict(values)
        for f in fields:
            if f.name in values or not (f.required or (optional and self.rng.random() < 0.4)):
                continue
            allowed = list(f.choice_values())
            if f.kind == "choice" and allowed:
                values[f.name] = self.rng.choice(allowed)
            elif f.kind == "multichoice" and allowed:
                values[f.name] = self.rng.sample(allowed, min(len(allowed), 2))
            elif f.kind == "integer":
                values[f.name] = self.rng.randint(1, 4)
            elif f.kind == "text":
                values[f.name] = "In overleg met de mentor."
        return values

    # ---------------------------------------------------------------- requests

    def _requests(self) -> None:
        self._demo_requests()
        # The demo student's story is the scripted one only.
        students = [s for p in self.programmes for s in p.students if s is not self.demo_student]
        made, attempts = self.demo_request_count, 0
        while made < self.scale.requests and attempts < 3 * self.scale.requests:
            attempts += 1
            student = self.rng.choice(students)
            status = self._pick(REQUEST_STATUS_WEIGHTS)
            if self._request(student, status, self._year_for(status)) is not None:
                made += 1

    def _demo_requests(self) -> None:
        """Requests the demo logins see: every state, at the demo school."""
        school = self.demo_school
        lotte = self.demo_student
        others = [s for s in self.demo_programme.students if s is not lotte] or [lotte]
        script = [
            (lotte, S.ACCEPTED, school, InternshipKind.TEACHING),
            (lotte, S.DECLINED, None, InternshipKind.TEACHING),
            (lotte, S.COMPLETED, None, InternshipKind.OBSERVATION),
            (lotte, S.SUBMITTED, None, InternshipKind.LONG_TERM),
        ]
        statuses = [S.DRAFT, S.SUBMITTED, S.SUBMITTED, S.ACCEPTED, S.ACCEPTED, S.DECLINED,
                    S.EXPIRED, S.WITHDRAWN, S.CANCELLED, S.COMPLETED, S.COMPLETED]  # fmt: skip
        for index, status in enumerate(statuses):
            script.append((others[index % len(others)], status, school, None))
        for student, status, target, kind in script:
            year = self._year_for(status)
            if target is None:
                target = self._school_with_subject(student, status, year, exclude=school)
            mentor = self.demo_users["mentor"] if target is school else None
            self._request(
                student, status, year, school=target, kind=kind, with_offer=True, mentor=mentor,
                talk=True,
            )  # fmt: skip
        self.demo_request_count = len(script)

    def _school_with_subject(
        self, student: _Student, status: RequestStatus, year: SchoolYear, exclude: _School
    ) -> _School | None:
        """An approved school near the student's programme with an offer in their subjects."""
        region = student.programme.region
        offers = [
            offer
            for subject in student.subjects
            for offer in self.offer_buckets[year.label, student.level, region, subject.id]
            if offer.school is not exclude.row and self._usable(offer, year, status)
        ]
        if offers:
            return self.school_by_row[id(self.rng.choice(offers).school)]
        schools = [s for s in self.school_buckets[student.level, region] if s is not exclude]
        return self.rng.choice(schools) if schools else None

    def _year_for(self, status: RequestStatus) -> SchoolYear:
        """The school year of a request that ends in ``status``: a running one is of this
        year, a completed one of a past year, another final one mostly of this year."""
        if status in ACTIVE:
            return self.current
        if status is not S.COMPLETED and self.rng.random() < 0.7:
            return self.current
        return self.rng.choice(self.past_years)

    def _request(
        self,
        student: _Student,
        status: RequestStatus,
        year: SchoolYear,
        school: _School | None = None,
        kind: InternshipKind | None = None,
        with_offer: bool | None = None,
        mentor: User | None = None,
        talk: bool = False,
    ) -> PlacementRequest | None:
        """One request walked to ``status``; ``None`` when nothing fitting was found."""
        rng = self.rng
        programme = student.programme
        level = student.level
        want = {S.DRAFT: "future", S.SUBMITTED: "future", S.ACCEPTED: "future"}.get(status)
        if status is S.COMPLETED:
            want = "past"
        region = programme.region if rng.random() < 0.8 else None
        if with_offer is None:
            with_offer = rng.random() < 0.85
        offer, full = None, False
        if with_offer:
            offer = self._pick_offer(student, year, region, school, want, status)
            if offer is None and status in PASSES_ACCEPTANCE:
                # Every place is taken: the school has to say no.
                offer = self._pick_offer(student, year, region, school, want, S.DECLINED)
                if offer is not None:
                    status, full = S.DECLINED, True
        if offer is not None:
            target = self._school_of(offer, school)
            subject = offer.subject
            attributes = self._attributes(
                level, "request", subject, target.profile, base=offer.attributes
            )
        else:
            target = school or self._pick_school(level, region, year)
            if target is None:
                return None
            subject = self._request_subject(student, target, level)
            attributes = self._attributes(level, "request", subject, target.profile)
            if status in PASSES_ACCEPTANCE and not self._school_has_room(target, year):
                status, full = S.DECLINED, True
        if attributes is None or target.actor is None:
            return None
        kind = kind or self._kind_for(offer)
        start, end = self._request_period(year, offer, kind, want)
        if status in ACTIVE and self._overlaps(student, target, start, end):
            return None  # the platform refuses a second running request for the same weeks
        if kind is InternshipKind.OBSERVATION:
            hours = rng.choice([6, 8, 10, 12])
        else:
            weeks = max(1, ((end - start).days + 3) // 7)
            hours = weeks * (rng.randint(6, 12) if kind is InternshipKind.TEACHING else 10)
        days, deadline = self._timeline(status, start, end)
        created_at = self._at(days[0])
        message = rng.choice(names.REQUEST_MESSAGES).format(
            student=student.row.full_name,
            kind=names.KIND_NL[kind.value],
            subject=self._in_sentence(subject),
            start=self._dutch_date(start),
            end=self._dutch_date(end),
        )
        request = self.story.new(
            PlacementRequest,
            programme=programme.row,
            student=student.row,
            school=target.row,
            offer=offer,
            level_code=level,
            subject=subject,
            attributes=attributes,
            period_start=start,
            period_end=end,
            kind=kind,
            hours=hours,
            supervisor=rng.choice(programme.supervisors),
            message=message,
            status=S.DRAFT,
            answer_deadline=deadline,
            created_at=created_at,
            updated_at=created_at,
        )
        self.clock.now = created_at
        self.story.create(request, programme.actor.user)
        moment = created_at
        for step, day in zip(PATHS[status], days[1:], strict=True):
            actor, reason = self._actor_and_reason(step, programme, target)
            if full and step is S.DECLINED:
                reason = names.DECLINE_REASONS[0]  # all places taken
            moment = self._at(day, after=moment)
            self.clock.now = moment
            self.story.step(request, step, actor, reason)
            if step is S.ACCEPTED:
                chosen = mentor or self._mentor_for(target, offer)
                if chosen is not None:
                    self.story.assign_mentor(target.actor, request, chosen)
        if status in ACTIVE:
            self.running[id(student.row), id(target.row)].append((start, end))
        if status in (S.SUBMITTED, S.ACCEPTED) and (talk or rng.random() < 0.2):
            self._conversation(request, programme, target, status, moment)
        return request

    def _conversation(
        self,
        request: PlacementRequest,
        programme: _Programme,
        school: _School,
        status: RequestStatus,
        after: datetime,
    ) -> None:
        """A short thread between both sides: a question, then the answer."""
        lines = names.THREAD_ACCEPTED if status is S.ACCEPTED else names.THREAD_SUBMITTED
        first, second = self.rng.choice(lines)
        sides = (programme.actor, school.actor)
        if status is S.ACCEPTED:
            sides = (school.actor, programme.actor)
        moment = after
        for actor, body in zip(sides, (first, second), strict=True):
            day = self._in_past(moment.date() + timedelta(days=self.rng.randint(0, 2)))
            moment = self._at(day, after=moment)
            self.clock.now = moment
            self.story.message(actor, request, body)

    def _overlaps(self, student: _Student, school: _School, start: date, end: date) -> bool:
        return any(
            start <= other_end and other_start <= end
            for other_start, other_end in self.running[id(student.row), id(school.row)]
        )

    def _mentor_for(self, school: _School, offer: Offer | None) -> User | None:
        """The offer's mentor, else one of the school's mentors."""
        if offer is not None and offer.mentors:
            return offer.mentors[0]
        mentors = list(school.mentor_users.values())
        return self.rng.choice(mentors) if mentors else None

    def _school_of(self, offer: Offer, school: _School | None) -> _School:
        if school is not None and school.row is offer.school:
            return school
        return self.school_by_row[id(offer.school)]

    def _school_has_room(self, school: _School, year: SchoolYear) -> bool:
        """Whether the school still takes trainees that year (its answer and capacity)."""
        hosting = school.hosting.get(year.label)
        if hosting is None:
            return True
        if hosting.answer in (HostingAnswer.NO, HostingAnswer.FULL):
            return False
        return hosting.free_capacity is None or hosting.free_capacity > 0

    def _usable(self, offer: Offer, year: SchoolYear, status: RequestStatus) -> bool:
        """Whether a request that ends up in ``status`` could have been made on ``offer``."""
        if offer.status is OfferStatus.DRAFT:
            return False
        school = self._school_of(offer, None)
        if year is self.current and status in (S.DRAFT, S.SUBMITTED):
            # A request made now: the offer's own rule for new requests decides.
            return refusal_for_new_request(offer, school.hosting.get(year.label)) is None
        if status in PASSES_ACCEPTANCE:
            return offer.free_places > 0 and self._school_has_room(school, year)
        return True

    def _pick_offer(
        self,
        student: _Student,
        year: SchoolYear,
        region: str | None,
        school: _School | None,
        want: str | None,
        status: RequestStatus,
    ) -> Offer | None:
        """An offer the student could ask for; ``None`` when none fits (or none is free)."""
        if school is not None:
            candidates = [
                o
                for o in self.offer_buckets[year.label, student.level, school.region, None]
                if o.school is school.row
            ]
            matching = [o for o in candidates if o.subject in student.subjects]
            if matching and self.rng.random() < 0.8:
                candidates = matching
        else:
            candidates = []
            subject = self.rng.choice(student.subjects) if student.subjects else None
            if subject is not None and self.rng.random() < 0.75:
                candidates = self.offer_buckets[year.label, student.level, region, subject.id]
            if not candidates:
                candidates = self.offer_buckets[year.label, student.level, region, None]
            if not candidates:
                candidates = self.offer_buckets[year.label, student.level, None, None]
        if not candidates:
            return None
        fallback = None
        for _attempt in range(12 if school is None else 3 * len(candidates)):
            offer = self.rng.choice(candidates)
            if not self._usable(offer, year, status):
                continue
            fallback = fallback or offer
            if self._fits(self._offer_end(offer, year), want):
                return offer
        return fallback

    @staticmethod
    def _offer_end(offer: Offer, year: SchoolYear) -> date:
        if offer.period_end is not None:
            return offer.period_end
        return year.block_end(SEMESTER_BLOCKS[offer.semester][-1])

    def _fits(self, end: date | None, want: str | None) -> bool:
        """Whether a period ending on ``end`` suits a request that wants a future or a
        past period (``None``: anything)."""
        if want == "future":
            return end is None or end >= self.today + timedelta(days=14)
        if want == "past":
            return end is not None and end < self.today - timedelta(days=3)
        return True

    def _pick_school(self, level: str, region: str | None, year: SchoolYear) -> _School | None:
        """A school to ask without an offer: one that hosts that year."""
        schools = self.school_buckets[level, region] or self.school_buckets[level, None]
        drawn = self.rng.sample(schools, min(8, len(schools)))
        hosting = [s for s in drawn if self._school_has_room(s, year)]
        return hosting[0] if hosting else None

    def _request_subject(self, student: _Student, school: _School, level: str) -> Subject:
        allowed = [
            s
            for s in student.subjects
            if s.plugin != PHILOSOPHY_PLUGIN or s in self._philosophy_for(school.network, level)
        ]
        return self.rng.choice(allowed) if allowed else self._school_subject(school, level)

    def _kind_for(self, offer: Offer | None) -> InternshipKind:
        weights = dict(KIND_WEIGHTS)
        if offer is not None and offer.period_start is not None:
            weeks = (offer.period_end - offer.period_start).days // 7 + 1
            if weeks < 5:
                weights[InternshipKind.LONG_TERM] = 0
        return self._pick(weights)

    def _request_period(
        self, year: SchoolYear, offer: Offer | None, kind: InternshipKind, want: str | None
    ) -> tuple[date, date]:
        """Whole weeks within one internship block (two for a long internship)."""
        if offer is None:
            blocks = list(range(len(BLOCKS)))
        elif offer.period_start is None:
            blocks = list(SEMESTER_BLOCKS[offer.semester])
        else:
            blocks = year.blocks_within(offer.period_start, offer.period_end)
        fitting = [b for b in blocks if self._fits(year.block_end(b), want)]
        block = self.rng.choice(fitting or blocks)
        first, last = BLOCKS[block]
        if kind is InternshipKind.LONG_TERM:
            if block + 1 in blocks and self.rng.random() < 0.5:
                last = BLOCKS[block + 1][1]
            return year.monday(first), year.friday(last)
        weeks = 1 if kind is InternshipKind.OBSERVATION else self.rng.randint(2, 4)
        weeks = min(weeks, last - first + 1)
        week = self.rng.randint(first, last - weeks + 1)
        return year.monday(week), year.friday(week + weeks - 1)

    def _timeline(self, status: RequestStatus, start: date, end: date) -> tuple[list[date], date]:
        """The days of the creation and of each step, and the answer deadline."""
        g = self.rng.randint
        today = self.last_day
        if status is S.DRAFT:
            created = today - timedelta(days=g(0, 10))
            return [created], created + timedelta(days=21)
        if status is S.SUBMITTED:
            created = today - timedelta(days=g(1, 12))
            submitted = min(created + timedelta(days=g(0, 2)), today)
            return [created, submitted], submitted + timedelta(days=14)
        created = start - timedelta(days=g(30, 120))
        submitted = created + timedelta(days=g(0, 3))
        deadline = submitted + timedelta(days=14)
        answered = submitted + timedelta(days=g(1, 12))
        days = [created, submitted]
        if status is S.EXPIRED:
            days.append(deadline + timedelta(days=1))
        elif status is S.WITHDRAWN:
            days.append(submitted + timedelta(days=g(1, 10)))
        else:
            days.append(answered)
        if status is S.CANCELLED:
            days.append(min(answered + timedelta(days=g(3, 45)), start + timedelta(days=5)))
        elif status is S.COMPLETED:
            days.append(end + timedelta(days=g(1, 10)))
        days = list(accumulate(days, max))
        if status is S.COMPLETED:
            days[-1] = min(days[-1], today)
        # Nothing happens after the last day: move the whole story back if it would.
        overflow = timedelta(days=max(0, (max(days) - today).days))
        days = list(accumulate((day - overflow for day in days), max))
        return days, deadline - overflow

    def _actor_and_reason(
        self, step: RequestStatus, programme: _Programme, school: _School
    ) -> tuple[Actor | None, str]:
        """Who takes ``step`` (as the state machine's rules allow) and why."""
        rng = self.rng
        if step is S.SUBMITTED:
            return programme.actor, ""
        if step is S.ACCEPTED:
            return school.actor, ""
        if step is S.DECLINED:
            return school.actor, rng.choice(names.DECLINE_REASONS)
        if step is S.EXPIRED:
            return None, EXPIRED_REASON  # the expiry job, not a person
        if step is S.WITHDRAWN:
            return programme.actor, rng.choice(names.WITHDRAW_REASONS)
        if step is S.CANCELLED:
            actor = school.actor if rng.random() < 0.4 else programme.actor
            return actor, rng.choice(names.CANCEL_REASONS)
        return programme.actor, ""  # completed, confirmed by the programme

    @staticmethod
    def _in_sentence(subject: Subject) -> str:
        """The subject's name inside a sentence: "wiskunde", but "Frans" and "ICT"."""
        name = subject.name_nl
        if name.split()[0] in names.LANGUAGES or name[:2].isupper():
            return name
        return name[0].lower() + name[1:]

    @staticmethod
    def _dutch_date(day: date) -> str:
        return f"{day.day} {names.MONTHS_NL[day.month]}"
