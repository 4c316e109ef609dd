"""The engine's refusals said in the user's language.

``Conflict`` and ``Ineligible`` carry their Latvian text as data (``message_lv``,
``reasons_lv``), worded where the rule is known; the UI shows it and never parses the
English. ``Forbidden`` is said from its action id (a trigger, ``record <kind>`` or
``update <kind>`` in the kind's own words, or a policy action). Every conflict the engine
raises carries its Latvian text; one without it (a bug at the raise site, logged) is shown
as the engine said it, so nothing is ever hidden.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from web.ui.helpers import lang, pick, trigger_label
from web.ui.vocabulary import ACTIONS, label
from workflow.errors import Conflict, Forbidden, Ineligible
from workflow.evidence import registry

logger = logging.getLogger(__name__)


def forbidden_what(exc: Forbidden) -> str:
    """What the role was refused, in words: a policy action, a kind of evidence, a step."""
    action = exc.action
    if action in ACTIONS:
        return label(ACTIONS, action)
    verb, _space, name = action.partition(" ")
    kind = registry.find(name)
    if kind is not None:
        for op in kind.operations:
            if op.verb == verb:
                return pick(op.may)
    if action == "access a case not assigned to you":
        return _("open a case not assigned to you")
    if action == "access a case of another organisation":
        return _("open a case of another organisation")
    if action == "read the programme's internal records of a case":
        return _("read the programme's internal records of a case")
    if action == "read the programme's figures across organisations":
        return _("read the programme's figures across organisations")
    text = trigger_label(action)
    return _("the step “%(step)s”", step=text) if text != action else action


def _sentence(text: str) -> str:
    """The engine's English (a clause for logs) as a sentence on a page."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def conflict_message(exc: Conflict) -> str:
    """A conflict with stored data in the user's language: the engine's own Latvian text,
    else (none given) its English."""
    if lang() != "lv":
        return _sentence(str(exc))
    if exc.message_lv:
        return exc.message_lv
    logger.warning("no Latvian text for the conflict %r: %s", exc.code, exc)
    return _sentence(str(exc))


def eligibility_reasons(exc: Ineligible) -> list[str]:
    """Each failed eligibility rule of the policy in the user's language (the engine's
    English where it gave no Latvian)."""
    if lang() == "lv" and exc.reasons_lv:
        return list(exc.reasons_lv)
    if lang() == "lv":
        logger.warning("no Latvian text for the eligibility reasons %r", exc.reasons)
    return [_sentence(r) for r in exc.reasons]
