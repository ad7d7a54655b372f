"""One's own account: notification preferences (``/account/meldingen``) and the download
of one's personal data (``/account/mijn-gegevens.json``)."""

from __future__ import annotations

from core.access.current import current_actor
from core.access.routes import Access, access
from core.accounts.services import personal_data
from core.api.common import api_blueprint, checked_form
from core.api.schemas import NotificationPreferencesSchema, PersonalDataSchema
from core.database import db_session
from core.newsletters.services import is_subscribed, set_subscribed
from core.notifications.forms import PreferencesForm
from core.notifications.services import preferences_of, set_preferences

blp = api_blueprint("account", "The token owner's own notification choices and personal data.")


def _preferences() -> dict:
    session, user = db_session(), current_actor().user
    chosen = {kind.value: mode.value for kind, mode in preferences_of(session, user).items()}
    return {**chosen, "newsletters": is_subscribed(session, user)}


@blp.route("/account/notifications")
@access(Access.SIGNED_IN)
@blp.response(200, NotificationPreferencesSchema)
def get_notifications():
    """Per kind of notification: ``immediate`` (a mail each), ``digest`` (once a day) or
    ``off``; and whether newsletters and reminders come."""
    return _preferences()


@blp.route("/account/notifications", methods=["PUT"])
@access(Access.SIGNED_IN)
@blp.arguments(NotificationPreferencesSchema)
@blp.response(200, NotificationPreferencesSchema)
def set_notifications(values):
    """Choose for every kind of notification, as on the web page; ``newsletters`` (when
    given) subscribes or unsubscribes."""
    session, user = db_session(), current_actor().user
    newsletters = values.pop("newsletters")
    form = checked_form(PreferencesForm, values)
    set_preferences(session, user, form.choices())
    if newsletters is not None:
        set_subscribed(session, user, newsletters)
    session.commit()
    return _preferences()


@blp.route("/account/data")
@access(Access.SIGNED_IN)
@blp.response(200, PersonalDataSchema)
def get_personal_data():
    """Everything Stagebank holds about the token's owner as a person: the same document
    as the download on the account page."""
    return personal_data(db_session(), current_actor().user)
