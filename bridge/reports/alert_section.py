"""The knowledge report's alert-coverage section in Markdown: coverage per severity and critical runbooks."""

from __future__ import annotations

from bridge.alert_types import AlertCoverage

LISTED_RUNBOOKS = 20
"""Critical runbooks listed before the rest are only counted."""


def _cell(text: str) -> str:
    """Return text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def alert_coverage_markdown(coverage: AlertCoverage | None) -> list[str]:
    """Return the section's lines (none when no alerting rules are imported)."""
    if coverage is None or coverage.totals.alerts == 0:
        return []
    totals = coverage.totals
    lines = ["", "## Alert coverage", "",
             f"{totals.alerts} alerting rules: **{totals.linked} linked ({totals.linked_share:.1f}%)**, "
             f"{totals.dead} dead links, {totals.suggested} suggested, {totals.missing} missing; "
             f"{len(coverage.runbooks_without_alerts)} runbooks no rule links to.", "",
             "| Severity | Rules | Linked | Dead | Suggested | Missing |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for severity, counts in sorted(coverage.by_severity.items()):
        lines.append(f"| {_cell(severity)} | {counts.alerts} | {counts.linked} | {counts.dead} | {counts.suggested} | "
                     f"{counts.missing} |")
    if coverage.critical_runbooks:
        lines += ["", "### Runbooks behind critical alerts, fewest knowers first", "",
                  "| Runbook | Critical alerts | Who knows it |", "| --- | --- | --- |"]
        for item in coverage.critical_runbooks[:LISTED_RUNBOOKS]:
            knowers = ", ".join(item.knowers) or "**nobody**"
            lines.append(f"| {item.key} {_cell(item.title)} | {_cell(', '.join(item.alerts))} | {_cell(knowers)} |")
        more = len(coverage.critical_runbooks) - LISTED_RUNBOOKS
        if more > 0:
            lines.append(f"| … and {more} more | | |")
    return lines
