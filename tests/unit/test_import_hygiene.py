"""Heavy libraries stay out of the CLI's import path, so `bridge --help` is fast."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY_MODULES = ("torch", "textual", "faiss", "sentence_transformers", "transformers", "onnxruntime")


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
