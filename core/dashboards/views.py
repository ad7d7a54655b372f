"""Thin views of the dashboards: each role's dashboard (served at ``/dashboard`` by
``placements.dashboard``), answering a request from it, the overview with its CSV export,
and the secret calendar feed."""

from __future__ import annotations

import math
from datetime import date
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _

from core.access.current import current_actor
from core.access.policy import Actor, student_fields_for
from core.access.routes import Access, access
from core.accounts.forms import EmptyForm
from core.accounts.models import ROLE_LABELS
from core.dashboards import feeds, ics, queries
from core.dashboards.export import overview_export
from core.dashboards.forms import AnswerForm
from core.database import db_session
from core.placements.models import STATUS_LABELS, RequestStatus
from core.placements.services import (
    TransitionRefused,
    request_for,
    requests_for,
    transition,
)
from core.plugins.manager import plugins_of

bp = Blueprint("dashboards", __name__, template_folder="templates")


def _locale() -> str:
    return str(get_locale() or "nl")


@bp.app_template_filter()
def short_date(day: date) -> str:
    """``day|dateformat('short')``, formatted once per request, day and locale: the lists
    show the same few dates on many rows."""
    formatted = g.setdefault("short_dates", {})
    key = (day, get_locale())
    if key not in formatted:
        formatted[key] = format_date(day, "short")
    return formatted[key]


# ------------------------------------------------------------------------- dashboards


def _school_coordinator(session, actor: Actor, today: date) -> dict:
    return {
        "offer_prompts": queries.offer_prompts(session, actor.membership.institution, today),
        "awaiting": queries.awaiting_answer(session, actor),
        "placements": queries.placements(session, actor, today),
        "answer_form": AnswerForm(),
        "button_form": EmptyForm(),
    }


def _programme_coordinator(session, actor: Actor, today: date) -> dict:
    return {
        "without_placement": queries.without_placement(session, actor.membership.institution),
        "follow_up": queries.to_follow_up(session, actor, today),
        "awaiting": queries.awaiting_answer(session, actor),
        "placements": queries.placements(session, actor, today),
    }


def _placements_only(session, actor: Actor, today: date) -> dict:
    return {"placements": queries.placements(session, actor, today)}


def _student(session, actor: Actor, today: date) -> dict:
    return {"requests": requests_for(session, actor)}


def _administrator(session, actor: Actor, today: date) -> dict:
    return {"counts": queries.admin_counts(session), "recent": requests_for(session, actor, 20)}


#: Per role: what its dashboard shows (its template is ``dashboards/<role>.html``).
BLOCKS = {
    "school_coordinator": _school_coordinator,
    "mentor": _placements_only,
    "programme_coordinator": _programme_coordinator,
    "programme_supervisor": _placements_only,
    "student": _student,
    "administrator": _administrator,
}


def render_dashboard():
    """The signed-in person's dashboard: their to-do list first, then what they follow."""
    actor, session, today = current_actor(), db_session(), date.today()
    role = actor.role.value if actor.membership else "administrator"
    return render_template(
        f"dashboards/{role}.html",
        actor=actor,
        today=today,
        role_labels=ROLE_LABELS,
        student_fields_for=student_fields_for,
        **BLOCKS[role](session, actor, today),
    )


@bp.post("/dashboard/aanvragen/<int:request_id>/antwoord")
@access(Access.MEMBER)
def answer(request_id: int):
    """Accept or decline a request in one click from the dashboard."""
    actor, session = current_actor(), db_session()
    placement_request = request_for(session, actor, request_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or _("Kies aanvaarden of weigeren."), "error")
        return redirect(url_for("placements.dashboard"))
    try:
        transition(
            session,
            plugins_of(),
            placement_request,
            RequestStatus(form.status.data),
            actor,
            form.reason.data or "",
        )
    except TransitionRefused as refused:
        session.rollback()
        flash(str(refused.args[0]), "error")
    else:
        session.commit()
        flash(
            _(
                "Aanvraag voor %(name)s: %(status)s.",
                name=placement_request.student.full_name,
                status=STATUS_LABELS[placement_request.status],
            ),
            "info",
        )
    return redirect(url_for("placements.dashboard"))


# --------------------------------------------------------------------------- overview


@bp.get("/overzicht")
@access(Access.MEMBER)
def overview():
    actor, session = current_actor(), db_session()
    filters = queries.OverviewFilters.from_args(request.args)
    counts = queries.overview_counts(session, actor, filters, _locale())
    number = queries.page_number(request.args.get("pagina"))
    return render_template(
        "dashboards/overview.html",
        filters=filters,
        counts=counts,
        rows=queries.overview_page(session, actor, filters, number),
        number=number,
        pages=max(math.ceil(counts.total / queries.PAGE_SIZE), 1),
    )


@bp.get("/overzicht.csv")
@access(Access.MEMBER)
def overview_csv():
    actor, session = current_actor(), db_session()
    filters = queries.OverviewFilters.from_args(request.args)
    text, filename = overview_export(session, actor, filters, _locale(), date.today())
    response = make_response(text)
    response.content_type = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- calendar


def _calendar_page(feed_url: str | None = None):
    actor = current_actor()
    response = make_response(
        render_template(
            "dashboards/calendar.html",
            actor=actor,
            has_feed=actor.user.calendar_token_hash is not None,
            feed_url=feed_url,
        )
    )
    response.headers["Cache-Control"] = "private, no-store"  # the link is shown only once
    return response


@bp.get("/kalender")
@access(Access.MEMBER)
def calendar():
    return _calendar_page()


@bp.post("/kalender")
@access(Access.MEMBER)
def renew_calendar():
    """Make a new secret feed link (the old one stops) and show it this once."""
    actor, session = current_actor(), db_session()
    if actor.user.is_admin or not EmptyForm().validate_on_submit():
        abort(400)
    token = feeds.renew_feed_token(session, actor.user)
    session.commit()
    return _calendar_page(url_for("dashboards.calendar_feed", token=token, _external=True))


@bp.post("/kalender/stoppen")
@access(Access.MEMBER)
def stop_calendar():
    actor, session = current_actor(), db_session()
    if not EmptyForm().validate_on_submit():
        abort(400)
    feeds.stop_feed(session, actor.user)
    session.commit()
    flash(_("Je kalenderlink werkt niet meer."), "info")
    return redirect(url_for("dashboards.calendar"))


@bp.get("/kalender/<token>.ics")
@access(Access.PUBLIC)
def calendar_feed(token: str):
    """The feed behind a secret link: public, but 404 for any token not in use."""
    session = db_session()
    user = feeds.user_for_token(session, token)
    if user is None:
        abort(404)
    host = urlsplit(request.host_url).hostname or "stagebank"
    with force_locale(user.locale or "nl"):
        events = [
            ics.request_event(
                placement_request,
                host,
                user.locale or "nl",
                lambda request_id: url_for(
                    "placements.request_page", request_id=request_id, _external=True
                ),
            )
            for placement_request in queries.calendar_requests(session, user)
        ]
        text = ics.calendar(_("Stages in Stagebank"), events)
    response = make_response(text)
    response.content_type = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=900"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
