"""Running a bridge: push the outbox, pull, apply, and record the run.

A run is all-or-nothing: one refused record and nothing is applied (every refusal is still
reported). With ``partial`` the good records are applied and the bad ones reported; with
``dry_run`` everything is checked and counted, then rolled back, and nothing is pushed.
:func:`sync_bridge` is the entry point for the command line, the admin page and scheduled
jobs alike.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from core.bridges.models import BridgeRun, BridgeRunIssue, IssueLevel, RunStatus
from core.bridges.outbox import deliver, waiting_count
from core.bridges.registry import available_bridges
from core.bridges.services import SILENT, Applier, BatchFailed, Report
from core.database import database, utcnow
from core.plugins.manager import plugins_of
from core.plugins.types import BridgeConnector, BridgeRecord, BridgeSpec, BridgeUnavailable

log = logging.getLogger(__name__)
#: A run of the same bridge younger than this blocks a new one.
RUN_GUARD = timedelta(hours=1)
ALL_OR_NOTHING, PARTIAL = "all-or-nothing", "partial"


class BridgeRefused(ValueError):
    """A run that cannot start (unknown bridge, one already running); one sentence in the
    run's language."""


def setting_env_name(key: str) -> str:
    """``sintgorik_bridge.url`` is read from ``STAGEBANK_SINTGORIK_BRIDGE_URL``."""
    return "STAGEBANK_" + re.sub(r"[^A-Z0-9]", "_", key.upper())


def bridge_settings(app: Flask, spec: BridgeSpec) -> dict[str, Any]:
    """The spec's settings by their last part (``url``): app.config, else the environment.

    A value from the environment is put into app.config on first use.
    """
    settings = {}
    for key in spec.settings:
        if key not in app.config:
            value = os.environ.get(setting_env_name(key))
            if value not in (None, ""):
                app.config[key] = value
        settings[key.rsplit(".", 1)[-1]] = app.config.get(key)
    return settings


def connect_problem(app: Flask, spec: BridgeSpec) -> str | None:
    """Why the bridge cannot connect with its settings (one sentence), or None when it can.

    Building a connector only reads the settings; nothing is sent.
    """
    if spec.connect is None:
        return str(_l("Deze brug kan niet synchroniseren."))
    try:
        spec.connect(bridge_settings(app, spec))
    except BridgeUnavailable as problem:
        return str(problem)
    return None


def sync_bridge(
    app: Flask,
    name: str,
    dry_run: bool = False,
    partial: bool = False,
    *,
    source: str = "job",
    user_id: int | None = None,
    locale: str = "nl",
) -> BridgeRun:
    """Sync bridge ``name`` once and return the recorded run (for jobs, the CLI, the page).

    Raises :class:`BridgeRefused` for an unknown bridge or one that is already running;
    everything else (the other side down, refused records) ends in the returned run.
    """
    bridges = available_bridges(plugins_of(app))
    if name not in bridges or bridges[name][1].connect is None:
        with app.app_context(), force_locale(locale):
            raise BridgeRefused(
                str(
                    _l(
                        "Onbekende brug '%(name)s'; bruggen om te synchroniseren: %(names)s.",
                        name=name,
                        names=", ".join(n for n, (_p, s) in sorted(bridges.items()) if s.connect)
                        or "-",
                    )
                )
            )
    spec = bridges[name][1]
    made: list[BridgeConnector] = []

    def connector() -> BridgeConnector:
        if not made:
            made.append(spec.connect(bridge_settings(app, spec)))
        return made[0]

    def push(session, run: BridgeRun) -> None:
        if dry_run:
            return
        try:
            delivery = deliver(session, name, connector())
        except BridgeUnavailable:
            return  # not configured: the pull reports it
        run.pushed = delivery.delivered
        run.message = delivery.stopped
        run.issues.extend(
            BridgeRunIssue(
                level=IssueLevel.REFUSED, kind="outbox", external_id=row.external_id, reason=reason
            )
            for row, reason in delivery.refused
        )
        session.commit()

    return execute(
        app,
        name,
        lambda: connector().pull(),
        dry_run=dry_run,
        partial=partial,
        reason=f"bridge {name}",
        source=source,
        user_id=user_id,
        locale=locale,
        before=push,
        complete_kinds=lambda: connector().complete_kinds,
    )


