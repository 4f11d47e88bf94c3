"""Shared fixtures: every test gets its own BRIDGE_HOME and no user config leaks in."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
CORPORA_DIR = SHARED_DIR / "corpora"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return one model cache (ONNX exports, the measured backend choice) shared by the whole session.

    It is also put in the environment outside any test, so module-scoped fixtures and subprocesses find it.
    """
    import os

    path = tmp_path_factory.mktemp("model-cache")
    os.environ["BRIDGE_MODEL_CACHE"] = str(path)
    return path


@pytest.fixture(autouse=True)
def bridge_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> Path:
    """Point BRIDGE_HOME at a fresh tmp dir and clear every BRIDGE_* variable (the model cache is shared)."""
    import os

    for name in list(os.environ):
        if name.startswith("BRIDGE_"):
            monkeypatch.delenv(name)
    home = tmp_path / "bridge-home"
    home.mkdir()
    monkeypatch.setenv("BRIDGE_HOME", str(home))
    monkeypatch.setenv("BRIDGE_MODEL_CACHE", str(model_cache))
    monkeypatch.setenv("BRIDGE_USER_NAME", "Test User")
    monkeypatch.setenv("BRIDGE_USER_EMAIL", "test.user@example.com")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return home


def clone_corpus(name: str, dest: Path) -> Path:
    """Clone ../shared/corpora/NAME.bundle into dest and return the work tree."""
    bundle = CORPORA_DIR / f"{name}.bundle"
    if not bundle.exists():
        pytest.skip(f"corpus {bundle} is not available")
    subprocess.run(["git", "clone", "-q", str(bundle), str(dest)], check=True)
    return dest


def write_file(root: Path, relative: str, content: str | bytes) -> Path:
    """Write content (text or bytes) to root/relative, creating folders, and return the path."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def corpus_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return a per-session cache of cloned corpora, keyed by bundle name."""
    return {}


@pytest.fixture
def corpus(corpus_cache: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """Return a function that clones a corpus once per test session (read-only use)."""

    def get(name: str) -> Path:
        if name not in corpus_cache:
            corpus_cache[name] = clone_corpus(name, tmp_path_factory.mktemp(name) / name)
        return corpus_cache[name]

    return get
