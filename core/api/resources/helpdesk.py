"""The helpdesk (``/hulp``): asking a question or giving feedback, and reading one's own
questions with their answers (``core.helpdesk.services``)."""

from __future__ import annotations

from core.access.current import current_actor
from core.access.routes import Access, access
from core.api.common import api_blueprint, checked_form, page_of_list
from core.api.schemas import PageArgs, QuestionSchema, QuestionValuesSchema, page_of
from core.database import db_session
from core.helpdesk import services
from core.helpdesk.forms import TicketForm

blp = api_blueprint("helpdesk", "Questions and feedback to the helpdesk, and its answers.")


@blp.route("/helpdesk/questions")
@access(Access.SIGNED_IN)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(QuestionSchema))
def list_questions(args):
    """The token owner's own questions, newest first, with the answers."""
    return page_of_list(services.own_tickets(db_session(), current_actor()), args)


@blp.route("/helpdesk/questions", methods=["POST"])
@access(Access.SIGNED_IN)
@blp.arguments(QuestionValuesSchema)
@blp.response(201, QuestionSchema)
def ask_question(values):
    """Ask a question or give feedback (``kind``), as on the web form; the answer comes
    here and by mail."""
    session = db_session()
    form = checked_form(TicketForm, values)
    ticket = services.create_ticket(
        session,
        current_actor(),
        form.kind.data,
        form.category.data,
        form.subject.data,
        form.body.data,
        form.page.data,
    )
    session.commit()
    return ticket


@blp.route("/helpdesk/questions/<id:ticket_id>")
@access(Access.SIGNED_IN)
@blp.response(200, QuestionSchema)
def get_question(ticket_id: int):
    """One of the token owner's own questions (anyone else's: 404)."""
    return services.own_ticket(db_session(), current_actor(), ticket_id)
