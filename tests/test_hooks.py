"""The plugin contract: meta-tests in the style of datasette, and one test per hook.

Every hookspec must have a docstring with an example and a ``test_hook_<name>`` here;
each test registers a temporary plugin object and checks its visible effect.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import sys
from pathlib import Path

import click
import pluggy
import pytest
from flask import Blueprint
from markupsafe import Markup
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from core import schema
from core.access.routes import Access, access
from core.bridges.registry import DuplicateBridge, available_bridges
from core.catalogue.level_fields import attributes_schema, clean_level_attributes
from core.catalogue.models import EducationLevel, Subject, TrainingKind
from core.catalogue.services import levels_in_region, sync_catalogue
from core.config import ConfigError
from core.database import database
from core.plugins import hookimpl, hookspecs
from core.plugins.manager import Plugins, load_plugins, plugins_of
from core.plugins.regions import set_enabled
from core.plugins.types import (
    BridgeSpec,
    Choice,
    LevelField,
    LevelSpec,
    MigrationLocation,
    Name,
    ReportSection,
    SubjectSpec,
    TrainingKindSpec,
)
from core.reports.sections import report_sections
from tests.factories import make_offer, make_request, make_school

HOOK_NAMES = sorted(
    name
    for name, value in vars(hookspecs).items()
    if name.startswith("stagebank_") and callable(value)
)


# ------------------------------------------------------------------------ meta-tests


def test_every_hookspec_is_documented_with_an_example():
    for name in HOOK_NAMES:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "Example::" in doc and "@hookimpl" in doc, f"{name} lacks a documented example"


def test_every_hookspec_has_a_test():
    tests = set(re.findall(r"^def (test_hook_\w+)", Path(__file__).read_text(), re.M))
    missing = [
        name for name in HOOK_NAMES if not any(t.startswith(f"test_hook_{name}") for t in tests)
    ]
    assert not missing, f"hooks without a test: {missing}"


def test_a_misspelled_hook_implementation_stops_the_start():
    plugins = Plugins()

    class Misspelled:
        @hookimpl
        def stagebank_educaton_levels(self):
            return []

    plugins.register(Misspelled(), "misspelled")
    with pytest.raises(pluggy.PluginValidationError):
        plugins.manager.check_pending()


def test_load_plugins_reports_a_misspelled_hook_as_a_config_error(monkeypatch):
    module = type(sys)("plugins_typo")
    module.stagebank_blueprint = hookimpl(lambda: [])
    monkeypatch.setitem(sys.modules, "plugins_typo", module)

    class EntryPoint:
        name, dist = "typo", None

        def load(self):
            return module

    monkeypatch.setattr("core.plugins.manager.entry_points", lambda group: [EntryPoint()])
    with pytest.raises(ConfigError, match="hook that does not exist"):
        load_plugins(("typo",))


def test_the_four_builtin_plugins_are_loaded_from_entry_points(app):
    plugins = plugins_of(app)
    assert plugins.plugin_names == [
        "secondary",
        "primary",
        "philosophy_subjects",
        "sintgorik_bridge",
    ]
    assert all(plugins.infos[name].version for name in plugins.plugin_names)
    assert plugins.infos["primary"].enabled_by_default is False
    assert plugins.infos["secondary"].enabled_by_default is True


def test_the_plugin_manager_belongs_to_one_app(make_app):
    class Temporary:
        @hookimpl
        def stagebank_bridges(self):
            return [BridgeSpec("temporary", "Temporary")]

    first = make_app(PLUGIN_OBJECTS={"temporary": Temporary()})
    second = make_app()
    assert "temporary" in available_bridges(plugins_of(first))
    assert "temporary" not in available_bridges(plugins_of(second))


# ---------------------------------------------------------------------- hook tests


def test_hook_stagebank_configure_app(make_app):
    class Configures:
        @hookimpl
        def stagebank_configure_app(self, app):
            app.jinja_env.globals["helpdesk_phone"] = "02 553 00 00"

    app = make_app(PLUGIN_OBJECTS={"configures": Configures()})
    assert app.jinja_env.globals["helpdesk_phone"] == "02 553 00 00"
    assert "template_hook" in app.jinja_env.globals  # the core's own implementation


def test_hook_stagebank_blueprints(make_app):
    blueprint = Blueprint("plugin_hello", __name__, url_prefix="/hello")
    blueprint.add_url_rule("/", "index", access(Access.PUBLIC)(lambda: "hallo"))
    blueprint.add_url_rule("/secret", "secret", lambda: "geheim")  # declares no access

    class Routes:
        @hookimpl
        def stagebank_blueprints(self):
            return [blueprint]

    client = make_app(PLUGIN_OBJECTS={"hello": Routes()}).test_client()
    assert client.get("/hello/").get_data(as_text=True) == "hallo"
    assert client.get("/hello/secret").status_code == 403


def test_hook_stagebank_cli_commands(make_app):
    @click.command("ping")
    def ping():
        click.echo("pong")

    class Commands:
        @hookimpl
        def stagebank_cli_commands(self):
            return [ping]

    runner = make_app(PLUGIN_OBJECTS={"ping": Commands()}).test_cli_runner()
    assert runner.invoke(args=["ping"]).output == "pong\n"
    assert runner.invoke(args=["plugins", "--help"]).exit_code == 0  # core's own command


def test_hook_stagebank_migration_locations(make_app, tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "x0001_notes.py").write_text(
        '"""notes"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        "revision = 'x0001'\ndown_revision = None\nbranch_labels = ('notes',)\n"
        "depends_on = 'c0001'\n\n\n"
        "def upgrade():\n"
        "    op.create_table('notes_items', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
        "def downgrade():\n    op.drop_table('notes_items')\n"
    )

    class Notes:
        @hookimpl
        def stagebank_migration_locations(self):
            return [MigrationLocation(versions, "notes")]

    app = make_app(
        DATABASE_URL=f"sqlite:///{tmp_path / 'own.sqlite3'}",
        PLUGIN_OBJECTS={"notes": Notes()},
    )
    branches = {location.branch for location in schema.migration_locations(app)}
    assert branches == {"core", "sintgorik_bridge", "philosophy_subjects", "notes"}
    assert schema.pending_heads(app)
    schema.upgrade(app)
    assert not schema.pending_heads(app)
    tables = set(sa_inspect(database(app).engine).get_table_names())
    assert {"notes_items", "sintgorik_bridge_cursors", "offers"} <= tables


