"""The engine knows nothing of the web: no module under ``workflow/`` imports Flask.

Checked on the source with ``ast`` (imports inside functions count too), so a lazy
``import flask`` in a helper cannot slip through as it would with ``sys.modules``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

WEB_PACKAGES = ("flask", "flask_login", "flask_wtf", "flask_babel", "werkzeug", "web")


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from … import`` in the file names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_web(module: str) -> bool:
    return module.split(".")[0].lower() in WEB_PACKAGES


def test_the_scanner_sees_nested_and_from_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os\ndef f():\n    from flask import g\n    import flask_login.utils\n",
        encoding="utf-8",
    )
    assert sorted(m for m in imported_modules(probe) if is_web(m)) == [
        "flask",
        "flask_login.utils",
    ]


def test_no_workflow_module_imports_the_web_layer() -> None:
    files = sorted((ROOT / "workflow").rglob("*.py"))
    assert len(files) > 20
    offenders = {
        str(f.relative_to(ROOT)): sorted(m for m in imported_modules(f) if is_web(m)) for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}
