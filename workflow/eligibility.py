"""Who may enrol: the policy's eligibility rules, each refusal with its own reason.

Each reason is worded in English (logs, the API) and in Latvian (the screens) here, where
the rule is known, so no screen has to parse the English to translate it.
"""

from __future__ import annotations

from typing import NamedTuple

from workflow.orm import Organisation
from workflow.policies import Policy
from workflow.vocabulary import lv, lv_one


class Reason(NamedTuple):
    """One failed eligibility rule, in English and in Latvian."""

    en: str
    lv: str


def eligibility_reasons(policy: Policy, org: Organisation, cycles_so_far: int) -> list[Reason]:
    """Every eligibility rule ``org`` fails under ``policy``, both languages (empty when eligible)."""
    rules = policy.spec.eligibility
    reasons = []
    excluded = sorted(set(org.fields) & set(rules.excluded_fields))
    if excluded:
        reasons.append(
            Reason(
                f"field of activity {', '.join(excluded)} is excluded from the programme by policy",
                f"Programma neattiecas uz darbības jomu: {', '.join(lv(f) for f in excluded)}.",
            )
        )
    if rules.allowed_legal_forms and org.legal_form not in rules.allowed_legal_forms:
        allowed = ", ".join(rules.allowed_legal_forms)
        allowed_lv = ", ".join(lv(f) for f in rules.allowed_legal_forms)
        reasons.append(
            Reason(
                f"legal form {org.legal_form!r} is not admitted (admitted: {allowed})",
                f"Juridiskā forma “{lv(org.legal_form)}” netiek pieņemta (pieņem: {allowed_lv}).",
            )
        )
    limit = rules.max_cycles_per_organisation
    if limit is not None and cycles_so_far >= limit:
        cycles_lv = "ciklā" if lv_one(cycles_so_far) else "ciklos"
        reasons.append(
            Reason(
                f"the organisation has already taken part in {cycles_so_far} cycle(s); "
                f"the policy allows at most {limit}",
                f"Organizācija jau ir piedalījusies {cycles_so_far} {cycles_lv}; "
                f"noteikumi atļauj ne vairāk kā {limit}.",
            )
        )
    return reasons
