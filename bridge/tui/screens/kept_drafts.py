"""The kept drafts screen: texts kept from saves that lost a conflict, and the editor's autosaved drafts.

Each conflict text shows as a diff from the record's current text; ``r`` saves it on top of the current version
(as ``bridge drafts recover``), ``d`` deletes it (as ``bridge drafts discard``). An editor draft opens in the editor
with Enter. Opened from the palette ("record: kept drafts").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, Static

from bridge.errors import BridgeError
from bridge.tui.diffing import RevisionDiff, diff_texts
from bridge.tui.drafts import (
    ConflictText,
    Draft,
    discard_draft,
    list_conflict_texts,
    list_drafts,
    recover_conflict_text,
)
from bridge.tui.messages import RecordsChanged, describe_exception
from bridge.tui.screens.draft_recovery import describe_draft
from bridge.tui.typed_app import BridgeAppAccess
from bridge.tui.widgets.record_header import render_diff

if TYPE_CHECKING:
    pass


def describe_conflict_text(item: ConflictText) -> str:
    """Return one line naming the conflict text's record, the version it was written on, and when it was kept."""
    return f"{item.key}  conflicting edit of version {item.base_version}, kept {item.saved_at:%Y-%m-%d %H:%M} UTC"


class KeptDraftsScreen(BridgeAppAccess, ModalScreen[None]):
    """List kept conflict texts (with a diff from the current text) and editor drafts; recover or discard each."""

    BINDINGS = [
        Binding("r", "recover", "Recover", id="kept-recover",
                tooltip="Save the highlighted conflict text on top of the record's current version."),
        Binding("d", "discard", "Discard", id="kept-discard", tooltip="Delete the highlighted draft."),
        Binding("escape,q", "close", "Close", id="kept-close", tooltip="Close; the drafts stay."),
    ]

    @dataclass
    class Listed(Message):
        """The drafts were read."""

        conflicts: list[ConflictText]
        drafts: list[Draft]

    @dataclass
    class Diffed(Message):
        """One conflict text was compared with its record's current text."""

        name: str
        diff: RevisionDiff

    @dataclass
    class Recovered(Message):
        """One conflict text was saved as a new revision."""

        name: str
        key: str
        version: int

    @dataclass
    class Failed(Message):
        """Reading or saving failed; nothing changed."""

        error: str

    def __init__(self) -> None:
        super().__init__(id="kept-drafts")
        self.conflicts: list[ConflictText] = []
        """Kept conflict texts, oldest first (shown first)."""
        self.drafts: list[Draft] = []
        """Editor drafts, newest first (shown after the conflict texts)."""
        self.diffs: dict[str, RevisionDiff] = {}
        """Diff of each conflict text read so far, by file name."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Label("Reading kept drafts…", classes="dialog-title", id="kept-title")
            yield Label("r saves a conflict text on top · Enter opens an editor draft · d discards · escape closes",
                        classes="dialog-body")
            yield OptionList(id="kept-list")
            with VerticalScroll(classes="text-view-scroll"):
                yield Static("", id="kept-preview")
        yield Footer()

    def on_mount(self) -> None:
        self._list()

    @work(thread=True, exclusive=True, exit_on_error=False, group="kept-drafts", description="Reading drafts")
    def _list(self) -> None:
        """Read the kept conflict texts and editor drafts in a thread."""
        try:
            conflicts = list_conflict_texts()
            drafts, _problems = list_drafts()
        except (BridgeError, OSError) as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        self.post_message(self.Listed(conflicts, drafts))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        """Show the list (or say there is nothing kept)."""
        self.conflicts, self.drafts = message.conflicts, message.drafts
        count = len(self.conflicts) + len(self.drafts)
        title = "No kept drafts: every text you wrote is saved." if not count else (
            f"{len(self.conflicts)} conflicting edit{'' if len(self.conflicts) == 1 else 's'} kept, "
            f"{len(self.drafts)} editor draft{'' if len(self.drafts) == 1 else 's'}")
        self.query_one("#kept-title", Label).update(title)
        options = self.query_one("#kept-list", OptionList)
        options.clear_options()
        options.add_options([describe_conflict_text(item) for item in self.conflicts]
                            + [describe_draft(draft) for draft in self.drafts])
        if count:
            options.highlighted = 0
            self._show(0)
        else:
            self.query_one("#kept-preview", Static).update("")

    def _selected(self) -> ConflictText | Draft | None:
        """Return the highlighted conflict text or editor draft."""
        index = self.query_one("#kept-list", OptionList).highlighted
        if index is None:
            return None
        if index < len(self.conflicts):
            return self.conflicts[index]
        index -= len(self.conflicts)
        return self.drafts[index] if index < len(self.drafts) else None

    @on(OptionList.OptionHighlighted, "#kept-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    def _show(self, index: int) -> None:
        """Preview the item at index: a conflict text's diff, or an editor draft's body."""
        preview = self.query_one("#kept-preview", Static)
        if index >= len(self.conflicts):
            draft = self.drafts[index - len(self.conflicts)]
            preview.update(f"Editor draft of {draft.record.key}; Enter opens it in the editor.\n\n{draft.record.body}")
            return
        item = self.conflicts[index]
        if item.path.name in self.diffs:
            preview.update(render_diff(self.diffs[item.path.name]))
        else:
            preview.update(f"Comparing {item.path.name} with the current {item.key}…")
            self._diff(item)

    @work(thread=True, exit_on_error=False, group="kept-diff", description="Comparing texts")
    def _diff(self, item: ConflictText) -> None:
        """Diff the record's current text against the kept text in a thread."""
        try:
            current = self.bridge_app.require_workspace().record_text(item.key)
            kept = item.path.read_text(encoding="utf-8")
        except (BridgeError, OSError) as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        diff = diff_texts(current, kept, old_label=f"current {item.key}", new_label=f"kept {item.path.name}")
        self.post_message(self.Diffed(item.path.name, diff))

    @on(Diffed)
    def _diffed(self, message: Diffed) -> None:
        self.diffs[message.name] = message.diff
        selected = self._selected()
        if isinstance(selected, ConflictText) and selected.path.name == message.name:
            self.query_one("#kept-preview", Static).update(render_diff(message.diff))

    @on(OptionList.OptionSelected, "#kept-list")
    def _selected_item(self, event: OptionList.OptionSelected) -> None:
        """Enter: open an editor draft in the editor (a conflict text is recovered with r)."""
        event.stop()
        selected = self._selected()
        if isinstance(selected, Draft):
            self.dismiss(None)
            self.bridge_app.edit(selected.record, base_version=selected.base_version, resumed=True)
        elif selected is not None:
            self.notify("Press r to save this text on top of the current version, or d to discard it.")

    def action_recover(self) -> None:
        """Save the highlighted conflict text on top of its record's current version."""
        selected = self._selected()
        if isinstance(selected, ConflictText):
            self._recover(selected)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kept-recover", description="Recovering")
    def _recover(self, item: ConflictText) -> None:
        """Save the text in a thread, as `bridge drafts recover` does."""
        try:
            saved = recover_conflict_text(self.bridge_app.require_workspace(), item)
        except (BridgeError, OSError) as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        self.post_message(self.Recovered(item.path.name, saved.key, saved.version))

    @on(Recovered)
    def _recovered(self, message: Recovered) -> None:
        self.notify(f"Saved {message.key} as version {message.version} from {message.name}.", markup=False)
        self.app.post_message(RecordsChanged())
        self._list()

    def action_discard(self) -> None:
        """Delete the highlighted conflict text or editor draft."""
        selected = self._selected()
        if selected is not None:
            self._discard(selected)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kept-drafts", description="Discarding")
    def _discard(self, selected: ConflictText | Draft) -> None:
        """Delete one kept text in a thread, then list again."""
        try:
            if isinstance(selected, ConflictText):
                selected.path.unlink(missing_ok=True)
                done = f"Discarded {selected.path.name}."
            else:
                discard_draft(selected.record.key)
                done = f"Discarded the editor draft of {selected.record.key}."
            conflicts = list_conflict_texts()
            drafts, _problems = list_drafts()
        except (BridgeError, OSError) as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        self.app.call_from_thread(self.notify, done, markup=False)
        self.post_message(self.Listed(conflicts, drafts))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(message.error, title="Kept drafts", severity="error", markup=False)

    def action_close(self) -> None:
        """Close the screen; the drafts stay."""
        self.dismiss(None)
