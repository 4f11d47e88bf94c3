"""The help screen: every key binding (as configured), the search filter syntax, and the palette commands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

SEARCH_HELP = (
    "Type to search; results update as you type. Filters go in the query: "
    "kind:runbook  kind:adr  topic:etcd  status:active  owner:\"Jane Doe\". "
    "Keyword results show at once; hybrid (keyword + semantic) results replace them once the model is loaded. "
    "Press ctrl+p for the command palette (\"record: new decision (MADR)\", \"index: reindex\", …). "
    "Keys can be changed in bridge.toml under [keymap] using the ids below, e.g. search-new = \"ctrl+n\"."
)


class HelpScreen(Screen[None]):
    """List every binding with its keys, what it does and its id."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="help-close", tooltip="Close the help screen."),
    ]

    def __init__(self, keymap: dict[str, str], palette_commands: list[tuple[str, str]]) -> None:
        super().__init__(id="help-screen")
        self.keymap = keymap
        """The configured key overrides, by binding id."""
        self.palette_commands = palette_commands
        """(name, help) of every palette command."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help-scroll"):
            yield Static(SEARCH_HELP, id="help-intro", markup=False)
            yield Label("Key bindings", classes="section-title")
            yield DataTable(id="help-bindings", cursor_type="row", zebra_stripes=True)
            yield Label("Command palette (ctrl+p)", classes="section-title")
            yield DataTable(id="help-commands", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        from bridge.tui.keymap import binding_rows

        self.title = "bridge · Help"
        bindings = self.query_one("#help-bindings", DataTable)
        bindings.add_columns("where", "keys", "does", "id", "details")
        for row in binding_rows(self.keymap):
            bindings.add_row(row.area, row.keys, row.description, row.binding_id, row.tooltip)
        commands = self.query_one("#help-commands", DataTable)
        commands.add_columns("command", "does")
        for name, help_text in self.palette_commands:
            commands.add_row(name, help_text)
        bindings.focus()

    def action_close(self) -> None:
        """Close the help screen."""
        self.app.pop_screen()
