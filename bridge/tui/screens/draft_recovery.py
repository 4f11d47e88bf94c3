"""The modal offering autosaved drafts back after a crash or an unclean exit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from bridge.tui.drafts import Draft


@dataclass(frozen=True)
class DraftDecision:
    """What to do with one draft."""

    action: Literal["resume", "discard"]
    draft: Draft


def describe_draft(draft: Draft) -> str:
    """Return one line naming the draft's record, whether it is new, and when it was saved."""
    state = "new record" if draft.is_new else f"edit of version {draft.base_version}"
    title = draft.record.title or "(untitled)"
    return f"{draft.record.key}  {title}  — {state}, autosaved {draft.saved_at:%Y-%m-%d %H:%M} UTC"


class DraftRecoveryDialog(ModalScreen[DraftDecision | None]):
    """List unsaved drafts: Enter resumes one, ``d`` discards it, escape keeps them all for later."""

    BINDINGS = [
        Binding("escape", "later", "Later", id="drafts-later", tooltip="Keep the drafts and decide later."),
        Binding("d", "discard", "Discard", id="drafts-discard", tooltip="Delete the highlighted draft."),
    ]

    def __init__(self, drafts: list[Draft]) -> None:
        super().__init__(id="draft-recovery")
        self.drafts = drafts
        """The drafts found, newest first."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Label("Unsaved drafts from an earlier session", classes="dialog-title")
            yield Label("Enter resumes editing · d discards · escape decides later", classes="dialog-body")
            yield OptionList(
                *[Option(describe_draft(draft), id=f"draft-{index}") for index, draft in enumerate(self.drafts)],
                id="draft-options",
            )
        yield Footer()

    @on(OptionList.OptionSelected)
    def _resume(self, event: OptionList.OptionSelected) -> None:
        """Resume the selected draft."""
        event.stop()
        self.dismiss(DraftDecision("resume", self.drafts[event.option_index]))

    def action_discard(self) -> None:
        """Discard the highlighted draft."""
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(DraftDecision("discard", self.drafts[highlighted]))

    def action_later(self) -> None:
        """Close, keeping every draft."""
        self.dismiss(None)