class AdultEducation:
    """A temporary level plugin: adult education with one subject and one training kind."""

    @hookimpl
    def stagebank_education_levels(self):
        return [LevelSpec("adult", Name("Volwassenenonderwijs", "Adult education"), 30)]

    @hookimpl
    def stagebank_subjects(self, level_code):
        if level_code == "adult":
            return [SubjectSpec("NT2", Name("Nederlands als tweede taal", "Dutch L2"))]
        return []

    @hookimpl
    def stagebank_training_kinds(self):
        return [
            TrainingKindSpec(
                "SLO", Name("Specifieke lerarenopleiding", "Teacher training"), ("adult",)
            )
        ]

    @hookimpl
    def stagebank_level_fields(self, level_code, target):
        if level_code != "adult":
            return []
        return [
            LevelField(
                "module",
                Name("Module", "Module"),
                choices=(Choice("A1", Name("A1", "A1")), Choice("B1", Name("B1", "B1"))),
                required=True,
            ),
            LevelField(
                "evening",
                Name("Avond", "Evening"),
                choices=(Choice("yes", Name("ja", "yes")), Choice("no", Name("nee", "no"))),
            ),
        ]

    @hookimpl
    def stagebank_validate_level_attributes(self, level_code, target, attributes):
        if (
            level_code == "adult"
            and target == "request"
            and attributes.get("module") == "A1"
            and attributes.get("evening") == "yes"
        ):
            return {"evening": ["A1 wordt niet 's avonds gegeven."]}
        return {}


@pytest.fixture
def adult_app(make_app):
    app = make_app(PLUGIN_OBJECTS={"adult": AdultEducation()})
    with app.app_context():
        yield app


