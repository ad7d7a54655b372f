"""Thin views of the reports (administrators): the page with tables and charts, downloads."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale

from core.access.routes import Access, access
from core.database import db_session
from core.i18n import current_language
from core.plugins.manager import plugins_of
from core.reports import exports
from core.reports.charts import report_charts
from core.reports.display import CellLabels
from core.reports.forms import PeriodForm
from core.reports.periods import PRESET_LABELS, default_period, recent_presets
from core.reports.services import compute_report

#: Longer tables are folded away (the chart and the downloads show them whole).
LONG_TABLE = 25

bp = Blueprint("reports", __name__, url_prefix="/beheer/rapporten", template_folder="templates")


def _period_form():
    """The period asked for in the query string; the current school year when none was."""
    form = PeriodForm(request.args)
    if not request.args:
        period = default_period(date.today())
        form.start.data, form.end.data = period.start, period.end
        return form, period
    return form, form.period() if form.validate() else None


@bp.get("")
@access(Access.ADMIN)
def report_page():
    form, period = _period_form()
    report = compute_report(db_session(), plugins_of(), period) if period else None
    labels = CellLabels(db_session(), str(get_locale()))
    charts = report_charts(report, labels, current_language()) if report else {}
    return render_template(
        "reports/report.html",
        form=form,
        report=report,
        charts=charts,
        labels=labels,
        language=current_language(),
        presets=recent_presets(date.today()),
        preset_labels=PRESET_LABELS,
        long_table=LONG_TABLE,
    )


@bp.get("/download")
@access(Access.ADMIN)
def download():
    fmt = request.args.get("formaat", "csv")
    form, period = _period_form()
    if fmt not in exports.FORMATS or period is None:
        abort(400)
    report = compute_report(db_session(), plugins_of(), period)
    return Response(
        exports.render(report, fmt, current_language()),
        mimetype=exports.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{exports.filename(report, fmt)}"'},
    )
