"""Level-specific fields: one plugin definition, turned into WTForms and marshmallow fields.

A plugin describes a field once (:class:`~core.plugins.types.LevelField`); the web form and
the API schema are both built here, and :func:`clean_level_attributes` is the single check
that both paths call before anything is stored.
"""

from __future__ import annotations

import weakref
from typing import Any

import marshmallow
import wtforms
from flask_babel import lazy_gettext as _l
from marshmallow import fields as ma_fields
from marshmallow import validate as ma_validate
from wtforms import validators as wt_validators

from core.plugins.manager import Plugins
from core.plugins.types import LevelField


def level_fields(plugins: Plugins, level_code: str, target: str) -> list[tuple[str, LevelField]]:
    """``(plugin, field)`` pairs contributed for a level and target (``offer``/``request``)."""
    return [
        (plugin, field)
        for plugin, fields in plugins.results_by_plugin(
            "stagebank_level_fields", level_code=level_code, target=target
        )
        for field in fields
    ]


def form_field_name(plugin: str, field: LevelField) -> str:
    """Plugin fields are prefixed so they never collide with core fields."""
    return f"{plugin}__{field.name}"


def wtforms_field(field: LevelField, locale: str) -> wtforms.Field:
    """An unbound WTForms field for a level field."""
    label = field.label.in_locale(locale)
    description = field.help.in_locale(locale) if field.help else ""
    checks = [
        wt_validators.InputRequired(message=_l("Dit veld is verplicht."))
        if field.required
        else wt_validators.Optional()
    ]
    if field.kind == "integer":
        return wtforms.IntegerField(label, checks, description=description)
    if field.kind == "text":
        return wtforms.StringField(label, checks, description=description)
    choices = [wtforms.SelectChoice(c.value, c.label.in_locale(locale)) for c in field.choices]
    if field.kind == "multichoice":
        return wtforms.SelectMultipleField(label, checks, choices=choices, description=description)
    return wtforms.SelectField(
        label, checks, choices=[wtforms.SelectChoice("", "—"), *choices], description=description
    )


def _field_errors() -> dict[str, Any]:
    return {
        "required": _l("Dit veld is verplicht."),
        "null": _l("Dit veld is verplicht."),
        "invalid": _l("Ongeldige waarde."),
    }


def marshmallow_field(field: LevelField) -> ma_fields.Field:
    """A marshmallow field accepting exactly the values the form accepts."""
    options: dict[str, Any] = {
        "required": field.required,
        "allow_none": not field.required,
        "error_messages": _field_errors(),
    }
    if field.kind == "integer":
        return ma_fields.Integer(**options)
    if field.kind == "text":
        return ma_fields.String(**options)
    one_of = ma_validate.OneOf(field.choice_values(), error=_l("Kies een van: {choices}."))
    if field.kind == "multichoice":
        return ma_fields.List(ma_fields.String(validate=one_of), **options)
    return ma_fields.String(validate=one_of, **options)


class _AttributesSchema(marshmallow.Schema):
    error_messages = {"unknown": _l("Onbekend veld voor dit onderwijsniveau.")}


#: Per plugin manager, per (level, target): the fields a schema was built from, and it.
_SCHEMAS: weakref.WeakKeyDictionary[Plugins, dict] = weakref.WeakKeyDictionary()


def attributes_schema(plugins: Plugins, level_code: str, target: str) -> marshmallow.Schema:
    """A schema for the ``attributes`` object of an offer or request at ``level_code``.

    Building a schema class is costly (a bulk upload checks thousands of rows), so it is
    kept per plugin manager, level and target, and built again only when the plugins
    contribute different fields (a plugin registered or unregistered meanwhile).
    """
    fields = level_fields(plugins, level_code, target)
    cache = _SCHEMAS.setdefault(plugins, {})
    cached = cache.get((level_code, target))
    if cached is not None and cached[0] == fields:
        return cached[1]
    declared = {field.name: marshmallow_field(field) for _, field in fields}
    schema = type(f"{level_code}_{target}_attributes", (_AttributesSchema,), declared)()
    cache[(level_code, target)] = (fields, schema)
    return schema


