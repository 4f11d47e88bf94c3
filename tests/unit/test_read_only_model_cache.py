"""A read-only data folder's backend decision and exports are what its queries use, not a stale per-user cache."""

from __future__ import annotations

import hashlib
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
    stand_in = _stand_in(temp, models)
    stand_in.mkdir(parents=True)
    (stand_in / "backend-model.json").write_text('{"vectors": "model"}', encoding="utf-8")  # measured elsewhere
    _read_only_home(monkeypatch, home, temp)

    cache = paths.model_cache_dir()

    assert cache == stand_in
    assert (cache / "backend-model.json").read_text(encoding="utf-8") == '{"vectors": "model@int8"}'
    assert (cache / "onnx-model-1234" / "model.onnx").read_bytes() == b"graph"
    assert paths.model_cache_dir() == stand_in, "a second call finds everything in place"


def test_a_writable_folder_is_used_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BRIDGE_MODEL_CACHE", raising=False)
    assert paths.model_cache_dir() == tmp_path / "home" / "models"


def test_a_link_left_dangling_by_a_deleted_folder_is_pointed_at_the_live_export(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, temp = tmp_path / "home", tmp_path / "temp"
    export = home / "models" / "onnx-model-1234"
    export.mkdir(parents=True)
    (export / "model.onnx").write_bytes(b"graph")
    stand_in = _stand_in(temp, home / "models")
    stand_in.mkdir(parents=True)
    (stand_in / "onnx-model-1234").symlink_to(tmp_path / "gone" / "onnx-model-1234", target_is_directory=True)
    _read_only_home(monkeypatch, home, temp)

    cache = paths.model_cache_dir()

    assert (cache / "onnx-model-1234" / "model.onnx").read_bytes() == b"graph"
    assert not [entry.name for entry in cache.iterdir() if entry.name.endswith(".link")], "no partial link left"


def test_two_read_only_folders_never_share_a_stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    found = []
    for name in ("first", "second"):
        home = tmp_path / name
        (home / "models").mkdir(parents=True)
        (home / "index").mkdir()
        (home / "models" / "backend-model.json").write_text(f'{{"from": "{name}"}}', encoding="utf-8")
        _read_only_home(monkeypatch, home, temp, also=home / "index")
        found.append((paths.model_cache_dir(), paths.index_dir()))
    assert all(folder.is_relative_to(temp) for pair in found for folder in pair)
    (first_models, first_index), (second_models, second_index) = found
    assert first_models != second_models and first_index != second_index
    assert (first_models / "backend-model.json").read_text(encoding="utf-8") == '{"from": "first"}'
    assert (second_models / "backend-model.json").read_text(encoding="utf-8") == '{"from": "second"}'


def _stand_in(temp: Path, folder: Path) -> Path:
    """Return the temp folder standing in for an unwritable data-folder subfolder."""
    owner = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:12]
    return temp / f"bridge-{os.getuid()}-cache" / owner / folder.name


def _read_only_home(monkeypatch: pytest.MonkeyPatch, home: Path, temp: Path, also: Path | None = None) -> None:
    """Point bridge at home and make its models folder (and also) look unwritable."""
    monkeypatch.setenv("BRIDGE_HOME", str(home))
    monkeypatch.delenv("BRIDGE_MODEL_CACHE", raising=False)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)
    real_access = os.access
    unwritable = {home / "models", also}
    monkeypatch.setattr(paths.os, "access", lambda path, mode: False if Path(path) in unwritable else
                        real_access(path, mode))
