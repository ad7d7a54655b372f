"""Per-region enablement: switched in the database, seen by every worker on its next request."""

from __future__ import annotations

import pytest

from core.database import database
from core.plugins.manager import plugins_of
from core.plugins.regions import UnknownPlugin, UnknownRegion, enablement, set_enabled
from tests.factories import make_offer, make_school

REGIONS = {
    "antwerpen",
    "vlaams-brabant",
    "west-vlaanderen",
    "oost-vlaanderen",
    "limburg",
    "brussel",
}


def test_defaults_follow_each_plugin(app, db):
    enabled = enablement(db, plugins_of(app))
    assert enabled["secondary"] == REGIONS
    assert enabled["philosophy_subjects"] == REGIONS
    assert enabled["primary"] == set()  # a trial: off until an administrator picks regions


def test_switching_a_plugin_off_takes_effect_on_the_next_request_of_another_worker(app, make_app):
    worker_a, worker_b = app, make_app()
    with database(worker_a).sessionmaker() as session:
        school = make_school(session, region="limburg", name="Sint-Jan Berchmanscollege")
        make_offer(session, school)
        session.commit()
    client_b = worker_b.test_client()
    assert "Sint-Jan Berchmanscollege" in client_b.get("/aanbod").get_data(as_text=True)

    result = worker_a.test_cli_runner().invoke(
        args=["plugins", "disable", "secondary", "--region", "limburg"]
    )
    assert result.exit_code == 0, result.output
    assert "Sint-Jan Berchmanscollege" not in client_b.get("/aanbod").get_data(as_text=True)

    worker_a.test_cli_runner().invoke(
        args=["plugins", "enable", "secondary", "--region", "limburg"]
    )
    assert "Sint-Jan Berchmanscollege" in client_b.get("/aanbod").get_data(as_text=True)


def test_primary_offers_show_only_in_pilot_regions(app, db, client):
    limburg = make_school(db, region="limburg", name="Basisschool De Regenboog", level="primary")
    ghent = make_school(
        db, region="oost-vlaanderen", name="Vrije Basisschool Gent", level="primary"
    )
    make_offer(db, limburg, level="primary")
    make_offer(db, ghent, level="primary")
    db.commit()
    page = client.get("/aanbod").get_data(as_text=True)
    assert "De Regenboog" not in page and "Vrije Basisschool Gent" not in page

    set_enabled(db, plugins_of(app), "primary", "limburg", True)
    db.commit()
    page = client.get("/aanbod").get_data(as_text=True)
    assert "De Regenboog" in page
    assert "Vrije Basisschool Gent" not in page
    levels = client.get("/aanbod?regio=limburg").get_data(as_text=True)
    assert 'value="primary"' in levels
    assert 'value="primary"' not in client.get("/aanbod?regio=oost-vlaanderen").get_data(
        as_text=True
    )


def test_switching_off_deletes_nothing(app, db):
    school = make_school(db, region="brussel")
    offer = make_offer(db, school)
    set_enabled(db, plugins_of(app), "secondary", "brussel", False)
    db.commit()
    assert db.get(type(offer), offer.id) is not None


def test_unknown_plugin_or_region_is_refused(app, db):
    with pytest.raises(UnknownPlugin, match="Unknown plugin 'tertiary'"):
        set_enabled(db, plugins_of(app), "tertiary", "limburg", True)
    with pytest.raises(UnknownRegion, match="Unknown region 'wallonie'"):
        set_enabled(db, plugins_of(app), "primary", "wallonie", True)
