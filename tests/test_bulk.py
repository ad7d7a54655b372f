"""Requests for many students at once: by selection and by CSV/XLSX upload, all or none."""

from __future__ import annotations

import codecs
import io
import re
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from core.database import database
from core.placements import bulk
from core.placements.models import (
    BulkUpload,
    PlacementRequest,
    RequestStatus,
    Student,
    UploadStatus,
)
from tests.factories import make_school
from tests.test_accounts import csrf, post_form
from tests.world import sign_in

COLUMNS = [
    "studentennummer",
    "voornaam",
    "familienaam",
    "e-mail",
    "instellingsnummer",
    "niveau",
    "vak",
    "begindatum",
    "einddatum",
    "soort",
    "uren",
    "begeleider",
    "graad",
    "finaliteit",
    "onderwijsvorm",
]


@pytest.fixture
def coordinator(client, world):
    sign_in(
        client,
        world.users["programme_coordinator_a"],
        world.memberships["programme_coordinator_a"],
    )
    return client


def new_row(world, n: int, **changes) -> dict[str, str]:
    """A valid row for a new student ``s<n>`` at school A."""
    row = {
        "studentennummer": f"s{n:05d}",
        "voornaam": "Student",
        "familienaam": f"Nummer {n}",
        "e-mail": f"s{n}@student.example.org",
        "instellingsnummer": world.institutions["school_a"].institution_number,
        "niveau": "secondary",
        "vak": "WIS",
        "begindatum": "01/03/2027",
        "einddatum": "2027-03-31",
        "soort": "onderwijs",
        "uren": "40",
        "begeleider": "",
        "graad": "2",
        "finaliteit": "doorstroom",
        "onderwijsvorm": "ASO",
    }
    return {**row, **changes}


