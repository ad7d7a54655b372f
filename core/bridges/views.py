"""The administrator's page of bridges and legacy imports (``/beheer/bruggen``)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, SelectChoice, SelectField

from core.access.current import current_actor
from core.access.routes import Access, access
from core.bridges.legacy import FORMATS, MAX_BYTES, import_legacy
from core.bridges.models import RUN_STATUS_LABELS, BridgeRun, IssueLevel
from core.bridges.outbox import waiting_count
from core.bridges.registry import available_bridges
from core.bridges.runner import BridgeRefused, bridge_settings, sync_bridge
from core.database import db_session
from core.plugins.manager import plugins_of

bp = Blueprint("bridges", __name__, url_prefix="/beheer/bruggen", template_folder="templates")

RUNS_SHOWN = 30
ISSUE_LABELS = {
    IssueLevel.REFUSED: _l("Geweigerd"),
    IssueLevel.CONFLICT: _l("Conflict"),
    IssueLevel.WARNING: _l("Opmerking"),
}


class RunForm(FlaskForm):
    dry_run = BooleanField(_l("Proefdraai: tonen wat zou veranderen, niets wijzigen"))
    partial = BooleanField(_l("Goede records toepassen en slechte melden (gedeeltelijk)"))


class ImportForm(RunForm):
    file = FileField(_l("CSV-bestand"), [FileRequired(_l("Kies een bestand."))])
    format_name = SelectField(
        _l("Formaat"),
        choices=[
            SelectChoice("mentorant", _l("Mentorant (scholen en aanbod)")),
            SelectChoice("stageaanvraag", _l("Stageaanvraag (aanvragen)")),
            SelectChoice("csv", _l("Stagebank-CSV (alle soorten records)")),
        ],
    )


def _locale() -> str:
    return str(get_locale() or "nl")


@bp.get("")
@access(Access.ADMIN)
def overview():
    db, app = db_session(), current_app._get_current_object()
    bridges = [
        {
            "name": name,
            "spec": spec,
            "plugin": plugin,
            "configured": all(
                value not in (None, "") for value in bridge_settings(app, spec).values()
            )
            if spec.settings
            else True,
            "waiting": waiting_count(db, name),
        }
        for name, (plugin, spec) in sorted(available_bridges(plugins_of()).items())
    ]
    runs = db.scalars(
        select(BridgeRun)
        .options(selectinload(BridgeRun.issues))
        .order_by(BridgeRun.id.desc())
        .limit(RUNS_SHOWN)
    ).all()
    return render_template(
        "bridges/overview.html",
        bridges=bridges,
        runs=runs,
        run_form=RunForm(),
        import_form=ImportForm(),
        status_labels=RUN_STATUS_LABELS,
        issue_labels=ISSUE_LABELS,
    )


@bp.post("/<name>/sync")
@access(Access.ADMIN)
def sync(name: str):
    if name not in available_bridges(plugins_of()):
        abort(404)
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        run = sync_bridge(
            current_app._get_current_object(),
            name,
            dry_run=form.dry_run.data,
            partial=form.partial.data,
            source="admin",
            user_id=current_actor().user.id,
            locale=_locale(),
        )
    except BridgeRefused as refused:
        flash(str(refused), "error")
    else:
        _flash_run(run)
    return redirect(url_for("bridges.overview"))


@bp.post("/import")
@access(Access.ADMIN)
def legacy_import():
    form = ImportForm()
    if not form.validate_on_submit() or form.format_name.data not in FORMATS:
        flash(_("Kies een CSV-bestand en een formaat."), "error")
        return redirect(url_for("bridges.overview"))
    data = form.file.data.read(MAX_BYTES + 1)
    try:
        run = import_legacy(
            current_app._get_current_object(),
            data,
            form.format_name.data,
            dry_run=form.dry_run.data,
            partial=form.partial.data,
            source="admin",
            user_id=current_actor().user.id,
            locale=_locale(),
        )
    except BridgeRefused as refused:
        flash(str(refused), "error")
    else:
        _flash_run(run)
    return redirect(url_for("bridges.overview"))


def _flash_run(run: BridgeRun) -> None:
    flash(
        _(
            "Run %(id)d van %(bridge)s: %(status)s. Nieuw %(created)d, bijgewerkt %(updated)d, "
            "ongewijzigd %(unchanged)d, geweigerd %(refused)d, conflicten %(conflicts)d.",
            id=run.id,
            bridge=run.bridge,
            status=RUN_STATUS_LABELS[run.status],
            created=run.created,
            updated=run.updated,
            unchanged=run.unchanged,
            refused=run.refused,
            conflicts=run.conflicts,
        ),
        "info" if run.status.value in ("succeeded", "checked") else "error",
    )