def clean_level_attributes(
    plugins: Plugins, level_code: str, target: str, attributes: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check attributes field by field, then together; return ``(clean, errors)``.

    Unknown keys are refused rather than silently stored.
    """
    given = {key: value for key, value in attributes.items() if value not in (None, "", [])}
    try:
        loaded = attributes_schema(plugins, level_code, target).load(given)
    except marshmallow.ValidationError as error:
        return {}, {
            key: [str(message) for message in _as_list(messages)]
            for key, messages in error.normalized_messages().items()
        }
    clean = {key: value for key, value in loaded.items() if value not in (None, "", [])}
    errors: dict[str, list[str]] = {}
    for found in plugins.hook.stagebank_validate_level_attributes(
        level_code=level_code, target=target, attributes=clean
    ):
        for key, messages in (found or {}).items():
            errors.setdefault(key, []).extend(str(message) for message in messages)
    return ({}, errors) if errors else (clean, {})


def _as_list(messages) -> list:
    if isinstance(messages, dict):
        return [message for nested in messages.values() for message in _as_list(nested)]
    return list(messages) if isinstance(messages, list | tuple) else [messages]


def form_with_level_fields(
    form_class: type, plugins: Plugins, level_code: str, target: str, locale: str
) -> type:
    """A subclass of ``form_class`` carrying the level's plugin fields (prefixed names)."""
    extra = {
        form_field_name(plugin, field): wtforms_field(field, locale)
        for plugin, field in level_fields(plugins, level_code, target)
    }
    return type(f"{form_class.__name__}_{level_code}", (form_class,), extra)


def level_attributes_from_form(
    form, plugins: Plugins, level_code: str, target: str
) -> tuple[dict[str, Any], bool]:
    """Read and check the plugin fields of a bound form; errors land on the fields.

    Returns ``(attributes, ok)``. Plugin fields are never written by ``populate_obj``.
    """
    names = {
        field.name: form_field_name(plugin, field)
        for plugin, field in level_fields(plugins, level_code, target)
    }
    raw = {name: form[prefixed].data for name, prefixed in names.items()}
    clean, errors = clean_level_attributes(plugins, level_code, target, raw)
    for name, messages in errors.items():
        target_field = form[names[name]] if name in names else None
        if target_field is not None:
            target_field.errors = [*target_field.errors, *messages]
        else:
            form.form_errors.extend(messages)
    return clean, not errors


def fill_level_fields(form, plugins: Plugins, level_code: str, target: str, attributes) -> None:
    """Put stored attributes into the plugin fields of an unsubmitted form."""
    for plugin, field in level_fields(plugins, level_code, target):
        if field.name in attributes:
            form[form_field_name(plugin, field)].data = attributes[field.name]


def level_field_names(plugins: Plugins, level_code: str, target: str) -> list[str]:
    """The prefixed form field names of a level, in order (for templates)."""
    return [form_field_name(p, f) for p, f in level_fields(plugins, level_code, target)]


def errors_onto_form(
    form,
    errors: dict[str, list[str]],
    plugins: Plugins,
    level_code: str,
    target: str,
    aliases: dict[str, str] | None = None,
) -> None:
    """Put a service's ``{field: [message]}`` refusal onto the form's fields.

    ``attributes.<name>`` lands on the plugin field; ``aliases`` maps service field names
    to form field names; anything else becomes a form-wide error.
    """
    names = {
        f"attributes.{field.name}": form_field_name(plugin, field)
        for plugin, field in level_fields(plugins, level_code, target)
    } | (aliases or {})
    for name, messages in errors.items():
        field = form._fields.get(names.get(name, name))
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)
