"""Search commands: search, reindex, ask and eval."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bridge.cli import app
from bridge.cli.common import check_filters, console, err_console, esc, fail, open_workspace, print_json
from bridge.search_types import INLINE_EMBED_LIMIT, SEARCH_MODES
from bridge.terminal import safe_line, safe_text

if TYPE_CHECKING:
    from bridge.search_types import ProgressCallback
    from bridge.workspace import Workspace

ModeOption = Annotated[str, typer.Option("--mode", help="hybrid (default), keyword or semantic.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _check_mode(mode: str) -> None:
    """Exit with a clear error for an unknown search mode."""
    if mode not in SEARCH_MODES:
        fail(f"unknown mode '{mode}': use one of {', '.join(SEARCH_MODES)}", code=2)


WaitOption = Annotated[bool, typer.Option(
    "--wait", help="Embed chunks still waiting for vectors first (a progress bar on a terminal; Ctrl-C keeps what is "
    "done) instead of answering at once with keyword results.")]


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a progress callback drawing a bar with rate and time left on stderr (None when not a terminal)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                  TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("working", total=None, rate="")
        started: dict[str, tuple[float, int]] = {}

        def progress(done: int, total: int, what: str) -> None:
            first_time, first_done = started.setdefault(what, (time.monotonic(), done))
            elapsed = time.monotonic() - first_time
            rate = f"{(done - first_done) / elapsed:.0f}/s" if elapsed > 0.5 and done > first_done else ""
            bar.update(task, completed=done, total=total or None, description=what, rate=rate)

        yield progress


def _embed_pending(workspace: Workspace, pending: int, quiet: bool) -> None:
    """Embed chunks still waiting for vectors, with a progress bar when it takes long (saved batch by batch)."""
    if not quiet and pending > INLINE_EMBED_LIMIT:
        err_console.print(f"embedding {pending} chunks for semantic search (Ctrl-C stops and keeps what is done)…",
                          highlight=False)
    with _progress(not quiet and pending > INLINE_EMBED_LIMIT) as progress:
        workspace.warm_up(progress)


def _semantic_mode(workspace: Workspace, mode: str, *, wait: bool, quiet: bool) -> tuple[str, str | None]:
    """Return the mode to search with now and, when semantic results are not ready, a note saying why.

    A small backlog (a few edited records) is embedded at once; a large one answers with keyword results unless
    ``wait`` is set. An interrupted wait keeps every saved batch and also answers with keyword results.
    """
    if mode == "keyword":
        return mode, None
    status = workspace.index_status()
    pending = status.pending
    if pending == 0:
        return mode, None
    read_only = workspace.read_only_search_mode(mode, status)  # type: ignore[arg-type]
    if read_only is not None:
        return read_only
    if not wait and pending > INLINE_EMBED_LIMIT:
        return "keyword", (f"semantic results are still being prepared ({pending} chunks wait for vectors), so these "
                           "are keyword results; `bridge reindex` embeds them, or pass --wait")
    try:
        _embed_pending(workspace, pending, quiet)
    except KeyboardInterrupt:
        left = workspace.index_status().pending
        return "keyword", (f"embedding interrupted: {pending - left} of {pending} chunks saved, {left} still wait, so "
                           "these are keyword results; `bridge reindex` or --wait continues where it stopped")
    return mode, None


def _prepare_semantic(workspace: Workspace, quiet: bool) -> None:
    """Embed every chunk still waiting for a vector (for eval, which measures the full index)."""
    pending = workspace.index_status().pending
    if pending:
        _embed_pending(workspace, pending, quiet)


EMPTY_HINT = ("the knowledge base is empty: import your records with `bridge import PATH`, or load bridge's own "
              "records as a demo with `bridge init --demo` (the TUI, `bridge`, does that by itself)")


def _print_note(note: str | None) -> None:
    """Print a note about the results on stderr."""
    if note:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words, an alert's text or a question.")],
    k: Annotated[int, typer.Option("-k", "--limit", min=1, max=1000, help="How many records to show.")] = 10,
    kind: Annotated[str | None, typer.Option(help="Only this kind: decision, runbook, postmortem, handoff.")] = None,
    status: Annotated[str | None, typer.Option(help="Only records with this status.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only records about this topic.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only records with this owner.")] = None,
    author: Annotated[str | None, typer.Option(help="Only records by this author.")] = None,
    mode: ModeOption = "hybrid",
    wait: WaitOption = False,
    as_json: JsonOption = False,
) -> None:
    """Find the records (and the section in each) that best match QUERY."""
    _check_mode(mode)
    check_filters(kind, status)
    with open_workspace() as workspace:
        used_mode, note = _semantic_mode(workspace, mode, wait=wait, quiet=as_json)
        hits = workspace.search(query, k=k, kind=kind, status=status, topic=topic, owner=owner, author=author,
                                mode=used_mode)  # type: ignore[arg-type]
        empty = not hits and workspace.count_records() == 0
    _print_note(note)
    if as_json:
        print_json({"query": query, "mode": used_mode, "note": note, "hits": [hit.to_dict() for hit in hits]})
        return
    if not hits:
        console.print("No matching records.")
        if empty:
            _print_note(EMPTY_HINT)
        return
    for rank, hit in enumerate(hits, start=1):
        section = f" § {hit.section}" if hit.section else ""
        console.print(f"[bold]{rank}. {esc(hit.key)}[/]  {esc(hit.title)}  [dim]{esc(hit.kind)}, {esc(hit.status)}[/]",
                      highlight=False)
        if hit.superseded_by:
            console.print(f"   [yellow]superseded by {esc(', '.join(hit.superseded_by))}[/]", highlight=False)
        console.print(f"   [cyan]{esc(section.strip() or '(top of record)')}[/]  [dim]{esc(hit.source_path)}[/]",
                      highlight=False)
        if hit.snippet:
            console.print(f"   {safe_line(hit.snippet)}", highlight=False, markup=False)


@app.command()
def reindex(
    full: Annotated[bool, typer.Option("--full", help="Embed every chunk again, not only changed ones (each vector is replaced as it is done; stopped half-way, the rest keep theirs).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Re-chunk every record, embed new or changed chunks and rebuild the vector index."""
    with open_workspace() as workspace, _progress(not as_json) as progress:
        try:
            report = workspace.reindex(full=full, progress=progress)
        except KeyboardInterrupt:
            status = workspace.index_status()
            if full and not status.pending:
                fail("interrupted: the chunks embedded again so far are saved, the others keep their earlier vectors "
                     "(search works as before); run `bridge reindex --full` again to redo them all", code=130)
            fail(f"interrupted: {status.embedded} of {status.chunks} chunks have vectors (saved); run `bridge reindex` "
                 f"again to embed the other {status.pending}", code=130)
    if as_json:
        print_json(report.to_dict())
        return
    console.print(
        f"{report.records} records, {report.chunks} chunks: embedded {report.embedded}, reused {report.reused} "
        f"({report.index_type} index, model {report.model_id}) in {report.seconds:.1f} s"
        + (f"; {report.chunks_per_second:.1f} chunks/s with {report.backend}" if report.backend else ""),
        highlight=False,
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question in your own words.")],
    k: Annotated[int, typer.Option("-k", min=1, max=20, help="How many passages to use.")] = 5,
    wait: WaitOption = False,
    as_json: JsonOption = False,
) -> None:
    """Answer QUESTION from the records, quoting and citing the passages used."""
    with open_workspace() as workspace:
        used_mode, note = _semantic_mode(workspace, "hybrid", wait=wait, quiet=as_json)
        answer = workspace.ask(question, k=k, mode=used_mode)  # type: ignore[arg-type]
    _print_note(note)
    if as_json:
        print_json({**answer.to_dict(), "mode": used_mode, "note": note})
        return
    for warning in answer.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    console.print(safe_text(answer.text), highlight=False, markup=False)
    if answer.generated and answer.citations:
        console.print("\n[dim]generated from:[/]")
        for citation in answer.citations:
            console.print(f"  {safe_line(citation.tag)} {safe_line(citation.title)}", highlight=False, markup=False)


