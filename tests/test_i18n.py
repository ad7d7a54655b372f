"""Every user-facing string is written in Dutch and has an English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _extracted_ids() -> set:
    method_map, options_map = parse_mapping_cfg((ROOT / "babel.cfg").open())
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def _english() -> dict:
    with (ROOT / "core/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string for m in catalog if m.id}


def test_every_string_in_code_and_templates_has_an_english_translation():
    english = _english()
    extracted = _extracted_ids()
    assert len(extracted) > 40
    missing = sorted(m for m in extracted if not english.get(m))
    assert not missing, f"add these to the English catalogue: {missing}"


def test_the_english_catalogue_has_no_stale_entries():
    stale = sorted(set(_english()) - _extracted_ids())
    assert not stale, f"no longer used in the code: {stale}"


def test_pages_follow_the_reader_language(client):
    client.get("/taal/en")
    html = client.get("/bestaat-niet").get_data(as_text=True)
    assert "This page does not exist." in html


def test_times_are_shown_as_they_are_in_flanders(app):
    """Stored in UTC, shown in Belgian time: summer and winter time alike."""
    from datetime import UTC, datetime

    from flask_babel import format_datetime

    with app.test_request_context():
        assert format_datetime(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "HH:mm") == "14:00"
        assert format_datetime(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), "HH:mm") == "13:00"
