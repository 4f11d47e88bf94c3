"""Heavy libraries stay out of the CLI's import path, so `bridge --help` is fast."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY_MODULES = ("torch", "textual", "faiss", "sentence_transformers", "transformers", "onnxruntime")
ORM_MODULES = ("sqlmodel", "sqlalchemy.orm", "bridge.store.models")
"""Loading the ORM and the table models costs a fresh process about 0.2 s: a keyword search on an up-to-date
store reads through SQL text alone."""


@pytest.mark.parametrize("module", ["bridge.cli", "bridge.cli.records_cmds", "bridge.workspace", "bridge.config"])
def test_module_does_not_import_heavy_libraries(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"import bridge.cli as cli\n"
        f"cli._register_commands()\n"
        f"print(','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_help_runs_without_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from bridge.cli import main\n"
        "sys.argv = ['bridge', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED=' + ','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage" in result.stdout
    assert "LOADED=\n" in result.stdout or result.stdout.rstrip().endswith("LOADED=")


def test_keyword_search_in_a_fresh_process_loads_no_model_library(tmp_path) -> None:  # noqa: ANN001
    import os
    from pathlib import Path

    records = Path(__file__).resolve().parents[2] / "records" / "runbooks"
    env = {**os.environ, "BRIDGE_HOME": str(tmp_path / "home")}
    subprocess.run([sys.executable, "-m", "bridge", "import", str(records)], env=env, capture_output=True, check=True)
    code = (
        "import sys\n"
        "from bridge.cli import main\n"
        "sys.argv = ['bridge', 'search', '--mode', 'keyword', 'restore the database']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED=' + ','.join(m for m in {HEAVY_MODULES + ORM_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert "RB-" in result.stdout
    assert result.stdout.rstrip().endswith("LOADED=")
