"""Helpdesk rules: asking, triage, answering (in the platform and by mail), the FAQ.

A person sees only their own questions (a foreign one raises ``Denied``, answered 404);
administrators see, triage and answer all of them. Never commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.access.policy import Action, Actor, Denied, require
from core.database import utcnow
from core.helpdesk.models import FaqEntry, Ticket, TicketCategory, TicketKind, TicketStatus
from core.mail.services import queue_mail
from core.notifications.services import external_url

PAGE_LENGTH = 500


class HelpdeskRefused(ValueError):
    """A refusal shown to the person, optionally tied to a form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def local_page(page: str | None) -> str:
    """The page a question was asked from: a path on this site, else nothing."""
    page = (page or "").strip()
    if not page.startswith("/") or page.startswith("//") or "\\" in page:
        return ""
    return page[:PAGE_LENGTH]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


# ----------------------------------------------------------------------------- tickets


def create_ticket(
    session: Session,
    actor: Actor,
    kind: TicketKind | str,
    category: TicketCategory | str,
    subject: str,
    body: str,
    page: str | None = None,
) -> Ticket:
    """A signed-in person asks a question or leaves feedback; the page they came from and
    the role they act in are attached."""
    if actor.user is None:
        raise Denied(not_found=False)
    subject, body = _one_line(subject)[:200], (body or "").strip()
    if not subject:
        raise HelpdeskRefused(_l("Geef je vraag een korte titel."), "subject")
    if not body:
        raise HelpdeskRefused(_l("Schrijf je vraag of feedback."), "body")
    role = "admin" if actor.is_admin and actor.membership is None else (actor.role or "")
    ticket = Ticket(
        user=actor.user,
        institution_id=actor.institution_id,
        role=str(role),
        page=local_page(page),
        kind=TicketKind(kind),
        category=TicketCategory(category),
        status=TicketStatus.NEW,
        subject=subject,
        body=body,
    )
    session.add(ticket)
    session.flush()
    return ticket


def own_tickets(session: Session, actor: Actor) -> list[Ticket]:
    """The questions ``actor`` asked, newest first."""
    if actor.user is None:
        return []
    return list(
        session.scalars(
            select(Ticket).where(Ticket.user_id == actor.user.id).order_by(Ticket.id.desc())
        )
    )


def own_ticket(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    """One of ``actor``'s own questions; anyone else's is not found."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or actor.user is None or ticket.user_id != actor.user.id:
        raise Denied()
    return ticket


def all_tickets(
    session: Session,
    actor: Actor,
    category: TicketCategory | None = None,
    status: TicketStatus | None = None,
) -> list[Ticket]:
    """Every question, filtered by category and status; unanswered first, oldest first."""
    require(actor, Action.ADMINISTER)
    query = select(Ticket)
    if category:
        query = query.where(Ticket.category == category)
    if status:
        query = query.where(Ticket.status == status)
    order = [TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.ANSWERED, TicketStatus.CLOSED]
    tickets = session.scalars(query.order_by(Ticket.created_at, Ticket.id)).all()
    return sorted(tickets, key=lambda ticket: order.index(ticket.status))


def ticket_for_admin(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    require(actor, Action.ADMINISTER)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise Denied()
    return ticket


def triage(
    session: Session,
    actor: Actor,
    ticket: Ticket,
    category: TicketCategory | str,
    status: TicketStatus | str,
) -> None:
    """An administrator files a question under a category and sets its status."""
    require(actor, Action.ADMINISTER)
    ticket.category, ticket.status = TicketCategory(category), TicketStatus(status)
    session.flush()


def answer_ticket(session: Session, actor: Actor, ticket: Ticket, text: str) -> None:
    """An administrator answers: the person sees it on /hulp and gets it by mail, in their
    language (each answer is mailed once)."""
    require(actor, Action.ADMINISTER)
    text = (text or "").strip()
    if not text:
        raise HelpdeskRefused(_l("Schrijf een antwoord."), "answer")
    ticket.answer = text
    ticket.answer_count += 1
    ticket.answered_by = actor.user
    ticket.answered_at = utcnow()
    ticket.status = TicketStatus.ANSWERED
    session.flush()
    user = ticket.user
    if not user.active:
        return
    with force_locale(user.locale):
        body = "\n\n".join(
            [
                _("Hallo %(name)s,", name=user.name),
                _(
                    "Je stelde Stagebank een vraag: “%(subject)s”. Dit is ons antwoord:",
                    subject=ticket.subject,
                ),
                text,
                _(
                    "Je vindt al je vragen en onze antwoorden ook op %(link)s",
                    link=external_url("helpdesk.ticket_page", ticket_id=ticket.id),
                ),
            ]
        )
        subject = _("Antwoord op je vraag: %(subject)s", subject=ticket.subject)
    queue_mail(
        session,
        user.email,
        subject,
        body,
        kind="helpdesk_answer",
        dedup_key=f"helpdesk:{ticket.id}:answer:{ticket.answer_count}",
    )


def waiting_count(session: Session) -> int:
    """Questions not yet answered or closed."""
    return session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.status.in_([TicketStatus.NEW, TicketStatus.IN_PROGRESS])
        )
    )


def category_counts(session: Session, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Questions asked in ``[start, end)`` per category, the most frequent first (every
    category, zeros last)."""
    counts = dict(
        session.execute(
            select(Ticket.category, func.count(Ticket.id))
            .where(Ticket.created_at >= start, Ticket.created_at < end)
            .group_by(Ticket.category)
        ).all()
    )
    order = list(TicketCategory)
    ranked = sorted(order, key=lambda category: (-counts.get(category, 0), order.index(category)))
    return [(category.value, counts.get(category, 0)) for category in ranked]


# --------------------------------------------------------------------------------- FAQ


def faq_entries(session: Session) -> list[FaqEntry]:
    return list(session.scalars(select(FaqEntry).order_by(FaqEntry.position, FaqEntry.id)))


def save_faq_entry(
    session: Session, actor: Actor, entry: FaqEntry | None, values: dict
) -> FaqEntry:
    """Add (``entry`` None) or change an FAQ entry; Dutch question and answer are needed."""
    require(actor, Action.ADMINISTER)
    if entry is None:
        entry = FaqEntry()
        session.add(entry)
    entry.question_nl = _one_line(values["question_nl"])[:300]
    entry.answer_nl = (values["answer_nl"] or "").strip()
    entry.question_en = _one_line(values.get("question_en") or "")[:300]
    entry.answer_en = (values.get("answer_en") or "").strip()
    entry.position = values.get("position") or 100
    if not entry.question_nl or not entry.answer_nl:
        raise HelpdeskRefused(_l("Een vraag en een antwoord in het Nederlands zijn nodig."))
    session.flush()
    return entry


def delete_faq_entry(session: Session, actor: Actor, entry: FaqEntry) -> None:
    require(actor, Action.ADMINISTER)
    session.delete(entry)
    session.flush()
