"""The search results list: one option per hit with key, title, kind, status badge, topics and snippet."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from bridge.domain import INACTIVE_STATUSES, SearchHit

STATUS_STYLES: dict[str, str] = {
    "accepted": "bold green",
    "active": "bold green",
    "published": "bold green",
    "proposed": "bold yellow",
    "draft": "bold yellow",
    "needs-review": "bold dark_orange",
}
"""Badge colour per status; inactive statuses are red, unknown ones plain."""

SNIPPET_MARKERS = re.compile(r"\[\[|\]\]|<<|>>|</?mark>|</?b>")
"""Highlight markers a snippet may carry from the index; the list highlights terms itself."""

MIN_HIGHLIGHT_LENGTH = 2


def status_badge(status: str) -> Text:
    """Return the status as a coloured badge."""
    style = STATUS_STYLES.get(status, "bold red" if status in INACTIVE_STATUSES else "bold")
    return Text(f" {status} ", style=f"{style} reverse")


STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will with".split()
)
"""Words too common to be worth highlighting."""


def query_terms(text: str) -> list[str]:
    """Return the words of a query worth highlighting in snippets (2+ characters, not stopwords)."""
    words = {word.lower() for word in re.findall(r"\w+", text)}
    return sorted((w for w in words if len(w) >= MIN_HIGHLIGHT_LENGTH and w not in STOPWORDS), key=len, reverse=True)


def highlight_terms(text: Text, terms: list[str]) -> None:
    """Highlight words of text that start with one of terms (so ``corrupt`` also marks ``corrupted``)."""
    if terms:
        pattern = r"(?i)\b(?:" + "|".join(re.escape(term) for term in terms) + r")\w*"
        text.highlight_regex(pattern, style="bold reverse")


def render_hit(hit: SearchHit, terms: list[str]) -> Text:
    """Return the three-line rendering of one hit with the query terms highlighted in the snippet."""
    line = Text()
    line.append(hit.key, style="bold cyan")
    line.append("  ")
    line.append(hit.title or "(untitled)", style="bold")
    line.append("  ")
    line.append_text(status_badge(hit.status))
    if hit.superseded_by:
        line.append(f"  → {', '.join(hit.superseded_by)}", style="italic yellow")
    meta = Text(f"\n{hit.kind}", style="dim")
    if hit.topics:
        meta.append(" · " + ", ".join(hit.topics), style="magenta")
    if hit.section:
        meta.append(" · " + hit.section, style="dim italic")
    line.append_text(meta)
    snippet = " ".join(SNIPPET_MARKERS.sub("", hit.snippet).split())
    if snippet:
        snippet_text = Text("\n" + snippet, style="dim")
        highlight_terms(snippet_text, terms)
        line.append_text(snippet_text)
    return line


class HitList(OptionList):
    """Search hits as a keyboard-navigable list; posts HitHighlighted and HitSelected."""

    @dataclass
    class HitHighlighted(Message):
        """The cursor moved to a hit (the preview follows it)."""

        hit: SearchHit

    @dataclass
    class HitSelected(Message):
        """Enter was pressed on a hit (open it)."""

        hit: SearchHit

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hits: list[SearchHit] = []
        """The hits currently shown, in list order."""

    def show_hits(self, hits: list[SearchHit], query_text: str, *, keep_cursor: bool = False) -> None:
        """Replace the list with hits, the cursor on the first (or, with keep_cursor, on the same record)."""
        previous_key = self.highlighted_hit.key if self.highlighted_hit and keep_cursor else None
        terms = query_terms(query_text)
        self.hits = list(hits)
        self.clear_options()
        self.add_options([Option(render_hit(hit, terms), id=hit.key) for hit in hits])
        if hits:
            keys = [hit.key for hit in hits]
            self.highlighted = keys.index(previous_key) if previous_key in keys else 0

    @property
    def highlighted_hit(self) -> SearchHit | None:
        """Return the hit under the cursor, if any."""
        if self.highlighted is None or not (0 <= self.highlighted < len(self.hits)):
            return None
        return self.hits[self.highlighted]

    @on(OptionList.OptionHighlighted)
    def _announce_highlight(self, event: OptionList.OptionHighlighted) -> None:
        """Translate the option event into a HitHighlighted carrying the hit."""
        event.stop()
        if 0 <= event.option_index < len(self.hits):
            self.post_message(self.HitHighlighted(self.hits[event.option_index]))

    @on(OptionList.OptionSelected)
    def _announce_selection(self, event: OptionList.OptionSelected) -> None:
        """Translate the option event into a HitSelected carrying the hit."""
        event.stop()
        if 0 <= event.option_index < len(self.hits):
            self.post_message(self.HitSelected(self.hits[event.option_index]))
