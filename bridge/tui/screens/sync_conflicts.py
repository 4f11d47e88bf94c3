"""The sync conflicts screen: each record changed both in git and in bridge, a diff of both sides, and take one.

Reading a conflict and taking a side are app workers (``bridge.tui.workers``) that post their result back to this
screen (ADR-0300, ADR-0502); the screen's handlers own what is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, Static

from bridge.sync_types import SyncConflict
from bridge.tui.diffing import RevisionDiff
from bridge.tui.messages import RecordsChanged, SyncConflictRead, SyncSideTaken
from bridge.tui.typed_app import BridgeAppAccess
from bridge.tui.widgets.record_header import render_diff

if TYPE_CHECKING:
    pass


class SyncConflictsScreen(BridgeAppAccess, ModalScreen[None]):
    """List sync conflicts with a diff of the file's text against bridge's; take either side to resolve one."""

    BINDINGS = [
        Binding("f", "take('file')", "Take file", id="sync-take-file",
                tooltip="Resolve the highlighted conflict with the file's text from git (bridge sync --take file)."),
        Binding("B", "take('bridge')", "Take bridge", id="sync-take-bridge",
                tooltip="Resolve the highlighted conflict by writing bridge's text to the file, on the sync "
                        "branch (bridge sync --take bridge)."),
        Binding("escape,q", "close", "Close", id="conflicts-close",
                tooltip="Close; unresolved conflicts stay and show in the status line."),
    ]

    def __init__(self, conflicts: list[SyncConflict]) -> None:
        super().__init__(id="sync-conflicts")
        self.conflicts = list(conflicts)
        """Conflicts not yet resolved, in the order shown."""
        self.diffs: dict[str, RevisionDiff] = {}
        """Diff of each conflict read so far, by key."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Label(self._title(), classes="dialog-title", id="sync-conflicts-title")
            yield OptionList(*self._option_texts(), id="sync-conflict-list")
            with VerticalScroll(classes="text-view-scroll"):
                yield Static("", id="sync-conflict-diff")
        yield Footer()

    def _title(self) -> str:
        """Return the heading for the conflicts left."""
        count = len(self.conflicts)
        return f"{count} sync conflict{'' if count == 1 else 's'}: changed both in git and in bridge"

    def _option_texts(self) -> list[str]:
        """Return one line per conflict: key, path and reason."""
        return [f"{c.key}  {c.path}\n  {c.reason}" for c in self.conflicts]

    def on_mount(self) -> None:
        if self.conflicts:
            self._show(0)

    @property
    def current(self) -> SyncConflict | None:
        """Return the highlighted conflict."""
        index = self.query_one("#sync-conflict-list", OptionList).highlighted
        return self.conflicts[index] if index is not None and index < len(self.conflicts) else None

    @on(OptionList.OptionHighlighted, "#sync-conflict-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the diff of the highlighted conflict."""
        self._show(event.option_index)

    def _show(self, index: int) -> None:
        """Show the diff of conflict index, reading it first when needed."""
        key = self.conflicts[index].key
        if key in self.diffs:
            self.query_one("#sync-conflict-diff", Static).update(render_diff(self.diffs[key]))
        else:
            self.query_one("#sync-conflict-diff", Static).update(f"Reading both sides of {key}…")
            self.bridge_app.read_sync_conflict(key, self)

    @on(SyncConflictRead)
    def _sides_loaded(self, message: SyncConflictRead) -> None:
        """Keep the diff and show it when its conflict is still highlighted."""
        self.diffs[message.key] = message.diff
        current = self.current
        if current is not None and current.key == message.key:
            self.query_one("#sync-conflict-diff", Static).update(render_diff(message.diff))

    def action_take(self, side: str) -> None:
        """Resolve the highlighted conflict by taking side ("file" or "bridge")."""
        current = self.current
        if current is not None:
            self.bridge_app.take_sync_side(side, current.key, self)

    @on(SyncSideTaken)
    def _taken(self, message: SyncSideTaken) -> None:
        """Drop the resolved conflict, report it, and refresh the counts."""
        report = message.report
        self.app.post_message(RecordsChanged())
        self.bridge_app.count_unsynced()
        if not report.ok:
            problems = [f"{c.key}: {c.reason}" for c in report.conflicts]
            problems += [f"{f.path}: {f.error}" for f in report.failed]
            self.notify("\n".join(problems), title=f"{message.key} is still in conflict", severity="warning",
                        markup=False)
            return
        self.notify(f"{message.key}: took the {message.side}'s text", markup=False)
        self.conflicts = [c for c in self.conflicts if c.key != message.key]
        self.diffs.pop(message.key, None)
        if not self.conflicts:
            self.dismiss(None)
            return
        self.query_one("#sync-conflicts-title", Label).update(self._title())
        options = self.query_one("#sync-conflict-list", OptionList)
        options.clear_options()
        options.add_options(self._option_texts())
        options.highlighted = 0
        self._show(0)

    def action_close(self) -> None:
        """Close the screen."""
        self.dismiss(None)
