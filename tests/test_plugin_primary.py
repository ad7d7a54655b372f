"""The ``primary`` trial plugin: off by default, classes, learning areas, training kinds."""

from __future__ import annotations

import pytest

import plugins.primary as primary
from core.plugins.manager import Plugins
from plugins.philosophy_subjects import stagebank_subjects as philosophy_subjects


def subjects():
    return {subject.code: subject for subject in primary.stagebank_subjects(level_code="primary")}


def test_is_a_trial_disabled_by_default():
    assert primary.ENABLED_BY_DEFAULT is False
    plugins = Plugins()
    plugins.register(primary, "primary")
    plugins.manager.check_pending()
    assert plugins.infos["primary"].enabled_by_default is False


def test_level_comes_before_secondary():
    [level] = primary.stagebank_education_levels()
    assert (level.code, level.position) == ("primary", 10)
    assert (level.name.nl, level.name.en) == ("Basisonderwijs", "Primary education")


@pytest.mark.parametrize("target", ["offer", "request"])
def test_fields(target):
    fields = {
        f.name: f for f in primary.stagebank_level_fields(level_code="primary", target=target)
    }
    assert list(fields) == ["klas", "buitengewoon"]
    assert fields["klas"].required
    assert fields["klas"].choice_values() == (
        *("K0", "K1", "K2", "K3"),
        *("L1", "L2", "L3", "L4", "L5", "L6"),
    )
    labels = {choice.value: choice.label.nl for choice in fields["klas"].choices}
    assert labels["K0"] == "Instapklas"
    assert labels["K3"] == "3de kleuterklas"
    assert labels["L6"] == "6de leerjaar"
    assert fields["buitengewoon"].choice_values() == ("yes", "no")
    assert not fields["buitengewoon"].required


@pytest.mark.parametrize(
    ("level_code", "target"), [("secondary", "offer"), ("higher", "request"), ("primary", "x")]
)
def test_fields_only_for_own_level_and_known_targets(level_code, target):
    assert primary.stagebank_level_fields(level_code=level_code, target=target) == []


def test_subject_codes_are_unique_and_named_in_both_languages():
    codes = [subject.code for subject in primary.stagebank_subjects(level_code="primary")]
    assert len(codes) == len(set(codes))
    assert all(s.name.nl and s.name.en and s.group for s in subjects().values())


@pytest.mark.parametrize(
    ("code", "name_nl"),
    [
        ("KLEUTER", "Kleuteronderwijs (alle ontwikkelingsdomeinen)"),
        ("NED", "Nederlands"),
        ("FRA", "Frans"),
        ("WIS", "Wiskunde"),
        ("WO", "Wereldoriëntatie"),
        ("MUVO", "Muzische vorming"),
        ("LO", "Lichamelijke opvoeding"),
        ("ICT", "Mediawijsheid en ICT"),
        ("LEREN", "Leren leren"),
        ("ALG", "Klasstage (alle vakken)"),
    ],
)
def test_known_subject_codes_are_stable(code, name_nl):
    assert subjects()[code].name.nl == name_nl


def test_no_clash_with_philosophical_subjects():
    philosophy = {s.code for s in philosophy_subjects(level_code="primary")}
    assert not set(subjects()) & philosophy


@pytest.mark.parametrize("level_code", ["secondary", "higher", ""])
def test_no_subjects_for_other_levels(level_code):
    assert primary.stagebank_subjects(level_code=level_code) == []


def test_training_kinds():
    kinds = {kind.code: kind for kind in primary.stagebank_training_kinds()}
    assert set(kinds) == {"BA_KO", "BA_LO"}
    assert all(kind.level_codes == ("primary",) for kind in kinds.values())
    assert kinds["BA_KO"].name.nl == "Educatieve bachelor kleuteronderwijs"
    assert kinds["BA_LO"].name.nl == "Educatieve bachelor lager onderwijs"
