"""Record commands: init, import, export, list, show, new."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bridge.cli import app
from bridge.cli.common import (
    check_filters,
    console,
    err_console,
    esc,
    escape_markup,
    fail,
    open_workspace,
    print_json,
)
from bridge.domain import RECORD_KINDS, Record


def record_summary(record: Record) -> dict[str, Any]:
    """Return the JSON form of a record used by ``list --json``."""
    return {
        "key": record.key, "kind": record.kind, "title": record.title, "status": record.status,
        "status_text": record.status_text, "topics": record.topics, "owners": record.owners,
        "reviewers": record.reviewers, "tags": record.tags, "date": record.date, "review_by": record.review_by,
        "supersedes": record.supersedes, "superseded_by": record.superseded_by,
        "source_path": record.source_path, "created_at": record.created_at, "updated_at": record.updated_at,
        "version": record.version,
    }


@app.command()
def init(
    demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Import the built-in demo records.")] = False,
) -> None:
    """Create the knowledge base (database and data dir) if it does not exist yet."""
    from bridge.paths import data_dir

    with open_workspace() as workspace:
        if demo:
            workspace.ensure_demo()
        console.print(f"Knowledge base ready in {data_dir()} ({workspace.count_records()} records).")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Folders or files of records (Markdown, reST).")],
    kind: Annotated[str | None, typer.Option(help="decision, runbook or postmortem when the folder does not say.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import record files, with their authors and history when they are in a git repository."""
    from rich.progress import Progress

    if kind is not None and kind not in RECORD_KINDS:
        fail(f"unknown kind '{kind}': use one of {', '.join(RECORD_KINDS)}")
    with open_workspace() as workspace:
        if as_json or not sys.stderr.isatty():
            report = workspace.import_paths(paths, kind=kind)  # type: ignore[arg-type]
        else:
            with Progress(console=err_console, transient=True) as bar:
                task = bar.add_task("importing", total=None)

                def progress(done: int, total: int, what: str) -> None:
                    bar.update(task, completed=done, total=total, description=what[-40:])

                report = workspace.import_paths(paths, kind=kind, progress=progress)  # type: ignore[arg-type]
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(
            f"imported {report.imported}, updated {report.updated}, unchanged {report.unchanged}, "
            f"failed {len(report.failed)}, skipped {len(report.skipped)}"
            + (f", kept {len(report.kept)}" if report.kept else "")
            + (f", alerting rules {report.alert_rules} (see `bridge alerts`)" if report.alert_rules else "")
        )
        for reason, count in report.skipped_by_reason().items():
            console.print(f"  skipped {count}: {reason}", highlight=False)
        if (report.imported == report.updated == report.unchanged == report.alert_rules == 0 and report.skipped
                and not report.failed):
            console.print("Nothing imported: no file given is a record (reasons above; name a file to import it).")
        elif report.imported == report.updated == report.alert_rules == 0 and not report.failed and not report.kept:
            console.print("Nothing changed: every record is already up to date.")
        if report.kept:
            listed = ", ".join(f"{key} ({path})" for path, key in list(report.kept.items())[:10])
            more = f" and {len(report.kept) - 10} more" if len(report.kept) > 10 else ""
            err_console.print(
                f"[yellow]kept:[/] {esc(listed)}{more}: edited in bridge since the last sync, so the file was not "
                "read over the edit; `bridge sync` writes the edit to its file (or lists a conflict if the file "
                "changed too)",
                highlight=False)
        for warning in report.warnings[:20]:
            err_console.print(f"[yellow]warning:[/] {esc(warning)}", highlight=False)
        if len(report.warnings) > 20:
            err_console.print(f"[yellow]… and {len(report.warnings) - 20} more warnings (see --json)[/]")
        for failure in report.failed:
            where = f"{failure.path}:{failure.line}" if failure.line else failure.path
            err_console.print(f"[red]failed:[/] {esc(where)}: {esc(failure.error)}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write the record files into.")],
) -> None:
    """Write every record back to files (Markdown with front matter), one per record."""
    with open_workspace() as workspace:
        count = workspace.export(directory)
    console.print(f"exported {count} records to {directory}")


