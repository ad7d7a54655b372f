"""Thin views for signing up, in and out, passwords, invitations and one's own account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from wtforms import SelectChoice

from core.access.current import choose_membership, current_actor
from core.access.policy import INVITABLE_ROLES
from core.access.routes import Access, access
from core.accounts import forms, mails, services
from core.accounts.models import ROLE_LABELS, Role
from core.accounts.tokens import TokenInvalid
from core.database import db_session
from core.institutions.models import InstitutionKind

bp = Blueprint("accounts", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("placements.dashboard")
    return target


def _show_error(form, error: services.AccountError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


@bp.route("/aanmelden", methods=["GET", "POST"])
@access(Access.PUBLIC)
def login():
    form = forms.LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db = db_session()
        try:
            user = services.authenticate(
                db, form.email.data, form.password.data, request.remote_addr or ""
            )
        except services.AccountError as error:
            db.commit()  # keep the recorded failure
            _show_error(form, error)
        else:
            db.commit()
            session.clear()  # no session fixation: a fresh session for the new login
            session["lang"] = user.locale
            login_user(user)
            return redirect(_safe_next(form.next.data))
    return render_template("accounts/login.html", form=form)


@bp.post("/afmelden")
@access(Access.SIGNED_IN)
def logout():
    logout_user()
    session.clear()
    flash(_("Je bent afgemeld."), "info")
    return redirect(url_for("web.home"))


@bp.route("/registreren", methods=["GET", "POST"])
@access(Access.PUBLIC)
def sign_up():
    form = forms.SignUpForm()
    if form.validate_on_submit():
        db = db_session()
        data = services.SignUp(
            kind=InstitutionKind(form.kind.data),
            **{
                name: getattr(form, name).data or ""
                for name in (
                    "institution_name",
                    "institution_number",
                    "organisation",
                    "street",
                    "postcode",
                    "coordinator_name",
                    "email",
                    "password",
                )
            },
        )
        try:
            user = services.sign_up(db, data)
        except services.AccountError as error:
            db.rollback()
            _show_error(form, error)
        else:
            db.commit()
            session.clear()
            login_user(user)
            return redirect(url_for("accounts.account"))
    return render_template("accounts/sign_up.html", form=form)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@access(Access.PUBLIC)
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        db = db_session()
        found = services.start_password_reset(db, form.email.data)
        if found:
            mails.send_password_reset(db, *found)
        db.commit()
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@access(Access.PUBLIC)
def reset_password(token: str):
    form = forms.NewPasswordForm()
    db = db_session()
    if form.validate_on_submit():
        try:
            services.reset_password(db, token, form.password.data)
        except TokenInvalid as error:
            return render_template("accounts/link_invalid.html", message=error.args[0]), 410
        except services.AccountError as error:
            _show_error(form, error)
        else:
            db.commit()
            flash(_("Je wachtwoord is gewijzigd. Meld je aan met je nieuwe wachtwoord."), "info")
            return redirect(url_for("accounts.login"))
    else:
        try:
            services.check_reset_link(db, token)
        except TokenInvalid as error:
            return render_template("accounts/link_invalid.html", message=error.args[0]), 410
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@access(Access.PUBLIC)
def accept_invitation(token: str):
    db = db_session()
    form = forms.AcceptInvitationForm()
    actor = current_actor()
    try:
        invitation = services.check_invitation_link(db, token)
    except TokenInvalid as error:
        return render_template("accounts/link_invalid.html", message=error.args[0]), 410
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                db, token, form.name.data or "", form.password.data or "", signed_in=actor.user
            )
        except services.AccountError as error:
            db.rollback()
            _show_error(form, error)
        else:
            db.commit()
            if actor.user is None:
                session.clear()
                login_user(user)
            choose_membership(user.memberships[-1].id)
            return redirect(url_for("placements.dashboard"))
    return render_template(
        "accounts/accept_invitation.html",
        form=form,
        invitation=invitation,
        role_label=ROLE_LABELS[invitation.role],
        has_account=services.has_account(db, invitation.email),
    )


@bp.get("/account")
@access(Access.SIGNED_IN)
def account():
    actor = current_actor()
    return render_template(
        "accounts/account.html",
        actor=actor,
        memberships=sorted(actor.user.memberships, key=lambda m: m.id),
        role_labels=ROLE_LABELS,
        switch_form=forms.EmptyForm(),
    )


@bp.post("/account/rol/<int:membership_id>")
@access(Access.SIGNED_IN)
def switch_membership(membership_id: int):
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    if not choose_membership(membership_id):
        abort(404)
    return redirect(url_for("placements.dashboard"))


@bp.get("/account/mijn-gegevens.json")
@access(Access.SIGNED_IN)
def download_personal_data():
    response = jsonify(services.personal_data(db_session(), current_actor().user))
    response.headers["Content-Disposition"] = "attachment; filename=mijn-gegevens.json"
    return response


@bp.route("/instelling/<int:institution_id>/leden", methods=["GET", "POST"])
@access(Access.MEMBER)
def members(institution_id: int):
    db = db_session()
    actor = current_actor()
    institution, people, may_invite = services.institution_members(db, actor, institution_id)
    form = forms.InviteForm()
    form.role.choices = [
        SelectChoice(r.value, ROLE_LABELS[r]) for r in INVITABLE_ROLES[institution.kind]
    ]
    if request.method == "POST" and form.validate_on_submit():
        role = Role(form.role.data)
        try:
            raw = services.invite(db, actor, institution, form.email.data, role)
        except services.AccountError as error:
            db.rollback()
            _show_error(form, error)
        else:
            mails.send_invitation(db, form.email.data, institution, role, actor.user, raw)
            db.commit()
            flash(_("De uitnodiging is verstuurd naar %(email)s.", email=form.email.data), "info")
            return redirect(url_for("accounts.members", institution_id=institution.id))
    return render_template(
        "accounts/members.html",
        institution=institution,
        members=people,
        form=form,
        may_invite=may_invite,
        role_labels=ROLE_LABELS,
    )
