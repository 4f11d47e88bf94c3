"""The root of the command line: ``bridge`` with no command (open the TUI) and ``--version``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bridge.cli import app
from bridge.cli.common import console, err_console, fail, open_workspace


@app.callback(invoke_without_command=True)
def default(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Open the terminal app (on the built-in demo knowledge base when nothing is imported yet)."""
    if version:
        from bridge import __version__

        console.print(f"bridge {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is not None:
        return
    from bridge.config import load_settings
    from bridge.errors import BridgeError

    try:
        settings = load_settings()
    except BridgeError as exc:
        fail(str(exc))
    if sys.stdout.isatty() and sys.stdin.isatty():
        from bridge.tui.app import run_app

        run_app(settings)  # the app opens the workspace and imports the demo in the background
        return
    with open_workspace() as workspace:
        if workspace.ensure_demo():
            err_console.print("No records yet: imported bridge's own knowledge base as a demo.")
        from bridge.cli.records_cmds import print_table

        print_table(workspace.list_records())
