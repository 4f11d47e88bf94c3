"""A small modal that asks one question and returns the id of the button pressed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

ButtonVariant = Literal["default", "primary", "success", "warning", "error"]


@dataclass(frozen=True)
class Choice:
    """One answer the dialog offers."""

    id: str
    label: str
    variant: ButtonVariant = "default"


class ChoiceDialog(ModalScreen[str | None]):
    """Ask a question with a few answers; escape answers None (cancel)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog-cancel", tooltip="Close the dialog without choosing."),
    ]

    def __init__(self, title: str, body: str, choices: list[Choice], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        """The question, shown in bold."""
        self.body_text = body
        """What the choice means, shown under the question."""
        self.choices = choices
        """The answers, one button each, first focused."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body_text, classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                for choice in self.choices:
                    yield Button(choice.label, id=f"choice-{choice.id}", variant=choice.variant)

    @on(Button.Pressed)
    def _choose(self, event: Button.Pressed) -> None:
        """Answer with the pressed button's choice id."""
        event.stop()
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        """Answer None."""
        self.dismiss(None)
