"""One error hierarchy for the engine; every error carries the data a caller needs.

The web layer maps each class to an HTTP status in one place; the CLI maps each to an
exit code. ``str(exc)`` is English (logs, the API); an error a person reads carries its
Latvian text as data too (guard failures, ``Conflict.message_lv``, ``Ineligible.reasons_lv``,
``InvalidInput.errors_lv``), so no screen ever parses an English message. ``NotFound`` and
``Forbidden`` carry codes (``kind``/``key``, ``role``/``action``) a screen words itself.
"""

from __future__ import annotations

from dataclasses import dataclass


class WorkflowError(Exception):
    """Base of every error the engine raises on purpose."""


class DefinitionError(WorkflowError):
    """A states or policy file is invalid; ``problems`` lists every finding, file and path first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class PolicyError(DefinitionError):
    """A policy file is invalid (same shape as :class:`DefinitionError`)."""


class NotFound(WorkflowError):
    """The named record does not exist."""

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} not found")


class TransitionNotAllowed(WorkflowError):
    """The trigger is not declared from the case's current state."""

    def __init__(self, trigger: str, state: str) -> None:
        self.trigger = trigger
        self.state = state
        super().__init__(f"trigger {trigger!r} is not allowed from state {state!r}")


@dataclass(frozen=True, slots=True)
class FailedGuard:
    """A guard that said no, with its reason in Latvian and English."""

    guard: str
    message_en: str
    message_lv: str


class GuardRejected(WorkflowError):
    """One or more guards block the trigger; ``failures`` lists every one, not just the first."""

    def __init__(self, trigger: str, failures: list[FailedGuard]) -> None:
        self.trigger = trigger
        self.failures = failures
        reasons = "; ".join(f"{f.guard}: {f.message_en}" for f in failures)
        super().__init__(f"{trigger} is blocked: {reasons}")


class StaleCase(WorkflowError):
    """The case changed since the caller read it (optimistic lock lost)."""

    def __init__(self, case_id: int, expected: int | None, actual: int | None) -> None:
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"case {case_id} has changed: expected version {expected}, found {actual}; "
            "reload it and try again"
        )


class Forbidden(WorkflowError):
    """The actor's role may not do this (from the policy's roles section)."""

    def __init__(self, role: str, action: str) -> None:
        self.role = role
        self.action = action
        super().__init__(f"{action!r} is not allowed for role {role!r}")


class Conflict(WorkflowError):
    """The request contradicts stored data (full cycle, duplicate enrolment, duplicate name).

    ``message_lv`` is the same sentence in Latvian where the raise site gave it (None
    otherwise), so a Latvian screen need not reword the English.
    """

    def __init__(self, message: str, code: str = "conflict", message_lv: str | None = None) -> None:
        self.code = code
        self.message_lv = message_lv
        super().__init__(message)


class Ineligible(WorkflowError):
    """The organisation fails the policy's eligibility rules; ``reasons`` lists each rule.

    ``reasons_lv`` lists the same rules in Latvian, in the same order, or is empty when the
    raise site gave none; a list of another length would pair the wrong reasons, so it is
    refused.
    """

    def __init__(self, reasons: list[str], reasons_lv: list[str] | None = None) -> None:
        self.reasons = reasons
        self.reasons_lv = list(reasons_lv or [])
        if self.reasons_lv and len(self.reasons_lv) != len(reasons):
            raise ValueError(
                f"reasons_lv has {len(self.reasons_lv)} reasons for {len(reasons)} English ones"
            )
        super().__init__("not eligible: " + "; ".join(reasons))


class InvalidInput(WorkflowError):
    """Input failed a domain rule; ``errors`` maps field names to English messages.

    ``errors_lv`` carries the same fields in Latvian where the raise site gave them, so a
    Latvian screen can show the rule in its own language without the engine knowing of it.
    """

    def __init__(self, errors: dict[str, str], errors_lv: dict[str, str] | None = None) -> None:
        self.errors = errors
        self.errors_lv = dict(errors_lv or {})
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class UploadTooLarge(InvalidInput):
    """An upload passed the policy's size limit while it arrived (nothing was kept)."""


class ScannerUnavailable(WorkflowError):
    """The virus scanner is configured but could not scan an upload (nothing was kept)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of an imported file: its line (the header is line 1), the column's
    header name (or ``(file)`` for the file as a whole), and why, in English and Latvian."""

    row: int
    column: str
    message: str
    message_lv: str


class RegisterFileInvalid(WorkflowError):
    """A register extract was refused as a whole; ``errors`` lists its problems (at most a
    few hundred, ``total`` counts them all) and nothing was written."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.errors = errors
        self.total = len(errors) if total is None else total
        more = self.total - len(errors)
        tail = f" (and {more} more)" if more else ""
        super().__init__(
            f"the file was not imported: {self.total} problem(s){tail}; first: "
            + (f"line {errors[0].row}, {errors[0].column}: {errors[0].message}" if errors else "")
        )
