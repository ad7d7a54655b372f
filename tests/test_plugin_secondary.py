"""The ``secondary`` plugin: structure, catalogue, cross-field rules and offer fragment."""

from __future__ import annotations

from types import SimpleNamespace

import flask
import pytest
from flask_babel import Babel
from markupsafe import Markup

import plugins.secondary as secondary
from core.plugins.manager import Plugins
from plugins.philosophy_subjects import stagebank_subjects as philosophy_subjects


@pytest.fixture
def babel_app():
    """A bare Flask app with Babel, inside an app context (to render lazy messages)."""
    app = flask.Flask(__name__)
    Babel(app)
    with app.app_context():
        yield app


def fields_by_name(level_code="secondary", target="offer"):
    return {
        field.name: field
        for field in secondary.stagebank_level_fields(level_code=level_code, target=target)
    }


def errors(attributes, level_code="secondary"):
    found = secondary.stagebank_validate_level_attributes(
        level_code=level_code, attributes=attributes
    )
    return {field: [str(message) for message in messages] for field, messages in found.items()}


def fragment(attributes, level_code="secondary", slot="offer_details"):
    offer = SimpleNamespace(level_code=level_code, attributes=attributes)
    return secondary.stagebank_template_fragment(slot=slot, context={"offer": offer})


# ----------------------------------------------------------------- registration


def test_registers_under_the_contract_and_is_enabled_by_default():
    plugins = Plugins()
    plugins.register(secondary, "secondary")
    plugins.manager.check_pending()
    assert getattr(secondary, "ENABLED_BY_DEFAULT", True) is True
    assert plugins.infos["secondary"].enabled_by_default is True


def test_level():
    [level] = secondary.stagebank_education_levels()
    assert (level.code, level.position) == ("secondary", 20)
    assert level.name.nl == "Secundair onderwijs"
    assert level.name.en == "Secondary education"


# -------------------------------------------------------------------- catalogue


def test_subject_codes_are_unique_short_uppercase_and_named_in_both_languages():
    subjects = secondary.stagebank_subjects(level_code="secondary")
    codes = [subject.code for subject in subjects]
    assert 40 <= len(codes) <= 60
    assert len(codes) == len(set(codes))
    for subject in subjects:
        assert subject.code.isupper() and subject.code.isalnum() and len(subject.code) <= 8
        assert subject.name.nl and subject.name.en and subject.group


@pytest.mark.parametrize(
    ("code", "name_nl", "group"),
    [
        ("NED", "Nederlands", "talen"),
        ("FRA", "Frans", "talen"),
        ("ENG", "Engels", "talen"),
        ("LAT", "Latijn", "talen"),
        ("WIS", "Wiskunde", "stem"),
        ("FYS", "Fysica", "stem"),
        ("GES", "Geschiedenis", "mens_maatschappij"),
        ("ECO", "Economie", "economie"),
        ("MUZ", "Muzikale opvoeding", "kunst"),
        ("LO", "Lichamelijke opvoeding", "sport"),
        ("ELEK", "Elektriciteit en elektronica", "technisch_praktisch"),
        ("ZORG", "Zorg en welzijn", "technisch_praktisch"),
    ],
)
def test_known_subject_codes_are_stable(code, name_nl, group):
    subjects = {s.code: s for s in secondary.stagebank_subjects(level_code="secondary")}
    assert subjects[code].name.nl == name_nl
    assert subjects[code].group == group


def test_no_philosophical_subjects_and_no_clash_with_them():
    own = {s.code for s in secondary.stagebank_subjects(level_code="secondary")}
    philosophy = {s.code for s in philosophy_subjects(level_code="secondary")}
    assert not own & philosophy
    assert all(
        s.group != "levensbeschouwing" for s in secondary.stagebank_subjects(level_code="secondary")
    )


@pytest.mark.parametrize("level_code", ["primary", "higher", ""])
def test_no_subjects_for_other_levels(level_code):
    assert secondary.stagebank_subjects(level_code=level_code) == []


def test_training_kinds():
    kinds = {kind.code: kind for kind in secondary.stagebank_training_kinds()}
    assert set(kinds) == {"BA_SO", "MA_EDU", "MA_EDU_KUNST", "GRAD_SO"}
    assert all(kind.level_codes == ("secondary",) for kind in kinds.values())
    assert kinds["BA_SO"].name.nl == "Educatieve bachelor secundair onderwijs"


# ----------------------------------------------------------------------- fields


@pytest.mark.parametrize("target", ["offer", "request"])
def test_fields_for_offers_and_requests(target):
    fields = fields_by_name(target=target)
    assert list(fields) == [
        "graad",
        "leerjaar",
        "finaliteit",
        "onderwijsvorm",
        "studiedomein",
        "buitengewoon",
        "opleidingsvorm",
    ]
    assert fields["graad"].required
    assert not any(field.required for name, field in fields.items() if name != "graad")
    assert all(field.kind == "choice" for field in fields.values())
    assert fields["graad"].choice_values() == ("1", "2", "3", "senso")
    assert fields["leerjaar"].choice_values() == ("1A", "1B", "2A", "2B")
    assert fields["finaliteit"].choice_values() == ("doorstroom", "dubbel", "arbeidsmarkt")
    assert fields["onderwijsvorm"].choice_values() == ("ASO", "TSO", "KSO", "BSO")
    assert fields["buitengewoon"].choice_values() == ("yes", "no")
    assert fields["opleidingsvorm"].choice_values() == ("OV1", "OV2", "OV3", "OV4")


