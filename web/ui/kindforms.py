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


def _max_length(info: FieldInfo) -> int | None:
    """The text's longest length, from the model's own constraints."""
    for meta in [*info.metadata, *get_args(info.annotation)]:
        length = getattr(meta, "max_length", None)
        if length is not None:
            return int(length)
        for inner in getattr(meta, "__metadata__", ()):
            length = getattr(inner, "max_length", None)
            if length is not None:
                return int(length)
    return None


def is_list(info: FieldInfo) -> bool:
    """Whether the field holds a list of codes (checkboxes)."""
    return get_origin(_plain(info.annotation)) is list


def _field(info: FieldInfo, spec: FieldSpec) -> Any:
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
    if (_max_length(info) or 0) > LONG_TEXT:
        return TextAreaField(label)
    return StringField(label)


def form_class(kind: EvidenceKind[Any], op: Operation) -> type[FlaskForm]:
    """The form of ``op`` of ``kind``, built once per declaration."""
    key = (kind.name, op.verb, id(op))
    cls = _FORMS.get(key)
    if cls is None:
        attrs: dict[str, Any] = {}
        for name, info in op.schema.model_fields.items():
            spec = op.fields[name]
            attrs[name] = _field(info, spec)
            if spec.other is not None:
                attrs[f"{name}_other"] = StringField(Named(spec.other))
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
