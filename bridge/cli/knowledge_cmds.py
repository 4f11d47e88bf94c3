"""Knowledge commands: knowledge (bus factor per topic, departures), report, onboard, people."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bridge.cli import app
from bridge.cli.common import console, err_console, fail, open_workspace, print_json

if TYPE_CHECKING:
    from bridge.knowledge_types import (
        DepartureImpact,
        KnowledgeMap,
        OnboardingPath,
        PersonSummary,
        TopicKnowledge,
    )

FAIL_UNDER_EXIT_CODE = 3
"""Exit code of ``bridge report --fail-under N`` when a topic's bus factor is below N."""

RISK_STYLES = {0: "bold red", 1: "bold dark_orange", 2: "yellow"}

people_app = typer.Typer(help="People: who knows what, and who left.", no_args_is_help=False)
app.add_typer(people_app, name="people")


def parse_day(text: str | None, option: str) -> date | None:
    """Return the date in text (YYYY-MM-DD), or exit with a clear error naming the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} '{text}' is not a date: use YYYY-MM-DD")


def _bus_factor(value: int | None) -> str:
    """Return a bus factor coloured by risk, or a dash."""
    if value is None:
        return "—"
    style = RISK_STYLES.get(value, "green")
    return f"[{style}]{value}[/]"


def _knowers(topic: TopicKnowledge, limit: int = 2) -> str:
    """Return the top knowers with their share, then how many more."""
    shown = ", ".join(f"{k.person} {k.share:.0%}" for k in topic.knowers[:limit])
    more = len(topic.knowers) - limit
    return (shown + (f" +{more}" if more > 0 else "")) or "[red]nobody[/]"


def _print_map(knowledge_map: KnowledgeMap) -> None:
    """Print the per-topic table, the overall figure and suggestions."""
    table = Table(title=f"Knowledge map as of {knowledge_map.as_of.isoformat()}", title_justify="left")
    table.add_column("Topic", no_wrap=True)
    for column in ("BF", "Records"):
        table.add_column(column, justify="right")
    table.add_column("Knowers (share)")
    for column in ("Single", "Orphaned"):
        table.add_column(column, justify="right")
    table.add_column("Flags")
    for topic in knowledge_map.topics:
        table.add_row(
            topic.topic, _bus_factor(topic.bus_factor), str(topic.records), _knowers(topic),
            str(len(topic.single_knower_records)), str(len(topic.orphaned_records)),
            ", ".join(flag.kind for flag in topic.flags),
        )
    console.print(table)
    overall = knowledge_map.overall
    removed = f" (losing {', '.join(overall.removed)})" if overall.removed else ""
    console.print(
        f"Whole knowledge base: bus factor {_bus_factor(overall.bus_factor)}{removed}, "
        f"{overall.records} records, {len(overall.knowers)} {'knower' if len(overall.knowers) == 1 else 'knowers'}."
    )
    for topic in knowledge_map.topics:
        if topic.suggestion:
            suggestion = topic.suggestion
            console.print(
                f"[bold]{topic.topic}[/]: ask [bold]{suggestion.person}[/] to become second holder "
                f"({suggestion.reason}); review first {', '.join(suggestion.review_first)}.",
                highlight=False,
            )


def _print_departures(impact: DepartureImpact) -> None:
    """Print bus factor before → after per topic and the records the departures orphan."""
    names = impact.departed
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    table = Table(title=f"If {who} {'leaves' if len(names) == 1 else 'leave'}", title_justify="left")
    for column, justify in [("Topic", "left"), ("Before", "right"), ("After", "right"), ("Newly orphaned", "left")]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for change in impact.changes:
        table.add_row(change.topic, _bus_factor(change.before), _bus_factor(change.after),
                      ", ".join(change.newly_orphaned) or "—")
    console.print(table)
    console.print(
        f"Whole knowledge base: bus factor {_bus_factor(impact.before.overall.bus_factor)} → "
        f"{_bus_factor(impact.after.overall.bus_factor)}; {len(impact.orphaned_records)} records lose their last "
        "active knower" + (f": {', '.join(impact.orphaned_records)}" if impact.orphaned_records else "."),
        highlight=False,
    )


@app.command()
def knowledge(
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Only this topic.")] = None,
    without: Annotated[list[str] | None, typer.Option(
        "--without", "-w", help="Simulate that this person leaves (name, email or handle; repeatable).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Analyse as of this day (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the bus factor of each topic: who knows its records, single-knower and orphaned records, flags."""
    day = parse_day(as_of, "--as-of")
    with open_workspace() as workspace:
        if without:
            impact = workspace.departure_impact(without, topic=topic, as_of=day)
            print_json(impact.to_dict()) if as_json else _print_departures(impact)
            return
        knowledge_map = workspace.knowledge_map(topic=topic, as_of=day)
    print_json(knowledge_map.to_dict()) if as_json else _print_map(knowledge_map)