@app.command("eval")
def eval_(
    queries: Annotated[Path, typer.Argument(help="JSON lines: {\"qid\", \"query\", \"relevant\": [source paths]}.")],
    mode: ModeOption = "hybrid",
    k: Annotated[int, typer.Option("-k", min=10, max=1000, help="Ranking depth searched per query.")] = 10,
    misses: Annotated[bool, typer.Option("--misses", help="Also list queries whose answer is not ranked first.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Measure search quality on labelled queries: Recall@1/5/10, MRR@10 and nDCG@10."""
    _check_mode(mode)
    if not queries.is_file():
        fail(f"query file {queries} does not exist")
    with open_workspace() as workspace:
        if mode != "keyword":
            _prepare_semantic(workspace, quiet=as_json)
        result = workspace.evaluate(queries, mode=mode, k=k)  # type: ignore[arg-type]
    if result.unknown_paths:
        shown = ", ".join(result.unknown_paths[:3]) + (" …" if len(result.unknown_paths) > 3 else "")
        err_console.print(
            f"[yellow]warning:[/] {len(result.unknown_paths)} of {result.labelled_paths} labelled paths are not in "
            f"this knowledge base ({esc(shown)}): import them, or the queries wanting them can only miss",
            highlight=False)
    if as_json:
        data = result.to_dict()
        if misses:
            data["misses"] = [{"qid": o.qid, "rank": o.first_relevant_rank, "top": o.top_source_paths}
                              for o in result.outcomes if o.first_relevant_rank != 1]
        print_json(data)
        return
    console.print(
        f"{result.queries} queries, mode {result.mode}: Recall@1 {result.recall_at_1:.3f}  "
        f"Recall@5 {result.recall_at_5:.3f}  Recall@10 {result.recall_at_10:.3f}  "
        f"MRR@10 {result.mrr_at_10:.3f}  nDCG@10 {result.ndcg_at_10:.3f}",
        highlight=False,
    )
    if misses:
        for outcome in result.outcomes:
            if outcome.first_relevant_rank != 1:
                rank = outcome.first_relevant_rank or "-"
                console.print(f"  rank {rank}: {outcome.qid}  top: {', '.join(outcome.top_source_paths)}",
                              highlight=False, markup=False)
