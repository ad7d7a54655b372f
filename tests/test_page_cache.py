"""The page cache (core/web/page_cache.py) and the data version it is keyed on: a page
is served again only to the same session, only while nothing was written."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.database import database
from core.web import page_cache
from core.web.data_version import committed_version
from core.web.page_cache import CACHE_HEADER, KeptPage, PageCache
from tests.factories import make_offer, make_school
from tests.world import build_world, captured_statements, queries_in, sign_in


@pytest.fixture
def world(db):
    built = build_world(db)
    db.commit()
    return built


def _get(client, path: str, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    return response


def _signed_in(app, world, key: str):
    """A client of ``key`` that has been on its dashboard once, as after signing in (the
    first page of a session gives it its CSRF secret, a new cookie)."""
    client = app.test_client()
    sign_in(client, world.users[key], world.memberships.get(key))
    assert "Set-Cookie" in _get(client, "/dashboard").headers
    return client


# ------------------------------------------------------------------ kept and served


def test_a_page_is_served_again_until_something_is_written(app, db, client):
    school = make_school(db, name="Atheneum Zonnebloem")
    db.commit()
    first = _get(client, "/aanbod?regio=oost-vlaanderen")
    again = _get(client, "/aanbod?regio=oost-vlaanderen")
    assert (first.headers[CACHE_HEADER], again.headers[CACHE_HEADER]) == ("miss", "hit")
    assert again.get_data() == first.get_data()

    make_offer(db, school)
    db.commit()
    after_write = _get(client, "/aanbod?regio=oost-vlaanderen")
    assert after_write.headers[CACHE_HEADER] == "miss"
    assert "Atheneum Zonnebloem" in after_write.get_data(as_text=True)
    assert "Atheneum Zonnebloem" not in first.get_data(as_text=True)


def test_a_kept_page_costs_one_statement_and_keeps_the_answer_headers(app, world):
    client = _signed_in(app, world, "school_coordinator_a")
    rendered = _get(client, "/dashboard")
    with captured_statements(app) as sent:
        kept = _get(client, "/dashboard")
    assert kept.headers[CACHE_HEADER] == "hit"
    assert len(queries_in(sent)) == 1
    assert kept.headers["Content-Type"] == rendered.headers["Content-Type"]
    assert kept.headers["Content-Security-Policy"]
    assert kept.headers["X-Request-ID"] != rendered.headers["X-Request-ID"]


def test_each_session_gets_its_own_page(app, world):
    school_a = _signed_in(app, world, "school_coordinator_a")
    school_b = _signed_in(app, world, "school_coordinator_b")
    _get(school_a, "/dashboard")
    _get(school_a, "/dashboard")
    page_b = _get(school_b, "/dashboard")
    assert page_b.headers[CACHE_HEADER] == "miss"
    text_b = page_b.get_data(as_text=True)
    assert f'/aanvragen/{world.requests["b"].id}"' in text_b
    assert f'/aanvragen/{world.requests["a"].id}"' not in text_b


def test_the_access_check_holds_for_a_kept_page(app, db, world):
    client = _signed_in(app, world, "school_coordinator_a")
    _get(client, "/dashboard")
    assert _get(client, "/dashboard").headers[CACHE_HEADER] == "hit"
    user = db.merge(world.users["school_coordinator_a"])
    user.active = False
    db.commit()
    refused = client.get("/dashboard")
    assert refused.status_code == 302
    assert "/aanmelden" in refused.headers["Location"]


def test_a_page_that_changes_the_session_is_not_kept(app, world):
    client = _signed_in(app, world, "mentor_a")
    assert _get(client, "/dashboard").headers[CACHE_HEADER] == "miss"
    assert _get(client, "/dashboard").headers[CACHE_HEADER] == "hit"
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Welkom terug")]
    shown = _get(client, "/dashboard")
    assert "Welkom terug" in shown.get_data(as_text=True)
    assert "Set-Cookie" in shown.headers
    for _again in range(2):
        assert "Welkom terug" not in _get(client, "/dashboard").get_data(as_text=True)


def test_a_hard_reload_renders_the_page_again(app, client):
    _get(client, "/aanbod")
    assert _get(client, "/aanbod", **{"Cache-Control": "no-cache"}).headers[CACHE_HEADER] == "miss"
    assert _get(client, "/aanbod").headers[CACHE_HEADER] == "hit"


def test_the_language_and_the_day_are_part_of_the_key(app, client, monkeypatch):
    dutch = _get(client, "/aanbod")
    client.get("/taal/en")
    english = _get(client, "/aanbod")
    assert english.headers[CACHE_HEADER] == "miss"
    assert 'lang="en' in english.get_data(as_text=True)
    client.get("/taal/nl")
    assert _get(client, "/aanbod").get_data() == dutch.get_data()

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return date.today() + timedelta(days=1)

    monkeypatch.setattr(page_cache, "date", Tomorrow)
    assert _get(client, "/aanbod").headers[CACHE_HEADER] == "miss"


def test_pages_that_did_not_opt_in_are_never_kept(app, world):
    client = _signed_in(app, world, "school_coordinator_a")
    path = "/overzicht"
    _get(client, path)
    assert CACHE_HEADER not in _get(client, path).headers


# ------------------------------------------------------------------ the data version


def test_every_committed_write_moves_the_version_on_and_reads_do_not(app, db, make_app):
    def version() -> int:
        return committed_version(database(app))

    start = version()
    make_school(db)
    db.commit()
    after_orm = version()
    assert after_orm > start

    db.execute(text("SELECT count(*) FROM institutions"))
    db.commit()
    assert version() == after_orm

    db.execute(text("UPDATE institutions SET name = name || '!'"))
    db.rollback()
    assert version() == after_orm

    other = make_app()  # another process on the same database
    with database(other).sessionmaker() as session:
        session.execute(text("UPDATE institutions SET name = name || '!'"))
        session.commit()
    assert version() > after_orm


def test_a_database_that_cannot_be_asked_renders_the_page(app, client, monkeypatch):
    def refuse(*_args):
        raise OperationalError("SELECT version", {}, Exception("the server went away"))

    monkeypatch.setattr(database(app).autocommit_engine, "connect", refuse)
    for _twice in range(2):
        assert CACHE_HEADER not in _get(client, "/aanbod").headers


def test_a_write_in_another_process_makes_kept_pages_stale(app, make_app, client):
    _get(client, "/aanbod")
    other = make_app()
    with database(other).sessionmaker() as session:
        make_school(session)
        session.commit()
    assert _get(client, "/aanbod").headers[CACHE_HEADER] == "miss"


# ------------------------------------------------------------------ the store itself


def _page(version: int, at: float, size: int = 10) -> KeptPage:
    return KeptPage(version, at, b"x" * size, ())


def test_the_store_forgets_stale_and_old_pages_and_keeps_to_its_size():
    cache = PageCache(max_age=60, max_bytes=25)
    cache.put(b"a", _page(1, at=0))
    assert cache.get(b"a", version=1, now=59) is not None
    assert cache.get(b"a", version=2, now=1) is None
    assert cache.get(b"a", version=1, now=1) is None  # dropped when found stale

    cache.put(b"old", _page(1, at=0))
    assert cache.get(b"old", version=1, now=61) is None

    for key in (b"1", b"2", b"3"):
        cache.put(key, _page(1, at=0))
        cache.get(b"1", version=1, now=0)  # the first stays the most recently used
    assert set(cache.pages) == {b"1", b"3"}
    assert cache.size == 20
    cache.put(b"huge", _page(1, at=0, size=26))
    assert b"huge" not in cache.pages


def test_the_store_keeps_its_accounts_under_threads():
    cache, failures = PageCache(max_age=60, max_bytes=2_000), []

    def work(seed: int) -> None:
        try:
            for n in range(3_000):
                key = str((seed * n) % 97).encode()
                cache.put(key, _page(n % 3, at=0, size=(n % 7) * 30))
                cache.get(key, version=(n + seed) % 3, now=1)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert cache.size == sum(len(page.body) for page in cache.pages.values()) <= 2_000
