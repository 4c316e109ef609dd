"""Guards of leaving the programme."""

from __future__ import annotations

from workflow.facts import Facts
from workflow.guards.registry import COMMENT, NoParams, Verdict, guard


@guard("reason_given", needs=(COMMENT,))
def reason_given(f: Facts, _: NoParams) -> Verdict:
    """Leaving the programme is recorded with its reason, for the cycle's report."""
    if f.comment.strip():
        return Verdict(True, "reason given", "iemesls norādīts")
    return Verdict(False, "a reason must be given in the comment", "komentārā jānorāda iemesls")
