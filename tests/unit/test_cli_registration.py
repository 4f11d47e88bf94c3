"""One command loads only its own command module; the table saying which module that is matches the modules."""

from __future__ import annotations

import json
import subprocess
import sys

import bridge.cli as cli

FIND_COMMAND_MODULES = """
import importlib, json
import bridge.cli as cli

def names():
    commands = {c.name or c.callback.__name__.replace("_", "-") for c in cli.app.registered_commands if c.callback}
    return commands | {group.name for group in cli.app.registered_groups if group.name}

found = {}
importlib.import_module("bridge.cli.root_cmds")
for module in ("records_cmds", *cli.OPTIONAL_MODULES):
    before = names()
    importlib.import_module(f"bridge.cli.{module}")
    found.update(dict.fromkeys(names() - before, module))
print(json.dumps(found))
"""
"""Imports the command modules one by one in a fresh process and prints which commands each one registered."""


def test_the_command_table_names_the_module_of_every_command() -> None:
    result = subprocess.run([sys.executable, "-c", FIND_COMMAND_MODULES], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == cli.COMMAND_MODULES


def _loaded_command_modules(*argv: str) -> tuple[str, list[str]]:
    """Run bridge with argv in a fresh process; return its output and the command modules it imported."""
    code = (
        "import sys\n"
        "from bridge.cli import main\n"
        f"sys.argv = ['bridge', *{list(argv)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES=' + ','.join(sorted(m for m in sys.modules if m.startswith('bridge.cli.') "
        "and m.endswith('_cmds'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = result.stdout.rsplit("MODULES=", 1)[1].strip()
    return result.stdout, modules.split(",") if modules else []


def test_one_command_loads_only_its_module() -> None:
    output, modules = _loaded_command_modules("search", "--help")
    assert "Find the records" in output
    assert modules == ["bridge.cli.root_cmds", "bridge.cli.search_cmds"]


def test_help_and_unknown_commands_load_every_module() -> None:
    output, modules = _loaded_command_modules("--help")
    assert {"search", "people", "drafts", "alerts", "sync", "mcp"} <= set(output.replace("│", " ").split())
    assert len(modules) == 2 + len(cli.OPTIONAL_MODULES)
    _output, modules = _loaded_command_modules("serch")
    assert "bridge.cli.search_cmds" in modules
