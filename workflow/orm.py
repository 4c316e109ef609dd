"""The persistent model: typed SQLAlchemy 2 declarative classes, one per table.

Money is ``Numeric(14, 2)`` in EUR; times are UTC. ``audit_events`` has no update or
delete path in the application, and the migrations add database triggers refusing both.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from workflow.limits import (
    CODE_MAX,
    EMAIL_MAX,
    FILENAME_MAX,
    IDEMPOTENCY_KEY_MAX,
    NAME_MAX,
    PERSON_NAME_MAX,
    REMINDER_KEY_MAX,
    ROLE_MAX,
    TITLE_MAX,
    USER_NAME_MAX,
)

Money = Numeric(14, 2)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


class Organisation(Base):
    """An NGO (association, foundation, …) that may take part in cycles."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    reg_no: Mapped[str] = mapped_column(String(20), unique=True)  # REG_NO_DIGITS fit
    legal_form: Mapped[str] = mapped_column(String(CODE_MAX))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r} {self.reg_no}>"


class Cycle(Base):
    """One incubation cycle with its budget and capacity."""

    __tablename__ = "cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    budget_eur: Mapped[Decimal] = mapped_column(Money)
    capacity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<Cycle {self.id} {self.name!r}>"


class User(Base):
    """A person using the system, with one role."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(USER_NAME_MAX), unique=True)
    role: Mapped[str] = mapped_column(String(ROLE_MAX))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(5), default="lv")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: where reminders go (``inkubators user email``); none: the digest is only logged
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.name!r} {self.role}>"


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored.

    It works until ``created_at`` plus the policy's ``tokens.lifetime_days`` (the policy
    in force decides, so shortening the lifetime ends old tokens at once), until it is
    revoked, or until its user's password changes (``revoked_reason`` says which).
    """

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(20))  # revoked, password_set

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"


class FundingSource(Base):
    """A funder's programme with its call window and maximum grant."""

    __tablename__ = "funding_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    funder: Mapped[str] = mapped_column(String(NAME_MAX))
    programme: Mapped[str] = mapped_column(String(NAME_MAX))
    call_opens: Mapped[date] = mapped_column(Date)
    call_closes: Mapped[date] = mapped_column(Date)
    max_grant_eur: Mapped[Decimal] = mapped_column(Money)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<FundingSource {self.id} {self.programme!r}>"


class Case(Base):
    """One organisation's incubation in one cycle.

    ``version`` is the number of audit events of the case (its chain's length) and
    ``head_hash`` the hash of the last one: every write checks and advances both.
    """

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("organisation_id", "cycle_id", name="uq_cases_organisation_cycle"),
        Index("ix_cases_cycle_state", "cycle_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    state: Mapped[str] = mapped_column(String(CODE_MAX))
    version: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    state_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.state} v{self.version}>"


class NeedsAnalysis(Base):
    """The in-depth analysis of an organisation's activity and needs."""

    __tablename__ = "needs_analyses"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    findings: Mapped[str] = mapped_column(Text)
    need_areas: Mapped[list[str]] = mapped_column(JSON)
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(USER_NAME_MAX))

    def __repr__(self) -> str:
        return f"<NeedsAnalysis {self.id} case={self.case_id}>"


class Consultation(Base):
    """One mentor consultation."""

    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    mentor: Mapped[str] = mapped_column(String(PERSON_NAME_MAX))
    held_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    topic: Mapped[str] = mapped_column(String(TITLE_MAX))
    recorded_by: Mapped[str] = mapped_column(String(USER_NAME_MAX))

    def __repr__(self) -> str:
        return f"<Consultation {self.id} case={self.case_id} {self.held_on}>"


class SourceSelection(Base):
    """A funding source chosen for a case."""

    __tablename__ = "source_selections"
    __table_args__ = (
        UniqueConstraint("case_id", "funding_source_id", name="uq_source_selections_case_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_sources.id"))
    selected_on: Mapped[date] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<SourceSelection case={self.case_id} source={self.funding_source_id}>"


class Application(Base):
    """A project application; a case may have several."""

    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_sources.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    domain: Mapped[str] = mapped_column(String(80))  # CODE_MAX fit
    total_budget_eur: Mapped[Decimal] = mapped_column(Money)
    requested_eur: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20))
    prepared_on: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[date | None] = mapped_column(Date)
    awarded_eur: Mapped[Decimal | None] = mapped_column(Money)

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.title!r} {self.status}>"


class Note(Base):
    """A free note on a case: a phone call, a meeting, an e-mail or other."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    note_type: Mapped[str] = mapped_column(String(CODE_MAX))
    noted_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(USER_NAME_MAX))

    def __repr__(self) -> str:
        return f"<Note {self.id} case={self.case_id} {self.note_type}>"


class ReminderSent(Base):
    """A reminder that went to a user (``inkubators remind``): never sent to them again.

    ``key`` names what it reminded of, e.g. ``call:12:5:2024-02-15`` (case 12, funding
    source 5, closing that day); the unique (user, key) pair is what keeps two runs, even
    at once, from sending it twice.
    """

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_reminders_sent_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(REMINDER_KEY_MAX))
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<ReminderSent user={self.user_id} {self.key}>"


class CalendarToken(Base):
    """A user's private calendar feed address (``/calendar/<token>.ics``). The token is
    an HMAC of the row and its random ``nonce`` under the server's secret key, so the feed
    address can be shown again without being stored, and a copy of the database alone
    cannot forge one. Revoked, it stops working at once; a user has one active at most."""

    __tablename__ = "calendar_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<CalendarToken {self.id} user={self.user_id}>"


class Document(Base):
    """A file on a case, stored once by its SHA-256 (:mod:`workflow.docstore`); never
    deleted. ``supersedes`` names the older document this one replaces (its upload event
    says so too); a document is superseded at most once, and its own row never changes."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("supersedes", name="uq_documents_supersedes"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by: Mapped[str] = mapped_column(String(USER_NAME_MAX))
    supersedes: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))

    def __repr__(self) -> str:
        return f"<Document {self.id} case={self.case_id} {self.kind} {self.sha256[:12]}>"