def test_hook_stagebank_education_levels(adult_app, db):
    plugins = plugins_of(adult_app)
    sync_catalogue(db, plugins)
    level = db.get(EducationLevel, "adult")
    assert (level.plugin, level.name_nl, level.active) == ("adult", "Volwassenenonderwijs", True)
    assert "adult" in [row.code for row in levels_in_region(db, plugins, "limburg")]
    set_enabled(db, plugins, "adult", "limburg", False)
    assert "adult" not in [row.code for row in levels_in_region(db, plugins, "limburg")]
    assert "adult" in [row.code for row in levels_in_region(db, plugins, "antwerpen")]
    db.rollback()


def test_hook_stagebank_subjects(adult_app, app, db):
    sync_catalogue(db, plugins_of(adult_app))
    subject = db.scalar(select(Subject).where(Subject.level_code == "adult"))
    assert (subject.code, subject.plugin, subject.active) == ("NT2", "adult", True)
    # Without the plugin the subject is kept (foreign keys) but no longer active.
    sync_catalogue(db, plugins_of(app))
    assert db.get(Subject, subject.id).active is False
    assert db.get(EducationLevel, "adult").active is False
    db.rollback()


def test_hook_stagebank_training_kinds(adult_app, db):
    sync_catalogue(db, plugins_of(adult_app))
    kind = db.get(TrainingKind, "SLO")
    assert (kind.plugin, kind.level_codes) == ("adult", "adult")
    assert db.get(TrainingKind, "BA_SO").plugin == "secondary"
    db.rollback()


def test_hook_stagebank_level_fields(adult_app):
    plugins = plugins_of(adult_app)
    schema_ = attributes_schema(plugins, "adult", "offer")
    assert set(schema_.fields) == {"module", "evening"}
    clean, errors = clean_level_attributes(plugins, "adult", "offer", {"module": "B1"})
    assert (clean, errors) == ({"module": "B1"}, {})
    clean, errors = clean_level_attributes(plugins, "adult", "offer", {"module": "C2"})
    assert clean == {} and "module" in errors
    _, errors = clean_level_attributes(plugins, "adult", "offer", {"evening": "yes"})
    assert errors == {"module": ["Dit veld is verplicht."]}
    _, errors = clean_level_attributes(plugins, "adult", "offer", {"module": "B1", "x": 1})
    assert errors == {"x": ["Onbekend veld voor dit onderwijsniveau."]}


def test_hook_stagebank_level_fields_build_the_same_form(adult_app):
    from core.catalogue.level_fields import form_field_name, level_fields, wtforms_field

    pairs = level_fields(plugins_of(adult_app), "adult", "request")
    assert [form_field_name(plugin, field) for plugin, field in pairs] == [
        "adult__module",
        "adult__evening",
    ]
    unbound = wtforms_field(pairs[0][1], "nl")
    assert [(c.value, c.label) for c in unbound.kwargs["choices"]] == [
        ("", "—"),
        ("A1", "A1"),
        ("B1", "B1"),
    ]


def test_hook_stagebank_validate_level_attributes(adult_app):
    plugins = plugins_of(adult_app)
    attributes = {"module": "A1", "evening": "yes"}
    assert clean_level_attributes(plugins, "adult", "offer", attributes)[1] == {}
    clean, errors = clean_level_attributes(plugins, "adult", "request", attributes)
    assert clean == {}
    assert errors == {"evening": ["A1 wordt niet 's avonds gegeven."]}


def test_hook_stagebank_template_fragment(make_app, db):
    class Banner:
        @hookimpl
        def stagebank_template_fragment(self, slot, context):
            if slot == "home_after_intro":
                return Markup('<p class="banner">Pilootproject <b>Limburg</b></p>')
            return None

    app = make_app(PLUGIN_OBJECTS={"banner": Banner()})
    client = app.test_client()
    assert '<p class="banner">' in client.get("/").get_data(as_text=True)
    with app.app_context():
        for region in (
            "antwerpen",
            "vlaams-brabant",
            "west-vlaanderen",
            "oost-vlaanderen",
            "limburg",
            "brussel",
        ):
            set_enabled(db, plugins_of(app), "banner", region, False)
        db.commit()
    assert '<p class="banner">' not in client.get("/").get_data(as_text=True)


