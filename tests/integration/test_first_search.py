"""The first search on a freshly imported real corpus answers at once; a --wait can be interrupted without loss.

Runs the real `bridge` command in subprocesses on the openshift runbooks bundle (imported, never embedded).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import clone_corpus

pytestmark = pytest.mark.slow

HEAVY_MODULES = ("torch", "sentence_transformers", "faiss")
QUERY = "Job openshift-monitoring/job-name-1 failed to complete. Removing failed job after investigation should clear this alert."
RUN_BRIDGE = (
    "import atexit, sys\n"
    f"atexit.register(lambda: sys.stderr.write('HEAVY=' + ','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules)))\n"
    "from bridge.cli import main\n"
    "main()\n"
)
"""Runs `bridge` and reports on stderr, at exit, which heavy libraries were loaded (none means no model)."""


def bridge(*args: str, home: Path) -> subprocess.Popen[str]:
    """Start `bridge args…` with its data in home; stdout and stderr are captured."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("BRIDGE_") or name == "BRIDGE_MODEL_CACHE"}
    env.update(BRIDGE_HOME=str(home), HF_HUB_OFFLINE="1")
    return subprocess.Popen([sys.executable, "-c", RUN_BRIDGE, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def vector_count(home: Path) -> tuple[int, int]:
    """Return (chunks with a stored vector, all chunks) read straight from the database."""
    with sqlite3.connect(home / "bridge.db") as conn:
        embedded = conn.execute("SELECT COUNT(*) FROM chunk WHERE embedding IS NOT NULL").fetchone()[0]
        total = conn.execute("SELECT COUNT(*) FROM chunk").fetchone()[0]
    return int(embedded), int(total)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a BRIDGE_HOME holding the openshift runbooks, imported and chunked but with no vectors."""
    source = clone_corpus("openshift-runbooks", tmp_path_factory.mktemp("corpus") / "openshift")
    home = tmp_path_factory.mktemp("bridge-home-first-search")
    process = bridge("import", str(source / "alerts"), home=home)
    out, err = process.communicate(timeout=300)
    assert process.returncode in (0, 1), err
    assert vector_count(home)[0] == 0 and vector_count(home)[1] > 1000
    return home


def test_the_first_hybrid_search_answers_at_once_with_keyword_results_and_a_note(imported: Path) -> None:
    started = time.perf_counter()
    process = bridge("search", QUERY, "--json", home=imported)
    out, err = process.communicate(timeout=120)
    elapsed = time.perf_counter() - started
    assert process.returncode == 0, err
    data = json.loads(out)
    assert data["mode"] == "keyword"
    assert "semantic results are still being prepared" in data["note"]
    assert "semantic results are still being prepared" in err
    assert data["hits"] and data["hits"][0]["source_path"].endswith("KubeJobFailed.md")
    assert "HEAVY=" in err and err.rstrip().endswith("HEAVY="), "no model, no FAISS: nothing was embedded"
    assert vector_count(imported)[0] == 0
    assert elapsed < 15, f"took {elapsed:.1f} s"  # generous for a loaded 2-core machine; typically about 1 s


def test_an_interrupted_wait_answers_with_keyword_results_and_keeps_saved_vectors(imported: Path) -> None:
    from bridge.workspace.vectors import STORE_BATCH

    process = bridge("search", QUERY, "--json", "--wait", home=imported)
    try:
        deadline = time.monotonic() + 240
        while vector_count(imported)[0] < STORE_BATCH and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        saved_before_signal = vector_count(imported)[0]
        assert saved_before_signal >= STORE_BATCH, "a first batch of vectors was saved while embedding"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    data = json.loads(out)
    assert data["mode"] == "keyword" and data["note"].startswith("embedding interrupted")
    assert data["hits"][0]["source_path"].endswith("KubeJobFailed.md")
    embedded, total = vector_count(imported)
    assert saved_before_signal <= embedded < total
    assert embedded % STORE_BATCH == 0, "whole batches are saved, a cut batch is not"
