"""What is measured on one database, and the targets of issue #10 (and #7 for imports).

Web operations go over HTTP to the production server, signed in as the demo people: the
reads in batches from several clients at once, the writes one at a time. Every answer is
checked (status, redirect target) and every write is checked in the database afterwards:
an operation that fails stops the run. Raw SQL, the bridge sync and the legacy import run
in this process, against the same database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench import data
from bench.client import BenchFailure, Browser, Call, FormFields, multipart, run_batch
from bench.rawsql import search_statements, time_statements
from bench.servers import Server, server_durations
from bench.stats import Figures, Target
from core.access.policy import Actor
from core.accounts.models import User
from core.bridges.legacy import import_legacy
from core.bridges.models import BridgeRun, RunStatus
from core.bridges.runner import sync_bridge
from core.catalogue.models import Subject
from core.database import database
from core.demo.generator import DEMO_PASSWORD, DEMO_PEOPLE
from core.offers.models import HostingAnswer, HostingStatus
from core.offers.school_years import bounds, school_year_of
from core.placements.models import BulkUpload, PlacementRequest, RequestStatus, UploadStatus
from core.placements.students import StudentValues, add_student
from core.plugins.manager import plugins_of
from core.reports.periods import Preset, preset_period
from core.search.query import OfferSearch, semester_bounds
from plugins.sintgorik_bridge.testing import SintGorik

#: Issue #10: search and dashboards p95 under 50 ms at the server, a third of hello world;
#: the p95 also when every page is rendered anew.
READ = Target(p95_ms=50, hello_share=1 / 3)
RENDER = Target(p95_ms=50)
RENDERED = " (rendered)"
RENDER_ANEW = (("Cache-Control", "no-cache"),)
BULK = Target(seconds=5)
REPORT = Target(seconds=2)
#: Issue #7: "a sync or import of 5,000 records finishes within seconds".
IMPORT = Target(seconds=10)
BULK_ROWS = 1000
IMPORT_RECORDS = 5000
BRIDGE_TOKEN = "stagebank-bench"
ROLE_NAMES = {key: label for key, (label, _email, _name) in DEMO_PEOPLE.items()}


@dataclass
class Bench:
    """One database's run: the app in this process, the two servers, the settings."""

    database: str
    database_url: str
    app: Flask
    stagebank: Server
    hello: Server
    requests: int
    clients: int
    repeats: int
    tag: str
    figures: list[Figures] = field(default_factory=list)
    browsers: dict[str, Browser] = field(default_factory=dict)
    baseline: Figures | None = None
    #: Raw SQL figures by the operation of their search.
    raw: dict[str, Figures] = field(default_factory=dict)

    # ------------------------------------------------------------------ helpers

    def _record(self, operation: str, batch, target=None, per_request=True, **extra) -> Figures:
        figures = Figures(
            operation,
            self.database,
            batch.latencies_ms,
            batch.wall_seconds,
            target=target,
            per_request=per_request,
            extra={"request_ids": batch.request_ids, **extra},
        )
        self.figures.append(figures)
        return figures

    def _single(self, operation: str, seconds: float, target=None, extra=None) -> Figures:
        """The figures of one long run (no throughput)."""
        figures = Figures(
            operation,
            self.database,
            [seconds * 1000],
            seconds,
            target=target,
            per_request=False,
            extra=extra or {},
        )
        self.figures.append(figures)
        return figures

    def _timed(self, operation: str, target: Target, work: Callable[[], dict]) -> Figures:
        """Time ``work`` (one run, in this process); it returns the counts to keep."""
        started = time.perf_counter()
        extra = work()
        return self._single(operation, time.perf_counter() - started, target, extra)

    def session(self) -> Session:
        return database(self.app).sessionmaker()

    def browser(self, role: str) -> Browser:
        """The demo person of ``role`` (a key of DEMO_PEOPLE), signed in over HTTP."""
        if role not in self.browsers:
            browser = Browser(self.stagebank.port)
            browser.sign_in(DEMO_PEOPLE[role][1], DEMO_PASSWORD)
            self.browsers[role] = browser
        return self.browsers[role]

    def _reads(self, operation: str, browser: Browser, path: str, target=READ) -> Figures:
        """A warm-up, then ``requests`` GETs of ``path`` from ``clients`` threads, as the
        server answers them (a page nothing changed since is served again, see
        core/web/page_cache.py); for a page with a target also as often rendered anew
        (``Cache-Control: no-cache``, as after every write). Returns the rendered figures
        (the served ones for a page without a target)."""
        calls = [Call("GET", path)] * self.requests
        run_batch(browser, calls[: self.clients * 4], self.clients, "warmup")
        served = self._record(operation, run_batch(browser, calls, self.clients, "bench"), target)
        if target is None:
            return served
        calls = [Call("GET", path, headers=RENDER_ANEW)] * self.requests
        batch = run_batch(browser, calls, self.clients, "bench")
        return self._record(f"{operation}{RENDERED}", batch, RENDER)

    # -------------------------------------------------------------------- reads

    def hello_world(self) -> Figures:
        self.baseline = self._reads("hello world (baseline)", Browser(self.hello.port), "/", None)
        return self.baseline

    def searches(self) -> list[tuple[Figures, str]]:
        """The offer search with filters and distance, and a whole region; with the query
        strings, for the raw SQL baseline."""
        with self.app.app_context(), self.session() as session:
            subject = session.scalar(
                select(Subject).where(Subject.level_code == data.LEVEL, Subject.code == "WIS")
            )
        queries = {
            "search: filters + distance": urlencode(
                {"niveau": data.LEVEL, "vak": subject.id, "postcode": "9000", "km": 30, "vrij": 1}
            ),
            "search: one region": urlencode({"regio": "antwerpen"}),
        }
        anonymous = Browser(self.stagebank.port)
        return [
            (self._reads(name, anonymous, f"/aanbod?{query}"), query)
            for name, query in queries.items()
        ]

    def dashboards(self) -> None:
        for role, label in ROLE_NAMES.items():
            self._reads(f"dashboard: {label}", self.browser(role), "/dashboard")

    def request_page(self) -> None:
        with self.app.app_context(), self.session() as session:
            school = _actor(session, "school").membership.institution_id
            request_id = session.scalar(
                select(func.max(PlacementRequest.id)).where(PlacementRequest.school_id == school)
            )
        if request_id is None:
            raise BenchFailure("the demo school has no requests to show")
        self._reads("request page (school)", self.browser("school"), f"/aanvragen/{request_id}")

    # ------------------------------------------------------------------- writes

    def submit_and_accept(self) -> None:
        """``requests`` new requests sent with the web form, one at a time, by the demo
        programme for new students to an offer of the demo school; then the demo school
        accepts each of them from the request page."""
        offer_id, students, period = self._writable_offer(self.requests)
        programme = self.browser("programme")
        form_path = f"/aanvragen/nieuw?offer={offer_id}"
        fields = FormFields.of(programme.get(form_path, keep_cookie=True).text)
        if not fields:
            raise BenchFailure(f"no request form on {form_path}")
        replaced = {"period_start": period[0].isoformat(), "period_end": period[1].isoformat()}

        def form(student_id: int) -> list[tuple[str, str]]:
            values = {**replaced, "student_id": str(student_id)}
            return [(name, values.get(name, value)) for name, value in fields]

        calls = [
            Call("POST", form_path, form(s), expect=(302,), location=r"/aanvragen/\d+$")
            for s in students
        ]
        self._record("submit one request", run_batch(programme, calls, 1, "bench"))
        ids = self._requests_of(students, RequestStatus.SUBMITTED)

        school = self.browser("school")
        token = school.csrf(f"/aanvragen/{ids[0]}")
        calls = [
            Call(
                "POST",
                f"/aanvragen/{request_id}/status",
                {"csrf_token": token, "status": "accepted", "reason": ""},
                expect=(302,),
            )
            for request_id in ids
        ]
        self._record("accept one request", run_batch(school, calls, 1, "bench"))
        self._requests_of(students, RequestStatus.ACCEPTED)

    def _writable_offer(self, count: int) -> tuple[int, list[int], tuple[date, date]]:
        """A published offer of the demo school with room for ``count`` more trainees, and
        ``count`` new students of the demo programme (benchmark data, made directly)."""
        today = date.today()
        with self.app.test_request_context(), self.session() as session:
            plugins = plugins_of(self.app)
            school = _actor(session, "school").membership.institution
            search = OfferSearch(school_id=school.id, from_school_year=school_year_of(today))
            results = search.results(session, plugins)
            if not results:
                raise BenchFailure("the demo school has no published offer")
            offer = results[0].offer
            offer.places += count
            hosting = session.scalar(
                select(HostingStatus).where(
                    HostingStatus.school_id == school.id,
                    HostingStatus.school_year == offer.school_year,
                )
            )
            if hosting is not None:
                if hosting.answer in (HostingAnswer.NO, HostingAnswer.FULL):
                    hosting.answer = HostingAnswer.YES
                if hosting.capacity is not None:
                    hosting.capacity += count
            programme = _actor(session, "programme")
            students = [
                add_student(
                    session,
                    programme,
                    StudentValues(
                        "Bench",
                        f"Web {n}",
                        f"{self.tag}.w{n}@{data.STUDENT_DOMAIN}",
                        f"{self.tag}-w{n}",
                    ),
                ).id
                for n in range(count)
            ]
            period = _period_of(offer)
            offer_id = offer.id
            session.commit()
        return offer_id, students, period

    def _requests_of(self, students: list[int], status: RequestStatus) -> list[int]:
        """The requests of ``students``, in their order; each must be in ``status``."""
        with self.app.app_context(), self.session() as session:
            rows = session.execute(
                select(PlacementRequest.student_id, PlacementRequest.id, PlacementRequest.status)
                .where(PlacementRequest.student_id.in_(students))
                .order_by(PlacementRequest.id)
            ).all()
        found = {student: (request_id, state) for student, request_id, state in rows}
        wrong = [s for s in students if s not in found or found[s][1] is not status]
        if wrong or len(rows) != len(students):
            raise BenchFailure(f"{len(wrong)} of {len(students)} requests are not {status}")
        return [found[s][0] for s in students]

    def bulk_upload(self) -> None:
        """``repeats`` uploads of a CSV of 1,000 requests for new students, each checked."""
        programme = self.browser("programme")
        schools = self._secondary_schools()
        first_day = date.today() + timedelta(days=60)
        calls = []
        for run in range(self.repeats):
            rows = data.bulk_rows(f"{self.tag}-b{run}", BULK_ROWS, schools, first_day)
            token = programme.csrf("/aanvragen/upload")
            body, content_type = multipart(
                {"csrf_token": token},
                "file",
                "aanvragen.csv",
                data.csv_bytes(data.BULK_COLUMNS, rows),
            )
            calls.append(
                Call(
                    "POST",
                    "/aanvragen/upload",
                    body=body,
                    content_type=content_type,
                    expect=(302,),
                    location=r"/aanvragen/upload/\d+$",
                )
            )
        batch = run_batch(programme, calls, 1, "bench")
        with self.app.app_context(), self.session() as session:
            uploads = session.scalars(
                select(BulkUpload).order_by(BulkUpload.id.desc()).limit(self.repeats)
            ).all()
        for upload in uploads:
            if upload.status is not UploadStatus.DONE or upload.processed_rows != BULK_ROWS:
                raise BenchFailure(f"bulk upload {upload.id}: {upload.status} {upload.errors[:3]}")
        self._record(
            f"bulk upload of {BULK_ROWS} requests", batch, BULK, per_request=False, rows=BULK_ROWS
        )

    def _secondary_schools(self) -> list[str]:
        """Institution numbers of up to twenty schools with a visible secondary offer."""
        with self.app.test_request_context(), self.session() as session:
            search = OfferSearch(level_code=data.LEVEL)
            numbers = []
            for result in search.results(session, plugins_of(self.app)):
                number = result.offer.school.institution_number
                if number and number not in numbers:
                    numbers.append(number)
                if len(numbers) == 20:
                    break
        if not numbers:
            raise BenchFailure("no school with a secondary offer")
        return numbers

    def report(self) -> None:
        period = preset_period(Preset.SPRING, school_year_of(date.today()))
        path = f"/beheer/rapporten?{urlencode({'van': period.start, 'tot': period.end})}"
        calls = [Call("GET", path)] * self.repeats
        admin = self.browser("admin")
        self._record("spring report (page)", run_batch(admin, calls, 1, "bench"), REPORT, False)

    # ----------------------------------------------------------- server timings

    def attach_server_times(self, log: Path) -> None:
        """The app's own duration of every measured request, from its JSON request log."""
        durations = server_durations(log)
        for figures in self.figures:
            ids = figures.extra.pop("request_ids", [])
            figures.server_ms = [durations[i] for i in ids if i in durations]

    # ------------------------------------------------------------ in this process

    def raw_sql(self, search: Figures, query: str) -> Figures:
        """The search's statements through the driver, as often as the page was asked."""
        statements = search_statements(self.app, query)
        timings, rows = time_statements(self.database_url, statements, self.requests)
        raw = Figures(
            f"{search.operation.removesuffix(RENDERED)} (raw SQL)",
            self.database,
            timings,
            sum(timings) / 1000,
            per_request=False,
            extra={"statements": len(statements), "rows": rows},
        )
        self.figures.append(raw)
        self.raw[search.operation] = raw
        return raw

    def bridge_sync(self) -> None:
        """A Sint-Goriks sync of 5,000 records from a server on loopback, then a second
        sync of the same, unchanged records."""
        side = SintGorik(BRIDGE_TOKEN)
        side.items.update(
            data.sintgorik_lists(
                self.tag,
                IMPORT_RECORDS,
                school_year_of(date.today()),
                datetime.now(UTC).isoformat(),
            )
        )
        self.app.config.update(
            {
                "sintgorik_bridge.url": side.url,
                "sintgorik_bridge.token": BRIDGE_TOKEN,
                "sintgorik_bridge.timeout": 60,
            }
        )
        try:
            for operation, expected in (
                (f"bridge sync of {IMPORT_RECORDS} records", "created"),
                (f"bridge sync of {IMPORT_RECORDS} unchanged records", "unchanged"),
            ):
                self._timed(
                    operation,
                    IMPORT,
                    lambda e=expected: self._checked(sync_bridge(self.app, "sintgorik"), e),
                )
        finally:
            side.stop()

    def legacy_import(self) -> None:
        """``stagebank import legacy --format stageaanvraag`` of 5,000 rows."""
        first_day = bounds(school_year_of(date.today()))[0] - timedelta(days=200)
        file = data.stageaanvraag_csv(self.tag, IMPORT_RECORDS, first_day)
        self._timed(
            f"legacy import of {IMPORT_RECORDS} rows",
            IMPORT,
            lambda: self._checked(import_legacy(self.app, file, "stageaanvraag"), "created"),
        )

    def compare(self) -> None:
        """Every operation's ratios to the baselines of this run."""
        for figures in self.figures:
            if figures is not self.baseline:
                figures.compare(self.baseline, self.raw.get(figures.operation))

    def _checked(self, run: BridgeRun, counted: str) -> dict:
        if run.status is not RunStatus.SUCCEEDED or run.refused or not getattr(run, counted):
            issues = "; ".join(f"{i.kind} {i.external_id}: {i.reason}" for i in run.issues[:5])
            raise BenchFailure(f"run {run.id} {run.status}, {run.message or ''} {issues}")
        return {name: getattr(run, name) for name in ("created", "updated", "unchanged")}

    def allocation(self, run: Callable[[str], list[dict]]) -> None:
        """The rows of ``bench/allocation.py``: operation, seconds and quality figures."""
        for row in run(self.database_url):
            extra = {k: v for k, v in row.items() if k not in ("operation", "seconds")}
            self._single(row["operation"], float(row["seconds"]), extra=extra)


def _actor(session: Session, role: str) -> Actor:
    """The demo person of ``role`` acting in their (only) membership."""
    user = session.scalar(select(User).where(User.email == DEMO_PEOPLE[role][1]))
    return Actor(user, user.memberships[0] if user.memberships else None)


def _period_of(offer) -> tuple[date, date]:
    """The offer's own days, else its semester, else its school year (June excluded)."""
    if offer.period_start and offer.period_end:
        return offer.period_start, offer.period_end
    if offer.semester:
        return semester_bounds(offer.school_year, offer.semester)
    first, _last = bounds(offer.school_year)
    return first, first + timedelta(days=27)
