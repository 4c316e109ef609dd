"""The hash-chain check's findings in the user's language.

``workflow.auditlog.verify`` words each finding in English with the case and event
numbers in it; each known wording is matched here and said again with gettext, so an
auditor reading Latvian gets the finding in Latvian. An unknown wording is shown as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

Say = Callable[[re.Match[str]], str]

FINDINGS: tuple[tuple[re.Pattern[str], Say], ...] = (
    (
        re.compile(r"its content does not match its hash: the event was edited"),
        lambda m: _("its content does not match its hash: the event was edited"),
    ),
    (
        re.compile(
            r"does not name the previous event's hash: events were inserted, removed or reordered"
        ),
        lambda m: _(
            "it does not name the previous event's hash: events were inserted, removed or reordered"
        ),
    ),
    (
        re.compile(r"case (\d+) starts at #(\d+), not #1: earlier events are missing"),
        lambda m: _(
            "case %(case)s starts at #%(seq)s, not #1: earlier events are missing",
            case=m[1],
            seq=m[2],
        ),
    ),
    (
        re.compile(r"the first event names a predecessor"),
        lambda m: _("the first event names a predecessor"),
    ),
    (
        re.compile(r"a second event #(\d+): an event was inserted"),
        lambda m: _("a second event #%(seq)s: an event was inserted", seq=m[1]),
    ),
    (
        re.compile(r"case (\d+) has version (\d+) but no events: its events were deleted"),
        lambda m: _(
            "case %(case)s has version %(version)s but no events: its events were deleted",
            case=m[1],
            version=m[2],
        ),
    ),
    (
        re.compile(r"events of case (\d+), which does not exist"),
        lambda m: _("events of case %(case)s, which does not exist", case=m[1]),
    ),
    (
        re.compile(
            r"case (\d+)'s chain ends at #(\d+) but the case's head is #(\d+): "
            r"events were deleted or appended behind the engine's back"
        ),
        lambda m: _(
            "the chain of case %(case)s ends at #%(seq)s but the case's head is #%(head)s: "
            "events were deleted or appended behind the engine's back",
            case=m[1],
            seq=m[2],
            head=m[3],
        ),
    ),
)


def finding(problem: str) -> str:
    """One finding of the chain check, said in the user's language."""
    for pattern, say in FINDINGS:
        m = pattern.fullmatch(problem)
        if m:
            return say(m)
    return problem
