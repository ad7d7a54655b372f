"""The core's own implementations of the plugin hooks, registered as plugin ``core``.

Running the core through its own hooks means the contract is exercised on every start.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from core.plugins import hookimpl
from core.plugins.types import MigrationLocation, Name, ReportSection

CORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@hookimpl
def stagebank_blueprints():
    from core.accounts.views import bp as accounts
    from core.admin.views import bp as admin
    from core.api.setup import bp as api
    from core.api.token_views import bp as api_tokens
    from core.dashboards.views import bp as dashboards
    from core.institutions.views import bp as institutions
    from core.notifications.views import bp as notifications
    from core.offers.views import bp as offers
    from core.placements.bulk_views import bp as bulk
    from core.placements.views import bp as placements
    from core.search.views import bp as search
    from core.web.errors import bp as errors
    from core.web.views import bp as web

    return [
        web,
        errors,
        accounts,
        admin,
        placements,
        offers,
        search,
        institutions,
        notifications,
        dashboards,
        bulk,
        api,
        api_tokens,
    ]


@hookimpl
def stagebank_cli_commands():
    from core.cli import db_group, demo_command, serve_command
    from core.mail.cli import mail_group
    from core.notifications.cli import notifications_group
    from core.placements.cli import gdpr_group, requests_group
    from core.plugins.cli import plugins_group

    return [
        db_group,
        demo_command,
        serve_command,
        plugins_group,
        mail_group,
        gdpr_group,
        requests_group,
        notifications_group,
    ]


@hookimpl
def stagebank_migration_locations():
    return [MigrationLocation(CORE_MIGRATIONS, "core")]


@hookimpl
def stagebank_configure_app(app):
    from core.access.current import current_actor
    from core.offers.models import OFFER_STATUS_LABELS, OfferStatus
    from core.placements.forms import KIND_LABELS
    from core.placements.models import (
        STATUS_LABELS,
        TRANSITION_LABELS,
        InternshipKind,
        RequestStatus,
    )
    from core.plugins.templating import template_hook
    from core.web.security import add_security_headers

    app.jinja_env.globals["template_hook"] = template_hook
    app.jinja_env.globals["current_actor"] = current_actor
    app.jinja_env.globals["status_label"] = lambda status: STATUS_LABELS[RequestStatus(status)]
    app.jinja_env.globals["offer_status_label"] = lambda s: OFFER_STATUS_LABELS[OfferStatus(s)]
    app.jinja_env.globals["transition_label"] = lambda s: TRANSITION_LABELS[RequestStatus(s)]
    app.jinja_env.globals["kind_label"] = lambda kind: KIND_LABELS[InternshipKind(kind)]
    app.after_request(add_security_headers)


@hookimpl
def stagebank_report_sections(session, start, end):
    from core.placements.models import PlacementRequest

    rows = session.execute(
        select(PlacementRequest.status, func.count())
        .where(PlacementRequest.created_at >= start, PlacementRequest.created_at < end)
        .group_by(PlacementRequest.status)
        .order_by(PlacementRequest.status)
    ).all()
    return [
        ReportSection(
            key="requests_by_status",
            title=Name("Aanvragen per status", "Requests by status"),
            columns=("status", "aantal"),
            rows=tuple((status.value, count) for status, count in rows),
        )
    ]


@hookimpl
def stagebank_request_status_changed(placement_request, event):
    from sqlalchemy.orm import object_session

    from core.notifications.services import notify_status_changed

    notify_status_changed(object_session(placement_request), placement_request, event)


@hookimpl
def stagebank_template_fragment(slot, context):
    if slot == "footer":
        return Markup("<p>{}</p>").format(
            _l("Stagebank is open software voor alle onderwijsnetten in Vlaanderen en Brussel.")
        )
    return None
