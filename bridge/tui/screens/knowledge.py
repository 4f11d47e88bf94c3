"""The bus-factor screen: topics by knowledge risk, who knows them, and "what if these people leave?" toggles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from bridge.errors import BridgeError
from bridge.tui.messages import OpenRecord, describe_exception
from bridge.tui.typed_app import BridgeAppAccess

if TYPE_CHECKING:
    from bridge.workspace.knowledge import BusFactorScreenModel


def topic_detail_markup(model: BusFactorScreenModel, topic_name: str) -> str:
    """Return markup describing one topic: knowers, flags, suggestion and records with their knowers."""
    topic = model.topic(topic_name)
    if topic is None:
        return f"No records in {escape(topic_name)}."
    lines = [f"[bold]{escape(topic.topic)}[/]  bus factor [bold]{topic.bus_factor}[/] · {topic.records} records"]
    if topic.knowers:
        knowers = ", ".join(f"{escape(k.person)} ({k.records}, {k.share:.0%})" for k in topic.knowers)
        lines.append(f"[dim]knowers[/] {knowers}")
    else:
        lines.append("[bold red]nobody active knows these records[/]")
    for flag in topic.flags:
        lines.append(f"[bold red]⚑ {escape(flag.kind)}[/] {escape(flag.message)}")
    if topic.suggestion:
        suggestion = topic.suggestion
        review = ", ".join(suggestion.review_first)
        lines.append(f"[green]→ {escape(suggestion.person)}[/]: {escape(suggestion.reason)}"
                     + (f" (review first: {escape(review)})" if review else ""))
    lines.append("")
    for record in model.topic_records(topic_name):
        knowers = ", ".join(record.knowers) or "[red]nobody[/]"
        left = f" [dim](left: {escape(', '.join(record.left_knowers))})[/]" if record.left_knowers else ""
        lines.append(f"[cyan]{escape(record.key)}[/] {escape(record.title)} — {knowers}{left}")
    return "\n".join(lines)


class KnowledgeScreen(BridgeAppAccess, Screen[None]):
    """Topics riskiest first; toggle people as departed to see which topics would be orphaned."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="knowledge-back", tooltip="Return to the previous screen."),
        Binding("space", "toggle_person", "Toggle departure", id="knowledge-toggle",
                tooltip="Simulate the highlighted person leaving (again to bring them back)."),
        Binding("x", "reset", "Reset", id="knowledge-reset", tooltip="Clear every simulated departure."),
        Binding("o", "open_record", "Open record", id="knowledge-open",
                tooltip="Open the first record of the highlighted topic that has the fewest knowers."),
        Binding("h", "handoff_plan", "Handoff plan", id="knowledge-handoff",
                tooltip="Make (or re-measure) the highlighted person's handoff plan and open it."),
    ]

    @dataclass
    class ModelReady(Message):
        """The view model was built or recomputed."""

        model: BusFactorScreenModel

    @dataclass
    class Failed(Message):
        """The analysis could not be loaded."""

        error: str

    def __init__(self) -> None:
        super().__init__(id="knowledge-screen")
        self.model: BusFactorScreenModel | None = None
        """The bus-factor view model; recomputed in a worker on each toggle."""
        self.selected_topic: str | None = None
        """The topic whose detail is shown."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Computing bus factor…", id="knowledge-summary", classes="section-title")
        with Horizontal(id="knowledge-body"):
            with Vertical(id="knowledge-left"):
                yield DataTable(id="topics", cursor_type="row", zebra_stripes=True)
                yield Label("People (space: simulate leaving)", classes="section-title")
                yield DataTable(id="people", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="topic-detail-scroll"):
                yield Static("", id="topic-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "bridge · Bus factor"
        self.query_one("#topics", DataTable).add_columns("topic", "bus factor", "records", "knowers", "top share",
                                                         "top knower", "flags")
        self.query_one("#people", DataTable).add_columns("person", "records known", "leaving?")
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="knowledge", description="Computing bus factor")
    def _load(self) -> None:
        """Build the view model in a thread."""
        try:
            model = self.bridge_app.require_workspace().bus_factor_screen()  # type: ignore[attr-defined]
        except BridgeError as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        self.post_message(self.ModelReady(model))

    @work(thread=True, exclusive=True, exit_on_error=False, group="knowledge", description="Simulating departures")
    def _recompute(self, model: BusFactorScreenModel, handle: str | None) -> None:
        """Toggle one person (or reset when handle is None) and recompute in a thread."""
        if handle is None:
            model.reset()
        else:
            model.toggle(handle)
        self.post_message(self.ModelReady(model))

    @on(ModelReady)
    def _show(self, message: ModelReady) -> None:
        """Fill the tables and the detail from the model."""
        self.model = model = message.model
        baseline, current = model.overall()
        departed = ", ".join(sorted(model.departed)) or "nobody"
        self.query_one("#knowledge-summary", Label).update(
            f"Whole knowledge base: bus factor {baseline}" + (f" → {current} if {departed} leave" if model.departed else "")
        )
        topics = self.query_one("#topics", DataTable)
        topic_row = topics.cursor_row
        topics.clear()
        for row in model.rows():
            figure = f"{row.bus_factor}" if row.bus_factor == row.baseline else f"{row.baseline} → {row.bus_factor}"
            topics.add_row(row.topic, figure, str(row.records), str(row.knowers), f"{row.concentration:.0%}",
                           row.top_knower, ", ".join(row.flags), key=row.topic)
        people = self.query_one("#people", DataTable)
        person_row = people.cursor_row
        people.clear()
        for person in model.people():
            people.add_row(person.person, str(person.records_known), "leaves" if person.departed else "",
                           key=person.handle)
        if topics.row_count:
            topics.move_cursor(row=min(topic_row, topics.row_count - 1))
        if people.row_count:
            people.move_cursor(row=min(person_row, people.row_count - 1))
        self._show_topic()

    @on(DataTable.RowHighlighted, "#topics")
    def _topic_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted topic's detail."""
        event.stop()
        self.selected_topic = event.row_key.value if event.row_key else None
        self._show_topic()

    def _show_topic(self) -> None:
        """Render the selected topic (the first one when none is selected)."""
        if self.model is None:
            return
        rows = self.model.rows()
        if self.selected_topic is None and rows:
            self.selected_topic = rows[0].topic
        if self.selected_topic:
            self.query_one("#topic-detail", Static).update(topic_detail_markup(self.model, self.selected_topic))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        """Say why the analysis is unavailable."""
        self.query_one("#knowledge-summary", Label).update(f"Bus factor unavailable: {message.error}")

    def action_toggle_person(self) -> None:
        """Toggle the highlighted person's simulated departure."""
        people = self.query_one("#people", DataTable)
        if self.model is None or not people.row_count:
            return
        handle = people.coordinate_to_cell_key(people.cursor_coordinate).row_key.value
        if handle:
            self._recompute(self.model, handle)

    def action_reset(self) -> None:
        """Clear every simulated departure."""
        if self.model is not None:
            self._recompute(self.model, None)

    def action_open_record(self) -> None:
        """Open the least-known record of the highlighted topic."""
        if self.model is not None and self.selected_topic:
            records = self.model.topic_records(self.selected_topic)
            if records:
                self.post_message(OpenRecord(records[0].key))

    def action_handoff_plan(self) -> None:
        """Open the highlighted person's handoff plan (made and saved as a record on first use)."""
        people = self.query_one("#people", DataTable)
        if self.model is None or not people.row_count:
            return
        handle = people.coordinate_to_cell_key(people.cursor_coordinate).row_key.value
        if handle:
            self._handoff(handle)

    @work(thread=True, exclusive=True, exit_on_error=False, group="handoff", description="Making handoff plan")
    def _handoff(self, handle: str) -> None:
        """Make or re-measure the plan in a thread, then open its record."""
        try:
            plan = self.bridge_app.require_workspace().handoff(handle)  # type: ignore[attr-defined]
        except BridgeError as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        self.post_message(OpenRecord(plan.record_key))

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.app.pop_screen()
