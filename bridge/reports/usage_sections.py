"""The report's usage sections in Markdown and CSV: risk ranking, unanswered questions, handoff progress."""

from __future__ import annotations

from bridge.knowledge_types import KnowledgeReport

MAX_GAPS = 20
"""Unanswered-question clusters listed."""
MAX_HANDOFF_ITEMS = 15
"""Items listed per handoff plan in Markdown."""


def _cell(text: object) -> str:
    """Return text safe inside a Markdown table cell."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\n", " ")


def markdown_sections(report: KnowledgeReport) -> list[str]:
    """Return the Markdown lines of the three sections (each only when it has content, gaps always)."""
    lines: list[str] = []
    if report.risks:
        lines += ["", "## Most important records with concentrated knowledge", "",
                  "risk = importance × concentration (1 / knowers); see docs/bus-factor.md.", "",
                  "| Record | Title | Risk | Importance | Knowers | Why |", "| --- | --- | ---: | ---: | --- | --- |"]
        for risk in report.risks:
            why = ", ".join(f"{term.name} {term.value:g}" for term in risk.importance.terms if term.points) or "—"
            lines.append(f"| {risk.key} | {_cell(risk.title)} | {risk.risk:.2f} | {risk.importance.score:.2f} | "
                         f"{_cell(', '.join(risk.knowers) or 'nobody')} | {why} |")
    lines += ["", "## Unanswered questions", ""]
    if report.gaps:
        lines += ["| Question | Asked | Best match | Wordings |", "| --- | ---: | ---: | --- |"]
        for gap in report.gaps[:MAX_GAPS]:
            best = "—" if gap.best_score is None else f"{gap.best_score:.2f}"
            lines.append(f"| {_cell(gap.question)} | {gap.count} | {best} | {_cell(' · '.join(gap.queries[:5]))} |")
    else:
        lines.append("No unanswered searches recorded" + (f" ({'; '.join(report.notes)})" if report.notes else "") + ".")
    if report.handoffs:
        lines += ["", "## Handoff progress"]
        for plan in report.handoffs:
            by = f" (by {plan.by.isoformat()})" if plan.by else ""
            lines += ["", f"### {_cell(plan.person)} — {plan.done} of {len(plan.items)} handed over{by}", ""]
            for item in plan.items[:MAX_HANDOFF_ITEMS]:
                names = ", ".join(plan.successor_names(item)) or "nobody suggested"
                lines.append(f"- [{'x' if item.done else ' '}] {item.key} {_cell(item.title)} — {item.action} → "
                             f"{_cell(names)}")
            if len(plan.items) > MAX_HANDOFF_ITEMS:
                lines.append(f"- and {len(plan.items) - MAX_HANDOFF_ITEMS} more (`bridge handoff`)")
    return lines


def csv_section_rows(report: KnowledgeReport) -> list[list[object]]:
    """Return the sections as further CSV tables, each after a blank row and its own header row."""
    rows: list[list[object]] = []
    if report.risks:
        rows += [[], ["risk_key", "title", "risk", "importance", "concentration", "knowers", "why"]]
        rows += [[risk.key, risk.title, f"{risk.risk:.4f}", f"{risk.importance.score:.4f}", f"{risk.concentration:.4f}",
                  " ".join(risk.knowers), risk.importance.explain()] for risk in report.risks]
    if report.gaps:
        rows += [[], ["gap_question", "count", "best_score", "queries"]]
        rows += [[gap.question, gap.count, "" if gap.best_score is None else f"{gap.best_score:.4f}",
                  " | ".join(gap.queries)] for gap in report.gaps]
    if report.handoffs:
        rows += [[], ["handoff_person", "key", "title", "importance", "action", "successors", "done"]]
        rows += [[plan.person, item.key, item.title, f"{item.importance:.4f}", item.action,
                  " ".join(plan.successor_names(item)), "yes" if item.done else "no"]
                 for plan in report.handoffs for item in plan.items]
    return rows
