"""The Stagebank plugin contract: every hook a plugin may implement.

A plugin is a module or object registered under the ``stagebank.plugins`` entry-point
group. It implements hooks with ``@hookimpl`` from :mod:`core.plugins`::

    from core.plugins import hookimpl

    @hookimpl
    def stagebank_education_levels():
        ...

Rules of the contract:

* Every hook name starts with ``stagebank_``; a misspelled implementation stops the start
  (``check_pending``).
* An implementation may accept only the arguments it needs, so a hook can gain arguments
  without breaking plugins.
* A plugin owns its namespace: blueprint ``plugin_<name>``, tables ``<name>_*``, settings
  ``<name>.*``, form fields ``<name>__*`` and its own migration branch ``<name>``.
* Every installed, allow-listed plugin is always loaded. Whether it is *enabled* is decided
  per region in the database at request time (see :mod:`core.plugins.regions`). A plugin
  sets ``ENABLED_BY_DEFAULT = False`` at module level to start disabled everywhere (a
  trial that an administrator switches on per pilot region).

The core implements several of these hooks itself (:mod:`core.plugins.builtin`).
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("stagebank")


# --------------------------------------------------------------------------- setup


@hookspec
def stagebank_configure_app(app):
    """Adjust the Flask app once, at the end of ``create_app``.

    Example::

        @hookimpl
        def stagebank_configure_app(app):
            app.jinja_env.globals["helpdesk_phone"] = "02 123 45 67"
    """


@hookspec
def stagebank_blueprints():
    """Return Flask blueprints to register (name them ``plugin_<name>``).

    Example::

        @hookimpl
        def stagebank_blueprints():
            bp = Blueprint("plugin_sintgorik", __name__, url_prefix="/sintgorik")
            return [bp]
    """


@hookspec
def stagebank_cli_commands():
    """Return click commands or groups to add to the ``stagebank`` command line.

    Example::

        @hookimpl
        def stagebank_cli_commands():
            @click.command("sintgorik-ping")
            def ping():
                click.echo("pong")
            return [ping]
    """


@hookspec
def stagebank_migration_locations():
    """Return :class:`~core.plugins.types.MigrationLocation` folders of Alembic revisions.

    Each plugin keeps its own branch, labelled with its name; ``stagebank db upgrade``
    brings every branch to its head.

    Example::

        @hookimpl
        def stagebank_migration_locations():
            return [MigrationLocation(Path(__file__).parent / "migrations", "sintgorik_bridge")]
    """


# ---------------------------------------------------------------------- catalogues


@hookspec
def stagebank_education_levels():
    """Return the :class:`~core.plugins.types.LevelSpec` objects a plugin adds.

    Example::

        @hookimpl
        def stagebank_education_levels():
            return [LevelSpec("secondary", Name("Secundair onderwijs",
                                                      "Secondary education"), position=20)]
    """


@hookspec
def stagebank_subjects(level_code):
    """Return the :class:`~core.plugins.types.SubjectSpec` catalogue for ``level_code``.

    Called once per known level; return ``[]`` for levels the plugin does not serve.
    Subject codes are stable: they are stored in offers, requests and reports.

    Example::

        @hookimpl
        def stagebank_subjects(level_code):
            if level_code != "secondary":
                return []
            return [SubjectSpec("WIS", Name("Wiskunde", "Mathematics"), group="stem")]
    """


@hookspec
def stagebank_training_kinds():
    """Return the :class:`~core.plugins.types.TrainingKindSpec` objects a plugin adds.

    Example::

        @hookimpl
        def stagebank_training_kinds():
            return [TrainingKindSpec("BA_LO", Name("Educatieve bachelor lager onderwijs",
                                               "Bachelor of primary education"), ("primary",))]
    """


@hookspec
def stagebank_schools_teaching(session, subject):
    """Return the ids of the schools that teach ``subject``, or ``None`` for no opinion.

    ``subject`` is a :class:`~core.catalogue.models.Subject` row. Suggestions and searches
    leave out schools that a plugin says do not teach it (the answers of several plugins
    are intersected).

    Example::

        @hookimpl
        def stagebank_schools_teaching(session, subject):
            if subject.plugin != "philosophy_subjects":
                return None
            return set(session.scalars(select(Declared.school_id)
                                       .where(Declared.subject_code == subject.code)))
    """


# ------------------------------------------------------------------ forms, schemas


@hookspec
def stagebank_level_fields(level_code, target):
    """Return :class:`~core.plugins.types.LevelField` objects for offers or requests.

    ``target`` is ``"offer"`` or ``"request"``. The core turns each field into a WTForms
    field (prefixed ``<plugin>__``, kept out of ``populate_obj``) and a marshmallow field,
    and stores the values in the ``attributes`` of the offer or request.

    Example::

        @hookimpl
        def stagebank_level_fields(level_code, target):
            if level_code != "secondary":
                return []
            return [LevelField("graad", Name("Graad", "Stage"),
                               choices=(Choice("2", Name("2de graad", "2nd stage")),))]
    """


@hookspec
def stagebank_validate_level_attributes(level_code, target, attributes):
    """Check level-specific values together; return ``{field: [message, ...]}`` or ``{}``.

    Called after each field was checked on its own. Messages are user-facing: wrap them
    in ``lazy_gettext`` so they show in the reader's language.

    Example::

        @hookimpl
        def stagebank_validate_level_attributes(level_code, target, attributes):
            if attributes.get("finaliteit") and attributes.get("graad") == "1":
                return {"finaliteit": [_("Een finaliteit bestaat pas vanaf de 2de graad.")]}
            return {}
    """


# ------------------------------------------------------------------------ templates


@hookspec
def stagebank_template_fragment(slot, context):
    """Return HTML (a ``markupsafe.Markup``) to insert at a named slot of a core page.

    Templates call ``{{ template_hook("home_after_intro", region=region) }}``; the
    fragments of every plugin enabled for the page's region are joined in order.
    Slots: ``home_after_intro``, ``offer_details``, ``school_offer`` (a school's own
    offer page), ``footer``.

    Example::

        @hookimpl
        def stagebank_template_fragment(slot, context):
            if slot == "offer_details":
                return Markup("<p>{}</p>").format(context["offer"].attributes.get("graad"))
    """


# -------------------------------------------------------------------------- reports


@hookspec
def stagebank_report_sections(session, start, end):
    """Return :class:`~core.plugins.types.ReportSection` objects for a reporting period.

    ``start`` and ``end`` are UTC moments (``[start, end)``). The report page shows each
    section as a table; give ``headers`` (a :class:`~core.plugins.types.Name` per column),
    a ``note`` and a ``chart`` (:class:`~core.plugins.types.ReportChart`) for people, the
    exports keep the column keys.

    Example::

        @hookimpl
        def stagebank_report_sections(session, start, end):
            return [ReportSection("pilot", Name("Pilootregio's", "Pilot regions"),
                                  ("regio", "aanbod"), rows=(("limburg", 12),))]
    """


# --------------------------------------------------------------------------- events


@hookspec
def stagebank_request_status_changed(placement_request, event):
    """React after a placement request changed status (the change is flushed, not committed).

    ``event`` is the recorded :class:`~core.placements.models.RequestEvent` (who, when,
    from, to, why).

    Example::

        @hookimpl
        def stagebank_request_status_changed(placement_request, event):
            if event.to_status == "accepted":
                outbox.append(placement_request.id)
    """


@hookspec
def stagebank_offer_published(offer):
    """React after a school published an offer.

    Example::

        @hookimpl
        def stagebank_offer_published(offer):
            log.info("offer %s published for %s", offer.id, offer.school_year)
    """


# -------------------------------------------------------------------------- bridges


@hookspec
def stagebank_bridges():
    """Return :class:`~core.plugins.types.BridgeSpec` objects for external systems.

    The core's bridge framework (:mod:`core.bridges`) does the rest: ``stagebank bridge
    sync NAME`` calls ``connect(settings)``, pushes the outbox of local status changes with
    ``connector.push(change)``, pulls ``connector.pull()`` (a list of
    :class:`~core.plugins.types.BridgeRecord`) and applies the records through the core's
    services, keeping external ids in a mapping table and recording every run.

    Example::

        class Connector:
            complete_kinds = ("school",)

            def __init__(self, settings):
                self.url = settings["url"]

            def pull(self):
                return [BridgeRecord("school", "S-1", {"name": "Sint-Jan", "region_code":
                                     "brussel", "street": "Kerkstraat 1", "postcode": "1000"})]

            def push(self, change):
                post_json(f"{self.url}/requests/{change.external_id}", change.payload)

        @hookimpl
        def stagebank_bridges():
            return [BridgeSpec("sintgorik", "Sint-Goriks", settings=("sintgorik_bridge.url",),
                               connect=Connector)]
    """
