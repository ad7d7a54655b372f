"""The emails of the accounts area, in Dutch (the reader's language once known)."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import ROLE_LABELS, Membership, Role, User
from core.institutions.models import Institution
from core.mail.services import queue_mail


def send_password_reset(session: Session, user: User, raw_token: str) -> None:
    link = url_for("accounts.reset_password", token=raw_token, _external=True)
    with force_locale(user.locale):
        queue_mail(
            session,
            to=user.email,
            subject=_("Stel je wachtwoord voor Stagebank opnieuw in"),
            body_text=_(
                "Hallo %(name)s,\n\nMet deze link kies je een nieuw wachtwoord. De link werkt "
                "één keer en blijft een uur geldig:\n\n%(link)s\n\nVroeg je dit niet aan? "
                "Dan hoef je niets te doen.",
                name=user.name,
                link=link,
            ),
            kind="password_reset",
        )


def send_invitation(
    session: Session,
    email: str,
    institution: Institution,
    role: Role,
    inviter: User,
    raw_token: str,
) -> None:
    link = url_for("accounts.accept_invitation", token=raw_token, _external=True)
    queue_mail(
        session,
        to=email,
        subject=_("Uitnodiging voor Stagebank: %(institution)s", institution=institution.name),
        body_text=_(
            "Hallo,\n\n%(inviter)s nodigt je uit als %(role)s bij %(institution)s op "
            "Stagebank. Met deze link aanvaard je de uitnodiging en kies je zelf je "
            "wachtwoord (twee weken geldig):\n\n%(link)s",
            inviter=inviter.name,
            role=ROLE_LABELS[role],
            institution=institution.name,
            link=link,
        ),
        kind="invitation",
    )


def send_registration_decision(
    session: Session, institution: Institution, approved: bool, reason: str = ""
) -> None:
    """Tell the institution's people that an administrator decided on its registration."""
    link = url_for("accounts.login", _external=True)
    for membership in institution_memberships(session, institution):
        user = membership.user
        with force_locale(user.locale):
            if approved:
                subject = _("Je aanmelding bij Stagebank is goedgekeurd")
                body = _(
                    "Hallo %(name)s,\n\n%(institution)s kan Stagebank nu gebruiken. "
                    "Meld je aan:\n\n%(link)s",
                    name=user.name,
                    institution=institution.name,
                    link=link,
                )
            else:
                subject = _("Je aanmelding bij Stagebank werd niet goedgekeurd")
                body = _(
                    "Hallo %(name)s,\n\nDe aanmelding van %(institution)s werd niet "
                    "goedgekeurd. Reden: %(reason)s",
                    name=user.name,
                    institution=institution.name,
                    reason=reason,
                )
            queue_mail(
                session,
                to=user.email,
                subject=subject,
                body_text=body,
                kind="registration_decision",
            )


def institution_memberships(session: Session, institution: Institution) -> list[Membership]:
    return list(
        session.scalars(select(Membership).where(Membership.institution_id == institution.id))
    )
