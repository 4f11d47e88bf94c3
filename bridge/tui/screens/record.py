"""The record screen: front-matter header, rendered body, history with diffs and restore, links and people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Label,
    Markdown,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from bridge.domain import Record, Revision
from bridge.errors import BridgeError, ConflictError
from bridge.sync_types import SyncConflict
from bridge.tui.diffing import RevisionDiff, diff_texts
from bridge.tui.messages import OpenRecord, RecordsChanged, describe_exception
from bridge.tui.preview import display_markdown
from bridge.tui.screens.choice import Choice, ChoiceDialog
from bridge.tui.typed_app import BridgeAppAccess
from bridge.tui.widgets.record_header import RecordHeader, render_diff
from bridge.tui.widgets.record_links import LinkEntry, link_entries, render_contributor_rows, render_link

if TYPE_CHECKING:
    from bridge.workspace.records import Contributor


TAB_FOCUS: dict[str, str] = {"tab-read": "#body-scroll", "tab-history": "#revisions", "tab-links": "#links"}
"""The widget each tab focuses when shown (the body scrolls with the arrow keys)."""


class RecordScreen(BridgeAppAccess, Screen[None]):
    """One record: read it, follow its links, compare and restore revisions, mark it reviewed."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="record-back", tooltip="Return to the previous screen."),
        Binding("e", "edit", "Edit", id="record-edit", tooltip="Edit this record."),
        Binding("m", "mark_reviewed", "Mark reviewed", id="record-review",
                tooltip="Record that you read and checked this record (counts as knowing it)."),
        Binding("1", "show_tab('tab-read')", "Read", id="record-tab-read", tooltip="Show the rendered body."),
        Binding("2", "show_tab('tab-history')", "History", id="record-tab-history",
                tooltip="Show revisions and the diff between any two."),
        Binding("3", "show_tab('tab-links')", "Links", id="record-tab-links",
                tooltip="Show linked records and contributors."),
        Binding("b", "mark_base", "Compare from", id="record-diff-base",
                tooltip="Use the highlighted revision as the older side of the diff."),
        Binding("r", "restore", "Restore", id="record-restore",
                tooltip="Make the highlighted revision current again, as a new revision."),
    ]

    @dataclass
    class Loaded(Message):
        """The record and everything the screen shows about it were read."""

        record: Record
        markdown: str
        """The body as Markdown for display (reST converted)."""
        revisions: list[Revision]
        links: list[LinkEntry]
        contributors: list[Contributor] = field(default_factory=list)
        conflict: SyncConflict | None = None
        """The record's sync conflict, when its file and bridge both changed since the last sync."""

    @dataclass
    class DiffReady(Message):
        """A diff between two revisions was computed."""

        diff: RevisionDiff

    @dataclass
    class Failed(Message):
        """Loading or an action failed."""

        error: str

    def __init__(self, key: str, section: str = "") -> None:
        super().__init__()
        self.key = key
        """The key asked for (the loaded record's key may differ in case)."""
        self.section = section
        """Section to scroll to once the body is rendered."""
        self.record: Record | None = None
        """The record as last loaded."""
        self.open_recorded = False
        """Whether this screen's open was counted as a usage event (once, not on every reload)."""
        self.revisions: list[Revision] = []
        """The record's revisions, oldest first."""
        self.links: list[LinkEntry] = []
        """Followable links, in display order."""
        self.author_names: dict[str, str] = {}
        """Display names of contributors by handle, for the history table."""
        self.base_revision: int | None = None
        """Revision number marked as the older side of the diff; None means "the one before"."""
        self.last_diff: RevisionDiff | None = None
        """The diff on screen."""
        self.conflict: SyncConflict | None = None
        """The record's sync conflict as last shown (None when it is not in conflict)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield RecordHeader(f"Loading {self.key}…", id="record-header")
        yield Static("", id="record-conflict", markup=False)
        with TabbedContent(initial="tab-read", id="record-tabs"):
            with TabPane("Read", id="tab-read"), VerticalScroll(id="body-scroll"):
                yield Markdown("", id="record-body", open_links=False)
            with TabPane("History", id="tab-history"), Horizontal():
                yield DataTable(id="revisions", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="diff-scroll"):
                    yield Label("", id="diff-title")
                    yield Static("", id="diff")
            with TabPane("Links & people", id="tab-links"):
                yield Label("Linked records (Enter follows)", classes="section-title")
                yield OptionList(id="links")
                yield Label("Contributors", classes="section-title")
                yield DataTable(id="contributors", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        revisions_table = self.query_one("#revisions", DataTable)
        revisions_table.add_columns("#", "when", "who", "source", "±", "message")
        self.query_one("#contributors", DataTable).add_columns("person", "roles", "edits", "last")
        self.reload()

    def reload(self) -> None:
        """Read the record again (after a save, restore or review)."""
        self._load(self.key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-load", description="Loading record")
    def _load(self, key: str) -> None:
        """Read record, history, links and contributors in a thread."""
        workspace = self.bridge_app.require_workspace()
        try:
            record = workspace.get_record(key)
            if not self.open_recorded:
                workspace.record_open(record.key)
                self.open_recorded = True
            revisions = workspace.history(record.key)
            entries = link_entries(record, workspace.links(record.key), workspace)
            contributors = workspace.contributors(record.key)
            conflict = workspace.sync_conflict(record.key)
        except BridgeError as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        markdown = display_markdown(record.body, record.body_format)
        self.post_message(self.Loaded(record, markdown, revisions, entries, contributors, conflict))

    @on(Loaded)
    async def _show(self, message: Loaded) -> None:
        """Fill the header, body, history table, links and contributors."""
        first_load = self.record is None
        self.record = message.record
        self.key = message.record.key
        self.revisions = message.revisions
        self.author_names = {entry.person.handle: entry.person.name for entry in message.contributors}
        self.links = message.links
        self.title = f"bridge · {message.record.key}"
        self.query_one("#record-header", RecordHeader).show_record(message.record)
        self._show_conflict(message.conflict)
        self._fill_revisions()
        links = self.query_one("#links", OptionList)
        links.clear_options()
        links.add_options([Option(render_link(entry), id=f"link-{index}") for index, entry in enumerate(self.links)])
        if self.links:
            links.highlighted = 0
        else:
            links.add_option(Option("No linked records.", disabled=True))
        contributors = self.query_one("#contributors", DataTable)
        contributors.clear()
        for row in render_contributor_rows(message.contributors):
            contributors.add_row(*row)
        markdown = self.query_one("#record-body", Markdown)
        await markdown.update(message.markdown)
        if first_load and self.section:
            self._scroll_to_section(markdown)

    def _show_conflict(self, conflict: SyncConflict | None) -> None:
        """Show (or hide) the sync-conflict marker, and warn when the record is newly found in conflict."""
        banner = self.query_one("#record-conflict", Static)
        if conflict is None:
            banner.remove_class("in-conflict")
            self.conflict = None
            return
        banner.update(f"⚠ Sync conflict: {conflict.reason} ({conflict.path}). Take a side in 'git: sync "
                      f"conflicts', or {conflict.resolution()}.")
        banner.add_class("in-conflict")
        if self.conflict != conflict:
            self.notify(f"{conflict.key} changed both in its file and in bridge; {conflict.resolution()}.",
                        title="Sync conflict", severity="warning", markup=False, timeout=10)
        self.conflict = conflict

    def _fill_revisions(self) -> None:
        """Show revisions newest first, marking the diff base."""
        table = self.query_one("#revisions", DataTable)
        table.clear()
        for revision in reversed(self.revisions):
            marker = "◆" if revision.number == self.base_revision else ""
            table.add_row(
                f"{marker}{revision.number}", f"{revision.at:%Y-%m-%d %H:%M}",
                self.author_names.get(revision.author) or revision.author, revision.source,
                f"+{revision.lines_added}/-{revision.lines_removed}" if revision.source == "git" else "",
                revision.message.splitlines()[0] if revision.message else "", key=str(revision.number),
            )

    def _scroll_to_section(self, markdown: Markdown) -> None:
        """Scroll the body to the section the search hit named."""
        heading = self.section.split(" › ")[-1].strip().lower()
        for _level, label, block_id in markdown.table_of_contents:
            if str(label).strip().lower() == heading and block_id:
                scroll = self.query_one("#body-scroll", VerticalScroll)
                target = markdown.query_one(f"#{block_id}")
                self.call_after_refresh(scroll.scroll_to_widget, target, top=True, animate=False)
                return

    @on(Failed)
    def _show_failure(self, message: Failed) -> None:
        """Report a failed load or action."""
        self.notify(message.error, severity="error", markup=False)
        if self.record is None:
            self.query_one("#record-header", RecordHeader).update(f"Cannot open {self.key}: {message.error}")

    # -- history -------------------------------------------------------------------------------------------

    @property
    def cursor_revision(self) -> Revision | None:
        """Return the revision under the history cursor."""
        table = self.query_one("#revisions", DataTable)
        if not self.revisions or table.cursor_row is None or table.row_count == 0:
            return None
        index = len(self.revisions) - 1 - table.cursor_row
        return self.revisions[index] if 0 <= index < len(self.revisions) else None

    @on(DataTable.RowHighlighted, "#revisions")
    def _revision_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Diff the highlighted revision against the base (or its predecessor)."""
        event.stop()
        self.show_cursor_diff()

    def show_cursor_diff(self) -> None:
        """Diff the revision under the cursor against the marked base, or against the revision before it."""
        revision = self.cursor_revision
        if revision is None:
            return
        base = self.base_revision if self.base_revision is not None else revision.number - 1
        if base == revision.number:
            base = revision.number - 1
        self._compute_diff(base, revision.number)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-diff", description="Diffing revisions")
    def _compute_diff(self, old_number: int, new_number: int) -> None:
        """Load two revisions' texts in a thread and post their diff (revision 0 is the empty text)."""
        workspace = self.bridge_app.require_workspace()
        try:
            old_text = workspace.revision_text(self.key, old_number) if old_number >= 1 else ""
            new_text = workspace.revision_text(self.key, new_number)
        except BridgeError as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        old_label = f"revision {old_number}" if old_number >= 1 else "(nothing)"
        diff = diff_texts(old_text, new_text, old_label=old_label, new_label=f"revision {new_number}")
        self.post_message(self.DiffReady(diff))

    @on(DiffReady)
    def _show_diff(self, message: DiffReady) -> None:
        """Show a computed diff."""
        self.last_diff = message.diff
        self.query_one("#diff-title", Label).update(f"{message.diff.old_label} → {message.diff.new_label}")
        self.query_one("#diff", Static).update(render_diff(message.diff))

    def action_mark_base(self) -> None:
        """Mark the highlighted revision as the older side of later diffs (again to unmark)."""
        revision = self.cursor_revision
        if revision is None:
            return
        self.base_revision = None if self.base_revision == revision.number else revision.number
        cursor_row = self.query_one("#revisions", DataTable).cursor_row
        self._fill_revisions()
        self.query_one("#revisions", DataTable).move_cursor(row=cursor_row)
        note = f"comparing from revision {self.base_revision}" if self.base_revision else "comparing with previous"
        self.notify(note)

    def action_restore(self) -> None:
        """Ask, then make the highlighted revision current again as a new revision."""
        revision = self.cursor_revision
        if self.record is None or revision is None:
            self.notify("Open the History tab (2) and pick a revision to restore.", severity="warning")
            return
        question = ChoiceDialog(
            f"Restore revision {revision.number} of {self.record.key}?",
            f"Its text becomes version {self.record.version + 1}; nothing is deleted from history.",
            [Choice("restore", "Restore", "warning"), Choice("cancel", "Cancel")],
            id="restore-dialog",
        )
        record_version = self.record.version

        def answered(choice: str | None) -> None:
            if choice == "restore":
                self._restore(revision.number, record_version)

        self.app.push_screen(question, answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-write", description="Restoring revision")
    def _restore(self, number: int, expected_version: int) -> None:
        """Restore a revision in a thread."""
        try:
            saved = self.bridge_app.require_workspace().restore_revision(
                self.key, number, expected_version=expected_version
            )
        except ConflictError as exc:  # someone saved since this screen loaded: say so and show their version
            self.post_message(self.Failed(describe_exception(exc)))
            self.post_message(RecordsChanged([self.key]))
            return
        except BridgeError as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        self.notify(f"Restored revision {number} of {saved.key} as version {saved.version}.")
        self.post_message(RecordsChanged([saved.key]))

    # -- review, links, navigation -------------------------------------------------------------------------

    def action_mark_reviewed(self) -> None:
        """Record the current user as a reviewer of this record."""
        self._mark_reviewed(self.key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-write", description="Marking reviewed")
    def _mark_reviewed(self, key: str) -> None:
        """Record the review in a thread."""
        try:
            contribution = self.bridge_app.require_workspace().mark_reviewed(key)
        except BridgeError as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        self.notify(f"Marked {key} reviewed by {contribution.person}.")
        self.post_message(RecordsChanged([key]))

    @on(OptionList.OptionSelected, "#links")
    def _follow_link(self, event: OptionList.OptionSelected) -> None:
        """Open the selected linked record."""
        event.stop()
        if 0 <= event.option_index < len(self.links):
            self.post_message(OpenRecord(self.links[event.option_index].key))

    @on(Markdown.LinkClicked, "#record-body")
    def _body_link(self, event: Markdown.LinkClicked) -> None:
        """Follow a body link that names another record (``ADR-0007`` or ``0007-title.md``)."""
        event.stop()
        target = self.bridge_app.resolve_link(event.href)
        if target:
            self.post_message(OpenRecord(target))
        else:
            self.app.open_url(event.href)

    def action_open_link(self, key: str) -> None:
        """Open a linked record (the header's clickable keys run this)."""
        self.post_message(OpenRecord(key))

    def action_show_tab(self, tab_id: str) -> None:
        """Switch to a tab and focus its main widget.

        Focus must move into the new tab: a focused widget left in a hidden tab hands focus to a sibling in that
        tab, and the TabbedContent then switches back to the tab holding the focus.
        """
        self.query_one("#record-tabs", TabbedContent).active = tab_id
        self.query_one(TAB_FOCUS[tab_id]).focus()
        if tab_id == "tab-history" and self.last_diff is None:
            self.show_cursor_diff()

    def action_edit(self) -> None:
        """Open this record in the editor."""
        self.bridge_app.action_edit_record(self.key)

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.app.pop_screen()
