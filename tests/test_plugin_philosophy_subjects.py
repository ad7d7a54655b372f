"""The ``philosophy_subjects`` plugin: levensbeschouwelijke vakken for primary and secondary."""

from __future__ import annotations

import pytest
from markupsafe import Markup

import plugins.philosophy_subjects as philosophy
from core.plugins.manager import Plugins

CODES = {
    "RKG": "Rooms-katholieke godsdienst",
    "PROT": "Protestants-evangelische godsdienst",
    "ORTH": "Orthodoxe godsdienst",
    "ANG": "Anglicaanse godsdienst",
    "ISR": "Israëlitische godsdienst",
    "ISL": "Islamitische godsdienst",
    "NCZ": "Niet-confessionele zedenleer",
}


def test_registers_under_the_contract_and_is_enabled_by_default():
    plugins = Plugins()
    plugins.register(philosophy, "philosophy_subjects")
    plugins.manager.check_pending()
    assert getattr(philosophy, "ENABLED_BY_DEFAULT", True) is True
    assert plugins.infos["philosophy_subjects"].enabled_by_default is True


def test_adds_no_level_of_its_own():
    assert not hasattr(philosophy, "stagebank_education_levels")


@pytest.mark.parametrize("level_code", ["secondary", "primary"])
def test_subjects_for_primary_and_secondary(level_code):
    subjects = philosophy.stagebank_subjects(level_code=level_code)
    assert {s.code: s.name.nl for s in subjects} == CODES
    assert len(subjects) == len(CODES)
    assert all(s.group == "levensbeschouwing" and s.name.en for s in subjects)


@pytest.mark.parametrize("level_code", ["higher", "adult", ""])
def test_no_subjects_for_other_levels(level_code):
    assert philosophy.stagebank_subjects(level_code=level_code) == []


def test_home_fragment_mentions_one_specific_subject():
    html = philosophy.stagebank_template_fragment(slot="home_after_intro")
    assert isinstance(html, Markup)
    assert html.startswith("<p") and html.endswith("</p>")
    assert "één specifiek levensbeschouwelijk vak" in html


@pytest.mark.parametrize("slot", ["offer_details", "footer"])
def test_no_fragment_in_other_slots(slot):
    assert philosophy.stagebank_template_fragment(slot=slot) is None
