"""Thin views: the administrators' newsletters, unsubscribing by link, one's subscription."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from core.access.current import current_actor
from core.access.routes import Access, access
from core.accounts.forms import EmptyForm
from core.admin.services import MAIL_STATUS_LABELS
from core.database import db_session
from core.newsletters import services
from core.newsletters.forms import NewsletterForm, SendForm, SubscriptionForm
from core.newsletters.models import SEGMENT_LABELS, Newsletter
from core.offers import school_years
from core.reference.models import Region

bp = Blueprint("newsletters", __name__, template_folder="templates")


@bp.app_context_processor
def _subscription():
    """``newsletter_subscription()`` for the notifications page: the form with the
    signed-in person's current choice."""

    def subscription_form():
        user = current_user if current_user.is_authenticated else None
        subscribed = user is not None and services.is_subscribed(db_session(), user)
        return SubscriptionForm(subscribed=subscribed, formdata=None)

    return {"newsletter_subscription": subscription_form, "segment_labels": SEGMENT_LABELS}


def _newsletter(newsletter_id: int) -> Newsletter:
    newsletter = db_session().get(Newsletter, newsletter_id)
    if newsletter is None:
        abort(404)
    return newsletter


def _writing_form(newsletter: Newsletter | None) -> NewsletterForm:
    form = NewsletterForm(obj=newsletter)
    regions = db_session().scalars(select(Region).order_by(Region.position))
    form.region_code.choices = [SelectChoice("", _("Alle provincies"))] + [
        SelectChoice(r.code, r.name_nl) for r in regions
    ]
    years = school_years.upcoming(date.today() - timedelta(days=365), 3)
    form.school_year.choices = [SelectChoice(year, year) for year in years]
    if newsletter is None and request.method == "GET":
        form.school_year.data = school_years.school_year_of(date.today())
    return form


@bp.get("/beheer/nieuwsbrieven")
@access(Access.ADMIN)
def newsletter_list():
    newsletters = db_session().scalars(select(Newsletter).order_by(Newsletter.id.desc())).all()
    return render_template("newsletters/list.html", newsletters=newsletters)


@bp.route("/beheer/nieuwsbrieven/nieuw", methods=["GET", "POST"])
@access(Access.ADMIN)
def write():
    return _write(None)


@bp.route("/beheer/nieuwsbrieven/<int:newsletter_id>/bewerken", methods=["GET", "POST"])
@access(Access.ADMIN)
def edit(newsletter_id: int):
    newsletter = _newsletter(newsletter_id)
    if newsletter.sent_at is not None:
        return redirect(url_for("newsletters.preview", newsletter_id=newsletter.id))
    return _write(newsletter)


def _write(newsletter: Newsletter | None):
    form = _writing_form(newsletter)
    if form.validate_on_submit():
        db = db_session()
        try:
            newsletter = services.save_newsletter(db, current_actor(), newsletter, form.data)
        except services.NewsletterRefused as refusal:
            db.rollback()
            form[refusal.field or "subject"].errors.append(refusal.message)
        else:
            db.commit()
            return redirect(url_for("newsletters.preview", newsletter_id=newsletter.id))
    return render_template("newsletters/write.html", form=form, newsletter=newsletter)


@bp.get("/beheer/nieuwsbrieven/<int:newsletter_id>")
@access(Access.ADMIN)
def preview(newsletter_id: int):
    """Before sending: the recipients; after: who received it and how their mail fares."""
    db, newsletter = db_session(), _newsletter(newsletter_id)
    sent = newsletter.sent_at is not None
    return render_template(
        "newsletters/preview.html",
        newsletter=newsletter,
        recipients=[] if sent else services.recipients(db, newsletter),
        received=services.received_by(db, newsletter) if sent else [],
        form=SendForm(),
        mail_status_labels=MAIL_STATUS_LABELS,
    )


@bp.post("/beheer/nieuwsbrieven/<int:newsletter_id>/versturen")
@access(Access.ADMIN)
def send(newsletter_id: int):
    db, newsletter = db_session(), _newsletter(newsletter_id)
    if not SendForm().validate_on_submit():
        flash(_("Vink aan dat je de ontvangers nakeek."), "error")
        return redirect(url_for("newsletters.preview", newsletter_id=newsletter.id))
    try:
        count = services.send_newsletter(db, current_actor(), newsletter)
    except services.NewsletterRefused as refusal:
        db.rollback()
        flash(str(refusal.message), "error")
    else:
        db.commit()
        flash(_("De nieuwsbrief staat klaar voor %(count)d ontvanger(s).", count=count), "info")
    return redirect(url_for("newsletters.preview", newsletter_id=newsletter.id))


# ------------------------------------------------------------------ subscription


@bp.route("/nieuwsbrief/uitschrijven/<token>", methods=["GET", "POST"])
@access(Access.PUBLIC)
def unsubscribe(token: str):
    db = db_session()
    user = services.user_of_token(db, token)
    if user is None:
        return render_template("newsletters/unsubscribe.html", user=None), 404
    form = EmptyForm()
    done = False
    if form.validate_on_submit():
        services.set_subscribed(db, user, False)
        db.commit()
        done = True
    return render_template("newsletters/unsubscribe.html", user=user, form=form, done=done)


@bp.post("/account/nieuwsbrief")
@access(Access.SIGNED_IN)
def subscription():
    form = SubscriptionForm()
    if form.validate_on_submit():
        db = db_session()
        services.set_subscribed(db, current_actor().user, form.subscribed.data)
        db.commit()
        if form.subscribed.data:
            flash(_("Je ontvangt de nieuwsbrieven van Stagebank."), "info")
        else:
            flash(_("Je ontvangt geen nieuwsbrieven meer."), "info")
    return redirect(url_for("notifications.preferences"))
