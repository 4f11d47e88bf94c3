"""Write docs/cli.md from the CLI's own help (run after changing a command: `python scripts/cli_reference.py`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from bridge.cli import _register_commands, app

DOCS_FILE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    """Return (full name, command) for every command under group, depth first, by name."""
    found: list[tuple[str, Any]] = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        full = f"{prefix} {name}"
        found.append((full, command))
        if hasattr(command, "commands"):
            found.extend(commands(command, full))
    return found


def option_rows(command: Any) -> list[str]:
    """Return Markdown table rows for a command's parameters."""
    rows = []
    for param in command.params:
        if param.param_type_name == "argument":
            name = f"`{(param.name or '').upper()}`"
            help_text = getattr(param, "help", "") or ""
        else:
            name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
            help_text = getattr(param, "help", "") or ""
        rows.append(f"| {name} | {help_text.replace('|', '/')} |")
    return rows


def render() -> str:
    """Return the whole CLI reference as Markdown."""
    _register_commands()
    root = typer.main.get_command(app)
    lines = [
        "# CLI reference",
        "",
        "Generated from the commands' own help by `python scripts/cli_reference.py`; `bridge COMMAND --help` shows the",
        "same. Every query command takes `--json`. Errors are one line on stderr with a non-zero exit code.",
        "",
        "`bridge` with no command opens the terminal app (importing the built-in demo knowledge base when nothing has",
        "been imported yet); when its output is not a terminal it prints the record list instead.",
        "",
    ]
    for full, command in commands(root, "bridge"):
        lines += [f"## `{full}`", "", (command.help or "").strip(), ""]
        rows = option_rows(command)
        if rows:
            lines += ["| argument / option | meaning |", "| --- | --- |", *rows, ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if DOCS_FILE.exists() and DOCS_FILE.read_text(encoding="utf-8") == text else 1)
    DOCS_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {DOCS_FILE}")
