"""The gunicorn master's hooks for the workers' metrics folder (web.server)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from web import server


def test_a_configured_metrics_folder_is_created_and_emptied_of_metric_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_41.db").write_bytes(b"stale")
    (folder / "histogram_41.db").write_bytes(b"stale")
    (folder / "README").write_text("not ours", encoding="utf-8")
    monkeypatch.setenv(server.MULTIPROC_ENV, str(folder))
    assert server.prepare_metrics_dir() == folder
    assert sorted(p.name for p in folder.iterdir()) == ["README"]

    nested = tmp_path / "new" / "metrics"
    monkeypatch.setenv(server.MULTIPROC_ENV, str(nested))
    assert server.prepare_metrics_dir() == nested
    assert nested.is_dir()


def test_without_one_a_private_folder_is_made_and_removed_on_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(server.MULTIPROC_ENV, "recorded, so the teardown removes what follows")
    monkeypatch.delenv(server.MULTIPROC_ENV)
    folder = server.prepare_metrics_dir()
    assert folder.is_dir()
    assert not any(folder.iterdir())
    assert os.environ[server.MULTIPROC_ENV] == str(folder)
    server.on_exit(None)
    assert not folder.exists()


def test_a_dead_workers_live_gauges_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(server.MULTIPROC_ENV, str(tmp_path))
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    (tmp_path / "gauge_livesum_4343.db").write_bytes(b"")
    (tmp_path / "counter_4242.db").write_bytes(b"")
    server.child_exit(None, SimpleNamespace(pid=4242))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "counter_4242.db",  # what a dead worker counted still counts
        "gauge_livesum_4343.db",
    ]
