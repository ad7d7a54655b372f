"""The web page where a person makes and revokes their own personal API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from core.access.current import current_actor
from core.access.routes import Access, access
from core.accounts.forms import EmptyForm
from core.accounts.models import ROLE_LABELS
from core.api import tokens
from core.database import db_session

bp = Blueprint("api_tokens", __name__, template_folder="templates")

#: The choice of an administrator's token that acts in no institution.
AS_ADMIN = 0


class TokenForm(FlaskForm):
    name = StringField(
        _l("Naam"),
        [InputRequired(_l("Geef de token een naam.")), Length(max=100)],
        description=_l("Bijvoorbeeld het programma dat de token gebruikt."),
    )
    membership_id = SelectField(
        _l("Rol waarin de token werkt"),
        coerce=int,
        choices=[],
        invalid_choice_message=_l("Kies de rol waarin de token werkt."),
    )
    read_only = BooleanField(_l("Alleen lezen (de token kan niets wijzigen)"))


def _form(user) -> TokenForm:
    form = TokenForm()
    form.membership_id.choices = [
        SelectChoice(m.id, f"{m.institution.name} — {ROLE_LABELS[m.role]}")
        for m in sorted(user.memberships, key=lambda m: m.id)
    ]
    if user.is_admin:
        form.membership_id.choices.insert(
            0, SelectChoice(AS_ADMIN, _l("Beheerder van het platform"))
        )
    return form


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    user = current_actor().user
    response = make_response(
        render_template(
            "api/tokens.html",
            form=form,
            tokens=tokens.tokens_of(db_session(), user),
            secret=secret,
            revoke_form=EmptyForm(),
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"  # the new secret is on this page once
    return response


@bp.get("/account/api-tokens")
@access(Access.SIGNED_IN)
def token_page():
    return _page(_form(current_actor().user))


@bp.post("/account/api-tokens")
@access(Access.SIGNED_IN)
def create_token():
    user = current_actor().user
    form = _form(user)
    if not form.validate_on_submit():
        return _page(form, status=400)
    membership = next((m for m in user.memberships if m.id == form.membership_id.data), None)
    db = db_session()
    try:
        _, secret = tokens.create_token(db, user, form.name.data, membership, form.read_only.data)
    except tokens.TokenRefused as refused:
        db.rollback()
        for name, messages in refused.errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, *messages]
        return _page(form, status=400)
    db.commit()
    return _page(_form(user), secret=secret)


@bp.post("/account/api-tokens/<int:token_id>/intrekken")
@access(Access.SIGNED_IN)
def revoke_token(token_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = db_session()
    token = tokens.revoke_token(db, current_actor().user, token_id)
    db.commit()
    flash(_("De token %(name)s is ingetrokken.", name=token.name), "info")
    return redirect(url_for("api_tokens.token_page"))
