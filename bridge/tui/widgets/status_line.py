"""The status line under the search results: what was searched, how, and the state of the index."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import Label, ProgressBar


class StatusLine(Horizontal):
    """Results summary on the left, background progress in the middle, index state on the right."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    StatusLine #status-results { width: 1fr; }
    StatusLine #status-index { width: auto; padding-left: 2; }
    StatusLine ProgressBar { width: 44; display: none; }
    StatusLine.-busy ProgressBar { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="status-results")
        yield ProgressBar(total=100, show_eta=False, id="status-progress")
        yield Label("opening knowledge base…", id="status-index")

    def set_results(self, text: str) -> None:
        """Show the summary of the latest search."""
        self._update("#status-results", text)

    def set_index(self, text: str) -> None:
        """Show the index state (``semantic index loading`` / ``12,345 sections indexed``)."""
        self._update("#status-index", text)

    def _update(self, selector: str, text: str) -> None:
        """Set a label's text; a line being torn down (the app quitting while work reports) is left alone."""
        try:
            self.query_one(selector, Label).update(text)
        except NoMatches:
            return

    def set_progress(self, done: int, total: int) -> None:
        """Show a progress bar for background work; total 0 means indeterminate."""
        try:
            bar = self.query_one(ProgressBar)
        except NoMatches:
            return
        self.add_class("-busy")
        bar.update(total=total or None, progress=done)

    def clear_progress(self) -> None:
        """Hide the progress bar."""
        self.remove_class("-busy")

    @property
    def results_text(self) -> str:
        """Return the results summary as shown (used by tests and benchmarks)."""
        return str(self.query_one("#status-results", Label).content)

    @property
    def index_text(self) -> str:
        """Return the index state as shown."""
        return str(self.query_one("#status-index", Label).content)
