"""The plugin contract works: the tutorial's example plugin (tests/example_plugin, installed
like any third-party package) adds adult education without a change to core/, and each
built-in plugin runs alone as well as together with the others."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.catalogue.models import EducationLevel, Subject
from core.catalogue.services import levels_in_region, sync_catalogue
from core.config import BUILTIN_PLUGINS
from core.database import database
from core.offers import school_years
from core.offers.models import Offer
from core.plugins.manager import plugins_of
from core.plugins.regions import set_enabled
from core.reports.sections import report_sections
from tests.world import build_world, sign_in

WITH_ADULT = (*BUILTIN_PLUGINS, "adult")


@pytest.fixture
def adult_app(make_app, app):
    adult = make_app(PLUGINS=WITH_ADULT)
    with database(adult).sessionmaker() as session, session.begin():
        sync_catalogue(session, plugins_of(adult))
    return adult


def test_the_tutorial_plugin_adds_a_level_with_catalogue_field_and_report(adult_app, db):
    plugins = plugins_of(adult_app)
    assert "adult" in plugins.plugin_names
    level = db.get(EducationLevel, "adult")
    assert level.name_nl == "Volwassenenonderwijs" and level.plugin == "adult"
    assert {s.code for s in db.scalars(select(Subject).where(Subject.level_code == "adult"))} == {
        "NT2",
        "BASIS",
    }
    # A trial plugin: off until a pilot region is chosen.
    assert "adult" not in [lvl.code for lvl in levels_in_region(db, plugins, "oost-vlaanderen")]
    world = build_world(db)
    world.institutions["school_a"].levels.append(level)  # the school teaches adults too
    set_enabled(db, plugins, "adult", "oost-vlaanderen", True)
    db.commit()

    client = adult_app.test_client()
    sign_in(client, world.users["school_coordinator_a"], world.memberships["school_coordinator_a"])
    path = "/mijn-aanbod/nieuw?niveau=adult"
    form = client.get(path).get_data(as_text=True)
    assert 'name="adult__moment"' in form and "Lesmoment" in form
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    year = school_years.school_year_of(dt.date.today())
    nt2 = db.scalar(select(Subject).where(Subject.code == "NT2"))
    data = {
        "csrf_token": token,
        "school_year": year,
        "subject_id": str(nt2.id),
        "campus_id": str(world.institutions["school_a"].campuses[0].id),
        "semester": "1",
        "places": "1",
        "action": "publish",
    }
    refused = client.post(path, data=data)
    assert "Dit veld is verplicht." in refused.get_data(as_text=True)
    assert client.post(path, data={**data, "adult__moment": "evening"}).status_code == 302
    db.rollback()
    offer = db.scalar(select(Offer).where(Offer.level_code == "adult"))
    assert offer.attributes == {"moment": "evening"}

    with adult_app.app_context():
        sections = {
            s.key: s
            for s in report_sections(
                db,
                plugins,
                dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
            )
        }
    assert sections["adult_offers"].rows == ((1,),)


@pytest.mark.parametrize("alone", BUILTIN_PLUGINS)
def test_each_builtin_plugin_runs_alone(make_app, app, alone):
    single = make_app(PLUGINS=(alone,))
    assert plugins_of(single).plugin_names == [alone]
    with database(single).sessionmaker() as session, session.begin():
        sync_catalogue(session, plugins_of(single))
        levels = {
            row.code for row in session.scalars(select(EducationLevel).where(EducationLevel.active))
        }
    expected = {"secondary": {"secondary"}, "primary": {"primary"}}.get(alone, set())
    assert levels == expected
    client = single.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/aanbod").status_code == 200