def execute(
    app: Flask,
    system: str,
    load: Callable[[], Iterable[BridgeRecord]],
    *,
    dry_run: bool,
    partial: bool,
    reason: str,
    source: str,
    user_id: int | None,
    locale: str,
    silent: bool = False,
    before: Callable | None = None,
    complete_kinds: Callable[[], Iterable[str]] = tuple,
) -> BridgeRun:
    """Load records, apply them under the run rules and record the run; never raises for
    an unreadable source or refused records (they end up in the run)."""
    with app.app_context(), force_locale(locale), database(app).sessionmaker() as session:
        run = _start(session, system, dry_run, partial, source, user_id)
        report = Report()
        try:
            if before is not None:
                before(session, run)
            records = list(load())
            session.info[SILENT] = silent
            report = Applier(session, plugins_of(app), system, reason).apply_all(
                records, complete_kinds()
            )
            keep = not dry_run and (partial or report.refused == 0)
            session.commit() if keep else session.rollback()
            status = _outcome(report, dry_run, partial)
        except (BridgeUnavailable, BatchFailed) as unavailable:
            session.rollback()
            status, run.message = RunStatus.FAILED, str(unavailable)
        except Exception as error:  # noqa: BLE001 - a run must never stay "running"
            session.rollback()
            log.exception("bridge run %s failed", system)
            status = RunStatus.FAILED
            message = (
                _l("De database weigerde de wijzigingen (%(error)s).", error=_first_line(error))
                if isinstance(error, SQLAlchemyError)
                else _l("Onverwachte fout (%(error)s).", error=_first_line(error))
            )
            run.message = str(message)
        finally:
            session.info.pop(SILENT, None)
        _finish(session, run, status, report, system)
        return run


def _start(session, system, dry_run, partial, source, user_id) -> BridgeRun:
    busy = session.scalar(
        select(BridgeRun.id).where(
            BridgeRun.bridge == system,
            BridgeRun.status == RunStatus.RUNNING,
            BridgeRun.started_at > utcnow() - RUN_GUARD,
        )
    )
    if busy is not None:
        raise BridgeRefused(
            str(
                _l(
                    "Run %(id)d van %(bridge)s is nog bezig; probeer opnieuw als die klaar is.",
                    id=busy,
                    bridge=system,
                )
            )
        )
    run = BridgeRun(
        bridge=system,
        mode=PARTIAL if partial else ALL_OR_NOTHING,
        dry_run=dry_run,
        source=source,
        started_by_id=user_id,
        status=RunStatus.RUNNING,
    )
    session.add(run)
    session.commit()
    return run


def _outcome(report: Report, dry_run: bool, partial: bool) -> RunStatus:
    if dry_run:
        return RunStatus.CHECKED
    if report.refused:
        return RunStatus.PARTIAL if partial else RunStatus.REFUSED
    return RunStatus.SUCCEEDED


def _finish(session, run: BridgeRun, status: RunStatus, report: Report, system: str) -> None:
    run.status = status
    for name in ("created", "updated", "unchanged", "refused", "conflicts"):
        setattr(run, name, getattr(report, name))
    run.issues.extend(
        BridgeRunIssue(
            level=issue.level,
            kind=issue.kind,
            external_id=issue.external_id,
            position=issue.position,
            reason=issue.reason,
        )
        for issue in report.issues
    )
    if status is RunStatus.REFUSED and not run.message:
        run.message = str(_l("%(n)d record(s) geweigerd, dus niets toegepast.", n=report.refused))
    run.waiting = waiting_count(session, system)
    run.finished_at = utcnow()
    session.commit()


def _first_line(error: Exception) -> str:
    orig = getattr(error, "orig", None) or error
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(error).__name__


def run_summary(run: BridgeRun) -> str:
    """One English sentence on a run, for the command line."""
    parts = [
        f"{run.created} created",
        f"{run.updated} updated",
        f"{run.unchanged} unchanged",
        f"{run.refused} refused",
        f"{run.conflicts} conflict(s)",
    ]
    pushed = (
        f"; {run.pushed} change(s) pushed, {run.waiting} waiting"
        if run.pushed or run.waiting
        else ""
    )
    return f"Run {run.id} of {run.bridge} {run.status.value}: {', '.join(parts)}{pushed}."
