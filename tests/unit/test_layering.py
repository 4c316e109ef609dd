"""The layers hold: the import contracts in ``pyproject.toml`` pass, and they do catch a
breach.

The contracts themselves (entry points above the web app above the engine; the engine
importing no web framework; services above rules and read models above core inside the
engine) are checked by import-linter, the same ``lint-imports`` that ``scripts/lint.sh``
and CI run, so the test command checks them too. The probes below copy the packages into a
scratch directory, add one forbidden import (lazy, inside a function, where a glance would
miss it) and require the same contracts to name it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

PACKAGES = ("inkubators", "web", "workflow")
WEB_PACKAGES = {"web", "flask", "flask_login", "flask_wtf", "flask_babel", "werkzeug"}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` on the project in ``cwd`` without writing a cache there."""
    script = Path(sys.executable).with_name("lint-imports")
    assert script.exists(), "import-linter is not installed: bash scripts/setup-venv.sh test"
    return subprocess.run(
        [str(script), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def contracts() -> dict[str, dict[str, Any]]:
    """The import contracts in ``pyproject.toml``, by id."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_import_contracts_hold() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def test_the_engine_is_forbidden_every_web_package_and_the_entry_points() -> None:
    forbidden = contracts()["engine-knows-no-web"]
    assert forbidden["source_modules"] == ["workflow"]
    assert set(forbidden["forbidden_modules"]) == WEB_PACKAGES | {"inkubators"}
    assert not forbidden.get("ignore_imports")
    assert contracts()["top"]["layers"] == ["inkubators", "web", "workflow"]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the three packages and ``pyproject.toml`` to break on purpose."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


ENGINE_NO_WEB = "workflow imports neither"
TOP = "Entry points above the web app"
INSIDE = "Inside the engine"


@pytest.mark.parametrize(
    ("module", "imported", "contract"),
    [
        ("workflow/errors.py", "flask", ENGINE_NO_WEB),
        ("workflow/rules.py", "werkzeug.exceptions", ENGINE_NO_WEB),
        ("workflow/orm.py", "web.server", TOP),
        ("workflow/chain.py", "inkubators.cli", ENGINE_NO_WEB),
        ("web/statuses.py", "inkubators.demo", TOP),
        ("workflow/orm.py", "workflow.advance", INSIDE),
        ("workflow/views.py", "workflow.enrolment", INSIDE),
        ("workflow/advance.py", "workflow.recording", INSIDE),
    ],
)
def test_a_lazy_import_across_a_layer_breaks_a_contract(
    scratch: Path, module: str, imported: str, contract: str
) -> None:
    with (scratch / module).open("a", encoding="utf-8") as f:
        f.write(f"\n\ndef _probe() -> None:\n    import {imported}  # noqa\n")
    done = lint_imports(scratch)
    assert done.returncode == 1, done.stdout + done.stderr
    broken = done.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
    # an outside package is reported by its top-level name
    target = imported if imported.split(".")[0] in PACKAGES else imported.split(".")[0]
    assert f"{module.removesuffix('.py').replace('/', '.')} -> {target}" in broken
