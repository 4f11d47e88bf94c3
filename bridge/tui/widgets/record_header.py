"""The record screen's compact front-matter header and the coloured diff view of its history tab."""

from __future__ import annotations

from datetime import date

from rich.markup import escape
from rich.text import Text
from textual.widgets import Static

from bridge.domain import Record
from bridge.tui.diffing import RevisionDiff
from bridge.tui.widgets.hit_list import STATUS_STYLES

LINK_FIELDS: tuple[tuple[str, str], ...] = (
    ("supersedes", "supersedes"),
    ("superseded_by", "superseded by"),
    ("amends", "amends"),
    ("related", "related"),
)
"""Record fields holding keys of other records, with their label."""


def header_markup(record: Record, today: date | None = None) -> str:
    """Return Textual markup for the header; link keys are clickable and run ``screen.open_link``."""
    today = today or date.today()
    status_style = STATUS_STYLES.get(record.status, "bold red")
    lines = [
        f"[bold cyan]{escape(record.key)}[/]  [bold]{escape(record.title)}[/]  "
        f"[{status_style} reverse] {escape(record.status)} [/]  [dim]{record.kind} · version {record.version}[/]"
    ]
    facts: list[str] = []
    if record.owners:
        facts.append(f"[dim]owners[/] {escape(', '.join(record.owners))}")
    if record.topics:
        facts.append(f"[dim]topics[/] [magenta]{escape(', '.join(record.topics))}[/]")
    if record.review_by:
        overdue = record.review_by < today
        style = "bold red" if overdue else "green"
        note = " (overdue)" if overdue else ""
        facts.append(f"[dim]review by[/] [{style}]{record.review_by.isoformat()}{note}[/]")
    if record.date:
        facts.append(f"[dim]date[/] {record.date.isoformat()}")
    if facts:
        lines.append("   ".join(facts))
    link_parts: list[str] = []
    for field_name, label in LINK_FIELDS:
        keys = getattr(record, field_name)
        if keys:
            links = ", ".join(f"[@click=screen.open_link('{_safe(key)}')][u]{escape(key)}[/u][/]" for key in keys)
            link_parts.append(f"[dim]{label}[/] {links}")
    if link_parts:
        lines.append("   ".join(link_parts))
    return "\n".join(lines)


def _safe(key: str) -> str:
    """Return key with characters that would break the click action's quoting removed."""
    return "".join(ch for ch in key if ch not in "'\\[]")


class RecordHeader(Static):
    """Key, title, status badge, owners, topics, review-by and followable links of one record."""

    DEFAULT_CSS = """
    RecordHeader {
        height: auto;
        padding: 0 1;
        background: $boost;
        border-bottom: solid $primary;
    }
    """

    def show_record(self, record: Record) -> None:
        """Render record's front matter."""
        self.update(header_markup(record))


def render_diff(diff: RevisionDiff) -> Text:
    """Return the diff as coloured text, or a note when the texts are the same."""
    if diff.identical:
        return Text(f"{diff.old_label} and {diff.new_label} have the same text.", style="dim")
    styles = {"header": "bold", "hunk": "cyan", "added": "green", "removed": "red", "context": ""}
    text = Text(f"+{diff.added} −{diff.removed} lines\n", style="bold")
    for line in diff.lines:
        text.append(line.text + "\n", style=styles[line.kind])
    return text
