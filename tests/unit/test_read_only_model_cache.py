"""A read-only data folder's backend decision and exports are what its queries use, not a stale per-user cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bridge import paths


def test_the_read_only_folders_decision_replaces_a_stale_one_in_the_stand_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, temp = tmp_path / "home", tmp_path / "temp"
    models = home / "models"
    (models / "onnx-model-1234").mkdir(parents=True)
    (models / "onnx-model-1234" / "model.onnx").write_bytes(b"graph")
    (models / "backend-model.json").write_text('{"vectors": "model@int8"}', encoding="utf-8")
    stand_in = temp / f"bridge-{os.getuid()}-cache" / "models"
    stand_in.mkdir(parents=True)
    (stand_in / "backend-model.json").write_text('{"vectors": "model"}', encoding="utf-8")  # measured elsewhere
    monkeypatch.setenv("BRIDGE_HOME", str(home))
    monkeypatch.delenv("BRIDGE_MODEL_CACHE", raising=False)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)
    real_access = os.access
    monkeypatch.setattr(paths.os, "access", lambda path, mode: False if Path(path) == models else
                        real_access(path, mode))

    cache = paths.model_cache_dir()

    assert cache == stand_in
    assert (cache / "backend-model.json").read_text(encoding="utf-8") == '{"vectors": "model@int8"}'
    assert (cache / "onnx-model-1234" / "model.onnx").read_bytes() == b"graph"
    assert paths.model_cache_dir() == stand_in, "a second call finds everything in place"


def test_a_writable_folder_is_used_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BRIDGE_MODEL_CACHE", raising=False)
    assert paths.model_cache_dir() == tmp_path / "home" / "models"
