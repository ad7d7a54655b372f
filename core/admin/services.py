"""Administrator rules of the console: people and their roles, merging duplicate
institutions, the mail outbox. Every change is audited; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    PrimaryKeyConstraint,
    Select,
    UniqueConstraint,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, selectinload

from core.access.policy import INVITABLE_ROLES, Action, Actor, require
from core.accounts.models import Membership, Role, User
from core.audit.services import record
from core.database import Base
from core.institutions.models import Institution, RegistrationStatus
from core.mail.models import MailStatus, OutboxMessage
from core.offers.models import HostingStatus

PAGE_SIZE = 50

MAIL_STATUS_LABELS = {
    MailStatus.QUEUED: _l("In de wachtrij"),
    MailStatus.SENDING: _l("Wordt verstuurd"),
    MailStatus.SENT: _l("Verstuurd"),
    MailStatus.FAILED: _l("Mislukt"),
}


class AdminRefused(ValueError):
    """A refusal shown to the administrator."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    pages: int


def _paginate(session: Session, query: Select, page: int) -> Page:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(ceil(total / PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    items = session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Page(list(items), total, page, pages)


# --------------------------------------------------------------------- people, roles


def find_users(session: Session, actor: Actor, text: str = "", page: int = 1) -> Page:
    """People whose name or e-mail address contains ``text``, by name."""
    require(actor, Action.ADMINISTER)
    query = (
        select(User)
        .options(selectinload(User.memberships).joinedload(Membership.institution))
        .order_by(User.name, User.id)
    )
    if text := (text or "").strip().lower():
        pattern = f"%{text}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    return _paginate(session, query, page)


def set_user_active(session: Session, actor: Actor, user: User, active: bool) -> None:
    """Deactivate (no login, no API, no mail) or reactivate an account."""
    require(actor, Action.ADMINISTER)
    if user.id == actor.user.id and not active:
        raise AdminRefused(_l("Je kunt je eigen account niet deactiveren."))
    if user.active == active:
        return
    user.active = active
    record(session, "user_reactivated" if active else "user_deactivated", actor.user, user)
    session.flush()


def grant_role(
    session: Session, actor: Actor, user: User, institution: Institution, role: Role | str
) -> Membership:
    """Give ``user`` a role in ``institution`` (one that fits a school or a programme)."""
    require(actor, Action.ADMINISTER)
    role = Role(role)
    if role not in INVITABLE_ROLES[institution.kind]:
        raise AdminRefused(_l("Deze rol past niet bij dit soort instelling."))
    taken = session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.institution_id == institution.id,
            Membership.role == role,
        )
    )
    if taken is not None:
        raise AdminRefused(_l("Deze persoon heeft die rol al in die instelling."))
    membership = Membership(user=user, institution=institution, role=role)
    session.add(membership)
    session.flush()
    record(
        session,
        "role_granted",
        actor.user,
        user,
        institution=institution.id,
        role=role.value,
        membership=membership.id,
    )
    return membership


def revoke_role(session: Session, actor: Actor, membership: Membership) -> None:
    """Take a role away; the person's other roles stay."""
    require(actor, Action.ADMINISTER)
    record(
        session,
        "role_revoked",
        actor.user,
        membership.user,
        institution=membership.institution_id,
        role=membership.role.value,
        membership=membership.id,
    )
    session.delete(membership)
    session.flush()


def find_institution(session: Session, reference: str) -> Institution | None:
    """An institution by its 6-digit instellingsnummer or its id (``123`` or ``#123``)."""
    reference = (reference or "").strip().lstrip("#")
    if not reference.isdigit():
        return None
    if len(reference) == 6:
        found = session.scalar(
            select(Institution).where(Institution.institution_number == reference)
        )
        if found is not None:
            return found
    return session.get(Institution, int(reference))


def search_institutions(session: Session, actor: Actor, text: str) -> list[Institution]:
    """Institutions whose name, number or id matches ``text`` (at most 50), to find
    duplicates."""
    require(actor, Action.ADMINISTER)
    text = (text or "").strip()
    if not text:
        return []
    conditions = [func.lower(Institution.name).like(f"%{text.lower()}%")]
    if text.isdigit():
        conditions += [Institution.institution_number == text, Institution.id == int(text)]
    return list(
        session.scalars(
            select(Institution).where(or_(*conditions)).order_by(Institution.name).limit(50)
        )
    )


# ------------------------------------------------------------------------ merging


#: The better of two registration states wins when merging.
STATUS_RANK = [
    RegistrationStatus.REJECTED,
    RegistrationStatus.REGISTRY,
    RegistrationStatus.PENDING,
    RegistrationStatus.APPROVED,
]


@dataclass(frozen=True)
class MergeResult:
    kept_id: int
    duplicate_id: int
    #: Rows moved onto the kept institution, per ``table.column``.
    moved: dict[str, int] = field(default_factory=dict)


def _references(table_name: str) -> list:
    """Every column (of the core and the plugins) with a foreign key to ``table_name``."""
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == table_name for fk in column.foreign_keys)
    ]


