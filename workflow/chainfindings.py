"""What can be wrong in a hash chain, in English (API, CLI, logs) and Latvian (the
screens): the findings of the case chains' walk (:mod:`workflow.chainwalk`) and the two
the account log shares (:mod:`workflow.accountlog`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol


class Finding(NamedTuple):
    """What is wrong with an event, in English (API, CLI, logs) and Latvian (the screens)."""

    en: str
    lv: str


# The two findings every hash chain shares (the case chains and the account log in
# :mod:`workflow.accountlog`).
UNLINKED = Finding(
    "does not name the previous event's hash: events were inserted, removed or reordered",
    "tas nenorāda iepriekšējā notikuma jaucējvērtību: notikumi ir ievietoti, dzēsti vai pārkārtoti",
)
EDITED = Finding(
    "its content does not match its hash: the event was edited",
    "tā saturs neatbilst tā jaucējvērtībai: notikums ir labots",
)


def event_problem(row: Any, prev: Any, content_ok: Callable[[Any], bool]) -> Finding | None:
    """What breaks the chain at ``row`` given the case's previous event (None: the first)."""
    if prev is None:
        if row.seq != 1:
            return Finding(
                f"case {row.case_id} starts at #{row.seq}, not #1: earlier events are missing",
                f"lieta {row.case_id} sākas ar #{row.seq}, nevis #1: trūkst agrāku notikumu",
            )
        if row.prev_hash is not None:
            return Finding(
                "the first event names a predecessor",
                "pirmais notikums norāda uz priekšgājēju",
            )
    elif row.seq == prev.seq:
        return Finding(
            f"a second event #{row.seq}: an event was inserted",
            f"otrs notikums #{row.seq}: ir ievietots notikums",
        )
    elif row.seq != prev.seq + 1:
        return Finding(
            f"#{row.seq} follows #{prev.seq}: an event is missing",
            f"#{row.seq} seko #{prev.seq}: trūkst notikuma",
        )
    elif row.prev_hash != prev.hash:
        return UNLINKED
    return None if content_ok(row) else EDITED


def pinned_problem(row: Any, version: int, pinned: str) -> Finding | None:
    """Whether a case's first event read still is the one the checkpoint pins."""
    if row.seq != version:
        return Finding(
            f"case {row.case_id}'s event #{version}, which the checkpoint pins, is missing",
            f"trūkst lietas {row.case_id} notikuma #{version}, ko fiksē kontrolpunkts",
        )
    if row.hash != pinned:
        return Finding(
            f"case {row.case_id}'s event #{version} no longer has the checkpoint's hash: "
            "the chain was rewritten",
            f"lietas {row.case_id} notikumam #{version} vairs nav kontrolpunkta "
            "jaucējvērtības: ķēde ir pārrakstīta",
        )
    return None


class _Last(Protocol):
    """What the head check reads of a chain's last event."""

    @property
    def case_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def hash(self) -> str: ...


def head_problem(last: _Last, heads: dict[int, tuple[int, str]]) -> Finding | None:
    """Whether the case's head (version, hash) is its chain's last event."""
    version, head_hash = heads.get(last.case_id, (None, None))
    if version is None:
        return Finding(
            f"events of case {last.case_id}, which does not exist",
            f"neesošas lietas {last.case_id} notikumi",
        )
    if version != last.seq or head_hash != last.hash:
        return Finding(
            f"case {last.case_id}'s chain ends at #{last.seq} but the case's head is "
            f"#{version}: events were deleted or appended behind the engine's back",
            f"lietas {last.case_id} ķēde beidzas ar #{last.seq}, bet lietas galva ir "
            f"#{version}: notikumi ir dzēsti vai pievienoti, apejot sistēmu",
        )
    return None
