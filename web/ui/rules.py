"""The rules an event was decided under, read-only, for everyone who may read the log.

Each audit event names its policy and states files by SHA-256; an auditor follows that
hash here to read exactly those files (``workflow.ruleversions.show``). The administration
page (``/admin/rules``) stays for admins, with history and differences.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.context import actor, runtime
from workflow import ruleversions
from workflow.errors import NotFound
from workflow.permissions import require_action
from workflow.ruleversions import RulesVersionView, version_files

logger = logging.getLogger(__name__)

bp = Blueprint("ui_rules", __name__, url_prefix="/rules")


def _in_force(sha: str) -> RulesVersionView | None:
    """The files in force when ``sha`` names them (a store may not hold them yet)."""
    rt = runtime()
    for kind, (full, files) in version_files(rt.rules).items():
        if len(sha) >= 4 and full.startswith(sha.lower()):
            return RulesVersionView(
                id=0,
                kind=kind,
                sha256=full,
                activated_at=datetime.min,
                activated_by="",
                files=tuple((str(n), str(t)) for n, t in files),
            )
    return None


@bp.route("/<sha>")
@login_required
def show(sha: str) -> ResponseReturnValue:
    """One stored version of the states or policy files, as an event names it."""
    rt = runtime()
    require_action(rt.rules, actor(), "read_audit")
    version: Any
    try:
        version = ruleversions.show(rt, sha)
    except NotFound:
        version = _in_force(sha)
        if version is None:
            raise
    in_force = version.sha256 in (rt.rules.policy_hash, rt.rules.states_hash)
    return render_template("rules/show.html", version=version, in_force=in_force)