def _unique_sets(column) -> list[set[str]]:
    """The unique column sets of ``column``'s table that contain it."""
    table = column.table
    sets = [
        {c.name for c in constraint.columns}
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
    ]
    sets += [{c.name for c in index.columns} for index in table.indexes if index.unique]
    if column.unique:
        sets.append({column.name})
    return [names for names in sets if column.name in names]


def _repoint(session: Session, column, old_id: int, new_id: int) -> int:
    """Move the rows of ``column`` from ``old_id`` to ``new_id``. Rows that would then
    collide with a row of ``new_id`` under a unique constraint are deleted (the kept
    institution has them already). Returns how many rows were moved."""
    table = column.table
    for names in _unique_sets(column):
        twin = table.alias()
        same = [twin.c[name] == table.c[name] for name in names - {column.name}]
        session.execute(
            delete(table).where(
                column == old_id, exists().where(twin.c[column.name] == new_id, *same)
            )
        )
    return session.execute(update(table).where(column == old_id).values({column: new_id})).rowcount


def merge_institutions(
    session: Session, actor: Actor, duplicate: Institution, kept: Institution
) -> MergeResult:
    """Merge ``duplicate`` into ``kept`` and delete it, in the caller's transaction.

    Everything that refers to the duplicate (campuses, memberships, offers, hosting
    answers, requests, students, messages, tokens, plugin rows ...) moves onto the kept
    institution; where the kept one has the same row already (a person with the same role,
    an answer for the same school year) the duplicate's is dropped, with its accepted
    count added. The kept institution takes over the number, network and region it lacks,
    and the better registration state. Recorded in the audit log.
    """
    require(actor, Action.ADMINISTER)
    if duplicate.id == kept.id:
        raise AdminRefused(_l("Kies twee verschillende instellingen."))
    if duplicate.kind != kept.kind:
        raise AdminRefused(
            _l("Een school en een lerarenopleiding kunnen niet samengevoegd worden.")
        )
    summary = {"name": duplicate.name, "number": duplicate.institution_number or ""}
    _merge_twins(session, duplicate, kept)
    session.flush()
    moved = {}
    for column in _references("institutions"):
        count = _repoint(session, column, duplicate.id, kept.id)
        if count:
            moved[f"{column.table.name}.{column.name}"] = count
    session.expire_all()
    duplicate, kept = session.get(Institution, duplicate.id), session.get(Institution, kept.id)
    _take_over_facts(session, duplicate, kept)
    mains = [campus for campus in kept.campuses if campus.is_main]
    for campus in mains[1:]:
        campus.is_main = False
    session.delete(duplicate)
    session.flush()
    record(
        session,
        "institutions_merged",
        actor.user,
        kept,
        duplicate=duplicate.id,
        duplicate_name=summary["name"],
        duplicate_number=summary["number"],
        moved=", ".join(f"{key}={count}" for key, count in sorted(moved.items())),
    )
    return MergeResult(kept.id, duplicate.id, moved)


def _merge_twins(session: Session, duplicate: Institution, kept: Institution) -> None:
    """Before moving: fold the duplicate's memberships and hosting answers into the kept
    institution's equal ones, so nothing that points at them is lost."""
    for twin in session.scalars(
        select(Membership).where(Membership.institution_id == duplicate.id)
    ):
        own = session.scalar(
            select(Membership.id).where(
                Membership.institution_id == kept.id,
                Membership.user_id == twin.user_id,
                Membership.role == twin.role,
            )
        )
        if own is not None:
            for column in _references("memberships"):
                _repoint(session, column, twin.id, own)
    for twin in session.scalars(
        select(HostingStatus).where(HostingStatus.school_id == duplicate.id)
    ):
        own = session.scalar(
            select(HostingStatus).where(
                HostingStatus.school_id == kept.id, HostingStatus.school_year == twin.school_year
            )
        )
        if own is not None:
            own.accepted_count += twin.accepted_count
            if own.capacity is None:
                own.capacity = twin.capacity


def _take_over_facts(session: Session, duplicate: Institution, kept: Institution) -> None:
    if duplicate.institution_number and not kept.institution_number:
        number, duplicate.institution_number = duplicate.institution_number, None
        session.flush()
        kept.institution_number = number
    for name in ("network_code", "region_code", "organisation", "training_kind"):
        if getattr(kept, name) is None:
            setattr(kept, name, getattr(duplicate, name))
    if STATUS_RANK.index(duplicate.status) > STATUS_RANK.index(kept.status):
        kept.status = duplicate.status


# ------------------------------------------------------------------------- outbox


def outbox_page(
    session: Session, actor: Actor, status: MailStatus | None = None, page: int = 1
) -> Page:
    """Mail of the outbox, newest first, optionally of one status."""
    require(actor, Action.ADMINISTER)
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return _paginate(session, query, page)


def outbox_counts(session: Session) -> dict[MailStatus, int]:
    counts = dict(
        session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    return {status: counts.get(status, 0) for status in MailStatus}
