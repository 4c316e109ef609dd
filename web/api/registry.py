"""The register of organisations: import the Register of Enterprises' extract (multipart
``file``) and read the city's NGO statistics from it."""

from __future__ import annotations

from typing import Annotated

from flask import request
from pydantic import Field, StringConstraints
from werkzeug.exceptions import RequestEntityTooLarge

from web.api.cases import Query
from web.api.models import Model, UtcDateTime
from web.api.routing import api_route
from web.context import actor, runtime
from workflow.errors import InvalidInput
from workflow.registerimport import import_register
from workflow.registerspec import CITY_MAX
from workflow.registerstats import FIRST_YEAR, LAST_YEAR, recent_imports, sector_stats

MB = 1024 * 1024


class StatsQuery(Query):
    """Which city and year (default: every city, this year)."""

    city: Annotated[str, StringConstraints(max_length=CITY_MAX)] | None = Field(
        default=None, description="the address's first part, compared exactly (Liepāja)"
    )
    year: int | None = Field(default=None, ge=FIRST_YEAR, le=LAST_YEAR)


class StatsOut(Model):
    """The associations and foundations standing at the end of ``year``."""

    city: str | None
    year: int
    associations: int
    real_estate_management: int = Field(description="associations the policy's rules mark")
    other: int = Field(description="associations that are not real-estate management")
    real_estate_share: float = Field(description="real_estate_management / associations, 0–1")
    foundations: int
    eligible: int = Field(description="associations and foundations the eligibility rules admit")


class ImportOut(Model):
    """One import of a register extract."""

    id: int
    at: UtcDateTime
    actor: str
    role: str
    file_name: str
    sha256: str
    rows: int
    new: int
    changed: int
    unchanged: int
    policy_hash: str


class ImportList(Model):
    """Imports, newest first."""

    items: list[ImportOut]


@api_route(
    "/registry/stats",
    tag="registry",
    query=StatsQuery,
    response=StatsOut,
    errors=(403,),
    permission=("actions", "read_register"),
)
def registry_stats(query: StatsQuery) -> StatsOut:
    """The city's associations (real-estate management and other), foundations and eligible.

    Counted: the imported register's entries whose address begins with ``city`` (exactly:
    "Liepāja" is not "Liepājas novads"), registered on or before the end of ``year`` and not
    terminated by then. The policy's ``registry:`` and ``eligibility:`` sections sort them.
    """
    rt = runtime()
    stats = sector_stats(rt, query.city, query.year or rt.today().year)
    return StatsOut.model_validate(stats)


@api_route(
    "/registry/imports",
    tag="registry",
    response=ImportList,
    errors=(403,),
    permission=("actions", "read_register"),
)
def registry_imports() -> ImportList:
    """The imports so far, newest first: who, when, the file's SHA-256 and the counts."""
    return ImportList(items=[ImportOut.model_validate(i) for i in recent_imports(runtime())])


@api_route(
    "/registry/imports",
    "POST",
    tag="registry",
    response=ImportOut,
    status=201,
    errors=(403, 413),
    upload="file",
    permission=("actions", "import_register"),
)
def create_registry_import() -> ImportOut:
    """Import a register extract (multipart/form-data, the file as ``file``).

    All rows or none: a file with any bad row (a register number that is not 11 digits, a
    bad date, a missing column, a duplicate register number …) is refused with 422 and
    ``errors: [{row, column, message}]`` (row: the line, the header being 1; column: the
    header's name). A re-import updates by register number. Larger than the policy's
    ``registry.max_upload_mb``: 413.
    """
    rt = runtime()
    limit = rt.rules.policy.spec.registry.max_upload_mb * MB
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"the file may be at most {limit // MB} MB")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(
            {"file": "send the register extract as the multipart/form-data field 'file'"}
        )
    result = import_register(rt, actor(), upload.stream, upload.filename)
    [record] = [i for i in recent_imports(rt, limit=5) if i.id == result.import_id]
    return ImportOut.model_validate(record)
