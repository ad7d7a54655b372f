"""Importing CSV exports of the systems used before Stagebank (docs/legacy-import.md)."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from core.accounts.models import Membership, Role, User
from core.bridges.legacy import import_legacy
from core.bridges.models import BridgeMapping, BridgeOutbox, RunStatus
from core.institutions.models import Institution
from core.mail.models import OutboxMessage
from core.offers.models import Offer, OfferStatus
from core.placements.models import PlacementRequest, RequestStatus, Student
from tests.factories import any_subject, make_school
from tests.world import sign_in

MENTORANT_HEADER = (
    "SchoolID;Schoolnaam;Instellingsnummer;Net;Regio;Straat;Postcode;PlaatsID;Schooljaar;"
    "Niveau;Vak;Graad;Finaliteit;Onderwijsvorm;Plaatsen;Van;Tot;Semester;Status;Mentor;"
    "Opmerking;Gewijzigd"
)
STAGEAANVRAAG_HEADER = (
    "AanvraagID;OpleidingID;Opleiding;Hogeschool;StudentID;Studentennummer;Voornaam;"
    "Familienaam;Email;SchoolID;Schoolnaam;Instellingsnummer;Net;Regio;Straat;Postcode;Niveau;"
    "Vak;Graad;Finaliteit;Onderwijsvorm;Van;Tot;Soort;Uren;Status;Reden;Bericht;Gewijzigd"
)
SCHOOL = "M-1;Sint-Lievenscollege;903001;KOV;oost-vlaanderen;Kunstlaan 1;9000"


@pytest.fixture
def subject(app, db) -> str:
    code = any_subject(db).code
    db.rollback()
    return code


def _mentorant(subject: str, *extra: str) -> bytes:
    rows = [
        MENTORANT_HEADER,
        f"{SCHOOL};PL-1;2026-2027;secundair;{subject};2;doorstroom;ASO;2;;;1;open;Mevr. Claes;;"
        "01/09/2026 10:00",
        f"{SCHOOL};PL-2;2025-2026;secundair;{subject};2;doorstroom;ASO;1;02/02/2026;27/02/2026;;"
        "gesloten;;Vorig jaar;",
        "M-2;Basisschool De Linde;;GO;limburg;Lindestraat 4;3500;;;;;;;;;;;;;;;",
        *extra,
    ]
    return ("\n".join(rows) + "\n").encode()


def _stageaanvraag(subject: str, *extra: str) -> bytes:
    common = f"{SCHOOL};secundair;{subject};2;doorstroom;ASO"
    programme = "OPL-1;Educatieve bachelor secundair onderwijs;Arteveldehogeschool"
    rows = [
        STAGEAANVRAAG_HEADER,
        f"A-1;{programme};ST-1;r0101;Jonas;Maes;jonas@student.example.org;{common};"
        "05/02/2024;01/03/2024;onderwijs;40;afgerond;;;",
        f"A-2;{programme};ST-2;r0102;Sara;Peeters;sara@student.example.org;{common};"
        "05/02/2024;01/03/2024;observatie;10;aanvaard;;;",
        f"A-3;{programme};ST-3;r0103;Lena;Wouters;lena@student.example.org;{common};"
        "05/02/2024;01/03/2024;lio;;geweigerd;Geen mentor vrij;;2024-01-20T09:00:00",
        *extra,
    ]
    return ("\n".join(rows) + "\n").encode()


def _import(app, db, data: bytes, format_name: str, **options):
    db.rollback()
    run = import_legacy(app, data, format_name, locale="en", **options)
    db.rollback()
    db.expire_all()
    return run


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_mentorant_export_imports_schools_and_offers_once(app, db, subject):
    run = _import(app, db, _mentorant(subject), "mentorant")
    assert run.status is RunStatus.SUCCEEDED, [i.reason for i in run.issues]
    assert (run.created, run.refused, run.bridge) == (4, 0, "legacy-mentorant")
    school = db.scalar(select(Institution).where(Institution.institution_number == "903001"))
    assert [level.code for level in school.levels] == ["secondary"]
    offers = {o.places: o for o in db.scalars(select(Offer))}
    assert offers[2].status is OfferStatus.PUBLISHED and offers[2].mentor_name == "Mevr. Claes"
    assert offers[1].status is OfferStatus.CLOSED and offers[1].notes == "Vorig jaar"

    again = _import(app, db, _mentorant(subject), "mentorant")
    assert (again.status, again.created, again.updated, again.unchanged) == (
        RunStatus.SUCCEEDED,
        0,
        0,
        4,
    )
    assert _count(db, Institution) == 2 and _count(db, Offer) == 2


def test_bad_rows_are_all_reported_and_nothing_is_applied_unless_partial(app, db, subject):
    data = _mentorant(
        subject,
        f"{SCHOOL};PL-3;2026-2027;secundair;{subject};2;doorstroom;ASO;twee;;;1;open;;;",
        f"{SCHOOL};PL-4;2026-2027;secundair;GEEN;2;doorstroom;ASO;1;;;1;open;;;",
        f"{SCHOOL};PL-5;2026-2027;secundair;{subject};2;doorstroom;ASO;1;;;1;misschien;;;",
    )
    run = _import(app, db, data, "mentorant")
    assert run.status is RunStatus.REFUSED
    assert [(i.external_id, i.position) for i in run.issues] == [
        ("PL-3", 5),
        ("PL-4", 6),
        ("PL-5", 7),
    ]
    assert run.issues[0].reason == "Column plaatsen: invalid value twee."
    assert run.issues[1].reason.startswith("subject_code: ")
    assert run.issues[2].reason == "Column status: invalid value misschien."
    assert _count(db, Institution) == 0 and _count(db, BridgeMapping) == 0

    run = _import(app, db, data, "mentorant", partial=True)
    assert (run.status, run.created, run.refused) == (RunStatus.PARTIAL, 4, 3)
    assert _count(db, Offer) == 2


def test_historical_requests_keep_their_final_state_through_the_state_machine(app, db, subject):
    school = make_school(db, name="Sint-Lievenscollege Gent")
    school.institution_number = "903001"
    coordinator = User(email="coord@sint-lieven.example.org", name="Coördinator")
    db.add_all(
        [
            coordinator,
            Membership(user=coordinator, institution=school, role=Role.SCHOOL_COORDINATOR),
        ]
    )
    db.commit()
    run = _import(app, db, _stageaanvraag(subject), "stageaanvraag")
    assert run.status is RunStatus.SUCCEEDED, [i.reason for i in run.issues]
    assert (run.created, run.unchanged) == (7, 1)  # the school was linked, not created
    requests = {r.student.student_number: r for r in db.scalars(select(PlacementRequest)).all()}
    assert {n: r.status for n, r in requests.items()} == {
        "r0101": RequestStatus.COMPLETED,
        "r0102": RequestStatus.ACCEPTED,
        "r0103": RequestStatus.DECLINED,
    }
    assert all(r.school_id == school.id for r in requests.values())
    declined = requests["r0103"]
    assert [(e.to_status, e.actor_id, e.reason) for e in declined.events] == [
        ("draft", None, ""),
        ("submitted", None, "import stageaanvraag: Geen mentor vrij"),
        ("declined", None, "import stageaanvraag: Geen mentor vrij"),
    ]
    assert [e.reason for e in requests["r0101"].events][1:] == ["import stageaanvraag"] * 3
    # History is replayed quietly: nobody is mailed, nothing waits to be pushed anywhere.
    assert _count(db, OutboxMessage) == 0 and _count(db, BridgeOutbox) == 0

    again = _import(app, db, _stageaanvraag(subject), "stageaanvraag")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert _count(db, PlacementRequest) == 3 and _count(db, Student) == 3


def test_stagebank_csv_carries_every_kind_of_record(app, db, subject):
    rows = [
        "record,id,name,region_code,street,postcode,network_code,programme,first_name,last_name,"
        "email,student_number,school,student,level_code,subject_code,attr.graad,attr.finaliteit,"
        "attr.onderwijsvorm,period_start,period_end,kind,hours,status,reason",
        "school,S1,Atheneum Hasselt,limburg,Kapelstraat 1,3500,GO,,,,,,,,,,,,,,,,,,",
        "programme,P1,PXL Educatie,,,,,,,,,,,,,,,,,,,,,,",
        "student,ST1,,,,,,P1,Noor,Janssens,noor@student.example.org,r7,,,,,,,,,,,,,",
        f"request,R1,,,,,,P1,,,,,S1,ST1,secondary,{subject},2,doorstroom,ASO,2025-02-03,"
        "2025-02-28,teaching,30,cancelled,Ziekte",
    ]
    run = _import(app, db, ("\n".join(rows) + "\n").encode(), "csv")
    assert run.status is RunStatus.SUCCEEDED, [i.reason for i in run.issues]
    assert run.created == 4
    request = db.scalar(select(PlacementRequest))
    assert request.status is RequestStatus.CANCELLED
    assert request.attributes["graad"] == "2" and request.hours == 30


def test_a_file_that_is_not_the_chosen_export_is_one_sentence(app, db, subject):
    run = _import(app, db, _stageaanvraag(subject), "mentorant")
    assert run.status is RunStatus.FAILED
    assert run.message.startswith("This is not a mentorant export: the columns plaatsid,")


def test_the_command_line(app, db, subject, tmp_path):
    file = tmp_path / "mentorant.csv"
    file.write_bytes(_mentorant(subject))
    cli = app.test_cli_runner()
    result = cli.invoke(args=["import", "legacy", str(file), "--format", "mentorant", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert re.match(r"Run \d+ of legacy-mentorant checked: 4 created", result.output)
    result = cli.invoke(args=["import", "legacy", str(file), "--format", "stageaanvraag"])
    assert result.exit_code == 1
    assert "This is not a stageaanvraag export" in result.output
    assert "Traceback" not in result.output
    # `stagebank import FILE` (a whole installation) still reaches its own command.
    result = cli.invoke(args=["import", str(file)])
    assert "No such command" not in result.output


def test_the_admin_page_imports_an_uploaded_file(app, db, subject):
    admin = User(email="beheerder@example.org", name="Beheerder", is_admin=True)
    db.add(admin)
    db.commit()
    client = app.test_client()
    sign_in(client, admin)
    html = client.get("/beheer/bruggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    answer = client.post(
        "/beheer/bruggen/import",
        data={
            "csrf_token": token,
            "format_name": "mentorant",
            "file": (io.BytesIO(_mentorant(subject)), "mentorant.csv"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert re.search(r"Run \d+ van legacy-mentorant: Geslaagd\.", answer.get_data(as_text=True))
    db.rollback()
    assert _count(db, Offer) == 2
