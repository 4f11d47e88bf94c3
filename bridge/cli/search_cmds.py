"""Search commands: search, reindex, ask and eval."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bridge.cli import app
from bridge.cli.common import console, err_console, fail, open_workspace, print_json
from bridge.search_types import SEARCH_MODES

if TYPE_CHECKING:
    from bridge.search_types import ProgressCallback
    from bridge.workspace import Workspace

ModeOption = Annotated[str, typer.Option("--mode", help="hybrid (default), keyword or semantic.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _check_mode(mode: str) -> None:
    """Exit with a clear error for an unknown search mode."""
    if mode not in SEARCH_MODES:
        fail(f"unknown mode '{mode}': use one of {', '.join(SEARCH_MODES)}", code=2)


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a progress callback drawing a rich bar on stderr (None when output is not a terminal)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("working", total=None)

        def progress(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total or None, description=what)

        yield progress


def _prepare_semantic(workspace: Workspace, quiet: bool) -> None:
    """Embed chunks still waiting for vectors before a semantic query, with a progress bar when it takes long."""
    status = workspace.index_status()
    if status.pending == 0:
        return
    if not quiet and status.pending > 200:
        err_console.print(f"embedding {status.pending} new chunks before the first semantic search…")
    with _progress(not quiet and status.pending > 200) as progress:
        workspace.warm_up(progress)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words, an alert's text or a question.")],
    k: Annotated[int, typer.Option("-k", "--limit", min=1, max=1000, help="How many records to show.")] = 10,
    kind: Annotated[str | None, typer.Option(help="Only this kind: decision, runbook, postmortem.")] = None,
    status: Annotated[str | None, typer.Option(help="Only records with this status.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only records about this topic.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only records with this owner.")] = None,
    author: Annotated[str | None, typer.Option(help="Only records by this author.")] = None,
    mode: ModeOption = "hybrid",
    as_json: JsonOption = False,
) -> None:
    """Find the records (and the section in each) that best match QUERY."""
    _check_mode(mode)
    with open_workspace() as workspace:
        if mode != "keyword":
            _prepare_semantic(workspace, quiet=as_json)
        hits = workspace.search(query, k=k, kind=kind, status=status, topic=topic, owner=owner, author=author,
                                mode=mode)  # type: ignore[arg-type]
    if as_json:
        print_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        console.print("No matching records.")
        return
    for rank, hit in enumerate(hits, start=1):
        section = f" § {hit.section}" if hit.section else ""
        console.print(f"[bold]{rank}. {hit.key}[/]  {hit.title}  [dim]{hit.kind}, {hit.status}[/]", highlight=False)
        if hit.superseded_by:
            console.print(f"   [yellow]superseded by {', '.join(hit.superseded_by)}[/]", highlight=False)
        console.print(f"   [cyan]{section.strip() or '(top of record)'}[/]  [dim]{hit.source_path}[/]",
                      highlight=False)
        if hit.snippet:
            console.print(f"   {hit.snippet}", highlight=False, markup=False)


@app.command()
def reindex(
    full: Annotated[bool, typer.Option("--full", help="Embed every chunk again, not only changed ones.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Re-chunk every record, embed new or changed chunks and rebuild the vector index."""
    with open_workspace() as workspace, _progress(not as_json) as progress:
        report = workspace.reindex(full=full, progress=progress)
    if as_json:
        print_json(report.to_dict())
        return
    console.print(
        f"{report.records} records, {report.chunks} chunks: embedded {report.embedded}, reused {report.reused} "
        f"({report.index_type} index, model {report.model_id}) in {report.seconds:.1f} s",
        highlight=False,
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question in your own words.")],
    k: Annotated[int, typer.Option("-k", min=1, max=20, help="How many passages to use.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Answer QUESTION from the records, quoting and citing the passages used."""
    with open_workspace() as workspace:
        _prepare_semantic(workspace, quiet=as_json)
        answer = workspace.ask(question, k=k)
    if as_json:
        print_json(answer.to_dict())
        return
    for warning in answer.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    console.print(answer.text, highlight=False, markup=False)
    if answer.generated and answer.citations:
        console.print("\n[dim]generated from:[/]")
        for citation in answer.citations:
            console.print(f"  {citation.tag} {citation.title}", highlight=False, markup=False)


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
