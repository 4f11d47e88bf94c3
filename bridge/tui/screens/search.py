"""The home screen: search as you type, results on the left, the selected record rendered on the right."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown
from textual.worker import get_current_worker

from bridge.domain import Record, SearchHit
from bridge.errors import BridgeError
from bridge.tui.messages import OpenRecord, describe_exception, plural
from bridge.tui.preview import Preview, build_preview, display_markdown
from bridge.tui.query_syntax import ParsedQuery, parse_query
from bridge.tui.typed_app import BridgeAppAccess
from bridge.tui.widgets.hit_list import HitList
from bridge.tui.widgets.record_header import RecordHeader
from bridge.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    pass

SearchMode = Literal["hybrid", "keyword", "semantic"]

RESULT_LIMIT = 20
"""Hits asked for per search."""

HYBRID_DEBOUNCE_SECONDS = 0.06
"""Pause before a hybrid search so a burst of keystrokes embeds only the last query; keyword search has none."""

PREVIEW_DEBOUNCE_SECONDS = 0.15
"""Pause before loading a preview so holding an arrow key renders only where the cursor stops."""


def hit_from_record(record: Record) -> SearchHit:
    """Return a listing entry for a record shown without a text query."""
    return SearchHit(
        key=record.key, title=record.title, kind=record.kind, status=record.status, score=0.0,
        source_path=record.source_path, superseded_by=list(record.superseded_by), topics=list(record.topics),
    )


class SearchScreen(BridgeAppAccess, Screen[None]):
    """Type to search; arrow keys move through hits; Enter opens one; ``n`` starts a new record."""

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="search-focus", tooltip="Put the cursor in the search box."),
        Binding("down", "focus_results", "Results", show=False, id="search-results",
                tooltip="Move from the search box into the results."),
        Binding("n", "new_record", "New", id="search-new", tooltip="Start a new record from a template."),
        Binding("e", "edit_record", "Edit", id="search-edit", tooltip="Edit the highlighted record."),
        Binding("o", "open_record", "Open", id="search-open", tooltip="Open the highlighted record."),
        Binding("escape", "clear_search", "Clear", id="search-clear", tooltip="Clear the query and show every record."),
    ]

    @dataclass
    class ResultsReady(Message):
        """A search (or an unfiltered listing) finished."""

        sequence: int
        """Increases with every query typed; stale results are dropped."""
        parsed: ParsedQuery
        hits: list[SearchHit]
        mode: str
        """``hybrid``, ``keyword`` or ``list`` (no query text)."""
        elapsed_ms: float
        """Time from the keystroke to the results being ready."""

    @dataclass
    class SearchFailed(Message):
        """A search raised an error a person can act on (e.g. a bad filter)."""

        sequence: int
        error: str

    @dataclass
    class PreviewReady(Message):
        """The highlighted record was loaded for the preview pane."""

        record: Record
        section: str
        preview: Preview

    def __init__(self) -> None:
        super().__init__(id="search-screen")
        self.sequence = 0
        """Number of the latest query typed."""
        self.shown_sequence = -1
        """Number of the query whose results are on screen."""
        self.shown_query: ParsedQuery | None = None
        """The query whose results are on screen (a re-run of it keeps the cursor where it was)."""
        self.latencies_ms: list[float] = []
        """Input-changed-to-results-ready times of the searches shown (ms), for the benchmark."""
        self.painted_latencies_ms: list[float] = []
        """Input-changed-to-results-painted times (ms), for the benchmark."""
        self.preview_key: str | None = None
        """Key of the record in the preview pane."""
        self.preview_section = ""
        """Section the preview pane was scrolled to."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search runbooks and decisions — filters: kind:runbook topic:etcd status:active "
                    "owner:name", id="query")
        with Horizontal(id="search-body"):
            yield HitList(id="hits")
            with Vertical(id="preview-pane"):
                yield RecordHeader("", id="preview-header")
                with VerticalScroll(id="preview-scroll"):
                    yield Markdown("", id="preview", open_links=False)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self.bridge_app.refresh_status_lines()

    # -- searching -----------------------------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        """Start a search for the new query text."""
        event.stop()
        self.run_search()

    def run_search(self) -> None:
        """Search for what is in the box now, in keyword or hybrid mode depending on the model's readiness."""
        if self.bridge_app.workspace is None:
            return
        self.sequence += 1
        raw = self.query_one("#query", Input).value
        parsed = parse_query(raw)
        mode: SearchMode = "hybrid" if self.bridge_app.semantic_ready else "keyword"
        self._search(self.sequence, parsed, mode, time.perf_counter(), raw)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search", description="Searching")
    def _search(self, sequence: int, parsed: ParsedQuery, mode: SearchMode, started: float, raw: str = "") -> None:
        """Run one search in a thread and post its hits (an alert payload or name shows its runbooks instead)."""
        worker = get_current_worker()
        workspace = self.bridge_app.require_workspace()
        if parsed.text and mode == "hybrid":
            time.sleep(HYBRID_DEBOUNCE_SECONDS)
            if worker.is_cancelled:
                return
        label: str = mode if parsed.text else "list"
        try:
            alert_hits = workspace.alert_search_hits(raw) if parsed.text and raw else None
            if alert_hits is not None:
                hits, label = alert_hits, "alert → runbook"
            elif parsed.text:
                hits = workspace.search(parsed.text, k=RESULT_LIMIT, mode=mode, **parsed.filters())
            else:
                hits = [hit_from_record(record) for record in workspace.list_records(**parsed.filters())]
        except BridgeError as exc:
            self.post_message(self.SearchFailed(sequence, describe_exception(exc)))
            return
        if not worker.is_cancelled:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.post_message(self.ResultsReady(sequence, parsed, hits, label, elapsed_ms))

    @on(ResultsReady)
    def _show_results(self, message: ResultsReady) -> None:
        """Show the newest results and summarise them in the status line."""
        if message.sequence < self.shown_sequence:
            return
        self.shown_sequence = message.sequence
        self.latencies_ms.append(message.elapsed_ms)
        same_query = message.parsed == self.shown_query
        self.shown_query = message.parsed
        self.query_one(HitList).show_hits(message.hits, message.parsed.text, keep_cursor=same_query)
        started = time.perf_counter() - message.elapsed_ms / 1000

        def painted() -> None:
            self.painted_latencies_ms.append((time.perf_counter() - started) * 1000)
            self.bridge_app.start_warm_up()

        self.call_after_refresh(painted)
        if not message.hits:
            self._clear_preview()
        summary = plural(len(message.hits), "record" if message.mode == "list" else "result")
        parts = [summary, message.mode, f"{message.elapsed_ms:.0f} ms"]
        if message.parsed.has_filters:
            parts.append(message.parsed.describe_filters())
        parts.extend(message.parsed.problems)
        self.query_one(StatusLine).set_results(" · ".join(parts))

    @on(SearchFailed)
    def _show_failure(self, message: SearchFailed) -> None:
        """Show why the search failed in the status line."""
        if message.sequence >= self.shown_sequence:
            self.shown_sequence = message.sequence
            self.query_one(StatusLine).set_results(f"search failed: {message.error}")

    # -- preview -------------------------------------------------------------------------------------------

    @on(HitList.HitHighlighted)
    def _hit_highlighted(self, message: HitList.HitHighlighted) -> None:
        """Load the highlighted record into the preview, unless it already shows that record at that section."""
        if (message.hit.key, message.hit.section) == (self.preview_key, self.preview_section):
            return
        self._load_preview(message.hit.key, message.hit.section)

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview", description="Loading preview")
    def _load_preview(self, key: str, section: str) -> None:
        """Fetch the record in a thread and post it with the part to render."""
        worker = get_current_worker()
        time.sleep(PREVIEW_DEBOUNCE_SECONDS)
        if worker.is_cancelled:
            return
        try:
            record = self.bridge_app.require_workspace().get_record(key)
        except BridgeError as exc:
            self.notify(describe_exception(exc), severity="error")
            return
        if not worker.is_cancelled:
            preview = build_preview(display_markdown(record.body, record.body_format), section)
            self.post_message(self.PreviewReady(record, section, preview))

    @on(PreviewReady)
    async def _show_preview(self, message: PreviewReady) -> None:
        """Render the record and scroll to the matching section."""
        highlighted = self.query_one(HitList).highlighted_hit
        if highlighted is not None and highlighted.key != message.record.key:
            return
        self.preview_key = message.record.key
        self.preview_section = message.section
        self.query_one("#preview-header", RecordHeader).show_record(message.record)
        markdown = self.query_one("#preview", Markdown)
        await markdown.update(message.preview.markdown)
        scroll = self.query_one("#preview-scroll", VerticalScroll)
        scroll.scroll_home(animate=False)
        if message.preview.heading:
            self._scroll_to_heading(markdown, scroll, message.preview.heading)

    def _scroll_to_heading(self, markdown: Markdown, scroll: VerticalScroll, heading: str) -> None:
        """Scroll the preview so the first heading titled heading is at the top."""
        wanted = " ".join(heading.lower().split())
        for _level, label, block_id in markdown.table_of_contents:
            if " ".join(str(label).lower().split()) == wanted and block_id:
                target = markdown.query_one(f"#{block_id}")
                self.call_after_refresh(scroll.scroll_to_widget, target, top=True, animate=False)
                return

    def _clear_preview(self) -> None:
        """Empty the preview pane."""
        self.preview_key = None
        self.preview_section = ""
        self.query_one("#preview-header", RecordHeader).update("")
        self.query_one("#preview", Markdown).update("*No record matches.*")

    # -- opening and actions -------------------------------------------------------------------------------

    @on(HitList.HitSelected)
    def _hit_selected(self, message: HitList.HitSelected) -> None:
        """Open the selected hit."""
        self.post_message(OpenRecord(message.hit.key, message.hit.section))

    @on(Input.Submitted, "#query")
    def _query_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box opens the highlighted hit."""
        event.stop()
        self.action_open_record()

    def action_open_record(self) -> None:
        """Open the highlighted hit."""
        hit = self.query_one(HitList).highlighted_hit
        if hit is not None:
            self.post_message(OpenRecord(hit.key, hit.section))

    def action_focus_search(self) -> None:
        """Focus the search box."""
        self.query_one("#query", Input).focus()

    def action_focus_results(self) -> None:
        """Focus the results list."""
        self.query_one(HitList).focus()

    def action_clear_search(self) -> None:
        """Clear the query (listing every record) and focus the box."""
        box = self.query_one("#query", Input)
        box.value = ""
        box.focus()

    def action_new_record(self) -> None:
        """Start a new record from a template."""
        self.bridge_app.action_new_record()

    def action_edit_record(self) -> None:
        """Edit the highlighted record."""
        hit = self.query_one(HitList).highlighted_hit
        if hit is not None:
            self.bridge_app.action_edit_record(hit.key)
