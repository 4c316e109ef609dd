"""Each evidence kind's form, built from its declaration: one field per field of the
kind's input model, in the model's order, labelled with the kind's words.

The widget follows the field's type: a date asks for a date, a decimal for a number, a
list of codes is a set of checkboxes, a fixed set of values (``Literal``) or a field
with a named list of choices is a select, long text a text area. A field with an ``other``
label gets a free-text field ``<name>_other`` beside it (an external mentor, another
domain). The choices themselves are filled per request by the view; validation stays the
model's, so the form, the API and the CLI apply one set of rules.
"""

from __future__ import annotations

import re
import types
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from flask_wtf import FlaskForm
from pydantic.fields import FieldInfo
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from web.ui import forms as F
from web.ui.vocabulary import Named
from workflow.evidence.registry import EvidenceKind, FieldSpec, Operation

#: Text longer than a line's worth gets a text area.
LONG_TEXT = 300

_FORMS: dict[tuple[str, str, int], type[FlaskForm]] = {}


def _plain(annotation: Any) -> Any:
    """The type under ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else str
        else:
            return annotation


_ATOM = re.compile(r"\[(?:\\.|[^\]])*\]|\\.|[^\[\]\\{}?*+()|^$]")
_TIMES = re.compile(r"\{(\d+)(?:,(\d+))?\}|\?")


def _pattern_width(pattern: str) -> int | None:
    """The longest string a simple anchored pattern matches (``^[a-z][a-z0-9_]{0,39}$``:
    40), or None for one with unbounded or alternative parts."""
    body, total, i = pattern.removeprefix("^").removesuffix("$"), 0, 0
    while i < len(body):
        atom = _ATOM.match(body, i)
        if atom is None:
            return None
        times = _TIMES.match(body, atom.end())
        i = times.end() if times else atom.end()
        if times is None:
            total += 1
        elif times.group(0) == "?":
            total += 1
        else:
            total += int(times.group(2) or times.group(1))
    return total


def _text_limit(prop: dict[str, Any]) -> int | None:
    """The longest text a JSON schema property accepts: its ``maxLength`` or its pattern's
    width (None: no limit, or not text)."""
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    prop = options[0] if len(options) == 1 else {}
    if "maxLength" in prop:
        return int(prop["maxLength"])
    return _pattern_width(prop["pattern"]) if "pattern" in prop else None


def _typed_limit(prop: dict[str, Any]) -> int | None:
    """The longest text that may be typed for a property: a list of codes is typed into
    one field, every code at its longest with ", " between."""
    if prop.get("type") == "array":
        width, count = _text_limit(prop.get("items", {})), prop.get("maxItems")
        return width * count + (count - 1) * 2 if width and count else None
    return _text_limit(prop)


def _properties(op: Operation) -> dict[str, Any]:
    """The input model's JSON schema properties: the limits the model itself declares."""
    props: dict[str, Any] = op.schema.model_json_schema()["properties"]
    return props


def is_list(info: FieldInfo) -> bool:
    """Whether the field holds a list of codes (checkboxes)."""
    return get_origin(_plain(info.annotation)) is list


def _text(cls: Any, label: Any, limit: int | None) -> Any:
    """A text field, stripped and held to the model's limit (which the browser shows as
    ``maxlength``) so a longer value is refused on the field."""
    if limit is None:
        return cls(label, filters=F.STRIP)
    return cls(label, filters=F.STRIP, validators=[F.most(limit)])


def _field(info: FieldInfo, spec: FieldSpec, prop: dict[str, Any]) -> Any:
    """The unbound form field for one model field."""
    kind = _plain(info.annotation)
    label = Named(spec.label)
    if get_origin(kind) is list:
        return F.CodeBoxes(label)
    literal = get_origin(kind) is Literal
    if literal or spec.choices is not None:
        # a free-text alternative or the model's Literal decides, with its message on the field
        return SelectField(label, coerce=str, validate_choice=not (literal or spec.other))
    if kind is date:
        return StringField(label, render_kw=F.DATE)
    if kind is Decimal:
        return StringField(label, render_kw=F.NUMBER)
    if kind is int:
        return StringField(label, render_kw={"inputmode": "numeric"})
    limit = _text_limit(prop)
    return _text(TextAreaField if (limit or 0) > LONG_TEXT else StringField, label, limit)


def form_class(kind: EvidenceKind[Any], op: Operation) -> type[FlaskForm]:
    """The form of ``op`` of ``kind``, built once per declaration."""
    key = (kind.name, op.verb, id(op))
    cls = _FORMS.get(key)
    if cls is None:
        attrs: dict[str, Any] = {}
        props = _properties(op)
        for name, info in op.schema.model_fields.items():
            spec = op.fields[name]
            attrs[name] = _field(info, spec, props[name])
            if spec.other is not None:
                other = Named(spec.other)
                attrs[f"{name}_other"] = _text(StringField, other, _typed_limit(props[name]))
        cls = _FORMS[key] = type(f"{kind.name}_{op.verb}_form", (F.VersionedForm,), attrs)
    return cls


def fixed_choices(op: Operation, name: str) -> list[SelectChoice] | None:
    """The choices of a select over the model's fixed set of values (None: not one)."""
    info = op.schema.model_fields[name]
    kind = _plain(info.annotation)
    if get_origin(kind) is not Literal:
        return None
    words = op.fields[name].options
    return [SelectChoice(str(v), Named(words[v]) if v in words else str(v)) for v in get_args(kind)]


def needs_blank(op: Operation, name: str) -> bool:
    """Whether a select starts with "–": the field may be left out, or typed instead."""
    return not op.schema.model_fields[name].is_required() or op.fields[name].other is not None
