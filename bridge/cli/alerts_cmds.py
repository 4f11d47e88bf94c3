"""On-call commands: ``alerts`` (rules, their runbook links and coverage) and ``alert`` (alert → runbook)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bridge.alert_types import LINK_STATES
from bridge.cli import app
from bridge.cli.common import console, esc, fail, open_workspace, print_json

COVERAGE_EXIT = 3
"""Exit code of ``bridge alerts --fail-under`` when the linked share is below the threshold."""


@app.command()
def alerts(
    severity: Annotated[str | None, typer.Option(help="Only rules with this severity label (critical, warning…).")] = None,
    state: Annotated[str | None, typer.Option(help="Only rules in this link state: linked, dead, missing, suggested.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary, the rules and unused runbooks as JSON.")] = False,
    fail_under: Annotated[float | None, typer.Option(
        "--fail-under", help="Exit 3 when linked rules are less than PCT percent (of the severity, if given).",
        metavar="PCT")] = None,
) -> None:
    """List alerting rules with their runbook links, coverage per severity, and runbooks no rule links to."""
    if state is not None and state not in LINK_STATES:
        fail(f"unknown state '{state}': use one of {', '.join(LINK_STATES)}")
    if fail_under is not None and not 0 <= fail_under <= 100:
        fail(f"--fail-under must be a percentage between 0 and 100, not {fail_under:g}")
    with open_workspace() as workspace:
        coverage = workspace.alert_coverage(severity=severity, state=state)  # type: ignore[arg-type]
    if as_json:
        print_json(coverage.to_dict())
    else:
        _print_coverage(coverage, severity)
    if fail_under is not None and coverage.totals.linked_share < fail_under:
        scope = f"{severity} " if severity else ""
        print(f"linked {scope}rules {coverage.totals.linked_share:.1f}% < {fail_under:g}%", file=sys.stderr)
        raise typer.Exit(COVERAGE_EXIT)


def _print_coverage(coverage: object, severity: str | None) -> None:
    """Print the rules table, the summary and the runbooks no rule links to."""
    from rich.table import Table

    from bridge.alert_types import AlertCoverage

    assert isinstance(coverage, AlertCoverage)
    totals = coverage.totals
    if totals.alerts == 0:
        console.print("No alerting rules imported: `bridge import` a folder of Prometheus rule files.")
        return
    table = Table(show_edge=False, header_style="bold")
    # Alert names are what on-call people search for: never cut them; the rule file path folds instead.
    table.add_column("alert", no_wrap=True, min_width=max(len(alert.rule.name) for alert in coverage.alerts))
    for column in ("severity", "state", "runbook"):
        table.add_column(column, no_wrap=True)
    table.add_column("rule file", overflow="fold")
    colours = {"linked": "green", "suggested": "yellow", "dead": "red", "missing": "red"}
    for alert in coverage.alerts:
        runbook = alert.link.runbook or (alert.rule.runbook_url if alert.link.state == "dead" else "")
        table.add_row(esc(alert.rule.name), esc(alert.rule.severity),
                      f"[{colours[alert.link.state]}]{alert.link.state}[/]", esc(runbook), esc(alert.rule.source_path))
    console.print(table)
    scope = f" ({severity})" if severity else ""
    console.print(
        f"{totals.alerts} alerting rules{scope}: {totals.linked} linked ({totals.linked_share:.1f}%), "
        f"{totals.dead} dead, {totals.suggested} suggested, {totals.missing} missing; "
        f"{totals.with_runbook_url} carry a runbook_url", highlight=False)
    for name, counts in sorted(coverage.by_severity.items()):
        console.print(f"  {name}: {counts.linked}/{counts.alerts} linked ({counts.linked_share:.1f}%)", highlight=False)
    if coverage.runbooks_without_alerts:
        shown = ", ".join(ref.key for ref in coverage.runbooks_without_alerts[:20])
        more = len(coverage.runbooks_without_alerts) - 20
        console.print(f"{len(coverage.runbooks_without_alerts)} runbooks no rule links to: {shown}"
                      + (f" … and {more} more (see --json)" if more > 0 else ""), highlight=False)


@app.command()
def alert(
    source: Annotated[str | None, typer.Argument(
        help="Webhook payload file, '-' for stdin, an alert name, or pasted alert text (stdin when omitted).",
        metavar="[PAYLOAD_FILE|-|NAME|TEXT]")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one entry per alert as JSON.")] = False,
    mode: Annotated[str, typer.Option(help="Search used when no rule links the alert: keyword, hybrid, semantic.")] = "keyword",
) -> None:
    """Show each firing alert's runbook, the section to start with and who knows it."""
    from bridge.search_types import SEARCH_MODES

    if mode not in SEARCH_MODES:
        fail(f"unknown search mode '{mode}': use one of {', '.join(SEARCH_MODES)}")
    text = _read_source(source)
    with open_workspace() as workspace:
        answers = workspace.runbooks_for_alert(text, mode=mode)  # type: ignore[arg-type]
    if as_json:
        print_json([answer.to_dict() for answer in answers])
        return
    if not answers:
        console.print("No firing alerts in the input.")
    for answer in answers:
        if answer.runbook is None:
            console.print(f"[bold]{esc(answer.alert)}[/]: no runbook found", highlight=False)
            continue
        marker = " [yellow](a guess: best search hit)[/]" if answer.guess else ""
        console.print(f"[bold]{esc(answer.alert)}[/] → {esc(answer.runbook or '')} {esc(answer.title)}{marker}",
                      highlight=False)
        if answer.source_path:
            console.print(f"  file: {esc(answer.source_path)}", highlight=False)
        if answer.section:
            console.print(f"  start at: {esc(answer.section)}", highlight=False)
        console.print(f"  who knows it: {esc(', '.join(answer.knowers)) if answer.knowers else 'nobody recorded'}",
                      highlight=False)


def _read_source(source: str | None) -> str:
    """Return the input text: stdin for '-' or nothing, a file's text when source names a file, else source."""
    if source is None or source == "-":
        if source is None and sys.stdin.isatty():
            fail("give a webhook payload file, '-' for stdin, an alert name or text")
        return sys.stdin.read()
    path = Path(source)
    if len(source) < 4096 and "\n" not in source and path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{source}: cannot read the payload file: {exc}")
    return source

