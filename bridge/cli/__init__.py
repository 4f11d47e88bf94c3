"""The ``bridge`` command line: a Typer app; ``bridge`` with no command opens the TUI.

Each command group lives in its own module and registers itself on ``app``; heavy libraries are
imported inside commands so ``bridge --help`` stays fast.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="bridge",
    help="Runbooks and decision records, searchable by people and agents, with bus-factor analysis.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    """Import the command modules so they attach their commands to ``app``."""
    from bridge.cli import records_cmds  # noqa: F401

    for optional in ("search_cmds", "knowledge_cmds", "mcp_cmds", "usage_cmds", "sync_cmds", "reliability_cmds", "alerts_cmds"):
        try:
            __import__(f"bridge.cli.{optional}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bridge.cli.{optional}":
                raise


def main() -> None:
    """Run the CLI (the console-script entry point)."""
    _register_commands()
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
