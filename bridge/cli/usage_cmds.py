"""Usage commands: ``usage`` (what is read and searched), ``gaps`` (unanswered questions), ``handoff`` (departures)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bridge.cli import app
from bridge.cli.common import console, err_console, fail, open_workspace, print_json

if TYPE_CHECKING:
    from bridge.usage_types import GapCluster, HandoffPlan, RiskEntry, UsageSummary

SINCE_HELP = "Only events since this day (YYYY-MM-DD) or this long ago (30d, 12h, 2w)."
DURATION = re.compile(r"^(?P<amount>\d+)\s*(?P<unit>[hdw])$")
UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}


def parse_since(text: str | None) -> datetime | None:
    """Return the moment --since names (a day or a duration back from now), or exit with a clear error."""
    if text is None:
        return None
    match = DURATION.match(text.strip().lower())
    if match:
        return datetime.now(UTC) - timedelta(hours=int(match["amount"]) * UNIT_HOURS[match["unit"]])
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        fail(f"--since '{text}' is neither a day (YYYY-MM-DD) nor a duration (30d, 12h, 2w)")


@app.command()
def usage(
    since: Annotated[str | None, typer.Option("--since", help=SINCE_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Show the most read records, most searched topics and queries, per front end (kept locally only)."""
    moment = parse_since(since)
    with open_workspace() as workspace:
        enabled = workspace.settings.usage.enabled
        summary = workspace.usage_summary(moment)
    if as_json:
        print_json(summary.to_dict())
        return
    if not enabled:
        err_console.print("usage logging is off ([usage] enabled = false): nothing new is recorded", highlight=False)
    _print_usage(summary)


def _print_usage(summary: UsageSummary) -> None:
    """Print the usage summary as tables."""
    scope = f"since {summary.since:%Y-%m-%d %H:%M} UTC" if summary.since else "in the retention period"
    console.print(f"[bold]{summary.events}[/] events {scope}: {summary.searches} searches, {summary.opens} opens, "
                  f"{summary.citations} citations", highlight=False)
    for front_end, counts in summary.by_front_end.items():
        console.print(f"  {front_end}: " + ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items())),
                      highlight=False)
    for heading, items, label in (("Most read records", summary.most_read, "Record"),
                                  ("Most searched topics", summary.top_topics, "Topic"),
                                  ("Most searched queries", summary.top_queries, "Query")):
        if not items:
            continue
        table = Table(title=heading, title_justify="left")
        table.add_column(label)
        if label == "Record":
            table.add_column("Title")
        table.add_column("Count", justify="right")
        for item in items:
            row = [item.name, item.title] if label == "Record" else [item.name]
            table.add_row(*row, str(item.count))
        console.print(table)


@app.command()
def gaps(
    since: Annotated[str | None, typer.Option("--since", help=SINCE_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List questions people searched for and did not find, grouped by meaning, most asked first."""
    moment = parse_since(since)
    with open_workspace() as workspace:
        clusters = workspace.gaps(moment)
    if as_json:
        print_json([cluster.to_dict() for cluster in clusters])
        return
    _print_gaps(clusters)


def _print_gaps(clusters: list[GapCluster]) -> None:
    """Print the clusters as a table."""
    if not clusters:
        console.print("No unanswered searches recorded.")
        return
    table = Table(title="Unanswered questions", title_justify="left")
    table.add_column("Question")
    table.add_column("Asked", justify="right")
    table.add_column("Best match", justify="right")
    table.add_column("Other wordings")
    for cluster in clusters:
        best = "—" if cluster.best_score is None else f"{cluster.best_score:.2f}"
        others = [query for query in cluster.queries if query != cluster.question][:3]
        table.add_row(cluster.question, str(cluster.count), best, " · ".join(others))
    console.print(table)
    console.print("Turn one into a record: bridge new --kind runbook --title \"<question>\"", highlight=False)


@app.command()
def handoff(
    person: Annotated[str, typer.Argument(help="Name, email or handle of the person leaving.")],
    by: Annotated[str | None, typer.Option("--by", help="The day they leave (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Make (or re-measure) a departure handoff plan: what only PERSON knows, who takes it over, and progress."""
    day = None
    if by is not None:
        try:
            day = date.fromisoformat(by)
        except ValueError:
            fail(f"--by '{by}' is not a date: use YYYY-MM-DD")
    with open_workspace() as workspace:
        plan = workspace.handoff(person, by=day)
    if as_json:
        print_json(plan.to_dict())
        return
    _print_plan(plan)


def _print_plan(plan: HandoffPlan) -> None:
    """Print the plan as a checklist table."""
    by = f", leaving by {plan.by.isoformat()}" if plan.by else ""
    console.print(f"[bold]Handoff plan for {plan.person}[/]{by} — {plan.record_key}, made "
                  f"{plan.made_at:%Y-%m-%d}: {plan.done} of {len(plan.items)} handed over", highlight=False)
    if not plan.items:
        console.print(f"Nothing to hand over: nobody depends on {plan.person} alone for any record.")
        return
    table = Table()
    table.add_column("Done")
    table.add_column("Record")
    table.add_column("Title")
    table.add_column("Importance", justify="right")
    table.add_column("Action")
    table.add_column("Successor")
    for item in plan.items:
        table.add_row("[green]✓[/]" if item.done else "·", item.key, item.title, f"{item.importance:g}",
                      item.action, ", ".join(plan.successor_names(item)) or "—")
    console.print(table)
    console.print("An item is done when a successor reviews (bridge review KEY) or edits the record and then counts "
                  "as knowing it.", highlight=False)


def print_why_risk(entry: RiskEntry, as_json: bool) -> None:
    """Print why a record's risk is what it is (``bridge show KEY --why-risk``)."""
    if as_json:
        print_json(entry.to_dict())
        return
    console.print(f"[bold]{entry.key}[/]  {entry.title}", highlight=False)
    console.print(f"risk {entry.risk:g} = importance {entry.importance.score:g} × concentration "
                  f"{entry.concentration:g}", highlight=False)
    console.print(f"  importance = {entry.importance.explain()}", highlight=False)
    knowers = ", ".join(entry.knowers) or "nobody (orphaned)"
    console.print(f"  concentration = 1 / {max(len(entry.knowers), 1)} knower(s): {knowers}", highlight=False)
