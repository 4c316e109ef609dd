"""Evidence kinds in URLs: one generic route per operation serves every kind, its path
segment matched against the kinds' registry when a request comes (a kind registered after
start-up is served too; a name that is no kind does not match, so the path is a 404).

``<evidence:kind>`` matches any kind (each can be created on a case); ``<changeable:kind>``
only kinds whose records can be changed. Installed on the app by each blueprint that
uses them (API and UI), before its rules.
"""

from __future__ import annotations

from typing import Any

from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter, ValidationError

from workflow.evidence import registry


class EvidenceKind(BaseConverter):
    """A registered evidence kind's name."""

    regex = r"[a-z][a-z0-9_]{0,32}"
    part_isolating = True

    def to_python(self, value: str) -> str:
        if registry.find(value) is None:
            raise ValidationError()
        return value

    def to_url(self, value: Any) -> str:
        return str(value)


class ChangeableKind(EvidenceKind):
    """A registered evidence kind whose stored records can be changed."""

    def to_python(self, value: str) -> str:
        kind = registry.find(value)
        if kind is None or kind.update is None:
            raise ValidationError()
        return value


def install(state: BlueprintSetupState) -> None:
    """Make the converters known to the app a blueprint is registered on."""
    state.app.url_map.converters.update(evidence=EvidenceKind, changeable=ChangeableKind)
