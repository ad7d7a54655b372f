"""The core's own implementations of the plugin hooks, registered as plugin ``core``.

Running the core through its own hooks means the contract is exercised on every start.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.plugins import hookimpl
from core.plugins.types import MigrationLocation

CORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@hookimpl
def stagebank_blueprints():
    from core.accounts.views import bp as accounts
    from core.admin.views import bp as admin
    from core.allocation.views import bp as allocation
    from core.api.setup import bp as api
    from core.api.token_views import bp as api_tokens
    from core.bridges.views import bp as bridges
    from core.dashboards.views import bp as dashboards
    from core.helpdesk.views import bp as helpdesk
    from core.institutions.views import bp as institutions
    from core.newsletters.views import bp as newsletters
    from core.notifications.views import bp as notifications
    from core.offers.views import bp as offers
    from core.placements.bulk_views import bp as bulk
    from core.placements.views import bp as placements
    from core.reports.views import bp as reports
    from core.search.views import bp as search
    from core.web.errors import bp as errors
    from core.web.health import bp as health
    from core.web.views import bp as web

    return [
        web,
        health,
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
        bridges,
        reports,
        helpdesk,
        newsletters,
        allocation,
    ]


@hookimpl
def stagebank_cli_commands():
    from core.api.cli import token_group
    from core.backup.cli import export_command, import_command
    from core.bridges.cli import bridge_group, import_group
    from core.cli import db_group, demo_command, serve_command
    from core.jobs.cli import jobs_group, worker_command
    from core.mail.cli import mail_group
    from core.notifications.cli import notifications_group
    from core.placements.cli import gdpr_group, requests_group
    from core.plugins.cli import plugins_group
    from core.reports.cli import registry_group, report_command

    return [
        db_group,
        demo_command,
        serve_command,
        plugins_group,
        mail_group,
        gdpr_group,
        requests_group,
        notifications_group,
        token_group,
        worker_command,
        jobs_group,
        export_command,
        import_command,
        # after import_command: `import legacy`, and `import FILE` falls back to it
        bridge_group,
        import_group,
        report_command,
        registry_group,
    ]


@hookimpl
def stagebank_migration_locations():
    return [MigrationLocation(CORE_MIGRATIONS, "core")]


@hookimpl
def stagebank_configure_app(app):
    from core import logging as request_logging
    from core.access.current import current_actor
    from core.jobs import queue
    from core.offers.models import OFFER_STATUS_LABELS, OfferStatus
    from core.placements.forms import KIND_LABELS
    from core.placements.models import (
        STATUS_LABELS,
        TRANSITION_LABELS,
        InternshipKind,
        RequestStatus,
    )
    from core.plugins.templating import template_hook
    from core.web import input_guard, page_cache, proxy
    from core.web.security import add_security_headers

    app.jinja_env.globals["template_hook"] = template_hook
    app.jinja_env.globals["current_actor"] = current_actor
    app.jinja_env.globals["status_label"] = lambda status: STATUS_LABELS[RequestStatus(status)]
    app.jinja_env.globals["offer_status_label"] = lambda s: OFFER_STATUS_LABELS[OfferStatus(s)]
    app.jinja_env.globals["transition_label"] = lambda s: TRANSITION_LABELS[RequestStatus(s)]
    app.jinja_env.globals["kind_label"] = lambda kind: KIND_LABELS[InternshipKind(kind)]
    app.after_request(add_security_headers)
    page_cache.init_app(app)  # before the request log, which puts itself first
    request_logging.init_app(app)
    queue.init_app(app)
    proxy.init_app(app)
    input_guard.init_app(app)


@hookimpl
def stagebank_report_sections(session, start, end):
    from core.allocation.report import shortage_section
    from core.reports.figures import core_sections

    return [*core_sections(session, start, end), shortage_section(session, end)]


@hookimpl
def stagebank_request_status_changed(placement_request, event):
    from sqlalchemy.orm import object_session

    from core.bridges.outbox import queue_status_change
    from core.bridges.services import SILENT
    from core.notifications.services import notify_status_changed

    session = object_session(placement_request)
    # Requests that came from a bridge: the change waits in its outbox, same transaction.
    queue_status_change(session, placement_request, event)
    if not session.info.get(SILENT):  # a legacy import replays history: nobody is told
        notify_status_changed(session, placement_request, event)


@hookimpl
def stagebank_template_fragment(slot, context):
    if slot == "footer":
        return Markup("<p>{}</p>").format(
            _l("Stagebank is open software voor alle onderwijsnetten in Vlaanderen en Brussel.")
        )
    return None
