"""The engine's refusals said in the user's language.

The engine words ``Forbidden``, ``Conflict`` and ``Ineligible`` in English for logs and
the API; the UI says them again from their data: a refused action by its id (a trigger,
``record <kind>`` or a policy action), a conflict by its ``code`` (snake_case as raised,
or the kebab-case slug the API's problem types use) with the details read back from the
message, an eligibility reason by the rule it names. Anything unrecognised is shown as
the engine said it, so nothing is ever hidden.
"""

from __future__ import annotations

import logging
import re

from flask_babel import gettext as _
from flask_babel import ngettext

from web.ui.helpers import state_label, trigger_label
from web.ui.vocabulary import ACTIONS, EVIDENCE, field_label, label
from workflow.errors import Conflict, Forbidden

logger = logging.getLogger(__name__)


def forbidden_what(exc: Forbidden) -> str:
    """What the role was refused, in words: a policy action, a kind of evidence, a step."""
    action = exc.action
    if action in ACTIONS:
        return label(ACTIONS, action)
    if action.startswith("record "):
        return label(EVIDENCE, action.removeprefix("record "))
    if action == "access a case not assigned to you":
        return _("open a case not assigned to you")
    text = trigger_label(action)
    return _("the step “%(step)s”", step=text) if text != action else action


_ENROLLED = re.compile(r"(?P<org>.+) is already enrolled in (?P<cycle>.+) \(case (?P<case>\d+)\)")
_FULL = re.compile(r"(?P<cycle>.+) is full: (?P<taken>\d+) of (?P<capacity>\d+) places taken")
_CLOSED = re.compile(r"case (?P<case>\d+) is closed \((?P<state>[^)]+)\).*")
_SELECTED = re.compile(r"(?P<programme>.+) is already selected for case (?P<case>\d+)")
_USER = re.compile(r"user '(?P<name>.+)' exists")
_REG_NO = re.compile(r"an organisation with reg_no (?P<reg_no>\S+) exists")
_CYCLE = re.compile(r"a cycle named '(?P<name>.+)' exists")


def conflict_message(exc: Conflict) -> str:
    """A conflict with stored data, by its code, with the names and numbers it carries."""
    code = exc.code.replace("-", "_")
    text = str(exc)
    if code == "already_enrolled":
        if m := _ENROLLED.fullmatch(text):
            return _(
                "%(org)s is already enrolled in %(cycle)s (case %(case)s).",
                org=m["org"],
                cycle=m["cycle"],
                case=m["case"],
            )
        return _("The organisation is already enrolled in this cycle.")
    if code == "cycle_full":
        if m := _FULL.fullmatch(text):
            return ngettext(
                "%(cycle)s is full: all %(num)d place is taken.",
                "%(cycle)s is full: all %(num)d places are taken.",
                int(m["capacity"]),
                cycle=m["cycle"],
            )
        return _("The cycle is full.")
    if code == "case_closed":
        if m := _CLOSED.fullmatch(text):
            return _(
                "Case %(case)s is closed (%(state)s); it takes no more evidence.",
                case=m["case"],
                state=state_label(m["state"]),
            )
        return _("The case is closed; it takes no more evidence.")
    if code == "duplicate":
        if m := _SELECTED.fullmatch(text):
            return _("%(programme)s is already selected for this case.", programme=m["programme"])
        if m := _USER.fullmatch(text):
            return _("A user named %(name)s already exists.", name=m["name"])
        if m := _REG_NO.fullmatch(text):
            return _(
                "An organisation with registration number %(reg_no)s is already registered.",
                reg_no=m["reg_no"],
            )
        if m := _CYCLE.fullmatch(text):
            return _("A cycle named %(name)s already exists.", name=m["name"])
        return _("This already exists.")
    logger.warning("no translation for the conflict %r: %s", exc.code, text)
    return text


_EXCLUDED = re.compile(r"field of activity (?P<fields>.+) is excluded from the programme by policy")
_FORM = re.compile(r"legal form '(?P<form>[^']+)' is not admitted \(admitted: (?P<allowed>.*)\)")
_CYCLES = re.compile(
    r"the organisation has already taken part in (?P<n>\d+) cycle\(s\); "
    r"the policy allows at most (?P<limit>\d+)"
)


def eligibility_reason(reason: str) -> str:
    """One failed eligibility rule of the policy, in the user's language."""
    if m := _EXCLUDED.fullmatch(reason):
        fields = ", ".join(field_label(f.strip()) for f in m["fields"].split(","))
        return _("The programme excludes the field of activity: %(fields)s.", fields=fields)
    if m := _FORM.fullmatch(reason):
        allowed = ", ".join(_(f.strip()) for f in m["allowed"].split(",") if f.strip())
        return _(
            "The legal form %(form)s is not admitted (admitted: %(allowed)s).",
            form=_(m["form"]),
            allowed=allowed,
        )
    if m := _CYCLES.fullmatch(reason):
        return ngettext(
            "The organisation has already taken part in %(num)d cycle; "
            "the policy allows at most %(limit)s.",
            "The organisation has already taken part in %(num)d cycles; "
            "the policy allows at most %(limit)s.",
            int(m["n"]),
            limit=m["limit"],
        )
    logger.warning("no translation for the eligibility reason %r", reason)
    return reason
