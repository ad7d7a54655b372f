"""The access policy: every decision about who may do what on which object is made here.

Service functions call :func:`require` (or :func:`can`); the web views, the API, the CLI
and bridges all go through those services, so they obey the same rules. Views never
decide by themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import object_session

from core.accounts.models import Membership, Role, User
from core.institutions.models import Institution, InstitutionKind, RegistrationStatus
from core.placements.models import PlacementRequest, Student

SCHOOL_ROLES = frozenset({Role.SCHOOL_COORDINATOR, Role.MENTOR})
PROGRAMME_ROLES = frozenset({Role.PROGRAMME_COORDINATOR, Role.PROGRAMME_SUPERVISOR, Role.STUDENT})
COORDINATORS = frozenset({Role.SCHOOL_COORDINATOR, Role.PROGRAMME_COORDINATOR})

#: Roles a coordinator may invite colleagues into, per kind of institution.
INVITABLE_ROLES = {
    InstitutionKind.SCHOOL: (Role.SCHOOL_COORDINATOR, Role.MENTOR),
    InstitutionKind.PROGRAMME: (
        Role.PROGRAMME_COORDINATOR,
        Role.PROGRAMME_SUPERVISOR,
        Role.STUDENT,
    ),
}


class Action(enum.StrEnum):
    VIEW_REQUEST = "view_request"
    VIEW_INSTITUTION_ADMIN = "view_institution_admin"
    MANAGE_MEMBERS = "manage_members"
    VIEW_STUDENT = "view_student"
    MANAGE_OFFERS = "manage_offers"
    CREATE_REQUEST = "create_request"
    MANAGE_STUDENTS = "manage_students"
    ASSIGN_MENTOR = "assign_mentor"
    POST_MESSAGE = "post_message"
    ADMINISTER = "administer"


class Denied(Exception):
    """The actor may not do this. ``not_found`` hides the object's existence."""

    def __init__(self, not_found: bool = True):
        super().__init__("denied")
        self.not_found = not_found


@dataclass(frozen=True)
class Actor:
    """A person acting in one of their memberships (or as administrator, or anonymous)."""

    user: User | None
    membership: Membership | None = None

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.is_admin and self.user.active)

    @property
    def role(self) -> Role | None:
        return self.membership.role if self.membership else None

    @property
    def institution_id(self) -> int | None:
        return self.membership.institution_id if self.membership else None

    @property
    def is_active_member(self) -> bool:
        """True when acting for an approved institution (a pending one can only wait)."""
        return bool(
            self.membership
            and self.user
            and self.user.active
            and self.membership.institution.status == RegistrationStatus.APPROVED
        )


ANONYMOUS = Actor(None)


def can(actor: Actor, action: Action, target=None) -> bool:
    """True when ``actor`` may perform ``action`` on ``target``."""
    if actor.is_admin:
        return True
    if action is Action.ADMINISTER or not actor.is_active_member:
        return False
    if action is Action.VIEW_REQUEST:
        return _sees_request(actor, target)
    if action is Action.VIEW_STUDENT:
        return _sees_student(actor, target)
    if action is Action.VIEW_INSTITUTION_ADMIN:
        return target is not None and target.id == actor.institution_id
    if action is Action.MANAGE_OFFERS:
        return (
            target is not None
            and target.id == actor.institution_id
            and actor.role is Role.SCHOOL_COORDINATOR
        )
    if action in (Action.CREATE_REQUEST, Action.MANAGE_STUDENTS):
        return (
            target is not None
            and target.id == actor.institution_id
            and actor.role is Role.PROGRAMME_COORDINATOR
        )
    if action is Action.ASSIGN_MENTOR:
        return target.school_id == actor.institution_id and actor.role is Role.SCHOOL_COORDINATOR
    if action is Action.POST_MESSAGE:
        return actor.role is not Role.STUDENT and _sees_request(actor, target)
    if action is Action.MANAGE_MEMBERS:
        return (
            target is not None and target.id == actor.institution_id and actor.role in COORDINATORS
        )
    return False


def require(actor: Actor, action: Action, target=None) -> None:
    """Raise :class:`Denied` unless :func:`can` allows it."""
    if not can(actor, action, target):
        # Hide foreign objects (404); one's own institution is known, so that is a 403.
        own = isinstance(target, Institution) and target.id == actor.institution_id
        raise Denied(not_found=target is not None and not own)


def _sees_request(actor: Actor, request: PlacementRequest) -> bool:
    # One rule for lists and single objects: ask the database with the same condition.
    session = object_session(request)
    found = session.scalar(
        select(PlacementRequest.id).where(
            PlacementRequest.id == request.id, visible_requests(actor)
        )
    )
    return found is not None


def _sees_student(actor: Actor, student: Student) -> bool:
    if actor.role is Role.PROGRAMME_COORDINATOR:
        return student.programme_id == actor.institution_id
    if actor.role is Role.STUDENT:
        return student.user_id == actor.user.id
    return False


def visible_requests(actor: Actor) -> ColumnElement[bool]:
    """SQL condition selecting the requests ``actor`` may view (lists and single pages)."""
    if actor.is_admin:
        return true()
    if not actor.is_active_member:
        return false()
    role, institution, user_id = actor.role, actor.institution_id, actor.user.id
    if role is Role.SCHOOL_COORDINATOR:
        return PlacementRequest.school_id == institution
    if role is Role.MENTOR:
        return (PlacementRequest.school_id == institution) & (PlacementRequest.mentor_id == user_id)
    if role is Role.PROGRAMME_COORDINATOR:
        return PlacementRequest.programme_id == institution
    if role is Role.PROGRAMME_SUPERVISOR:
        return (PlacementRequest.programme_id == institution) & (
            PlacementRequest.supervisor_id == user_id
        )
    if role is Role.STUDENT:
        own_students = select(Student.id).where(Student.user_id == user_id)
        return (PlacementRequest.programme_id == institution) & PlacementRequest.student_id.in_(
            own_students
        )
    return false()


def student_fields_for(actor: Actor, request: object) -> tuple[str, ...]:
    """Which student fields ``actor`` may see on ``request`` (a request or a dashboard
    row of one: today the fields depend on the actor's side only).

    A school gets what it needs to host the student (name and contact address), never
    the student number or home postcode, which stay with the programme.
    """
    if actor.is_admin or actor.role in PROGRAMME_ROLES:
        return ("full_name", "email", "student_number", "home_postcode")
    return ("full_name", "email")


#: Who may move a request into each state: the school answers, the programme submits and
#: withdraws, either side cancels or completes. Expiry is the system's alone.
TRANSITION_ROLES = {
    "submitted": {Role.PROGRAMME_COORDINATOR},
    "accepted": {Role.SCHOOL_COORDINATOR},
    "declined": {Role.SCHOOL_COORDINATOR},
    "withdrawn": {Role.PROGRAMME_COORDINATOR},
    "cancelled": {Role.SCHOOL_COORDINATOR, Role.PROGRAMME_COORDINATOR},
    "completed": {Role.SCHOOL_COORDINATOR, Role.PROGRAMME_COORDINATOR},
    "expired": set(),
}


def may_transition(actor: Actor | None, request: PlacementRequest, to_status: str) -> bool:
    """True when ``actor`` may move ``request`` to ``to_status`` (None: the system itself)."""
    if actor is None or actor.is_admin:
        return True
    if not actor.is_active_member or actor.role not in TRANSITION_ROLES.get(str(to_status), ()):
        return False
    side = request.school_id if actor.role is Role.SCHOOL_COORDINATOR else request.programme_id
    return side == actor.institution_id
