"""Government reports: periods, every figure, the page with charts, exports, the CLI and the
official registry import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.accounts.models import Membership, Role, User
from core.helpdesk.models import Ticket, TicketCategory
from core.institutions.models import Institution, RegistrationStatus
from core.newsletters.models import Newsletter, Segment
from core.newsletters.services import send_newsletter
from core.offers.models import OfferStatus
from core.placements.models import InternshipKind, RequestEvent, RequestStatus
from core.plugins.manager import plugins_of
from core.reports.periods import Period, Preset, preset_period, recent_presets
from core.reports.services import compute_report
from tests.factories import any_subject, make_offer, make_programme, make_request, make_school
from tests.world import build_world, sign_in

UTC = dt.UTC
PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))


def at(day: int, month: int = 1, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def _request(db, school, programme, created, status=RequestStatus.SUBMITTED, **fields):
    """A request created at ``created``, its first event then too."""
    request = make_request(db, status, school=school, programme=programme)
    for name, value in fields.items():
        setattr(request, name, value)
    request.created_at = created
    db.flush()
    for event in request.events:
        event.created_at = created
    return request


def _event(db, request, to_status, moment):
    db.add(
        RequestEvent(
            placement_request=request,
            from_status=request.status.value,
            to_status=to_status.value,
            created_at=moment,
        )
    )
    request.status = to_status


def _report(app, db, period=PERIOD):
    db.flush()
    with app.test_request_context():
        return compute_report(db, plugins_of(app), period)


def _rows(report, key):
    return {row[0]: row[1:] for row in report.section(key).rows}


# ----------------------------------------------------------------------------- periods


def test_presets_split_the_school_year_in_spring_and_autumn():
    assert preset_period(Preset.SPRING, "2025-2026") == Period(
        dt.date(2025, 9, 1), dt.date(2026, 2, 28)
    )
    assert preset_period(Preset.SPRING, "2027-2028").end == dt.date(2028, 2, 29)
    assert preset_period(Preset.AUTUMN, "2025-2026") == Period(
        dt.date(2026, 3, 1), dt.date(2026, 8, 31)
    )
    assert preset_period("school-year", "2025-2026") == Period(
        dt.date(2025, 9, 1), dt.date(2026, 8, 31)
    )
    presets = recent_presets(dt.date(2026, 12, 4))
    assert [(p.value, year) for p, year, _ in presets[:3]] == [
        ("spring", "2026-2027"),
        ("autumn", "2026-2027"),
        ("school-year", "2026-2027"),
    ]
    assert PERIOD.moments == (at(1, 1, 0), dt.datetime(2026, 7, 1, tzinfo=UTC))
    assert PERIOD.school_year == "2025-2026"


# ----------------------------------------------------------------------------- figures


def test_answers_give_the_acceptance_rate_and_the_median_time_to_answer(app, db):
    school, programme = make_school(db), make_programme(db)
    accepted = _request(db, school, programme, at(10))
    _event(db, accepted, RequestStatus.ACCEPTED, at(12))
    declined = _request(db, school, programme, at(10))
    _event(db, declined, RequestStatus.DECLINED, at(14))
    cancelled = _request(db, school, programme, at(10))
    _event(db, cancelled, RequestStatus.ACCEPTED, at(11))
    _event(db, cancelled, RequestStatus.CANCELLED, at(20))
    expired = _request(db, school, programme, at(10))
    _event(db, expired, RequestStatus.EXPIRED, at(25))
    _request(db, school, programme, at(10), status=RequestStatus.DRAFT)
    earlier = _request(db, school, programme, dt.datetime(2025, 12, 1, tzinfo=UTC))
    _event(db, earlier, RequestStatus.ACCEPTED, at(3))

    answers = _rows(_report(app, db), "request_answers")
    assert answers == {
        "verstuurd": (4,),
        "beantwoord": (3,),
        "aanvaard": (2,),
        "geweigerd": (1,),
        "verlopen": (1,),
        "aanvaardingsgraad_pct": (66.7,),
        "mediaan_antwoordtijd_dagen": (2.0,),
    }
    assert _rows(_report(app, db), "requests_by_status") == {
        status: (1,) for status in ("accepted", "cancelled", "declined", "draft", "expired")
    }
    db.rollback()


def test_an_empty_period_has_no_rate_and_no_median(app, db):
    answers = _rows(_report(app, db), "request_answers")
    assert answers["aanvaardingsgraad_pct"] == (None,)
    assert answers["mediaan_antwoordtijd_dagen"] == (None,)
    db.rollback()


def test_sent_requests_by_level_subject_philosophy_province_network_and_kind(app, db):
    ghent = make_school(db, region="oost-vlaanderen")
    hasselt = make_school(db, region="limburg")
    hasselt.network_code = "KOV"
    programme = make_programme(db)
    maths = any_subject(db)
    religion = any_subject(db, plugin="philosophy_subjects")
    _request(db, ghent, programme, at(5), subject=maths)
    _request(db, ghent, programme, at(6), subject=maths, kind=InternshipKind.OBSERVATION)
    _request(db, hasselt, programme, at(7), subject=religion)
    _request(db, hasselt, programme, at(7), status=RequestStatus.DRAFT)  # not sent
    _request(db, hasselt, programme, dt.datetime(2026, 7, 1, tzinfo=UTC))  # after the period
    report = _report(app, db)

    assert _rows(report, "requests_by_level") == {"secondary": ("Secundair onderwijs", 3)}
    assert _rows(report, "requests_by_subject") == {"secondary": (maths.code, maths.name_nl, 2)}
    assert _rows(report, "requests_by_philosophy") == {
        "secondary": (religion.code, religion.name_nl, 1)
    }
    regions = _rows(report, "requests_by_region")
    assert regions["oost-vlaanderen"] == (2,) and regions["limburg"] == (1,)
    assert regions["antwerpen"] == (0,) and list(regions)[0] == "antwerpen"
    networks = _rows(report, "requests_by_network")
    assert networks["GO"] == (2,) and networks["KOV"] == (1,) and networks["OVSG"] == (0,)
    assert _rows(report, "requests_by_kind") == {
        "observation": (1,),
        "teaching": (2,),
        "long_term": (0,),
    }
    db.rollback()


def test_people_and_institutions_by_role_province_and_network(app, db):
    world = build_world(db)
    report = _report(app, db, Period(dt.date(2026, 1, 1), dt.date(2099, 12, 31)))
    roles = _rows(report, "users_by_role")
    assert roles["school_coordinator"] == (2,)  # the pending school's coordinator waits
    assert roles["student"] == (2,) and roles["admin"] == (1,)
    regions = _rows(report, "institutions_by_region")
    assert regions["oost-vlaanderen"] == (2, 2, 10)
    assert regions["limburg"] == (0, 0, 0)
    assert _rows(report, "institutions_by_network")["GO"] == (2, 2, 10)
    before = _report(app, db, Period(dt.date(2020, 1, 1), dt.date(2020, 12, 31)))
    assert _rows(before, "users_by_role")["student"] == (0,)
    assert world
    db.rollback()


def test_supply_and_demand_per_subject_and_province(app, db):
    school, programme = make_school(db, region="limburg"), make_programme(db)
    maths = any_subject(db)
    offer = make_offer(db, school, places=1, subject=maths)
    offer.school_year = "2025-2026"
    make_offer(
        db, school, places=5, subject=maths, status=OfferStatus.DRAFT
    ).school_year = "2025-2026"
    for day in (3, 4, 5):
        _request(db, school, programme, at(day), subject=maths)
    rows = _report(app, db).section("supply_and_demand").rows
    assert rows == (("limburg", "secondary", maths.code, maths.name_nl, 1, 3, 2),)
    db.rollback()


def test_schools_without_offer_show_who_was_reminded(app, db):
    world = build_world(db)
    quiet = make_school(db, region="limburg", name="Stille school")
    db.add(
        Membership(
            user=User(email="stil@example.org", name="Stil"),
            institution=quiet,
            role=Role.SCHOOL_COORDINATOR,
        )
    )
    reminder = Newsletter(
        subject="Vergeet je aanbod niet",
        body="Publiceer je aanbod.",
        segment=Segment.WITHOUT_OFFER,
        school_year="2025-2026",
        region_code="limburg",
    )
    db.add(reminder)
    db.flush()
    from core.access.policy import Actor

    with app.test_request_context():
        assert send_newsletter(db, Actor(world.users["admin"]), reminder) == 1
    reminder.sent_at = at(3)  # sent during the period
    report = _report(app, db)
    by_region = _rows(report, "schools_without_offer_by_region")
    assert by_region["limburg"] == (1, 1)
    assert by_region["oost-vlaanderen"] == (2, 0)  # schools A and B: offers of 2026-2027 only
    listed = {row[1]: row for row in report.section("schools_without_offer").rows}
    assert listed["Stille school"][3] == "2026-01-03"
    assert listed["School A"][3] == ""
    db.rollback()


def test_hosting_answers_and_helpdesk_categories(app, db):
    world = build_world(db)
    for category in (TicketCategory.OFFER, TicketCategory.OFFER, TicketCategory.ACCOUNT):
        db.add(
            Ticket(
                user=world.users["mentor_a"],
                category=category,
                subject="?",
                body="?",
                created_at=at(3),
            )
        )
    report = _report(app, db)
    assert report.section("helpdesk_categories").rows[:3] == (
        ("offer", 2),
        ("account", 1),
        ("requests", 0),
    )
    assert report.section("hosting_answers").rows == ()
    db.rollback()


def test_adoption_counts_the_registry_as_known(app, db, cli, tmp_path):
    make_school(db, region="limburg")  # registered (approved)
    make_school(db, region="limburg", status=RegistrationStatus.REJECTED)
    db.commit()
    registry = tmp_path / "instellingen.csv"
    registry.write_text(
        "instellingsnummer;naam;net;postcode;niveau\n"
        "900001;Sint-Jan Hasselt;KOV;3500;secundair\n"
        "900002;Atheneum Genk;GO!;3600;secundair\n"
        "900003;Basisschool De Bron;OVSG;3500;basis\n",
        encoding="utf-8-sig",
    )
    result = cli.invoke(args=["registry", "import", str(registry)])
    assert result.output == "3 institution(s) added, 0 updated, 0 unchanged.\n"
    adoption = _rows(_report(app, db), "adoption_by_region")
    assert adoption["limburg"] == (1, 4, 25.0)
    assert adoption["antwerpen"] == (0, 0, None)
    assert adoption["totaal"] == (1, 4, 25.0)
    school = db.scalar(select(Institution).where(Institution.institution_number == "900003"))
    assert school.status == RegistrationStatus.REGISTRY and school.network_code == "OVSG"
    assert [level.code for level in school.levels] == ["primary"]
    assert school.region_code == "limburg" and school.campuses[0].postcode == "3500"


def test_a_registry_reimport_updates_and_never_duplicates(app, db, cli, tmp_path):
    registry = tmp_path / "instellingen.csv"
    registry.write_text(
        "Instellingsnummer,Naam,Net,Postcode,Niveau,Extra\n900001,Sint-Jan,KOV,3500,,x\n"
    )
    assert cli.invoke(args=["registry", "import", str(registry)]).exit_code == 0
    registry.write_text(
        "instellingsnummer,naam,net,postcode,niveau\n"
        "900001,Sint-Jan Hasselt,KOV,3600,secondary\n"
        "900002,Atheneum,Katholiek Onderwijs Vlaanderen,2000,\n"
    )
    result = cli.invoke(args=["registry", "import", str(registry)])
    assert result.output == "1 institution(s) added, 1 updated, 0 unchanged.\n"
    again = cli.invoke(args=["registry", "import", str(registry)])
    assert again.output == "0 institution(s) added, 0 updated, 2 unchanged.\n"
    db.rollback()  # end the read snapshot: see what the requests committed
    assert db.scalar(select(func.count(Institution.id))) == 2
    school = db.scalar(select(Institution).where(Institution.institution_number == "900001"))
    assert school.name == "Sint-Jan Hasselt" and school.campuses[0].postcode == "3600"
    assert len(school.campuses) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "naam;postcode\nX;3500\n",
            "The header lacks the column(s) instellingsnummer, net, niveau.",
        ),
        (
            "instellingsnummer;naam;net;postcode;niveau\n12;X;;3500;\n1234567;Y;;9999;\n",
            "Line 2: instellingsnummer '12' is not 6 digits (and 1 more); nothing was imported.",
        ),
        (
            "instellingsnummer;naam;net;postcode;niveau\n900001;X;;1;\n",
            "Line 2: postcode '1' is not in Flanders or Brussels; nothing was imported.",
        ),
        (
            "instellingsnummer;naam;net;postcode;niveau\n900001;X;XYZ;3500;\n",
            "Line 2: net 'XYZ' is not a known network umbrella; nothing was imported.",
        ),
    ],
)
def test_a_wrong_registry_file_is_refused_whole_in_one_sentence(
    app, db, cli, tmp_path, content, message
):
    registry = tmp_path / "instellingen.csv"
    registry.write_text(content)
    result = cli.invoke(args=["registry", "import", str(registry)])
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"
    assert db.scalar(select(func.count(Institution.id))) == 0


# -------------------------------------------------------------------- page and exports


@pytest.fixture
def admin_client(app, db):
    world = build_world(db)
    _request(db, world.institutions["school_a"], world.institutions["programme_a"], at(5))
    db.commit()
    client = app.test_client()
    sign_in(client, world.users["admin"])
    return client, world


def test_the_report_page_is_for_administrators_only(app, db, admin_client):
    _client, world = admin_client
    other = app.test_client()
    sign_in(other, world.users["school_coordinator_a"], world.memberships["school_coordinator_a"])
    assert other.get("/beheer/rapporten").status_code == 403
    assert other.get("/beheer/rapporten/download?formaat=csv").status_code == 403
    assert app.test_client().get("/beheer/rapporten").status_code == 302


def test_the_page_shows_tables_with_accessible_svg_charts(admin_client):
    client, _world = admin_client
    html = client.get("/beheer/rapporten?van=2026-01-01&tot=2026-06-30").get_data(as_text=True)
    assert 'data-section="requests_by_region"' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in html
    assert 'aria-labelledby="chart-requests_by_region-t chart-requests_by_region-d"' in html
    assert '<title id="chart-requests_by_region-t">Aanvragen per provincie</title>' in html
    assert "style=" not in html and "<script" not in html
    assert "Oost-Vlaanderen" in html  # codes shown as names
    assert "1 september 2025" in html  # the presets state their days
    english = client.get("/taal/en", follow_redirects=False)
    assert english.status_code in (302, 303)
    html = client.get("/beheer/rapporten?van=2026-01-01&tot=2026-06-30").get_data(as_text=True)
    assert "Requests by province" in html


def test_a_wrong_period_is_explained(admin_client):
    client, _world = admin_client
    html = client.get("/beheer/rapporten?van=2026-06-30&tot=2026-01-01").get_data(as_text=True)
    assert "De einddatum ligt voor de begindatum." in html
    assert 'data-section="' not in html
    assert client.get("/beheer/rapporten/download?formaat=pdf").status_code == 400


def test_downloads_are_csv_xlsx_and_json_of_the_same_report(admin_client):
    client, _world = admin_client
    query = "van=2026-01-01&tot=2026-06-30"
    as_json = client.get(f"/beheer/rapporten/download?formaat=json&{query}").get_json()
    regions = next(s for s in as_json["sections"] if s["key"] == "requests_by_region")
    assert ["oost-vlaanderen", 1] in regions["rows"]
    response = client.get(f"/beheer/rapporten/download?formaat=csv&{query}")
    assert response.mimetype == "text/csv"
    assert "stagebank-rapport-2026-01-01-2026-06-30.csv" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    start = lines.index(["section", "requests_by_region", "Aanvragen per provincie"])
    assert lines[start + 1] == ["regio", "aantal"]
    assert ["oost-vlaanderen", "1"] in lines[start + 2 : start + 9]
    workbook = load_workbook(
        io.BytesIO(client.get(f"/beheer/rapporten/download?formaat=xlsx&{query}").data)
    )
    sheet = workbook["requests_by_region"]
    assert [cell.value for cell in sheet[3]] == ["regio", "aantal"]
    assert ["oost-vlaanderen", 1] in [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert workbook["rapport"]["B2"].value == "2026-01-01"


# ------------------------------------------------------------------------------- CLI


def test_the_cli_writes_json_csv_and_xlsx(app, db, cli, tmp_path):
    school, programme = make_school(db, region="limburg"), make_programme(db)
    _request(db, school, programme, at(5))
    db.commit()
    result = cli.invoke(
        args=["report", "--from", "2026-01-01", "--to", "2026-06-30", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["from"] == "2026-01-01" and report["school_year"] == "2025-2026"
    assert report["sections"][0]["key"] == "requests_by_status"
    keys = [section["key"] for section in report["sections"]]
    assert "primary_pilot" in keys and keys.index("primary_pilot") > keys.index(
        "helpdesk_categories"
    )
    target = tmp_path / "rapport.xlsx"
    written = cli.invoke(
        args=[
            "report",
            "--preset",
            "spring",
            "--school-year",
            "2025-2026",
            "--format",
            "xlsx",
            "--output",
            str(target),
        ]
    )
    assert written.exit_code == 0, written.output
    assert load_workbook(target)["rapport"]["B3"].value == "2026-02-28"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-06-30", "--to", "2026-01-01"], "--to lies before --from."),
        (["--from", "2026-01-01"], "Give --from and --to (YYYY-MM-DD), or --preset."),
        (["--preset", "spring"], "--preset needs --school-year YYYY-YYYY, e.g. 2025-2026."),
        (
            ["--from", "2026-01-01", "--to", "2026-06-30", "--format", "xlsx"],
            "XLSX is a binary file; name it with --output FILE.",
        ),
    ],
)
def test_the_cli_refuses_in_one_sentence(cli, args, message):
    result = cli.invoke(args=["report", *args])
    assert result.exit_code == 2
    assert f"Error: {message}" in result.output
    assert "Traceback" not in result.output
