"""The kinds of evidence behind each step, one module per kind, each declared once (input
model, writer, facts for guards, words; :mod:`workflow.evidence.registry`).

Importing the package registers the kinds below, in the order of the programme's steps;
a new kind is one more module and one more line here (``docs/adding-an-evidence-kind.md``).
Writing evidence goes through :mod:`workflow.recording`, which every entry point calls.
"""

from typing import Any

from workflow.evidence import analysis, applications, consultations, notes, sources
from workflow.evidence.registry import EvidenceKind, register

BUILT_IN: tuple[EvidenceKind[Any], ...] = (
    analysis.KIND,
    consultations.KIND,
    sources.KIND,
    applications.KIND,
    notes.KIND,
)
for _kind in BUILT_IN:
    register(_kind)
