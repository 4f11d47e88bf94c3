"""The ``bridge`` command line: a Typer app; ``bridge`` with no command opens the TUI.

Each command group lives in its own module and registers itself on ``app``; heavy libraries are
imported inside commands so ``bridge --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    name="bridge",
    help="Runbooks and decision records, searchable by people and agents, with bus-factor analysis.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)


COMMAND_MODULES: dict[str, str] = {
    **dict.fromkeys(("init", "import", "export", "list", "show", "new", "edit", "restore", "review", "doctor"),
                    "records_cmds"),
    **dict.fromkeys(("search", "reindex", "ask", "eval"), "search_cmds"),
    **dict.fromkeys(("people", "report", "knowledge", "onboard"), "knowledge_cmds"),
    "mcp": "mcp_cmds",
    **dict.fromkeys(("usage", "gaps", "handoff"), "usage_cmds"),
    "sync": "sync_cmds",
    **dict.fromkeys(("restore-backup", "backup", "drafts"), "reliability_cmds"),
    **dict.fromkeys(("alerts", "alert"), "alerts_cmds"),
}
"""Which command module registers each top-level command, so one command loads only its own module."""

OPTIONAL_MODULES = ("search_cmds", "knowledge_cmds", "mcp_cmds", "usage_cmds", "sync_cmds", "reliability_cmds",
                    "alerts_cmds")
"""Command modules a slimmed-down install may leave out (a missing one drops its commands, not the CLI)."""


def _register_commands(argv: list[str] | None = None) -> None:
    """Import the command modules so they attach their commands to ``app``.

    Given the command line, only the module of the command it names is loaded (typer builds every registered
    command's parameters on each run); with none, an unknown command or no argv, every module is.
    """
    from bridge.cli import root_cmds  # noqa: F401

    named = next((arg for arg in argv or [] if not arg.startswith("-")), None)
    modules = [COMMAND_MODULES[named]] if named in COMMAND_MODULES else ["records_cmds", *OPTIONAL_MODULES]
    for module in modules:
        try:
            __import__(f"bridge.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bridge.cli.{module}":
                raise


def main() -> None:
    """Run the CLI (the console-script entry point)."""
    _register_commands(sys.argv[1:])
    try:
        app()
    except PermissionError as exc:
        from bridge.cli.common import fail

        where = f" {exc.filename}" if exc.filename else ""
        try:
            fail(f"permission denied:{where} ({exc.strerror or exc}): run bridge as a user who may write there, "
                 "or point BRIDGE_HOME at a folder you can write")
        except typer.Exit as done:
            raise SystemExit(done.exit_code) from None
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # `bridge … | head`: stop quietly
        raise SystemExit(1) from None
    except OSError as exc:  # a path the user gave that cannot be read or written: one line, not a traceback
        from bridge.cli.common import fail

        where = f" {exc.filename}" if exc.filename else ""
        try:
            fail(f"cannot use{where}: {exc.strerror or exc}")
        except typer.Exit as done:
            raise SystemExit(done.exit_code) from None