def test_hook_stagebank_report_sections(make_app, db):
    class Extra:
        @hookimpl
        def stagebank_report_sections(self, session, start, end):
            return [ReportSection("extra", Name("Extra", "Extra"), ("a",), rows=(("1",),))]

    app = make_app(PLUGIN_OBJECTS={"extra": Extra()})
    with app.app_context():
        sync_catalogue(db, plugins_of(app))
        make_request(db, status="draft")
        start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        end = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        sections = {s.key: s for s in report_sections(db, plugins_of(app), start, end)}
    assert sections["requests_by_status"].rows == (("draft", 1),)
    assert sections["extra"].rows == (("1",),)
    assert "primary_pilot" in sections
    db.rollback()


def test_hook_stagebank_request_status_changed(make_app, db):
    seen = []

    class Listener:
        @hookimpl
        def stagebank_request_status_changed(self, placement_request, event):
            seen.append((placement_request.id, event.from_status, event.to_status))

    from core.placements.services import transition

    app = make_app(PLUGIN_OBJECTS={"listener": Listener()})
    with app.app_context():
        sync_catalogue(db, plugins_of(app))
        request = make_request(db, status="draft")
        transition(db, plugins_of(app), request, "submitted", actor=None)
    assert seen == [(request.id, "draft", "submitted")]
    db.rollback()


def test_hook_stagebank_offer_published(make_app, db):
    seen = []

    class Listener:
        @hookimpl
        def stagebank_offer_published(self, offer):
            seen.append(offer.id)

    from core.offers.services import publish_offer

    app = make_app(PLUGIN_OBJECTS={"listener": Listener()})
    with app.app_context():
        sync_catalogue(db, plugins_of(app))
        offer = make_offer(db, make_school(db), status="draft")
        publish_offer(db, plugins_of(app), offer)
    assert seen == [offer.id]
    assert offer.status == "published"
    db.rollback()


def test_hook_stagebank_bridges(make_app):
    class Mentorant:
        @hookimpl
        def stagebank_bridges(self):
            return [BridgeSpec("mentorant", "Mentorant", settings=("mentorant.url",))]

    bridges = available_bridges(plugins_of(make_app(PLUGIN_OBJECTS={"m": Mentorant()})))
    assert bridges["sintgorik"][0] == "sintgorik_bridge"
    assert bridges["mentorant"][1].settings == ("mentorant.url",)

    class Clash:
        @hookimpl
        def stagebank_bridges(self):
            return [BridgeSpec("sintgorik", "Other")]

    with pytest.raises(DuplicateBridge):
        available_bridges(plugins_of(make_app(PLUGIN_OBJECTS={"clash": Clash()})))


def test_hook_stagebank_schools_teaching(make_app, app, db):
    from core.catalogue.services import schools_teaching

    official = make_school(db, name="GO! Atheneum")  # network GO: all seven subjects
    catholic = make_school(db, name="Sint-Jozefscollege")
    catholic.network_code = "KOV"
    db.flush()
    with app.app_context():
        islam = db.scalar(
            select(Subject).where(Subject.code == "ISL", Subject.level_code == "secondary")
        )
        catholic_religion = db.scalar(
            select(Subject).where(Subject.code == "RKG", Subject.level_code == "secondary")
        )
        plugins = plugins_of(app)
        assert schools_teaching(db, plugins, islam) == {official.id}
        assert schools_teaching(db, plugins, catholic_religion) == {official.id, catholic.id}
        math = db.scalar(select(Subject).where(Subject.code == "WIS"))
        assert schools_teaching(db, plugins, math) is None  # no plugin has a say

        class OnlyOne:
            @hookimpl
            def stagebank_schools_teaching(self, session, subject):
                return {catholic.id}

        narrowed = make_app(PLUGIN_OBJECTS={"only": OnlyOne()})
        assert schools_teaching(db, plugins_of(narrowed), catholic_religion) == {catholic.id}
    db.rollback()
