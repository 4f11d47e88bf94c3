"""Keeping nothing lost: backup, restore-backup, and the drafts kept from conflicting saves (docs/reliability.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bridge.cli import app
from bridge.cli.common import console, esc, fail, open_workspace, print_json
from bridge.errors import BridgeError

drafts_app = typer.Typer(help="Texts kept from saves that lost a conflict, and editor drafts.", no_args_is_help=False)
app.add_typer(drafts_app, name="drafts")


@app.command()
def backup(
    out: Annotated[Path, typer.Argument(help="New file to write (or a folder: a dated file is made in it).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Write a consistent snapshot of the database while others keep working (SQLite; PostgreSQL: pg_dump)."""
    from bridge.workspace import backup_store

    try:
        report = backup_store(out)
    except BridgeError as exc:
        fail(str(exc))
    if as_json:
        print_json({"path": report.path, "bytes": report.bytes, "records": report.records,
                    "revisions": report.revisions, "schema_version": report.schema_version})
    else:
        console.print(f"backed up {report.records} records and {report.revisions} revisions to "
                      f"{esc(report.path)} ({report.bytes:,} bytes)", highlight=False)


@app.command("restore-backup")
def restore_backup(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `bridge backup`.")],
) -> None:
    """Replace the database with a checked copy of a backup; the replaced files are renamed aside, not deleted."""
    from bridge.workspace import restore_store

    try:
        report = restore_store(backup_file)
    except BridgeError as exc:
        fail(str(exc))
    console.print(f"restored {report.records} records and {report.revisions} revisions from {esc(backup_file)}",
                  highlight=False)
    for aside in report.set_aside:
        console.print(f"the replaced file is kept as {esc(aside)}", highlight=False)


@drafts_app.callback(invoke_without_command=True)
def drafts(
    context: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the drafts as JSON.")] = False,
) -> None:
    """List the texts kept from conflicting saves, and the editor's autosaved drafts."""
    if context.invoked_subcommand is not None:
        return
    from bridge.tui.drafts import list_conflict_texts, list_drafts

    conflicts = list_conflict_texts()
    editor_drafts, problems = list_drafts()
    if as_json:
        print_json({
            "conflicts": [{"key": item.key, "path": item.path, "base_version": item.base_version,
                           "saved_at": item.saved_at} for item in conflicts],
            "editor_drafts": [{"key": draft.record.key, "base_version": draft.base_version,
                               "saved_at": draft.saved_at} for draft in editor_drafts],
            "unreadable": problems,
        })
        return
    if not conflicts and not editor_drafts:
        console.print("No drafts: every text you wrote is saved.")
    for item in conflicts:
        console.print(f"conflict  {esc(item.key)}  from version {item.base_version}  {item.saved_at:%Y-%m-%d %H:%M:%S}"
                      f"  {esc(item.path.name)}", highlight=False, soft_wrap=True)
    for draft in editor_drafts:
        console.print(f"editor    {esc(draft.record.key)}  from version {draft.base_version}  "
                      f"{draft.saved_at:%Y-%m-%d %H:%M:%S}  (resume it in the TUI)", highlight=False)
    for problem in problems:
        console.print(f"[yellow]unreadable:[/] {esc(problem)}", highlight=False)
    if conflicts:
        console.print("Save one on top of the current version with `bridge drafts recover NAME`, or drop it with "
                      "`bridge drafts discard NAME`.", highlight=False)


@drafts_app.command()
def recover(
    name: Annotated[str, typer.Argument(help="The conflict text's file name, as `bridge drafts` lists it.")],
    message: Annotated[str, typer.Option(help="What changed (kept with the revision).")] = "",
) -> None:
    """Save a kept conflict text as a new revision on top of the current version (the other save stays in history)."""
    from bridge.tui.drafts import find_conflict_text, recover_conflict_text

    with open_workspace() as workspace:
        item = find_conflict_text(name)
        saved = recover_conflict_text(workspace, item, message)
    console.print(f"saved {esc(saved.key)} as version {saved.version} from {esc(item.path.name)}", highlight=False)


@drafts_app.command()
def discard(
    name: Annotated[str, typer.Argument(help="The conflict text's file name, as `bridge drafts` lists it.")],
) -> None:
    """Delete one kept conflict text."""
    from bridge.tui.drafts import DraftError, find_conflict_text

    try:
        item = find_conflict_text(name)
    except DraftError as exc:
        fail(str(exc))
    item.path.unlink()
    console.print(f"discarded {esc(item.path.name)}", highlight=False)
