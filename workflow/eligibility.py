"""Who may enrol: the policy's eligibility rules, each refusal with its own reason."""

from __future__ import annotations

from workflow.orm import Organisation
from workflow.policies import Policy


def eligibility_problems(policy: Policy, org: Organisation, cycles_so_far: int) -> list[str]:
    """Every eligibility rule ``org`` fails under ``policy`` (empty when eligible)."""
    rules = policy.spec.eligibility
    problems = []
    excluded = sorted(set(org.fields) & set(rules.excluded_fields))
    if excluded:
        problems.append(
            f"field of activity {', '.join(excluded)} is excluded from the programme by policy"
        )
    if rules.allowed_legal_forms and org.legal_form not in rules.allowed_legal_forms:
        allowed = ", ".join(rules.allowed_legal_forms)
        problems.append(f"legal form {org.legal_form!r} is not admitted (admitted: {allowed})")
    limit = rules.max_cycles_per_organisation
    if limit is not None and cycles_so_far >= limit:
        problems.append(
            f"the organisation has already taken part in {cycles_so_far} cycle(s); "
            f"the policy allows at most {limit}"
        )
    return problems