@app.command("list")
def list_(
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only records about this topic.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only records with this owner.")] = None,
    unsynced: Annotated[bool, typer.Option(
        "--unsynced", help="Only records edited in bridge and not yet synced to their file (or in conflict).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List records, optionally filtered."""
    check_filters(kind, status)
    with open_workspace() as workspace:
        records = workspace.list_records(kind=kind, status=status, topic=topic, owner=owner)
        if unsynced:
            pending = {base.key for base in workspace.unsynced()}
            records = [record for record in records if record.key in pending]
    if as_json:
        print_json([record_summary(record) for record in records])
    else:
        print_table(records)


def print_table(records: list[Record]) -> None:
    """Print records as a rich table."""
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for column in ("key", "kind", "status", "title", "topics", "owners"):
        table.add_column(column)
    for record in records:
        table.add_row(esc(record.key), esc(record.kind), esc(record.status), esc(record.title),
                      esc(", ".join(record.topics)), esc(", ".join(record.owners)))
    console.print(table)
    console.print(f"{len(records)} records")


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="Record key, e.g. ADR-0007.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    history: Annotated[bool, typer.Option("--history", help="Also list the record's revisions.")] = False,
    why_risk: Annotated[bool, typer.Option("--why-risk", help="Explain the record's importance and risk.")] = False,
) -> None:
    """Show one record with its links, contributors and (optionally) history."""
    if why_risk:
        from bridge.cli.usage_cmds import print_why_risk

        with open_workspace() as workspace:
            entry = workspace.why_risk(key)
        print_why_risk(entry, as_json)
        return
    with open_workspace() as workspace:
        record = workspace.get_record(key)
        workspace.record_open(record.key)
        links = workspace.links(record.key)
        contributors = workspace.contributors(record.key)
        revisions = workspace.history(record.key) if history or as_json else []
        conflict = workspace.sync_conflict(record.key)
    if conflict is not None:
        err_console.print(esc(f"warning: {record.key} is in sync conflict ({conflict.path}): {conflict.reason}; "
                              f"{conflict.resolution()}"), highlight=False, soft_wrap=True)
    if as_json:
        data = record_summary(record)
        data["body"] = record.body
        data["sync_conflict"] = {"path": conflict.path, "reason": conflict.reason} if conflict else None
        data["links"] = [{"source": link.source_key, "target": link.target_key, "kind": link.kind} for link in links]
        data["contributors"] = [
            {"person": c.person.name, "handle": c.person.handle, "roles": c.roles, "edits": c.edits}
            for c in contributors
        ]
        if history:
            data["history"] = [
                {"number": r.number, "author": r.author, "at": r.at, "message": r.message, "source": r.source,
                 "commit": r.commit} for r in revisions
            ]
        print_json(data)
        return
    from rich.markdown import Markdown

    from bridge.terminal import safe_text

    console.print(f"[bold]{esc(record.key)}[/]  {esc(record.title)}")
    console.print(esc(f"{record.kind} · {record.status_text or record.status} · topics: "
                      f"{', '.join(record.topics) or '-'} · owners: {', '.join(record.owners) or '-'}"), highlight=False)
    for link in links:
        console.print(esc(f"  {link.source_key} {link.kind} {link.target_key}"), highlight=False)
    if contributors:
        names = ", ".join(f"{c.person.name} ({'/'.join(c.roles)})" for c in contributors[:8])
        console.print(f"contributors: {esc(names)}", highlight=False)
    console.print()
    body = safe_text(record.body)
    console.print(Markdown(body) if record.body_format == "markdown" else body, markup=False)
    if history:
        console.print("\n[bold]history[/]")
        for r in revisions:
            console.print(esc(f"  {r.number:>3}  {r.at:%Y-%m-%d}  {r.author or '?'}  {r.source}  {r.message[:60]}"),
                          highlight=False)


@app.command()
def new(
    kind: Annotated[str, typer.Option(help="decision, runbook, postmortem or handoff.")],
    title: Annotated[str, typer.Option(help="The record's title.")],
    template: Annotated[str | None, typer.Option(help="Template name (decisions: nygard, madr).")] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Topic (repeatable).")] = None,
    owner: Annotated[list[str] | None, typer.Option(help="Owner (repeatable).")] = None,
    author: Annotated[str | None, typer.Option(help="Author name or 'Name <email>' (default: you).")] = None,
    supersedes: Annotated[list[str] | None, typer.Option(help="Key of a record this one supersedes.")] = None,
    body_file: Annotated[Path | None, typer.Option(help="Use this file's text as the body.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the new record as JSON.")] = False,
) -> None:
    """Create a record from a template and save it as its first revision."""
    if kind not in RECORD_KINDS:
        fail(f"unknown kind '{kind}': use one of {', '.join(RECORD_KINDS)}")
    body = None
    if body_file is not None:
        try:
            body = body_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {body_file}: {exc}")
    with open_workspace() as workspace:
        record = workspace.new_record(
            kind, title, template=template, topics=topic or [], owners=owner or [], body=body,  # type: ignore[arg-type]
            supersedes=supersedes or [], author=author,
        )
    if as_json:
        print_json(record_summary(record))
    else:
        console.print(f"created {esc(record.key)}: {esc(record.title)}")


@app.command()
def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="Rebuild derived data (search index) that is broken.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check the database and search index; exit 1 when something is wrong."""
    from bridge.errors import StoreDamagedError
    from bridge.workspace import damaged_store_checks

    try:
        with open_workspace(raise_damaged=True) as workspace:
            checks = workspace.doctor(repair=repair)
    except StoreDamagedError as exc:
        err_console.print(f"[bold red]error:[/] {escape_markup(str(exc))}", highlight=False, soft_wrap=True)
        checks = damaged_store_checks(exc.path)
    if as_json:
        print_json([{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks])
    else:
        for check in checks:
            mark = "[green]ok[/]  " if check.ok else "[red]FAIL[/]"
            console.print(f"{mark} {esc(check.name)}: {escape_markup(check.detail)}", highlight=False)
    if not all(check.ok for check in checks):
        raise typer.Exit(1)


@app.command()
def edit(
    key: Annotated[str, typer.Argument(help="Record key, e.g. ADR-0007.")],
    from_file: Annotated[Path | None, typer.Option("--file", help="Take the new text from this file instead of $EDITOR (text without front matter "
                                "is the new body; the fields stay).")] = None,
    message: Annotated[str, typer.Option(help="What changed (kept with the revision).")] = "",
) -> None:
    """Edit a record's file text in $EDITOR (or from --file) and save it as a new revision."""
    import os
    import shlex
    import subprocess
    import tempfile

    from bridge.errors import ConflictError
    from bridge.tui.drafts import save_conflict_text

    with open_workspace() as workspace:
        record = workspace.get_record(key)
        original = workspace.record_text(record.key)
        if from_file is not None:
            try:
                text = from_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                fail(f"cannot read {from_file}: {exc}")
        else:
            editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
            suffix = ".rst" if record.body_format == "rst" else ".md"
            with tempfile.NamedTemporaryFile("w", suffix=suffix, prefix=f"{record.key}-", delete=False,
                                             encoding="utf-8") as handle:
                handle.write(original)
            if subprocess.run([*shlex.split(editor), handle.name]).returncode != 0:
                fail(f"the editor exited with an error; your text is in {handle.name}")
            text = Path(handle.name).read_text(encoding="utf-8")
        if text == original:
            console.print(f"{esc(record.key)}: no changes")
            return
        from bridge.ingest.parse import front_matter_block

        if front_matter_block(original) and not front_matter_block(text.lstrip("\ufeff")):  # as save_record_text
            err_console.print("note: the text has no front matter, so it is taken as the body and the record's "
                              "fields (title, status, topics, owners…) are kept; edit the front matter to change them",
                              highlight=False, markup=False)
        try:
            saved = workspace.save_record_text(record.key, text, expected_version=record.version, message=message)
        except ConflictError as exc:
            kept = save_conflict_text(record.key, text, record.version,
                                      ".rst" if record.body_format == "rst" else ".md")
            fail(f"{exc}. Your text is kept in {kept}; `bridge drafts` lists it and "
                 f"`bridge drafts recover {kept.name}` saves it on top.")
    console.print(f"saved {esc(saved.key)} as version {saved.version}")


@app.command()
def restore(
    key: Annotated[str, typer.Argument(help="Record key.")],
    revision: Annotated[int, typer.Argument(help="Revision number to restore (see `bridge show KEY --history`).")],
) -> None:
    """Make an old revision's text current again, as a new revision (nothing is overwritten)."""
    with open_workspace() as workspace:
        record = workspace.get_record(key)
        saved = workspace.restore_revision(record.key, revision, expected_version=record.version)
    console.print(f"restored revision {revision} of {esc(saved.key)} as version {saved.version}")


@app.command()
def review(
    key: Annotated[str, typer.Argument(help="Record key.")],
    person: Annotated[str | None, typer.Option("--as", help="Reviewer (default: you).")] = None,
) -> None:
    """Record that you read and checked a record (counts towards who knows it)."""
    with open_workspace() as workspace:
        contribution = workspace.mark_reviewed(key, person)
    console.print(f"{esc(contribution.record_key)} reviewed by {esc(contribution.person)}")