def csv_bytes(rows, delimiter=",", encoding="utf-8", columns=COLUMNS) -> bytes:
    lines = [delimiter.join(columns)]
    lines += [delimiter.join(row.get(c, "") for c in columns) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client, data: bytes, filename: str = "aanvragen.csv"):
    """Upload a file and follow to the result page; return (response, upload id)."""
    token = csrf(client, "/aanvragen/upload")
    response = client.post(
        "/aanvragen/upload",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    upload_id = int(re.search(r"/aanvragen/upload/(\d+)$", response.location).group(1))
    return client.get(response.location), upload_id


def fresh(db):
    db.rollback()  # end the read snapshot: see what other sessions committed
    db.expire_all()
    return db


def count(db, model, *where) -> int:
    return fresh(db).scalar(select(func.count()).select_from(model).where(*where))


def requests_of(db, world) -> int:
    programme = world.institutions["programme_a"]
    return count(db, PlacementRequest, PlacementRequest.programme_id == programme.id)


# ------------------------------------------------------------------------ uploads


def test_a_good_csv_creates_every_request_and_the_new_students(coordinator, db, world):
    before = requests_of(db, world)
    lotte = world.requests["a"].student  # exists: names may stay empty
    rows = [
        new_row(world, 1, begeleider="supervisor_a@example.org"),
        new_row(world, 2, soort="observatie", graad="3", onderwijsvorm="tso"),
        new_row(
            world,
            0,
            studentennummer=lotte.student_number,
            voornaam="",
            familienaam="",
            **{"e-mail": ""},
            begindatum="2027-04-01",
            einddatum="2027-04-30",
            soort="lio",
        ),
    ]
    page, upload_id = upload(coordinator, csv_bytes(rows))
    html = page.get_data(as_text=True)
    assert "3 van 3 rijen verwerkt" in html and "alle aanvragen zijn verstuurd" in html
    assert requests_of(db, world) == before + 3
    created = db.scalars(
        select(PlacementRequest).where(PlacementRequest.id > world.requests["b"].id)
    ).all()
    assert {r.status for r in created} == {RequestStatus.SUBMITTED}
    assert sorted(r.kind.value for r in created) == ["long_term", "observation", "teaching"]
    s1 = db.scalar(select(Student).where(Student.student_number == "s00001"))
    assert (s1.first_name, s1.last_name, s1.programme_id) == (
        "Student",
        "Nummer 1",
        world.institutions["programme_a"].id,
    )
    by_student = {r.student.student_number: r for r in created}
    assert by_student["s00001"].supervisor_id == world.users["supervisor_a"].id
    assert by_student["s00002"].attributes["onderwijsvorm"] == "TSO"
    assert by_student["s00001"].period_start == date(2027, 3, 1)
    recorded = db.get(BulkUpload, upload_id)
    assert (recorded.status, recorded.total_rows, recorded.processed_rows) == (
        UploadStatus.DONE,
        3,
        3,
    )
    assert recorded.uploaded_by_id == world.users["programme_coordinator_a"].id
    assert recorded.finished_at is not None and recorded.errors == []


def test_one_bad_row_refuses_the_whole_file_with_row_and_column(coordinator, db, world):
    before = (requests_of(db, world), count(db, Student))
    rows = [
        new_row(world, 1),
        new_row(world, 2),
        new_row(world, 3, vak="WIZ"),
        new_row(world, 4, begindatum="31/02/2027", uren="veertig"),
        new_row(world, 5, graad="1"),  # finaliteit and onderwijsvorm start in the 2nd graad
    ]
    page, upload_id = upload(coordinator, csv_bytes(rows))
    html = page.get_data(as_text=True)
    assert "Rij 4, kolom vak: onbekende vakcode &#39;WIZ&#39;" in html
    assert "Rij 5, kolom begindatum: ongeldige datum &#39;31/02/2027&#39;" in html
    assert "Rij 5, kolom uren: &#39;veertig&#39; is geen geheel getal" in html
    assert "Rij 6, kolom finaliteit: Een finaliteit kan pas vanaf de 2de graad." in html
    assert "Er is niets aangemaakt" in html
    assert (requests_of(db, world), count(db, Student)) == before
    recorded = db.get(BulkUpload, upload_id)
    assert recorded.status == UploadStatus.REFUSED
    assert {"row": 4, "column": "vak", "message": "onbekende vakcode 'WIZ'"} in recorded.errors


def test_rules_of_a_single_request_apply_to_each_row(coordinator, db, world):
    pending = world.institutions["pending"]
    rows = [
        new_row(world, 1, instellingsnummer=pending.institution_number),
        new_row(world, 2, instellingsnummer="999999"),
        new_row(world, 3, begeleider="supervisor_b@example.org"),
        new_row(world, 4, einddatum="2027-01-01"),
        new_row(world, 5, soort="vakantie", niveau="kleuter"),
        new_row(
            world, 6, studentennummer="onbekend", voornaam="", familienaam="", **{"e-mail": ""}
        ),
        new_row(world, 7, **{"e-mail": "geen-adres"}),
    ]
    html = upload(coordinator, csv_bytes(rows))[0].get_data(as_text=True)
    for expected in (
        "Rij 2, kolom instellingsnummer: Kies een school die op Stagebank geregistreerd is.",
        "Rij 3, kolom instellingsnummer: onbekend instellingsnummer &#39;999999&#39;",
        "Rij 4, kolom begeleider: &#39;supervisor_b@example.org&#39; is geen stagebegeleider",
        "Rij 5, kolom einddatum: De einddatum ligt voor de begindatum.",
        "Rij 6, kolom soort: kies observatie, onderwijs of lio",
        "Rij 6, kolom niveau: onbekend niveau &#39;kleuter&#39;",
        "Rij 7, kolom studentennummer: onbekend studentennummer &#39;onbekend&#39;",
        "Rij 8, kolom e-mail: Vul een geldig e-mailadres in.",
    ):
        assert expected in html
    assert requests_of(db, world) == 1


def test_duplicate_rows_and_a_student_number_with_two_names_are_refused(coordinator, db, world):
    rows = [
        new_row(world, 1),
        new_row(world, 2),
        new_row(world, 1, begindatum="15/03/2027", einddatum="15/04/2027"),  # overlaps row 2
        new_row(world, 2, voornaam="Andere", begindatum="2027-05-01", einddatum="2027-05-31"),
        new_row(world, 3, familienaam="Peeters", studentennummer="r0000001"),  # that is Lotte
    ]
    html = upload(coordinator, csv_bytes(rows))[0].get_data(as_text=True)
    assert "Rij 4: herhaalt rij 2: dezelfde student bij dezelfde school" in html
    assert (
        "Rij 5, kolom studentennummer: andere voornaam, familienaam of e-mail dan in rij 3" in html
    )
    assert "Rij 6, kolom voornaam: studentennummer r0000001 hoort bij Lotte Peeters" in html
    assert requests_of(db, world) == 1


def test_a_semicolon_csv_with_bom_as_flemish_excel_writes_it(coordinator, db, world):
    data = codecs.BOM_UTF8 + csv_bytes([new_row(world, 1), new_row(world, 2)], delimiter=";")
    html = upload(coordinator, data)[0].get_data(as_text=True)
    assert "2 van 2 rijen verwerkt" in html
    assert requests_of(db, world) == 3


def test_excel_unicode_text_is_tab_separated_utf16(coordinator, db, world):
    data = codecs.BOM_UTF16_LE + csv_bytes([new_row(world, 1)], "\t", "utf-16-le")
    assert "1 van 1 rijen verwerkt" in upload(coordinator, data, "aanvragen.txt")[0].get_data(
        as_text=True
    )


def test_a_windows_1252_csv_keeps_its_accents(coordinator, db, world):
    data = csv_bytes([new_row(world, 1, voornaam="Zoë", familienaam="Lefèvre")], ";", "cp1252")
    assert "1 van 1 rijen verwerkt" in upload(coordinator, data)[0].get_data(as_text=True)
    assert fresh(db).scalar(select(Student.first_name).where(Student.last_name == "Lefèvre")) == (
        "Zoë"
    )


def test_an_xlsx_with_dates_numbers_and_lost_leading_zeros_works(coordinator, db, world):
    school = make_school(db, name="School met nul")
    school.institution_number = "012345"
    db.commit()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([name.upper() if name == "vak" else name for name in COLUMNS])
    for n in (1, 2):
        row = new_row(world, n)
        row.update(
            instellingsnummer=12345,  # Excel drops the leading zero of a number
            begindatum=datetime(2027, 3, 1),
            einddatum=datetime(2027, 3, 31),
            uren=40.0,
            graad=2,
        )
        sheet.append([row[name] for name in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = upload(coordinator, buffer.getvalue(), "aanvragen.xlsx")[0].get_data(as_text=True)
    assert "2 van 2 rijen verwerkt" in html
    created = (
        fresh(db)
        .scalars(select(PlacementRequest).where(PlacementRequest.school_id == school.id))
        .all()
    )
    assert [(r.hours, r.period_end, r.attributes["graad"]) for r in created] == [
        (40, date(2027, 3, 31), "2")
    ] * 2


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("leeg.csv", b"", "Het bestand is leeg."),
        ("blob.csv", bytes(range(256)) * 20, "geen CSV-bestand of Excel-bestand"),
        (
            "tekens.csv",
            b"studentennummer\r\n\x81\x8d\x8f\x90\x9d\r\n",
            "kunnen niet gelezen worden",
        ),
        ("foto.png", b"\x89PNG\r\n\x1a\n rest", "Kies een CSV-bestand of een Excel-bestand"),
        ("oud.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Oude Excel-bestanden"),
        ("kapot.xlsx", b"PK\x03\x04 geen echte zip", "geen geldig Excel-bestand"),
        ("geen-kop.csv", b"r0000001,Lotte,Peeters\r\n", "De eerste rij moet de kolomnamen"),
        ("alleen-kop.csv", ",".join(COLUMNS).encode(), "een kopregel maar geen aanvragen"),
        (
            "kolom.csv",
            b"studentennummer,vak,kleur\r\nx,y,z\r\n",
            "Onbekende kolommen: &#39;kleur&#39;",
        ),
        ("mist.csv", b"studentennummer,vak\r\nx,y\r\n", "verplichte kolommen ontbreken"),
        (
            "lang.csv",
            ",".join(COLUMNS).encode() + b'\r\n"' + b"x" * 200_000,
            "een cel is te lang of onvolledig",
        ),
    ],
)
def test_unreadable_files_get_a_clear_message_and_never_a_500(
    coordinator, db, world, filename, data, message
):
    page, upload_id = upload(coordinator, data, filename)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert fresh(db).get(BulkUpload, upload_id).status == UploadStatus.REFUSED
    assert requests_of(db, world) == 1


def test_no_file_chosen_is_a_form_error(coordinator, db, world):
    response = post_form(coordinator, "/aanvragen/upload")
    assert response.status_code == 200
    assert "Kies een bestand." in response.get_data(as_text=True)
    assert count(db, BulkUpload) == 0


def test_too_many_rows_or_bytes_are_refused(coordinator, world):
    too_many = csv_bytes([new_row(world, n) for n in range(bulk.MAX_UPLOAD_ROWS + 1)])
    assert "meer dan 5000 rijen" in upload(coordinator, too_many)[0].get_data(as_text=True)
    too_big = csv_bytes([new_row(world, 1)]) + b" " * bulk.MAX_UPLOAD_BYTES
    assert "groter dan 5 MB" in upload(coordinator, too_big)[0].get_data(as_text=True)


def test_templates_have_the_dutch_headers_and_read_back(coordinator, db, world):
    page = coordinator.get("/aanvragen/upload").get_data(as_text=True)
    for column in ("studentennummer", "instellingsnummer", "begeleider", "onderwijsvorm"):
        assert f"<code>{column}</code>" in page
    assert "wordt die student toegevoegd" in page
    csv_file = coordinator.get("/aanvragen/upload/sjabloon?formaat=csv")
    assert (
        csv_file.mimetype == "text/csv" and "attachment" in csv_file.headers["Content-Disposition"]
    )
    header = csv_file.data.decode("utf-8-sig").strip().split(";")
    assert header[:4] == ["studentennummer", "voornaam", "familienaam", "e-mail"]
    assert {"graad", "finaliteit", "onderwijsvorm", "klas"} <= set(header)
    xlsx = coordinator.get("/aanvragen/upload/sjabloon?formaat=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert [cell.value for cell in sheet[1]] == header
    # The templates are uploadable once filled in.
    row = new_row(world, 1)
    data = codecs.BOM_UTF8 + csv_bytes([row], ";", columns=header)
    assert "1 van 1 rijen verwerkt" in upload(coordinator, data)[0].get_data(as_text=True)


def test_a_thousand_rows_are_created_with_progress_seen_from_outside(
    coordinator, db, world, app, monkeypatch
):
    seen = []
    record = bulk.UploadProgress.record

    def record_and_look(self, **values):
        record(self, **values)
        with database(app).sessionmaker() as other:  # a second browser tab
            row = other.get(BulkUpload, self.upload_id)
            seen.append((row.status, row.processed_rows, row.total_rows))

    monkeypatch.setattr(bulk.UploadProgress, "record", record_and_look)
    # A school without members: this test is about the upload, not 1,000 notification mails.
    quiet = make_school(db, name="Stille school").institution_number
    db.commit()
    rows = [new_row(world, n, instellingsnummer=quiet) for n in range(1000)]
    page, upload_id = upload(coordinator, csv_bytes(rows))
    assert "1000 van 1000 rijen verwerkt" in page.get_data(as_text=True)
    assert requests_of(db, world) == 1001
    assert (UploadStatus.VALIDATING, 500, 1000) in seen
    assert (UploadStatus.CREATING, 0, 1000) in seen
    if database(app).engine.dialect.name != "sqlite":
        assert (UploadStatus.CREATING, 500, 1000) in seen
    assert db.get(BulkUpload, upload_id).status == UploadStatus.DONE


def test_uploads_are_seen_only_by_their_programme(client, coordinator, db, world):
    _, upload_id = upload(coordinator, csv_bytes([new_row(world, 1)]))
    assert coordinator.get(f"/aanvragen/upload/{upload_id}").status_code == 200
    other = client.application.test_client()
    sign_in(
        other, world.users["programme_coordinator_b"], world.memberships["programme_coordinator_b"]
    )
    assert other.get(f"/aanvragen/upload/{upload_id}").status_code == 404
    assert "aanvragen.csv" not in other.get("/aanvragen/upload").get_data(as_text=True)
    school = client.application.test_client()
    sign_in(school, world.users["school_coordinator_a"], world.memberships["school_coordinator_a"])
    assert school.get(f"/aanvragen/upload/{upload_id}").status_code == 404
    assert school.get("/aanvragen/upload").status_code == 403


# ---------------------------------------------------------------------- selection


def _students(db, world, n: int) -> list[Student]:
    programme = world.institutions["programme_a"]
    students = [
        Student(
            programme_id=programme.id,
            first_name=f"Kies{i}",
            last_name="Student",
            email=f"kies{i}@student.example.org",
            student_number=f"k{i}",
        )
        for i in range(n)
    ]
    db.add_all(students)
    db.commit()
    return students


def _selection_form(world, **changes):
    return {
        "institution_number": world.institutions["school_a"].institution_number,
        "subject_id": "",
        "secondary__graad": "2",
        "secondary__finaliteit": "doorstroom",
        "secondary__onderwijsvorm": "ASO",
        "period_start": "2027-02-01",
        "period_end": "2027-02-28",
        "kind": "teaching",
        "hours": "20",
        "supervisor_id": "0",
        "message": "Welkom!",
        **changes,
    }


def _wis(db) -> int:
    from core.catalogue.models import Subject

    return db.scalar(
        select(Subject.id).where(Subject.level_code == "secondary", Subject.code == "WIS")
    )


def _post_selection(client, students, form):
    query = "&".join(f"student={s.id}" for s in students) + "&niveau=secondary"
    token = csrf(client, f"/aanvragen/selectie?{query}")
    data = {"csrf_token": token, "niveau": "secondary", **form, "student": [s.id for s in students]}
    return client.post("/aanvragen/selectie", data=data)


def test_selected_students_each_get_a_request(coordinator, db, world):
    chosen = _students(db, world, 3)
    page = coordinator.get(f"/aanvragen/selectie?student={chosen[0].id}&student={chosen[1].id}")
    assert "kies het onderwijsniveau" in page.get_data(as_text=True)
    response = _post_selection(coordinator, chosen, _selection_form(world, subject_id=_wis(db)))
    assert response.status_code == 302
    made = (
        fresh(db)
        .scalars(
            select(PlacementRequest).where(PlacementRequest.student_id.in_([s.id for s in chosen]))
        )
        .all()
    )
    assert len(made) == 3 and {r.status for r in made} == {RequestStatus.SUBMITTED}
    assert {r.message for r in made} == {"Welkom!"}
    assert "Verstuurd" in coordinator.get("/studenten").get_data(as_text=True)


def test_one_refused_student_means_no_request_at_all(coordinator, db, world):
    chosen = [*_students(db, world, 2), world.requests["a"].student]  # Lotte is busy in February
    response = _post_selection(coordinator, chosen, _selection_form(world, subject_id=_wis(db)))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Er is niets verstuurd" in html
    assert re.search(
        r"Lotte Peeters \(r0000001\): Deze student heeft al een lopende aanvraag", html
    )
    assert requests_of(db, world) == 1


def test_a_problem_shared_by_everyone_is_shown_once_on_the_form(coordinator, db, world):
    chosen = _students(db, world, 2)
    form = _selection_form(world, subject_id=_wis(db), period_end="2027-01-01")
    html = _post_selection(coordinator, chosen, form).get_data(as_text=True)
    assert html.count("De einddatum ligt voor de begindatum.") == 2  # summary and field
    assert "Er is niets verstuurd" not in html
    unknown = _post_selection(
        coordinator, chosen, _selection_form(world, institution_number="1", subject_id=_wis(db))
    )
    assert "Er is geen school met dit instellingsnummer." in unknown.get_data(as_text=True)
    assert requests_of(db, world) == 1


def test_foreign_students_cannot_be_selected(coordinator, world):
    foreign = world.requests["b"].student
    assert coordinator.get(f"/aanvragen/selectie?student={foreign.id}").status_code == 404
    assert coordinator.get("/aanvragen/selectie").status_code == 302
