"""The evidence content hash is the one docs/audit-format.md (section 3a) publishes, and
spells an amount the same whichever scale the database returns it in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table

from workflow.contentbind import record_of, row_hash
from workflow.orm import Consultation

consultations = cast(Table, Consultation.__table__)
ROW: dict[str, Any] = {
    "id": 7,
    "case_id": 3,
    "mentor": "anna",
    "held_on": date(2023, 3, 1),
    "hours": Decimal("1.50"),
    "topic": "PR",
    "recorded_by": "ilze",
}


def test_the_published_vector() -> None:
    assert row_hash(consultations, ROW) == (
        "ee8e00138c64d0a66963088fd640392f4d8fa22d850104c1a1de9a56c4381aad"
    )


def test_an_amount_hashes_alike_at_any_scale_and_differs_when_changed() -> None:
    assert row_hash(consultations, {**ROW, "hours": Decimal("1.5")}) == row_hash(consultations, ROW)
    assert row_hash(consultations, {**ROW, "hours": Decimal("1.51")}) != row_hash(
        consultations, ROW
    )


def test_an_event_names_its_row_by_its_payload_key() -> None:
    found = record_of({"consultation_id": 7, "hours": "1.5"})
    assert found is not None
    assert (found[0].name, found[1]) == ("consultations", 7)
    assert record_of({"mentor": "anna"}) is None
    assert record_of({"consultation_id": True}) is None