def test_the_eight_studiedomeinen():
    labels = {choice.label.nl for choice in fields_by_name()["studiedomein"].choices}
    assert labels == {
        "Taal en cultuur",
        "STEM",
        "Kunst en creatie",
        "Land- en tuinbouw",
        "Economie en organisatie",
        "Maatschappij en welzijn",
        "Sport",
        "Voeding en horeca",
    }
    assert all(choice.label.en for choice in fields_by_name()["studiedomein"].choices)


@pytest.mark.parametrize(
    ("level_code", "target"), [("primary", "offer"), ("higher", "request"), ("secondary", "x")]
)
def test_fields_only_for_own_level_and_known_targets(level_code, target):
    assert secondary.stagebank_level_fields(level_code=level_code, target=target) == []


# ------------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    "attributes",
    [
        {"graad": "1", "leerjaar": "1A"},
        {"graad": "1", "leerjaar": "2B", "studiedomein": "stem"},
        {"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"},
        {"graad": "2", "finaliteit": "dubbel", "onderwijsvorm": "TSO"},
        {"graad": "3", "finaliteit": "dubbel", "onderwijsvorm": "KSO"},
        {"graad": "3", "finaliteit": "arbeidsmarkt", "onderwijsvorm": "BSO"},
        {"graad": "senso", "finaliteit": "arbeidsmarkt", "onderwijsvorm": "TSO"},
        {"graad": "2", "buitengewoon": "yes", "opleidingsvorm": "OV4", "onderwijsvorm": "BSO"},
        {"graad": "3", "buitengewoon": "yes", "opleidingsvorm": "OV3"},
        {"graad": "2", "buitengewoon": "no"},
    ],
)
def test_realistic_combinations_pass(attributes, babel_app):
    assert errors(attributes) == {}


def test_finaliteit_refused_in_the_first_graad(babel_app):
    assert errors({"graad": "1", "finaliteit": "doorstroom"}) == {
        "finaliteit": ["Een finaliteit kan pas vanaf de 2de graad."]
    }


@pytest.mark.parametrize("graad", ["2", "3", "senso"])
def test_leerjaar_refused_outside_the_first_graad(graad, babel_app):
    assert list(errors({"graad": graad, "leerjaar": "1A"})) == ["leerjaar"]


def test_onderwijsvorm_refused_in_the_first_graad(babel_app):
    assert list(errors({"graad": "1", "leerjaar": "1B", "onderwijsvorm": "BSO"})) == [
        "onderwijsvorm"
    ]


@pytest.mark.parametrize(
    ("onderwijsvorm", "finaliteit"),
    [("ASO", "dubbel"), ("ASO", "arbeidsmarkt"), ("BSO", "doorstroom"), ("TSO", "arbeidsmarkt")],
)
def test_finaliteit_must_fit_the_onderwijsvorm(onderwijsvorm, finaliteit, babel_app):
    attributes = {"graad": "2", "onderwijsvorm": onderwijsvorm, "finaliteit": finaliteit}
    assert list(errors(attributes)) == ["finaliteit"]


def test_opleidingsvorm_only_in_special_education(babel_app):
    for buitengewoon in ("no", None):
        attributes = {"graad": "2", "buitengewoon": buitengewoon, "opleidingsvorm": "OV4"}
        assert list(errors(attributes)) == ["opleidingsvorm"]


def test_only_ov4_follows_the_onderwijsvormen(babel_app):
    attributes = {"graad": "2", "buitengewoon": "yes", "opleidingsvorm": "OV2"}
    assert list(errors({**attributes, "onderwijsvorm": "BSO"})) == ["onderwijsvorm"]


def test_messages_are_lazy_and_collected_per_field(babel_app):
    found = secondary.stagebank_validate_level_attributes(
        level_code="secondary",
        attributes={"graad": "1", "finaliteit": "dubbel", "onderwijsvorm": "ASO"},
    )
    assert set(found) == {"finaliteit", "onderwijsvorm"}
    message = found["finaliteit"][0]
    assert not isinstance(message, str)  # a lazy string, rendered in the reader's language
    assert str(message) == "Een finaliteit kan pas vanaf de 2de graad."


def test_other_levels_are_not_checked():
    assert errors({"graad": "1", "finaliteit": "doorstroom"}, level_code="primary") == {}


# --------------------------------------------------------------------- fragment


def test_fragment_summarises_the_offer_in_dutch():
    html = fragment({"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"})
    assert isinstance(html, Markup)
    assert html == '<p class="offer-attributes">2de graad · doorstroom · ASO</p>'


def test_fragment_for_the_first_graad_and_special_education():
    html = fragment({"graad": "1", "leerjaar": "1B", "buitengewoon": "yes"})
    assert html == '<p class="offer-attributes">1ste graad · 1B · buitengewoon</p>'


def test_fragment_follows_the_reader_locale():
    app = flask.Flask(__name__)
    Babel(app, locale_selector=lambda: "en")
    with app.test_request_context():
        html = fragment({"graad": "3", "finaliteit": "arbeidsmarkt"})
    assert html == '<p class="offer-attributes">3rd stage (years 5-6) · labour market</p>'


def test_fragment_escapes_attribute_values():
    html = fragment({"graad": "<script>alert(1)</script>", "onderwijsvorm": 'A"&B'})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A&#34;&amp;B" in html


@pytest.mark.parametrize(
    ("slot", "level_code", "attributes"),
    [
        ("home_after_intro", "secondary", {"graad": "2"}),
        ("offer_details", "primary", {"graad": "2"}),
        ("offer_details", "secondary", {}),
        ("offer_details", "secondary", None),
    ],
)
def test_no_fragment_elsewhere(slot, level_code, attributes):
    assert fragment(attributes, level_code=level_code, slot=slot) is None


def test_no_fragment_without_an_offer():
    assert secondary.stagebank_template_fragment(slot="offer_details", context={}) is None