@app.command()
def report(
    report_format: Annotated[str, typer.Option("--format", "-f", help="md, html, json or csv.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
    fail_under: Annotated[int | None, typer.Option(
        "--fail-under", help=f"Exit {FAIL_UNDER_EXIT_CODE} when any topic's bus factor is below N.")] = None,
    since: Annotated[Path | None, typer.Option(
        "--since", help="A previous JSON or HTML report: show which topics got better or worse.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Report as of this day (YYYY-MM-DD).")] = None,
) -> None:
    """Write the periodic bus-factor report (for a wiki, a PR comment, a dashboard or CI)."""
    from bridge.reports import REPORT_FORMATS

    if report_format not in REPORT_FORMATS:
        fail(f"--format '{report_format}' is not one of {', '.join(REPORT_FORMATS)}")
    day = parse_day(as_of, "--as-of")
    with open_workspace() as workspace:
        result = workspace.report(as_of=day, since=since, fail_under=fail_under)
        if workspace.index_status().pending and workspace.usage_events(kinds=("search",)):
            from bridge.cli.search_cmds import _prepare_semantic

            _prepare_semantic(workspace, quiet=False)  # the gaps section scores searches against every section
        workspace.add_usage_sections(result)
        text = workspace.render_report(result, report_format)
    if out is None:
        typer.echo(text, nl=False)
    else:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"{out}: cannot write the report: {exc}")
        err_console.print(f"Wrote {report_format} report to {out}.", highlight=False)
    failing = result.failing_topics()
    if failing:
        names = ", ".join(f"{topic.topic} ({topic.bus_factor})" for topic in failing)
        err_console.print(f"[bold red]bus factor below {fail_under}:[/] {names}", highlight=False)
        raise typer.Exit(FAIL_UNDER_EXIT_CODE)


def _print_onboarding(path: OnboardingPath) -> None:
    """Print the reading path."""
    console.print(f"[bold]Reading path for {path.topic}[/]")
    sections = [("Decisions in force, in order", path.decisions), ("Runbooks", path.runbooks),
                ("Still proposed", path.proposed)]
    for heading, items in sections:
        if not items:
            continue
        console.print(f"\n[bold]{heading}[/]")
        for number, item in enumerate(items, start=1):
            day = f" ({item.day.isoformat()})" if item.day else ""
            console.print(f"  {number}. {item.key} {item.title}{day}", highlight=False)
    if path.superseded:
        console.print("\n[bold]What replaced what[/]")
        for step in path.superseded:
            console.print(f"  {step.old_key} {step.old_title} → {step.new_key} {step.new_title}", highlight=False)
    console.print("\n[bold]Who to ask[/]")
    if not path.ask:
        console.print("  [red]nobody active knows these records[/]")
    for knower in path.ask:
        console.print(f"  {knower.person}: knows {knower.records} of the records ({knower.share:.0%})", highlight=False)


@app.command()
def onboard(
    topic: Annotated[str, typer.Argument(help="The topic (service or system) to learn.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a new hire's reading path through a topic: decisions, runbooks, what replaced what, who to ask."""
    with open_workspace() as workspace:
        path = workspace.onboarding(topic)
    print_json(path.to_dict()) if as_json else _print_onboarding(path)


def _print_people(summaries: list[PersonSummary]) -> None:
    """Print the people table."""
    table = Table(title="People", title_justify="left")
    for column, justify in [("Person", "left"), ("Status", "left"), ("Records known", "right"),
                            ("Only knower of", "left"), ("Also known as", "left")]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for person in summaries:
        status = f"left {person.left_on.isoformat()}" if person.status == "left" and person.left_on else person.status
        table.add_row(person.person, status, str(person.records_known), ", ".join(person.only_knower_topics) or "—",
                      ", ".join(person.aliases[:3]) + (" …" if len(person.aliases) > 3 else ""))
    console.print(table)


@people_app.callback(invoke_without_command=True)
def people(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List people: records they know, topics where they are the only knower, active or left."""
    if ctx.invoked_subcommand is not None:
        return
    with open_workspace() as workspace:
        summaries = workspace.people_summary()
    print_json([summary.to_dict() for summary in summaries]) if as_json else _print_people(summaries)


@people_app.command("leave")
def people_leave(
    name: Annotated[str, typer.Argument(help="Name, email or handle.")],
    on: Annotated[str | None, typer.Option("--on", help="The day they left (YYYY-MM-DD); default today.")] = None,
) -> None:
    """Mark someone as left: from that day they no longer count as knowing anything."""
    day = parse_day(on, "--on") or date.today()
    with open_workspace() as workspace:
        person = workspace.set_left(name, day)
    console.print(f"{person.name} marked as left on {day.isoformat()}.", highlight=False)


@people_app.command("return")
def people_return(name: Annotated[str, typer.Argument(help="Name, email or handle.")]) -> None:
    """Mark someone who left as active again."""
    with open_workspace() as workspace:
        person = workspace.set_left(name, None)
    console.print(f"{person.name} is active again.", highlight=False)