class AuditEvent(Base):
    """One link of a case's hash chain: a transition or a piece of evidence recorded."""

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_audit_events_case_seq"),
        Index("ix_audit_events_at", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(CODE_MAX), index=True)
    from_state: Mapped[str | None] = mapped_column(String(CODE_MAX))
    to_state: Mapped[str] = mapped_column(String(CODE_MAX))
    actor: Mapped[str] = mapped_column(String(USER_NAME_MAX), index=True)
    role: Mapped[str] = mapped_column(String(ROLE_MAX))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str] = mapped_column(Text, default="")
    guards: Mapped[list[Any]] = mapped_column(JSON, default=list)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy_hash: Mapped[str] = mapped_column(String(64))
    states_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEvent case={self.case_id} #{self.seq} {self.trigger}>"


class AccountEvent(Base):
    """One link of the account log's hash chain: a user added, a role or an account's
    standing changed, a password set, an API token issued.

    Case events say who acted; these say who made them able to. Append-only like
    ``audit_events`` (database triggers refuse UPDATE and DELETE).
    """

    __tablename__ = "account_events"
    __table_args__ = (UniqueConstraint("seq", name="uq_account_events_seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(USER_NAME_MAX))
    role: Mapped[str] = mapped_column(String(ROLE_MAX))
    action: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(USER_NAME_MAX))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AccountEvent #{self.seq} {self.action} {self.subject!r}>"


class RulesVersion(Base):
    """One activated version of the states file or of the policy files, kept forever.

    Audit events name the version by ``sha256``; this table lets an auditor read the
    exact rules behind any decision (``policy show HASH``).
    """

    __tablename__ = "rules_versions"
    __table_args__ = (Index("ix_rules_versions_kind_sha", "kind", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "states" or "policy"
    sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[list[Any]] = mapped_column(JSON)  # [[name, text], ...]
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    activated_by: Mapped[str] = mapped_column(String(120))

    def __repr__(self) -> str:
        return f"<RulesVersion {self.kind} {self.sha256[:12]}>"


class LoginAttempt(Base):
    """A failed login, counted per account and per address across all workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))  # "user:NAME" or "addr:IP"
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.key} {self.at}>"


class IdempotencyKey(Base):
    """A write sent with an ``Idempotency-Key`` header, and the answer it got.

    The unique (user, key) pair is what makes a retry safe when the first attempt is
    still running: the second insert fails, so the second request waits for ``status``
    (NULL while the first runs) and answers with the stored response instead of writing
    again. ``fingerprint`` is the SHA-256 of the request (method, path, query, body), so a
    key reused for another request is refused. Rows older than the policy's
    ``idempotency.keep_hours`` count as gone and are deleted as keys are claimed.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(IDEMPOTENCY_KEY_MAX))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body: Mapped[str | None] = mapped_column(Text)
    #: the request holding the key (a random token): only it may write under the key
    holder: Mapped[str | None] = mapped_column(String(32))
    #: set in the write's own transaction (:mod:`workflow.writefence`): a retry never runs
    #: a request again that committed, even if its answer was never stored
    written_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.id} user={self.user_id} {self.key!r} {self.status}>"


class RegisterImport(Base):
    """One import of a register extract: who, when, which file (its SHA-256), under which
    policy, and how many rows were new, changed and unchanged. Auditors read these."""

    __tablename__ = "register_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(USER_NAME_MAX))
    role: Mapped[str] = mapped_column(String(ROLE_MAX))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    policy_hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<RegisterImport {self.id} {self.file_name!r} rows={self.rows}>"


class RegisterEntry(Base):
    """An organisation as the Register of Enterprises lists it, one row per register number.

    ``city`` is the first part of ``address``; ``import_id`` is the import that last wrote
    the row. Which entries are associations, foundations or real-estate management is the
    policy's ``registry:`` section's to say, when they are counted, not stored here.
    """

    __tablename__ = "register_entries"
    __table_args__ = (Index("ix_register_entries_city_form", "city", "legal_form_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    regcode: Mapped[str] = mapped_column(String(20), unique=True)  # REGCODE_MAX
    name: Mapped[str] = mapped_column(String(500))  # ENTRY_NAME_MAX
    legal_form_code: Mapped[str] = mapped_column(String(20))  # FORM_CODE_MAX
    legal_form_text: Mapped[str | None] = mapped_column(String(200))  # FORM_TEXT_MAX
    registered: Mapped[date] = mapped_column(Date)
    terminated: Mapped[date | None] = mapped_column(Date)
    closed: Mapped[str | None] = mapped_column(String(20))  # CLOSED_MAX
    address: Mapped[str | None] = mapped_column(String(500))  # ADDRESS_MAX
    city: Mapped[str | None] = mapped_column(String(200))  # CITY_MAX
    nace: Mapped[str | None] = mapped_column(String(10))  # NACE_MAX
    import_id: Mapped[int] = mapped_column(ForeignKey("register_imports.id"))

    def __repr__(self) -> str:
        return f"<RegisterEntry {self.regcode} {self.name!r}>"
