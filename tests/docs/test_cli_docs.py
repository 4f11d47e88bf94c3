"""Every command has help and is documented; docs/cli.md is what the generator makes from that help."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import typer

from bridge.cli import _register_commands, app

REPO = Path(__file__).resolve().parents[2]


def load_generator():
    """Import scripts/cli_reference.py as a module."""
    spec = importlib.util.spec_from_file_location("cli_reference", REPO / "scripts" / "cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_register_commands()
ALL_COMMANDS = load_generator().commands(typer.main.get_command(app), "bridge")


@pytest.mark.parametrize(("name", "command"), ALL_COMMANDS, ids=[name for name, _ in ALL_COMMANDS])
def test_command_has_help_and_is_documented(name: str, command) -> None:
    assert (command.help or "").strip(), f"{name} has no help text"
    assert f"## `{name}`" in (REPO / "docs" / "cli.md").read_text(encoding="utf-8")


def test_cli_reference_is_up_to_date() -> None:
    expected = load_generator().render()
    actual = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run `python scripts/cli_reference.py`"
