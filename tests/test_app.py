"""The app factory, the public pages, health checks and security headers."""

from __future__ import annotations

from core.app import create_app
from core.database import database
from core.plugins.manager import plugins_of
from core.web.stats import count_figures, home_figures
from tests.factories import make_school


def test_home_page_is_dutch_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="nl-BE">' in html
    assert "Stageplaatsen voor leraren in opleiding" in html


def test_the_home_figures_are_counted_at_most_once_a_minute(app, db):
    with app.test_request_context():
        before = home_figures(db, plugins_of(app))
        make_school(db)
        db.commit()
        assert home_figures(db, plugins_of(app)) == before
        assert count_figures(db, plugins_of(app))["schools"] == before["schools"] + 1


def test_language_switch_shows_english_and_stays_on_the_page(client):
    response = client.get("/taal/en?next=/aanbod")
    assert response.status_code == 302
    assert response.location == "/aanbod"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Internship places for student teachers" in html


def test_language_switch_refuses_unknown_language_and_foreign_redirects(client):
    assert client.get("/taal/fr").status_code == 404
    response = client.get("/taal/nl?next=https://evil.example/")
    assert response.location == "/"
    assert client.get("/taal/nl?next=//evil.example/").location == "/"


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(instance_path):
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    database(app).engine.dispose()


def test_pages_answer_503_not_500_when_the_database_is_missing(tmp_path, instance_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    response = app.test_client().get("/aanbod")
    assert response.status_code == 503
    assert "tijdelijk niet beschikbaar" in response.get_data(as_text=True)


def test_unknown_page_is_a_dutch_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet." in response.get_data(as_text=True)


def test_every_page_sends_security_headers(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_use_no_inline_styles_or_scripts_so_the_csp_holds(client):
    for path in ("/", "/aanbod", "/bestaat-niet"):
        html = client.get(path).get_data(as_text=True)
        assert "<script" not in html
        assert "style=" not in html and "<style" not in html


def test_assets_are_served_by_the_app(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert "text/css" in response.content_type


def test_offer_page_ignores_an_unknown_region(client):
    response = client.get("/aanbod?regio=atlantis&niveau=zzz")
    assert response.status_code == 200


def test_the_chosen_language_is_remembered_for_the_next_login(make_app, app, db):
    from tests.world import PASSWORD, build_world

    world = build_world(db)
    db.commit()
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.post("/aanmelden", data={"email": "mentor_a@example.org", "password": PASSWORD})
    client.get("/taal/en")
    db.rollback()
    db.expire_all()
    assert db.get(type(world.users["mentor_a"]), world.users["mentor_a"].id).locale == "en"
    fresh = app.test_client()
    fresh.post("/aanmelden", data={"email": "mentor_a@example.org", "password": PASSWORD})
    assert '<html lang="en">' in fresh.get("/dashboard").get_data(as_text=True)


def test_dates_are_written_the_flemish_way(app):
    import datetime as dt

    from flask_babel import format_date

    with app.test_request_context():
        assert format_date(dt.date(2027, 2, 1), "short") == "1/02/2027"


def test_an_oversized_upload_is_refused_before_it_is_read(app, db):
    from tests.world import build_world, sign_in

    world = build_world(db)
    db.commit()
    client = app.test_client()
    sign_in(
        client, world.users["programme_coordinator_a"], world.memberships["programme_coordinator_a"]
    )
    response = client.post(
        "/aanvragen/upload",
        data={"bestand": (__import__("io").BytesIO(b"x" * (7 * 1024 * 1024)), "groot.csv")},
    )
    assert response.status_code == 413
    assert "Dit bestand is te groot." in response.get_data(as_text=True)
