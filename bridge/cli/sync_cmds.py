"""``bridge sync``: read changed files in from git and write bridge edits back to their files, on a branch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bridge.cli import app
from bridge.cli.common import console, err_console, fail, open_workspace, print_json


@app.command()
def sync(
    roots: Annotated[list[Path] | None, typer.Argument(
        help="Import roots to sync (default: every folder records were imported from).")] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Write the files but do not commit.")] = False,
    push: Annotated[str | None, typer.Option("--push", metavar="REMOTE", help="Push the sync branch to REMOTE.")] = None,
    onto_current: Annotated[bool, typer.Option(
        "--onto-current", help="Commit on the checked-out branch instead of a new bridge/<user>/… branch.")] = False,
    take: Annotated[tuple[str, str] | None, typer.Option(
        "--take", metavar="file|bridge KEY",
        help="Resolve a conflict on KEY: keep the file's text (file) or write bridge's text over it (bridge).")] = None,
    add: Annotated[list[str] | None, typer.Option(
        "--add", metavar="KEY",
        help="Give a record made in bridge a new file in ROOT, named by the folder's convention (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Sync records with their files in git: changed files in, bridge edits out (exit 1 on conflicts)."""
    if take is not None and take[0] not in ("file", "bridge"):
        fail(f"--take expects 'file' or 'bridge' and a key, not '{take[0]}'")
    with open_workspace() as workspace:
        report = workspace.sync(list(roots or []), commit=not no_commit, push=push, onto_current=onto_current,
                                take=take, add=list(add or []))
    if as_json:
        print_json(report.to_dict())
    else:
        if report.synced_in:
            console.print(f"read in: {', '.join(report.synced_in)}", highlight=False)
        for path in report.written:
            console.print(f"wrote {path}", highlight=False)
        for commit in report.commits:
            console.print(f"committed {commit['key']} as {commit['commit'][:12]} on {commit['branch']}",
                          highlight=False)
        for message in report.messages:
            console.print(message, highlight=False)
        for conflict in report.conflicts:
            err_console.print(f"conflict: {conflict.key} ({conflict.path}): {conflict.reason}; {conflict.resolution()}",
                              highlight=False, soft_wrap=True)
        for failure in report.failed:
            err_console.print(f"[bold red]error:[/] {failure.path}: {failure.error}", highlight=False,
                              soft_wrap=True)
        if report.ok and not (report.synced_in or report.written):
            console.print("in sync: nothing to read in or write out")
    if not report.ok:
        raise typer.Exit(1)
