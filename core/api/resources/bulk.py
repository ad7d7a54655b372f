"""Requests for many students at once (``core.placements.bulk``): the same values for a
selection of students, or a CSV or XLSX file; either all requests are sent or none."""

from __future__ import annotations

from flask import Response
from flask_smorest import abort

from core.access.current import current_actor
from core.access.routes import Access, access
from core.api.common import api_blueprint, page_of_query
from core.api.resources.requests import present
from core.api.schemas import (
    BulkRequestValuesSchema,
    PageArgs,
    RequestSchema,
    TemplateArgs,
    UploadFileSchema,
    UploadSchema,
    page_of,
)
from core.database import database, db_session
from core.placements import bulk, students
from core.placements.models import UploadStatus
from core.placements.services import RequestValues, programme_of
from core.plugins.manager import plugins_of

blp = api_blueprint("bulk", "Requests for many students at once: a selection or a file.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_RESPONSES = {
    "200": {
        "description": "An empty upload file with the header row.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@blp.route("/requests/bulk", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(BulkRequestValuesSchema)
@blp.response(201, RequestSchema(many=True))
def create_for_students(values):
    """One submitted request per student in ``student_ids`` with the other values; when
    one is refused none is sent, and ``errors`` names each student's problems
    (``students.<id>.<field>``)."""
    session, actor = db_session(), current_actor()
    chosen = students.selected_students(session, actor, values.pop("student_ids"))
    shared = RequestValues(student_id=0, **values)
    created = bulk.create_for_students(session, plugins_of(), actor, chosen, shared)
    session.commit()
    return [present(placement_request) for placement_request in created]


def _problems(upload) -> dict[str, list[str]]:
    """The problems of a refused upload as fields: ``rows.<row>.<column>``, ``rows.<row>``
    (the row as a whole) or ``file``."""
    errors: dict[str, list[str]] = {}
    for problem in upload.errors:
        name = "file" if problem["row"] is None else f"rows.{problem['row']}"
        if problem["row"] is not None and problem["column"]:
            name += f".{problem['column']}"
        errors.setdefault(name, []).append(problem["message"])
    return errors


@blp.route("/requests/uploads", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(UploadFileSchema, location="files")
@blp.response(201, UploadSchema)
def upload(files):
    """Send the requests of a CSV or XLSX file (columns: see the template). The whole
    file is checked first: with any problem nothing is created and the 422 names each one
    (``rows.<row>.<column>``); the upload is kept with its problems either way."""
    session, actor = db_session(), current_actor()
    storage = files["file"]
    upload_id = bulk.upload_requests(
        session,
        database(),
        plugins_of(),
        actor,
        storage.filename or "",
        storage.read(bulk.MAX_UPLOAD_BYTES + 1),
    )
    recorded = bulk.upload_for(session, actor, upload_id)
    if recorded.status is UploadStatus.REFUSED:
        abort(
            422, message=str(bulk.UPLOAD_STATUS_LABELS[recorded.status]), errors=_problems(recorded)
        )
    return recorded


@blp.route("/requests/uploads")
@access(Access.MEMBER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(UploadSchema))
def list_uploads(args):
    """The programme's uploads, newest first."""
    return page_of_query(db_session(), bulk.uploads_statement(current_actor()), args)


@blp.route("/requests/uploads/<id:upload_id>")
@access(Access.MEMBER)
@blp.response(200, UploadSchema)
def get_upload(upload_id: int):
    """One upload: its status, progress and problems."""
    return bulk.upload_for(db_session(), current_actor(), upload_id)


@blp.route("/requests/uploads/template")
@access(Access.MEMBER)
@blp.arguments(TemplateArgs, location="query")
@blp.doc(responses=TEMPLATE_RESPONSES)
def upload_template(args):
    """An empty upload file (``format``: csv or xlsx) with every column the plugins' levels
    allow; subject codes are in ``/levels``."""
    programme_of(current_actor())
    content, mimetype, filename = bulk.template_file(
        db_session(), plugins_of(), args["file_format"]
    )
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
