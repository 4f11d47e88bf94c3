"""The modal that asks for a folder to import."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PathPrompt(ModalScreen[Path | None]):
    """Ask for a path; Enter answers it (``~`` expanded), escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="path-cancel", tooltip="Close without importing."),
    ]

    def __init__(self, title: str, placeholder: str = "~/src/runbooks") -> None:
        super().__init__(id="path-prompt")
        self.title_text = title
        """The question."""
        self.placeholder = placeholder
        """Example path shown in the empty input."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=self.placeholder, id="path-input")
            yield Label("", id="path-error", classes="field-error")

    @on(Input.Submitted)
    def _answer(self, event: Input.Submitted) -> None:
        """Answer with the typed path, or say it is empty."""
        event.stop()
        text = event.value.strip()
        if not text:
            self.query_one("#path-error", Label).update("Type a folder or file path.")
            return
        self.dismiss(Path(text).expanduser())

    def action_cancel(self) -> None:
        """Answer None."""
        self.dismiss(None)
