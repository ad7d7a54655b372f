"""The API's requests for many students at once: a selection of students, or a CSV or XLSX
file checked whole, with every problem named by row and column; all or nothing."""

from __future__ import annotations

import io

import openpyxl

from tests.api_support import json_error as _error
from tests.test_bulk import COLUMNS, _students, _wis, csv_bytes, new_row, requests_of


def _upload(api, data: bytes, filename: str = "aanvragen.csv"):
    return api.post(
        "/requests/uploads",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


# ------------------------------------------------------------------------- by file


def test_a_good_file_sends_every_request(db, world, api_as):
    api = api_as("programme_coordinator_a")
    response = _upload(api, csv_bytes([new_row(world, 1), new_row(world, 2)]))
    assert response.status_code == 201, response.get_json()
    done = response.get_json()
    assert (done["status"], done["total_rows"], done["processed_rows"]) == ("done", 2, 2)
    assert done["errors"] == [] and done["filename"] == "aanvragen.csv"
    assert requests_of(db, world) == 3
    assert api.get(f"/requests/uploads/{done['id']}").get_json()["status"] == "done"
    listed = api.get("/requests/uploads").get_json()
    assert [u["id"] for u in listed["items"]] == [done["id"]]


def test_one_bad_row_refuses_the_file_with_every_problem_by_row_and_column(db, world, api_as):
    api = api_as("programme_coordinator_a")
    rows = [
        new_row(world, 1),
        new_row(world, 2, vak="WIZ"),
        new_row(world, 3, begindatum="31/02/2027", uren="veertig"),
    ]
    body = _error(_upload(api, csv_bytes(rows)), 422)
    assert body["message"] == "Geweigerd: er is niets aangemaakt"
    assert body["errors"]["rows.3.vak"] == ["onbekende vakcode 'WIZ'"]
    assert body["errors"]["rows.4.begindatum"] == [
        "ongeldige datum '31/02/2027' (gebruik dd/mm/jjjj of jjjj-mm-dd)"
    ]
    assert body["errors"]["rows.4.uren"] == ["'veertig' is geen geheel getal"]
    assert requests_of(db, world) == 1
    (refused,) = api.get("/requests/uploads").get_json()["items"]
    assert refused["status"] == "refused"
    assert {"row": 3, "column": "vak", "message": "onbekende vakcode 'WIZ'"} in refused["errors"]


def test_an_unreadable_or_missing_file_is_refused_as_a_whole(world, api_as):
    api = api_as("programme_coordinator_a")
    body = _error(_upload(api, b"studentennummer,vak\r\nx,y\r\n"), 422)
    assert list(body["errors"]) == ["file"]
    assert "verplichte kolommen ontbreken" in body["errors"]["file"][0]
    missing = api.post("/requests/uploads", data={}, content_type="multipart/form-data")
    assert _error(missing, 422)["errors"] == {"file": ["Dit veld is verplicht."]}


def test_an_xlsx_file_works_too(db, world, api_as):
    workbook = openpyxl.Workbook()
    workbook.active.append(COLUMNS)
    workbook.active.append([new_row(world, 1)[column] for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(api_as("programme_coordinator_a"), buffer.getvalue(), "aanvragen.xlsx")
    assert response.status_code == 201, response.get_json()
    assert requests_of(db, world) == 2


def test_the_templates_have_every_column(api_as):
    api = api_as("programme_coordinator_a")
    csv_file = api.get("/requests/uploads/template")
    assert csv_file.mimetype == "text/csv"
    assert "attachment" in csv_file.headers["Content-Disposition"]
    header = csv_file.data.decode("utf-8-sig").strip().split(";")
    assert header[:4] == ["studentennummer", "voornaam", "familienaam", "e-mail"]
    xlsx = api.get("/requests/uploads/template?format=xlsx")
    assert [c.value for c in openpyxl.load_workbook(io.BytesIO(xlsx.data)).active[1]] == header
    assert set(_error(api.get("/requests/uploads/template?format=ods"), 422)["errors"]) == {
        "format"
    }


def test_uploads_are_for_the_programmes_coordinator_only(db, world, api_as):
    own = _upload(api_as("programme_coordinator_a"), csv_bytes([new_row(world, 1)])).get_json()
    other = api_as("programme_coordinator_b")
    assert _error(other.get(f"/requests/uploads/{own['id']}"), 404)
    assert other.get("/requests/uploads").get_json()["items"] == []
    school = api_as("school_coordinator_a")
    assert _error(_upload(school, csv_bytes([new_row(world, 2)])), 403)
    assert _error(school.get("/requests/uploads/template"), 403)
    read_only = api_as("programme_coordinator_a", read_only=True)
    body = _error(_upload(read_only, csv_bytes([new_row(world, 3)])), 403)
    assert body["message"] == "Deze token mag alleen lezen."
    assert requests_of(db, world) == 2


# -------------------------------------------------------------------- by selection


def _selection(db, world, student_ids, **changes) -> dict:
    body = {
        "student_ids": student_ids,
        "school_id": world.institutions["school_a"].id,
        "level_code": "secondary",
        "subject_id": _wis(db),
        "attributes": {"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"},
        "period_start": "2027-02-01",
        "period_end": "2027-02-28",
        "kind": "teaching",
        "hours": 20,
        "message": "Welkom!",
    }
    db.rollback()  # end the read, so the app's writes are not blocked (SQLite)
    return {**body, **changes}


def test_selected_students_each_get_a_request(db, world, api_as):
    ids = [student.id for student in _students(db, world, 3)]
    response = api_as("programme_coordinator_a").post(
        "/requests/bulk", json=_selection(db, world, ids)
    )
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert sorted(r["student"]["id"] for r in made) == sorted(ids)
    assert {(r["status"], r["message"]) for r in made} == {("submitted", "Welkom!")}
    assert requests_of(db, world) == 4


def test_one_refused_student_means_no_request_at_all(db, world, api_as):
    busy = world.requests["a"].student_id  # Lotte already has a running request
    ids = [*(student.id for student in _students(db, world, 2)), busy]
    api = api_as("programme_coordinator_a")
    body = _error(api.post("/requests/bulk", json=_selection(db, world, ids)), 422)
    assert list(body["errors"]) == [f"students.{busy}.period_start"]
    assert requests_of(db, world) == 1
    english = api_as("programme_coordinator_a", language="en")
    late = _selection(db, world, ids[:2], period_end="2027-01-01")
    errors = _error(english.post("/requests/bulk", json=late), 422)["errors"]
    assert errors[f"students.{ids[0]}.period_end"] == ["The end date is before the start date."]


def test_a_selection_needs_own_students_and_a_programme_coordinator(db, world, api_as):
    api = api_as("programme_coordinator_a")
    empty = _error(api.post("/requests/bulk", json=_selection(db, world, [])), 422)
    assert empty["errors"] == {"student_ids": ["Kies minstens één student."]}
    foreign = [world.requests["b"].student_id]
    assert _error(api.post("/requests/bulk", json=_selection(db, world, foreign)), 404)
    own = [world.requests["a"].student_id]
    school = api_as("school_coordinator_a")
    assert _error(school.post("/requests/bulk", json=_selection(db, world, own)), 403)
    read_only = api_as("programme_coordinator_a", read_only=True)
    assert _error(read_only.post("/requests/bulk", json=_selection(db, world, own)), 403)
