"""A modal that shows a long read-only text, such as the other side of a conflict."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static


class TextViewScreen(ModalScreen[None]):
    """Show a title and scrollable text; escape closes it."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="text-view-close", tooltip="Close this view."),
    ]

    def __init__(self, title: str, text: Text, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        """Heading of the view."""
        self.text = text
        """The content shown."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="text-view-scroll"):
                yield Static(self.text, id="text-view-body")
        yield Footer()

    def action_close(self) -> None:
        """Close the view."""
        self.dismiss(None)
