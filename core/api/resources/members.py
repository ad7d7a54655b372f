"""An institution's people and invitations of colleagues (``core.accounts.services``)."""

from __future__ import annotations

from core.access.current import current_actor
from core.access.routes import Access, access
from core.accounts import mails, services
from core.accounts.models import Role
from core.api.common import api_blueprint, page_of_list
from core.api.schemas import InvitationSchema, MemberSchema, PageArgs, page_of
from core.database import db_session

blp = api_blueprint("members", "An institution's people; coordinators invite colleagues.")


@blp.route("/institutions/<id:institution_id>/members")
@access(Access.MEMBER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(MemberSchema))
def list_members(args, institution_id: int):
    """The people of the token's own institution and their roles (e.g. the mentors to
    name on an offer or a request)."""
    _, members, _ = services.institution_members(db_session(), current_actor(), institution_id)
    return page_of_list(members, args)


@blp.route("/institutions/<id:institution_id>/invitations", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(InvitationSchema)
@blp.response(201, InvitationSchema)
def invite(values, institution_id: int):
    """A coordinator invites a colleague by mail: a school a coordinator or mentor, a
    programme a coordinator, supervisor or student. The link works two weeks."""
    session, actor = db_session(), current_actor()
    institution, _, _ = services.institution_members(session, actor, institution_id)
    email, role = services.normalise_email(values["email"]), Role(values["role"])
    raw = services.invite(session, actor, institution, email, role)
    mails.send_invitation(session, email, institution, role, actor.user, raw)
    session.commit()
    return {"email": email, "role": role, "institution_id": institution.id}
